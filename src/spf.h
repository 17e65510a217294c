/* spf.h - Sender Policy Framework, RFC 7208.
 *
 * Takes client IP, HELO and MAIL FROM; returns the check_host() result with
 * the reason, explanation and the identity that decided.  DNS goes through
 * dns.h with the RFC 7208 section 4.6.4 limits from conf.
 */
#ifndef AUTHDELIVER_SPF_H
#define AUTHDELIVER_SPF_H

#include "auth.h"

struct conf;
struct dns;

struct spf_result {
	enum auth_code code;	/* none neutral pass fail softfail temperror permerror */
	char reason[128];	/* short: "mechanism ip4:192.0.2.0/24 matched" */
	char explanation[256];	/* exp= text for fail, "" otherwise */
	char problem[128];	/* for temperror/permerror */
	char identity[9];	/* "mailfrom" or "helo" */
	char domain[256];	/* domain checked */
	char sender[512];	/* <sender> as checked (postmaster@helo for <>) */
	int dns_lookups;	/* DNS-querying mechanisms/modifiers used */
	int void_lookups;
};

struct spf_request {
	const char *ip;		/* client IP, textual */
	const char *helo;
	const char *mail_from;	/* "" for <> */
	const char *receiver;	/* our hostname, for %{r} and Received-SPF */
};

struct spf;
struct spf *spf_new(const struct conf *c, struct dns *d);
void spf_free(struct spf *);

/* RFC 7208 section 2.3/2.4: checks HELO (when configured, or when MAIL FROM
 * is empty) and MAIL FROM; the decisive result goes to res_r, the HELO
 * result (or AUTH_NONE when not checked) to helo_r (may be NULL). */
void spf_verify(struct spf *, const struct spf_request *req,
		struct spf_result *res_r, struct spf_result *helo_r);

/* "Received-SPF: ..." with CRLF line ends, folded at 78; malloc'd. */
char *spf_received_spf(const struct spf_result *res,
		       const struct spf_request *req, const struct conf *c);
/* The method part of Authentication-Results: "spf=pass (reason)
 * smtp.mailfrom=example.com"; returns the length or -1 if truncated. */
int spf_ar(const struct spf_result *res, char *buf, size_t size);

#endif
