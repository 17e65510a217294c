/* zone.h - the RFC 1035 zone file reader behind dns_zone_file and
 * --dns-zone (dns.c hands the records to libunbound as local data).
 *
 * Takes a master file; returns each record as one line of text ("owner
 * TTL class type rdata", names absolute) through the sink, and the test
 * directives $TIMEOUT NAME [TYPE] / $SERVFAIL NAME [TYPE] as simulated
 * failures.  Bounded: the file is at most ZONE_MAX bytes.  Never resolves
 * anything itself.
 */
#ifndef AUTHDELIVER_ZONE_H
#define AUTHDELIVER_ZONE_H

#include <stddef.h>

#define ZONE_MAX (64L << 20)	/* bytes in a zone file */
#define ZONE_LINE_TOKENS 4096	/* tokens in one entry */

enum { ZONE_SIM_TIMEOUT = 1, ZONE_SIM_SERVFAIL = 2 };

struct zone_sink {
	void *ctx;
	/* One record; 0, or -1 with a reason in *why_r. */
	int (*record)(void *ctx, const char *rr, const char **why_r);
	/* A simulated failure for name (absolute) and type (0: every type);
	 * -1 when out of memory. */
	int (*sim)(void *ctx, const char *name, int type, int kind);
};

/* 0 with *neg_ttl_r (the $TTL, else 3600: the TTL of negative answers),
 * or -1 and "file:line: problem" in err. */
int zone_read(const char *file, const struct zone_sink *sink, unsigned *neg_ttl_r, char *err,
	      size_t errsz);

#endif
