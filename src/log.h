/* log.h - logging to stderr or syslog; severity ladder as in Postfix msg.c:
 * info, warn (go on), error, fatal (clean exit 75/78), panic (abort).
 * Never log message content.
 *
 * Every line is one line of printable ASCII whatever the data (addresses,
 * message-ids, Sieve folder names and reasons come from the network): the
 * whole formatted line is escaped by log_escape() on its way out, so every
 * log_*() call is covered and no caller escapes by hand. */
#ifndef AUTHDELIVER_LOG_H
#define AUTHDELIVER_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "status.h"

struct conf;

void log_open(const struct conf *c);
void log_set_stderr(int on);		/* force stderr (tests, commands) */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void log_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* The one per-recipient line (delivered, deferred, bounced, rejected at
 * RCPT time, tempfailed before DATA): always the same fields in the same
 * order, "-" where a value is not known yet:
 *   QID: to=<..>, from=<..>, message-id=<..>, size=N, delay=S.sss,
 *   folder=F, [AUTH, ]result=WORD, status=CODE ENH TEXT */
struct log_rcpt {
	const char *queue_id;	/* MTA queue id or our session id */
	const char *to, *from;
	const char *msgid;	/* NULL: "-" */
	size_t size;		/* LOG_NO_SIZE: "-" */
	double delay;		/* seconds; < 0: "-" */
	const char *folder;	/* NULL or "": "-" */
	const char *auth;	/* verdict_log() fields, or NULL */
	enum status_kind st;
	const char *text;	/* reply text after the codes */
};
#define LOG_NO_SIZE ((size_t)-1)
void log_rcpt(const struct log_rcpt *r);

/* The one escaping rule of log lines: a byte below 0x20, 0x7f and a byte
 * >= 0x80 become \xNN (two lower-case hex digits: ESC is \x1b, UTF-8 e-acute
 * is \xc3\xa9), a backslash becomes \\, every other byte is kept.  So a
 * line never breaks, stays ASCII, and the original bytes can be read back.
 * Writes at most size-1 bytes and a NUL, never half an escape;
 * returns the length written. */
size_t log_escape(char *dst, size_t size, const char *src);

#endif
