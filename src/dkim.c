/* dkim.c - DKIM signature verification (RFC 6376, RFC 8301, RFC 8463).
 *
 * Takes the message in wire form, DNS and a clock; returns one result per
 * DKIM-Signature, in header order: the first dkim_max_signatures are
 * checked, the rest are reported as "policy" (never dropped).  The body is
 * read once: signatures with the same (body canonicalization, l=, hash)
 * share one body hash (canon_bodyset).  Header fields are canonicalized
 * from the received bytes; nothing is re-serialized or copied.
 *
 * Order of checks per signature (RFC 6376 §6.1): tag syntax and required
 * tags, v=, a=, c=, q=, d=/i=, h= (From), t=/x=, then the key (DNS), then
 * the body hash, then the signature over the header hash.
 */
#include "dkim.h"

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

static const char SIG_HDR[] = "DKIM-Signature";

/* One signature while it is being checked. */
struct sig {
	size_t hdr;			/* index in msg->hdrs */
	struct tagval_list tags;
	const struct tagval_tag *b;
	enum crypto_key_type ktype;
	enum crypto_md md;
	enum canon_alg hcanon, bcanon;
	long long l;			/* -1: whole body */
	int body_idx;			/* canon_bodyset entry */
	unsigned char bh[CRYPTO_MAX_MD];
	size_t bh_len;
	bool done;			/* result already decided */
};

static void set(struct dkim_sig_result *r, enum auth_code code,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set(struct dkim_sig_result *r, enum auth_code code,
		const char *fmt, ...)
{
	va_list ap;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}


/* A tag's value (FWS removed) into a fixed field; false if absent or too
 * long. */
static bool tagval_ok(const struct tagval_list *l, const char *name, char *dst, size_t size)
{
	return tagval_get_copy(l, name, dst, size) == 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* dkim-quoted-printable (RFC 6376 §2.11) in place; -1 on a bad escape. */
static int qp_decode(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p != '=') {
			*o++ = *p;
			continue;
		}
		int h = hexval((unsigned char)p[1]);
		int l = h < 0 ? -1 : hexval((unsigned char)p[2]);
		if (l < 0)
			return -1;
		*o++ = (char)(h * 16 + l);
		p += 2;
	}
	*o = 0;
	return 0;
}

/* Is dom equal to d, or a subdomain of it (case-insensitive)? */
static bool within(const char *dom, const char *d)
{
	size_t a = strlen(dom), b = strlen(d);
	if (a == b)
		return !strcasecmp(dom, d);
	return a > b && dom[a - b - 1] == '.' && !strcasecmp(dom + a - b, d);
}

/* Decimal tag value; -1 when not 1*DIGIT or above max. */
static long long number(const struct tagval_tag *t, long long max)
{
	long long v = 0;
	if (!t || t->value_len == 0)
		return -1;
	for (size_t i = 0; i < t->value_len; i++) {
		if (!isdigit((unsigned char)t->value[i]))
			return -1;
		int dg = t->value[i] - '0';
		if (v > (max - dg) / 10)
			return -1;
		v = v * 10 + dg;
	}
	return v;
}

static void age(char *buf, size_t size, long long s)
{
	if (s < 120)
		snprintf(buf, size, "%lld seconds", s);
	else if (s < 2 * 3600)
		snprintf(buf, size, "%lld minutes", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, size, "%lld hours", s / 3600);
	else
		snprintf(buf, size, "%lld days", s / 86400);
}

struct hlist_ctx {
	const char **names;
	size_t *lens;
	size_t n;
	bool from;
};

static int hlist_item(const char *s, size_t n, void *ctx)
{
	struct hlist_ctx *h = ctx;
	h->names[h->n] = s;
	h->lens[h->n] = n;
	h->n++;
	if (n == 4 && !strncasecmp(s, "from", 4))
		h->from = true;
	return n == 0 ? 1 : 0;	/* an empty name is a syntax error */
}

static int qitem(const char *s, size_t n, void *ctx)
{
	/* RFC 6376 §3.5 q=: "dns/txt" is the only method; others ignored */
	if (n == 7 && !strncasecmp(s, "dns/txt", 7))
		*(bool *)ctx = true;
	return 0;
}

/* d=, s=, a= and the start of b= for the report, before any judgement. */
static void fill_ids(const struct sig *s, struct dkim_sig_result *r)
{
	const struct tagval_tag *t;
	tagval_ok(&s->tags, "d", r->d, sizeof(r->d));
	tagval_ok(&s->tags, "s", r->s, sizeof(r->s));
	tagval_ok(&s->tags, "a", r->a, sizeof(r->a));
	if ((t = tagval_get(&s->tags, "b"))) {
		size_t o = 0;
		for (size_t i = 0; i < t->value_len && o < 8; i++)
			if (!strchr(" \t\r\n", t->value[i]))
				r->b[o++] = t->value[i];
		r->b[o] = 0;
	}
}

/* Parse and check the tags of one signature (everything that needs no DNS
 * and no hashing).  Returns false with r->code/reason set when done. */
static bool sig_parse(const struct conf *c, const struct msg *m,
		      struct sig *s, struct dkim_sig_result *r, time_t now)
{
	size_t vlen;
	const char *v = msg_hdr_raw_value(m, s->hdr, &vlen);
	const char *err;
	if (tagval_parse(&s->tags, v, vlen, (size_t)c->tag_list_max_tags,
			 (size_t)c->tag_list_max_length, &err) < 0) {
		set(r, AUTH_PERMERROR, "signature syntax error: %s", err);
		return false;
	}
	const struct tagval_tag *t;
	fill_ids(s, r);

	/* §3.5 / §6.1.1: required tags */
	static const char *const req[] = { "v", "a", "b", "bh", "d", "h", "s" };
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!tagval_get(&s->tags, req[i])) {
			set(r, AUTH_PERMERROR, "signature missing required tag %s=", req[i]);
			return false;
		}
	if (!tagval_is(tagval_get(&s->tags, "v"), "1")) {
		set(r, AUTH_PERMERROR, "incompatible version v=%.*s",
		    (int)(tagval_get(&s->tags, "v")->value_len > 16 ? 16 : tagval_get(&s->tags, "v")->value_len),
		    tagval_get(&s->tags, "v")->value);
		return false;
	}
	t = tagval_get(&s->tags, "a");
	const struct crypto_sigalg *alg = crypto_sigalg_find(t->value, t->value_len);
	if (!alg) {
		set(r, AUTH_PERMERROR, "unknown algorithm a=%s", r->a[0] ? r->a : "?");
		return false;
	}
	s->ktype = alg->type;
	s->md = alg->md;
	/* RFC 8301 §3.1: rsa-sha1 MUST NOT be considered valid */
	if (alg->md == CRYPTO_SHA1 && !c->dkim_rsa_sha1) {
		set(r, AUTH_FAIL, "rsa-sha1 not accepted (RFC 8301)");
		return false;
	}
	s->hcanon = s->bcanon = CANON_SIMPLE;
	if ((t = tagval_get(&s->tags, "c")) &&
	    canon_parse(t->value, t->value_len, &s->hcanon, &s->bcanon) < 0) {
		set(r, AUTH_PERMERROR, "unknown canonicalization c=%.*s",
		    (int)(t->value_len > 32 ? 32 : t->value_len), t->value);
		return false;
	}
	if ((t = tagval_get(&s->tags, "q"))) {
		bool dnstxt = false;
		tagval_split(t->value, t->value_len, ':', 64, qitem, &dnstxt);
		if (!dnstxt) {
			set(r, AUTH_PERMERROR, "unknown query method q=");
			return false;
		}
	}
	if (!tagval_ok(&s->tags, "d", r->d, sizeof(r->d)) || !r->d[0]) {
		set(r, AUTH_PERMERROR, "bad d=");
		return false;
	}
	if (!tagval_ok(&s->tags, "s", r->s, sizeof(r->s)) || !r->s[0]) {
		set(r, AUTH_PERMERROR, "bad s=");
		return false;
	}
	/* i= defaults to "@d"; its domain must be d or below (§3.5) */
	if ((t = tagval_get(&s->tags, "i"))) {
		if (tagval_copy_nows(t, r->i, sizeof(r->i)) < 0 || qp_decode(r->i) < 0) {
			set(r, AUTH_PERMERROR, "bad i=");
			return false;
		}
		const char *at = strrchr(r->i, '@');
		if (!at || !within(at + 1, r->d)) {
			set(r, AUTH_PERMERROR, "i= not within d=");
			return false;
		}
	} else {
		r->i[0] = '@';
		memcpy(r->i + 1, r->d, strnlen(r->d, sizeof(r->i) - 2));
		r->i[1 + strnlen(r->d, sizeof(r->i) - 2)] = 0;
	}
	/* l= */
	s->l = -1;
	if ((t = tagval_get(&s->tags, "l"))) {
		s->l = number(t, 1000000000000000000LL);
		if (s->l < 0) {
			set(r, AUTH_PERMERROR, "bad l=");
			return false;
		}
	}
	r->l = s->l;
	/* t= and x= (§3.5): x= in the past (beyond the skew) is expired */
	long long ts = -1, xs = -1, skew = c->dkim_clock_skew;
	if ((t = tagval_get(&s->tags, "t")) &&
	    (ts = number(t, 999999999999LL)) < 0) {
		set(r, AUTH_PERMERROR, "bad t=");
		return false;
	}
	if ((t = tagval_get(&s->tags, "x")) &&
	    (xs = number(t, 999999999999LL)) < 0) {
		set(r, AUTH_PERMERROR, "bad x=");
		return false;
	}
	if (ts >= 0 && xs >= 0 && xs < ts) {
		set(r, AUTH_PERMERROR, "x= before t=");
		return false;
	}
	char ago[32];
	if (xs >= 0 && (long long)now > xs + skew) {
		age(ago, sizeof(ago), (long long)now - xs);
		set(r, AUTH_PERMERROR, "signature expired %s ago", ago);
		return false;
	}
	if (ts >= 0 && ts > (long long)now + skew) {
		age(ago, sizeof(ago), ts - (long long)now);
		set(r, AUTH_PERMERROR, "signature timestamp %s in the future", ago);
		return false;
	}
	/* bh= */
	t = tagval_get(&s->tags, "bh");
	unsigned char *tmp = malloc(t->value_len * 3 / 4 + 3);
	if (!tmp) {
		set(r, AUTH_TEMPERROR, "out of memory");
		return false;
	}
	size_t n = 0;
	if (crypto_base64_decode(t->value, t->value_len, tmp, &n) < 0) {
		free(tmp);
		set(r, AUTH_PERMERROR, "bad base64 in bh=");
		return false;
	}
	s->bh_len = n > sizeof(s->bh) ? sizeof(s->bh) : n;
	memcpy(s->bh, tmp, s->bh_len);
	if (n > sizeof(s->bh))
		s->bh_len = 0;	/* cannot match */
	free(tmp);
	s->b = tagval_get(&s->tags, "b");
	if (s->b->value_len == 0) {
		set(r, AUTH_PERMERROR, "empty b=");
		return false;
	}
	return true;
}

/* Header hash (§3.7): the fields named in h=, each picked from the bottom
 * up (§5.4.2); a name listed more often than present contributes nothing
 * for the extra entries (so oversigning signs absence); then the signature
 * field itself without b= and without its final CRLF. */
static int header_hash(const struct conf *c, const struct msg *m,
		       const struct sig *s, struct dkim_sig_result *r,
		       struct crypto_hash *h, unsigned char *out)
{
	const struct tagval_tag *ht = tagval_get(&s->tags, "h");
	size_t max = 1;
	for (size_t i = 0; i < ht->value_len; i++)
		max += ht->value[i] == ':';
	if (max > (size_t)c->dkim_max_header_list)
		max = (size_t)c->dkim_max_header_list;	/* split reports it */
	struct hlist_ctx hl = { 0 };
	struct canon_hsel sel = { 0 };
	int rc = -1;
	hl.names = calloc(max, sizeof(*hl.names));
	hl.lens = calloc(max, sizeof(*hl.lens));
	if (!hl.names || !hl.lens || canon_hsel_init(&sel, m, s->hdr) < 0) {
		set(r, AUTH_TEMPERROR, "out of memory");
		goto out;
	}
	int sr = tagval_split(ht->value, ht->value_len, ':', max, hlist_item, &hl);
	if (sr < 0) {
		set(r, AUTH_PERMERROR, "h= lists more than %ld header fields",
		    c->dkim_max_header_list);
		goto out;
	}
	if (sr > 0) {
		set(r, AUTH_PERMERROR, "empty header name in h=");
		goto out;
	}
	if (!hl.from) {
		/* §5.4: the From header field MUST be signed */
		set(r, AUTH_PERMERROR, "From not signed (h= lacks From)");
		goto out;
	}
	for (size_t k = 0; k < hl.n; k++) {
		size_t i = canon_hsel_next(&sel, hl.names[k], hl.lens[k]);
		if (i != MSG_NOT_FOUND)
			canon_header(s->hcanon, m->data + m->hdrs[i].off, m->hdrs[i].len,
				     crypto_hash_sink, h);
	}
	canon_header_sig(s->hcanon, m->data + m->hdrs[s->hdr].off,
			 m->hdrs[s->hdr].len, s->b->raw, s->b->raw_len,
			 crypto_hash_sink, h);
	crypto_hash_final(h, out);
	rc = 0;
out:
	free(hl.names);
	free(hl.lens);
	canon_hsel_clear(&sel);
	return rc;
}

/* Key, header hash, signature; the body hash is already compared. */
static void sig_check(const struct conf *c, struct dns *d,
		      const struct msg *m, struct sig *s,
		      struct dkim_sig_result *r, struct keyrec *k)
{
	/* sig_parse() refused a signature without b= (a required tag, RFC
	 * 6376 section 3.5); said again here for the static analyzer, which
	 * does not follow the struct across functions */
	if (!s->b) {
		set(r, AUTH_PERMERROR, "signature missing required tag b=");
		return;
	}
	unsigned char hh[CRYPTO_MAX_MD];
	struct crypto_hash *h = crypto_hash_new(s->md);
	if (!h) {
		set(r, AUTH_TEMPERROR, "out of memory");
		return;
	}
	if (header_hash(c, m, s, r, h, hh) < 0) {
		crypto_hash_free(h);
		return;
	}
	crypto_hash_free(h);
	unsigned char *sig = malloc(s->b->value_len * 3 / 4 + 3);
	size_t sl;
	if (!sig) {
		set(r, AUTH_TEMPERROR, "out of memory");
		return;
	}
	if (crypto_base64_decode(s->b->value, s->b->value_len, sig, &sl) < 0) {
		set(r, AUTH_PERMERROR, "bad base64 in b=");
	} else if (crypto_verify_digest(k->key, s->md, hh,
					crypto_md_size(s->md), sig, sl)) {
		set(r, AUTH_PASS, "%s", "");
	} else {
		set(r, AUTH_FAIL, "signature verification failed");
	}
	free(sig);
}

/* Key lookup and the key's own restrictions (§3.6.1, RFC 8301 §3.2). */
static bool key_get(const struct conf *c, struct dns *d,
		    const struct sig *s, struct dkim_sig_result *r,
		    struct keyrec *k)
{
	char name[600];
	if (keyrec_name(name, sizeof(name), r->s, r->d) < 0) {
		set(r, AUTH_PERMERROR, "bad selector or domain");
		return false;
	}
	const struct dns_answer *a = dns_lookup(d, name, DNS_T_TXT);
	char why[128];
	enum auth_code kc = keyrec_from_answer(k, a, c, why, sizeof(why));
	r->secure = a->sec == DNS_SEC_SECURE;
	if (dns_validating(d))
		r->dnssec = r->secure ? DNS_VALIDATED_SECURE : DNS_VALIDATED_INSECURE;
	dns_answer_free(a);
	r->bits = k->bits;
	r->testing = k->testing;
	if (kc != AUTH_PASS) {
		set(r, kc, "%s", why);
		return false;
	}
	if (k->type != s->ktype) {
		set(r, AUTH_PERMERROR, "key type does not match a=%s", r->a);
		return false;
	}
	if (!keyrec_allows(k, s->md)) {
		set(r, AUTH_PERMERROR, "key h= does not allow %s",
		    crypto_md_name(s->md));
		return false;
	}
	if (k->strict) {
		/* t=s: the i= domain must be d= itself, no subdomain */
		const char *at = strrchr(r->i, '@');
		if (!at || strcasecmp(at + 1, r->d)) {
			set(r, AUTH_PERMERROR, "i= subdomain not allowed by key t=s");
			return false;
		}
	}
	return true;
}

static bool is_sig(const struct msg *m, size_t i)
{
	return msg_hdr_is(m, i, SIG_HDR);
}

void dkim_prefetch(struct dns *d, const struct msg *m, const struct conf *c)
{
	size_t seen = 0;
	for (size_t i = 0; i < m->nhdrs && seen < (size_t)c->dkim_max_signatures; i++) {
		if (!is_sig(m, i))
			continue;
		seen++;
		size_t vlen;
		const char *v = msg_hdr_raw_value(m, i, &vlen);
		struct tagval_list l;
		const char *err;
		if (tagval_parse(&l, v, vlen, (size_t)c->tag_list_max_tags,
				 (size_t)c->tag_list_max_length, &err) < 0)
			continue;
		char sel[128], dom[256], name[600];
		if (tagval_ok(&l, "s", sel, sizeof(sel)) &&
		    tagval_ok(&l, "d", dom, sizeof(dom)) &&
		    keyrec_name(name, sizeof(name), sel, dom) == 0)
			dns_prefetch(d, name, DNS_T_TXT);
		tagval_clear(&l);
	}
}

int dkim_verify(const struct conf *c, struct dns *d, const struct msg *m,
		time_t now, struct dkim_result *res_r)
{
	res_r->n = 0;
	res_r->sigs = NULL;
	size_t total = 0;
	for (size_t i = 0; i < m->nhdrs; i++)
		total += is_sig(m, i);
	if (total == 0)
		return 0;
	res_r->sigs = calloc(total, sizeof(*res_r->sigs));
	struct sig *sigs = calloc(total, sizeof(*sigs));
	struct canon_bodyset *bs = canon_bodyset_new();
	if (!res_r->sigs || !sigs || !bs) {
		free(res_r->sigs);
		res_r->sigs = NULL;
		free(sigs);
		canon_bodyset_free(bs);
		return -1;
	}
	res_r->n = total;
	size_t cap = (size_t)c->dkim_max_signatures, k = 0;
	bool need_body = false;
	for (size_t i = 0; i < m->nhdrs; i++) {
		if (!is_sig(m, i))
			continue;
		struct dkim_sig_result *r = &res_r->sigs[k];
		struct sig *s = &sigs[k];
		k++;
		s->hdr = i;
		r->l = -1;
		if (k > cap) {
			/* never silently dropped: reported, not checked */
			size_t vlen;
			const char *v = msg_hdr_raw_value(m, i, &vlen);
			const char *err;
			if (tagval_parse(&s->tags, v, vlen, (size_t)c->tag_list_max_tags,
					 (size_t)c->tag_list_max_length, &err) == 0)
				fill_ids(s, r);
			set(r, AUTH_POLICY, "not checked: more than %zu signatures", cap);
			s->done = true;
			continue;
		}
		if (!sig_parse(c, m, s, r, now)) {
			s->done = true;
			continue;
		}
		s->body_idx = canon_bodyset_add(bs, s->bcanon, s->l, s->md);
		if (s->body_idx < 0) {
			set(r, AUTH_TEMPERROR, "too many distinct body hashes");
			s->done = true;
			continue;
		}
		need_body = true;
	}
	if (need_body) {
		/* one pass over the body for every distinct body hash */
		canon_bodyset_update(bs, m->data + m->body_off, m->len - m->body_off);
		canon_bodyset_final(bs);
	}
	/* RFC 5322 §3.6: at most one From.  With two, a signature covers one
	 * of them while a reader may see the other (RFC 6376 §8.15), so no
	 * signature on such a message counts (as dkimpy does). */
	size_t nfrom = msg_hdr_count(m, "From");
	struct keyrec key;
	keyrec_init(&key);
	for (k = 0; k < total; k++) {
		struct dkim_sig_result *r = &res_r->sigs[k];
		struct sig *s = &sigs[k];
		if (s->done)
			continue;
		if (nfrom > 1) {
			set(r, AUTH_PERMERROR, "message has %zu From header fields", nfrom);
			continue;
		}
		if (!key_get(c, d, s, r, &key))
			continue;
		unsigned long long blen;
		const unsigned char *bh = canon_bodyset_digest(bs, s->body_idx, &blen);
		if (s->l >= 0 && (unsigned long long)s->l > blen) {
			/* §3.5 l=: more than the body holds cannot verify */
			set(r, AUTH_PERMERROR, "l=%lld exceeds the body length %llu", s->l, blen);
			continue;
		}
		if (s->bh_len != crypto_md_size(s->md) ||
		    memcmp(bh, s->bh, s->bh_len)) {
			set(r, AUTH_FAIL, "body hash mismatch");
			continue;
		}
		sig_check(c, d, m, s, r, &key);
		if (r->code == AUTH_PASS && s->l >= 0 &&
		    (unsigned long long)s->l < blen) {
			if (c->dkim_partial_body_fail)
				set(r, AUTH_POLICY, "only %lld of %llu body bytes signed (l=)", s->l, blen);
			else
				snprintf(r->reason, sizeof(r->reason),
					 "only %lld of %llu body bytes signed (l=)", s->l, blen);
		}
	}
	keyrec_clear(&key);
	for (k = 0; k < total; k++)
		tagval_clear(&sigs[k].tags);
	free(sigs);
	canon_bodyset_free(bs);
	return 0;
}

void dkim_result_clear(struct dkim_result *r)
{
	free(r->sigs);
	r->sigs = NULL;
	r->n = 0;
}

/* RFC 8601 pvalue: a value or a quoted-string. */
static int put_pvalue(char *buf, size_t size, size_t *o, const char *v)
{
	bool plain = *v != 0;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-/=?^_`{|}~.@", *p))
			plain = false;
	int n;
	if (plain) {
		n = snprintf(buf + *o, size - *o, "%s", v);
	} else {
		char q[600];
		size_t qo = 0;
		q[qo++] = '"';
		for (const char *p = v; *p && qo < sizeof(q) - 3; p++) {
			if ((unsigned char)*p < ' ' || *p == 127)
				continue;
			if (*p == '"' || *p == '\\')
				q[qo++] = '\\';
			q[qo++] = *p;
		}
		q[qo++] = '"';
		q[qo] = 0;
		n = snprintf(buf + *o, size - *o, "%s", q);
	}
	if (n < 0 || (size_t)n >= size - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

static int put(char *buf, size_t size, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char *buf, size_t size, size_t *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *o, size - *o, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

int dkim_ar(const struct dkim_sig_result *r, char *buf, size_t size)
{
	size_t o = 0;
	char reason[sizeof(r->reason)];
	esc_comment(reason, sizeof(reason), r->reason);
	if (size == 0 || put(buf, size, &o, "dkim=%s", auth_code_name(r->code)) < 0)
		return -1;
	/* comment: key size, DNSSEC, testing, reason (OpenDKIM style) */
	char cm[256] = "";
	size_t co = 0;
	if (r->bits)
		put(cm, sizeof(cm), &co, "%d-bit key; %s", r->bits,
		    r->secure ? "secure" : "insecure");
	if (r->testing)
		put(cm, sizeof(cm), &co, "%stesting", co ? "; " : "");
	if (reason[0])
		put(cm, sizeof(cm), &co, "%s%s", co ? "; " : "", reason);
	if (co && put(buf, size, &o, " (%s)", cm) < 0)
		return -1;
	if (r->d[0] && (put(buf, size, &o, " header.d=") < 0 ||
			put_pvalue(buf, size, &o, r->d) < 0))
		return -1;
	if (r->i[0] && (put(buf, size, &o, " header.i=") < 0 ||
			put_pvalue(buf, size, &o, r->i) < 0))
		return -1;
	if (r->s[0] && (put(buf, size, &o, " header.s=") < 0 ||
			put_pvalue(buf, size, &o, r->s) < 0))
		return -1;
	if (r->a[0] && (put(buf, size, &o, " header.a=") < 0 ||
			put_pvalue(buf, size, &o, r->a) < 0))
		return -1;
	if (r->b[0] && (put(buf, size, &o, " header.b=") < 0 ||
			put_pvalue(buf, size, &o, r->b) < 0))
		return -1;
	return (int)o;
}
