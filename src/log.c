/* log.c - stderr or syslog; one line per event, never message content. */
#include "log.h"
#include "buf.h"
#include "conf.h"
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static int use_syslog;
static int debug_on;
static char ident[64] = "authdeliver";

static int facility(const char *name)
{
	static const struct { const char *n; int f; } t[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(name, t[i].n))
			return t[i].f;
	return LOG_MAIL;
}

void log_open(const struct conf *c)
{
	snprintf(ident, sizeof(ident), "%s", c->log_ident);
	debug_on = c->log_debug;
	if (c->log == CONF_LOG_SYSLOG) {
		openlog(ident, LOG_PID | LOG_NDELAY, facility(c->log_facility));
		use_syslog = 1;
	} else {
		use_syslog = 0;
	}
}

void log_set_stderr(int on)
{
	if (on)
		use_syslog = 0;
}

size_t log_escape(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!size)
		return 0;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		unsigned char c = *p;
		if (c < 0x20 || c >= 0x7f) {
			if (o + 4 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else if (c == '\\') {
			if (o + 2 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else {
			if (o + 1 >= size)
				break;
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
	return o;
}

static void vlog(int prio, const char *tag, const char *fmt, va_list ap)
{
	char raw[2048], buf[4 * sizeof(raw)];	/* every byte may take 4 */
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* a line end at the end (libpq's, libunbound's messages) is no data */
	size_t n = strlen(raw);
	while (n && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		raw[--n] = '\0';
	/* one event on one ASCII line whatever the data (log.h) */
	log_escape(buf, sizeof(buf), raw);
	if (use_syslog) {
		syslog(prio, "%s%s", tag, buf);
		return;
	}
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%ld]: %s%s\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000, ident, (long)self_pid(), tag, buf);
}

#define LOGF(name, prio, tag) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		vlog(prio, tag, fmt, ap); \
		va_end(ap); \
	}

LOGF(log_info, LOG_INFO, "")
LOGF(log_warn, LOG_WARNING, "warning: ")
LOGF(log_error, LOG_ERR, "error: ")

void log_debug(const char *fmt, ...)
{
	if (!debug_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, "debug: ", fmt, ap);
	va_end(ap);
}

void log_fatal(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal: ", fmt, ap);
	va_end(ap);
	exit(code);
}

void log_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_CRIT, "panic: ", fmt, ap);
	va_end(ap);
	abort();
}

void log_rcpt(const struct log_rcpt *r)
{
	const struct status *s = status_of(r->st);
	char size[24] = "-", delay[32] = "-";
	if (r->size != LOG_NO_SIZE)
		snprintf(size, sizeof(size), "%zu", r->size);
	if (r->delay >= 0)
		snprintf(delay, sizeof(delay), "%.3f", r->delay);
	bool auth = r->auth && *r->auth;
	log_info("%s: to=<%s>, from=<%s>, message-id=<%s>, size=%s, delay=%s, folder=%s, "
	    "%s%sresult=%s, status=%d %s %s",
	    r->queue_id && *r->queue_id ? r->queue_id : "-", r->to ? r->to : "",
	    r->from ? r->from : "", r->msgid && *r->msgid ? r->msgid : "-", size, delay,
	    r->folder && *r->folder ? r->folder : "-", auth ? r->auth : "", auth ? ", " : "",
	    s->word, s->code, s->enh, r->text ? r->text : "");
	/* the outcome is final here, for every intake: count it once */
	metrics_rcpt(r->st, r->folder, conf ? conf->junk_folder : NULL);
}
