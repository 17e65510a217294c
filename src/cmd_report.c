/* cmd_report.c - `authdeliver report`: DMARC aggregate reports (RFC 9990).
 *
 *   authdeliver report list [-c FILE]
 *   authdeliver report verify [-c FILE] POLICY-DOMAIN ADDRESS...
 *   authdeliver report send [-c FILE] [--day YYYY-MM-DD] [--domain D]
 *                           [--dry-run] [--out DIR] [--now EPOCH]
 *
 * list: policy domains and UTC days with records, and the reports made
 * with the state of each destination.  verify: would a report for the
 * policy domain go to each address (RFC 9990 section 4)?  send: below.
 * list and send load the spool into the store first.  Exit 0, 75 when the
 * store cannot be reached or a destination failed temporarily (verify: a
 * DNS temporary error), 69 when verify found an address not authorized,
 * 78 for a configuration problem, 64 for usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "log.h"
#include "report_mail.h"
#include "report_rec.h"
#include "report_store.h"
#include "report_xml.h"

struct report_send_opts {
	long long day;			/* -1: every completed day */
	const char *domain;		/* NULL: every policy domain */
	bool dry_run;			/* build, print, mark nothing */
	const char *out_dir;		/* write the emails here, send nothing */
	long long now;			/* 0: time(NULL) */
};

#define LOCK_TTL 900			/* seconds; renewed after each report */

static void usage(void)
{
	fprintf(stderr, "usage: authdeliver report list [-c FILE]\n"
		"       authdeliver report verify [-c FILE] POLICY-DOMAIN ADDRESS...\n"
		"       authdeliver report send [-c FILE] [--day YYYY-MM-DD] [--domain D]"
		" [--dry-run] [--out DIR]\n");
}

static int list_rec_cb(void *arg, size_t n, const char *const *v)
{
	char day[16];
	report_day_format(atoll(v[0]), day, sizeof day);
	printf("  %s  %-40s %8s records\n", day, v[1], v[2]);
	(*(long *)arg)++;
	return 0;
}

static int list_rep_cb(void *arg, size_t n, const char *const *v)
{
	char day[16];
	report_day_format(atoll(v[0]), day, sizeof day);
	printf("  %s  %-40s %s  %s  %s %s\n", day, v[1], v[2], v[3], v[4], *v[5] ? v[5] : "");
	(*(long *)arg)++;
	return 0;
}

static int report_list(struct report_store *st)
{
	long n = 0;
	printf("records (UTC day, policy domain):\n");
	if (report_store_exec(st, "SELECT day, policy_domain, count(*) FROM record"
			      " GROUP BY day, policy_domain ORDER BY day, policy_domain",
			      0, NULL, list_rec_cb, &n) < 0)
		goto fail;
	if (!n)
		printf("  none\n");
	n = 0;
	printf("reports (UTC day, policy domain, Report-ID, state, destination state):\n");
	if (report_store_exec(st, "SELECT r.day, r.policy_domain, r.report_id, r.state,"
			      " coalesce(d.rcpt, '-'), coalesce(d.state || ' tries=' ||"
			      " CAST(d.tries AS TEXT) || CASE WHEN d.error = '' THEN '' ELSE"
			      " ' (' || d.error || ')' END, '')"
			      " FROM report r LEFT JOIN delivery d ON d.report_id = r.report_id"
			      " ORDER BY r.day, r.policy_domain, d.rcpt",
			      0, NULL, list_rep_cb, &n) < 0)
		goto fail;
	if (!n)
		printf("  none\n");
	return EX_OK;
fail:
	fprintf(stderr, "authdeliver: report list: %s\n", report_store_error(st));
	return EX_TEMPFAIL;
}

/* ------------------------------------------------------------------ */
/* send                                                               */

struct work {
	long long day;
	char domain[256];
};

struct worklist {
	struct work *w;
	size_t n, cap;
};

static int work_cb(void *arg, size_t n, const char *const *v)
{
	struct worklist *l = arg;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct work *nw = realloc(l->w, nc * sizeof *nw);
		if (!nw)
			return 1;
		l->w = nw;
		l->cap = nc;
	}
	l->w[l->n].day = atoll(v[0]);
	snprintf(l->w[l->n].domain, sizeof l->w[l->n].domain, "%s", v[1]);
	l->n++;
	return 0;
}

struct rep {
	bool found;
	char id[64], state[16], rua[1024];
	char *xml;
	long records;
};

static int rep_cb(void *arg, size_t n, const char *const *v)
{
	struct rep *r = arg;
	r->found = true;
	snprintf(r->id, sizeof r->id, "%s", v[0]);
	snprintf(r->state, sizeof r->state, "%s", v[1]);
	snprintf(r->rua, sizeof r->rua, "%s", v[2]);
	free(r->xml);
	r->xml = strdup(v[3]);
	r->records = atol(v[4]);
	return 1;
}

static int get_report(struct report_store *st, long long day, const char *domain, struct rep *r)
{
	char d[24];
	snprintf(d, sizeof d, "%lld", day);
	const char *p[] = { d, domain };
	r->found = false;
	return report_store_exec(st, "SELECT report_id, state, rua, xml, records FROM report"
				 " WHERE day = ? AND policy_domain = ?", 2, p, rep_cb, r) < 0 ? -1 : 0;
}

static int str_cb(void *arg, size_t n, const char *const *v)
{
	char **o = arg;
	snprintf(o[0], (size_t)(o[1] - o[0]), "%s", n ? v[0] : "");
	return 1;
}

/* the delivery state of one rua address: "" (never tried), sent, temp,
 * perm, skipped */
static void dest_state(struct report_store *st, const char *id, const char *rcpt,
		       char *buf, size_t size)
{
	const char *p[] = { id, rcpt };
	char *o[2] = { buf, buf + size };
	*buf = '\0';
	report_store_exec(st, "SELECT state FROM delivery WHERE report_id = ? AND rcpt = ?",
			  2, p, str_cb, o);
}

static int set_dest(struct report_store *st, const char *id, const char *rcpt,
		    const char *state, long long now, const char *why)
{
	char t[24];
	snprintf(t, sizeof t, "%lld", now);
	const char *p[] = { id, rcpt, state, t, why };
	return report_store_exec(st, "INSERT INTO delivery (report_id, rcpt, state, tries, last_try,"
				 " error) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (report_id, rcpt)"
				 " DO UPDATE SET state = excluded.state, tries = delivery.tries + 1,"
				 " last_try = excluded.last_try, error = excluded.error",
				 5, p, NULL, NULL) < 0 ? -1 : 0;
}

static int delete_records(struct report_store *st, long long day, const char *domain)
{
	char d[24];
	snprintf(d, sizeof d, "%lld", day);
	const char *p[] = { d, domain };
	return report_store_exec(st, "DELETE FROM record WHERE day = ? AND policy_domain = ?",
				 2, p, NULL, NULL) < 0 ? -1 : 0;
}

static bool excluded(const struct conf *c, const char *d)
{
	for (size_t i = 0; i < c->dmarc_report_exclude.n; i++)
		if (!strcasecmp(c->dmarc_report_exclude.v[i], d))
			return true;
	return false;
}

static int write_out(const char *dir, const char *name, const char *msg, size_t len)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int rc = write_full(fd, msg, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	return close(fd) == 0 ? rc : -1;
}

struct send_ctx {
	struct report_store *st;
	const struct conf *c;
	const struct report_send_opts *o;
	struct dmarc *dm;
	struct dns *dns;
	char from[REPORT_ADDR_MAX], org[256];
	long long now, today;
	bool temp;			/* a destination is left for a retry */
	long sent, written, skipped;
};

/* One policy domain and day: make or reuse the report, then every rua
 * destination not done yet.  The XML is made once and kept with the
 * Report-ID, so a re-send is the same report (RFC 9990 3.5.2). */
static int send_one(struct send_ctx *x, const struct work *w)
{
	const struct report_send_opts *o = x->o;
	bool marking = !o->dry_run && !o->out_dir;
	bool complete = w->day < x->today;
	char day[16];
	report_day_format(w->day, day, sizeof day);
	if (excluded(x->c, w->domain)) {
		log_info("report %s %s: dmarc_report_exclude, not reported", w->domain, day);
		return marking ? delete_records(x->st, w->day, w->domain) : 0;
	}
	struct rep r = { 0 };
	if (get_report(x->st, w->day, w->domain, &r) < 0)
		return -1;
	if (r.found && !strcmp(r.state, "done")) {
		/* records that came (from a spool) after the report was sent */
		if (marking) {
			log_warn("report %s %s: records arrived after report %s was sent; not reported",
				 w->domain, day, r.id);
			delete_records(x->st, w->day, w->domain);
		}
		free(r.xml);
		return 0;
	}
	if (!r.found) {
		struct report_meta m = { x->org, x->from, x->c->dmarc_report_contact, r.id, w->day,
					 w->domain, "authdeliver " AUTHDELIVER_VERSION };
		if (report_id_new(w->day, r.id, sizeof r.id) < 0)
			return -1;
		size_t len;
		if (report_xml_build(x->st, &m, &r.xml, &len, &r.records) < 0)
			return -1;
		if (!r.records) {
			free(r.xml);
			return 0;
		}
		char d[24];
		snprintf(d, sizeof d, "%lld", w->day);
		const char *pr[] = { d, w->domain };
		char *o2[2] = { r.rua, r.rua + sizeof r.rua };
		if (report_store_exec(x->st, "SELECT rua FROM record WHERE day = ? AND policy_domain = ?"
				      " ORDER BY ts DESC, uid LIMIT 1", 2, pr, str_cb, o2) < 0) {
			free(r.xml);
			return -1;
		}
		if (complete && !o->dry_run) {
			/* the Report-ID and the XML are fixed from here on (not
			 * by --dry-run, which writes nothing); a
			 * concurrent --out may have been first: use its row */
			char t[24], cnt[24];
			snprintf(t, sizeof t, "%lld", x->now);
			snprintf(cnt, sizeof cnt, "%ld", r.records);
			const char *p[] = { d, w->domain, r.id, t, cnt, r.rua, r.xml };
			if (report_store_exec(x->st, "INSERT INTO report (day, policy_domain, report_id,"
					      " created, state, records, rua, xml) VALUES (?, ?, ?, ?,"
					      " 'open', ?, ?, ?) ON CONFLICT DO NOTHING", 7, p,
					      NULL, NULL) < 0 ||
			    get_report(x->st, w->day, w->domain, &r) < 0 || !r.found) {
				free(r.xml);
				return -1;
			}
		}
	}
	struct report_meta m = { x->org, x->from, x->c->dmarc_report_contact, r.id, w->day,
				 w->domain, "authdeliver " AUTHDELIVER_VERSION };
	unsigned char *gz = NULL;
	size_t gzlen = 0;
	if (report_gzip(r.xml, strlen(r.xml), &gz, &gzlen) < 0) {
		free(r.xml);
		return -1;
	}
	char addrs[32][REPORT_ADDR_MAX];
	size_t na = report_rua_parse(r.rua, (size_t)x->c->dmarc_report_max_uris, addrs);
	size_t pending = 0;
	for (size_t i = 0; i < na; i++) {
		char state[16];
		dest_state(x->st, r.id, addrs[i], state, sizeof state);
		if (!strcmp(state, "sent") || !strcmp(state, "perm") || !strcmp(state, "skipped"))
			continue;
		char dest[8][REPORT_ADDR_MAX], why[600];
		size_t nd = 0;
		enum report_dest v = report_dest_verify(x->dm, x->dns, w->domain, addrs[i], dest, 8,
							&nd, why, sizeof why);
		if (v == REPORT_DEST_SKIP) {
			log_info("report %s %s %s: <%s> skipped: %s", r.id, w->domain, day, addrs[i], why);
			x->skipped++;
			if (marking)
				set_dest(x->st, r.id, addrs[i], "skipped", x->now, why);
			continue;
		}
		if (v == REPORT_DEST_TEMP) {
			log_warn("report %s %s %s: <%s> not verified now: %s; retried next run",
				 r.id, w->domain, day, addrs[i], why);
			x->temp = true;
			pending++;
			if (marking)
				set_dest(x->st, r.id, addrs[i], "temp", x->now, why);
			continue;
		}
		enum report_sent worst = REPORT_SENT;
		char swhy[300] = "";
		for (size_t k = 0; k < nd; k++) {
			size_t len = 0;
			char *msg = report_mail_build(&m, x->from, dest[k], gz, gzlen, &len);
			if (!msg) {
				worst = REPORT_SEND_TEMP;
				snprintf(swhy, sizeof swhy, "out of memory");
				continue;
			}
			if (o->out_dir) {
				char name[700];
				snprintf(name, sizeof name, "%s!%s!%s.eml", w->domain, r.id, dest[k]);
				if (write_out(o->out_dir, name, msg, len) < 0) {
					fprintf(stderr, "authdeliver: report: %s/%s: %s\n", o->out_dir,
						name, strerror(errno));
					free(msg);
					free(gz);
					free(r.xml);
					return -1;
				}
				printf("%s/%s\n", o->out_dir, name);
				x->written++;
			} else if (o->dry_run) {
				printf("would send report %s for %s %s (%ld messages, %zu bytes gzip) to <%s>"
				       " (%s)\n", r.id, w->domain, day, r.records, gzlen, dest[k], why);
			} else {
				char ew[300];
				enum report_sent s = report_mail_send(x->c->sendmail_path, x->from,
								      dest[k], msg, len, ew, sizeof ew);
				log_info("report %s %s %s: <%s>%s%s: %s", r.id, w->domain, day, dest[k],
					 strcmp(dest[k], addrs[i]) ? " for " : "",
					 strcmp(dest[k], addrs[i]) ? addrs[i] : "",
					 s == REPORT_SENT ? ew : s == REPORT_SEND_TEMP ?
					 "temporary failure" : "permanent failure");
				if (s != REPORT_SENT)
					snprintf(swhy, sizeof swhy, "%s", ew);
				if (s > worst)
					worst = s == REPORT_SEND_PERM && worst == REPORT_SEND_TEMP ?
						worst : s;
				if (s == REPORT_SENT)
					x->sent++;
			}
			free(msg);
		}
		if (!marking)
			continue;
		if (worst == REPORT_SEND_TEMP) {
			x->temp = true;
			pending++;
		}
		set_dest(x->st, r.id, addrs[i], worst == REPORT_SENT ? "sent" :
			 worst == REPORT_SEND_TEMP ? "temp" : "perm", x->now, swhy);
	}
	if (!na)
		log_warn("report %s %s: no usable mailto: rua (%s)", w->domain, day, r.rua);
	if (marking && !pending) {
		/* every destination succeeded, failed for good or was not
		 * authorized: the records are not needed any more */
		const char *p[] = { r.id };
		if (report_store_exec(x->st, "UPDATE report SET state = 'done' WHERE report_id = ?",
				      1, p, NULL, NULL) < 0 ||
		    delete_records(x->st, w->day, w->domain) < 0) {
			free(gz);
			free(r.xml);
			return -1;
		}
	}
	free(gz);
	free(r.xml);
	return 0;
}

/* RFC 9990 3.1.1.4: one report per policy domain per completed UTC day */
static int report_send(struct report_store *st, const struct conf *c,
		       const struct report_send_opts *o)
{
	struct send_ctx x = { .st = st, .c = c, .o = o };
	x.now = o->now ? o->now : (long long)time(NULL);
	x.today = report_day(x.now);
	bool marking = !o->dry_run && !o->out_dir;
	if (o->day >= x.today && marking) {
		fprintf(stderr, "authdeliver: report send: --day names a day that is not over yet;"
			" only with --dry-run or --out\n");
		return EX_USAGE;
	}
	if (o->out_dir && mkdir(o->out_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "authdeliver: report send: %s: %s\n", o->out_dir, strerror(errno));
		return EX_CANTCREAT;
	}
	const char *host = c->hostname && *c->hostname ? c->hostname : "localhost";
	if (c->dmarc_report_from && *c->dmarc_report_from)
		snprintf(x.from, sizeof x.from, "%s", c->dmarc_report_from);
	else
		snprintf(x.from, sizeof x.from, "dmarc-reports@%s", host);
	snprintf(x.org, sizeof x.org, "%s",
		 c->dmarc_report_org_name && *c->dmarc_report_org_name ? c->dmarc_report_org_name : host);
	if (!strchr(x.from, '@')) {
		fprintf(stderr, "authdeliver: report send: dmarc_report_from \"%s\" is no address\n",
			x.from);
		return EX_CONFIG;
	}

	/* several nodes may run this at once: one holds the lock, the
	 * others find nothing to do (RFC 9990 3.5.4: no duplicates) */
	char holder[300], owner[300];
	unsigned char rnd[4] = { 0 };
	long rn = random();
	memcpy(rnd, &rn, sizeof rnd);
	snprintf(holder, sizeof holder, "%s:%ld:%lld:%02x%02x%02x%02x", host, (long)getpid(),
		 x.now, rnd[0], rnd[1], rnd[2], rnd[3]);
	if (marking) {
		int l = report_store_lock(st, holder, x.now, LOCK_TTL, owner, sizeof owner);
		if (l < 0) {
			fprintf(stderr, "authdeliver: report send: lock: %s\n", report_store_error(st));
			return EX_TEMPFAIL;
		}
		if (l == 0) {
			fprintf(stderr, "authdeliver: report send: another run holds the send lock (%s);"
				" nothing done\n", owner);
			return EX_OK;
		}
		/* retention: dmarc_report_keep days, sent or not */
		char cut[24];
		snprintf(cut, sizeof cut, "%lld", x.today - c->dmarc_report_keep);
		const char *p[] = { cut };
		long gone = report_store_exec(st, "DELETE FROM record WHERE day < ?", 1, p, NULL, NULL);
		long exp = report_store_exec(st, "DELETE FROM delivery WHERE state = 'temp' AND report_id IN"
					     " (SELECT report_id FROM report WHERE day < ?)", 1, p, NULL, NULL);
		report_store_exec(st, "DELETE FROM delivery WHERE report_id IN"
				  " (SELECT report_id FROM report WHERE day < ?)", 1, p, NULL, NULL);
		report_store_exec(st, "DELETE FROM report WHERE day < ?", 1, p, NULL, NULL);
		if (gone > 0 || exp > 0)
			log_info("report: retention (%ld days): %ld old records deleted, %ld destinations"
				 " given up", c->dmarc_report_keep, gone, exp > 0 ? exp : 0);
	}

	const char *err = NULL;
	x.dns = dns_new(c, NULL, &err);
	if (!x.dns) {
		fprintf(stderr, "authdeliver: report send: dns: %s\n", err ? err : "?");
		if (marking)
			report_store_unlock(st, holder);
		return EX_TEMPFAIL;
	}
	x.dm = dmarc_new(c, x.dns);

	char sql[600], dl[24], tl[24];
	snprintf(dl, sizeof dl, "%lld", o->day);
	snprintf(tl, sizeof tl, "%lld", o->day >= 0 ? o->day + 1 : x.today);
	const char *p[4];
	size_t np = 0;
	p[np++] = tl;
	snprintf(sql, sizeof sql, "SELECT DISTINCT day, policy_domain FROM record WHERE day < ?%s%s"
		 " UNION SELECT day, policy_domain FROM report WHERE state = 'open'%s%s ORDER BY 1, 2",
		 o->day >= 0 ? " AND day = ?" : "", o->domain ? " AND policy_domain = ?" : "",
		 o->day >= 0 ? " AND day = ?" : "", o->domain ? " AND policy_domain = ?" : "");
	if (o->day >= 0)
		p[np++] = dl;
	if (o->domain)
		p[np++] = o->domain;
	if (o->day >= 0)
		p[np++] = dl;
	if (o->domain)
		p[np++] = o->domain;
	struct worklist wl = { 0 };
	int rc = EX_OK;
	if (report_store_exec(st, sql, np, p, work_cb, &wl) < 0) {
		fprintf(stderr, "authdeliver: report send: %s\n", report_store_error(st));
		rc = EX_TEMPFAIL;
	}
	for (size_t i = 0; rc == EX_OK && i < wl.n; i++) {
		if (send_one(&x, &wl.w[i]) < 0) {
			fprintf(stderr, "authdeliver: report send: %s %lld: %s\n", wl.w[i].domain,
				wl.w[i].day, report_store_error(st));
			rc = EX_TEMPFAIL;
			break;
		}
		if (marking && report_store_lock(st, holder, (long long)time(NULL), LOCK_TTL,
						 owner, sizeof owner) != 1) {
			fprintf(stderr, "authdeliver: report send: lost the send lock to %s\n", owner);
			rc = EX_TEMPFAIL;
		}
	}
	free(wl.w);
	if (marking)
		report_store_unlock(st, holder);
	dmarc_free(x.dm);
	dns_free(x.dns);
	fprintf(stderr, "authdeliver: report send: %zu reports, %ld sent, %ld written, %ld skipped%s\n",
		wl.n, x.sent, x.written, x.skipped, x.temp ? ", some destinations retried next run" : "");
	if (rc == EX_OK && x.temp)
		rc = EX_TEMPFAIL;
	return rc;
}

/* RFC 9990 section 4 for each address, printed */
static int report_verify(const struct conf *c, const char *domain, char **addrs, int n)
{
	const char *err = NULL;
	struct dns *d = dns_new(c, NULL, &err);
	if (!d) {
		fprintf(stderr, "authdeliver: report verify: dns: %s\n", err ? err : "?");
		return EX_TEMPFAIL;
	}
	struct dmarc *dm = dmarc_new(c, d);
	int rc = EX_OK;
	for (int i = 0; i < n; i++) {
		char a[1][REPORT_ADDR_MAX], uri[REPORT_ADDR_MAX + 8], dest[8][REPORT_ADDR_MAX], why[600];
		snprintf(uri, sizeof uri, "%s%s", strncasecmp(addrs[i], "mailto:", 7) ? "mailto:" : "",
			 addrs[i]);
		if (report_rua_parse(uri, 1, a) != 1) {
			printf("%s skip: not a usable mailto: address\n", addrs[i]);
			rc = rc == EX_OK ? EX_UNAVAILABLE : rc;
			continue;
		}
		size_t nd = 0;
		enum report_dest v = report_dest_verify(dm, d, domain, a[0], dest, 8, &nd, why, sizeof why);
		printf("%s %s: %s", a[0], v == REPORT_DEST_OK ? "ok" : v == REPORT_DEST_TEMP ? "temp" : "skip",
		       why);
		for (size_t k = 0; k < nd; k++)
			printf("%s%s", k ? ", " : " -> ", dest[k]);
		printf("\n");
		if (v == REPORT_DEST_TEMP)
			rc = EX_TEMPFAIL;
		else if (v == REPORT_DEST_SKIP && rc == EX_OK)
			rc = EX_UNAVAILABLE;
	}
	dmarc_free(dm);
	dns_free(d);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	const char *file = NULL;
	struct report_send_opts o = { .day = -1 };
	static const struct option opts[] = {
		{ "day", required_argument, NULL, 'd' },
		{ "domain", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "now", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc < 2) {
		usage();
		return EX_USAGE;
	}
	const char *sub = argv[1];
	bool send = !strcmp(sub, "send"), verify = !strcmp(sub, "verify");
	if (!send && !verify && strcmp(sub, "list")) {
		usage();
		return EX_USAGE;
	}
	int ch;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'd':
			o.day = report_day_parse(optarg);
			if (o.day < 0) {
				fprintf(stderr, "authdeliver: --day wants YYYY-MM-DD, got \"%s\"\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'D': o.domain = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'o': o.out_dir = optarg; break;
		case 'N': o.now = atoll(optarg); break;
		default: usage(); return EX_USAGE;
		}
	}
	if ((verify ? argc - optind < 2 : optind < argc) ||
	    (!send && (o.day >= 0 || o.domain || o.dry_run || o.out_dir))) {
		usage();
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	log_set_stderr(1);
	if (verify)
		return report_verify(c, argv[optind], argv + optind + 1, argc - optind - 1);
	if (!c->dmarc_report_store || !*c->dmarc_report_store) {
		fprintf(stderr, "authdeliver: report: dmarc_report_store is not set in %s\n", c->path);
		return EX_CONFIG;
	}
	const char *err = NULL;
	struct report_store *st = report_store_open(c->dmarc_report_store, c->dmarc_report_timeout,
						    &err);
	if (!st) {
		fprintf(stderr, "authdeliver: report: store: %s\n", err);
		return EX_TEMPFAIL;
	}
	long n = report_spool_load(st, c->dmarc_report_spool);
	if (n < 0)
		fprintf(stderr, "authdeliver: report: spool %s: %s\n", c->dmarc_report_spool,
			report_store_error(st));
	else if (n)
		fprintf(stderr, "authdeliver: report: loaded %ld spooled records\n", n);
	int rc = send ? report_send(st, c, &o) : report_list(st);
	report_store_close(st);
	return rc;
}
