/* dkim.h - DKIM signature verification (RFC 6376, 8301, 8463).
 *
 * Takes the message in wire form and DNS; returns one result per
 * DKIM-Signature (up to dkim_max_signatures, the rest AUTH_POLICY).
 * Canonicalization reads the received bytes (canon.h), never a GMime
 * re-serialization.
 */
#ifndef AUTHDELIVER_DKIM_H
#define AUTHDELIVER_DKIM_H

#include <stddef.h>
#include <time.h>
#include "auth.h"

struct conf;
struct dns;
struct msg;

struct dkim_sig_result {
	enum auth_code code;	/* pass fail neutral policy temperror permerror */
	char reason[128];	/* "body hash mismatch", "key revoked", ... */
	char d[256], i[256], s[128], a[32];
	char b[9];		/* first 8 characters of b= */
	int bits;		/* key size, 0 unknown */
	int secure;		/* key answer was DNSSEC-secure */
	int dnssec;		/* enum dns_validated (dnssec = yes) */
	long l;			/* l= value, -1 when absent */
	int testing;		/* key t=y */
};

struct dkim_result {
	size_t n;
	struct dkim_sig_result *sigs;	/* in header order */
};

/* Queue the key lookups of every signature (dns_prefetch), so that they run
 * in parallel with SPF. */
void dkim_prefetch(struct dns *d, const struct msg *m, const struct conf *c);
/* now: the clock for t=/x= checks.  Returns 0 with one result per
 * signature (res_r owns memory), or -1 when out of memory with res_r
 * empty: the caller reports dkim=temperror, never dkim=none. */
int dkim_verify(const struct conf *c, struct dns *d, const struct msg *m,
		time_t now, struct dkim_result *res_r);
void dkim_result_clear(struct dkim_result *);
/* "dkim=pass (2048-bit key; secure) header.d=... header.b=..." */
int dkim_ar(const struct dkim_sig_result *r, char *buf, size_t size);

#endif
