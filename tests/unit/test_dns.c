/* test_dns.c - the DNS layer through real libunbound with local zone data:
 * zone-file syntax, NXDOMAIN vs NODATA, empty non-terminals, CNAME chains,
 * $TIMEOUT/$SERVFAIL, deadlines, the cache, limits, name validation. */
#include "conf.h"
#include "dns.h"
#include "t.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *tmpdir(void)
{
	const char *t = getenv("T_TMP");
	return t && *t ? t : "/tmp";
}

static char *write_zone(const char *name, const char *text)
{
	static char path[4][512];
	static int slot;
	char *p = path[slot++ % 4];
	snprintf(p, 512, "%s/%s", tmpdir(), name);
	FILE *fp = fopen(p, "w");
	if (!fp) {
		perror(p);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
	return p;
}

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char zone1[] =
	"; test zone\n"
	"$ORIGIN example.com.\n"
	"$TTL 300\n"
	"@\tIN MX 10 mx1\n"
	"\tIN MX 20 mx2.example.net.\n"
	"\tTXT \"v=spf1 ip4:192.0.2.0/24 \" \"-all\"\n"
	"mx1 600 IN A 192.0.2.10\n"
	"mx1 IN 600 AAAA 2001:db8::10 ; comment\n"
	"a.b.c 60 A 192.0.2.1\n"
	"alias CNAME a.b.c\n"
	"alias2 CNAME alias.example.com.\n"
	"dangling CNAME nowhere\n"
	"loop1 CNAME loop2\n"
	"loop2 CNAME loop1\n"
	"esc TXT \"quote \\\" semi ; back \\\\ dec \\065\"\n"
	"multi TXT ( \"part one \"\n"
	"           \"part two\" )  ; continued\n"
	"two TXT \"first\"\n"
	"two TXT \"second\"\n"
	"Mixed.Case A 192.0.2.77\n"
	"spf99 SPF \"v=spf1 -all\"\n"
	"_dmarc TXT \"v=DMARC1; p=none\"\n"
	"sel._domainkey TXT \"v=DKIM1; k=rsa; p=\"\n"
	"ns NS ns1.example.net.\n"
	"foo:bar/baz MX 0 foo:bar/baz\n"
	"foo:bar/baz A 192.0.2.44\n"
	"nullmx MX 0 .\n"
	"$ORIGIN 2.0.192.in-addr.arpa.\n"
	"10 PTR mx1.example.com.\n"
	"$ORIGIN example.com.\n"
	"slow A 192.0.2.99\n"
	"$TIMEOUT slow A\n"
	"$TIMEOUT slow2.example.com.\n"
	"$SERVFAIL broken TXT\n"
	"tocut CNAME slow\n";

static void test_zone(void)
{
	const char *err = NULL;
	struct conf *c = conf_parse_string("dns_timeout = 300\n", "t", &err);
	struct dns *d = dns_new(c, write_zone("z1", zone1), &err);
	T_OK(d != NULL, "zone1 loads (%s)", d ? "" : err);
	if (!d)
		return;
	const struct dns_answer *a;

	a = dns_lookup(d, "example.com", DNS_T_MX);
	T_STR(dns_status_name(a->status), "ok", "MX at @ status");
	T_INT(a->n, 2, "two MX records");
	for (size_t i = 0; i < a->n; i++) {
		if (a->rr[i].pref == 10)
			T_STR(a->rr[i].data, "mx1.example.com", "relative MX target made absolute");
		else
			T_STR(a->rr[i].data, "mx2.example.net", "absolute MX target");
	}
	dns_answer_free(a);

	a = dns_lookup(d, "EXAMPLE.COM.", DNS_T_TXT);
	T_INT(a->status, DNS_OK, "TXT via blank owner, case-insensitive, trailing dot");
	T_STR(a->n ? a->rr[0].data : "", "v=spf1 ip4:192.0.2.0/24 -all", "TXT strings concatenated");
	T_INT(a->n ? a->rr[0].len : 0, 28, "TXT length");
	dns_answer_free(a);

	a = dns_lookup(d, "mx1.example.com", DNS_T_A);
	T_INT(a->status, DNS_OK, "A ok");
	T_INT(a->n ? a->rr[0].len : 0, 4, "A is 4 bytes");
	char ip[64] = "";
	if (a->n)
		inet_ntop(AF_INET, a->rr[0].data, ip, sizeof(ip));
	T_STR(ip, "192.0.2.10", "A address");
	dns_answer_free(a);

	a = dns_lookup(d, "mx1.example.com", DNS_T_AAAA);
	ip[0] = 0;
	if (a->n)
		inet_ntop(AF_INET6, a->rr[0].data, ip, sizeof(ip));
	T_STR(ip, "2001:db8::10", "AAAA with class before TTL");
	dns_answer_free(a);

	a = dns_lookup(d, "mx1.example.com", DNS_T_TXT);
	T_STR(dns_status_name(a->status), "nodata", "name exists, type missing: NODATA");
	dns_answer_free(a);
	a = dns_lookup(d, "nope.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "missing name: NXDOMAIN");
	dns_answer_free(a);
	a = dns_lookup(d, "b.c.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "nodata", "empty non-terminal: NODATA (RFC 8020)");
	dns_answer_free(a);
	a = dns_lookup(d, "x.a.b.c.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "below a leaf: NXDOMAIN");
	dns_answer_free(a);
	a = dns_lookup(d, "example.org", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "outside the zone data: NXDOMAIN, no network");
	dns_answer_free(a);

	a = dns_lookup(d, "alias2.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "ok", "CNAME chain of two followed");
	ip[0] = 0;
	if (a->n)
		inet_ntop(AF_INET, a->rr[0].data, ip, sizeof(ip));
	T_STR(ip, "192.0.2.1", "CNAME target address");
	dns_answer_free(a);
	a = dns_lookup(d, "alias.example.com", DNS_T_CNAME);
	T_STR(a->n ? a->rr[0].data : "", "a.b.c.example.com", "CNAME asked directly");
	dns_answer_free(a);
	a = dns_lookup(d, "alias.example.com", DNS_T_TXT);
	T_STR(dns_status_name(a->status), "nodata", "CNAME to name without that type: NODATA");
	dns_answer_free(a);
	a = dns_lookup(d, "dangling.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "CNAME to missing name: NXDOMAIN");
	dns_answer_free(a);
	a = dns_lookup(d, "loop1.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "tempfail", "CNAME loop: TEMPFAIL");
	T_STR(a->why ? a->why : "", "CNAME chain too long", "CNAME loop reason");
	dns_answer_free(a);

	a = dns_lookup(d, "esc.example.com", DNS_T_TXT);
	T_STR(a->n ? a->rr[0].data : "", "quote \" semi ; back \\ dec A", "TXT escapes");
	dns_answer_free(a);
	a = dns_lookup(d, "multi.example.com", DNS_T_TXT);
	T_STR(a->n ? a->rr[0].data : "", "part one part two", "parentheses continuation");
	dns_answer_free(a);
	a = dns_lookup(d, "two.example.com", DNS_T_TXT);
	T_INT(a->n, 2, "two TXT records");
	dns_answer_free(a);
	a = dns_lookup(d, "mixed.case.example.com", DNS_T_A);
	T_INT(a->status, DNS_OK, "owner names are case-insensitive");
	dns_answer_free(a);
	a = dns_lookup(d, "spf99.example.com", DNS_T_SPF);
	T_STR(a->n ? a->rr[0].data : "", "v=spf1 -all", "type SPF (99)");
	T_INT(a->n ? a->rr[0].type : 0, 99, "rr type 99");
	dns_answer_free(a);
	a = dns_lookup(d, "_dmarc.example.com", DNS_T_TXT);
	T_STR(a->n ? a->rr[0].data : "", "v=DMARC1; p=none", "underscore name");
	dns_answer_free(a);
	a = dns_lookup(d, "sel._domainkey.example.com", DNS_T_TXT);
	T_INT(a->status, DNS_OK, "DKIM key name");
	dns_answer_free(a);
	a = dns_lookup(d, "ns.example.com", DNS_T_NS);
	T_STR(a->n ? a->rr[0].data : "", "ns1.example.net", "NS");
	dns_answer_free(a);
	a = dns_lookup(d, "foo:bar/baz.example.com", DNS_T_MX);
	T_STR(a->n ? a->rr[0].data : "", "foo:bar/baz.example.com", "visible characters in names (RFC 7208 a-colon-domain)");
	dns_answer_free(a);
	a = dns_lookup(d, "nullmx.example.com", DNS_T_MX);
	T_STR(a->n ? a->rr[0].data : "x", "", "null MX target is the root, \"\"");
	dns_answer_free(a);
	a = dns_lookup(d, "10.2.0.192.in-addr.arpa", DNS_T_PTR);
	T_STR(a->n ? a->rr[0].data : "", "mx1.example.com", "PTR under second $ORIGIN");
	dns_answer_free(a);

	/* failures simulated from the zone */
	a = dns_lookup(d, "broken.example.com", DNS_T_TXT);
	T_STR(dns_status_name(a->status), "tempfail", "$SERVFAIL status");
	T_STR(a->why ? a->why : "", "SERVFAIL", "$SERVFAIL reason");
	dns_answer_free(a);
	a = dns_lookup(d, "broken.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "$SERVFAIL only for its type");
	dns_answer_free(a);
	long long t0 = ms_now();
	a = dns_lookup(d, "slow.example.com", DNS_T_A);
	long long el = ms_now() - t0;
	T_STR(a->why ? a->why : "", "timeout", "$TIMEOUT reason");
	T_OK(el >= 290 && el < 2000, "$TIMEOUT waits the query timeout (%lld ms)", el);
	dns_answer_free(a);
	a = dns_lookup(d, "slow.example.com", DNS_T_TXT);
	T_STR(dns_status_name(a->status), "nodata", "$TIMEOUT only for its type");
	dns_answer_free(a);
	a = dns_lookup(d, "slow2.example.com", DNS_T_MX);
	T_STR(a->why ? a->why : "", "timeout", "$TIMEOUT without type: every type");
	dns_answer_free(a);
	a = dns_lookup(d, "tocut.example.com", DNS_T_A);
	T_STR(a->why ? a->why : "", "timeout", "CNAME into a $TIMEOUT name times out");
	dns_answer_free(a);

	/* prefetch: timeouts of one message overlap */
	t0 = ms_now();
	dns_prefetch(d, "slow.example.com", DNS_T_A);
	dns_prefetch(d, "slow2.example.com", DNS_T_A);
	dns_prefetch(d, "two.example.com", DNS_T_TXT);
	const struct dns_answer *a1 = dns_lookup(d, "slow.example.com", DNS_T_A);
	const struct dns_answer *a2 = dns_lookup(d, "slow2.example.com", DNS_T_A);
	el = ms_now() - t0;
	T_OK(a1->status == DNS_TEMPFAIL && a2->status == DNS_TEMPFAIL, "prefetched timeouts");
	T_OK(el < 550, "two prefetched timeouts overlap (%lld ms)", el);
	dns_answer_free(a1);
	dns_answer_free(a2);

	/* deadline: shorter than the query timeout */
	dns_set_deadline(d, 100);
	t0 = ms_now();
	a = dns_lookup(d, "slow.example.com", DNS_T_A);
	el = ms_now() - t0;
	T_STR(a->why ? a->why : "", "deadline", "deadline before timeout");
	T_OK(el >= 90 && el < 290, "deadline honoured (%lld ms)", el);
	dns_answer_free(a);
	a = dns_lookup(d, "two.example.com", DNS_T_TXT);
	T_INT(a->status, DNS_OK, "cached answer still served after the deadline");
	dns_answer_free(a);
	a = dns_lookup(d, "never-asked.example.com", DNS_T_A);
	T_STR(a->why ? a->why : "", "deadline", "new query after the deadline: TEMPFAIL");
	dns_answer_free(a);
	dns_set_deadline(d, 0);
	a = dns_lookup(d, "never-asked.example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "nxdomain", "deadline cleared");
	dns_answer_free(a);

	/* bad names are never queried */
	a = dns_lookup(d, "a..example.com", DNS_T_A);
	T_STR(dns_status_name(a->status), "badname", "empty label: BADNAME");
	dns_answer_free(a);

	/* answers are refcounted: they outlive the cache and the dns */
	a = dns_lookup(d, "example.com", DNS_T_TXT);
	dns_free(d);
	T_STR(a->n ? a->rr[0].data : "", "v=spf1 ip4:192.0.2.0/24 -all", "answer outlives dns_free");
	dns_answer_free(a);
	conf_free(c);
}

static void test_zone_syntax(void)
{
	const char *err = NULL;
	struct dns *d = dns_new(NULL, write_zone("z5",
		"$TTL 1h30m\n"
		"$ORIGIN org.\n"
		"$ORIGIN example ; relative to the previous origin\n"
		"@ in txt \"lower-case class and type\"\n"
		"sub 2d IN A 192.0.2.5 ; TTL with a unit\n"
		"words TXT v=spf1 -all\n"
		"paren MX ( 10\n"
		"   ; a comment inside\n"
		"   mail )\n"
		"mail A 192.0.2.6\n"), &err);
	T_OK(d != NULL, "zone syntax loads (%s)", d ? "" : err);
	if (!d)
		return;
	const struct dns_answer *a = dns_lookup(d, "example.org", DNS_T_TXT);
	T_STR(a->n ? a->rr[0].data : "", "lower-case class and type", "relative $ORIGIN and @");
	dns_answer_free(a);
	a = dns_lookup(d, "sub.example.org", DNS_T_A);
	T_INT(a->status, DNS_OK, "TTL with unit");
	dns_answer_free(a);
	a = dns_lookup(d, "words.example.org", DNS_T_TXT);
	T_STR(a->n ? a->rr[0].data : "", "v=spf1-all", "unquoted TXT words are separate strings (RFC 1035)");
	dns_answer_free(a);
	a = dns_lookup(d, "paren.example.org", DNS_T_MX);
	T_STR(a->n ? a->rr[0].data : "", "mail.example.org", "MX across lines with a comment");
	dns_answer_free(a);
	dns_free(d);
}

static void test_warm(void)
{
	const char *err = NULL;
	struct dns *d = dns_new(NULL, write_zone("z2", "example.net. 3600 IN TXT \"v=spf1 -all\"\n"), &err);
	T_OK(d != NULL, "warm: zone loads");
	if (!d)
		return;
	dns_answer_free(dns_lookup(d, "example.net", DNS_T_TXT));
	dns_answer_free(dns_lookup(d, "nx.example.net", DNS_T_TXT));
	/* CPU time, not wall time: the test machine may be busy */
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	int n = 200000, ok = 0;
	for (int i = 0; i < n; i++) {
		const struct dns_answer *a = dns_lookup(d, i & 1 ? "example.net" : "nx.example.net", DNS_T_TXT);
		ok += a->status == (i & 1 ? DNS_OK : DNS_NXDOMAIN);
		dns_answer_free(a);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	long long ns = (c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec);
	T_INT(ok, n, "warm lookups give the cached answers");
	/* generous bound (ASan): the point is no libunbound round trip */
	T_OK(ns / n < 5000, "warm lookup %lld ns CPU each", ns / n);
	dns_free(d);
}

static void test_evict(void)
{
	const char *err = NULL;
	struct dns *d = dns_new(NULL, write_zone("z6", "e.example. TXT \"x\"\n"), &err);
	T_OK(d != NULL, "evict: zone loads");
	if (!d)
		return;
	const struct dns_answer *first = dns_lookup(d, "n0.e.example", DNS_T_A);
	const struct dns_answer *again = dns_lookup(d, "n0.e.example", DNS_T_A);
	T_OK(first == again, "evict: cached before the cache fills");
	dns_answer_free(again);
	char name[64];
	long long t0 = ms_now();
	for (int i = 1; i <= 9000; i++) {	/* more than DNS_CACHE_MAX (8192) */
		snprintf(name, sizeof(name), "n%d.e.example", i);
		dns_answer_free(dns_lookup(d, name, DNS_T_A));
	}
	long long el = ms_now() - t0;
	again = dns_lookup(d, "n0.e.example", DNS_T_A);
	T_OK(first != again && again->status == DNS_NXDOMAIN,
	     "evict: least recently used answer dropped, fetched again");
	T_STR(dns_status_name(first->status), "nxdomain", "evict: held answer still valid");
	dns_answer_free(again);
	again = dns_lookup(d, "n9000.e.example", DNS_T_A);
	const struct dns_answer *b = dns_lookup(d, "n9000.e.example", DNS_T_A);
	T_OK(again == b, "evict: recent answer still cached");
	dns_answer_free(again);
	dns_answer_free(b);
	dns_answer_free(first);
	printf("# 9000 cold offline lookups: %lld ms\n", el);
	dns_free(d);
}

static void test_ttl(void)
{
	const char *err = NULL;
	char *z = write_zone("z3", "$TTL 1\nt.example. TXT \"x\"\n");
	struct dns *d = dns_new(NULL, z, &err);
	T_OK(d != NULL, "ttl: zone loads");
	if (!d)
		return;
	const struct dns_answer *a = dns_lookup(d, "t.example", DNS_T_TXT);
	const struct dns_answer *b = dns_lookup(d, "t.example", DNS_T_TXT);
	T_OK(a == b, "second lookup is the cached answer");
	dns_answer_free(b);
	usleep(1100 * 1000);
	b = dns_lookup(d, "t.example", DNS_T_TXT);
	T_OK(a != b && b->status == DNS_OK, "after the TTL a new answer is fetched");
	dns_answer_free(a);
	dns_answer_free(b);
	dns_free(d);
}

static void test_limits(void)
{
	const char *err = NULL;
	char big[40000];
	size_t o = 0;
	o += (size_t)snprintf(big + o, sizeof(big) - o, "many.example. TXT");
	for (int i = 0; i < 40; i++)	/* 40 x 255 = 10200 bytes in one TXT */
		o += (size_t)snprintf(big + o, sizeof(big) - o, " \"%0255d\"", i);
	o += (size_t)snprintf(big + o, sizeof(big) - o, "\n");
	for (int i = 0; i < 12; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "rr.example. A 192.0.2.%d\n", i + 1);
	struct conf *c = conf_parse_string("dns_max_records = 5\n", "t", &err);
	struct dns *d = dns_new(c, write_zone("z4", big), &err);
	T_OK(d != NULL, "limits: zone loads (%s)", d ? "" : err);
	if (d) {
		const struct dns_answer *a = dns_lookup(d, "many.example", DNS_T_TXT);
		T_INT(a->n ? a->rr[0].len : 0, 40 * 255, "long TXT kept whole");
		T_INT(a->n ? strlen(a->rr[0].data) : 0, 40 * 255, "long TXT NUL-terminated");
		dns_answer_free(a);
		a = dns_lookup(d, "rr.example", DNS_T_A);
		T_INT(a->n, 5, "records capped at dns_max_records");
		T_INT(a->truncated, 1, "truncated flag");
		dns_answer_free(a);
		dns_free(d);
	}
	conf_free(c);

	static const struct { const char *zone, *want; } bad[] = {
		{ "a.example. IN BOGUS 1\n", "z:1: unknown type: BOGUS" },
		{ "x A 1.2.3.4\n \n\tA 1.2.3.999\n", "z:3: record rejected by libunbound" },
		{ "$INCLUDE other\n", "z:1: unsupported directive: $INCLUDE" },
		{ " A 192.0.2.1\n", "z:1: no previous owner name" },
		{ "a TXT \"open\n", "z:1: unterminated string" },
		{ "a TXT ( \"x\"\n", "z:1: unbalanced parenthesis" },
		{ "a CH TXT \"x\"\n", "z:1: only class IN is supported: CH" },
		{ "$TIMEOUT\n", "z:1: $TIMEOUT wants NAME [TYPE]" },
		{ "a 300\n", "z:1: missing type" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = write_zone("z", bad[i].zone);
		d = dns_new(NULL, p, &err);
		T_OK(d == NULL, "bad zone %zu rejected", i);
		const char *msg = d ? "" : strstr(err, "/z:") ? strstr(err, "/z:") + 1 : err;
		char got[200];
		snprintf(got, sizeof(got), "%.*s", (int)strlen(bad[i].want), msg);
		T_STR(got, bad[i].want, "bad zone error names file:line");
		dns_free(d);
	}
	/* fuzzer finding: a NUL byte made an empty token without progress */
	char *p = write_zone("z", "$ORIGIN exa");
	FILE *fp = fopen(p, "a");
	fwrite("\0\0mple.\nx A 192.0.2.1\n", 1, 22, fp);
	fclose(fp);
	d = dns_new(NULL, p, &err);
	T_OK(d == NULL && strstr(err, ":1: NUL byte"), "NUL byte in a zone file (%s)", d ? "" : err);
	dns_free(d);
	d = dns_new(NULL, "/nonexistent/zone", &err);
	T_OK(d == NULL && strstr(err, "No such file"), "missing zone file is an error");
}

static void test_names(void)
{
	static const struct { const char *name; int valid; } names[] = {
		{ "example.com", 1 }, { "example.com.", 1 }, { "_dmarc.example.com", 1 },
		{ "s1._domainkey.x-y.example", 1 }, { "1.2.0.192.in-addr.arpa", 1 },
		{ "", 0 }, { ".", 0 }, { "a..b", 0 }, { ".a", 0 }, { "a.b..", 0 },
		{ "a b.example", 1 }, { "caf\xc3\xa9.example", 0 }, { "a\tb.example", 0 },
		{ "a\\046b.example", 0 }, { "@", 0 },
		{ "a+b.example", 1 }, { "foo:bar/baz.example.com", 1 }, { "a@b.example", 1 },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.example", 1 },	/* 63 */
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.example", 0 },	/* 64 */
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		T_INT(dns_name_valid(names[i].name), names[i].valid, names[i].name);
	char n[300];
	memset(n, 0, sizeof(n));
	for (int i = 0; i < 253; i++)
		n[i] = (i % 2) ? '.' : 'a';
	n[252] = 'a';
	T_INT(dns_name_valid(n), 1, "253-byte name valid");
	n[253] = 'a';
	n[252] = '.';
	n[251] = 'a';
	T_INT(dns_name_valid(n), 0, "254-byte name invalid");
}

static void test_reverse(void)
{
	char out[74];
	T_INT(dns_reverse_name("192.0.2.10", out), 0, "reverse v4 rc");
	T_STR(out, "10.2.0.192.in-addr.arpa", "reverse v4");
	T_INT(dns_reverse_name("2001:db8::567:89ab", out), 0, "reverse v6 rc");
	T_STR(out, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	      "reverse v6 (RFC 3596 example)");
	T_INT(dns_name_valid(out), 1, "reverse v6 name is valid");
	T_INT(dns_reverse_name("192.0.2", out), -1, "reverse of garbage");
}

int main(void)
{
	test_reverse();
	test_zone();
	test_zone_syntax();
	test_warm();
	test_ttl();
	test_evict();
	test_limits();
	test_names();
	T_DONE();
}
