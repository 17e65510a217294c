/* arc.c - ARC chain validation (RFC 8617 section 5.2).
 *
 * Takes the message in wire form (struct msg) and DNS; returns the chain
 * validation status (pass / fail / none) with a specific reason, the
 * oldest instance whose ARC-Message-Signature still validates, and every
 * instance's sealer (ARC-Seal d=) and ARC-Authentication-Results text for
 * DMARC's trusted-sealer override.  Never modifies or re-serializes the
 * message: canonicalization reads the received bytes (canon.h).
 *
 * Order of the checks (section 5.2): collect the sets, cap at
 * arc_max_instances (50), newest cv=fail ends the chain, structure (1..N,
 * exactly one AAR/AMS/AS each, cv=none only at i=1, pass above), newest
 * AMS, then every AS from N down to 1.  The AMS of the older instances is
 * checked afterwards, from N-1 downward until one fails, for oldest-pass.
 *
 * ARC accepts the same algorithms as DKIM: rsa-sha256 and, as RFC 8617
 * takes its algorithms from the DKIM registry, ed25519-sha256 (RFC 8463);
 * rsa-sha1 only when dkim_rsa_sha1 allows it (RFC 8301).  A key lookup
 * that fails temporarily makes the chain fail with a reason that says so:
 * RFC 8617 defines no temperror for arc=.
 */
#include "arc.h"

#include "buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canon.h"
#include "conf.h"
#include "crypto.h"
#include "dns.h"
#include "keyrec.h"
#include "msg.h"
#include "tagval.h"

#define ARC_HARD_MAX 50		/* RFC 8617 section 5.1.1 / 5.2 */
#define ARC_MAX_H 1024		/* AMS h= entries, beyond conf's cap */
#define ARC_MAX_B64 8192	/* characters of b= with FWS (16384-bit RSA
				 * is 2732) */

#define ARC_KEY_CACHE 8		/* distinct keys remembered per message */
#define ARC_MAX_BODIES 4	/* distinct body hashes per message */

enum arc_kind { ARC_AAR = 0, ARC_AMS = 1, ARC_AS = 2 };
static const char *const kind_name[] = {
	"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal",
};

/* One instance while collecting: header index and count per kind. */
struct arc_inst {
	size_t idx[3];
	int count[3];
	struct tagval_list ams, as;	/* parsed (borrowing from msg) */
};

struct arc_key {
	char name[512];		/* selector._domainkey.domain */
	struct keyrec k;
	enum auth_code rc;	/* keyrec_from_answer() */
	char why[80];
};

struct arc_ctx {
	const struct conf *c;
	struct dns *d;
	const struct msg *m;
	time_t now;
	int n;			/* highest instance */
	struct arc_inst inst[ARC_HARD_MAX + 1];	/* [1..n] */
	struct canon_bodyset *bodies;
	int body_idx[ARC_HARD_MAX + 1];
	long long body_len[ARC_HARD_MAX + 1];	/* l=, -1 none */
	struct arc_key keys[ARC_KEY_CACHE];
	int nkeys;
};

static int max_instances(const struct conf *c)
{
	long v = c ? c->arc_max_instances : ARC_HARD_MAX;
	return v < 1 || v > ARC_HARD_MAX ? ARC_HARD_MAX : (int)v;
}

/* tag=value list caps from conf (the shared tag_list_* settings) */
static int parse_tags(const struct conf *c, struct tagval_list *l,
		      const char *v, size_t len, const char **err)
{
	size_t mt = c && c->tag_list_max_tags > 0 ? (size_t)c->tag_list_max_tags : 64;
	size_t ml = c && c->tag_list_max_length > 0 ?
		(size_t)c->tag_list_max_length : 65536;
	return tagval_parse(l, v, len, mt, ml, err);
}

static int arc_kind_of(const struct msg *m, size_t i)
{
	if (msg_hdr_is(m, i, "ARC-Seal"))
		return ARC_AS;
	if (msg_hdr_is(m, i, "ARC-Message-Signature"))
		return ARC_AMS;
	if (msg_hdr_is(m, i, "ARC-Authentication-Results"))
		return ARC_AAR;
	return -1;
}

static void fail(struct arc_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct arc_result *r, const char *fmt, ...)
{
	va_list ap;
	r->code = AUTH_FAIL;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);	/* truncation ok */
	va_end(ap);
}

/* ---- parsing the instance number -------------------------------------- */


/* RFC 5322 CFWS: FWS and (possibly nested) comments, depth bounded. */
static size_t skip_cfws(const char *s, size_t i, size_t len)
{
	for (;;) {
		i = scan_lws(s, len, i);
		if (i >= len || s[i] != '(')
			return i;
		int depth = 0;
		while (i < len) {
			if (s[i] == '\\' && i + 1 < len) {
				i += 2;
				continue;
			}
			if (s[i] == '(' && ++depth > 8)
				return len;	/* hostile nesting: no i= found */
			if (s[i] == ')' && --depth == 0) {
				i++;
				break;
			}
			i++;
		}
	}
}

/* instance = "i" "=" 1*2DIGIT ... (RFC 8617 section 4.2.1); we read up to
 * three digits so that i=51..999 is reported as over the limit.  Returns
 * the value, 0 when the text is not a number. */
static int parse_instance(const char *v, size_t len)
{
	if (len == 0 || len > 3)
		return 0;
	int n = 0;
	for (size_t k = 0; k < len; k++) {
		if (!isdigit((unsigned char)v[k]))
			return 0;
		n = n * 10 + (v[k] - '0');
	}
	return n;
}

/* AAR: arc-info = instance [CFWS] ";" authres-payload (section 4.1.1):
 * "i=N;" must come first.  Returns N (0 when malformed) and the offset of
 * the text after the ";" in *rest_r. */
static int aar_instance(const char *v, size_t len, size_t *rest_r)
{
	size_t i = skip_cfws(v, 0, len);
	if (i >= len || v[i] != 'i')
		return 0;
	i = scan_lws(v, len, i + 1);
	if (i >= len || v[i] != '=')
		return 0;
	i = scan_lws(v, len, i + 1);
	size_t s = i;
	while (i < len && isdigit((unsigned char)v[i]))
		i++;
	int n = parse_instance(v + s, i - s);
	i = skip_cfws(v, i, len);
	if (i >= len || v[i] != ';')
		return 0;
	*rest_r = i + 1;
	return n;
}

/* RFC 6376 section 3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]; an
 * empty tag-spec (";;") is outside the grammar.  The shared parser skips
 * it for DKIM's sake (records in the wild); ARC is strict, as the ValiMail
 * suite expects (as_format_tags_sc). */
static int empty_tagspec(const char *v, size_t len)
{
	int content = 0;
	for (size_t k = 0; k < len; k++) {
		if (v[k] == ';') {
			if (!content)
				return 1;
			content = 0;
		} else if (v[k] != ' ' && v[k] != '\t' && v[k] != '\r' &&
			   v[k] != '\n') {
			content = 1;
		}
	}
	return 0;
}

/* A tag value from the message for a reason text: printable ASCII only
 * (the reason goes into JSON and an A-R comment), cut to fit. */
static const char *printable(char *buf, size_t size, const struct tagval_tag *t)
{
	size_t o = 0;
	for (size_t k = 0; k < t->value_len && o + 1 < size; k++) {
		unsigned char ch = (unsigned char)t->value[k];
		buf[o++] = ch >= 0x21 && ch <= 0x7e ? (char)ch : '?';
	}
	buf[o] = 0;
	return buf;
}

/* ---- collecting the sets (section 5.2 step 1 and 3) -------------------- */

static void ctx_clear(struct arc_ctx *x)
{
	for (int i = 0; i <= ARC_HARD_MAX; i++) {
		tagval_clear(&x->inst[i].ams);
		tagval_clear(&x->inst[i].as);
	}
	canon_bodyset_free(x->bodies);
	x->bodies = NULL;
	for (int k = 0; k < x->nkeys; k++)
		keyrec_clear(&x->keys[k].k);
	x->nkeys = 0;
}

/* Returns 0 when the sets are structurally valid, -1 with r failed, 1 when
 * there are no ARC header fields at all. */
static int collect(struct arc_ctx *x, struct arc_result *r)
{
	const struct msg *m = x->m;
	int lim = max_instances(x->c);
	int seen = 0;
	for (size_t h = 0; h < m->nhdrs; h++) {
		int k = arc_kind_of(m, h);
		if (k < 0)
			continue;
		seen = 1;
		size_t len;
		const char *v = msg_hdr_raw_value(m, h, &len);
		int n;
		struct tagval_list tl = { 0, NULL };
		if (k == ARC_AAR) {
			size_t rest;
			n = aar_instance(v, len, &rest);
			if (n == 0) {
				fail(r, "ARC-Authentication-Results without a leading i=N;");
				return -1;
			}
		} else {
			const char *err = NULL;
			if (empty_tagspec(v, len)) {
				fail(r, "%s: empty tag (\";;\")", kind_name[k]);
				return -1;
			}
			if (parse_tags(x->c, &tl, v, len, &err) < 0) {
				fail(r, "%s: %s", kind_name[k], err ? err : "bad tag list");
				return -1;
			}
			const struct tagval_tag *t = tagval_get(&tl, "i");
			n = t ? parse_instance(t->value, t->value_len) : 0;
			if (n == 0) {
				tagval_clear(&tl);
				fail(r, "%s: %s", kind_name[k],
				     t ? "bad instance i=" : "no instance i=");
				return -1;
			}
		}
		if (n > lim) {
			/* RFC 8617 section 5.2 step 1: more than 50 sets fail */
			tagval_clear(&tl);
			r->instances = n;
			fail(r, "ARC i=%d: more than %d ARC sets", n, lim);
			return -1;
		}
		struct arc_inst *in = &x->inst[n];
		if (in->count[k]++ == 0) {
			in->idx[k] = h;
			if (k == ARC_AMS)
				in->ams = tl;
			else if (k == ARC_AS)
				in->as = tl;
		} else {
			tagval_clear(&tl);
		}
		if (n > x->n)
			x->n = n;
	}
	if (!seen)
		return 1;
	r->instances = x->n;
	/* step 2: the newest seal already says the chain failed */
	const struct tagval_tag *cv = x->inst[x->n].count[ARC_AS] == 1 ?
		tagval_get(&x->inst[x->n].as, "cv") : NULL;
	if (cv && tagval_is_ci(cv, "fail")) {
		fail(r, "ARC i=%d seal says cv=fail", x->n);
		return -1;
	}
	/* step 3: exactly one of each per instance, 1..N without gaps */
	for (int i = 1; i <= x->n; i++) {
		struct arc_inst *in = &x->inst[i];
		if (!in->count[0] && !in->count[1] && !in->count[2]) {
			fail(r, "ARC sets not contiguous: i=%d missing", i);
			return -1;
		}
		for (int k = 0; k < 3; k++) {
			if (in->count[k] == 0) {
				fail(r, "ARC i=%d has no %s", i, kind_name[k]);
				return -1;
			}
			if (in->count[k] > 1) {
				fail(r, "ARC i=%d has %d %s fields", i, in->count[k],
				     kind_name[k]);
				return -1;
			}
		}
		cv = tagval_get(&in->as, "cv");
		if (!cv) {
			fail(r, "ARC i=%d seal has no cv=", i);
			return -1;
		}
		/* RFC 8617 section 5.2 step 3.3; ABNF literals are
		 * case-insensitive (RFC 5234 section 2.3) */
		if (tagval_is_ci(cv, "fail")) {
			fail(r, "ARC i=%d seal says cv=fail", i);
			return -1;
		}
		char cvs[20];
		if (i == 1 && !tagval_is_ci(cv, "none")) {
			fail(r, "ARC i=1 seal has cv=%s, must be none",
			     printable(cvs, sizeof(cvs), cv));
			return -1;
		}
		if (i > 1 && !tagval_is_ci(cv, "pass")) {
			fail(r, "ARC i=%d seal has cv=%s, must be pass", i,
			     printable(cvs, sizeof(cvs), cv));
			return -1;
		}
	}
	return 0;
}

/* ---- signatures --------------------------------------------------------- */

struct sigalg {
	enum crypto_key_type type;
	enum crypto_md md;
};

static int parse_alg(const struct conf *c, const struct tagval_tag *a,
		     struct sigalg *sa, const char **why)
{
	if (!a || a->value_len == 0) {
		*why = "no algorithm a=";
		return -1;
	}
	const struct crypto_sigalg *alg = crypto_sigalg_find(a->value, a->value_len);
	if (!alg) {
		*why = "unknown algorithm";
		return -1;
	}
	if (alg->md == CRYPTO_SHA1 && (!c || !c->dkim_rsa_sha1)) {
		*why = "rsa-sha1 not accepted (RFC 8301)";
		return -1;
	}
	sa->type = alg->type;
	sa->md = alg->md;
	return 0;
}

/* Tags that must be present and non-empty, and t= (if any) a number. */
static const char *check_tags(const struct tagval_list *l, const char *const *req,
			      int ams)
{
	static char buf[40];
	for (; *req; req++) {
		const struct tagval_tag *t = tagval_get(l, *req);
		if (!t || t->value_len == 0) {
			snprintf(buf, sizeof(buf), "%s %s=", t ? "empty" : "no", *req);
			return buf;
		}
	}
	/* t= and x= are 1*12DIGIT (RFC 6376 section 3.5); an ARC-Seal has no
	 * x= (section 4.1.3), so there it is an unknown tag and ignored */
	static const char *const num[] = { "t", "x" };
	for (int n = 0; n < (ams ? 2 : 1); n++) {
		const struct tagval_tag *t = tagval_get(l, num[n]);
		if (!t)
			continue;
		int ok = t->value_len > 0 && t->value_len <= 12;
		for (size_t k = 0; ok && k < t->value_len; k++)
			ok = isdigit((unsigned char)t->value[k]) != 0;
		if (!ok)
			return n ? "bad expiry x=" : "bad timestamp t=";
	}
	return NULL;
}

/* d= must be a domain name, s= a selector: keyrec_name checks both
 * (tag_nonempty: present, non-empty, fits). */
static int tag_nonempty(const struct tagval_list *l, const char *name, char *buf, size_t size)
{
	return tagval_get_copy(l, name, buf, size) == 0 && buf[0] ? 0 : -1;
}

/* Fetch and parse the key for d=/s=, once per name and arc_verify() call
 * (a chain sealed by one ADMD uses the same key for every AMS and AS, and
 * parsing an RSA key costs more than checking a signature with it).
 * Returns the key, or NULL and a reason in whybuf. */
static const struct keyrec *get_key(struct arc_ctx *x, const struct tagval_list *l,
				    const struct sigalg *sa, char *whybuf,
				    size_t whysize)
{
	char d[256], s[128], name[512];
	if (tag_nonempty(l, "d", d, sizeof(d)) < 0 ||
	    tag_nonempty(l, "s", s, sizeof(s)) < 0 ||
	    keyrec_name(name, sizeof(name), s, d) < 0) {
		snprintf(whybuf, whysize, "bad d= or s=");
		return NULL;
	}
	struct arc_key *ck = NULL;
	for (int k = 0; k < x->nkeys && !ck; k++)
		if (!strcasecmp(x->keys[k].name, name))
			ck = &x->keys[k];
	if (!ck) {
		/* full cache: reuse the last slot (bounded memory) */
		ck = &x->keys[x->nkeys < ARC_KEY_CACHE ? x->nkeys++ : ARC_KEY_CACHE - 1];
		keyrec_clear(&ck->k);
		keyrec_init(&ck->k);
		snprintf(ck->name, sizeof(ck->name), "%s", name);
		const struct dns_answer *a = dns_lookup(x->d, name, DNS_T_TXT);
		ck->rc = keyrec_from_answer(&ck->k, a, x->c, ck->why, sizeof(ck->why));
		dns_answer_free(a);
	}
	if (ck->rc != AUTH_PASS) {
		snprintf(whybuf, whysize, "%s%s",
			 ck->rc == AUTH_TEMPERROR ? "temporary error: " : "", ck->why);
		return NULL;
	}
	if (ck->k.type != sa->type) {
		snprintf(whybuf, whysize, "key type does not match a=");
		return NULL;
	}
	if (!keyrec_allows(&ck->k, sa->md)) {
		snprintf(whybuf, whysize, "key h= does not allow %s",
			 crypto_md_name(sa->md));
		return NULL;
	}
	return &ck->k;
}

/* Decode b= and check it over digest with the key. */
static int check_sig(const struct keyrec *k, const struct sigalg *sa,
		     const struct tagval_tag *b, const unsigned char *dg,
		     size_t dlen)
{
	unsigned char sig[ARC_MAX_B64 / 4 * 3 + 3];	/* crypto.h: len*3/4+3 */
	size_t slen;
	if (!b || b->value_len == 0 || b->value_len > ARC_MAX_B64 ||
	    crypto_base64_decode(b->value, b->value_len, sig, &slen) < 0)
		return -1;
	return crypto_verify_digest(k->key, sa->md, dg, dlen, sig, slen) == 1
		? 1 : 0;
}

static void field_bytes(const struct msg *m, size_t h, const char **p,
			size_t *len)
{
	*p = m->data + m->hdrs[h].off;
	*len = m->hdrs[h].len;
}

/* AMS h= selection: RFC 6376 section 5.4.2, canon_hsel (shared with
 * DKIM). */
struct hsel {
	const struct msg *m;
	struct crypto_hash *hash;
	enum canon_alg alg;
	struct canon_hsel sel;
};

static int hsel_item(const char *item, size_t len, void *ctx)
{
	struct hsel *s = ctx;
	size_t h = canon_hsel_next(&s->sel, item, len);
	if (h != MSG_NOT_FOUND) {
		const char *p;
		size_t n;
		field_bytes(s->m, h, &p, &n);
		canon_header(s->alg, p, n, crypto_hash_sink, s->hash);
	}
	return 0;
}

static int h_has_seal(const char *item, size_t len, void *ctx)
{
	return len == 8 && !strncasecmp(item, "ARC-Seal", 8);
}

/* Queue the body hash every AMS needs (one per distinct c=/l=/hash). */
static void prepare_bodies(struct arc_ctx *x)
{
	/* Bounded work: the newest AMS always gets its body hash; older ones
	 * (only needed for oldest-pass) share at most ARC_MAX_BODIES distinct
	 * (c=, l=, hash) triples, so 50 AMS with 50 different l= cannot make us
	 * hash a large body 50 times.  Real chains use one or two. */
	struct { enum canon_alg cb; long long lim; enum crypto_md md; } seen[ARC_MAX_BODIES];
	int nseen = 0;
	x->bodies = canon_bodyset_new();
	if (!x->bodies)
		return;
	for (int i = x->n; i >= 1; i--) {
		const struct tagval_list *l = &x->inst[i].ams;
		enum canon_alg ch, cb;
		struct sigalg sa;
		const char *why;
		const struct tagval_tag *c = tagval_get(l, "c");
		x->body_idx[i] = -1;
		if (parse_alg(x->c, tagval_get(l, "a"), &sa, &why) < 0)
			continue;
		if (c && canon_parse(c->value, c->value_len, &ch, &cb) < 0)
			continue;
		if (!c)
			cb = CANON_RELAXED;
		long long lim = -1;
		const struct tagval_tag *lt = tagval_get(l, "l");
		if (lt) {
			/* l= is 1*76DIGIT (RFC 6376 section 3.5); we take 18 */
			if (lt->value_len == 0 || lt->value_len > 18)
				continue;
			lim = 0;
			size_t k;
			for (k = 0; k < lt->value_len && isdigit((unsigned char)lt->value[k]); k++)
				lim = lim * 10 + (lt->value[k] - '0');
			if (k < lt->value_len)
				continue;
		}
		int known = 0;
		for (int k = 0; k < nseen && !known; k++)
			known = seen[k].cb == cb && seen[k].lim == lim && seen[k].md == sa.md;
		if (!known) {
			if (nseen == ARC_MAX_BODIES) {
				x->body_idx[i] = -2;
				continue;
			}
			seen[nseen].cb = cb;
			seen[nseen].lim = lim;
			seen[nseen++].md = sa.md;
		}
		x->body_len[i] = lim;
		x->body_idx[i] = canon_bodyset_add(x->bodies, cb, lim, sa.md);
	}
	const struct msg *m = x->m;
	canon_bodyset_update(x->bodies, m->data + m->body_off,
			     m->len - m->body_off);
	canon_bodyset_final(x->bodies);
}

/* Validate the AMS of instance i like a DKIM signature (RFC 8617 section
 * 4.1.2: the DKIM-Signature rules without v=).  Returns 1 valid, 0 not,
 * with why filled. */
static int verify_ams(struct arc_ctx *x, int i, char *why, size_t whysize)
{
	const struct tagval_list *l = &x->inst[i].ams;
	static const char *const req[] = { "a", "b", "bh", "d", "s", NULL };
	const char *e = check_tags(l, req, 1);
	if (!e && !tagval_get(l, "h"))
		e = "no h=";
	if (e) {
		snprintf(why, whysize, "%s", e);
		return 0;
	}
	struct sigalg sa;
	if (parse_alg(x->c, tagval_get(l, "a"), &sa, &e) < 0) {
		snprintf(why, whysize, "%s", e);
		return 0;
	}
	enum canon_alg ch = CANON_RELAXED, cb = CANON_RELAXED;
	const struct tagval_tag *c = tagval_get(l, "c");
	/* c= absent: relaxed/relaxed, what ARC signers write and what the
	 * ValiMail suite (ams_fields_c_na) and dkimpy expect */
	if (c && canon_parse(c->value, c->value_len, &ch, &cb) < 0) {
		snprintf(why, whysize, "bad canonicalization c=");
		return 0;
	}
	const struct tagval_tag *xt = tagval_get(l, "x");
	if (xt) {	/* digits only, at most 12: checked above */
		char buf[16];
		memcpy(buf, xt->value, xt->value_len);
		buf[xt->value_len] = 0;
		long long xv = atoll(buf);
		long skew = x->c ? x->c->dkim_clock_skew : 300;
		if (xv > 0 && (long long)x->now > xv + skew) {
			snprintf(why, whysize, "signature expired");
			return 0;
		}
	}
	/* RFC 8617 section 4.1.2: the AMS must not sign ARC-Seal fields */
	const struct tagval_tag *ht = tagval_get(l, "h");
	if (tagval_split(ht->value, ht->value_len, ':', ARC_MAX_H * 16,
			 h_has_seal, NULL) == 1) {
		snprintf(why, whysize, "h= includes ARC-Seal");
		return 0;
	}
	/* body hash */
	int bi = x->body_idx[i];
	if (bi < 0 || !x->bodies) {
		snprintf(why, whysize, bi == -2 ?
			 "not checked: more than 4 distinct body hashes" : "bad l= or c=");
		return 0;
	}
	unsigned long long clen;
	const unsigned char *bd = canon_bodyset_digest(x->bodies, bi, &clen);
	if (x->body_len[i] >= 0) {
		if ((unsigned long long)x->body_len[i] > clen) {
			snprintf(why, whysize, "l= longer than the body");
			return 0;
		}
	}
	unsigned char bh[4 * CRYPTO_MAX_MD / 4 * 3 + 3];	/* len*3/4+3 */
	size_t bhlen;
	const struct tagval_tag *bht = tagval_get(l, "bh");
	if (bht->value_len > 4 * CRYPTO_MAX_MD ||
	    crypto_base64_decode(bht->value, bht->value_len, bh, &bhlen) < 0) {
		snprintf(why, whysize, "bad body hash bh=");
		return 0;
	}
	if (!bd || bhlen != crypto_md_size(sa.md) || memcmp(bd, bh, bhlen)) {
		snprintf(why, whysize, "body hash mismatch");
		return 0;
	}
	/* header hash */
	struct crypto_hash *hh = crypto_hash_new(sa.md);
	struct hsel s = { x->m, hh, ch, { 0 } };
	if (!hh || canon_hsel_init(&s.sel, x->m, MSG_NOT_FOUND) < 0) {
		crypto_hash_free(hh);
		snprintf(why, whysize, "out of memory");
		return 0;
	}
	size_t hmax = x->c && x->c->dkim_max_header_list > 0 ?
		(size_t)x->c->dkim_max_header_list : ARC_MAX_H;
	int rc = tagval_split(ht->value, ht->value_len, ':', hmax, hsel_item, &s);
	if (rc < 0) {
		crypto_hash_free(hh);
		canon_hsel_clear(&s.sel);
		snprintf(why, whysize, "too many h= entries");
		return 0;
	}
	const char *p;
	size_t n;
	const struct tagval_tag *b = tagval_get(l, "b");
	field_bytes(x->m, x->inst[i].idx[ARC_AMS], &p, &n);
	canon_header_sig(ch, p, n, b->raw, b->raw_len, crypto_hash_sink, hh);
	unsigned char dg[CRYPTO_MAX_MD];
	size_t dlen = crypto_hash_final(hh, dg);
	crypto_hash_free(hh);
	canon_hsel_clear(&s.sel);

	const struct keyrec *k = get_key(x, l, &sa, why, whysize);
	if (!k)
		return 0;
	rc = check_sig(k, &sa, b, dg, dlen);
	if (rc != 1) {
		snprintf(why, whysize, rc < 0 ? "bad signature b=" : "signature does not verify");
		return 0;
	}
	return 1;
}

/* Validate the ARC-Seal of instance i (RFC 8617 section 5.1.1): relaxed
 * header canonicalization of AAR, AMS, AS of sets 1..i in that order, the
 * b= value of AS(i) emptied, no final CRLF. */
static int verify_as(struct arc_ctx *x, int i, char *why, size_t whysize)
{
	const struct tagval_list *l = &x->inst[i].as;
	static const char *const req[] = { "a", "b", "cv", "d", "s", NULL };
	const char *e = check_tags(l, req, 0);
	if (!e && tagval_get(l, "h"))
		e = "h= not allowed in ARC-Seal";	/* section 4.1.3 */
	if (e) {
		snprintf(why, whysize, "%s", e);
		return 0;
	}
	struct sigalg sa;
	if (parse_alg(x->c, tagval_get(l, "a"), &sa, &e) < 0) {
		snprintf(why, whysize, "%s", e);
		return 0;
	}
	struct crypto_hash *hh = crypto_hash_new(sa.md);
	if (!hh) {
		snprintf(why, whysize, "out of memory");
		return 0;
	}
	const char *p;
	size_t n;
	for (int k = 1; k <= i; k++) {
		for (int kind = ARC_AAR; kind <= ARC_AS; kind++) {
			field_bytes(x->m, x->inst[k].idx[kind], &p, &n);
			if (k == i && kind == ARC_AS) {
				const struct tagval_tag *b = tagval_get(l, "b");
				canon_header_sig(CANON_RELAXED, p, n, b->raw,
						 b->raw_len, crypto_hash_sink, hh);
			} else {
				canon_header(CANON_RELAXED, p, n,
					     crypto_hash_sink, hh);
			}
		}
	}
	unsigned char dg[CRYPTO_MAX_MD];
	size_t dlen = crypto_hash_final(hh, dg);
	crypto_hash_free(hh);

	const struct keyrec *k = get_key(x, l, &sa, why, whysize);
	if (!k)
		return 0;
	int rc = check_sig(k, &sa, tagval_get(l, "b"), dg, dlen);
	if (rc != 1) {
		snprintf(why, whysize, rc < 0 ? "bad signature b=" : "signature does not verify");
		return 0;
	}
	return 1;
}

/* ---- the result --------------------------------------------------------- */

/* The AAR text after "i=N;", unfolded (CR LF removed, WSP runs made one
 * SP) and trimmed. */
static char *aar_text(const struct msg *m, size_t h)
{
	size_t len, rest = 0;
	const char *v = msg_hdr_raw_value(m, h, &len);
	if (aar_instance(v, len, &rest) == 0)
		rest = 0;
	char *out = malloc(len - rest + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t k = rest; k < len; k++) {
		char ch = v[k] == '\t' ? ' ' : v[k];
		if (ch == '\r' || ch == '\n' || (ch == ' ' && o > 0 && out[o - 1] == ' '))
			continue;	/* unfold, one SP per WSP run */
		out[o++] = ch;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = 0;
	size_t s = 0;
	while (out[s] == ' ' || out[s] == '\t')
		s++;
	memmove(out, out + s, o - s + 1);
	return out;
}

static int fill_sets(struct arc_ctx *x, struct arc_result *r)
{
	if (x->n < 1 || x->n > ARC_HARD_MAX)
		return -1;
	r->sets = calloc((size_t)x->n, sizeof(*r->sets));
	if (!r->sets)
		return -1;
	r->nsets = (size_t)x->n;
	for (int i = 1; i <= x->n; i++) {
		struct arc_set *s = &r->sets[i - 1];
		s->i = i;
		tag_nonempty(&x->inst[i].as, "d", s->sealer,
			 sizeof(s->sealer));
		s->aar = aar_text(x->m, x->inst[i].idx[ARC_AAR]);
		if (!s->aar)
			return -1;
	}
	return 0;
}

void arc_prefetch(struct dns *d, const struct msg *m, const struct conf *c)
{
	int budget = 2 * max_instances(c);
	for (size_t h = 0; h < m->nhdrs && budget > 0; h++) {
		int k = arc_kind_of(m, h);
		if (k != ARC_AMS && k != ARC_AS)
			continue;
		size_t len;
		const char *v = msg_hdr_raw_value(m, h, &len);
		struct tagval_list l = { 0, NULL };
		const char *err;
		if (parse_tags(c, &l, v, len, &err) < 0)
			continue;
		char dn[256], sn[128], name[512];
		if (tag_nonempty(&l, "d", dn, sizeof(dn)) == 0 &&
		    tag_nonempty(&l, "s", sn, sizeof(sn)) == 0 &&
		    keyrec_name(name, sizeof(name), sn, dn) == 0) {
			dns_prefetch(d, name, DNS_T_TXT);
			budget--;
		}
		tagval_clear(&l);
	}
}

int arc_verify(const struct conf *c, struct dns *d, const struct msg *m,
	       time_t now, struct arc_result *res_r)
{
	struct arc_result *r = res_r;
	memset(r, 0, sizeof(*r));
	struct arc_ctx *x = calloc(1, sizeof(*x));
	if (!x) {
		fail(r, "out of memory");
		return 0;
	}
	x->c = c;
	x->d = d;
	x->m = m;
	x->now = now;
	int rc = collect(x, r);
	if (rc == 1) {
		r->code = AUTH_NONE;
		snprintf(r->reason, sizeof(r->reason), "no ARC sets");
		goto out;
	}
	if (rc < 0)
		goto out;
	if (fill_sets(x, r) < 0) {
		fail(r, "out of memory");
		goto out;
	}
	prepare_bodies(x);
	char why[128];
	/* step 4: the newest AMS */
	if (!verify_ams(x, x->n, why, sizeof(why))) {
		fail(r, "ARC i=%d message signature fails: %s", x->n, why);
		goto out;
	}
	r->sets[x->n - 1].ams_pass = 1;
	/* step 6: every seal, newest first */
	for (int i = x->n; i >= 1; i--) {
		if (!verify_as(x, i, why, sizeof(why))) {
			fail(r, "ARC i=%d seal fails: %s", i, why);
			goto out;
		}
	}
	/* step 5: oldest-pass, AMS from N-1 down until one fails */
	r->oldest_pass = x->n;
	for (int i = x->n - 1; i >= 1; i--) {
		if (!verify_ams(x, i, why, sizeof(why)))
			break;
		r->sets[i - 1].ams_pass = 1;
		r->oldest_pass = i;
	}
	r->code = AUTH_PASS;
	snprintf(r->reason, sizeof(r->reason), "i=%d", x->n);
out:
	ctx_clear(x);
	free(x);
	return 0;
}

void arc_result_clear(struct arc_result *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->nsets; k++)
		free(r->sets[k].aar);
	free(r->sets);
	memset(r, 0, sizeof(*r));
}


int arc_ar(const struct arc_result *r, const char *remote_ip, char *buf,
	   size_t size)
{
	char comment[160] = "";
	char op[48] = "";
	if (r->code == AUTH_PASS) {
		snprintf(comment, sizeof(comment), " (i=%d)", r->instances);
		if (r->oldest_pass > 0)
			snprintf(op, sizeof(op), " header.oldest-pass=%d",
				 r->oldest_pass);
	} else if (r->code == AUTH_FAIL && r->reason[0]) {
		char safe[sizeof(r->reason)];
		esc_comment(safe, sizeof(safe), r->reason);
		snprintf(comment, sizeof(comment), " (%s)", safe);
	}
	char ip[80] = "";
	if (remote_ip && *remote_ip && r->code != AUTH_NONE)
		snprintf(ip, sizeof(ip), " smtp.remote-ip=%s", remote_ip);
	int n = snprintf(buf, size, "arc=%s%s%s%s",
			 r->code == AUTH_PASS ? "pass" :
			 r->code == AUTH_NONE ? "none" : "fail",
			 comment, op, ip);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
