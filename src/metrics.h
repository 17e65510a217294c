/* metrics.h - counters and histograms for monitoring, in Prometheus text
 * format (exposition format 0.0.4).
 *
 * One table in a shared anonymous mapping that the LMTP master creates
 * before it forks: every session process adds to the same atomic
 * counters, so a scrape of the master's listener (metrics_listen) or
 * `authdeliver stats` sees the whole server.  Before metrics_init() (pipe
 * mode, the offline commands) every call is a no-op.  No label carries an
 * address, a domain or a folder name a user chose: label sets are fixed
 * (folder is inbox, junk, other or none), so the number of series is
 * bounded.
 */
#ifndef AUTHDELIVER_METRICS_H
#define AUTHDELIVER_METRICS_H

#include <stddef.h>

#include "status.h"

/* Create the shared table (master, once, before forking).  -1 on error. */
int metrics_init(void);

/* A recipient's final outcome (the per-recipient log line) and the folder
 * it went to ("INBOX", the junk folder, a list "a,b", "-" or ""). */
void metrics_rcpt(enum status_kind st, const char *folder, const char *junk_folder);
/* One method's result for a message: method "spf", "dkim", "arc" or
 * "dmarc"; result as in Authentication-Results ("pass", "fail", ...). */
void metrics_auth(const char *method, const char *result);
/* Seconds the verdict took (once per message), and from the start of the
 * transaction until every recipient's outcome was known. */
void metrics_verdict_seconds(double s);
void metrics_delivery_seconds(double s);

enum metrics_dns {
	METRICS_DNS_LOOKUP,		/* dns_lookup() calls */
	METRICS_DNS_QUERY,		/* queries sent to libunbound */
	METRICS_DNS_CACHE_HIT,		/* answered from our cache */
	METRICS_DNS_TIMEOUT,		/* dns_timeout passed */
	METRICS_DNS_DEADLINE,		/* verdict deadline passed */
	METRICS_DNS_N
};
void metrics_dns(enum metrics_dns ev);

/* The copy written while Sieve runs (deliver.c): taken by a target
 * (moved), not usable so that every target was written again
 * (rewritten: editheader, another filesystem), or not wanted at all
 * (removed: discard, reject, redirect only, a failed evaluation or
 * stage). */
enum metrics_early {
	METRICS_EARLY_MOVED,
	METRICS_EARLY_REWRITTEN,
	METRICS_EARLY_REMOVED,
	METRICS_EARLY_N
};
void metrics_early_copy(enum metrics_early ev);

/* Sessions: +1 when one starts, -1 when it ends (active gauge), and the
 * master's view of its processes and refused connections. */
void metrics_session(int delta);
void metrics_processes(long busy, long idle);
void metrics_refused(void);

/* The whole table as Prometheus text; malloc'd, NUL-terminated, NULL
 * when out of memory or before metrics_init(). */
char *metrics_render(size_t *len_r);

/* Serve one scrape on an accepted connection: read an HTTP/1.x request,
 * answer GET /metrics (or /) with the text, anything else 404; closes fd.
 * Bounded: 8 KiB of request, 2 seconds per read and write. */
void metrics_serve(int fd);

#endif
