/* sieve_plan.c - which Sieve scripts run for a recipient, in what order,
 * and how their results become one delivery plan.
 *
 * Takes: the conf (sieve_before, the user's script or sieve_default,
 * sieve_after), the mailbox, the message and the verdict facts.  Returns:
 * a struct sieve_plan (targets with Maildir flags, discard, reject,
 * redirects, vacation, notifications, duplicate records).  Never: runs a
 * script in this process (sieve_worker.c does, as the mailbox owner), or
 * returns an empty plan: when nothing else applies the message is kept
 * (RFC 5228 section 2.10.2, implicit keep), and a failed script keeps it
 * in INBOX.
 */
#include "sieve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "msg.h"
#include "recipient.h"
#include "sieve_private.h"

/* ---- plan and merge ---- */

void sieve_plan_init(struct sieve_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
}

void sieve_plan_clear(struct sieve_plan *plan)
{
	for (size_t i = 0; i < plan->ntargets; i++) {
		free(plan->targets[i].folder);
		sieve_edits_clear(&plan->targets[i].edits);
	}
	free(plan->targets);
	for (size_t i = 0; i < plan->nredirects; i++) {
		free(plan->redirects[i]);
		if (plan->redirect_edits)
			sieve_edits_clear(&plan->redirect_edits[i]);
	}
	free(plan->redirects);
	free(plan->redirect_edits);
	free(plan->reject_reason);
	sieve_vacation_free(plan->vacation);
	for (size_t i = 0; i < plan->ndups; i++)
		free(plan->dups[i].key);
	free(plan->dups);
	for (size_t i = 0; i < plan->nnotifies; i++)
		sieve_vacation_free(plan->notifies[i]);
	free(plan->notifies);
	sieve_edits_clear(&plan->edits);
	free(plan->error);
	memset(plan, 0, sizeof(*plan));
}

static void summary_add(struct sieve_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void summary_add(struct sieve_plan *plan, const char *fmt, ...)
{
	size_t o = strlen(plan->summary);
	if (o + 2 >= sizeof(plan->summary))
		return;
	if (o)
		plan->summary[o++] = ',';
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(plan->summary + o, sizeof(plan->summary) - o, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(plan->summary) - o)
		plan->summary[o - (o > 0)] = 0;	/* drop what did not fit */
	for (char *p = plan->summary; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127)
			*p = '?';
}

/* ed: the header edits the copy gets (RFC 5293 section 7: as they were
 * when the action ran), or NULL for none. */
static int target_add(struct sieve_plan *plan, const char *folder, const char *flags,
		      const struct sieve_edits *ed)
{
	for (size_t i = 0; i < plan->ntargets; i++)
		if (!strcmp(plan->targets[i].folder, folder)) {
			/* one copy per folder; flags of both (RFC 5232
			 * leaves it to the implementation), the header of
			 * the first store */
			sieve_flags_merge(plan->targets[i].flags, flags);
			return 0;
		}
	struct sieve_target *nt = realloc(plan->targets, (plan->ntargets + 1) * sizeof(*nt));
	if (!nt)
		return -1;
	plan->targets = nt;
	struct sieve_target *t = &nt[plan->ntargets];
	memset(t, 0, sizeof(*t));
	if (!(t->folder = strdup(folder)))
		return -1;
	snprintf(t->flags, sizeof(t->flags), "%s", flags);
	plan->ntargets++;
	return sieve_edits_copy(&t->edits, ed);
}

static int redirect_add(struct sieve_plan *plan, const struct conf *c, const char *addr,
			const struct sieve_edits *ed)
{
	for (size_t i = 0; i < plan->nredirects; i++)
		if (!strcasecmp(plan->redirects[i], addr))
			return 0;	/* RFC 5228 section 2.10.3: once */
	if ((long)plan->nredirects >= c->sieve_max_redirects) {
		log_warn("sieve: redirect to %s dropped: more than %ld redirects in all scripts",
			 addr, c->sieve_max_redirects);
		return 0;
	}
	char **nr = realloc(plan->redirects, (plan->nredirects + 1) * sizeof(*nr));
	if (!nr)
		return -1;
	plan->redirects = nr;
	/* redirect_edits exists (parallel to redirects) only once some
	 * redirect has edits: none, no allocation */
	size_t n = plan->nredirects;
	if (plan->redirect_edits || sieve_edits_any(ed)) {
		struct sieve_edits *ne = realloc(plan->redirect_edits, (n + 1) * sizeof(*ne));
		if (!ne)
			return -1;
		memset(plan->redirect_edits ? &ne[n] : ne, 0, (plan->redirect_edits ? 1 : n + 1) * sizeof(*ne));
		plan->redirect_edits = ne;
	}
	if (!(nr[n] = strdup(addr)))
		return -1;
	plan->nredirects++;
	return plan->redirect_edits ? sieve_edits_copy(&plan->redirect_edits[n], ed) : 0;
}

static struct sieve_vacation *vacation_dup(const struct sieve_vacation *v)
{
	struct sieve_vacation *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	*d = *v;
	d->to = strdup(v->to);
	d->from = v->from ? strdup(v->from) : NULL;
	d->subject = v->subject ? strdup(v->subject) : NULL;
	d->text = strdup(v->text);
	d->handle = v->handle ? strdup(v->handle) : NULL;
	if (!d->to || !d->text || (v->from && !d->from) || (v->subject && !d->subject) ||
	    (v->handle && !d->handle)) {
		sieve_vacation_free(d);
		return NULL;
	}
	return d;
}

void sieve_merge_init(struct sieve_merge *mg)
{
	mg->implicit_keep = true;
	mg->final = false;
	mg->any = false;
}

void sieve_flags_merge(char out[8], const char *letters)
{
	for (const char *f = letters; *f; f++) {
		size_t n = strlen(out);
		if (!strchr(out, *f) && n < 7) {
			out[n] = *f;
			out[n + 1] = 0;
		}
	}
	/* Maildir wants the letters in ASCII order (cr.yp.to/proto/maildir.html) */
	size_t n = strlen(out);
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
			char t = out[b];
			out[b] = out[b - 1];
			out[b - 1] = t;
		}
}

static const char *kind_name(enum sieve_kind k)
{
	return k == SIEVE_BEFORE ? "before" : k == SIEVE_AFTER ? "after" : "personal";
}

int sieve_merge_add(struct sieve_merge *mg, const struct conf *c, enum sieve_kind kind,
		    const struct sieve_result *res, struct sieve_plan *plan)
{
	if (mg->final || !res->ran)
		return 0;
	mg->any = true;
	if (res->failed) {
		char line[32] = "";
		if (res->line > 0)
			snprintf(line, sizeof(line), ":%d", res->line);
		log_error("sieve: %s script %s%s: %s", kind_name(kind),
			  *res->path ? res->path : "(inline)", line, res->error);
		if (!plan->error) {
			if (asprintf(&plan->error, "%s%s: %s", *res->path ? res->path : "(inline)",
				     line, res->error) < 0)
				plan->error = NULL;
		}
		/* its actions never happened; for the user's own script
		 * (or the default one in its place) the message goes to
		 * INBOX so nothing is lost */
		if (kind == SIEVE_PERSONAL) {
			/* RFC 5293 section 7: without this script's edits */
			if (target_add(plan, "INBOX", "", &plan->edits) < 0)
				return -1;
			summary_add(plan, "error-keep");
			mg->implicit_keep = false;
		}
		return 0;
	}
	if (res->nwarnings) {
		log_warn("sieve: %s script %s: %s%s", kind_name(kind), *res->path ? res->path : "(inline)",
			 res->warning, res->nwarnings > 1 ? " (and more)" : "");
		if (!plan->nwarnings)
			snprintf(plan->warning, sizeof(plan->warning), "%s", res->warning);
		plan->nwarnings += res->nwarnings;
	}
	/* RFC 5293: the script's edits started from the plan's, so its
	 * edits are the new state (scripts apply in order) */
	if (res->edited) {
		sieve_edits_clear(&plan->edits);
		if (sieve_edits_copy(&plan->edits, &res->edits) < 0)
			return -1;
		summary_add(plan, "editheader");
	}
	/* RFC 5232 section 3: an implicit keep carries the flags the
	 * script left set (the last script that ran decides) */
	snprintf(mg->keep_flags, sizeof(mg->keep_flags), "%s", res->keep_flags);
	for (size_t i = 0; i < res->nacts; i++) {
		const struct sieve_act *a = &res->acts[i];
		switch (a->type) {
		case SIEVE_ACT_KEEP:
			if (target_add(plan, "INBOX", a->flags, a->edits) < 0)
				return -1;
			summary_add(plan, "keep");
			mg->implicit_keep = false;
			break;
		case SIEVE_ACT_FILEINTO:
			if (target_add(plan, a->arg, a->flags, a->edits) < 0)
				return -1;
			summary_add(plan, "fileinto=%.60s", a->arg);
			if (!a->copy)	/* RFC 3894 section 3 */
				mg->implicit_keep = false;
			break;
		case SIEVE_ACT_REDIRECT:
			if (redirect_add(plan, c, a->arg, a->edits) < 0)
				return -1;
			summary_add(plan, "redirect");
			if (!a->copy)
				mg->implicit_keep = false;
			break;
		case SIEVE_ACT_DISCARD:
			summary_add(plan, "discard");
			mg->implicit_keep = false;
			if (kind == SIEVE_BEFORE)
				mg->final = true;
			break;
		case SIEVE_ACT_REJECT:
			mg->implicit_keep = false;
			if (c->sieve_reject_to_folder) {
				/* configured to file instead of rejecting */
				if (target_add(plan, c->junk_folder, "", &res->edits) < 0)
					return -1;
				summary_add(plan, "reject-to-folder");
			} else if (!plan->reject) {
				plan->reject = true;
				if (!(plan->reject_reason = strdup(a->arg)))
					return -1;
				summary_add(plan, "reject");
			}
			if (kind == SIEVE_BEFORE)
				mg->final = true;
			break;
		case SIEVE_ACT_NOTIFY:
			/* rate-limited after delivery; at most
			 * sieve_max_redirects per message */
			if (plan->nnotifies < (size_t)c->sieve_max_redirects) {
				struct sieve_vacation **nn = realloc(plan->notifies,
								     (plan->nnotifies + 1) * sizeof(*nn));
				if (!nn)
					return -1;
				plan->notifies = nn;
				if (!(nn[plan->nnotifies] = vacation_dup(a->vac)))
					return -1;
				plan->nnotifies++;
				summary_add(plan, "notify");
			}
			break;
		case SIEVE_ACT_DUPLICATE: {
			struct sieve_dupmark *nd = realloc(plan->dups, (plan->ndups + 1) * sizeof(*nd));
			if (!nd)
				return -1;
			plan->dups = nd;
			if (!(nd[plan->ndups].key = strdup(a->arg)))
				return -1;
			nd[plan->ndups++].period = a->num;
			break;
		}
		case SIEVE_ACT_VACATION:
			/* RFC 5230 section 4.7: one response per message */
			if (!plan->vacation) {
				if (!(plan->vacation = vacation_dup(a->vac)))
					return -1;
				summary_add(plan, "vacation");
			}
			break;
		}
	}
	if (res->stopped && kind == SIEVE_BEFORE)
		mg->final = true;
	return 0;
}

int sieve_merge_finish(struct sieve_merge *mg, const struct conf *c, const char *fallback,
		       struct sieve_plan *plan)
{
	(void)c;
	if (!mg->any) {
		/* no script at all: the verdict's folder (INBOX or Junk) */
		if (target_add(plan, fallback && *fallback ? fallback : "INBOX", "", NULL) < 0)
			return -1;
		summary_add(plan, "no-script");
		return 0;
	}
	if (plan->reject && plan->ntargets > 0) {
		/* RFC 5429 section 2.2: reject cannot be combined with a
		 * store; an earlier script stored it, so storing wins */
		log_warn("sieve: reject ignored: an earlier script already filed the message");
		plan->reject = false;
		free(plan->reject_reason);
		plan->reject_reason = NULL;
	}
	if (mg->implicit_keep && !plan->reject) {
		/* RFC 5228 section 2.10.2: nothing cancelled the implicit
		 * keep in any script */
		/* the implicit keep: the header after the last script */
		if (target_add(plan, "INBOX", mg->keep_flags, &plan->edits) < 0)
			return -1;
		summary_add(plan, "implicit-keep");
	}
	if (plan->reject) {
		/* a rejected message is not redirected or answered */
		for (size_t i = 0; i < plan->nredirects; i++) {
			free(plan->redirects[i]);
			if (plan->redirect_edits)
				sieve_edits_clear(&plan->redirect_edits[i]);
		}
		plan->nredirects = 0;
		sieve_vacation_free(plan->vacation);
		plan->vacation = NULL;
		for (size_t i = 0; i < plan->nnotifies; i++)
			sieve_vacation_free(plan->notifies[i]);
		plan->nnotifies = 0;
	}
	plan->discard = plan->ntargets == 0 && !plan->reject;
	return 0;
}

/* An evaluation: the steps (scripts in order) and, while the first one
 * runs at a pool worker, its job. */
struct sieve_eval {
	struct sieve_env env;
	struct { enum sieve_kind kind; const char *paths[2]; size_t n; } steps[64];
	size_t nsteps;
	struct sieve_job job;		/* the first step's */
	const char *error;		/* sieve_job_start() failed */
	char user_path[4096];
};

struct sieve_eval *sieve_evaluate_start(const struct conf *c, const struct mailbox *mb,
					struct msg *m, const struct sieve_facts *facts,
					const char *envelope_from, const char *envelope_to)
{
	struct sieve_eval *ev = calloc(1, sizeof(*ev));
	if (!ev)
		return NULL;
	ev->env = (struct sieve_env){
		.c = c, .mb = mb, .m = m, .facts = facts,
		.envelope_from = envelope_from ? envelope_from : "",
		.envelope_to = envelope_to ? envelope_to : (mb ? mb->address : ""),
	};
	size_t nsteps = 0;
	for (size_t i = 0; i < c->sieve_before.n && nsteps < 30; i++)
		ev->steps[nsteps++] = (typeof(ev->steps[0])){ SIEVE_BEFORE, { c->sieve_before.v[i], NULL }, 1 };
	{
		size_t n = 0;
		typeof(ev->steps[0]) st = { SIEVE_PERSONAL, { NULL, NULL }, 0 };
		if (mb && c->sieve_user && *c->sieve_user) {
			if (sieve_user_path(c->sieve_user, mb, ev->user_path, sizeof(ev->user_path)) == 0)
				st.paths[n++] = ev->user_path;
			else
				log_warn("sieve: sieve_user pattern %s gives no usable path for %s",
					 c->sieve_user, mb->address ? mb->address : "?");
		}
		if (c->sieve_default && *c->sieve_default)
			st.paths[n++] = c->sieve_default;
		st.n = n;
		if (n)
			ev->steps[nsteps++] = st;
	}
	for (size_t i = 0; i < c->sieve_after.n && nsteps < 60; i++)
		ev->steps[nsteps++] = (typeof(ev->steps[0])){ SIEVE_AFTER, { c->sieve_after.v[i], NULL }, 1 };
	ev->nsteps = nsteps;
	ev->job.fd = -1;	/* nothing to cancel yet */
	/* the first script sees no earlier edits: its request can go now */
	if (nsteps)
		sieve_job_start(&ev->env, ev->steps[0].paths, ev->steps[0].n, &ev->job, &ev->error);
	return ev;
}

bool sieve_evaluate_running(const struct sieve_eval *ev)
{
	return ev && sieve_job_running(&ev->job);
}

static void eval_free(struct sieve_eval *ev)
{
	sieve_job_cancel(&ev->job);
	free(ev);
}

int sieve_evaluate_finish(struct sieve_eval *ev, struct sieve_plan *plan, const char **error_r)
{
	sieve_plan_init(plan);
	if (!ev) {
		*error_r = "sieve: out of memory";
		return -1;
	}
	if (ev->error) {
		*error_r = ev->error;
		eval_free(ev);
		return -1;
	}
	const struct conf *c = ev->env.c;
	const struct sieve_facts *facts = ev->env.facts;
	struct sieve_merge mg;
	sieve_merge_init(&mg);
	for (size_t i = 0; i < ev->nsteps && !mg.final; i++) {
		struct sieve_result res = { 0 };
		ev->env.edits = &plan->edits;	/* editheader: what earlier scripts did */
		const char *const *paths = ev->steps[i].paths;
		int rc;
		if (i == 0)	/* started at sieve_evaluate_start() */
			rc = sieve_job_finish(&ev->job, &res, error_r);
		else
			rc = sieve_run_worker(&ev->env, paths, ev->steps[i].n, &res, error_r);
		if (rc < 0) {
			sieve_plan_clear(plan);
			eval_free(ev);
			return -1;
		}
		if (!res.ran && ev->steps[i].kind != SIEVE_PERSONAL)
			log_warn("sieve: %s script %s not found", kind_name(ev->steps[i].kind),
				 paths[0]);
		rc = sieve_merge_add(&mg, c, ev->steps[i].kind, &res, plan);
		sieve_result_clear(&res);
		if (rc < 0) {
			sieve_plan_clear(plan);
			eval_free(ev);
			*error_r = "sieve: out of memory";
			return -1;
		}
	}
	eval_free(ev);
	if (sieve_merge_finish(&mg, c, facts && facts->folder ? facts->folder : "INBOX", plan) < 0) {
		sieve_plan_clear(plan);
		*error_r = "sieve: out of memory";
		return -1;
	}
	return 0;
}

int sieve_evaluate(const struct conf *c, const struct mailbox *mb, struct msg *m,
		   const struct sieve_facts *facts, const char *envelope_from, const char *envelope_to,
		   struct sieve_plan *plan, const char **error_r)
{
	return sieve_evaluate_finish(sieve_evaluate_start(c, mb, m, facts, envelope_from,
							  envelope_to), plan, error_r);
}

