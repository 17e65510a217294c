/* canon.c - canonicalization of header fields and body streams
 * (RFC 6376 §3.4) into a sink.
 *
 * Takes raw CRLF bytes; returns canonical bytes through a sink, in
 * batches of up to OUTBUF bytes (long plain runs go straight through).
 * Never allocates per header field and never keeps more than one output
 * batch per stream, so a 50 MB body costs no second copy.  Only CRLF is a
 * line end: a bare CR is an ordinary byte (the intake already turned bare
 * LFs into CRLF).
 */
#include "canon.h"
#include "msg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OUTBUF 4096

struct out {
	canon_sink_fn *sink;
	void *ctx;
	long long limit;		/* -1: none */
	unsigned long long total;	/* canonical bytes produced */
	unsigned long long passed;	/* bytes given to the sink */
	size_t n;
	char buf[OUTBUF];
};

static void out_init(struct out *o, canon_sink_fn *sink, void *ctx,
		     long long limit)
{
	o->sink = sink;
	o->ctx = ctx;
	o->limit = limit;
	o->total = o->passed = 0;
	o->n = 0;
}

static void out_flush(struct out *o)
{
	if (o->n) {
		o->sink(o->ctx, o->buf, o->n);
		o->n = 0;
	}
}

/* Write n canonical bytes; past the l= limit they are only counted. */
static void out_put(struct out *o, const char *p, size_t n)
{
	o->total += n;
	if (o->limit >= 0) {
		unsigned long long room = (unsigned long long)o->limit - o->passed;
		if (room == 0)
			return;
		if (n > room)
			n = (size_t)room;
	}
	o->passed += n;
	if (n >= OUTBUF / 2) {
		out_flush(o);
		o->sink(o->ctx, p, n);
		return;
	}
	if (o->n + n > OUTBUF)
		out_flush(o);
	memcpy(o->buf + o->n, p, n);
	o->n += n;
}

static void out_byte(struct out *o, char c)
{
	if (o->limit < 0 && o->n < OUTBUF) {	/* the common case */
		o->total++;
		o->passed++;
		o->buf[o->n++] = c;
		return;
	}
	out_put(o, &c, 1);
}

int canon_parse(const char *v, size_t len, enum canon_alg *hdr_r,
		enum canon_alg *body_r)
{
	const char *slash = memchr(v, '/', len);
	size_t hl = slash ? (size_t)(slash - v) : len;
	/* out-parameters: written here, never read (cppcheck's CTU check
	 * takes them for inputs) */
	/* cppcheck-suppress ctuuninitvar */
	enum canon_alg *out[2] = { hdr_r, body_r };
	const char *part[2] = { v, slash ? slash + 1 : NULL };
	size_t plen[2] = { hl, slash ? len - hl - 1 : 0 };
	*body_r = CANON_SIMPLE;		/* §3.5: "simple" when not given */
	for (int i = 0; i < 2; i++) {
		if (!part[i])
			continue;
		if (plen[i] == 6 && !strncasecmp(part[i], "simple", 6))
			*out[i] = CANON_SIMPLE;
		else if (plen[i] == 7 && !strncasecmp(part[i], "relaxed", 7))
			*out[i] = CANON_RELAXED;
		else
			return -1;
	}
	return 0;
}

const char *canon_name(enum canon_alg a)
{
	return a == CANON_RELAXED ? "relaxed" : "simple";
}

/* ---- header fields ---- */

struct hstate {
	struct out *o;
	bool started;	/* a non-WSP value byte was written */
	bool sp;	/* a WSP run is pending */
	bool cr;	/* a CR is pending (might start CRLF) */
};

static void hs_char(struct hstate *s, char c)
{
	if (s->sp) {
		out_byte(s->o, ' ');
		s->sp = false;
	}
	out_byte(s->o, c);
	s->started = true;
}

/* §3.4.2: unfold, WSP runs -> one SP, no WSP at either end of the value. */
static void hs_feed(struct hstate *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (s->cr) {
			s->cr = false;
			if (c == '\n')
				continue;	/* CRLF of a fold: unfold */
			hs_char(s, '\r');
		}
		if (c == '\r')
			s->cr = true;
		else if (c == ' ' || c == '\t')
			s->sp = s->started;
		else
			hs_char(s, c);
	}
}

static void header_canon(enum canon_alg alg, const char *field, size_t len,
			 const char *skip, size_t skip_len, bool final_crlf,
			 canon_sink_fn *sink, void *ctx)
{
	struct out o;
	out_init(&o, sink, ctx, -1);
	size_t end = len;
	if (!final_crlf && end >= 2 && field[end - 2] == '\r' &&
	    field[end - 1] == '\n')
		end -= 2;
	size_t s0 = end, s1 = end;	/* the skipped span, if any */
	if (skip && skip >= field && skip + skip_len <= field + end) {
		s0 = (size_t)(skip - field);
		s1 = s0 + skip_len;
	}
	if (alg == CANON_SIMPLE) {
		/* §3.4.1: no change at all */
		out_put(&o, field, s0);
		out_put(&o, field + s1, end - s1);
		out_flush(&o);
		return;
	}
	/* name: up to the colon, lower case, without WSP before the colon */
	const char *colon = memchr(field, ':', len);
	size_t c = colon ? (size_t)(colon - field) : 0;
	size_t ne = c;
	while (ne > 0 && (field[ne - 1] == ' ' || field[ne - 1] == '\t'))
		ne--;
	for (size_t i = 0; i < ne; i++) {
		char ch = field[i];
		out_byte(&o, ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch);
	}
	out_byte(&o, ':');
	struct hstate s = { &o, false, false, false };
	size_t v = colon ? c + 1 : 0;
	/* the value, minus the final CRLF (re-added below) and the skip */
	size_t vend = len;
	if (vend >= 2 && field[vend - 2] == '\r' && field[vend - 1] == '\n')
		vend -= 2;
	if (vend < v)
		vend = v;
	if (s0 > vend)
		s0 = s1 = vend;
	if (s0 < v)
		s0 = v;
	if (s1 < s0)
		s1 = s0;
	hs_feed(&s, field + v, s0 - v);
	hs_feed(&s, field + s1, vend - s1);
	if (s.cr)
		hs_char(&s, '\r');
	if (final_crlf)
		out_put(&o, "\r\n", 2);
	out_flush(&o);
}

void canon_header(enum canon_alg alg, const char *field, size_t len,
		  canon_sink_fn *sink, void *ctx)
{
	header_canon(alg, field, len, NULL, 0, true, sink, ctx);
}

void canon_header_sig(enum canon_alg alg, const char *field, size_t len,
		      const char *skip, size_t skip_len,
		      canon_sink_fn *sink, void *ctx)
{
	header_canon(alg, field, len, skip, skip_len, false, sink, ctx);
}

/* ---- body stream ---- */

struct canon_body {
	enum canon_alg alg;
	unsigned long long empty;	/* empty lines held back */
	bool content;			/* the current line has content */
	bool sp;			/* relaxed: WSP run pending */
	bool cr;			/* CR pending */
	struct out o;
};

struct canon_body *canon_body_new(enum canon_alg alg, long long limit,
				  canon_sink_fn *sink, void *ctx)
{
	struct canon_body *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->alg = alg;
	out_init(&b->o, sink, ctx, limit);
	return b;
}

/* The first content of a line releases the empty lines held back: they
 * were inner lines after all. */
static inline void line_start(struct canon_body *b)
{
	if (b->content)
		return;
	while (b->empty) {
		out_put(&b->o, "\r\n", 2);
		b->empty--;
	}
	b->content = true;
}

static void content(struct canon_body *b, const char *p, size_t n)
{
	line_start(b);
	if (b->sp) {
		out_byte(&b->o, ' ');
		b->sp = false;
	}
	if (n == 1)
		out_byte(&b->o, *p);
	else
		out_put(&b->o, p, n);
}

static void line_end(struct canon_body *b)
{
	b->sp = false;		/* §3.4.4: no WSP at the end of a line */
	if (b->content) {
		out_put(&b->o, "\r\n", 2);
		b->content = false;
	} else {
		b->empty++;	/* §3.4.3/§3.4.4: maybe a trailing empty line */
	}
}

void canon_body_update(struct canon_body *b, const char *p, size_t n)
{
	bool relaxed = b->alg == CANON_RELAXED;
	size_t i = 0;
	while (i < n) {
		if (b->cr) {
			b->cr = false;
			if (p[i] == '\n') {
				i++;
				line_end(b);
				continue;
			}
			content(b, "\r", 1);
		}
		char c = p[i];
		if (c == '\r') {
			b->cr = true;
			i++;
			continue;
		}
		if (relaxed && (c == ' ' || c == '\t')) {
			/* §3.4.4: a WSP run becomes one SP (if content follows) */
			b->sp = true;
			i++;
			continue;
		}
		/* a run of plain bytes */
		size_t j = i + 1;
		if (relaxed) {
			/* a single SP between two plain bytes stays as it is, so
			 * it can be part of the run (most text is words and
			 * single spaces: whole lines go through in one piece) */
			while (j < n) {
				char ch = p[j];
				if (ch == '\r' || ch == '\t')
					break;
				if (ch == ' ') {
					if (j + 1 >= n)
						break;
					char nx = p[j + 1];
					if (nx == ' ' || nx == '\t' || nx == '\r')
						break;
					j += 2;
					continue;
				}
				j++;
			}
		} else {
			const char *cr = memchr(p + j, '\r', n - j);
			j = cr ? (size_t)(cr - p) : n;
		}
		content(b, p + i, j - i);
		i = j;
	}
}

unsigned long long canon_body_final(struct canon_body *b)
{
	if (b->cr) {
		b->cr = false;
		content(b, "\r", 1);
	}
	/* a last line without CRLF gets one (§3.4.3, §3.4.4) */
	if (b->content)
		line_end(b);
	/* §3.4.3: an empty body is one CRLF in simple, nothing in relaxed */
	if (b->alg == CANON_SIMPLE && b->o.total == 0)
		out_put(&b->o, "\r\n", 2);
	b->empty = 0;
	out_flush(&b->o);
	return b->o.total;
}

void canon_body_free(struct canon_body *b)
{
	free(b);
}

/* ---- shared body hashes ---- */

#define BODYSET_MAX 64

struct bodyset_entry {
	enum canon_alg alg;
	long long limit;
	enum crypto_md md;
	struct crypto_hash *h;
	struct canon_body *cb;
	unsigned long long len;
	unsigned char digest[CRYPTO_MAX_MD];
};

struct canon_bodyset {
	size_t n;
	struct bodyset_entry e[BODYSET_MAX];
};

struct canon_bodyset *canon_bodyset_new(void)
{
	return calloc(1, sizeof(struct canon_bodyset));
}

int canon_bodyset_add(struct canon_bodyset *s, enum canon_alg alg,
		      long long limit, enum crypto_md md)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].alg == alg && s->e[i].limit == limit &&
		    s->e[i].md == md)
			return (int)i;
	if (s->n == BODYSET_MAX)
		return -1;
	struct bodyset_entry *e = &s->e[s->n];
	e->alg = alg;
	e->limit = limit;
	e->md = md;
	e->h = crypto_hash_new(md);
	e->cb = e->h ? canon_body_new(alg, limit, crypto_hash_sink, e->h) : NULL;
	if (!e->cb) {
		crypto_hash_free(e->h);
		e->h = NULL;
		return -1;
	}
	return (int)s->n++;
}

void canon_bodyset_update(struct canon_bodyset *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		canon_body_update(s->e[i].cb, p, n);
}

void canon_bodyset_final(struct canon_bodyset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		s->e[i].len = canon_body_final(s->e[i].cb);
		crypto_hash_final(s->e[i].h, s->e[i].digest);
	}
}

const unsigned char *canon_bodyset_digest(const struct canon_bodyset *s,
					  int idx,
					  unsigned long long *canon_len_r)
{
	if (idx < 0 || (size_t)idx >= s->n)
		return NULL;
	if (canon_len_r)
		*canon_len_r = s->e[idx].len;
	return s->e[idx].digest;
}

void canon_bodyset_free(struct canon_bodyset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		canon_body_free(s->e[i].cb);
		crypto_hash_free(s->e[i].h);
	}
	free(s);
}

int canon_hsel_init(struct canon_hsel *s, const struct msg *m, size_t skip)
{
	s->m = m;
	s->skip = skip;
	s->used = calloc(m->nhdrs ? m->nhdrs : 1, 1);
	return s->used ? 0 : -1;
}

size_t canon_hsel_next(struct canon_hsel *s, const char *name, size_t len)
{
	const struct msg *m = s->m;
	if (len == 0)
		return MSG_NOT_FOUND;	/* "to::date": an empty entry selects nothing */
	for (size_t h = m->nhdrs; h-- > 0;) {
		if (h == s->skip || s->used[h] || m->hdrs[h].name_len != len ||
		    strncasecmp(m->data + m->hdrs[h].off, name, len))
			continue;
		s->used[h] = 1;
		return h;
	}
	return MSG_NOT_FOUND;
}

void canon_hsel_clear(struct canon_hsel *s)
{
	free(s->used);
	s->used = NULL;
}
