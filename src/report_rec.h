/* report_rec.h - one DMARC aggregate-report record per message (RFC 9990).
 *
 * Takes the verdict's DMARC, SPF and DKIM results and the envelope;
 * returns the record that the store keeps (report_store.h): the policy as
 * published, the disposition applied with its reason, the identifiers and
 * the uninterpreted auth results.  Also the spool line format (records
 * kept while the store is unreachable) and the rua parser.  Never touches
 * the store, the network or the message.
 */
#ifndef AUTHDELIVER_REPORT_REC_H
#define AUTHDELIVER_REPORT_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct conf;
struct dmarc_result;
struct spf_result;
struct dkim_result;

/* RFC 9990 3.1.3: no more than 100 DKIM signatures per row. */
#define REPORT_DKIM_MAX 100
#define REPORT_DAY 86400

/* Every text field is NUL-terminated and never NULL.  The fields after
 * uid are the store's columns in report_rec_fields order. */
struct report_rec {
	long long ts;			/* delivery time, seconds since epoch */
	char uid[33];			/* random: spool re-loads stay idempotent */
	char policy_domain[256];	/* where the record was found */
	char p[12], sp[12], np[12];	/* as published, defaults filled in */
	char adkim[2], aspf[2], testing[2], fo[16], discovery[10];
	char rua[1024];
	char source_ip[64];
	char header_from[256], envelope_from[256], envelope_to[256];
	char disposition[12];		/* none pass quarantine reject */
	char dkim_eval[5], spf_eval[5];	/* DMARC-aligned: pass / fail */
	char reason[20], reason_comment[160];
	char spf_domain[256], spf_result[12];
	/* "domain/selector/result" entries separated by one space, each part
	 * %-escaped; in RFC 9990 3.1.3 priority order, at most 100 */
	char dkim[8192];
};

struct report_field {
	const char *name;
	size_t off, size;
};
/* The text columns, in spool and store order (uid first). */
extern const struct report_field report_rec_fields[];
extern const size_t report_rec_nfields;
static inline char *report_field_ptr(struct report_rec *r, size_t i)
{
	return (char *)r + report_rec_fields[i].off;
}

/* Build the record of one message.  Returns 0, or -1 when the message is
 * not reported (no usable policy record with a rua, DMARC not evaluated,
 * policy domain in dmarc_report_exclude, no source IP) with why_r set. */
int report_rec_build(struct report_rec *r, const struct conf *c,
		     const struct dmarc_result *d, const struct spf_result *spf,
		     const struct dkim_result *dk, const char *ip,
		     const char *mail_from, const char *rcpt, time_t now,
		     const char **why_r);

/* UTC day number of t (RFC 9990 3.1.1.4: reports cover 00:00:00Z to
 * 23:59:59Z) and the first second of day d. */
long long report_day(long long t);
static inline long long report_day_begin(long long d) { return d * REPORT_DAY; }
static inline long long report_day_end(long long d) { return d * REPORT_DAY + REPORT_DAY - 1; }
/* "YYYY-MM-DD" <-> day number; parse returns -1 on a bad date. */
long long report_day_parse(const char *s);
void report_day_format(long long day, char *buf, size_t size);

/* Spool line: "R1\t" then the fields, %-escaped, tab-separated, "\n"
 * (a line without its newline is refused).
 * encode returns the length (0 if it does not fit); decode returns 0 or
 * -1 for a damaged line. */
size_t report_rec_encode(const struct report_rec *r, char *buf, size_t size);
int report_rec_decode(struct report_rec *r, const char *line, size_t len);

/* rua URIs (RFC 9989 4.7, RFC 9990 3.5): mailto: only, "!size" suffix
 * stripped, %-escapes of the address decoded, malformed ones skipped.
 * Writes at most max addresses ("local@domain", lower-case domain) into
 * addr_r, each < REPORT_ADDR_MAX; returns how many. */
#define REPORT_ADDR_MAX 320
size_t report_rua_parse(const char *rua, size_t max, char (*addr_r)[REPORT_ADDR_MAX]);

/* %-escape / unescape one field (space, '/', '%', controls, DEL). */
size_t report_esc(char *dst, size_t size, const char *src, size_t len, const char *also);
size_t report_unesc(char *dst, size_t size, const char *src, size_t len);

#endif
