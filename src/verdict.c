/* verdict.c - one verdict per message: SPF, DKIM, ARC, DMARC under one
 * deadline, then the Authentication-Results / Received-SPF to prepend.
 *
 * Takes the parsed message, the trusted client data (client_find() by the
 * caller) and DNS; returns the headers to prepend, a mark per incoming
 * header field (keep / drop / rename), the folder before Sieve, the action
 * after local DMARC policy, a compact log field and the values Sieve may
 * test.  Flow: marks (forged A-R, X-AuthDeliver-*) -> prefetch every
 * method's DNS names -> SPF -> DKIM -> ARC -> DMARC (on the SPF and DKIM
 * results, never re-running them) -> stamp.  Never modifies the message
 * bytes: delivery writes the prepend block and then the original bytes
 * minus the dropped fields.
 *
 * Sieve never reads verdict values from the message: libsieve's header
 * callback answers the virtual headers X-AuthDeliver-SPF, -DKIM, -ARC,
 * -DMARC, -DMARC-Policy and -Disposition from verdict_value(), and every
 * incoming header named X-AuthDeliver-* is dropped here, so a sender can
 * neither set nor shadow them.
 */
#include "verdict.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arc.h"
#include "auth.h"
#include "buf.h"
#include "authres.h"
#include "client.h"
#include "conf.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "msg.h"
#include "spf.h"

#define FOLD_AT 78

struct verdict {
	const struct conf *c;
	bool ran;			/* verifiers ran */
	bool skipped;			/* internal/authenticated client */
	bool timed_out;
	bool spf_ran, dkim_ran, arc_ran, dmarc_ran;
	bool dkim_nomem;		/* dkim_verify ran out of memory: temperror */
	struct spf_request req;
	char ip[64], helo[256], mail_from[512], receiver[256];
	struct spf_result spf, helo_res;
	struct dkim_result dkim;
	struct arc_result arc;
	struct dmarc_result dmarc;
	char spf_why[160];		/* why SPF did not run */
	enum verdict_action action;
	char *prepend;
	unsigned char *marks;
	size_t nmarks;
	char folder[256];
	char log[640];
	char dkim_value[16];
	long elapsed_ms;
};

/* ------------------------------------------------------------------ */
/* header text                                                        */

/* Append one resinfo (or any header text) starting at column *col,
 * folding (RFC 5322 2.2.3: CRLF before WSP) at spaces outside quoted
 * strings so that lines stay within FOLD_AT columns where a space
 * allows. */
static void b_fold(struct buf *b, const char *s, size_t *col)
{
	const char *p = s;
	while (*p) {
		/* next word: up to a space outside quotes */
		const char *w = p;
		bool q = false;
		while (*p && (q || *p != ' ')) {
			if (*p == '"')
				q = !q;
			else if (*p == '\\' && q && p[1])
				p++;
			p++;
		}
		size_t wl = (size_t)(p - w);
		if (w != s) {
			if (*col + 1 + wl > FOLD_AT) {
				buf_str(b, "\r\n\t");
				*col = 1;
			} else {
				buf_str(b, " ");
				(*col)++;
			}
		}
		buf_add(b, w, wl);
		*col += wl;
		while (*p == ' ')
			p++;
	}
}

/* ------------------------------------------------------------------ */

struct verdict *verdict_new(void)
{
	struct verdict *v = calloc(1, sizeof *v);
	if (v)
		snprintf(v->folder, sizeof v->folder, "INBOX");
	return v;
}

static void verdict_reset(struct verdict *v)
{
	if (v->dkim_ran)
		dkim_result_clear(&v->dkim);
	if (v->arc_ran)
		arc_result_clear(&v->arc);
	free(v->prepend);
	free(v->marks);
	memset(v, 0, sizeof *v);
	snprintf(v->folder, sizeof v->folder, "INBOX");
}

void verdict_free(struct verdict *v)
{
	if (!v)
		return;
	verdict_reset(v);
	free(v);
}

/* ------------------------------------------------------------------ */
/* marks                                                              */

static void norm_id(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '.')
		s[--n] = '\0';
}

/* Is this Authentication-Results value ours (RFC 8601 section 5: the
 * authserv-id, case-insensitive)?  Unparseable values whose text before
 * the first ";" still names our id as a word are treated as ours: a
 * naive reader would believe them. */
static bool ar_is_ours(const char *v, size_t len, const char *ours)
{
	char id[256], want[256];
	snprintf(want, sizeof want, "%s", ours);
	norm_id(want);
	if (!*want)
		return false;
	if (authres_servid(v, len, id, sizeof id) >= 0) {
		norm_id(id);
		return !strcasecmp(id, want);
	}
	const char *semi = memchr(v, ';', len);
	size_t pre = semi ? (size_t)(semi - v) : len, wl = strlen(want);
	for (size_t i = 0; i + wl <= pre; i++) {
		if (strncasecmp(v + i, want, wl))
			continue;
		char before = i ? v[i - 1] : ' ', after = i + wl < pre ? v[i + wl] : ' ';
		bool wb = !(before == '.' || before == '-' || (before >= '0' && before <= '9') ||
			    ((before | 32) >= 'a' && (before | 32) <= 'z'));
		bool wa = !(after == '-' || (after >= '0' && after <= '9') ||
			    ((after | 32) >= 'a' && (after | 32) <= 'z') ||
			    (after == '.' && i + wl + 1 < pre && v[i + wl + 1] != ' '));
		if (wb && wa)
			return true;
	}
	return false;
}

static void make_marks(struct verdict *v, const struct conf *c, const struct msg *m)
{
	v->nmarks = m->nhdrs;
	v->marks = calloc(m->nhdrs ? m->nhdrs : 1, 1);
	if (!v->marks)
		return;
	for (size_t i = 0; i < m->nhdrs; i++) {
		const char *name = msg_hdr_name(m, i);
		size_t nl = m->hdrs[i].name_len;
		if (nl >= 14 && !strncasecmp(name, "X-AuthDeliver-", 14) &&
		    !msg_hdr_is(m, i, "X-AuthDeliver-Loop")) {
			/* Sieve's verdict names: never from mail.  The Loop
			 * field is trace data of our own redirects and must
			 * survive so that a redirect cycle is detected. */
			v->marks[i] = VERDICT_DROP;
			continue;
		}
		if (!msg_hdr_is(m, i, "Authentication-Results"))
			continue;
		size_t len;
		const char *val = msg_hdr_raw_value(m, i, &len);
		if (ar_is_ours(val, len, c->authserv_id))
			v->marks[i] = c->ar_existing == CONF_AR_RENAME ?
				VERDICT_RENAME : VERDICT_DROP;
	}
}

/* ------------------------------------------------------------------ */
/* rendering: the headers to prepend and the log fields, from the      */
/* results verdict_run() collected (nothing here runs a verifier)      */

/* The Authentication-Results (RFC 8601) and Received-SPF (RFC 7208
 * section 9.1) to prepend, into v->prepend; NULL when out of memory. */
static void render_ar(struct verdict *v, const struct conf *c)
{
	/* ---- Authentication-Results (RFC 8601), then Received-SPF ---- */
	struct buf b;
	buf_init(&b, 0);
	char part[1024];
	size_t col;
	buf_str(&b, "Authentication-Results: ");
	col = 24;
	b_fold(&b, c->authserv_id, &col);
	if (!v->ran) {
		/* RFC 8601 2.2 no-result: "authserv-id; none" */
		buf_str(&b, "; none");
	} else {
#define PART() do { buf_str(&b, ";\r\n\t"); col = 1; b_fold(&b, part, &col); } while (0)
		if (spf_ar(&v->spf, part, sizeof part) >= 0)
			PART();
		if (v->dkim.n == 0) {
			snprintf(part, sizeof part, v->dkim_nomem ?
				 "dkim=temperror (out of memory)" : "dkim=none");
			PART();
		}
		for (size_t i = 0; i < v->dkim.n; i++)
			if (dkim_ar(&v->dkim.sigs[i], part, sizeof part) >= 0)
				PART();
		if (arc_ar(&v->arc, *v->ip ? v->ip : NULL, part, sizeof part) >= 0)
			PART();
		if (dmarc_ar(&v->dmarc, part, sizeof part) >= 0)
			PART();
#undef PART
	}
	buf_str(&b, "\r\n");
	if (v->spf_ran) {
		char *rs = spf_received_spf(&v->spf, &v->req, c);
		if (rs) {
			buf_str(&b, rs);
			free(rs);
		}
	}
	v->prepend = buf_steal(&b, NULL);
}

/* The compact fields of the delivery log line, into v->log. */
static void render_log(struct verdict *v, const struct conf *c)
{
	size_t n = 0;
#define LOG(...) do { if (n < sizeof v->log) n += (size_t)snprintf(v->log + n, sizeof v->log - n, __VA_ARGS__); } while (0)
	if (!v->ran) {
		LOG("verify=%s", c->verify ? "error" : "off");
	} else {
		if (v->skipped)
			LOG("verify=internal ");
		LOG("spf=%s dkim=", auth_code_name(v->spf.code));
		if (!v->dkim.n)
			LOG("%s", v->dkim_nomem ? "temperror" : "none");
		for (size_t i = 0; i < v->dkim.n && i < 8; i++)
			LOG("%s%s", i ? "," : "", auth_code_name(v->dkim.sigs[i].code));
		LOG(" arc=%s dmarc=%s", auth_code_name(v->arc.code), auth_code_name(v->dmarc.code));
		if (v->dmarc.policy)
			LOG(" policy=%s", dmarc_policy_name(v->dmarc.policy));
		LOG(" dis=%s", dmarc_dis_name(v->dmarc.disposition));
		if (v->dmarc.override[0])
			LOG(" override=%s", v->dmarc.override);
		if (v->timed_out)
			LOG(" verdict=timeout");
	}
	size_t dropped = 0;
	for (size_t i = 0; v->marks && i < v->nmarks; i++)
		dropped += v->marks[i] != VERDICT_KEEP;
	if (dropped)
		LOG(" stripped=%zu", dropped);
#undef LOG
}

/* ------------------------------------------------------------------ */
/* run                                                                */

static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at ? at + 1 : addr;
}

void verdict_run(struct verdict *v, const struct conf *c, struct dns *d,
		 struct msg *m, const struct client *cl, time_t now)
{
	long long t0 = mono_ms();
	verdict_reset(v);
	v->c = c;
	if (!now)
		now = time(NULL);
	make_marks(v, c, m);

	if (cl) {
		snprintf(v->ip, sizeof v->ip, "%s", cl->ip);
		snprintf(v->helo, sizeof v->helo, "%s", cl->helo);
		snprintf(v->mail_from, sizeof v->mail_from, "%s", cl->mail_from);
	}
	snprintf(v->receiver, sizeof v->receiver, "%s", c->hostname ? c->hostname : "");
	v->req.ip = v->ip;
	v->req.helo = v->helo;
	v->req.mail_from = v->mail_from;
	v->req.receiver = v->receiver;

	if (!c->verify || !d)
		goto stamp;
	/* skip_internal: mail from our own networks or authenticated users
	 * is not SPF/DMARC-checked (like OpenDKIM/OpenDMARC internal hosts);
	 * its signatures are still verified and reported. */
	if (c->skip_internal && cl && (cl->internal || cl->authenticated))
		v->skipped = true;
	v->ran = true;

	/* One deadline for the whole verdict: lookups still unanswered
	 * after it come back DNS_TEMPFAIL "deadline" and the methods turn
	 * them into temperror. */
	dns_set_deadline(d, c->verdict_timeout);

	struct dmarc *dm = dmarc_new(c, d);
	struct dmarc_authors authors;
	dmarc_authors_find(m, &authors);
	/* every method's first names, in parallel */
	dkim_prefetch(d, m, c);
	arc_prefetch(d, m, c);
	if (dm && !v->skipped)
		dmarc_prefetch(dm, &authors, *v->mail_from ? domain_of(v->mail_from) : NULL);

	/* SPF: only from trusted client data (client.h never guesses) */
	if (!v->skipped && cl && cl->source != CLIENT_NONE && *v->ip) {
		struct spf *s = spf_new(c, d);
		if (s) {
			spf_verify(s, &v->req, &v->spf, &v->helo_res);
			spf_free(s);
			v->spf_ran = true;
		}
	}
	if (!v->spf_ran) {
		v->spf.code = AUTH_NONE;
		/* skipped implies cl (skip_internal above); said again for the
		 * analyzer, which cannot see that the calls since keep v */
		snprintf(v->spf_why, sizeof v->spf_why, "%s",
			 v->skipped && cl ? (cl->authenticated ? "authenticated client" :
					     "internal client") :
			 cl && *cl->reason ? cl->reason : "no trusted client data");
		snprintf(v->spf.reason, sizeof v->spf.reason, "%.127s", v->spf_why);
		snprintf(v->spf.identity, sizeof v->spf.identity, "mailfrom");
		snprintf(v->spf.domain, sizeof v->spf.domain, "%.255s",
			 *v->mail_from ? domain_of(v->mail_from) : v->helo);
	}

	/* out of memory in DKIM is our failure, not the sender's: temperror
	 * (RFC 8601 section 2.7.1), never "none" */
	v->dkim_nomem = dkim_verify(c, d, m, now, &v->dkim) < 0;
	v->dkim_ran = true;
	arc_verify(c, d, m, now, &v->arc);
	v->arc_ran = true;

	/* DMARC consumes the results above (RFC 9989 4.4): the MAIL FROM
	 * domain when SPF passed for it (a HELO-only pass never aligns) and
	 * the d= of every passing signature. */
	const char **dk = calloc(v->dkim.n ? v->dkim.n : 1, sizeof *dk);
	size_t ndk = 0;
	for (size_t i = 0; dk && i < v->dkim.n; i++)
		if (v->dkim.sigs[i].code == AUTH_PASS)
			dk[ndk++] = v->dkim.sigs[i].d;
	struct dmarc_input in = {
		v->spf.code == AUTH_PASS && !strcmp(v->spf.identity, "mailfrom") &&
		*v->mail_from ? v->spf.domain : NULL,
		dk, ndk, &v->arc,
	};
	if (v->skipped) {
		v->dmarc.code = AUTH_NONE;
		snprintf(v->dmarc.reason, sizeof v->dmarc.reason, "%s, not checked", v->spf_why);
		if (authors.n)
			snprintf(v->dmarc.from_domain, sizeof v->dmarc.from_domain, "%s",
				 authors.domain[0]);
	} else if (dm) {
		dmarc_verify(dm, &authors, &in, &v->dmarc);
		v->dmarc_ran = true;
	} else {
		v->dmarc.code = AUTH_TEMPERROR;
		snprintf(v->dmarc.reason, sizeof v->dmarc.reason, "out of memory");
	}
	free(dk);
	dmarc_free(dm);

	v->elapsed_ms = (long)(mono_ms() - t0);
	/* the DNS layer knows whether its deadline cut a lookup; the clock
	 * alone would miss a cut that landed within a millisecond of it */
	if (dns_deadline_hit(d) || v->elapsed_ms >= c->verdict_timeout)
		v->timed_out = true;
	dns_set_deadline(d, 0);

stamp:
	if (v->timed_out && c->verdict_timeout_action == CONF_TIMEOUT_TEMPFAIL)
		v->action = VERDICT_TEMPFAIL;
	else if (v->dmarc.disposition == DMARC_DIS_REJECT)
		v->action = VERDICT_REJECT;
	else if (v->dmarc.disposition == DMARC_DIS_DISCARD)
		v->action = VERDICT_DISCARD;
	snprintf(v->folder, sizeof v->folder, "%s",
		 v->dmarc.disposition == DMARC_DIS_QUARANTINE && c->junk_folder &&
		 *c->junk_folder ? c->junk_folder : "INBOX");

	/* dkim value for Sieve and the log: pass if any signature passed */
	const char *dv = v->dkim_nomem ? "temperror" : "none";
	for (size_t i = 0; i < v->dkim.n; i++) {
		if (v->dkim.sigs[i].code == AUTH_PASS) {
			dv = "pass";
			break;
		}
		if (i == 0)
			dv = auth_code_name(v->dkim.sigs[i].code);
	}
	snprintf(v->dkim_value, sizeof v->dkim_value, "%s", dv);

	render_ar(v, c);
	render_log(v, c);
}

/* ------------------------------------------------------------------ */
/* accessors                                                          */

const char *verdict_prepend(const struct verdict *v)
{
	return v->prepend ? v->prepend : "";
}

const unsigned char *verdict_marks(const struct verdict *v)
{
	return v->marks;
}

enum verdict_action verdict_action(const struct verdict *v)
{
	return v->action;
}

const char *verdict_folder(const struct verdict *v)
{
	return v->folder;
}

const char *verdict_log(const struct verdict *v)
{
	return v->log;
}

const char *verdict_value(const struct verdict *v, const char *name)
{
	if (!v->ran)
		return "";
	if (!strcasecmp(name, "spf"))
		return auth_code_name(v->spf.code);
	if (!strcasecmp(name, "dkim"))
		return v->dkim_value;
	if (!strcasecmp(name, "arc"))
		return auth_code_name(v->arc.code);
	if (!strcasecmp(name, "dmarc"))
		return auth_code_name(v->dmarc.code);
	if (!strcasecmp(name, "dmarc-policy"))
		return v->dmarc.policy ? dmarc_policy_name(v->dmarc.policy) : "";
	if (!strcasecmp(name, "disposition"))
		return dmarc_dis_name(v->dmarc.disposition);
	if (!strcasecmp(name, "dmarc-override"))
		return v->dmarc.override;
	return "";
}

const struct dmarc_result *verdict_dmarc(const struct verdict *v)
{
	return &v->dmarc;
}

const struct spf_result *verdict_spf(const struct verdict *v)
{
	return v->ran ? &v->spf : NULL;
}

const struct dkim_result *verdict_dkim(const struct verdict *v)
{
	return v->ran ? &v->dkim : NULL;
}

/* ------------------------------------------------------------------ */
/* JSON                                                               */

static void j_str(struct buf *b, const char *s)
{
	buf_json_str(b, s ? s : "");
}

static void j_kv(struct buf *b, const char *k, const char *s, bool comma)
{
	if (comma)
		buf_str(b, ",");
	j_str(b, k);
	buf_str(b, ":");
	j_str(b, s);
}

static void j_num(struct buf *b, const char *k, long n)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ",\"%s\":%ld", k, n);
	buf_str(b, tmp);
}

static const char *action_name(enum verdict_action a)
{
	switch (a) {
	case VERDICT_REJECT: return "reject";
	case VERDICT_DISCARD: return "discard";
	case VERDICT_TEMPFAIL: return "tempfail";
	default: return "deliver";
	}
}

char *verdict_json(const struct verdict *v)
{
	struct buf b;
	buf_init(&b, 0);
	buf_str(&b, "{");
	j_kv(&b, "verified", v->skipped ? "internal" : v->ran ? "yes" : "off", false);
	/* spf */
	buf_str(&b, ",\"spf\":{");
	j_kv(&b, "result", auth_code_name(v->spf.code), false);
	j_kv(&b, "identity", v->spf.identity, true);
	j_kv(&b, "domain", v->spf.domain, true);
	j_kv(&b, "reason", v->spf.reason, true);
	j_kv(&b, "explanation", v->spf.explanation, true);
	j_kv(&b, "problem", v->spf.problem, true);
	j_num(&b, "dns_lookups", v->spf.dns_lookups);
	j_kv(&b, "dnssec", dns_validated_name(v->spf.dnssec), true);
	buf_str(&b, "}");
	/* dkim: one member per signature */
	buf_str(&b, ",\"dkim\":[");
	for (size_t i = 0; i < v->dkim.n; i++) {
		const struct dkim_sig_result *s = &v->dkim.sigs[i];
		buf_str(&b, i ? ",{" : "{");
		j_kv(&b, "result", auth_code_name(s->code), false);
		j_kv(&b, "d", s->d, true);
		j_kv(&b, "s", s->s, true);
		j_kv(&b, "a", s->a, true);
		j_kv(&b, "i", s->i, true);
		j_kv(&b, "b", s->b, true);
		j_num(&b, "bits", s->bits);
		buf_str(&b, s->secure ? ",\"secure\":true" : ",\"secure\":false");
		j_kv(&b, "dnssec", dns_validated_name(s->dnssec), true);
		buf_str(&b, s->testing ? ",\"testing\":true" : ",\"testing\":false");
		j_num(&b, "l", s->l);
		j_kv(&b, "reason", s->reason, true);
		buf_str(&b, "}");
	}
	buf_str(&b, "]");
	/* arc */
	buf_str(&b, ",\"arc\":{");
	j_kv(&b, "result", auth_code_name(v->arc.code), false);
	j_num(&b, "instances", v->arc.instances);
	j_num(&b, "oldest_pass", v->arc.oldest_pass);
	j_kv(&b, "reason", v->arc.reason, true);
	buf_str(&b, ",\"sets\":[");
	for (size_t k = 0; k < v->arc.nsets; k++) {
		char tmp[48];
		snprintf(tmp, sizeof tmp, "%s{\"i\":%d,\"sealer\":", k ? "," : "", v->arc.sets[k].i);
		buf_str(&b, tmp);
		j_str(&b, v->arc.sets[k].sealer);
		buf_str(&b, v->arc.sets[k].ams_pass ? ",\"ams_pass\":true}" : ",\"ams_pass\":false}");
	}
	buf_str(&b, "]}");
	/* dmarc */
	char *dj = dmarc_json(&v->dmarc);
	buf_str(&b, ",\"dmarc\":");
	buf_str(&b, dj ? dj : "null");
	free(dj);
	j_kv(&b, "folder", v->folder, true);
	j_kv(&b, "action", action_name(v->action), true);
	buf_str(&b, v->timed_out ? ",\"timeout\":true" : ",\"timeout\":false");
	j_kv(&b, "log", v->log, true);
	buf_str(&b, "}");
	return buf_steal(&b, NULL);
}
