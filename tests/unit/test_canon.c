/* test_canon.c - header and body canonicalization (RFC 6376 §3.4): the
 * §3.4.5 examples, edge cases, chunking, l=, and shared body hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "t.h"

struct buf {
	char b[8192];
	size_t n;
};

static void sink(void *ctx, const void *p, size_t n)
{
	struct buf *b = ctx;
	if (b->n + n < sizeof(b->b)) {
		memcpy(b->b + b->n, p, n);
		b->n += n;
	}
	b->b[b->n] = 0;
}

static const char *hdr(enum canon_alg a, const char *f)
{
	static struct buf b;
	b.n = 0;
	b.b[0] = 0;
	canon_header(a, f, strlen(f), sink, &b);
	return b.b;
}

/* Body through the stream, fed in chunks of size step. */
static const char *body(enum canon_alg a, const char *in, size_t step,
			long long limit, unsigned long long *len_r)
{
	static struct buf b;
	b.n = 0;
	b.b[0] = 0;
	struct canon_body *cb = canon_body_new(a, limit, sink, &b);
	size_t n = strlen(in);
	for (size_t i = 0; i < n; i += step)
		canon_body_update(cb, in + i, n - i < step ? n - i : step);
	unsigned long long l = canon_body_final(cb);
	if (len_r)
		*len_r = l;
	canon_body_free(cb);
	return b.b;
}

static const struct {
	const char *in, *simple, *relaxed;
} bodies[] = {
	/* RFC 6376 §3.4.5 */
	{ " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n" },
	{ "", "\r\n", "" },
	{ "\r\n", "\r\n", "" },
	{ "\r\n\r\n\r\n", "\r\n", "" },
	{ "abc", "abc\r\n", "abc\r\n" },
	{ "abc \t", "abc \t\r\n", "abc\r\n" },
	{ "a\r\n\r\nb\r\n\r\n", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n" },
	{ "a\r\n \t\r\n", "a\r\n \t\r\n", "a\r\n" },
	{ "a\r\n \r\nb\r\n", "a\r\n \r\nb\r\n", "a\r\n\r\nb\r\n" },
	{ "  lead\r\n", "  lead\r\n", " lead\r\n" },
	{ "a\rb\r\n", "a\rb\r\n", "a\rb\r\n" },
	{ "a \r\r\n", "a \r\r\n", "a \r\r\n" },
	{ "a\r", "a\r\r\n", "a\r\r\n" },
	{ "\t\r\n\t\r\n", "\t\r\n\t\r\n", "" },
	{ "x\n y", "x\n y\r\n", "x\n y\r\n" },
};

int main(void)
{
	/* RFC 6376 §3.4.5 header examples */
	T_STR(hdr(CANON_RELAXED, "A: X\r\n"), "a:X\r\n", "relaxed A: X");
	T_STR(hdr(CANON_RELAXED, "B : Y\t\r\n\tZ  \r\n"), "b:Y Z\r\n", "relaxed B : Y Z");
	T_STR(hdr(CANON_SIMPLE, "B : Y\t\r\n\tZ  \r\n"), "B : Y\t\r\n\tZ  \r\n", "simple unchanged");
	T_STR(hdr(CANON_RELAXED, "SUBJect:\r\n"), "subject:\r\n", "relaxed empty value");
	T_STR(hdr(CANON_RELAXED, "X:  \t a  \t\tb \r\n \t\r\n"), "x:a b\r\n", "relaxed WSP runs");
	T_STR(hdr(CANON_RELAXED, "X: a\rb\r\n"), "x:a\rb\r\n", "relaxed bare CR kept");

	/* the signature header: b= value removed, no final CRLF */
	{
		const char *f = "DKIM-Signature: a=x; b=AbC\r\n dEf; c=y\r\n";
		const char *raw = strstr(f, "b=") + 2;
		size_t rl = (size_t)(strstr(f, "; c=") - raw);
		struct buf b = { .n = 0 };
		canon_header_sig(CANON_RELAXED, f, strlen(f), raw, rl, sink, &b);
		T_STR(b.b, "dkim-signature:a=x; b=; c=y", "sig relaxed b= emptied");
		b.n = 0;
		b.b[0] = 0;
		canon_header_sig(CANON_SIMPLE, f, strlen(f), raw, rl, sink, &b);
		T_STR(b.b, "DKIM-Signature: a=x; b=; c=y", "sig simple b= emptied");
		const char *g = "DKIM-Signature: a=x;\r\n b=AbC\r\n dEf\r\n";
		raw = strstr(g, "b=") + 2;
		rl = strlen(raw) - 2;
		b.n = 0;
		b.b[0] = 0;
		canon_header_sig(CANON_RELAXED, g, strlen(g), raw, rl, sink, &b);
		T_STR(b.b, "dkim-signature:a=x; b=", "sig relaxed b= last");
		b.n = 0;
		b.b[0] = 0;
		canon_header_sig(CANON_SIMPLE, g, strlen(g), raw, rl, sink, &b);
		T_STR(b.b, "DKIM-Signature: a=x;\r\n b=", "sig simple b= last");
	}

	enum canon_alg a, bd;
	T_INT(canon_parse("relaxed/simple", 14, &a, &bd), 0, "c= relaxed/simple");
	T_OK(a == CANON_RELAXED && bd == CANON_SIMPLE, "c= relaxed/simple values");
	T_INT(canon_parse("relaxed", 7, &a, &bd), 0, "c= relaxed");
	T_OK(a == CANON_RELAXED && bd == CANON_SIMPLE, "c= relaxed: body simple");
	T_INT(canon_parse("simple/relaxed", 14, &a, &bd), 0, "c= simple/relaxed");
	T_OK(a == CANON_SIMPLE && bd == CANON_RELAXED, "c= simple/relaxed values");
	T_INT(canon_parse("relaxed/", 8, &a, &bd), -1, "c= relaxed/ empty body alg");
	T_INT(canon_parse("nowsp", 5, &a, &bd), -1, "c= unknown");

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char name[80];
		static const size_t steps[] = { 1, 3, 1000 };
		for (size_t si = 0; si < 3; si++) {
			size_t step = steps[si];
			snprintf(name, sizeof(name), "body %zu simple step %zu", i, step);
			T_STR(body(CANON_SIMPLE, bodies[i].in, step, -1, NULL), bodies[i].simple, name);
			snprintf(name, sizeof(name), "body %zu relaxed step %zu", i, step);
			T_STR(body(CANON_RELAXED, bodies[i].in, step, -1, NULL), bodies[i].relaxed, name);
		}
	}

	/* l=: output cut, full length still counted */
	unsigned long long len;
	T_STR(body(CANON_SIMPLE, "hello\r\nworld\r\n", 2, 7, &len), "hello\r\n", "l=7 cut");
	T_INT(len, 14, "l=7 full length counted");
	T_STR(body(CANON_SIMPLE, "hello\r\n", 2, 100, &len), "hello\r\n", "l= longer than body");
	T_INT(len, 7, "l= longer: length");
	T_STR(body(CANON_RELAXED, "a  b\r\n\r\n", 1, 0, &len), "", "l=0");
	T_INT(len, 5, "l=0: length");

	/* a long body: chunked == whole, and the bodyset shares entries */
	size_t big = 300000;
	char *m = malloc(big + 1);
	for (size_t i = 0; i < big; i++)
		m[i] = (i % 71 == 69) ? '\r' : (i % 71 == 70) ? '\n' : (i % 13 == 0) ? ' ' : 'a' + (char)(i % 26);
	m[big] = 0;
	struct canon_bodyset *s1 = canon_bodyset_new(), *s2 = canon_bodyset_new();
	int e1 = canon_bodyset_add(s1, CANON_RELAXED, -1, CRYPTO_SHA256);
	int e2 = canon_bodyset_add(s1, CANON_SIMPLE, -1, CRYPTO_SHA256);
	int e3 = canon_bodyset_add(s1, CANON_RELAXED, -1, CRYPTO_SHA256);
	int e4 = canon_bodyset_add(s1, CANON_RELAXED, 100, CRYPTO_SHA256);
	T_OK(e1 == 0 && e2 == 1 && e3 == 0 && e4 == 2, "bodyset shares equal triples");
	canon_bodyset_update(s1, m, big);
	canon_bodyset_final(s1);
	int f1 = canon_bodyset_add(s2, CANON_RELAXED, -1, CRYPTO_SHA256);
	for (size_t i = 0; i < big; i += 777)
		canon_bodyset_update(s2, m + i, big - i < 777 ? big - i : 777);
	canon_bodyset_final(s2);
	unsigned long long l1, l2;
	const unsigned char *d1 = canon_bodyset_digest(s1, e1, &l1);
	const unsigned char *d2 = canon_bodyset_digest(s2, f1, &l2);
	T_OK(!memcmp(d1, d2, 32) && l1 == l2, "bodyset chunked == whole");
	T_OK(canon_bodyset_digest(s1, 7, NULL) == NULL, "bodyset bad index");
	canon_bodyset_free(s1);
	canon_bodyset_free(s2);
	free(m);
	T_DONE();
}
