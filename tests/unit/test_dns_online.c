/* test_dns_online.c - the online path: libunbound forwarding to a real DNS
 * server on 127.0.0.1 (tests/lib/dnsd.py, dnspython), async prefetch,
 * timeouts, SERVFAIL, CNAME, record caps, DNSSEC secure and bogus.
 * Skipped when /usr/bin/python3 with dnspython is not installed. */
#include "conf.h"
#include "dns.h"
#include "t.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct server {
	pid_t pid;
	int in;			/* its stdin; closing it stops it */
};

static void stop_server(struct server *sv)
{
	if (sv->in >= 0)
		close(sv->in);
	if (sv->pid > 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, NULL, 0);
	}
	sv->in = -1;
	sv->pid = 0;
}

/* Start dnsd.py (on addr:port when addr is not NULL); returns its port or
 * 0 (and a reason). */
static int start_server(struct server *sv, const char *tmp, const char *tag,
			const char *addr, const char *aport,
			char *anchor, size_t anchorsz, const char **why)
{
	const char *top = getenv("TOP"), *py = getenv("PY");
	if (!top)
		top = ".";
	if (!py)
		py = "/usr/bin/python3";
	char script[1024], portfile[1024];
	snprintf(script, sizeof(script), "%s/tests/lib/dnsd.py", top);
	snprintf(portfile, sizeof(portfile), "%s/dnsd%s.port", tmp, tag);
	snprintf(anchor, anchorsz, "%s/dnsd%s.anchor", tmp, tag);
	if (access(py, X_OK) < 0) {
		*why = "no /usr/bin/python3";
		return 0;
	}
	int p[2];
	if (pipe(p) < 0) {
		*why = "pipe";
		return 0;
	}
	sv->pid = fork();
	if (sv->pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		if (addr)
			execl(py, py, script, portfile, anchor, addr, aport, (char *)NULL);
		else
			execl(py, py, script, portfile, anchor, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	sv->in = p[1];
	for (int i = 0; i < 200; i++) {	/* up to 10 s */
		FILE *fp = fopen(portfile, "r");
		int port = 0;
		if (fp) {
			if (fscanf(fp, "%d", &port) != 1)
				port = 0;
			fclose(fp);
			if (port > 0)
				return port;
			if (port == 0) {
				*why = "cannot bind the address";
				return 0;
			}
		}
		if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) {
			sv->pid = 0;
			*why = "dnsd.py did not start (python3-dnspython and python3-cryptography needed)";
			return 0;
		}
		usleep(50 * 1000);
	}
	*why = "dnsd.py did not report its port";
	return 0;
}

static const char *ip4(const struct dns_answer *a, size_t i, char *buf)
{
	buf[0] = 0;
	if (a->n > i && a->rr[i].len == 4)
		inet_ntop(AF_INET, a->rr[i].data, buf, 64);
	return buf;
}

int main(void)
{
	const char *tmp = getenv("T_TMP") ? getenv("T_TMP") : "/tmp";
	char anchor[1024], cfg[2048], buf[64];
	const char *why = "", *err = NULL;
	struct server sv = { 0, -1 }, sv53 = { 0, -1 };
	int port = start_server(&sv, tmp, "", NULL, NULL, anchor, sizeof(anchor), &why);
	if (!port) {
		printf("ok - dns online # SKIP %s\n", why);
		stop_server(&sv);
		return 0;
	}

	/* forward mode, no DNSSEC */
	snprintf(cfg, sizeof(cfg), "dns_mode = forward\ndns_forwarders = 127.0.0.1@%d\n"
		 "dns_timeout = 400\ndns_max_records = 2\n", port);
	struct conf *c = conf_parse_string(cfg, "t", &err);
	struct dns *d = c ? dns_new(c, NULL, &err) : NULL;
	T_OK(d != NULL, "forward mode context (%s)", d ? "" : err);
	if (!d) {
		stop_server(&sv);
		T_DONE();
	}
	const struct dns_answer *a, *b;

	/* prefetch a message's lookups, then collect them */
	long long t0 = ms_now();
	dns_prefetch(d, "www.example", DNS_T_A);
	dns_prefetch(d, "www.example", DNS_T_AAAA);
	dns_prefetch(d, "example", DNS_T_MX);
	dns_prefetch(d, "example", DNS_T_TXT);
	a = dns_lookup(d, "www.example", DNS_T_A);
	T_STR(ip4(a, 0, buf), "192.0.2.80", "online A");
	T_INT(a->sec, DNS_SEC_INSECURE, "no DNSSEC: insecure");
	dns_answer_free(a);
	a = dns_lookup(d, "www.example", DNS_T_AAAA);
	T_INT(a->n ? a->rr[0].len : 0, 16, "online AAAA");
	dns_answer_free(a);
	a = dns_lookup(d, "example", DNS_T_MX);
	T_STR(a->n ? a->rr[0].data : "", "mx.example", "online MX name");
	T_INT(a->n ? a->rr[0].pref : 0, 10, "online MX preference");
	dns_answer_free(a);
	a = dns_lookup(d, "example", DNS_T_TXT);
	T_STR(a->n ? a->rr[0].data : "", "v=spf1 ip4:192.0.2.0/24 -all", "online TXT");
	dns_answer_free(a);
	T_OK(ms_now() - t0 < 3000, "prefetched lookups done (%lld ms)", ms_now() - t0);

	a = dns_lookup(d, "www.example", DNS_T_A);
	b = dns_lookup(d, "WWW.Example.", DNS_T_A);
	T_OK(a == b, "cache hit shares the answer (case, trailing dot)");
	dns_answer_free(a);
	dns_answer_free(b);

	a = dns_lookup(d, "nx.example", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "online NXDOMAIN");
	dns_answer_free(a);
	a = dns_lookup(d, "www.example", DNS_T_TXT);
	T_STR(dns_status_name(a->status), "nodata", "online NODATA");
	dns_answer_free(a);
	a = dns_lookup(d, "alias.example", DNS_T_A);
	T_STR(ip4(a, 0, buf), "192.0.2.80", "online CNAME followed by libunbound");
	dns_answer_free(a);
	a = dns_lookup(d, "many.example", DNS_T_A);
	T_INT(a->n, 2, "online: dns_max_records caps the records");
	T_INT(a->truncated, 1, "online: truncated flag");
	dns_answer_free(a);

	t0 = ms_now();
	a = dns_lookup(d, "silent.example", DNS_T_A);
	long long el = ms_now() - t0;
	T_STR(a->why ? a->why : "", "timeout", "silent server: timeout");
	T_OK(el >= 390 && el < 1500, "timeout after dns_timeout (%lld ms)", el);
	dns_answer_free(a);

	dns_set_deadline(d, 150);
	t0 = ms_now();
	a = dns_lookup(d, "silent.example", DNS_T_TXT);
	el = ms_now() - t0;
	T_STR(a->why ? a->why : "", "deadline", "deadline shorter than the timeout");
	T_OK(el >= 140 && el < 390, "deadline honoured (%lld ms)", el);
	dns_answer_free(a);
	dns_set_deadline(d, 0);

	a = dns_lookup(d, "fail.example", DNS_T_A);
	T_STR(dns_status_name(a->status), "tempfail", "SERVFAIL upstream: tempfail");
	T_OK(a->why && (!strcmp(a->why, "SERVFAIL") || !strcmp(a->why, "timeout")),
	     "SERVFAIL reason (%s)", a->why ? a->why : "");
	dns_answer_free(a);
	dns_free(d);
	conf_free(c);

	/* DNSSEC with the server's key as trust anchor */
	snprintf(cfg, sizeof(cfg), "dns_mode = forward\ndns_forwarders = 127.0.0.1@%d\n"
		 "dns_timeout = 3000\ndnssec = yes\ndnssec_trust_anchor = %s\n", port, anchor);
	c = conf_parse_string(cfg, "t", &err);
	d = c ? dns_new(c, NULL, &err) : NULL;
	T_OK(d != NULL, "DNSSEC context (%s)", d ? "" : err);
	if (d) {
		a = dns_lookup(d, "www.example", DNS_T_A);
		T_STR(ip4(a, 0, buf), "192.0.2.80", "signed A");
		T_STR(a->sec == DNS_SEC_SECURE ? "secure" : "not secure", "secure", "signed A is secure");
		dns_answer_free(a);
		a = dns_lookup(d, "bogus.example", DNS_T_A);
		T_STR(dns_status_name(a->status), "tempfail", "bad signature: tempfail");
		T_STR(a->why ? a->why : "", "DNSSEC bogus", "bad signature: reason");
		T_INT(a->sec, DNS_SEC_BOGUS, "bad signature: sec bogus");
		T_INT(a->n, 0, "bogus data never returned");
		dns_answer_free(a);
		dns_free(d);
	}
	conf_free(c);

	/* configuration errors */
	c = conf_parse_string("dns_mode = forward\n", "t", &err);
	d = dns_new(c, NULL, &err);
	T_OK(d == NULL && strstr(err, "dns_forwarders"), "forward without forwarders (%s)", d ? "" : err);
	dns_free(d);
	conf_free(c);
	c = conf_parse_string("dnssec = yes\ndnssec_trust_anchor = /nonexistent/root.key\n", "t", &err);
	d = dns_new(c, NULL, &err);
	T_OK(d == NULL && strstr(err, "trust anchor"), "missing trust anchor (%s)", d ? "" : err);
	dns_free(d);
	conf_free(c);
	c = conf_parse_string("dns_resolv_conf = /nonexistent/resolv.conf\n", "t", &err);
	d = dns_new(c, NULL, &err);
	T_OK(d == NULL && strstr(err, "resolv.conf"), "missing resolv.conf (%s)", d ? "" : err);
	dns_free(d);
	conf_free(c);

	stop_server(&sv);

	/* system mode: resolv.conf names a server on port 53 (needs root
	 * and a free 127.0.0.2:53; skipped otherwise) */
	char anchor2[1024];
	if (start_server(&sv53, tmp, "53", "127.0.0.2", "53", anchor2, sizeof(anchor2), &why)) {
		char rc_path[1024];
		snprintf(rc_path, sizeof(rc_path), "%s/resolv.conf", tmp);
		FILE *fp = fopen(rc_path, "w");
		fprintf(fp, "# test\nsearch example\nnameserver 127.0.0.2\noptions ndots:1\n");
		fclose(fp);
		snprintf(cfg, sizeof(cfg), "dns_mode = system\ndns_resolv_conf = %s\ndns_timeout = 3000\n", rc_path);
		c = conf_parse_string(cfg, "t", &err);
		d = c ? dns_new(c, NULL, &err) : NULL;
		T_OK(d != NULL, "system mode context (%s)", d ? "" : err);
		if (d) {
			a = dns_lookup(d, "www.example", DNS_T_A);
			T_STR(ip4(a, 0, buf), "192.0.2.80", "system mode: A via resolv.conf nameserver");
			dns_answer_free(a);
			dns_free(d);
		}
		conf_free(c);
	} else {
		printf("ok - system mode via resolv.conf # SKIP %s\n", why);
	}
	stop_server(&sv53);
	T_DONE();
}
