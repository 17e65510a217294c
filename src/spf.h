/* spf.h - Sender Policy Framework, RFC 7208.
 *
 * Takes client IP, HELO and MAIL FROM; returns the check_host() result with
 * the reason, explanation and the identity that decided.  DNS goes through
 * dns.h with the RFC 7208 section 4.6.4 limits from conf.  Never allocates
 * on the evaluation path except through dns.h; never recurses deeper than
 * SPF_MAX_DEPTH.
 */
#ifndef AUTHDELIVER_SPF_H
#define AUTHDELIVER_SPF_H

#include <stddef.h>

#include "auth.h"

struct conf;
struct dns;

#define SPF_MAX_RECORD	4096	/* longer SPF records are a permerror */
#define SPF_MAX_TERMS	128	/* terms per record; more is a permerror */
#define SPF_MAX_DEPTH	24	/* include/redirect nesting; more is a permerror */
#define SPF_MAX_NAMES	10	/* RFC 7208 4.6.4: MX and PTR names looked at */

struct spf_result {
	enum auth_code code;	/* none neutral pass fail softfail temperror permerror */
	char reason[128];	/* short: "mechanism ip4:192.0.2.0/24 matched" */
	char explanation[256];	/* exp= text for fail, "" otherwise */
	char problem[128];	/* for temperror/permerror */
	char identity[9];	/* "mailfrom" or "helo" */
	char domain[256];	/* domain checked */
	char sender[512];	/* <sender> as checked (postmaster@helo for <>) */
	char mechanism[96];	/* the mechanism that matched, "" for none */
	int dns_lookups;	/* DNS-querying mechanisms/modifiers used */
	int void_lookups;
	int dnssec;		/* enum dns_validated: secure when every DNS
				 * answer the result rests on was (dnssec = yes) */
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
 * result (or AUTH_NONE when not checked) to helo_r (may be NULL).  The
 * decisive result is the MAIL FROM one, or the HELO one when MAIL FROM is
 * empty (identity "helo"). */
void spf_verify(struct spf *, const struct spf_request *req,
		struct spf_result *res_r, struct spf_result *helo_r);

/* check_host() for one identity: sender is "local@domain" (or a bare
 * domain), identity "mailfrom" or "helo". */
void spf_check_host(struct spf *, const struct spf_request *req,
		    const char *sender, const char *identity,
		    struct spf_result *res_r);

/* "Received-SPF: ..." with CRLF line ends, folded at 78; malloc'd. */
char *spf_received_spf(const struct spf_result *res,
		       const struct spf_request *req, const struct conf *c);
/* The method part of Authentication-Results: "spf=pass (reason)
 * smtp.mailfrom=example.com"; returns the length or -1 if truncated. */
int spf_ar(const struct spf_result *res, char *buf, size_t size);

/* ---- The parts below are exposed for the unit tests and the fuzzer. ---- */

enum spf_mech { SPF_ALL, SPF_INCLUDE, SPF_A, SPF_MX, SPF_PTR, SPF_IP4,
		SPF_IP6, SPF_EXISTS };

struct spf_term {
	unsigned char mech;	/* enum spf_mech */
	char qual;		/* '+' '-' '~' '?' */
	unsigned char cidr4, cidr6;
	unsigned short off, len;	/* whole term text in the record */
	unsigned short arg, arglen;	/* domain-spec (len 0: none) */
	unsigned char net[16];	/* ip4/ip6 network, masked */
};

struct spf_record {
	int n;
	struct spf_term t[SPF_MAX_TERMS];
	unsigned short redirect, redirect_len;	/* redirect_len 0: none */
	unsigned short exp, exp_len;
	int has_redirect, has_exp;
};

/* Parse an SPF record (starting with "v=spf1") of len bytes.  Returns 0,
 * or -1 with the syntax problem in err (a permerror). */
int spf_parse_record(const char *rec, size_t len, struct spf_record *r,
		     char *err, size_t errsize);

/* What the macros expand to (RFC 7208 section 7.2).  ip is 4 or 16 bytes. */
struct spf_macro_env {
	const char *sender, *local, *sender_domain, *domain, *helo, *receiver;
	const char *validated;	/* %{p}: NULL = compute with p_fn */
	const char *(*p_fn)(void *arg);
	void *p_arg;
	int af;			/* 4 or 6 */
	unsigned char ip[16];
	long now;		/* %{t} */
};

enum spf_macro_mode {
	SPF_MACRO_DOMAIN,	/* domain-spec: s l o d i p v h; 253 rule */
	SPF_MACRO_STRING,	/* other macro-string (unknown modifier) */
	SPF_MACRO_EXPLAIN,	/* explain-string: also c r t, and spaces */
};

/* Expand src[0..len) into out.  Returns the output length, or -1 with a
 * syntax problem in err.  In SPF_MACRO_DOMAIN mode a trailing dot is
 * dropped and a result longer than 253 loses labels on the left (RFC 7208
 * section 7.3); in the other modes the output is cut at size - 1.  env may
 * be NULL to check syntax only. */
int spf_expand_macro(const struct spf_macro_env *env, const char *src,
		     size_t len, enum spf_macro_mode mode, char *out,
		     size_t size, char *err, size_t errsize);

/* Does ip (af 4/6) fall in net/bits? */
int spf_cidr_match(int af, const unsigned char *ip, const unsigned char *net,
		   int bits);

#endif
