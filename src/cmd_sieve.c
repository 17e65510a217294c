/* cmd_sieve.c - `authdeliver sieve-check [-c FILE] SCRIPT...`: validate
 * Sieve scripts with the same libsieve setup that delivery uses; and
 * `authdeliver sieve-test ... SCRIPT MESSAGE`: run sieve_before, SCRIPT as
 * the personal script and sieve_after on a message as delivery would
 * (same evaluation and merge code, in this process) and print the plan:
 * the folders stored into, redirects, vacation, reject, discard.
 *
 * Prints "SCRIPT:LINE: message" for each error (libsieve reports lines,
 * not columns) and exits 0 when every script is fine, 65 (EX_DATAERR)
 * when one has errors, 66 (EX_NOINPUT) when one cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <time.h>

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "cmd.h"
#include "conf.h"
#include "dns.h"
#include "recipient.h"
#include "msg.h"
#include "sieve.h"
#include "verdict.h"

struct where {
	const char *path;
};

static void report(int line, const char *message, void *arg)
{
	const struct where *w = arg;
	if (line > 0)
		printf("%s:%d: %s\n", w->path, line, message);
	else
		printf("%s: %s\n", w->path, message);
}

static char *slurp(const char *path, size_t max, size_t *len_r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	/* one byte past the cap stays (read_full()'s EFBIG), so that
	 * sieve_check() can say "too large" */
	struct buf b;
	buf_init(&b, max);
	if (read_full(fd, &b) < 0 && errno != EFBIG) {
		int e = errno;
		close(fd);
		buf_clear(&b);
		errno = e;
		return NULL;
	}
	close(fd);
	char *p = b.p ? b.p : strdup("");	/* NUL-terminated, the caller's */
	if (!p)
		errno = ENOMEM;
	else
		*len_r = b.len;
	return p;
}

int cmd_sieve_check(int argc, char **argv)
{
	const char *file = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver sieve-check [-c FILE] SCRIPT...\n");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: authdeliver sieve-check [-c FILE] SCRIPT...\n");
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		size_t len = 0;
		char *text = slurp(argv[i], (size_t)c->sieve_max_script_size, &len);
		if (!text) {
			fprintf(stderr, "authdeliver: %s: %s\n", argv[i], strerror(errno));
			rc = EX_NOINPUT;
			continue;
		}
		struct where w = { argv[i] };
		int n = sieve_check(text, len, (size_t)c->sieve_max_script_size, report, &w);
		free(text);
		if (n > 0) {
			if (rc == 0)
				rc = EX_DATAERR;
		} else {
			printf("%s: ok\n", argv[i]);
		}
	}
	return rc;
}

/* ---- sieve-test ---- */

static void usage_test(void)
{
	fprintf(stderr, "usage: authdeliver sieve-test [-c FILE] [--user ADDR] [--from ADDR] "
		"[--maildir DIR] [--verdict-json FILE | --dns-zone FILE] [--json] SCRIPT MESSAGE\n");
}

/* A JSON string (buf_json_str(): the one set of rules) or null. */
static void json_str(FILE *o, const char *s)
{
	if (!s) {
		fputs("null", o);
		return;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_json_str(&b, s);
	fputs(buf_status(&b) == 0 && b.p ? b.p : "null", o);
	buf_clear(&b);
}

/* The value of "key" in a flat JSON object of strings (the form
 * `authdeliver verify --json` prints); NULL when absent.  Small on
 * purpose: the file is the operator's, not the network's. */
static char *json_value(const char *j, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	const char *p = strstr(j, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p++ != ':')
		return NULL;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '"')
		return NULL;
	const char *e = ++p;
	while (*e && *e != '"')
		e++;
	return strndup(p, (size_t)(e - p));
}

static int run_one(const struct sieve_env *env, const char *path, enum sieve_kind kind,
		   struct sieve_merge *mg, struct sieve_plan *plan)
{
	if (mg->final)
		return 0;
	size_t len = 0;
	char *text = slurp(path, (size_t)env->c->sieve_max_script_size, &len);
	if (!text) {
		if (kind == SIEVE_PERSONAL) {
			fprintf(stderr, "authdeliver sieve-test: %s: %s\n", path, strerror(errno));
			return -1;
		}
		return 0;	/* a missing before/after script is skipped */
	}
	struct sieve_result res = { 0 };
	snprintf(res.path, sizeof(res.path), "%s", path);	/* include :personal */
	sieve_run_script(env, text, len, &res);
	free(text);
	int rc = sieve_merge_add(mg, env->c, kind, &res, plan);
	sieve_result_clear(&res);
	return rc;
}

/* An added field without its final CRLF, folding kept (JSON escapes it). */
static char *field_text(const char *f)
{
	size_t l = strlen(f);
	while (l && (f[l - 1] == '\n' || f[l - 1] == '\r'))
		l--;
	return strndup(f, l);
}

/* editheader (RFC 5293): the fields added at the top and at the end, and
 * the received fields deleted (1-based position in the received header):
 * a JSON object, or text lines starting with indent. */
static void print_edits(const struct sieve_edits *e, const struct msg *m, bool json, const char *indent)
{
	const char *lists[2] = { "add", "add_last" };
	char *const *fields[2] = { e->top, e->bottom };
	size_t counts[2] = { e->ntop, e->nbottom };
	if (json)
		printf("{");
	for (int k = 0; k < 2; k++) {
		if (json)
			printf("%s\"%s\":[", k ? "," : "", lists[k]);
		for (size_t i = 0; i < counts[k]; i++) {
			char *t = field_text(fields[k][i]);
			if (json) {
				printf("%s", i ? "," : "");
				json_str(stdout, t ? t : "");
			} else {
				for (char *p = t; p && *p; p++)
					if (*p == '\r')
						memmove(p, p + 1, strlen(p));	/* folding shown as LF */
				printf("%sheader %s %s\n", indent, k ? "add :last" : "add", t ? t : "");
			}
			free(t);
		}
		if (json)
			printf("]");
	}
	if (json)
		printf(",\"delete\":[");
	for (size_t i = 0; i < e->ndeleted; i++) {
		size_t h = e->deleted[i];
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)m->hdrs[h].name_len, msg_hdr_name(m, h));
		if (json) {
			printf("%s{\"position\":%zu,\"name\":", i ? "," : "", h + 1);
			json_str(stdout, name);
			printf("}");
		} else {
			printf("%sheader delete %s (field %zu)\n", indent, name, h + 1);
		}
	}
	if (json)
		printf("]}");
}

int cmd_sieve_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "from", required_argument, NULL, 'f' },
		{ "maildir", required_argument, NULL, 'm' },
		{ "verdict-json", required_argument, NULL, 'v' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *user = "user@localhost", *from = NULL, *maildir = NULL,
		   *vjson = NULL, *zone = NULL;
	int json = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'u': user = optarg; break;
		case 'f': from = optarg; break;
		case 'm': maildir = optarg; break;
		case 'v': vjson = optarg; break;
		case 'z': zone = optarg; break;
		case 'j': json = 1; break;
		default:
			usage_test();
			return ch == 'h' ? 0 : EX_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage_test();
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	const char *script = argv[optind], *mpath = argv[optind + 1];
	size_t rawlen = 0, len = 0;
	char *raw = slurp(mpath, (size_t)c->message_size_limit, &rawlen);
	if (!raw) {
		fprintf(stderr, "authdeliver sieve-test: %s: %s\n", mpath, strerror(errno));
		return EX_NOINPUT;
	}
	char *data = msg_lf_to_crlf(raw, rawlen, &len);
	free(raw);
	struct msg m;
	const char *err = NULL;
	if (!data || msg_init(&m, data, len, (size_t)c->header_count_limit, &err) < 0) {
		fprintf(stderr, "authdeliver sieve-test: %s: %s\n", mpath, err ? err : "out of memory");
		if (data && !m.data)
			free(data);
		return EX_DATAERR;
	}
	struct mailbox mb = { 0 };
	if (recipient_split(user, c->recipient_delimiter, &mb.local, &mb.detail, &mb.domain) < 0) {
		fprintf(stderr, "authdeliver sieve-test: --user %s: not an address\n", user);
		msg_clear(&m);
		return EX_USAGE;
	}
	mb.address = (char *)user;
	mb.user = mb.local;
	mb.maildir = (char *)maildir;
	/* the envelope sender: --from, else the message's Return-Path */
	char *rp = NULL;
	if (!from) {
		size_t i = msg_hdr_find(&m, "Return-Path", 0);
		rp = i != MSG_NOT_FOUND ? msg_hdr_value(&m, i) : NULL;
		if (rp) {
			char *s = rp + strspn(rp, " \t<");
			size_t l = strcspn(s, ">");
			memmove(rp, s, l);
			rp[l] = 0;
		}
		from = rp ? rp : "";
	}
	/* the verdict facts: from the file, else computed as `verify` does */
	struct sieve_facts facts;
	char *fv[7] = { 0 };
	struct verdict *v = NULL;
	struct dns *d = NULL;
	if (vjson) {
		size_t jl = 0;
		char *j = slurp(vjson, 1 << 20, &jl);
		if (!j) {
			fprintf(stderr, "authdeliver sieve-test: %s: %s\n", vjson, strerror(errno));
			msg_clear(&m);
			return EX_NOINPUT;
		}
		static const char *const keys[7] = { "spf", "dkim", "arc", "dmarc", "dmarc-policy",
						     "disposition", "folder" };
		for (int i = 0; i < 7; i++)
			fv[i] = json_value(j, keys[i]);
		free(j);
		facts = (struct sieve_facts){ fv[0], fv[1], fv[2], fv[3], fv[4], fv[5],
					      fv[6] ? fv[6] : "INBOX", NULL };
	} else {
		d = dns_new(c, zone, &err);
		if (!d) {
			fprintf(stderr, "authdeliver sieve-test: DNS: %s\n", err);
			msg_clear(&m);
			return EX_CONFIG;
		}
		struct client cl;
		client_find(&cl, c, &m, NULL, from);
		g_mime_init();
		v = verdict_new();
		if (v)
			verdict_run(v, c, d, &m, &cl, time(NULL));
		sieve_facts_from_verdict(v, &facts);
	}
	struct sieve_plan plan;
	struct sieve_merge mg;
	sieve_plan_init(&plan);
	struct sieve_env env = { c, &mb, &m, &facts, from, user, 0, maildir, NULL, &plan.edits };
	sieve_merge_init(&mg);
	int rc = 0;
	for (size_t i = 0; i < c->sieve_before.n && rc == 0; i++)
		rc = run_one(&env, c->sieve_before.v[i], SIEVE_BEFORE, &mg, &plan);
	if (rc == 0)
		rc = run_one(&env, script, SIEVE_PERSONAL, &mg, &plan);
	for (size_t i = 0; i < c->sieve_after.n && rc == 0; i++)
		rc = run_one(&env, c->sieve_after.v[i], SIEVE_AFTER, &mg, &plan);
	if (rc == 0)
		rc = sieve_merge_finish(&mg, c, facts.folder, &plan);
	int ex = rc < 0 ? EX_SOFTWARE : plan.error ? EX_DATAERR : 0;
	if (rc == 0 && json) {
		printf("{\"store\":[");
		for (size_t i = 0; i < plan.ntargets; i++) {
			printf("%s{\"folder\":", i ? "," : "");
			json_str(stdout, plan.targets[i].folder);
			printf(",\"flags\":");
			json_str(stdout, plan.targets[i].flags);
			printf(",\"header\":");	/* this copy's edits */
			print_edits(&plan.targets[i].edits, &m, true, "");
			printf("}");
		}
		printf("],\"redirect\":[");
		for (size_t i = 0; i < plan.nredirects; i++) {
			printf("%s", i ? "," : "");
			json_str(stdout, plan.redirects[i]);
		}
		printf("],\"notify\":[");
		for (size_t i = 0; i < plan.nnotifies; i++) {
			printf("%s", i ? "," : "");
			json_str(stdout, plan.notifies[i]->to);
		}
		printf("],\"vacation\":");
		if (plan.vacation) {
			const struct sieve_vacation *va = plan.vacation;
			printf("{\"to\":");
			json_str(stdout, va->to);
			printf(",\"from\":");
			json_str(stdout, va->from);
			printf(",\"subject\":");
			json_str(stdout, va->subject);
			printf(",\"seconds\":%ld,\"mime\":%s,\"text\":",
			       va->seconds ? (long)va->seconds : (long)va->days * 86400L,
			       va->mime ? "true" : "false");
			json_str(stdout, va->text);
			printf("}");
		} else {
			printf("null");
		}
		printf(",\"reject\":");
		json_str(stdout, plan.reject ? (plan.reject_reason ? plan.reject_reason : "") : NULL);
		printf(",\"discard\":%s,\"error\":", plan.discard ? "true" : "false");
		json_str(stdout, plan.error);
		printf(",\"summary\":");
		json_str(stdout, plan.summary);
		/* the header after the last script (the implicit keep's) */
		printf(",\"header\":");
		print_edits(&plan.edits, &m, true, "");
		printf(",\"warnings\":[");
		if (plan.nwarnings)
			json_str(stdout, plan.warning);
		printf("]}\n");
	} else if (rc == 0) {
		for (size_t i = 0; i < plan.ntargets; i++) {
			printf("store %s%s%s\n", plan.targets[i].folder,
			       *plan.targets[i].flags ? " flags=" : "", plan.targets[i].flags);
			print_edits(&plan.targets[i].edits, &m, false, "  ");
		}
		for (size_t i = 0; i < plan.nredirects; i++)
			printf("redirect %s\n", plan.redirects[i]);
		for (size_t i = 0; i < plan.nnotifies; i++)
			printf("notify %s\n", plan.notifies[i]->to);
		if (plan.vacation)
			printf("vacation to=<%s> seconds=%ld subject=\"%s\"\n", plan.vacation->to,
			       plan.vacation->seconds ? (long)plan.vacation->seconds
						      : (long)plan.vacation->days * 86400L,
			       plan.vacation->subject ? plan.vacation->subject : "");
		if (plan.reject)
			printf("reject %s\n", plan.reject_reason ? plan.reject_reason : "");
		if (plan.discard)
			printf("discard\n");
		if (plan.nwarnings)
			printf("warning: %s%s\n", plan.warning, plan.nwarnings > 1 ? " (and more)" : "");
		if (plan.error)
			printf("error: %s\n", plan.error);
	}
	sieve_plan_clear(&plan);
	for (int i = 0; i < 7; i++)
		free(fv[i]);
	verdict_free(v);
	dns_free(d);
	free(rp);
	free(mb.local);
	free(mb.detail);
	free(mb.domain);
	msg_clear(&m);
	return ex;
}
