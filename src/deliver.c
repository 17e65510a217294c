/* deliver.c - the per-message pipeline: verdict once, then per recipient
 * plan and Maildir write; one log line per recipient.
 *
 * Contract: a recipient's outcome is ST_DELIVERED only when maildir_commit()
 * returned 0 for every copy that recipient gets.  Any failure is a value in
 * that recipient's outcome; one recipient's full disk never fails another
 * (except in all-or-nothing pipe mode, where the MTA retries them all).
 */
#include "deliver.h"
#include "dns_shared.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "log.h"
#include "maildir.h"
#include "metrics.h"
#include "msg.h"
#include "recorder.h"
#include "report_rec.h"
#include "report_store.h"
#include "sieve.h"
#include "verdict.h"

/* The real uid never changes in this process (only the effective and
 * saved ids are switched, below): ask once, not around every delivery. */
static bool was_root(void)
{
	static int root = -1;

	if (root < 0)
		root = getuid() == 0;
	return root;
}

/* Whether deliver_become() switched (an owner that is not root). */
static bool switched;

/* Credentials of this thread only, by raw system calls.  The kernel keeps
 * credentials per thread; glibc's seteuid()/setgroups() make them
 * process-wide by signalling every other thread and waiting for each, and
 * the session process has libunbound's resolver thread: that cost 12
 * cross-thread signals per delivered message, measurable on a VM.  The
 * resolver thread only talks DNS and never touches a mailbox, so it may
 * keep root's credentials while this thread writes as the user (Samba
 * switches per-thread credentials the same way). */
static int thread_setgroups(size_t n, const gid_t *g)
{
	return (int)syscall(SYS_setgroups, n, g);
}

static int thread_setegid(gid_t g)
{
	return (int)syscall(SYS_setresgid, (gid_t)-1, g, (gid_t)-1);
}

static int thread_seteuid(uid_t u)
{
	return (int)syscall(SYS_setresuid, (uid_t)-1, u, (uid_t)-1);
}

int deliver_become(const struct mailbox *mb)
{
	if (!was_root())
		return 0;	/* not root: deliver as ourselves */
	if (mb->uid == 0 && mb->gid == 0)
		return 0;	/* root's own Maildir (a virtual map without owner):
				 * root already, the groups do not matter to it */
	switched = true;
	if (thread_setgroups(1, &mb->gid) < 0 || thread_setegid(mb->gid) < 0 ||
	    thread_seteuid(mb->uid) < 0) {
		int e = errno;
		deliver_unbecome();
		errno = e;
		return -1;
	}
	return 0;
}

void deliver_unbecome(void)
{
	if (!was_root() || !switched)
		return;
	switched = false;
	if (thread_seteuid(0) < 0 || thread_setegid(0) < 0 || thread_setgroups(0, NULL) < 0)
		log_panic("cannot switch back to root: %s", strerror(errno));
}

/* The bytes to write: our trace headers, the verdict's headers, then the
 * received header fields (minus dropped ones; renamed ones get a prefix),
 * then the body.  Never re-serialized: every original byte is a slice.
 *
 * A recipient's Sieve edits (editheader, RFC 5293; ed may be NULL) go in
 * as pieces too: fields added at the top right below our stamped trace
 * and verdict fields (decision: RFC 5293 section 4 says "at the top", but
 * Return-Path, Delivered-To and our Authentication-Results/Received-SPF
 * are the trace of this delivery and stay first, as a later hop's
 * Received would), fields added with :last at the end of the header
 * section, deleted fields skipped like dropped ones.  Other recipients'
 * copies are built from their own plans; without edits nothing changes
 * (no allocation, the same pieces). */
struct out {
	struct iovec *iov;
	size_t n;
	char *trace;		/* Return-Path + Delivered-To for one recipient */
};

static int out_build(struct out *o, const struct msg *m, const char *trace,
		     const char *prepend, const unsigned char *marks, const struct sieve_edits *ed)
{
	static const char rename_prefix[] = "X-Original-";
	size_t ntop = ed ? ed->ntop : 0, nbottom = ed ? ed->nbottom : 0, nd = ed ? ed->ndeleted : 0;
	o->iov = calloc(2 * m->nhdrs + 6 + ntop + nbottom, sizeof(*o->iov));
	if (!o->iov)
		return -1;
	o->n = 0;
	o->iov[o->n++] = (struct iovec){ (void *)trace, strlen(trace) };
	if (prepend && *prepend)
		o->iov[o->n++] = (struct iovec){ (void *)prepend, strlen(prepend) };
	for (size_t k = 0; k < ntop; k++)
		o->iov[o->n++] = (struct iovec){ ed->top[k], strlen(ed->top[k]) };
	size_t run = 0;		/* start of the current run of kept bytes */
	size_t dk = 0;		/* next deleted index (ascending) */
	bool last_left_out = false;	/* the last received field is not written */
	for (size_t i = 0; i < m->nhdrs; i++) {
		unsigned char mk = marks ? marks[i] : 0;
		while (dk < nd && ed->deleted[dk] < i)
			dk++;
		if (dk < nd && ed->deleted[dk] == i)
			mk = 1;	/* deleted by Sieve: skipped like VERDICT_DROP */
		last_left_out = mk == 1;
		if (!mk)
			continue;
		const struct msg_hdr *h = &m->hdrs[i];
		if (h->off > run)
			o->iov[o->n++] = (struct iovec){ m->data + run, h->off - run };
		if (mk == 2)	/* VERDICT_RENAME */
			o->iov[o->n++] = (struct iovec){ (void *)rename_prefix, sizeof(rename_prefix) - 1 };
		run = mk == 2 ? h->off : h->off + h->len;
	}
	if (nbottom) {
		/* :last: after the last received field, before the blank line */
		const struct msg_hdr *lh = m->nhdrs ? &m->hdrs[m->nhdrs - 1] : NULL;
		size_t hend = lh ? lh->off + lh->len : 0;
		if (hend > run) {
			o->iov[o->n++] = (struct iovec){ m->data + run, hend - run };
			run = hend;
		}
		/* only the last field can lack its CRLF (a message ending in
		 * the header); when it is written, end its line first */
		if (hend >= 2 && !last_left_out && memcmp(m->data + hend - 2, "\r\n", 2))
			o->iov[o->n++] = (struct iovec){ (void *)"\r\n", 2 };
		for (size_t k = 0; k < nbottom; k++)
			o->iov[o->n++] = (struct iovec){ ed->bottom[k], strlen(ed->bottom[k]) };
	}
	if (m->len > run)
		o->iov[o->n++] = (struct iovec){ m->data + run, m->len - run };
	return 0;
}

static double elapsed(const struct deliver_env *env)
{
	return (double)(mono_ms() - env->start_ms) / 1e3;
}

static void set_outcome(struct deliver_rcpt *r, enum status_kind st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_outcome(struct deliver_rcpt *r, enum status_kind st, const char *fmt, ...)
{
	va_list ap;
	r->st = st;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

static void log_one(const struct deliver_env *env, const struct deliver_rcpt *r,
		    const char *queue_id, const char *msgid, size_t size, const char *auth)
{
	log_rcpt(&(struct log_rcpt){
		.queue_id = queue_id && *queue_id ? queue_id : env->session,
		.to = r->address, .from = env->mail_from, .msgid = msgid, .size = size,
		.delay = elapsed(env), .folder = r->folder, .auth = auth,
		.st = r->st, .text = r->text });
}

/* The DMARC aggregate-report record of this message, once per message
 * (not per recipient), kept in ctx until deliver_ctx_flush().  Counted
 * only when no recipient of this transaction is left to a retry (which
 * would count the message again); envelope_to is the first recipient's
 * domain. */
static void report_note(struct deliver_ctx *ctx, const struct conf *c,
			const struct verdict *vd, const struct client *cl,
			const struct deliver_env *env)
{
	if (!c->dmarc_report_store || !*c->dmarc_report_store || !env->nrcpt)
		return;
	for (size_t i = 0; i < env->nrcpt; i++)
		if (status_of(env->rcpt[i].st)->code / 100 == 4)
			return;
	struct report_rec *r = malloc(sizeof *r);
	const char *why = NULL;
	if (r && report_rec_build(r, c, verdict_dmarc(vd), verdict_spf(vd), verdict_dkim(vd),
				  cl->ip, env->mail_from, env->rcpt[0].address, time(NULL),
				  &why) == 0) {
		deliver_ctx_flush(ctx);		/* a record not yet flushed goes first */
		ctx->report = r;
		return;
	}
	if (r && why && c->log_debug)
		log_debug("dmarc report: not recorded: %s", why);
	free(r);
}

/* A recipient's plan (Sieve) and its staged copies, one per target. */
struct rcpt_plan {
	struct sieve_plan plan;
	struct maildir_tx *tx;
	size_t ntx;
	bool commit_done;	/* commit_rcpt() ran, whatever its outcome */
	bool committed;		/* every copy is in new/ or cur/ */
};

/* Commit every staged copy of one recipient, running as its owner (the
 * caller switched).  On a failure this recipient gets a 4xx: its earlier
 * copies are taken back (fileinto + keep), the rest dropped.  Sets the
 * outcome; -1 when it is a failure. */
static int commit_rcpt(struct deliver_rcpt *r, struct rcpt_plan *p)
{
	const char *err = NULL;
	int e = 0, rc = 0;
	size_t t;

	p->commit_done = true;
	for (t = 0; t < p->ntx && rc == 0; t++)
		rc = maildir_commit(&p->tx[t], &err, &e);
	if (rc < 0) {
		for (size_t u = 0; u + 1 < t; u++)
			maildir_revoke(&p->tx[u]);
		for (; t < p->ntx; t++)
			maildir_abort(&p->tx[t]);
		set_outcome(r, status_from_errno(e), "%s: %s", err ? err : "commit failed",
			    e ? strerror(e) : "");
		return -1;
	}
	p->committed = true;
	set_outcome(r, ST_DELIVERED, "delivered to %s", r->folder);
	return 0;
}

/* Remove an early copy no target took, as its owner like every tmp/ file.
 * The switch worked when the copy was written; when it fails now (the
 * same failure that made this recipient a 4xx, say), the copy is removed
 * with root's rights instead (deliver_become() switched back), through
 * the tmp/ descriptor that stage opened (maildir_abort: unlinkat, no path
 * walked again), so that it is not left for the 36-hour sweep. */
static void early_copy_remove(const struct mailbox *mb, struct maildir_tx *pre, bool rewritten)
{
	bool as_owner = deliver_become(mb) == 0;
	if (!as_owner)
		log_warn("maildir: cannot switch to uid %ld to remove the unused early copy %s (%s); "
			 "removing it as root", (long)mb->uid, pre->tmp_path, strerror(errno));
	maildir_abort(pre);
	if (as_owner)
		deliver_unbecome();
	metrics_early_copy(rewritten ? METRICS_EARLY_REWRITTEN : METRICS_EARLY_REMOVED);
}

void deliver_message(struct deliver_ctx *ctx, struct msg *m,
		     struct deliver_env *env, bool all_or_nothing)
{
	const struct conf *c = conf;
	char *msgid = msg_message_id(m);
	const char *queue_id = env->xf && *env->xf->ident ? env->xf->ident : "";
	const char *prepend = "";
	const unsigned char *marks = NULL;
	const char *auth_log = "";

	/* Verify once per message (verdict.h), before any recipient: the
	 * verdict decides the headers, the dropped/renamed fields, the
	 * folder before Sieve and the local DMARC action. */
	if (ctx->dns && dns_client_lost(ctx->dns)) {
		log_warn("dns: the shared resolver went away; this session resolves on its own");
		dns_free(ctx->dns);
		ctx->dns = NULL;
		ctx->resolver_lost = true;
	}
	if (!ctx->dns && c->verify) {
		const char *err = NULL;
		if (ctx->resolver_fd > 0 && !ctx->resolver_lost) {
			ctx->dns = dns_client_new(c, ctx->resolver_fd, ctx->dns_zone, &err);
			if (ctx->dns)
				ctx->resolver_fd = -1;	/* ctx->dns owns it */
		} else
			ctx->dns = dns_new(c, ctx->dns_zone, &err);
		if (!ctx->dns)
			log_warn("dns: %s; messages are stamped unverified", err ? err : "?");
	}
	struct client cl;
	client_find(&cl, c, m, env->xf, env->mail_from);
	if (!*queue_id && *cl.queue_id)
		queue_id = cl.queue_id;	/* our MTA's queue id from its Received */
	/* tmp/ and new/ of the folders this message goes to, opened once
	 * for stage and commit (maildir.h) */
	struct maildir_dirs dirs;
	maildir_dirs_init(&dirs);
	struct verdict *vd = verdict_new();
	if (!vd) {
		for (size_t i = 0; i < env->nrcpt; i++)
			set_outcome(&env->rcpt[i], ST_INTERNAL, "out of memory");
		goto log;
	}
	long long v0 = mono_ms();
	verdict_run(vd, c, ctx->dns, m, &cl, 0);
	if (c->verify) {
		metrics_verdict_seconds((double)(mono_ms() - v0) / 1e3);
		static const char *const methods[] = { "spf", "dkim", "arc", "dmarc" };
		for (size_t i = 0; i < 4; i++)
			metrics_auth(methods[i], verdict_value(vd, methods[i]));
	}
	prepend = verdict_prepend(vd);
	marks = verdict_marks(vd);
	auth_log = verdict_log(vd);
	enum verdict_action act = verdict_action(vd);
	if (act != VERDICT_DELIVER) {
		const struct dmarc_result *dr = verdict_dmarc(vd);
		for (size_t i = 0; i < env->nrcpt; i++) {
			struct deliver_rcpt *r = &env->rcpt[i];
			if (r->st != ST_DELIVERED)
				continue;
			if (act == VERDICT_REJECT)
				set_outcome(r, ST_POLICY_REJECT,
					    "rejected per DMARC policy for %.200s", dr->from_domain);
			else if (act == VERDICT_DISCARD)
				set_outcome(r, ST_DISCARDED,
					    "discarded per DMARC policy for %.200s", dr->from_domain);
			else
				set_outcome(r, ST_VERDICT_TEMPFAIL,
					    "verification deadline passed, try again later");
		}
	}

	/* What Sieve may test of the verdict (virtual X-AuthDeliver-*
	 * fields, never read from the message) and the folder when no
	 * script runs. */
	struct sieve_facts facts;
	sieve_facts_from_verdict(vd, &facts);
	/* Per recipient: the Sieve plan and one staged copy per target. */
	struct rcpt_plan *rp = calloc(env->nrcpt ? env->nrcpt : 1, sizeof(*rp));
	if (!rp) {
		for (size_t i = 0; i < env->nrcpt; i++)
			set_outcome(&env->rcpt[i], ST_INTERNAL, "out of memory");
		goto log;
	}

	/* Plan (Sieve) and stage every recipient's copies in tmp/ first. */
	bool any_fail = false;
	for (size_t i = 0; i < env->nrcpt; i++) {
		struct deliver_rcpt *r = &env->rcpt[i];
		struct rcpt_plan *p = &rp[i];
		if (r->st != ST_DELIVERED)
			continue;	/* already failed at RCPT time */
		/* The envelope lines and the pieces of the copy: the same
		 * whatever Sieve decides (editheader aside, below). */
		size_t tl = strlen(env->mail_from) + strlen(r->address) + 64;
		char *trace = malloc(tl);
		struct out o = { 0 };
		if (!trace) {
			set_outcome(r, ST_INTERNAL, "out of memory");
			any_fail = true;
			continue;
		}
		if (maildir_envelope(trace, tl, env->mail_from, r->address, c->delivered_to) < 0) {
			/* a control character in the envelope: never write it */
			free(trace);
			set_outcome(r, ST_BAD_MESSAGE, "control character in the envelope address");
			any_fail = true;
			continue;
		}
		if (out_build(&o, m, trace, prepend, marks, NULL) < 0) {
			free(trace);
			set_outcome(r, ST_INTERNAL, "out of memory");
			any_fail = true;
			continue;
		}
		struct maildir_src src = { o.iov, o.n };
		/* While a pool worker runs the script, the copy is written and
		 * fsync'd into INBOX's tmp/ (pre); the plan's first target
		 * without edits then takes it by a rename (maildir_retarget),
		 * and a plan without one removes it.  A failure here only
		 * costs the overlap: the target is staged as usual. */
		struct sieve_eval *ev = sieve_evaluate_start(c, &r->mb, m, &facts, env->mail_from,
							     r->address);
		struct maildir_tx pre;
		bool have_pre = false;
		if (sieve_evaluate_running(ev) && deliver_become(&r->mb) == 0) {
			const char *perr;
			int pe;
			have_pre = maildir_stage(&pre, &dirs, &r->mb, "INBOX", NULL, &src, &perr, &pe) == 0;
			deliver_unbecome();
		}
		const char *serr = NULL;
		if (sieve_evaluate_finish(ev, &p->plan, &serr) < 0) {
			set_outcome(r, ST_INTERNAL, "%s", serr);
			any_fail = true;
			goto next;
		}
		if (p->plan.reject) {
			/* RFC 5429: 550 5.7.1 with the script's reason, one
			 * printable line */
			char why[200];
			size_t k = 0;
			for (const char *q = p->plan.reject_reason; q && *q && k < sizeof(why) - 1; q++)
				why[k++] = (unsigned char)*q < ' ' || (unsigned char)*q >= 127 ? ' ' : *q;
			why[k] = 0;
			set_outcome(r, ST_POLICY_REJECT, "%s", k ? why : "rejected by the recipient's Sieve script");
			snprintf(r->folder, sizeof(r->folder), "-");
			goto next;
		}
		if (p->plan.discard) {
			set_outcome(r, ST_DISCARDED, "discarded by Sieve");
			snprintf(r->folder, sizeof(r->folder), "-");
			goto next;
		}
		r->folder[0] = 0;
		for (size_t t = 0; t < p->plan.ntargets; t++) {
			size_t fl = strlen(r->folder);
			snprintf(r->folder + fl, sizeof(r->folder) - fl, "%s%s", t ? "," : "",
				 p->plan.targets[t].folder);
		}
		p->tx = calloc(p->plan.ntargets, sizeof(*p->tx));
		if (!p->tx) {
			set_outcome(r, ST_INTERNAL, "out of memory");
			any_fail = true;
			goto next;
		}
		const char *err = NULL;
		int e = 0;
		if (deliver_become(&r->mb) < 0) {
			e = errno;
			set_outcome(r, ST_IO_TEMPFAIL, "cannot switch to uid %ld: %s",
				    (long)r->mb.uid, strerror(e));
			any_fail = true;
		} else {
			for (size_t t = 0; t < p->plan.ntargets; t++) {
				const struct sieve_target *tg = &p->plan.targets[t];
				/* editheader: this copy's header as when it was
				 * stored (RFC 5293 section 7); pieces of its own */
				struct out eo = { 0 };
				struct maildir_src tsrc = src;
				if (sieve_edits_any(&tg->edits)) {
					if (out_build(&eo, m, trace, prepend, marks, &tg->edits) < 0) {
						set_outcome(r, ST_INTERNAL, "out of memory");
						any_fail = true;
						for (size_t u = 0; u < t; u++)
							maildir_abort(&p->tx[u]);
						break;
					}
					tsrc = (struct maildir_src){ eo.iov, eo.n };
				}
				int srt;
				if (have_pre && !sieve_edits_any(&tg->edits) &&
				    maildir_retarget(&pre, tg->folder, tg->flags, &err, &e) == 0) {
					p->tx[t] = pre;
					have_pre = false;
					metrics_early_copy(METRICS_EARLY_MOVED);
					srt = 0;
				} else
					srt = maildir_stage(&p->tx[t], &dirs, &r->mb, tg->folder,
							    tg->flags, &tsrc, &err, &e);
				free(eo.iov);
				if (srt < 0) {
					set_outcome(r, status_from_errno(e), "%s: %s",
						    err ? err : "maildir write failed", e ? strerror(e) : "");
					any_fail = true;
					for (size_t u = 0; u < t; u++)
						maildir_abort(&p->tx[u]);
					break;
				}
				p->ntx = t + 1;
			}
			if (r->st != ST_DELIVERED)
				p->ntx = 0;
			/* Each recipient on its own (LMTP): commit now, under
			 * the same switch of credentials and with the
			 * descriptors stage opened.  All-or-nothing waits
			 * until every recipient is staged (below). */
			if (!all_or_nothing && p->ntx)
				commit_rcpt(r, p);
			deliver_unbecome();
		}
next:
		/* the early copy no target took: every target was written
		 * again (editheader, EXDEV), or nothing is stored */
		if (have_pre)
			early_copy_remove(&r->mb, &pre, p->ntx > 0);
		free(o.iov);
		free(trace);
	}

	/* Commit: each recipient on its own, or all only when all staged.
	 * All-or-nothing (pipe mode, one exit code for every recipient): when
	 * a commit fails after others succeeded, the committed copies are
	 * taken back out (maildir_revoke) so that the MTA's retry does not
	 * deliver them twice; redirect and vacation wait until the end, so
	 * that a rolled-back delivery sent nothing either. */
	for (size_t i = 0; i < env->nrcpt; i++) {
		struct deliver_rcpt *r = &env->rcpt[i];
		struct rcpt_plan *p = &rp[i];
		if (r->st == ST_DELIVERED && !p->plan.ntargets) {
			/* Sieve kept no copy here (redirect only) */
			set_outcome(r, ST_DELIVERED, "redirected by Sieve, no local copy");
			snprintf(r->folder, sizeof(r->folder), "-");
			continue;
		}
		if (!p->ntx || p->commit_done)
			continue;
		if (all_or_nothing && any_fail) {
			for (size_t t = 0; t < p->ntx; t++)
				maildir_abort(&p->tx[t]);
			set_outcome(r, ST_IO_TEMPFAIL, "not delivered: another recipient failed, retry all");
			continue;
		}
		if (deliver_become(&r->mb) == 0) {
			if (commit_rcpt(r, p) < 0 && all_or_nothing)
				any_fail = true;
			deliver_unbecome();
		} else {
			int e = errno;
			for (size_t t = 0; t < p->ntx; t++)
				maildir_abort(&p->tx[t]);
			set_outcome(r, status_from_errno(e), "cannot switch uid: %s", strerror(e));
			if (all_or_nothing)
				any_fail = true;
		}
	}
	for (size_t i = 0; i < env->nrcpt; i++) {
		struct deliver_rcpt *r = &env->rcpt[i];
		struct rcpt_plan *p = &rp[i];
		if (r->st != ST_DELIVERED)
			continue;
		if (all_or_nothing && any_fail) {
			const char *why = "not delivered: another recipient failed, retry all";
			if (p->committed && deliver_become(&r->mb) == 0) {
				for (size_t t = 0; t < p->ntx; t++)
					if (maildir_revoke(&p->tx[t]) < 0)
						why = "another recipient failed; taking the copy back "
						      "failed, the retry may duplicate it";
				deliver_unbecome();
			} else if (p->committed)
				why = "another recipient failed; cannot switch uid to take the "
				      "copy back, the retry may duplicate it";
			set_outcome(r, ST_IO_TEMPFAIL, "%s", why);
			continue;
		}
		/* redirect and vacation only once the copy is safe */
		sieve_after_delivery(c, &r->mb, m, &facts, env->mail_from, r->address, &p->plan);
	}
	for (size_t i = 0; i < env->nrcpt; i++) {
		sieve_plan_clear(&rp[i].plan);
		free(rp[i].tx);
	}
	free(rp);
log:
	maildir_dirs_clear(&dirs);
	for (size_t i = 0; i < env->nrcpt; i++)
		log_one(env, &env->rcpt[i], queue_id, msgid, m->len, auth_log);
	metrics_delivery_seconds(elapsed(env));
	if (vd)
		report_note(ctx, c, vd, &cl, env);
	free(msgid);
	verdict_free(vd);
}

void deliver_ctx_flush(struct deliver_ctx *ctx)
{
	if (ctx->report && ctx->recorder && !recorder_lost(ctx->recorder))
		recorder_put(ctx->recorder, conf, ctx->report);
	else
		report_sink_put(&ctx->sink, conf, ctx->report);
	ctx->report = NULL;
}

void deliver_ctx_idle(struct deliver_ctx *ctx)
{
	deliver_ctx_flush(ctx);
	recorder_flush(ctx->recorder, conf);
	report_sink_flush(ctx->sink, conf);
}

void deliver_ctx_clear(struct deliver_ctx *ctx)
{
	deliver_ctx_flush(ctx);
	recorder_client_free(ctx->recorder, conf);
	ctx->recorder = NULL;
	report_sink_free(ctx->sink, conf);
	ctx->sink = NULL;
	dns_free(ctx->dns);
	ctx->dns = NULL;
	if (ctx->resolver_fd > 0)
		close(ctx->resolver_fd);
	ctx->resolver_fd = -1;
}
