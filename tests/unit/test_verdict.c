/* test_verdict.c - the verdict on real messages with zone-file DNS: which
 * incoming fields are dropped or renamed (our authserv-id in every
 * disguise, several in a row, X-AuthDeliver-*), the prepended block
 * (CRLF, folded at 78, one A-R + Received-SPF), folder and action, skip
 * for internal clients, verify = no, the deadline (temperror, tempfail),
 * Sieve values and JSON. */
#include "client.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "msg.h"
#include "t.h"
#include "verdict.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

static const char zone[] =
	"$TTL 300\n"
	"_dmarc.quar.example. TXT \"v=DMARC1; p=quarantine\"\n"
	"_dmarc.rej.example. TXT \"v=DMARC1; p=reject\"\n"
	"quar.example. TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
	"$TIMEOUT _dmarc.slow.example. TXT\n";
static char zone_path[512];

static struct conf *mkconf(const char *extra)
{
	char text[1024];
	const char *err;
	snprintf(text, sizeof text, "hostname = mx.example.net\nauthserv_id = mx.example.net\n"
		 "dns_timeout = 3000\n%s", extra ? extra : "");
	struct conf *c = conf_parse_string(text, "test", &err);
	if (!c) {
		printf("not ok - conf: %s\n", err);
		exit(1);
	}
	return c;
}

struct run {
	struct conf *c;
	struct dns *d;
	struct msg m;
	struct verdict *v;
};

static void run(struct run *r, const char *extra, const char *hdrs,
		const struct client *cl)
{
	const char *err;
	r->c = mkconf(extra);
	r->d = dns_new(r->c, zone_path, &err);
	size_t len = strlen(hdrs);
	char *data = malloc(len + 16);
	memcpy(data, hdrs, len);
	memcpy(data + len, "\r\nbody\r\n", 9);
	if (!r->d || msg_init(&r->m, data, len + 8, 100, &err) < 0) {
		printf("not ok - setup: %s\n", err);
		exit(1);
	}
	r->v = verdict_new();
	verdict_run(r->v, r->c, r->d, &r->m, cl, 1795000000);
}

static void done_run(struct run *r)
{
	verdict_free(r->v);
	msg_clear(&r->m);
	dns_free(r->d);
	conf_free(r->c);
}

static void marks_string(const struct run *r, char *buf, size_t size)
{
	const unsigned char *mk = verdict_marks(r->v);
	size_t i;
	for (i = 0; i < r->m.nhdrs && i + 1 < size; i++)
		buf[i] = mk ? "kdr"[mk[i]] : 'k';
	buf[i] = '\0';
}

static void test_marks(void)
{
	static const struct { const char *name, *hdrs, *want; } t[] = {
		{ "ours dropped, foreign kept",
		  "Authentication-Results: mx.example.net; dmarc=pass\r\n"
		  "Authentication-Results: other.example; dmarc=pass\r\n"
		  "From: a@quar.example\r\n", "dkk" },
		{ "several in a row",
		  "Authentication-Results: mx.example.net; spf=pass\r\n"
		  "Authentication-Results: mx.example.net; dkim=pass\r\n"
		  "Authentication-Results: mx.example.net; dmarc=pass\r\n"
		  "From: a@quar.example\r\n", "dddk" },
		{ "case, comments, folding, version, trailing dot",
		  "Authentication-Results: MX.Example.NET; dmarc=pass\r\n"
		  "Authentication-Results: (x (y)) mx.example.net; dmarc=pass\r\n"
		  "Authentication-Results:\r\n\tmx.example.net\r\n\t1; dmarc=pass\r\n"
		  "authentication-results: mx.example.net.; dmarc=pass\r\n"
		  "From: a@quar.example\r\n", "ddddk" },
		{ "quoted id", "Authentication-Results: \"mx.example.net\"; dmarc=pass\r\n"
		  "From: a@quar.example\r\n", "dk" },
		{ "unparseable but names us", "Authentication-Results: (broken mx.example.net; dmarc=pass\r\n"
		  "From: a@quar.example\r\n", "dk" },
		{ "look-alike ids kept",
		  "Authentication-Results: mx.example.net.evil.example; dmarc=pass\r\n"
		  "Authentication-Results: evil-mx.example.net; dmarc=pass\r\n"
		  "Authentication-Results: xmx.example.net; dmarc=pass\r\n"
		  "From: a@quar.example\r\n", "kkkk" },
		{ "our id only in a result is not ours",
		  "Authentication-Results: other.example; dkim=pass header.d=mx.example.net\r\n"
		  "From: a@quar.example\r\n", "kk" },
		{ "X-AuthDeliver-* dropped",
		  "X-AuthDeliver-DMARC: pass\r\nx-authdeliver-disposition: none\r\n"
		  "X-AuthDeliverFoo: keep\r\nFrom: a@quar.example\r\n", "ddkk" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct run r;
		char got[64], n[160];
		run(&r, NULL, t[i].hdrs, NULL);
		marks_string(&r, got, sizeof got);
		snprintf(n, sizeof n, "marks: %s", t[i].name);
		T_STR(got, t[i].want, n);
		done_run(&r);
	}
	struct run r;
	char got[64];
	run(&r, "ar_existing = rename\n",
	    "Authentication-Results: mx.example.net; dmarc=pass\r\nX-AuthDeliver-SPF: pass\r\n"
	    "From: a@quar.example\r\n", NULL);
	marks_string(&r, got, sizeof got);
	T_STR(got, "rdk", "marks: rename mode renames ours, still drops X-AuthDeliver-*");
	done_run(&r);
	run(&r, "verify = no\n",
	    "Authentication-Results: mx.example.net; dmarc=pass\r\nFrom: a@quar.example\r\n", NULL);
	marks_string(&r, got, sizeof got);
	T_STR(got, "dk", "marks: forged A-R removed even with verify = no");
	T_STR(verdict_prepend(r.v), "Authentication-Results: mx.example.net; none\r\n",
	      "verify = no stamps no-result");
	T_STR(verdict_value(r.v, "dmarc"), "", "verify = no: no Sieve values");
	done_run(&r);
}

static int lines_ok(const char *s, size_t max, char *bad, size_t badsize)
{
	const char *p = s;
	while (*p) {
		const char *e = strstr(p, "\r\n");
		if (!e) {
			snprintf(bad, badsize, "no CRLF at the end: %.60s", p);
			return 0;
		}
		if ((size_t)(e - p) > max) {
			snprintf(bad, badsize, "line of %zu: %.80s", (size_t)(e - p), p);
			return 0;
		}
		if (memchr(p, '\n', (size_t)(e - p))) {
			snprintf(bad, badsize, "bare LF");
			return 0;
		}
		p = e + 2;
	}
	return 1;
}

static void test_stamp(void)
{
	struct run r;
	struct client cl;
	char bad[200];
	memset(&cl, 0, sizeof cl);
	cl.source = CLIENT_XFORWARD;
	snprintf(cl.ip, sizeof cl.ip, "198.51.100.9");
	snprintf(cl.helo, sizeof cl.helo, "bad.example");
	snprintf(cl.mail_from, sizeof cl.mail_from, "bounce@quar.example");
	run(&r, NULL, "From: Someone With A Long Name <someone.with.a.long.address@quar.example>\r\n"
	    "Subject: x\r\n", &cl);
	const char *p = verdict_prepend(r.v);
	T_OK(!strncmp(p, "Authentication-Results: mx.example.net;\r\n\tspf=fail", 50),
	     "stamp starts with our A-R and SPF");
	T_OK(lines_ok(p, 78, bad, sizeof bad), "stamp: CRLF lines of at most 78 (%s)", bad);
	T_OK(strstr(p, "\r\n\tdmarc=fail (p=quarantine sp=quarantine dis=quarantine)") != NULL,
	     "stamp: dmarc=fail with policy and disposition");
	T_OK(strstr(p, "\r\nReceived-SPF: fail ") != NULL, "stamp: Received-SPF follows");
	T_OK(strstr(p, "\tdkim=none;") && strstr(p, "\tarc=none;"), "stamp: dkim=none arc=none");
	T_STR(verdict_folder(r.v), "Junk", "quarantine goes to the Junk folder");
	T_INT(verdict_action(r.v), VERDICT_DELIVER, "quarantine is delivered");
	T_STR(verdict_value(r.v, "spf"), "fail", "sieve value spf");
	T_STR(verdict_value(r.v, "dkim"), "none", "sieve value dkim");
	T_STR(verdict_value(r.v, "dmarc"), "fail", "sieve value dmarc");
	T_STR(verdict_value(r.v, "dmarc-policy"), "quarantine", "sieve value dmarc-policy");
	T_STR(verdict_value(r.v, "disposition"), "quarantine", "sieve value disposition");
	T_STR(verdict_value(r.v, "bogus"), "", "sieve value unknown");
	T_OK(strstr(verdict_log(r.v), "spf=fail dkim=none arc=none dmarc=fail policy=quarantine dis=quarantine") != NULL,
	     "log fields: %s", verdict_log(r.v));
	char *j = verdict_json(r.v);
	T_OK(j && strstr(j, "\"folder\":\"Junk\"") && strstr(j, "\"dmarc\":{\"result\":\"fail\",\"policy\":\"quarantine\"")
	     && strstr(j, "\"spf\":{\"result\":\"fail\""), "json: %.300s", j ? j : "");
	free(j);
	done_run(&r);

	/* reject action */
	run(&r, "dmarc_reject_action = reject\n", "From: a@rej.example\r\n", NULL);
	T_INT(verdict_action(r.v), VERDICT_REJECT, "p=reject with reject action: VERDICT_REJECT");
	done_run(&r);
	run(&r, NULL, "From: a@rej.example\r\n", NULL);
	T_INT(verdict_action(r.v), VERDICT_DELIVER, "p=reject default: delivered");
	T_STR(verdict_folder(r.v), "Junk", "p=reject default: Junk");
	done_run(&r);

	/* internal client: no SPF/DMARC */
	cl.internal = true;
	run(&r, NULL, "From: a@rej.example\r\n", &cl);
	T_STR(verdict_value(r.v, "dmarc"), "none", "internal client: dmarc none");
	T_STR(verdict_folder(r.v), "INBOX", "internal client: INBOX");
	T_OK(strstr(verdict_prepend(r.v), "spf=none (internal client)") != NULL,
	     "internal client: spf=none with the reason");
	done_run(&r);
	run(&r, "skip_internal = no\n", "From: a@rej.example\r\n", &cl);
	T_STR(verdict_value(r.v, "dmarc"), "fail", "skip_internal = no: checked");
	done_run(&r);
}

static void test_deadline(void)
{
	struct run r;
	run(&r, "verdict_timeout = 300\n", "From: a@slow.example\r\n", NULL);
	T_STR(verdict_value(r.v, "dmarc"), "temperror", "deadline: DMARC temperror");
	T_INT(verdict_action(r.v), VERDICT_DELIVER, "deadline: delivered by default");
	T_OK(strstr(verdict_log(r.v), "verdict=timeout") != NULL, "deadline logged: %s", verdict_log(r.v));
	done_run(&r);
	run(&r, "verdict_timeout = 300\nverdict_timeout_action = tempfail\n",
	    "From: a@slow.example\r\n", NULL);
	T_INT(verdict_action(r.v), VERDICT_TEMPFAIL, "deadline with tempfail action");
	done_run(&r);
}

int main(void)
{
	const char *tmp = getenv("T_TMP");
	snprintf(zone_path, sizeof zone_path, "%s/verdict.zone", tmp && *tmp ? tmp : "/tmp");
	FILE *fp = fopen(zone_path, "w");
	if (!fp)
		return 2;
	fputs(zone, fp);
	fclose(fp);
	g_mime_init();
	test_marks();
	test_stamp();
	test_deadline();
	g_mime_shutdown();
	T_DONE();
}
