/* report_mail.h - where an aggregate report may go and how it is sent.
 *
 * Takes a policy domain and its rua addresses; returns the verified
 * destinations (RFC 9990 section 4), the report email (RFC 9990 3.5.2,
 * built with GMime) and the sendmail outcome.  The MTA behind
 * sendmail_path queues, retries and DKIM-signs; this never speaks SMTP.
 */
#ifndef AUTHDELIVER_REPORT_MAIL_H
#define AUTHDELIVER_REPORT_MAIL_H

#include <stddef.h>

#include "report_rec.h"

struct dmarc;
struct dns;
struct report_meta;

enum report_dest {
	REPORT_DEST_OK = 0,	/* send to out_r[0 .. *nout_r - 1] */
	REPORT_DEST_SKIP,	/* not authorized: never send (why_r says) */
	REPORT_DEST_TEMP,	/* DNS temporary failure: try again next run */
};

/* RFC 9990 section 4: an address outside the policy domain's
 * Organizational Domain needs "<policy-domain>._report._dmarc.<host>"
 * TXT starting with v=DMARC1; a rua= there replaces the address (several
 * allowed) only when every URI in it names the same host. */
enum report_dest report_dest_verify(struct dmarc *dm, struct dns *d,
				    const char *policy_domain, const char *addr,
				    char (*out_r)[REPORT_ADDR_MAX], size_t max,
				    size_t *nout_r, char *why_r, size_t why_size);

/* "receiver!policy-domain!begin!end!unique-id.xml.gz" (RFC 9990 3.5.2) */
int report_filename(char *buf, size_t size, const char *receiver,
		    const struct report_meta *m);
/* "Report Domain: D Submitter: S Report-ID: <ID>" (RFC 9990 3.5.2) */
int report_subject(char *buf, size_t size, const char *submitter,
		   const struct report_meta *m);

/* The whole report email (LF line ends) for one destination: From, To,
 * Subject, Date, Message-ID <ID@submitter>, a text/plain part and the
 * base64 application/gzip part.  malloc'd, NULL when out of memory. */
char *report_mail_build(const struct report_meta *m, const char *from, const char *to,
			const unsigned char *gz, size_t gz_len, size_t *len_r);

enum report_sent { REPORT_SENT = 0, REPORT_SEND_TEMP, REPORT_SEND_PERM };
/* Hand the message to sendmail_path (-i -f FROM -- TO).  sysexits 64-68
 * and 77 are permanent, everything else that is not 0 temporary. */
enum report_sent report_mail_send(const char *sendmail_path, const char *from,
				  const char *to, const char *msg, size_t len,
				  char *why_r, size_t why_size);

#endif
