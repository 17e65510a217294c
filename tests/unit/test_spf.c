/* test_spf.c - SPF (RFC 7208): macro expansion (section 7.4 examples),
 * CIDR matching, record syntax, the section 4.6.4 lookup limits, HELO and
 * null sender handling, Received-SPF and the A-R part.  DNS is real
 * libunbound with local zone data (dns_new with a zone file). */
#include "conf.h"
#include "dns.h"
#include "spf.h"
#include "t.h"

#include <arpa/inet.h>
#include <stdlib.h>

static const char *tmpdir(void)
{
	const char *t = getenv("T_TMP");
	return t && *t ? t : "/tmp";
}

/* ---- macros ---- */

static struct spf_macro_env env4(void)
{
	struct spf_macro_env e;
	memset(&e, 0, sizeof(e));
	e.sender = "strong-bad@email.example.com";
	e.local = "strong-bad";
	e.sender_domain = "email.example.com";
	e.domain = "email.example.com";
	e.helo = "mx.example.org";
	e.receiver = "mybox.example.org";
	e.validated = "mx.example.org";
	e.af = 4;
	inet_pton(AF_INET, "192.0.2.3", e.ip);
	e.now = 1234567890;
	return e;
}

static void test_macros(void)
{
	/* RFC 7208 section 7.4 */
	static const struct { const char *in, *want; int mode; } cases[] = {
		{ "%{s}", "strong-bad@email.example.com", SPF_MACRO_STRING },
		{ "%{o}", "email.example.com", SPF_MACRO_DOMAIN },
		{ "%{d}", "email.example.com", SPF_MACRO_DOMAIN },
		{ "%{d4}", "email.example.com", SPF_MACRO_DOMAIN },
		{ "%{d3}", "email.example.com", SPF_MACRO_DOMAIN },
		{ "%{d2}", "example.com", SPF_MACRO_DOMAIN },
		{ "%{d1}", "com", SPF_MACRO_DOMAIN },
		{ "%{dr}", "com.example.email", SPF_MACRO_DOMAIN },
		{ "%{d2r}", "example.email", SPF_MACRO_DOMAIN },
		{ "%{l}", "strong-bad", SPF_MACRO_DOMAIN },
		{ "%{l-}", "strong.bad", SPF_MACRO_DOMAIN },
		{ "%{lr}", "strong-bad", SPF_MACRO_DOMAIN },
		{ "%{lr-}", "bad.strong", SPF_MACRO_DOMAIN },
		{ "%{l1r-}", "strong", SPF_MACRO_DOMAIN },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com", SPF_MACRO_DOMAIN },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com", SPF_MACRO_DOMAIN },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		  "bad.strong.lp.3.2.0.192.in-addr._spf.example.com", SPF_MACRO_DOMAIN },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		  "3.2.0.192.in-addr.strong.lp._spf.example.com", SPF_MACRO_DOMAIN },
		{ "%{d2}.trusted-domains.example.net",
		  "example.com.trusted-domains.example.net", SPF_MACRO_DOMAIN },
		{ "%{p2}.trusted-domains.example.net.",
		  "example.org.trusted-domains.example.net", SPF_MACRO_DOMAIN },
		{ "%{h}", "mx.example.org", SPF_MACRO_DOMAIN },
		{ "%%%_%-", "% %20", SPF_MACRO_STRING },
		{ "%{S}", "strong-bad%40email.example.com", SPF_MACRO_STRING },
		{ "%{L}", "strong-bad", SPF_MACRO_STRING },
		{ "%{c} %{r} %{t}", "192.0.2.3 mybox.example.org 1234567890", SPF_MACRO_EXPLAIN },
		{ "see %{d}/why", "see email.example.com/why", SPF_MACRO_EXPLAIN },
		{ "%{d2r+-}", "email.example.com", SPF_MACRO_DOMAIN },	/* no "." split */
		{ "%{l1-}", "bad", SPF_MACRO_DOMAIN },
		{ "%{d999}", "email.example.com", SPF_MACRO_DOMAIN },
	};
	struct spf_macro_env e = env4();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[600], err[96], name[128];
		int n = spf_expand_macro(&e, cases[i].in, strlen(cases[i].in),
					 (enum spf_macro_mode)cases[i].mode, out, sizeof(out),
					 err, sizeof(err));
		snprintf(name, sizeof(name), "macro %s", cases[i].in);
		T_STR(n >= 0 ? out : err, cases[i].want, name);
	}

	/* IPv6 (section 7.4) and the upper-case URL escape */
	struct spf_macro_env e6 = env4();
	e6.af = 6;
	inet_pton(AF_INET6, "2001:db8::cb01", e6.ip);
	char out[600];
	spf_expand_macro(&e6, "%{ir}.%{v}._spf.%{d2}", 21, SPF_MACRO_DOMAIN, out, sizeof(out), NULL, 0);
	T_STR(out, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
	      "macro %{ir} IPv6 nibbles");
	spf_expand_macro(&e6, "%{c}", 4, SPF_MACRO_EXPLAIN, out, sizeof(out), NULL, 0);
	T_STR(out, "2001:db8::cb01", "macro %{c} IPv6");
	struct spf_macro_env eu = env4();
	eu.local = "~jack&jill=up-a_b3.c";
	spf_expand_macro(&eu, "l=%{L}", 6, SPF_MACRO_EXPLAIN, out, sizeof(out), NULL, 0);
	T_STR(out, "l=~jack%26jill%3Dup-a_b3.c", "macro %{L} URL escape");

	/* syntax errors */
	static const struct { const char *in; int mode; } bad[] = {
		{ "%", SPF_MACRO_DOMAIN }, { "%x", SPF_MACRO_DOMAIN },
		{ "%{", SPF_MACRO_DOMAIN }, { "%{x}", SPF_MACRO_DOMAIN },
		{ "%{d0}", SPF_MACRO_DOMAIN }, { "%{d", SPF_MACRO_DOMAIN },
		{ "%{d2x}", SPF_MACRO_DOMAIN }, { "%{c}", SPF_MACRO_DOMAIN },
		{ "%{r}", SPF_MACRO_STRING }, { "%{t}", SPF_MACRO_DOMAIN },
		{ "%(ir)", SPF_MACRO_DOMAIN }, { "a b", SPF_MACRO_DOMAIN },
		{ "foo%", SPF_MACRO_EXPLAIN }, { "caf\xc3\xa9", SPF_MACRO_EXPLAIN },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[96], name[128];
		size_t len = strlen(bad[i].in);
		int n = spf_expand_macro(&e, bad[i].in, len, (enum spf_macro_mode)bad[i].mode,
					 out, sizeof(out), err, sizeof(err));
		snprintf(name, sizeof(name), "macro syntax error \"%s\" (%.60s)", bad[i].in, n < 0 ? err : out);
		T_OK(n < 0, "%s", name);
	}

	T_OK(spf_expand_macro(&e, "%{\0}", 4, SPF_MACRO_DOMAIN, out, sizeof(out), NULL, 0) < 0,
	     "macro syntax error NUL letter");

	/* section 7.3: > 253 bytes loses labels on the left */
	char big[4000] = "";
	for (int i = 0; i < 60; i++)
		strcat(big, "%{d}.");
	strcat(big, "example.com");
	int n = spf_expand_macro(&e, big, strlen(big), SPF_MACRO_DOMAIN, out, sizeof(out), NULL, 0);
	T_OK(n > 0 && n <= 253, "macro left truncation length %d <= 253", n);
	T_OK(n > 12 && !strcmp(out + n - 12, ".example.com") &&
	     (!strncmp(out, "email.", 6) || !strncmp(out, "example.", 8) || !strncmp(out, "com.", 4)),
	     "macro left truncation starts at a label: %.20s...", out);
	/* bounded: a huge expansion never overflows, whatever the mode */
	char huge[4001];
	for (int i = 0; i < 1000; i++)
		memcpy(huge + i * 4, "%{S}", 4);
	huge[4000] = 0;
	n = spf_expand_macro(&e, huge, 4000, SPF_MACRO_DOMAIN, out, sizeof(out), NULL, 0);
	T_OK(n >= 0 && n <= 253 && strlen(out) == (size_t)n, "macro huge domain expansion bounded (%d)", n);
	char small[64];
	n = spf_expand_macro(&e, huge, 4000, SPF_MACRO_EXPLAIN, small, sizeof(small), NULL, 0);
	T_OK(strlen(small) == sizeof(small) - 1, "macro explain expansion cut at the buffer (%zu)", strlen(small));
	/* syntax only (env NULL) */
	T_OK(spf_expand_macro(NULL, "%{ir}.%{v}.x", 12, SPF_MACRO_DOMAIN, NULL, 0, NULL, 0) == 0,
	     "macro syntax-only check");
}

/* ---- CIDR ---- */

static void test_cidr(void)
{
	static const struct { const char *ip, *net; int bits, want; } cases[] = {
		{ "192.0.2.1", "192.0.2.0", 24, 1 }, { "192.0.3.1", "192.0.2.0", 24, 0 },
		{ "192.0.2.1", "192.0.2.1", 32, 1 }, { "192.0.2.2", "192.0.2.1", 32, 0 },
		{ "10.1.2.3", "0.0.0.0", 0, 1 }, { "192.0.2.129", "192.0.2.128", 25, 1 },
		{ "192.0.2.127", "192.0.2.128", 25, 0 }, { "192.0.2.1", "192.0.2.0", 33, 0 },
		{ "2001:db8::1", "2001:db8::", 32, 1 }, { "2001:db9::1", "2001:db8::", 32, 0 },
		{ "2001:db8::1", "::", 0, 1 }, { "2001:db8::1", "2001:db8::1", 128, 1 },
		{ "2001:db8::2", "2001:db8::1", 128, 0 }, { "cafe:babe:8000::", "cafe:babe::", 33, 0 },
		{ "cafe:babe:7fff::", "cafe:babe::", 33, 1 }, { "2001:db8::1", "2001:db8::", 129, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char ip[16] = { 0 }, net[16] = { 0 };
		int af = strchr(cases[i].ip, ':') ? 6 : 4;
		inet_pton(af == 4 ? AF_INET : AF_INET6, cases[i].ip, ip);
		inet_pton(af == 4 ? AF_INET : AF_INET6, cases[i].net, net);
		char name[128];
		snprintf(name, sizeof(name), "cidr %s in %s/%d", cases[i].ip, cases[i].net, cases[i].bits);
		T_INT(spf_cidr_match(af, ip, net, cases[i].bits), cases[i].want, name);
	}
}

/* ---- record syntax ---- */

static void test_parse(void)
{
	static const struct { const char *rec; int ok, terms; } cases[] = {
		{ "v=spf1", 1, 0 }, { "v=spf1 -all", 1, 1 }, { "V=SPF1 +ALL", 1, 1 },
		{ "v=spf1  a   mx  ", 1, 2 },
		{ "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24//64 mx:%{d}/30 ~all", 1, 5 },
		{ "v=spf1 a:foo:bar/baz.example.com", 1, 1 },
		{ "v=spf1 include:_spf.example.com exists:%{ir}.%{l1r+-}._spf.%{d} ?all", 1, 3 },
		{ "v=spf1 redirect=_spf.example.com", 1, 0 },
		{ "v=spf1 -all exp=explain._spf.%{d} moo.cow-far_out=man:dog/cat", 1, 1 },
		{ "v=spf1 ptr ptr:example.com", 1, 2 },
		{ "v=spf10", 0, 0 }, { "v=spf1\t-all", 0, 0 }, { "v=spf1 -all\r", 0, 0 },
		{ "v=spf1 all.", 0, 0 }, { "v=spf1 all:x", 0, 0 }, { "v=spf1 -all/8", 0, 0 },
		{ "v=spf1 ip4:1.2.3.4/33", 0, 0 }, { "v=spf1 ip4:1.2.3.4/032", 0, 0 },
		{ "v=spf1 ip4:1.2.3", 0, 0 }, { "v=spf1 ip4:1.2.3.4:8080", 0, 0 },
		{ "v=spf1 ip4:1.2.3.4//32", 0, 0 }, { "v=spf1 ip4", 0, 0 },
		{ "v=spf1 ip6:::1/129", 0, 0 }, { "v=spf1 ip6::/0/0", 0, 0 }, { "v=spf1 ip6", 0, 0 },
		{ "v=spf1 a:museum", 0, 0 }, { "v=spf1 a:abc.123", 0, 0 }, { "v=spf1 a:foo.-bar", 0, 0 },
		{ "v=spf1 a:", 0, 0 }, { "v=spf1 a/33", 0, 0 }, { "v=spf1 a//129", 0, 0 },
		{ "v=spf1 mx//", 0, 0 }, { "v=spf1 include", 0, 0 }, { "v=spf1 include:x.com/24", 0, 0 },
		{ "v=spf1 exists", 0, 0 }, { "v=spf1 ptr/24", 0, 0 },
		{ "v=spf1 redirect:x.com", 0, 0 }, { "v=spf1 redirect=a.com redirect=b.com", 0, 0 },
		{ "v=spf1 exp=a.com exp=b.com", 0, 0 }, { "v=spf1 exp=", 0, 0 }, { "v=spf1 =x", 0, 0 },
		{ "v=spf1 1x=y", 0, 0 }, { "v=spf1 foo=%", 0, 0 }, { "v=spf1 moo", 0, 0 },
		{ "v=spf1 -exists:%(ir).sbl.example.com", 0, 0 }, { "v=spf1 a:%{c}.example.com", 0, 0 },
	};
	static struct spf_record r;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[96], name[160];
		int rc = spf_parse_record(cases[i].rec, strlen(cases[i].rec), &r, err, sizeof(err));
		snprintf(name, sizeof(name), "parse \"%s\" %s (%s)", cases[i].rec,
			 cases[i].ok ? "valid" : "permerror", rc < 0 ? err : "ok");
		T_OK((rc == 0) == cases[i].ok && (!cases[i].ok || r.n == cases[i].terms), "%s", name);
	}
	/* a NUL inside the record (TXT data is counted, not terminated) */
	const char nul[] = "v=spf1 a:foo.example.com\0";
	T_INT(spf_parse_record(nul, sizeof(nul) - 1, &r, NULL, 0), -1, "parse NUL byte is a permerror");
	/* the term cap */
	char big[SPF_MAX_RECORD + 16] = "v=spf1";
	for (int i = 0; i <= SPF_MAX_TERMS; i++)
		strcat(big, " a");
	T_INT(spf_parse_record(big, strlen(big), &r, NULL, 0), -1, "parse more than SPF_MAX_TERMS terms");
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "v=spf1 a:", 9);
	T_INT(spf_parse_record(big, sizeof(big) - 1, &r, NULL, 0), -1, "parse record longer than SPF_MAX_RECORD");
	/* dual CIDR */
	T_OK(spf_parse_record("v=spf1 a:x.example/24//64", 25, &r, NULL, 0) == 0 &&
	     r.t[0].cidr4 == 24 && r.t[0].cidr6 == 64 && r.t[0].arglen == 9,
	     "parse dual cidr a:x.example/24//64");
	T_OK(spf_parse_record("v=spf1 mx//0", 12, &r, NULL, 0) == 0 &&
	     r.t[0].cidr4 == 32 && r.t[0].cidr6 == 0 && r.t[0].arglen == 0, "parse mx//0");
}

/* ---- evaluation through real libunbound ---- */

static const char zone[] =
	"$TTL 300\n"
	"pass.test. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	"v6.test. TXT \"v=spf1 ip6:2001:db8::/32 -all\"\n"
	"mx.test. TXT \"v=spf1 mx/24 -all\"\n"
	"mx.test. MX 10 m1.mx.test.\n"
	"m1.mx.test. A 198.51.100.9\n"
	/* 10 DNS mechanisms: at the limit; 11: over */
	"at.test. TXT \"v=spf1 a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test ip4:203.0.113.1 include:inc.test -all\"\n"
	"over.test. TXT \"v=spf1 a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test a:a1.test include:inc.test -all\"\n"
	"a1.test. A 10.0.0.1\n"
	"inc.test. TXT \"v=spf1 ip4:203.0.113.2 -all\"\n"
	/* void lookups: 2 fine, 3 permerror */
	"void2.test. TXT \"v=spf1 a:nx1.test a:nx2.test ?all\"\n"
	"void3.test. TXT \"v=spf1 a:nx1.test a:nx2.test a:nx3.test ?all\"\n"
	/* loops */
	"loop.test. TXT \"v=spf1 include:loop.test -all\"\n"
	"rloop.test. TXT \"v=spf1 redirect=rloop.test\"\n"
	/* 11 MX names */
	"mx11.test. TXT \"v=spf1 mx -all\"\n"
	"mx11.test. MX 1 h1.test.\nmx11.test. MX 2 h2.test.\nmx11.test. MX 3 h3.test.\n"
	"mx11.test. MX 4 h4.test.\nmx11.test. MX 5 h5.test.\nmx11.test. MX 6 h6.test.\n"
	"mx11.test. MX 7 h7.test.\nmx11.test. MX 8 h8.test.\nmx11.test. MX 9 h9.test.\n"
	"mx11.test. MX 10 h10.test.\nmx11.test. MX 11 h11.test.\n"
	"two.test. TXT \"v=spf1 -all\"\ntwo.test. TXT \"v=spf1 +all\"\n"
	"tmp.test. TXT \"v=spf1 include:slow.test -all\"\n"
	"$SERVFAIL slow.test. TXT\n"
	"helo.test. TXT \"v=spf1 a -all\"\n"
	"helo.test. A 192.0.2.77\n"
	"exp.test. TXT \"v=spf1 -all exp=why.exp.test\"\n"
	"why.exp.test. TXT \"%{i} is not one of %{d}'s designated mail servers.\"\n"
	"ptr.test. TXT \"v=spf1 ptr -all\"\n"
	"7.77.2.0.192.in-addr.arpa. PTR host.ptr.test.\n"
	"77.2.0.192.in-addr.arpa. PTR host.ptr.test.\n"
	"host.ptr.test. A 192.0.2.77\n";

static struct dns *dns_zone(const struct conf *c)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/test_spf.zone", tmpdir());
	FILE *fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		exit(2);
	}
	fputs(zone, fp);
	fclose(fp);
	const char *err = NULL;
	struct dns *d = dns_new(c, path, &err);
	if (!d) {
		printf("not ok - dns_new: %s\n", err ? err : "?");
		exit(1);
	}
	return d;
}

static void check(struct spf *s, const char *ip, const char *helo, const char *mf,
		  const char *want, const char *name, struct spf_result *res)
{
	struct spf_request req = { ip, helo, mf, "rcv.example" };
	spf_verify(s, &req, res, NULL);
	char n[400];
	snprintf(n, sizeof(n), "eval %s (%.80s; %.60s)", name, res->reason, res->problem);
	T_STR(auth_code_name(res->code), want, n);
}

static void test_eval(void)
{
	const char *err;
	struct conf *c = conf_parse_string("hostname = rcv.example\nspf_helo_check = no\n"
					   "dns_timeout = 300\n", "test", &err);
	if (!c) {
		printf("not ok - conf: %s\n", err);
		return;
	}
	struct dns *d = dns_zone(c);
	struct spf *s = spf_new(c, d);
	struct spf_result r;
	check(s, "192.0.2.10", "h.example", "a@pass.test", "pass", "ip4 pass", &r);
	T_STR(r.mechanism, "ip4:192.0.2.0/24", "eval mechanism recorded");
	check(s, "192.0.3.10", "h.example", "a@pass.test", "fail", "ip4 fail", &r);
	check(s, "::ffff:192.0.2.10", "h.example", "a@pass.test", "pass", "ipv4-mapped client", &r);
	check(s, "2001:db8::5", "h.example", "a@v6.test", "pass", "ip6 pass", &r);
	check(s, "198.51.100.200", "h.example", "a@mx.test", "pass", "mx/24", &r);
	check(s, "203.0.113.2", "h.example", "a@at.test", "pass", "10 DNS mechanisms allowed", &r);
	T_INT(r.dns_lookups, 10, "eval dns_lookups counted at the limit");
	check(s, "203.0.113.2", "h.example", "a@over.test", "permerror", "11th DNS mechanism", &r);
	check(s, "203.0.113.9", "h.example", "a@void2.test", "neutral", "2 void lookups allowed", &r);
	T_INT(r.void_lookups, 2, "eval void_lookups counted");
	check(s, "203.0.113.9", "h.example", "a@void3.test", "permerror", "3rd void lookup", &r);
	check(s, "203.0.113.9", "h.example", "a@loop.test", "permerror", "include loop", &r);
	check(s, "203.0.113.9", "h.example", "a@rloop.test", "permerror", "redirect loop", &r);
	check(s, "203.0.113.9", "h.example", "a@mx11.test", "permerror", "more than 10 MX names", &r);
	check(s, "203.0.113.9", "h.example", "a@two.test", "permerror", "two SPF records", &r);
	check(s, "203.0.113.9", "h.example", "a@tmp.test", "temperror", "include SERVFAIL", &r);
	check(s, "203.0.113.9", "h.example", "a@nothing.test", "none", "no record", &r);
	check(s, "203.0.113.9", "h.example", "a@single", "none", "single-label domain", &r);
	check(s, "192.0.2.77", "h.example", "a@ptr.test", "pass", "ptr validated", &r);
	check(s, "192.0.2.9", "h.example", "a@exp.test", "fail", "exp", &r);
	T_STR(r.explanation, "192.0.2.9 is not one of exp.test's designated mail servers.",
	      "eval explanation expanded");
	/* section 2.4: empty MAIL FROM checks postmaster@helo */
	check(s, "192.0.2.77", "helo.test", "", "pass", "null sender uses HELO", &r);
	T_STR(r.identity, "helo", "eval null sender identity helo");
	T_STR(r.sender, "postmaster@helo.test", "eval null sender is postmaster@helo");
	check(s, "192.0.2.78", "helo.test", "<>", "fail", "<> sender uses HELO", &r);
	/* section 4.3: no local part */
	check(s, "192.0.2.10", "h.example", "@pass.test", "pass", "no local part", &r);
	T_STR(r.sender, "postmaster@pass.test", "eval no local part is postmaster");

	/* HELO check on: helo_r gets the HELO result, MAIL FROM decides */
	struct conf *c2 = conf_parse_string("hostname = rcv.example\nspf_helo_check = yes\n"
					    "spf_hide_receiver = yes\n", "test2", &err);
	struct spf *s2 = spf_new(c2, d);
	struct spf_request req = { "192.0.2.78", "helo.test", "a@pass.test", "rcv.example" };
	struct spf_result h;
	spf_verify(s2, &req, &r, &h);
	T_STR(auth_code_name(h.code), "fail", "helo check result in helo_r");
	T_STR(auth_code_name(r.code), "pass", "helo check: MAIL FROM decides");
	T_STR(r.identity, "mailfrom", "helo check: identity mailfrom");

	/* Received-SPF: section 9.1, folded at 78 with CRLF */
	char *hdr = spf_received_spf(&r, &req, c);
	T_OK(hdr && !strncmp(hdr, "Received-SPF: pass (rcv.example: domain of a@pass.test designates 192.0.2.78", 60),
	     "received-spf starts with result and comment: %.70s", hdr ? hdr : "");
	int maxcol = 0, bad_eol = 0, col = 0;
	for (const char *p = hdr; p && *p; p++) {
		if (*p == '\n') {
			if (p == hdr || p[-1] != '\r')
				bad_eol++;
			col = 0;
		} else if (*p != '\r' && ++col > maxcol) {
			maxcol = col;
		}
	}
	T_OK(maxcol <= 78, "received-spf folded at 78 (widest %d)", maxcol);
	T_INT(bad_eol, 0, "received-spf lines end in CRLF");
	T_OK(hdr && strlen(hdr) > 2 && !strcmp(hdr + strlen(hdr) - 2, "\r\n"), "received-spf ends with CRLF");
	static const char *keys[] = { "client-ip=192.0.2.78;", "envelope-from=\"a@pass.test\";",
				      "helo=helo.test;", "receiver=rcv.example;", "identity=mailfrom;",
				      "mechanism=\"ip4:192.0.2.0/24\";" };
	char flat[2048] = "";
	for (const char *p = hdr, *q; p && *p; p = q) {
		q = strstr(p, "\r\n");
		if (!q)
			break;
		strncat(flat, p, (size_t)(q - p));
		q += 2;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		T_OK(strstr(flat, keys[i]) != NULL, "received-spf has %s", keys[i]);
	free(hdr);
	hdr = spf_received_spf(&r, &req, c2);
	T_OK(hdr && !strstr(hdr, "rcv.example"), "received-spf hides the receiver");
	free(hdr);
	/* IPv6 and errors: quoted-string values, problem= */
	struct spf_request req6 = { "2001:db8::5", "h.example", "a@over.test", "rcv.example" };
	spf_verify(s, &req6, &r, NULL);
	hdr = spf_received_spf(&r, &req6, c);
	T_OK(hdr && strstr(hdr, "client-ip=\"2001:db8::5\"") && strstr(hdr, "problem="),
	     "received-spf IPv6 quoted and problem= for permerror");
	free(hdr);

	/* hostile envelope: no header injection through CR/LF or quotes */
	struct spf_request evil = { "192.0.2.10", "x\r\nX-Evil: 1",
				    "a\"b\r\nX-Evil: 2@pass.test", "rcv.example" };
	spf_verify(s, &evil, &r, NULL);
	hdr = spf_received_spf(&r, &evil, c);
	int bare = 0;
	for (const char *p = hdr; p && *p; p++)
		if ((*p == '\n' && (p == hdr || p[-1] != '\r')) || (*p == '\r' && p[1] != '\n'))
			bare++;
	T_OK(hdr && !strstr(hdr, "\r\nX-Evil") && bare == 0,
	     "received-spf: CR/LF in HELO and MAIL FROM cannot start a header line");
	T_OK(hdr && strstr(hdr, "envelope-from=\"a\\\"b??X-Evil: 2@pass.test\""),
	     "received-spf: quote escaped, controls replaced in envelope-from");
	free(hdr);

	/* Authentication-Results part */
	char ar[256];
	check(s, "192.0.2.10", "h.example", "a@pass.test", "pass", "ar pass", &r);
	spf_ar(&r, ar, sizeof(ar));
	T_STR(ar, "spf=pass (mechanism ip4:192.0.2.0/24 matched) smtp.mailfrom=pass.test", "ar mailfrom");
	check(s, "192.0.2.77", "helo.test", "", "pass", "ar helo", &r);
	spf_ar(&r, ar, sizeof(ar));
	T_STR(ar, "spf=pass (mechanism a matched) smtp.helo=helo.test", "ar helo");
	T_INT(spf_ar(&r, ar, 10), -1, "ar truncation reported");

	spf_free(s2);
	spf_free(s);
	spf_free(NULL);
	dns_free(d);
	conf_free(c2);
	conf_free(c);
}

int main(void)
{
	test_macros();
	test_cidr();
	test_parse();
	test_eval();
	T_DONE();
}
