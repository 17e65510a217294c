/* fuzz_canon.c - header and body canonicalization on arbitrary bytes.
 * Properties: the body stream gives the same digest and length whatever
 * the chunking; relaxed output never holds a WSP run, nor SP before a
 * CRLF; l= never lets more than l bytes through. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"

struct cap {
	unsigned char prev, prev2;
	size_t n;
	int relaxed_bad;
};

static void check_sink(void *ctx, const void *p, size_t n)
{
	struct cap *c = ctx;
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		/* a bare CR is an ordinary byte: only " \r\n" is WSP at a line end */
		if ((c->prev == ' ' && (b[i] == ' ' || b[i] == '\t')) ||
		    (c->prev2 == ' ' && c->prev == '\r' && b[i] == '\n'))
			c->relaxed_bad = 1;
		c->prev2 = c->prev;
		c->prev = b[i];
	}
	c->n += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum canon_alg alg = data[0] & 1 ? CANON_RELAXED : CANON_SIMPLE;
	size_t step = (size_t)(data[1] % 17) + 1;
	long long limit = data[0] & 2 ? (long long)(data[0] >> 2) : -1;
	const char *p = (const char *)data + 2;
	size_t n = size - 2;

	/* header field + signature-field variant with a skipped middle */
	struct cap hc = { 0 };
	canon_header(alg, p, n, check_sink, &hc);
	/* the WSP property holds for what struct msg holds: no bare LF (the
	 * intake made every LF a CRLF), and a field name of ftext, then ":" */
	int wire = 1;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			wire = 0;
	const char *colon = memchr(p, ':', n);
	int named = wire && colon && colon > p;
	for (const char *q = p; named && q < colon; q++)
		named = *q >= 33 && *q <= 126;
	if (alg == CANON_RELAXED && named && hc.relaxed_bad)
		abort();
	canon_header_sig(alg, p, n, p + n / 3, n / 3, check_sink, &hc);

	/* body: whole vs chunked */
	struct crypto_hash *h1 = crypto_hash_new(CRYPTO_SHA256);
	struct crypto_hash *h2 = crypto_hash_new(CRYPTO_SHA256);
	struct cap bc = { 0 };
	struct canon_body *b1 = canon_body_new(alg, limit, crypto_hash_sink, h1);
	struct canon_body *b2 = canon_body_new(alg, limit, crypto_hash_sink, h2);
	struct canon_body *b3 = canon_body_new(alg, -1, check_sink, &bc);
	canon_body_update(b1, p, n);
	canon_body_update(b3, p, n);
	for (size_t i = 0; i < n; i += step)
		canon_body_update(b2, p + i, n - i < step ? n - i : step);
	unsigned long long l1 = canon_body_final(b1), l2 = canon_body_final(b2);
	unsigned long long l3 = canon_body_final(b3);
	unsigned char d1[64], d2[64];
	crypto_hash_final(h1, d1);
	crypto_hash_final(h2, d2);
	if (l1 != l2 || l1 != l3 || bc.n != l3 || memcmp(d1, d2, 32))
		abort();
	if (alg == CANON_RELAXED && wire && bc.relaxed_bad)
		abort();
	canon_body_free(b1);
	canon_body_free(b2);
	canon_body_free(b3);
	crypto_hash_free(h1);
	crypto_hash_free(h2);
	return 0;
}
