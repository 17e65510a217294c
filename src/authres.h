/* authres.h - read Authentication-Results values (RFC 8601 section 2.2).
 *
 * Takes the value of an Authentication-Results or ARC-Authentication-Results
 * field (after the colon, or after "i=N;" for ARC); returns the authserv-id
 * and the resinfo items (method, result, reason, ptype.property=value).
 * Used to find forged copies of our own A-R (verdict) and to read a trusted
 * ARC sealer's results (dmarc).  Bounded: long tokens are truncated, at most
 * the caller's number of items and AUTHRES_MAX_PROPS properties are kept,
 * comments nest at most AUTHRES_MAX_DEPTH deep.  Never writes the message.
 */
#ifndef AUTHDELIVER_AUTHRES_H
#define AUTHDELIVER_AUTHRES_H

#include <stddef.h>

#define AUTHRES_MAX_PROPS 8
#define AUTHRES_MAX_DEPTH 8

struct authres_prop {
	char ptype[16];		/* "smtp", "header", "policy", ... */
	char prop[32];		/* "mailfrom", "d", "from", ... */
	char value[256];
};

struct authres_item {
	char method[32];	/* lower case: "spf", "dkim", "dmarc", ... */
	char result[32];	/* lower case: "pass", "fail", ... */
	char reason[128];
	size_t nprops;
	struct authres_prop props[AUTHRES_MAX_PROPS];
};

/* authserv-id of an A-R value (CFWS and comments skipped), copied into
 * buf; returns its length, or -1 when there is none or it does not fit. */
int authres_servid(const char *v, size_t len, char *buf, size_t size);

/* Parse up to max resinfo items.  Returns the number stored (0 for
 * "none"), or -1 when the value is not a parseable A-R.  Items after a
 * syntax error are dropped; the ones before it are kept. */
int authres_parse(const char *v, size_t len, struct authres_item *items,
		  size_t max);

/* The value of ptype.prop in item, or NULL. */
const char *authres_prop(const struct authres_item *it, const char *ptype,
			 const char *prop);

#endif
