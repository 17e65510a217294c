/* status.h - outcome -> SMTP reply code + enhanced code + sysexits code.
 *
 * The one place where delivery outcomes are mapped to what the MTA sees
 * (RFC 5321 reply codes, RFC 3463 enhanced codes, sysexits.h for pipe
 * mode).  The first digit decides: 2 delivered, 4 the MTA retries, 5 it
 * bounces.
 */
#ifndef AUTHDELIVER_STATUS_H
#define AUTHDELIVER_STATUS_H

enum status_kind {
	ST_DELIVERED = 0,	/* 250 2.0.0 */
	ST_DISCARDED,		/* 250 2.0.0 (Sieve or policy discard) */
	ST_UNKNOWN_USER,	/* 550 5.1.1, EX_NOUSER */
	ST_LOOKUP_TEMPFAIL,	/* 451 4.3.0, EX_TEMPFAIL */
	ST_DISK_FULL,		/* 452 4.3.1 (ENOSPC, EDQUOT), EX_TEMPFAIL */
	ST_IO_TEMPFAIL,		/* 451 4.3.0 (EIO, EACCES, ...), EX_TEMPFAIL */
	ST_POLICY_REJECT,	/* 550 5.7.1 (DMARC local policy, Sieve reject) */
	ST_VERDICT_TEMPFAIL,	/* 451 4.7.0 verification deadline, EX_TEMPFAIL */
	ST_TOO_BIG,		/* 552 5.3.4, EX_DATAERR */
	ST_BAD_MESSAGE,		/* 554 5.6.0 malformed (too many headers), EX_DATAERR */
	ST_INTERNAL,		/* 451 4.3.0 our own bug or resource, EX_TEMPFAIL */
};

/* Errors as values across the intake (msg_init, the LMTP parsers, pipe
 * input): the kind of failure, never a string to compare.  Negative, so
 * that "< 0" still means failure.  status_from_err() turns it into the
 * outcome: memory and I/O are temporary (4xx, EX_TEMPFAIL), malformed
 * and too-big input permanent (5xx, EX_DATAERR). */
enum status_err {
	SE_OK = 0,
	SE_NOMEM = -1,		/* -> ST_INTERNAL */
	SE_IO = -2,		/* -> ST_IO_TEMPFAIL */
	SE_MALFORMED = -3,	/* -> ST_BAD_MESSAGE */
	SE_TOO_BIG = -4,	/* -> ST_TOO_BIG */
};

struct status {
	int code;		/* 250, 451, 550, ... */
	const char *enh;	/* "2.0.0" */
	int exit_code;		/* sysexits.h */
	const char *word;	/* for the log: delivered, deferred, bounced */
};

const struct status *status_of(enum status_kind);
/* Map an errno from the Maildir write to the tempfail kind. */
enum status_kind status_from_errno(int err);
/* Map an intake error to its outcome (SE_OK: ST_DELIVERED). */
enum status_kind status_from_err(enum status_err e);
/* "out of memory", "I/O error", "malformed", "too big", "ok". */
const char *status_err_text(enum status_err e);

#endif
