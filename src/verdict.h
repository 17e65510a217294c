/* verdict.h - one verdict per message: runs SPF, DKIM, ARC, DMARC with a
 * deadline, and writes Authentication-Results / Received-SPF.
 *
 * Takes the parsed message, trusted client data and DNS; returns the
 * headers to prepend, the incoming header fields to drop or rename, the
 * folder before Sieve, and the values Sieve may test.  Runs once per
 * message, not per recipient.
 */
#ifndef AUTHDELIVER_VERDICT_H
#define AUTHDELIVER_VERDICT_H

#include <stddef.h>
#include <time.h>

struct conf;
struct dns;
struct msg;
struct client;

enum verdict_action {
	VERDICT_DELIVER = 0,	/* deliver (folder from verdict_folder) */
	VERDICT_REJECT,		/* local policy: 550 5.7.1 */
	VERDICT_DISCARD,	/* local policy: accept and drop */
	VERDICT_TEMPFAIL,	/* deadline passed and policy says tempfail */
};

/* Marks for incoming header fields (index as in struct msg). */
enum { VERDICT_KEEP = 0, VERDICT_DROP = 1, VERDICT_RENAME = 2 };

struct verdict;

struct verdict *verdict_new(void);
void verdict_free(struct verdict *);

/* Run every verifier (none when conf->verify is off).  now fixes the clock
 * (tests); 0 means time(NULL). */
void verdict_run(struct verdict *, const struct conf *c, struct dns *d,
		 struct msg *m, const struct client *cl, time_t now);

/* Headers to prepend, CRLF line ends, folded; "" when none. */
const char *verdict_prepend(const struct verdict *);
/* Per incoming header field: VERDICT_KEEP / _DROP / _RENAME (rename means
 * write "X-Original-" in front of the name).  NULL: keep all. */
const unsigned char *verdict_marks(const struct verdict *);
enum verdict_action verdict_action(const struct verdict *);
/* Folder before Sieve ("INBOX" or the Junk folder). */
const char *verdict_folder(const struct verdict *);
/* Compact fields for the delivery log line: "spf=pass dkim=pass ..." */
const char *verdict_log(const struct verdict *);
/* Values for Sieve, never read from the message: name is one of
 * "spf", "dkim", "arc", "dmarc", "dmarc-policy", "disposition",
 * "dmarc-override"; returns "" when unknown or not verified.  The Sieve
 * stage exposes them as the virtual headers X-AuthDeliver-<Name>
 * (libsieve header callback); incoming X-AuthDeliver-* fields are always
 * marked VERDICT_DROP. */
const char *verdict_value(const struct verdict *, const char *name);
/* JSON object for `authdeliver verify --json`: "spf", "dkim" (array),
 * "arc", "dmarc", "folder", "action", "timeout", "log"; malloc'd. */
char *verdict_json(const struct verdict *);
/* The DMARC part (policy, disposition, override, reason). */
struct dmarc_result;
const struct dmarc_result *verdict_dmarc(const struct verdict *);
/* The decisive SPF result and every DKIM signature's; NULL when the
 * verifiers did not run (verify = no). */
struct spf_result;
struct dkim_result;
const struct spf_result *verdict_spf(const struct verdict *);
const struct dkim_result *verdict_dkim(const struct verdict *);

#endif
