/* canon.h - DKIM/ARC canonicalization (RFC 6376 §3.4) of header fields and
 * of a body stream, and the shared body hashes of one message.
 *
 * Takes the received bytes (struct msg slices, CRLF wire form); writes the
 * canonical bytes to a sink (usually crypto_hash_sink).  Never builds a
 * canonical copy of the message and never re-serializes it: header fields
 * are canonicalized from their raw bytes, the body in chunks.
 */
#ifndef AUTHDELIVER_CANON_H
#define AUTHDELIVER_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"

enum canon_alg { CANON_SIMPLE = 0, CANON_RELAXED = 1 };

/* Where canonical bytes go: sink(ctx, bytes, n). */
typedef void canon_sink_fn(void *ctx, const void *p, size_t n);

/* Parse a "c=" value ("relaxed/simple", "simple", ...): RFC 6376 §3.5,
 * body defaults to simple.  Returns 0, or -1 for an unknown algorithm. */
int canon_parse(const char *v, size_t len, enum canon_alg *hdr_r,
		enum canon_alg *body_r);
const char *canon_name(enum canon_alg);

/* One header field, given as its raw bytes (name, colon, value, folding
 * and the final CRLF: msg->data + hdrs[i].off, hdrs[i].len), in the form
 * §3.4.1 (simple) or §3.4.2 (relaxed) prescribes, final CRLF included. */
void canon_header(enum canon_alg alg, const char *field, size_t len,
		  canon_sink_fn *sink, void *ctx);

/* The signature header field itself (§3.7): the bytes [skip, skip +
 * skip_len) - the raw value of b=, surrounding FWS included, i.e.
 * tagval_tag.raw - are left out, and so is the final CRLF.  skip must
 * point into field. */
void canon_header_sig(enum canon_alg alg, const char *field, size_t len,
		      const char *skip, size_t skip_len,
		      canon_sink_fn *sink, void *ctx);

/* Body canonicalization as a stream (§3.4.3, §3.4.4): feed the body in
 * chunks of any size (line ends may be split across chunks); trailing
 * empty lines are held back until more content proves them inner lines.
 * limit (>= 0) stops the output after that many canonical bytes (l=,
 * §3.5); -1 means no limit.  The canonical length is counted in full,
 * also past the limit. */
struct canon_body;
struct canon_body *canon_body_new(enum canon_alg alg, long long limit,
				  canon_sink_fn *sink, void *ctx);
void canon_body_update(struct canon_body *b, const char *p, size_t n);
/* End of the body; returns the full canonical length. */
unsigned long long canon_body_final(struct canon_body *b);
void canon_body_free(struct canon_body *b);

/* The distinct body hashes one message needs: signatures with the same
 * (canonicalization, l=, hash) share one entry, so the body is
 * canonicalized and hashed once per distinct triple and read once. */
struct canon_bodyset;
struct canon_bodyset *canon_bodyset_new(void);
/* Returns the entry index for this triple (an existing one when equal),
 * or -1 past 64 distinct entries / out of memory. */
int canon_bodyset_add(struct canon_bodyset *s, enum canon_alg alg,
		      long long limit, enum crypto_md md);
/* Feed the body to every entry (all chunks, then _final once). */
void canon_bodyset_update(struct canon_bodyset *s, const char *p, size_t n);
void canon_bodyset_final(struct canon_bodyset *s);
/* After _final: the digest of entry idx (crypto_md_size bytes) and the
 * full canonical body length (before any l= cut). */
const unsigned char *canon_bodyset_digest(const struct canon_bodyset *s,
					  int idx,
					  unsigned long long *canon_len_r);
void canon_bodyset_free(struct canon_bodyset *s);

/* RFC 6376 section 5.4.2 header selection, the one routine DKIM and ARC
 * use: each name listed in h= takes the next field of that name from the
 * bottom up that no earlier entry took; an entry with none left selects
 * nothing (so oversigning signs absence).  skip is a field never selected
 * (the DKIM signature itself), or (size_t)-1. */
struct msg;
struct canon_hsel {
	const struct msg *m;
	size_t skip;
	unsigned char *used;	/* per header field */
};
/* 0, or -1 out of memory. */
int canon_hsel_init(struct canon_hsel *s, const struct msg *m, size_t skip);
/* Index of the field the next h= entry name (len bytes) selects, or
 * (size_t)-1 for none. */
size_t canon_hsel_next(struct canon_hsel *s, const char *name, size_t len);
void canon_hsel_clear(struct canon_hsel *s);

#endif
