/* conf.c - parse "key = value" configuration with defaults and limits.
 *
 * Takes a file (or a string); returns a struct conf, or file:line: key:
 * problem.  Keys live in one table: type, default, bounds, documentation
 * order.  Unknown keys are errors (a typo must not silently change
 * behaviour).
 */
#include "conf.h"
#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <grp.h>
#include <pwd.h>

#include "client.h"

const struct conf *conf;

enum ktype { K_STR, K_LONG, K_BOOL, K_LIST, K_ENUM };

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	const char *def;		/* default as text */
	long min, max;			/* K_LONG bounds */
	const char *const *names;	/* K_ENUM values, index = enum value */
};

#define O(f) offsetof(struct conf, f)

static const char *const log_names[] = { "stderr", "syslog", NULL };
static const char *const dns_mode_names[] = { "system", "forward", "recursive", NULL };
static const char *const ar_names[] = { "remove", "rename", NULL };
static const char *const dmarc_mode_names[] = { "treewalk", "psl", NULL };
static const char *const reject_names[] = { "quarantine", "reject", "discard", NULL };
static const char *const score_type_names[] = { "score", "strlen", NULL };
static const char *const timeout_names[] = { "deliver", "tempfail", NULL };
static const char *const from_policy_names[] = { "strictest", "reject", "each", NULL };

static const struct key keys[] = {
	{ "hostname", K_STR, O(hostname), "", 0, 0, NULL },
	{ "authserv_id", K_STR, O(authserv_id), "", 0, 0, NULL },
	{ "log", K_ENUM, O(log), "stderr", 0, 0, log_names },
	{ "log_facility", K_STR, O(log_facility), "mail", 0, 0, NULL },
	{ "log_ident", K_STR, O(log_ident), "authdeliver", 0, 0, NULL },
	{ "log_debug", K_BOOL, O(log_debug), "no", 0, 0, NULL },

	{ "lmtp_listen", K_LIST, O(lmtp_listen), "127.0.0.1:24", 0, 0, NULL },
	{ "lmtp_socket_mode", K_STR, O(lmtp_socket_mode), "0660", 0, 0, NULL },
	{ "lmtp_socket_owner", K_STR, O(lmtp_socket_owner), "", 0, 0, NULL },
	{ "lmtp_socket_group", K_STR, O(lmtp_socket_group), "", 0, 0, NULL },
	{ "lmtp_max_connections", K_LONG, O(lmtp_max_connections), "100", 1, 100000, NULL },
	{ "lmtp_max_use", K_LONG, O(lmtp_max_use), "100", 1, 1000000, NULL },
	{ "lmtp_max_idle", K_LONG, O(lmtp_max_idle), "60", 1, 86400, NULL },
	{ "lmtp_max_recipients", K_LONG, O(lmtp_max_recipients), "1000", 1, 100000, NULL },
	{ "message_size_limit", K_LONG, O(message_size_limit), "104857600", 1024, LONG_MAX / 4, NULL },
	{ "line_length_limit", K_LONG, O(line_length_limit), "2097152", 1000, LONG_MAX / 4, NULL },
	{ "command_length_limit", K_LONG, O(command_length_limit), "4096", 512, 1048576, NULL },
	{ "header_count_limit", K_LONG, O(header_count_limit), "2000", 10, 1000000, NULL },
	{ "timeout_idle", K_LONG, O(timeout_idle), "300", 1, 86400, NULL },
	{ "timeout_data", K_LONG, O(timeout_data), "600", 1, 86400, NULL },
	{ "metrics_listen", K_STR, O(metrics_listen), "", 0, 0, NULL },
	{ "xforward_trusted", K_LIST, O(xforward_trusted), "", 0, 0, NULL },

	{ "user_lookup", K_LIST, O(user_lookup), "system", 0, 0, NULL },
	{ "system_maildir", K_STR, O(system_maildir), "Maildir", 0, 0, NULL },
	{ "local_domains", K_LIST, O(local_domains), "", 0, 0, NULL },
	{ "virtual_mailbox_map", K_STR, O(virtual_mailbox_map), "", 0, 0, NULL },
	{ "virtual_base", K_STR, O(virtual_base), "", 0, 0, NULL },
	{ "virtual_uid", K_STR, O(virtual_uid), "", 0, 0, NULL },
	{ "recipient_delimiter", K_STR, O(recipient_delimiter), "+", 0, 0, NULL },
	{ "maildir_fsync", K_BOOL, O(maildir_fsync), "yes", 0, 0, NULL },
	{ "delivered_to", K_BOOL, O(delivered_to), "yes", 0, 0, NULL },

	{ "dns_mode", K_ENUM, O(dns_mode), "system", 0, 0, dns_mode_names },
	{ "dns_forwarders", K_LIST, O(dns_forwarders), "", 0, 0, NULL },
	{ "dns_resolv_conf", K_STR, O(dns_resolv_conf), "/etc/resolv.conf", 0, 0, NULL },
	{ "dns_zone_file", K_STR, O(dns_zone_file), "", 0, 0, NULL },
	{ "dnssec", K_BOOL, O(dnssec), "no", 0, 0, NULL },
	{ "dns_shared", K_BOOL, O(dns_shared), "yes", 0, 0, NULL },
	{ "dnssec_trust_anchor", K_STR, O(dnssec_trust_anchor), "/usr/share/dns/root.key", 0, 0, NULL },
	{ "dns_timeout", K_LONG, O(dns_timeout), "5000", 10, 120000, NULL },
	{ "dns_max_records", K_LONG, O(dns_max_records), "100", 1, 10000, NULL },

	{ "trusted_mtas", K_LIST, O(trusted_mtas), "", 0, 0, NULL },
	{ "internal_networks", K_LIST, O(internal_networks), "127.0.0.0/8 ::1/128", 0, 0, NULL },
	{ "skip_internal", K_BOOL, O(skip_internal), "yes", 0, 0, NULL },
	{ "received_max", K_LONG, O(received_max), "30", 1, 1000, NULL },

	{ "verify", K_BOOL, O(verify), "yes", 0, 0, NULL },
	{ "verdict_timeout", K_LONG, O(verdict_timeout), "20000", 10, 600000, NULL },
	{ "verdict_timeout_action", K_ENUM, O(verdict_timeout_action), "deliver", 0, 0, timeout_names },
	{ "ar_existing", K_ENUM, O(ar_existing), "remove", 0, 0, ar_names },

	{ "spf_helo_check", K_BOOL, O(spf_helo_check), "yes", 0, 0, NULL },
	{ "spf_hide_receiver", K_BOOL, O(spf_hide_receiver), "no", 0, 0, NULL },
	{ "spf_max_dns_mechs", K_LONG, O(spf_max_dns_mechs), "10", 1, 100, NULL },
	{ "spf_max_void", K_LONG, O(spf_max_void), "2", 0, 100, NULL },

	{ "dkim_max_signatures", K_LONG, O(dkim_max_signatures), "10", 1, 1000, NULL },
	{ "dkim_rsa_sha1", K_BOOL, O(dkim_rsa_sha1), "no", 0, 0, NULL },
	{ "dkim_min_rsa_bits", K_LONG, O(dkim_min_rsa_bits), "1024", 512, 16384, NULL },
	{ "dkim_max_rsa_bits", K_LONG, O(dkim_max_rsa_bits), "16384", 1024, 65536, NULL },
	{ "dkim_clock_skew", K_LONG, O(dkim_clock_skew), "300", 0, 86400, NULL },
	{ "dkim_partial_body_fail", K_BOOL, O(dkim_partial_body_fail), "no", 0, 0, NULL },
	{ "dkim_max_header_list", K_LONG, O(dkim_max_header_list), "1024", 1, 100000, NULL },
	{ "tag_list_max_tags", K_LONG, O(tag_list_max_tags), "64", 16, 10000, NULL },
	{ "tag_list_max_length", K_LONG, O(tag_list_max_length), "65536", 1024, 16777216, NULL },
	{ "arc_max_instances", K_LONG, O(arc_max_instances), "50", 1, 50, NULL },

	{ "dmarc_mode", K_ENUM, O(dmarc_mode), "treewalk", 0, 0, dmarc_mode_names },
	{ "psl_file", K_STR, O(psl_file), "/usr/share/publicsuffix/public_suffix_list.dat", 0, 0, NULL },
	{ "dmarc_reject_action", K_ENUM, O(dmarc_reject_action), "quarantine", 0, 0, reject_names },
	{ "arc_trusted_sealers", K_LIST, O(arc_trusted_sealers), "", 0, 0, NULL },
	{ "dmarc_exempt_domains", K_LIST, O(dmarc_exempt_domains), "", 0, 0, NULL },
	{ "dmarc_from_policy", K_ENUM, O(dmarc_from_policy), "strictest", 0, 0, from_policy_names },

	{ "sieve_before", K_LIST, O(sieve_before), "", 0, 0, NULL },
	{ "sieve_user", K_STR, O(sieve_user), "~/.authdeliver.sieve", 0, 0, NULL },
	{ "sieve_default", K_STR, O(sieve_default), "", 0, 0, NULL },
	{ "sieve_after", K_LIST, O(sieve_after), "", 0, 0, NULL },
	{ "junk_folder", K_STR, O(junk_folder), "Junk", 0, 0, NULL },
	{ "sieve_max_script_size", K_LONG, O(sieve_max_script_size), "1048576", 64, 67108864, NULL },
	{ "sieve_max_actions", K_LONG, O(sieve_max_actions), "32", 1, 1024, NULL },
	{ "sieve_max_body_size", K_LONG, O(sieve_max_body_size), "1048576", 0, 67108864, NULL },
	{ "sieve_global_dir", K_STR, O(sieve_global_dir), "", 0, 0, NULL },
	{ "sieve_spamtest_header", K_STR, O(sieve_spamtest_header), "X-Spam-Score", 0, 0, NULL },
	{ "sieve_spamtest_type", K_ENUM, O(sieve_spamtest_type), "score", 0, 0, score_type_names },
	{ "sieve_spamtest_max", K_LONG, O(sieve_spamtest_max), "10", 1, 1000000, NULL },
	{ "sieve_virustest_header", K_STR, O(sieve_virustest_header), "X-Virus-Score", 0, 0, NULL },
	{ "sieve_virustest_type", K_ENUM, O(sieve_virustest_type), "score", 0, 0, score_type_names },
	{ "sieve_virustest_max", K_LONG, O(sieve_virustest_max), "5", 1, 1000000, NULL },
	{ "sieve_timeout", K_LONG, O(sieve_timeout), "10", 1, 3600, NULL },
	{ "sieve_shared_workers", K_BOOL, O(sieve_shared_workers), "yes", 0, 0, NULL },
	{ "sieve_reject_to_folder", K_BOOL, O(sieve_reject_to_folder), "no", 0, 0, NULL },
	{ "sendmail_path", K_STR, O(sendmail_path), "/usr/sbin/sendmail", 0, 0, NULL },
	{ "sieve_max_redirects", K_LONG, O(sieve_max_redirects), "4", 0, 100, NULL },
	{ "vacation_db_dir", K_STR, O(vacation_db_dir), "", 0, 0, NULL },

	{ "dmarc_report_store", K_STR, O(dmarc_report_store), "", 0, 0, NULL },
	{ "dmarc_report_spool", K_STR, O(dmarc_report_spool), "/var/lib/authdeliver/dmarc-report.spool", 0, 0, NULL },
	{ "dmarc_report_timeout", K_LONG, O(dmarc_report_timeout), "2000", 10, 600000, NULL },
	{ "dmarc_report_keep", K_LONG, O(dmarc_report_keep), "14", 1, 3650, NULL },
	{ "dmarc_report_org_name", K_STR, O(dmarc_report_org_name), "", 0, 0, NULL },
	{ "dmarc_report_from", K_STR, O(dmarc_report_from), "", 0, 0, NULL },
	{ "dmarc_report_contact", K_STR, O(dmarc_report_contact), "", 0, 0, NULL },
	{ "dmarc_report_max_uris", K_LONG, O(dmarc_report_max_uris), "4", 1, 32, NULL },
	{ "dmarc_report_exclude", K_LIST, O(dmarc_report_exclude), "", 0, 0, NULL },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static char errbuf[1024];

static void list_free(struct conf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int list_parse(struct conf_list *l, const char *s)
{
	list_free(l);
	while (*s) {
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		const char *e = s;
		while (*e && *e != ',' && !isspace((unsigned char)*e))
			e++;
		char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		if (!(l->v[l->n] = strndup(s, (size_t)(e - s))))
			return -1;
		l->n++;
		s = e;
	}
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

/* Set one key; returns NULL or a problem description. */
static const char *set_key(struct conf *c, const struct key *k, const char *v)
{
	void *p = (char *)c + k->off;
	switch (k->type) {
	case K_STR: {
		char *d = strdup(v);
		if (!d)
			return "out of memory";
		free(*(char **)p);
		*(char **)p = d;
		return NULL;
	}
	case K_LONG: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		/* optional size suffix: k, M, G */
		if (end != v && *end && !end[1] && strchr("kKmMgG", *end)) {
			long mul = (*end == 'k' || *end == 'K') ? 1024L :
				   (*end == 'm' || *end == 'M') ? 1048576L : 1073741824L;
			if (n > LONG_MAX / mul)
				return "number out of range";
			n *= mul;
			end++;
		}
		if (errno || end == v || *end)
			return "not a number";
		if (n < k->min || n > k->max) {
			static char b[96];
			snprintf(b, sizeof(b), "%ld out of range %ld..%ld", n, k->min, k->max);
			return b;
		}
		*(long *)p = n;
		return NULL;
	}
	case K_BOOL:
		return parse_bool(v, (bool *)p) ? "expected yes or no" : NULL;
	case K_LIST:
		return list_parse((struct conf_list *)p, v) ? "out of memory" : NULL;
	case K_ENUM:
		for (int i = 0; k->names[i]; i++)
			if (!strcasecmp(v, k->names[i])) {
				*(int *)p = i;
				return NULL;
			}
		{
			static char b[160];
			size_t o = (size_t)snprintf(b, sizeof(b), "expected one of:");
			for (int i = 0; k->names[i] && o < sizeof(b); i++)
				o += (size_t)snprintf(b + o, sizeof(b) - o, " %s", k->names[i]);
			return b;
		}
	}
	return "bad key type";
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static struct conf *conf_defaults(void)
{
	struct conf *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	for (size_t i = 0; i < NKEYS; i++)
		if (set_key(c, &keys[i], keys[i].def)) {
			conf_free(c);
			return NULL;
		}
	return c;
}

/* Derived defaults that depend on the host. */
static int conf_finish(struct conf *c)
{
	if (!*c->hostname) {
		char h[256] = "localhost";
		if (gethostname(h, sizeof(h) - 1) < 0)
			strcpy(h, "localhost");
		h[sizeof(h) - 1] = 0;
		free(c->hostname);
		if (!(c->hostname = strdup(h)))
			return -1;
	}
	if (!*c->authserv_id) {
		free(c->authserv_id);
		if (!(c->authserv_id = strdup(c->hostname)))
			return -1;
	}
	return 0;
}

/* lmtp_socket_mode must be an octal permission mode. */
static int mode_ok(const char *m)
{
	char *end;
	long v = strtol(m, &end, 8);
	return *m && !*end && v >= 0 && v <= 0777;
}

/* metrics_listen: a UNIX socket or a loopback address with a port; the
 * counters are for the operator, not for the network. */
static int metrics_addr_ok(const char *a)
{
	if (!strncmp(a, "unix:/", 6))
		return 1;
	char host[64];
	const char *port;
	if (a[0] == '[') {
		const char *rb = strchr(a, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - a - 1) >= sizeof(host))
			return 0;
		memcpy(host, a + 1, (size_t)(rb - a - 1));
		host[rb - a - 1] = 0;
		port = rb + 2;
	} else {
		const char *colon = strrchr(a, ':');
		if (!colon || (size_t)(colon - a) >= sizeof(host))
			return 0;
		memcpy(host, a, (size_t)(colon - a));
		host[colon - a] = 0;
		port = colon + 1;
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 1 || p > 65535)
		return 0;
	unsigned char b[16];
	if (inet_pton(AF_INET, host, b) == 1)
		return b[0] == 127;
	if (inet_pton(AF_INET6, host, b) == 1)
		return !memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

struct conf *conf_parse_string(const char *text, const char *name, const char **error_r)
{
	struct conf *c = conf_defaults();
	if (!c) {
		*error_r = "out of memory";
		return NULL;
	}
	if (!(c->path = strdup(name ? name : "(built-in)")))
		goto oom;
	const char *p = text ? text : "";
	unsigned lineno = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		char *line = strndup(p, ll);
		if (!line)
			goto oom;
		p += ll + (nl ? 1 : 0);
		/* a '#' at the start of a line or after a space or tab starts
		 * a comment, so "key = value   # why" means "value"; a '#'
		 * inside a word ("a#b") is part of the value */
		for (char *h = line; (h = strchr(h, '#')); h++)
			if (h == line || h[-1] == ' ' || h[-1] == '\t') {
				*h = 0;
				break;
			}
		char *s = trim(line);
		if (!*s || *s == '#') {
			free(line);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(errbuf, sizeof(errbuf), "%s:%u: expected \"key = value\"", c->path, lineno);
			free(line);
			goto bad;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		const struct key *k = find_key(key);
		if (!k) {
			snprintf(errbuf, sizeof(errbuf), "%s:%u: %s: unknown key", c->path, lineno, key);
			free(line);
			goto bad;
		}
		const char *prob = set_key(c, k, val);
		if (prob) {
			snprintf(errbuf, sizeof(errbuf), "%s:%u: %s: %s", c->path, lineno, key, prob);
			free(line);
			goto bad;
		}
		free(line);
	}
	if (conf_finish(c) < 0)
		goto oom;
	if (*c->metrics_listen && !metrics_addr_ok(c->metrics_listen)) {
		snprintf(errbuf, sizeof(errbuf), "%s: metrics_listen: expected unix:/path or a loopback "
			 "address with a port (127.0.0.1:9425, [::1]:9425)", c->path);
		goto bad;
	}
	/* one evaluation runs at most 60 steps: sieve_before, the personal
	 * (or default) script, sieve_after (sieve_plan.c) */
	if (c->sieve_before.n > CONF_SIEVE_BEFORE_MAX || c->sieve_after.n > CONF_SIEVE_AFTER_MAX) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s: at most %d scripts", c->path,
			 c->sieve_before.n > CONF_SIEVE_BEFORE_MAX ? "sieve_before" : "sieve_after",
			 c->sieve_before.n > CONF_SIEVE_BEFORE_MAX ? CONF_SIEVE_BEFORE_MAX :
			 CONF_SIEVE_AFTER_MAX);
		goto bad;
	}
	if (!mode_ok(c->lmtp_socket_mode)) {
		snprintf(errbuf, sizeof(errbuf), "%s: lmtp_socket_mode: expected an octal mode such as 0660",
			 c->path);
		goto bad;
	}
	return c;
oom:
	snprintf(errbuf, sizeof(errbuf), "%s: out of memory", name ? name : "config");
bad:
	conf_free(c);
	*error_r = errbuf;
	return NULL;
}

struct conf *conf_parse(const char *file, const char **error_r)
{
	if (!file)
		return conf_parse_string("", NULL, error_r);
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(errbuf, sizeof(errbuf), "%s: cannot open: %s", file, strerror(errno));
		*error_r = errbuf;
		return NULL;
	}
	struct buf b;
	buf_init(&b, 16 * 1024 * 1024);
	int rr = read_full(fd, &b), rerr = errno;
	close(fd);
	if (rr < 0 || (b.p && memchr(b.p, 0, b.len))) {
		buf_clear(&b);
		if (rr < 0 && rerr == ENOMEM) {
			*error_r = "out of memory";
			return NULL;
		}
		snprintf(errbuf, sizeof(errbuf), "%s: %s", file,
			 rr == 0 ? "NUL byte in file" : rerr == EFBIG ? "file too large" : "read error");
		*error_r = errbuf;
		return NULL;
	}
	struct conf *c = conf_parse_string(b.p ? b.p : "", file, error_r);
	buf_clear(&b);
	return c;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		void *p = (char *)c + keys[i].off;
		if (keys[i].type == K_STR)
			free(*(char **)p);
		else if (keys[i].type == K_LIST)
			list_free((struct conf_list *)p);
	}
	free(c->path);
	free(c);
}

/* Is some address of this host (loopback or an interface address) inside
 * CIDR e?  Any local user can connect from such an address. */
static bool cidr_has_local(const char *e, char *addr_r, size_t size)
{
	char *v[1] = { (char *)e };
	struct conf_list one = { 1, v };
	static const char *const lo[] = { "127.0.0.1", "::1" };
	for (size_t i = 0; i < 2; i++)
		if (client_ip_in(&one, lo[i])) {
			snprintf(addr_r, size, "%s", lo[i]);
			return true;
		}
	struct ifaddrs *ifa, *i;
	bool found = false;
	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf, sizeof(buf));
		else if (i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, buf, sizeof(buf));
		else
			continue;
		if (client_ip_in(&one, buf)) {
			snprintf(addr_r, size, "%s", buf);
			found = true;
		}
	}
	freeifaddrs(ifa);
	return found;
}

int conf_warnings(const struct conf *c, void (*emit)(const char *msg))
{
	char msg[512];
	int n = 0;
	bool tcp = false, unix_listen = false;
	for (size_t i = 0; i < c->lmtp_listen.n; i++) {
		if (!strncmp(c->lmtp_listen.v[i], "unix:", 5))
			unix_listen = true;
		else
			tcp = true;
	}
	for (size_t i = 0; i < c->xforward_trusted.n; i++) {
		const char *e = c->xforward_trusted.v[i];
		char addr[INET6_ADDRSTRLEN];
		if (!strcmp(e, "unix")) {
			long mode = strtol(c->lmtp_socket_mode, NULL, 8);
			if (unix_listen && (mode & 0006)) {
				snprintf(msg, sizeof(msg),
					 "xforward_trusted: unix, but lmtp_socket_mode %s lets any local user "
					 "connect and forge XFORWARD (use 0660 and lmtp_socket_group)",
					 c->lmtp_socket_mode);
				emit(msg);
				n++;
			}
			continue;
		}
		if (tcp && cidr_has_local(e, addr, sizeof(addr))) {
			snprintf(msg, sizeof(msg),
				 "xforward_trusted: %s contains %s, an address of this host: any local "
				 "user can connect from it and forge XFORWARD (trust \"unix\" on a socket "
				 "only the MTA can reach)", e, addr);
			emit(msg);
			n++;
		}
	}
	if (*c->lmtp_socket_owner && unix_listen && !getpwnam(c->lmtp_socket_owner)) {
		snprintf(msg, sizeof(msg), "lmtp_socket_owner: no such user \"%s\"", c->lmtp_socket_owner);
		emit(msg);
		n++;
	}
	if (*c->lmtp_socket_group && unix_listen && !getgrnam(c->lmtp_socket_group)) {
		snprintf(msg, sizeof(msg), "lmtp_socket_group: no such group \"%s\"", c->lmtp_socket_group);
		emit(msg);
		n++;
	}
	return n;
}

static struct conf *installed;

void conf_install(struct conf *c)
{
	struct conf *old = installed;
	installed = c;
	conf = c;
	conf_free(old);
}

void conf_shutdown(void)
{
	conf_install(NULL);
}

static void print_value(FILE *fp, const struct conf *c, const struct key *k)
{
	const void *p = (const char *)c + k->off;
	switch (k->type) {
	case K_STR:
		fprintf(fp, "%s", *(char *const *)p);
		break;
	case K_LONG:
		fprintf(fp, "%ld", *(const long *)p);
		break;
	case K_BOOL:
		fprintf(fp, "%s", *(const bool *)p ? "yes" : "no");
		break;
	case K_LIST: {
		const struct conf_list *l = p;
		for (size_t i = 0; i < l->n; i++)
			fprintf(fp, "%s%s", i ? " " : "", l->v[i]);
		break;
	}
	case K_ENUM:
		fprintf(fp, "%s", k->names[*(const int *)p]);
		break;
	}
}

void conf_print(const struct conf *c, int all, void *vfp)
{
	FILE *fp = vfp;
	struct conf *d = all ? NULL : conf_defaults();
	if (d)
		conf_finish(d);
	fprintf(fp, "# %s\n", c->path);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (d) {
			/* like postconf -n: only what differs from the default */
			char *a = NULL, *b = NULL;
			size_t al = 0, bl = 0;
			FILE *fa = open_memstream(&a, &al), *fb = open_memstream(&b, &bl);
			if (fa && fb) {
				print_value(fa, c, k);
				print_value(fb, d, k);
			}
			if (fa)
				fclose(fa);
			if (fb)
				fclose(fb);
			int same = a && b && !strcmp(a, b);
			free(a);
			free(b);
			if (same)
				continue;
		}
		fprintf(fp, "%s = ", k->name);
		print_value(fp, c, k);
		fputc('\n', fp);
	}
	conf_free(d);
}
