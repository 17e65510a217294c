/* dns.h - DNS through libunbound: cache, async prefetch, deadlines, DNSSEC.
 *
 * Takes names and types, returns answers with a status the verifiers map to
 * their temperror/permerror rules.  Answers come from libunbound (system
 * resolver, forwarders or full recursion) or, in offline mode, only from a
 * zone file loaded into libunbound as local data.  Never blocks past the
 * per-query timeout or the per-message deadline.
 *
 * One struct dns per process, created after fork() (libunbound runs one
 * worker thread per context, which does not survive a fork), kept across
 * messages so that its cache stays warm.  Not thread-safe: call it from
 * one thread.
 *
 * Answers are refcounted and immutable.  Every answer returned by
 * dns_lookup() is released with dns_answer_free(), exactly once; it stays
 * valid until then, even after the cache drops it or dns_free().  Two
 * lookups of the same fresh (name, type) may return the same pointer.
 */
#ifndef AUTHDELIVER_DNS_H
#define AUTHDELIVER_DNS_H

#include <stdbool.h>
#include <stddef.h>

struct conf;
struct dns;

enum { DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_PTR = 12,
       DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SPF = 99 };

enum dns_status {
	DNS_OK = 0,		/* n >= 1 records of the asked type */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of this type */
	DNS_TEMPFAIL,		/* timeout, SERVFAIL, deadline, DNSSEC bogus */
	DNS_BADNAME,		/* not a valid domain name; never queried */
};

enum dns_sec { DNS_SEC_INSECURE = 0, DNS_SEC_SECURE, DNS_SEC_BOGUS };

struct dns_rr {
	unsigned short type;
	unsigned short pref;	/* MX preference */
	size_t len;		/* bytes in data (without the added NUL) */
	const char *data;	/* TXT: character-strings concatenated;
				 * A: 4 bytes; AAAA: 16 bytes;
				 * MX/PTR/NS/CNAME: name in presentation form,
				 * lower case, no trailing dot.  Always followed
				 * by a NUL byte. */
};

struct dns_answer {
	enum dns_status status;
	enum dns_sec sec;
	size_t n;
	struct dns_rr *rr;
	const char *why;	/* TEMPFAIL: "timeout" (dns_timeout passed or
				 * $TIMEOUT), "deadline", "SERVFAIL",
				 * "REFUSED", "DNSSEC bogus", "CNAME chain
				 * too long", a libunbound error text;
				 * BADNAME: "invalid domain name";
				 * otherwise NULL.  Static storage. */
	bool truncated;		/* more than conf->dns_max_records; the
				 * first dns_max_records are in rr[] */
};

/* zone_file overrides conf->dns_zone_file (the --dns-zone option); with
 * either, answers come only from that file (see doc/notes/dns.md) and the
 * network is never used.  c may be NULL (defaults).  On error returns NULL
 * and error_r (static storage), e.g. "zone:12: unknown type: FOO". */
struct dns *dns_new(const struct conf *c, const char *zone_file,
		    const char **error_r);
void dns_free(struct dns *);

/* Start an asynchronous query; the answer lands in the cache and a later
 * dns_lookup() of the same name/type waits for it.  Use it to run the
 * lookups of one message in parallel (DKIM keys, DMARC, SPF). */
void dns_prefetch(struct dns *, const char *name, int type);

/* Look up name/type (from the cache when fresh).  Never returns NULL.
 * Release with dns_answer_free().  An invalid name gives DNS_BADNAME
 * without a query.  TEMPFAIL answers are not cached. */
const struct dns_answer *dns_lookup(struct dns *, const char *name, int type);
void dns_answer_free(const struct dns_answer *);

/* Per-message deadline in milliseconds from now (0: none).  After it,
 * lookups that are not answered yet return DNS_TEMPFAIL "deadline". */
void dns_set_deadline(struct dns *, long ms);
/* true when a lookup since the last dns_set_deadline(d, ms > 0) was cut
 * short by that deadline (the caller's verdict timed out) */
bool dns_deadline_hit(const struct dns *);

/* What a verifier's result says about DNSSEC, for the A-R comments and
 * --json: only when answers are validated (dnssec = yes, not from a zone
 * file) is a result secure (every answer it rests on was) or insecure. */
enum dns_validated { DNS_UNVALIDATED = 0, DNS_VALIDATED_SECURE, DNS_VALIDATED_INSECURE };
/* Are answers DNSSEC-validated in this context? */
bool dns_validating(const struct dns *);
/* "", "secure", "insecure" */
const char *dns_validated_name(enum dns_validated);

/* Syntax check of a name before it is queried: 1..253 bytes (one trailing
 * dot allowed), no empty label, labels of 1..63 visible US-ASCII
 * characters other than '\\' (RFC 2181 §11; RFC 7208 §7.1 domain-specs
 * may hold any visible character, e.g. "foo:bar/baz.example.com").  It
 * does not enforce LDH host-name syntax: SPF's toplabel rule, DKIM's
 * selector syntax etc. are the verifiers' checks.  1 valid, 0 not. */
int dns_name_valid(const char *name);

/* The reverse-lookup name of a textual IPv4/IPv6 address (RFC 1035
 * §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa), no trailing dot.  Returns 0,
 * or -1 if ip is not an address. */
int dns_reverse_name(const char *ip, char out[74]);

const char *dns_status_name(enum dns_status);

#endif
