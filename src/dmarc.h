/* dmarc.h - DMARC (RFC 9989): Author Domain, policy discovery, alignment.
 *
 * Takes the message's RFC5322.From, the SPF and DKIM results that the other
 * verifiers computed (DMARC never re-runs them), the ARC result and DNS;
 * returns pass / fail / none / temperror / permerror, the policy that
 * applies (p, sp or np, lowered one step by t=y), the disposition after
 * local policy, and the reason.  Policy records and Organizational Domains
 * come from the RFC 9989 section 4.10 DNS Tree Walk, or in the RFC 7489
 * compatibility mode (dmarc_mode = psl) from the Public Suffix List.
 * Every lookup goes through dns.h.  Never sends reports.
 */
#ifndef AUTHDELIVER_DMARC_H
#define AUTHDELIVER_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include "auth.h"

struct conf;
struct dns;
struct msg;
struct arc_result;

/* RFC 9989 section 4.10: at most 8 queries per tree walk. */
#define DMARC_WALK_MAX 8
/* Author Domains looked at in one From (the rest: anomaly). */
#define DMARC_MAX_AUTHORS 8
#define DMARC_DOMAIN_MAX 256
/* rua kept for aggregate reports; a longer list loses its last URIs */
#define DMARC_RUA_MAX 1024

enum dmarc_policy { DMARC_P_UNSET = 0, DMARC_P_NONE, DMARC_P_QUARANTINE,
		    DMARC_P_REJECT };
enum dmarc_psd { DMARC_PSD_U = 0, DMARC_PSD_Y, DMARC_PSD_N };
/* What authdeliver does, after local policy (conf dmarc_reject_action). */
enum dmarc_dis { DMARC_DIS_NONE = 0, DMARC_DIS_QUARANTINE, DMARC_DIS_REJECT,
		 DMARC_DIS_DISCARD };

/* A parsed policy record (RFC 9989 section 4.7).  Invalid values of a
 * known tag are remembered as *_bad and otherwise ignored. */
struct dmarc_record {
	enum dmarc_policy p, sp, np;
	bool p_bad, sp_bad, np_bad;
	enum dmarc_psd psd;
	bool testing;			/* t=y */
	bool adkim_strict, aspf_strict;
	bool rua_ok;			/* rua has a syntactically valid URI */
	int pct;			/* RFC 7489 only: -1 absent or invalid */
	char rua[DMARC_RUA_MAX], ruf[256], fo[16];
	char bad[64];			/* names of tags with invalid values */
};

/* Returns 0 when txt is a DMARC record ("v=DMARC1" as the first tag,
 * case-sensitive value), -1 when it is some other TXT record. */
int dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *r);
/* RFC 9989 section 4.10.1: a record without a valid p (or with an invalid
 * sp/np) is used as p=none only when rua has a valid URI. */
bool dmarc_record_usable(const struct dmarc_record *r);

/* Author Domain(s) of the message. */
enum dmarc_from {
	DMARC_FROM_OK = 0,		/* one domain (possibly several mailboxes) */
	DMARC_FROM_MISSING,		/* no From header */
	DMARC_FROM_SEVERAL_HEADERS,	/* RFC 5322 3.6: at most one From */
	DMARC_FROM_MULTI_DOMAIN,	/* mailboxes in different domains */
	DMARC_FROM_UNPARSEABLE,		/* no mailbox with a domain */
};
struct dmarc_authors {
	enum dmarc_from status;
	size_t n;
	char domain[DMARC_MAX_AUTHORS][DMARC_DOMAIN_MAX]; /* lower case, A-labels */
};
/* Uses GMime's address parser (g_mime_init() must have been called). */
void dmarc_authors_find(const struct msg *m, struct dmarc_authors *a_r);
/* Parse one From header value (tests, the conformance runner). */
void dmarc_authors_parse(const char *value, struct dmarc_authors *a_r);

/* What DMARC consumes from the other verifiers. */
struct dmarc_input {
	const char *spf_domain;		/* RFC5321.MailFrom domain when SPF
					 * passed for the mailfrom identity;
					 * NULL otherwise (HELO never aligns) */
	const char *const *dkim_domains; /* d= of every passing signature */
	size_t ndkim;
	const struct arc_result *arc;	/* may be NULL */
};

struct dmarc_result {
	enum auth_code code;		/* pass fail none temperror permerror */
	enum dmarc_policy policy;	/* applies (after t=y), UNSET if none */
	char policy_tag[3];		/* "p", "sp", "np" or "" */
	enum dmarc_policy rec_p, rec_sp, rec_np; /* as published, for A-R */
	bool testing;			/* t=y */
	enum dmarc_dis disposition;
	char from_domain[DMARC_DOMAIN_MAX];	/* header.from */
	char domain[DMARC_DOMAIN_MAX];		/* policy domain ("" none) */
	char org_domain[DMARC_DOMAIN_MAX];
	bool spf_aligned, dkim_aligned;
	char override[16];		/* "arc", "exempt" or "" */
	char override_detail[200];	/* "trusted ARC sealer ... (i=1)" */
	char reason[256];
	int dnssec;			/* enum dns_validated of the policy
					 * record's answer (dnssec = yes) */
	/* The record as published, for aggregate reports (RFC 9990
	 * 3.1.1.5); have_record is false when no usable record was found. */
	bool have_record;
	bool adkim_strict, aspf_strict;
	bool psl;			/* discovered by the PSL, not the tree walk */
	char fo[16];
	char rua[DMARC_RUA_MAX];	/* whole URIs only */
};

struct dmarc;
struct dmarc *dmarc_new(const struct conf *c, struct dns *d);
void dmarc_free(struct dmarc *);

/* Queue the Tree Walk lookups for the author domains and the identifiers
 * (any may be NULL), so they run while SPF and DKIM work. */
void dmarc_prefetch(struct dmarc *, const struct dmarc_authors *a,
		    const char *mail_from_domain);
void dmarc_verify(struct dmarc *, const struct dmarc_authors *a,
		  const struct dmarc_input *in, struct dmarc_result *res_r);

/* Organizational Domain of name (tree walk or PSL per conf).  Returns 0,
 * or -1 on a DNS temporary failure (buf then holds name). */
int dmarc_org_domain(struct dmarc *, const char *name, char *buf, size_t size);
/* RFC 9989 section 4.10 query targets starting at name: name itself, then
 * the label-count shortcut, then one label at a time.  Returns the count. */
size_t dmarc_walk_targets(const char *name,
			  char targets[DMARC_WALK_MAX][DMARC_DOMAIN_MAX]);

const char *dmarc_policy_name(enum dmarc_policy);	/* "none", ... */
const char *dmarc_dis_name(enum dmarc_dis);
/* "dmarc=fail (p=reject sp=none dis=quarantine) header.from=example.com";
 * returns the length or -1 if truncated. */
int dmarc_ar(const struct dmarc_result *r, char *buf, size_t size);
/* {"result":..., "policy":..., ...} for `authdeliver verify --json`;
 * malloc'd, NULL when out of memory. */
char *dmarc_json(const struct dmarc_result *r);
/* Append s to buf as a JSON string (quotes included); returns the new
 * length, at most size - 1 (output cut, still NUL-terminated). */
size_t dmarc_json_str(char *buf, size_t size, size_t len, const char *s);

#endif
