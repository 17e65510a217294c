/* test_dkim.c - dkim_verify() and dkim_ar() on the committed vectors
 * (tests/vectors/dkim, DNS from their zone file through libunbound), with
 * the configuration switches: signature cap, rsa-sha1, partial body,
 * clock skew, header-list cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"
#include "t.h"

static const char *top;

static int load(struct msg *m, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/vectors/dkim/%s", top, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	fseek(fp, 0, SEEK_END);
	long len = ftell(fp);
	rewind(fp);
	char *b = malloc((size_t)len + 1);
	size_t got = fread(b, 1, (size_t)len, fp);
	fclose(fp);
	b[got] = 0;
	const char *err;
	return msg_init(m, b, got, 10000, &err);
}

/* Verify vector name with configuration text cf at time now; returns the
 * result (caller clears). */
static struct dkim_result run(const char *name, const char *cf, time_t now)
{
	struct dkim_result r = { 0 };
	const char *err;
	char zone[1024];
	snprintf(zone, sizeof(zone), "%s/tests/vectors/dkim/zone", top);
	struct conf *c = conf_parse_string(cf, "test", &err);
	struct dns *d = c ? dns_new(c, zone, &err) : NULL;
	struct msg m;
	if (!d || load(&m, name) < 0) {
		printf("not ok - setup %s: %s\n", name, err);
		exit(1);
	}
	dkim_prefetch(d, &m, c);
	dkim_verify(c, d, &m, now, &r);
	msg_clear(&m);
	dns_free(d);
	conf_free(c);
	return r;
}

static void expect(const char *name, const char *cf, time_t now, size_t idx,
		   enum auth_code code, const char *reason)
{
	struct dkim_result r = run(name, cf, now);
	char label[200];
	snprintf(label, sizeof(label), "%s#%zu [%s] result", name, idx, cf);
	T_STR(idx < r.n ? auth_code_name(r.sigs[idx].code) : "(none)", auth_code_name(code), label);
	snprintf(label, sizeof(label), "%s#%zu [%s] reason has \"%s\"", name, idx, cf, reason);
	T_OK(idx < r.n && strstr(r.sigs[idx].reason, reason), "%s (got \"%s\")", label,
	     idx < r.n ? r.sigs[idx].reason : "");
	dkim_result_clear(&r);
}

int main(void)
{
	top = getenv("TOP");
	if (!top)
		top = ".";
	const time_t now = 1700000100;

	struct dkim_result r = run("rsa2048-relaxed.eml", "", now);
	T_INT(r.n, 1, "one signature");
	char ar[1024];
	char want[512];
	snprintf(want, sizeof(want), "dkim=pass (2048-bit key; insecure) header.d=example.net "
		 "header.i=@example.net header.s=rsa2048 header.a=rsa-sha256 header.b=%s", r.sigs[0].b);
	T_OK(dkim_ar(&r.sigs[0], ar, sizeof(ar)) > 0, "dkim_ar fits");
	T_STR(ar, want, "dkim_ar pass text");
	T_INT(strlen(r.sigs[0].b), 8, "header.b has 8 characters");
	T_INT(r.sigs[0].bits, 2048, "bits");
	T_INT(r.sigs[0].l, -1, "no l=");
	T_INT(dkim_ar(&r.sigs[0], ar, 20), -1, "dkim_ar truncation is an error");
	dkim_result_clear(&r);

	/* failure text carries the reason in the comment */
	r = run("tamper-body.eml", "", now);
	dkim_ar(&r.sigs[0], ar, sizeof(ar));
	T_OK(strstr(ar, "dkim=fail (2048-bit key; insecure; body hash mismatch) header.d=example.net") == ar,
	     "dkim_ar fail text (got %s)", ar);
	dkim_result_clear(&r);

	/* an i= that needs quoting in A-R, and a comment without parentheses */
	struct dkim_sig_result q = { .code = AUTH_PERMERROR, .bits = 0 };
	strcpy(q.reason, "bad (thing)");
	strcpy(q.d, "example.net");
	strcpy(q.i, "a b@example.net");
	dkim_ar(&q, ar, sizeof(ar));
	T_STR(ar, "dkim=permerror (bad _thing_) header.d=example.net header.i=\"a b@example.net\"",
	      "dkim_ar quoting");

	/* caps and switches from conf */
	expect("sig-50.eml", "dkim_max_signatures = 1", now, 0, AUTH_PASS, "");
	expect("sig-50.eml", "dkim_max_signatures = 1", now, 1, AUTH_POLICY, "more than 1 signatures");
	r = run("sig-50.eml", "", now);
	T_INT(r.n, 50, "50 signatures reported");
	T_STR(r.sigs[49].d, "example.net", "policy result still names d=");
	dkim_result_clear(&r);
	expect("rsa-sha1.eml", "", now, 0, AUTH_FAIL, "rsa-sha1 not accepted");
	expect("rsa-sha1.eml", "dkim_rsa_sha1 = yes", now, 0, AUTH_PASS, "");
	expect("l-shorter.eml", "", now, 0, AUTH_PASS, "body bytes signed");
	expect("l-shorter.eml", "dkim_partial_body_fail = yes", now, 0, AUTH_POLICY, "body bytes signed");
	expect("l-exact.eml", "dkim_partial_body_fail = yes", now, 0, AUTH_PASS, "");
	expect("h-1000.eml", "dkim_max_header_list = 999", now, 0, AUTH_PERMERROR, "more than 999");
	expect("rsa16384.eml", "dkim_max_rsa_bits = 8192", now, 0, AUTH_PERMERROR, "too large (16384 bits)");
	expect("rsa1024.eml", "dkim_min_rsa_bits = 2048", now, 0, AUTH_PERMERROR, "too small (1024 bits)");
	/* t=1700000000: 100 s in the future is inside the default skew (300) */
	expect("rsa2048-simple.eml", "", 1699999900, 0, AUTH_PASS, "");
	expect("rsa2048-simple.eml", "dkim_clock_skew = 10", 1699999900, 0, AUTH_PERMERROR, "in the future");
	expect("key-testing.eml", "", now, 0, AUTH_PASS, "");
	r = run("key-testing.eml", "", now);
	T_INT(r.sigs[0].testing, 1, "t=y noted");
	dkim_ar(&r.sigs[0], ar, sizeof(ar));
	T_OK(strstr(ar, "(2048-bit key; insecure; testing)") != NULL, "testing in the comment (%s)", ar);
	dkim_result_clear(&r);
	T_DONE();
}
