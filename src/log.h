/* log.h - logging to stderr or syslog; severity ladder as in Postfix msg.c:
 * info, warn (go on), error, fatal (clean exit 75/78), panic (abort).
 * Never log message content. */
#ifndef AUTHDELIVER_LOG_H
#define AUTHDELIVER_LOG_H

#include <stdarg.h>

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

#endif
