/* metrics.c - the shared counter table and its Prometheus text rendering.
 *
 * Takes events from the session processes (recipient outcomes, method
 * results, DNS, latencies) and the master (processes, refused
 * connections); returns the exposition text for a scrape.  The table is
 * one MAP_SHARED|MAP_ANONYMOUS mapping made by the master before it
 * forks, updated with relaxed atomic adds (a counter only grows; a scrape
 * may see one event's counters half-updated, never a torn value).  A
 * histogram keeps one counter per bucket and renders them cumulatively,
 * its _count being the sum of the buckets, so _count always equals the
 * +Inf bucket.  Never blocks a delivery: no locks, no I/O.
 */
#include "metrics.h"
#include "buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

enum { R_DELIVERED, R_DISCARDED, R_DEFERRED, R_BOUNCED, R_REJECTED, R_N };
static const char *const r_names[R_N] = { "delivered", "discarded", "deferred", "bounced",
					  "rejected" };
enum { F_INBOX, F_JUNK, F_OTHER, F_NONE, F_N };
static const char *const f_names[F_N] = { "inbox", "junk", "other", "none" };
enum { C_LOOKUP, C_DISK_FULL, C_IO, C_VERDICT_TIMEOUT, C_INTERNAL, C_N };
static const char *const c_names[C_N] = { "lookup", "disk_full", "io", "verdict_timeout",
					  "internal" };
#define NMETH 4
static const char *const m_names[NMETH] = { "spf", "dkim", "arc", "dmarc" };
#define NRES 9
static const char *const res_names[NRES] = { "pass", "fail", "softfail", "neutral", "none",
					     "policy", "temperror", "permerror", "other" };
/* the results each method can have (RFC 8601 section 2.7; bit = index) */
static const unsigned m_results[NMETH] = {
	0x1df,	/* spf: pass fail softfail neutral none temperror permerror other */
	0x1fb,	/* dkim: pass fail neutral none policy temperror permerror other */
	0x113,	/* arc: pass fail none other */
	0x1d3,	/* dmarc: pass fail none temperror permerror other */
};

/* seconds; the last bucket is +Inf */
static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
				  1, 2.5, 5, 10, 30 };
#define NB (sizeof(bounds) / sizeof(bounds[0]))

struct hist {
	uint64_t b[NB + 1];
	uint64_t sum_us;
};

struct table {
	uint64_t rcpt[R_N][F_N];
	uint64_t tempfail[C_N];
	uint64_t auth[NMETH][NRES];
	uint64_t dns[METRICS_DNS_N];
	uint64_t early[METRICS_EARLY_N];
	struct hist verdict, delivery;
	uint64_t sessions;
	uint64_t refused;
	int64_t busy, idle;
	uint64_t start_time;
};

static struct table *t;

static void add(uint64_t *p, uint64_t n)
{
	__atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

int metrics_init(void)
{
	if (t)
		return 0;
	void *p = mmap(NULL, sizeof(struct table), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	t = p;
	memset(t, 0, sizeof(*t));
	t->start_time = (uint64_t)time(NULL);
	return 0;
}

void metrics_rcpt(enum status_kind st, const char *folder, const char *junk_folder)
{
	if (!t)
		return;
	const struct status *s = status_of(st);
	int r = st == ST_POLICY_REJECT ? R_REJECTED : st == ST_DISCARDED ? R_DISCARDED :
		s->code / 100 == 2 ? R_DELIVERED : s->code / 100 == 4 ? R_DEFERRED : R_BOUNCED;
	int f = F_NONE;
	if (r == R_DELIVERED && folder && *folder && strcmp(folder, "-")) {
		if (!strcasecmp(folder, "INBOX"))
			f = F_INBOX;
		else if (junk_folder && *junk_folder && !strcmp(folder, junk_folder))
			f = F_JUNK;
		else
			f = F_OTHER;
	}
	add(&t->rcpt[r][f], 1);
	int c = -1;
	switch (st) {
	case ST_LOOKUP_TEMPFAIL: c = C_LOOKUP; break;
	case ST_DISK_FULL: c = C_DISK_FULL; break;
	case ST_IO_TEMPFAIL: c = C_IO; break;
	case ST_VERDICT_TEMPFAIL: c = C_VERDICT_TIMEOUT; break;
	case ST_INTERNAL: c = C_INTERNAL; break;
	default: break;
	}
	if (c >= 0)
		add(&t->tempfail[c], 1);
}

void metrics_auth(const char *method, const char *result)
{
	if (!t || !method || !result || !*result)
		return;
	for (int m = 0; m < NMETH; m++) {
		if (strcmp(method, m_names[m]))
			continue;
		int r = NRES - 1;
		for (int i = 0; i < NRES - 1; i++)
			if (!strcmp(result, res_names[i]))
				r = i;
		add(&t->auth[m][r], 1);
		return;
	}
}

static void observe(struct hist *h, double s)
{
	if (s < 0)
		s = 0;
	size_t i = 0;
	while (i < NB && s > bounds[i])
		i++;
	add(&h->b[i], 1);
	add(&h->sum_us, (uint64_t)(s * 1e6 + 0.5));
}

void metrics_verdict_seconds(double s)
{
	if (t)
		observe(&t->verdict, s);
}

void metrics_delivery_seconds(double s)
{
	if (t)
		observe(&t->delivery, s);
}

void metrics_dns(enum metrics_dns ev)
{
	if (t && ev < METRICS_DNS_N)
		add(&t->dns[ev], 1);
}

void metrics_early_copy(enum metrics_early ev)
{
	if (t && ev < METRICS_EARLY_N)
		add(&t->early[ev], 1);
}

void metrics_session(int delta)
{
	if (t && delta > 0)
		add(&t->sessions, 1);
}

void metrics_processes(long busy, long idle)
{
	if (!t)
		return;
	__atomic_store_n(&t->busy, (int64_t)busy, __ATOMIC_RELAXED);
	__atomic_store_n(&t->idle, (int64_t)idle, __ATOMIC_RELAXED);
}

void metrics_refused(void)
{
	if (t)
		add(&t->refused, 1);
}

static void head(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void hist(FILE *fp, const char *name, const char *help, const struct hist *h)
{
	head(fp, name, "histogram", help);
	uint64_t cum = 0;
	for (size_t i = 0; i <= NB; i++) {
		cum += get(&h->b[i]);
		if (i < NB)
			fprintf(fp, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i], (unsigned long long)cum);
		else
			fprintf(fp, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	}
	uint64_t us = get(&h->sum_us);
	fprintf(fp, "%s_sum %llu.%06llu\n%s_count %llu\n", name, (unsigned long long)(us / 1000000),
		(unsigned long long)(us % 1000000), name, (unsigned long long)cum);
}

char *metrics_render(size_t *len_r)
{
	if (!t)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return NULL;
	head(fp, "authdeliver_build_info", "gauge", "Version of the running authdeliver.");
	fprintf(fp, "authdeliver_build_info{version=\"%s\"} 1\n", AUTHDELIVER_VERSION);
	head(fp, "authdeliver_start_time_seconds", "gauge", "When the LMTP server started (Unix time).");
	fprintf(fp, "authdeliver_start_time_seconds %llu\n", (unsigned long long)t->start_time);

	head(fp, "authdeliver_deliveries_total", "counter",
	     "Recipients by final outcome and folder class (inbox, junk, other, none).");
	for (int r = 0; r < R_N; r++)
		for (int f = 0; f < F_N; f++) {
			if (r != R_DELIVERED && f != F_NONE)
				continue;	/* only a delivery has a folder */
			fprintf(fp, "authdeliver_deliveries_total{result=\"%s\",folder=\"%s\"} %llu\n",
				r_names[r], f_names[f], (unsigned long long)get(&t->rcpt[r][f]));
		}
	head(fp, "authdeliver_tempfails_total", "counter",
	     "Recipients answered with a 4xx (the MTA retries), by cause.");
	for (int c = 0; c < C_N; c++)
		fprintf(fp, "authdeliver_tempfails_total{cause=\"%s\"} %llu\n", c_names[c],
			(unsigned long long)get(&t->tempfail[c]));
	head(fp, "authdeliver_auth_results_total", "counter",
	     "Results of each authentication method, once per message (DKIM: the best signature).");
	for (int m = 0; m < NMETH; m++)
		for (int r = 0; r < NRES; r++)
			if (m_results[m] & (1u << r))
				fprintf(fp, "authdeliver_auth_results_total{method=\"%s\",result=\"%s\"} %llu\n",
					m_names[m], res_names[r], (unsigned long long)get(&t->auth[m][r]));

	head(fp, "authdeliver_dns_lookups_total", "counter",
	     "DNS lookups made by the verifiers (cache hits included).");
	fprintf(fp, "authdeliver_dns_lookups_total %llu\n",
		(unsigned long long)get(&t->dns[METRICS_DNS_LOOKUP]));
	head(fp, "authdeliver_dns_queries_total", "counter", "DNS queries sent to the resolver.");
	fprintf(fp, "authdeliver_dns_queries_total %llu\n",
		(unsigned long long)get(&t->dns[METRICS_DNS_QUERY]));
	head(fp, "authdeliver_dns_cache_hits_total", "counter",
	     "DNS lookups answered from the per-process cache.");
	fprintf(fp, "authdeliver_dns_cache_hits_total %llu\n",
		(unsigned long long)get(&t->dns[METRICS_DNS_CACHE_HIT]));
	head(fp, "authdeliver_dns_timeouts_total", "counter",
	     "DNS lookups given up: dns_timeout (limit=query) or the verdict deadline (limit=deadline).");
	fprintf(fp, "authdeliver_dns_timeouts_total{limit=\"query\"} %llu\n",
		(unsigned long long)get(&t->dns[METRICS_DNS_TIMEOUT]));
	fprintf(fp, "authdeliver_dns_timeouts_total{limit=\"deadline\"} %llu\n",
		(unsigned long long)get(&t->dns[METRICS_DNS_DEADLINE]));

	head(fp, "authdeliver_sieve_early_copies_total", "counter",
	     "Copies written while Sieve ran: moved to the chosen folder, written again, or removed.");
	static const char *const early_names[METRICS_EARLY_N] = { "moved", "rewritten", "removed" };
	for (int i = 0; i < METRICS_EARLY_N; i++)
		fprintf(fp, "authdeliver_sieve_early_copies_total{outcome=\"%s\"} %llu\n",
			early_names[i], (unsigned long long)get(&t->early[i]));

	hist(fp, "authdeliver_verdict_duration_seconds",
	     "Time to verify one message (SPF, DKIM, ARC, DMARC).", &t->verdict);
	hist(fp, "authdeliver_delivery_duration_seconds",
	     "Time from the start of a transaction until every recipient's outcome is known.",
	     &t->delivery);

	head(fp, "authdeliver_sessions_total", "counter", "LMTP sessions served.");
	fprintf(fp, "authdeliver_sessions_total %llu\n", (unsigned long long)get(&t->sessions));
	head(fp, "authdeliver_connections_refused_total", "counter",
	     "Connections refused with 421 (lmtp_max_connections, fork failure).");
	fprintf(fp, "authdeliver_connections_refused_total %llu\n",
		(unsigned long long)get(&t->refused));
	head(fp, "authdeliver_sessions_active", "gauge", "LMTP sessions in progress.");
	fprintf(fp, "authdeliver_sessions_active %lld\n",
		(long long)__atomic_load_n(&t->busy, __ATOMIC_RELAXED));
	head(fp, "authdeliver_session_processes", "gauge",
	     "Session processes, busy or idle (kept for reuse).");
	fprintf(fp, "authdeliver_session_processes{state=\"busy\"} %lld\n",
		(long long)__atomic_load_n(&t->busy, __ATOMIC_RELAXED));
	fprintf(fp, "authdeliver_session_processes{state=\"idle\"} %lld\n",
		(long long)__atomic_load_n(&t->idle, __ATOMIC_RELAXED));
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	if (len_r)
		*len_r = len;
	return buf;
}

void metrics_serve(int fd)
{
	struct timeval tv = { 2, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	char req[8192];
	size_t n = 0;
	/* the request line and headers, up to the blank line */
	while (n < sizeof(req) - 1) {
		ssize_t r = read(fd, req + n, sizeof(req) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[n] = 0;
	/* "GET /metrics HTTP/1.1" (or / , or /metrics?query) */
	bool get = !strncmp(req, "GET ", 4) || !strncmp(req, "HEAD ", 5);
	const char *target = get ? strchr(req, ' ') + 1 : "";
	size_t tl = strcspn(target, " ?\r\n");
	bool ok = get && ((tl == 8 && !strncmp(target, "/metrics", 8)) ||
			  (tl == 1 && target[0] == '/'));
	size_t blen = 0;
	char *body = ok ? metrics_render(&blen) : NULL;
	char hdr[256];
	int hl;
	if (body)
		hl = snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 OK\r\n"
			      "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			      "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen);
	else
		hl = snprintf(hdr, sizeof(hdr), "HTTP/1.0 %s\r\nContent-Type: text/plain\r\n"
			      "Connection: close\r\n\r\n%s\n", ok ? "500 Internal Server Error" : "404 Not Found",
			      ok ? "out of memory" : "try GET /metrics");
	if (send_full(fd, hdr, (size_t)hl) == 0 && body && strncmp(req, "HEAD ", 5))
		send_full(fd, body, blen);
	free(body);
	close(fd);
}
