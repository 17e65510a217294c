/* test_report.c - DMARC aggregate reports: UTC days, the rua parser, the
 * per-message record (disposition, reason, DKIM order), spool lines, and
 * the SQLite store (schema, duplicates, send lock, spool loading). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "auth.h"
#include "conf.h"
#include "dkim.h"
#include "dmarc.h"
#include "report_mail.h"
#include "report_rec.h"
#include "report_store.h"
#include "report_xml.h"
#include "spf.h"
#include "t.h"

static void test_days(void)
{
	T_INT(report_day(0), 0, "day: epoch is day 0");
	T_INT(report_day(86399), 0, "day: 23:59:59Z is still day 0");
	T_INT(report_day(86400), 1, "day: 00:00:00Z starts day 1");
	T_INT(report_day(-1), -1, "day: one second before the epoch is day -1");
	long long d = report_day_parse("2026-12-02");
	T_INT(d, 20789, "day: 2026-12-02 is day 20789");
	T_INT(report_day_begin(d), 1796169600LL, "day: begin of 2026-12-02 is 00:00:00Z");
	T_INT(report_day_end(d), 1796255999LL, "day: end of 2026-12-02 is 23:59:59Z");
	T_INT(report_day(report_day_end(d)), d, "day: end belongs to the day");
	T_INT(report_day(report_day_end(d) + 1), d + 1, "day: no overlap with the next day");
	char buf[16];
	report_day_format(d, buf, sizeof buf);
	T_STR(buf, "2026-12-02", "day: format round trip");
	T_INT(report_day_parse("2024-02-29"), 19782, "day: leap day");
	T_INT(report_day_parse("2023-02-29"), -1, "day: 2023-02-29 rejected");
	T_INT(report_day_parse("2026-13-01"), -1, "day: month 13 rejected");
	T_INT(report_day_parse("2026-1-01"), -1, "day: short month rejected");
	T_INT(report_day_parse("2026-01-01x"), -1, "day: trailing text rejected");
}

static void test_rua(void)
{
	char a[40][REPORT_ADDR_MAX];
	size_t n;
	n = report_rua_parse("mailto:dmarc@example.com", 8, a);
	T_INT(n, 1, "rua: one mailto");
	T_STR(n ? a[0] : "", "dmarc@example.com", "rua: address");
	n = report_rua_parse("mailto:agg@Example.NET!10m, mailto:x@example.org!50k", 8, a);
	T_INT(n, 2, "rua: two with !size");
	T_STR(n ? a[0] : "", "agg@example.net", "rua: !10m stripped, domain lower-cased");
	T_STR(n > 1 ? a[1] : "", "x@example.org", "rua: !50k stripped");
	n = report_rua_parse("https://example.com/dmarc, mailto:r@example.com", 8, a);
	T_INT(n, 1, "rua: http(s) ignored, mailto kept");
	T_INT(report_rua_parse("", 8, a), 0, "rua: empty list");
	T_INT(report_rua_parse(" , ,, ", 8, a), 0, "rua: only commas");
	T_INT(report_rua_parse("mailto:", 8, a), 0, "rua: mailto without address");
	T_INT(report_rua_parse("mailto:@example.com", 8, a), 0, "rua: no local part");
	T_INT(report_rua_parse("mailto:a@b", 8, a), 0, "rua: single-label domain");
	T_INT(report_rua_parse("mailto:r\xc3\xa9@example.com", 8, a), 0, "rua: non-ASCII local part");
	T_INT(report_rua_parse("mailto:r@ex\xc3\xa4mple.com", 8, a), 0, "rua: non-ASCII domain");
	T_INT(report_rua_parse("mailto:r%40x@example.com", 8, a), 0, "rua: escaped second @ rejected");
	n = report_rua_parse("mailto:r%2Bdmarc@example.com?subject=x", 8, a);
	T_STR(n ? a[0] : "", "r+dmarc@example.com", "rua: %-escape decoded, hfields dropped");
	n = report_rua_parse("mailto:a@example.com,mailto:A@EXAMPLE.COM", 8, a);
	T_INT(n, 1, "rua: duplicate address once");
	char twenty[2048] = "";
	for (int i = 0; i < 20; i++) {
		size_t l = strlen(twenty);
		snprintf(twenty + l, sizeof twenty - l, "%smailto:r%d@example.com", i ? "," : "", i);
	}
	T_INT(report_rua_parse(twenty, 4, a), 4, "rua: 20 URIs, capped at the limit");
	T_INT(report_rua_parse(twenty, 40, a), 20, "rua: 20 URIs all parsed without a cap");
	char longlocal[600];
	memset(longlocal, 'x', sizeof longlocal);
	memcpy(longlocal, "mailto:", 7);
	snprintf(longlocal + 500, 100, "@example.com");
	T_INT(report_rua_parse(longlocal, 8, a), 0, "rua: over-long address rejected");
	/* a DMARC record whose rua is longer than we keep: no partial URI */
	char rec[4096];
	size_t l = (size_t)snprintf(rec, sizeof rec, "v=DMARC1; p=none; rua=");
	for (int i = 0; i < 60; i++)
		l += (size_t)snprintf(rec + l, sizeof rec - l, "%smailto:report%02d@example.com",
				      i ? "," : "", i);
	struct dmarc_record dr;
	T_INT(dmarc_record_parse(rec, strlen(rec), &dr), 0, "rua: long record parses");
	n = report_rua_parse(dr.rua, 40, a);
	int whole = n > 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(a[i]) != strlen("report00@example.com"))
			whole = 0;
	T_OK(whole && n < 60, "rua: long record keeps only whole URIs (%zu)", n);
}

static struct dmarc_result base_dmarc(void)
{
	struct dmarc_result d;
	memset(&d, 0, sizeof d);
	d.have_record = true;
	snprintf(d.domain, sizeof d.domain, "example.com");
	snprintf(d.org_domain, sizeof d.org_domain, "example.com");
	snprintf(d.from_domain, sizeof d.from_domain, "news.example.com");
	snprintf(d.rua, sizeof d.rua, "mailto:dmarc@example.com");
	snprintf(d.policy_tag, sizeof d.policy_tag, "sp");
	d.rec_p = DMARC_P_REJECT;
	d.policy = DMARC_P_REJECT;
	return d;
}

static void test_build(void)
{
	struct conf *c = conf_parse_string("dmarc_report_exclude = skip.example\n", "t", NULL);
	struct report_rec *r = malloc(sizeof *r);
	const char *why;
	struct spf_result spf;
	memset(&spf, 0, sizeof spf);
	spf.code = AUTH_SOFTFAIL;
	snprintf(spf.identity, sizeof spf.identity, "mailfrom");
	snprintf(spf.domain, sizeof spf.domain, "Bounce.Example.com");

	struct dmarc_result d = base_dmarc();
	d.code = AUTH_PASS;
	d.dkim_aligned = true;
	T_INT(report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "b@bounce.example.com",
			       "alice@Example.org", 1796169600, &why), 0, "build: pass recorded");
	T_STR(r->disposition, "pass", "build: pass under p=reject is disposition pass");
	T_STR(r->sp, "reject", "build: sp defaults to p");
	T_STR(r->np, "reject", "build: np defaults to sp");
	T_STR(r->adkim, "r", "build: adkim default r");
	T_STR(r->testing, "n", "build: testing default n");
	T_STR(r->fo, "0", "build: fo default 0");
	T_STR(r->discovery, "treewalk", "build: discovery treewalk");
	T_STR(r->dkim_eval, "pass", "build: evaluated dkim pass");
	T_STR(r->spf_eval, "fail", "build: evaluated spf fail");
	T_STR(r->spf_result, "softfail", "build: uninterpreted SPF softfail kept");
	T_STR(r->spf_domain, "bounce.example.com", "build: SPF domain lower-cased");
	T_STR(r->envelope_to, "example.org", "build: envelope_to is the recipient domain");
	T_STR(r->header_from, "news.example.com", "build: header_from");
	T_STR(r->reason, "", "build: no reason on pass");
	T_INT(strlen(r->uid), 32, "build: uid has 32 hex digits");

	d = base_dmarc();
	d.code = AUTH_FAIL;
	d.disposition = DMARC_DIS_QUARANTINE;	/* dmarc_reject_action = quarantine */
	report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "", "a@example.org", 1, &why);
	T_STR(r->disposition, "quarantine", "build: p=reject filed into Junk is quarantine");
	T_STR(r->reason, "local_policy", "build: ... with reason local_policy");
	T_STR(r->envelope_from, "", "build: null sender has an empty envelope_from");

	d = base_dmarc();
	d.code = AUTH_FAIL;
	d.testing = true;
	d.policy = DMARC_P_QUARANTINE;
	d.disposition = DMARC_DIS_QUARANTINE;
	report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "x@y.example", "a@example.org", 1, &why);
	T_STR(r->reason, "policy_test_mode", "build: t=y lowered the policy: policy_test_mode");
	T_STR(r->testing, "y", "build: testing y");

	d = base_dmarc();
	d.code = AUTH_FAIL;
	snprintf(d.override, sizeof d.override, "arc");
	snprintf(d.override_detail, sizeof d.override_detail, "trusted ARC sealer lists.example");
	d.disposition = DMARC_DIS_NONE;
	report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "x@y.example", "a@example.org", 1, &why);
	T_STR(r->disposition, "none", "build: trusted ARC override applies none");
	T_STR(r->reason, "trusted_forwarder", "build: ... reason trusted_forwarder");

	d = base_dmarc();
	d.code = AUTH_FAIL;
	d.disposition = DMARC_DIS_DISCARD;
	report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "x@y.example", "a@example.org", 1, &why);
	T_STR(r->disposition, "reject", "build: discard is reported as reject");
	T_STR(r->reason, "", "build: reject as published needs no reason");

	d = base_dmarc();
	d.have_record = false;
	T_INT(report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "", "a@x.example", 1, &why), -1,
	      "build: no record, not recorded");
	d = base_dmarc();
	snprintf(d.rua, sizeof d.rua, "https://example.com/r");
	T_INT(report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "", "a@x.example", 1, &why), -1,
	      "build: rua without mailto, not recorded");
	d = base_dmarc();
	snprintf(d.domain, sizeof d.domain, "Skip.Example");
	T_INT(report_rec_build(r, c, &d, &spf, NULL, "192.0.2.1", "", "a@x.example", 1, &why), -1,
	      "build: dmarc_report_exclude");
	d = base_dmarc();
	T_INT(report_rec_build(r, c, &d, &spf, NULL, "", "", "a@x.example", 1, &why), -1,
	      "build: no source IP, not recorded");

	/* DKIM: RFC 9990 3.1.3 order and at most 100 */
	struct dkim_result dk;
	dk.n = 150;
	dk.sigs = calloc(dk.n, sizeof *dk.sigs);
	for (size_t i = 0; i < dk.n; i++) {
		dk.sigs[i].code = i % 3 ? AUTH_FAIL : AUTH_PASS;
		snprintf(dk.sigs[i].d, sizeof dk.sigs[i].d, "other%zu.example", i);
		snprintf(dk.sigs[i].s, sizeof dk.sigs[i].s, "s%zu", i);
	}
	dk.sigs[149].code = AUTH_PASS;
	snprintf(dk.sigs[149].d, sizeof dk.sigs[149].d, "News.Example.com");	/* strict */
	dk.sigs[100].code = AUTH_PASS;
	snprintf(dk.sigs[100].d, sizeof dk.sigs[100].d, "example.com");	/* relaxed */
	snprintf(dk.sigs[7].s, sizeof dk.sigs[7].s, "we/ird sel");
	d = base_dmarc();
	d.code = AUTH_PASS;
	report_rec_build(r, c, &d, &spf, &dk, "192.0.2.1", "", "a@x.example", 1, &why);
	size_t entries = *r->dkim ? 1 : 0;
	for (const char *p = r->dkim; *p; p++)
		entries += *p == ' ';
	T_INT(entries, 100, "dkim: at most 100 results per record");
	T_OK(!strncmp(r->dkim, "news.example.com/s149/pass example.com/s100/pass other0.example/s0/pass",
		      strlen("news.example.com/s149/pass example.com/s100/pass other0.example/s0/pass")),
	     "dkim: strict pass, relaxed pass, other passes first (%.80s)", r->dkim);
	T_OK(strstr(r->dkim, "other7.example/we%2Fird%20sel/fail") != NULL,
	     "dkim: selector with '/' and space escaped");
	free(dk.sigs);

	/* spool line round trip, with bytes that need escaping */
	snprintf(r->reason_comment, sizeof r->reason_comment, "tab\there\nnew %%line");
	char line[32768];
	size_t len = report_rec_encode(r, line, sizeof line);
	T_OK(len > 0 && line[len - 1] == '\n' && !memchr(line, '\n', len - 1),
	     "spool: one line per record");
	struct report_rec *back = malloc(sizeof *back);
	T_INT(report_rec_decode(back, line, len), 0, "spool: decodes");
	T_OK(back->ts == r->ts && !strcmp(back->reason_comment, r->reason_comment) &&
	     !strcmp(back->dkim, r->dkim) && !strcmp(back->uid, r->uid),
	     "spool: round trip keeps every field");
	T_INT(report_rec_decode(back, line, len / 2), -1, "spool: a cut line is refused");
	T_INT(report_rec_decode(back, "R2\tjunk\n", 8), -1, "spool: unknown version refused");
	free(back);
	free(r);
	conf_free(c);
}

static int count_cb(void *arg, size_t n, const char *const *v)
{
	*(long *)arg = n ? atol(v[0]) : -1;
	return 1;
}

static long count(struct report_store *s, const char *sql)
{
	long n = -1;
	report_store_exec(s, sql, 0, NULL, count_cb, &n);
	return n;
}

static void test_store(void)
{
	const char *tmp = getenv("T_TMP");
	char uri[1100], spool[1100];
	snprintf(uri, sizeof uri, "sqlite:%s/store.db", tmp ? tmp : ".");
	snprintf(spool, sizeof spool, "%s/spool/dmarc.spool", tmp ? tmp : ".");
	const char *err = NULL;
	struct report_store *s = report_store_open(uri, 1000, &err);
	T_OK(s != NULL, "store: sqlite opens and creates its schema (%s)", err ? err : "");
	if (!s)
		return;
	T_INT(count(s, "SELECT max(version) FROM schema_version"), REPORT_STORE_SCHEMA,
	      "store: schema version recorded");
	struct report_store *s2 = report_store_open(uri, 1000, &err);
	T_OK(s2 != NULL, "store: second open of a current schema");
	report_store_close(s2);

	struct report_rec *r = calloc(1, sizeof *r);
	struct conf *c = conf_parse_string("", "t", NULL);
	struct dmarc_result d = base_dmarc();
	d.code = AUTH_PASS;
	const char *why;
	report_rec_build(r, c, &d, NULL, NULL, "192.0.2.9", "a@b.example", "x@example.org",
			 1796169600 + 5, &why);
	T_INT(report_store_add(s, r), 0, "store: add");
	T_INT(report_store_add(s, r), 0, "store: same uid again is not an error");
	T_INT(count(s, "SELECT count(*) FROM record"), 1, "store: ... and counts once");
	T_INT(count(s, "SELECT day FROM record"), 20789, "store: UTC day stored");

	/* spool: appended, then loaded once, file removed */
	for (int i = 0; i < 3; i++) {
		report_rec_build(r, c, &d, NULL, NULL, "192.0.2.9", "a@b.example", "x@example.org",
				 1796169600 + i, &why);
		T_INT(report_spool_append(spool, r, &err), 0, "spool: append creates the directory");
	}
	FILE *fp = fopen(spool, "a");
	fputs("R1\tdamaged line without newline", fp);
	fclose(fp);
	T_INT(report_spool_load(s, spool), 3, "spool: three records loaded, damaged line skipped");
	T_INT(count(s, "SELECT count(*) FROM record"), 4, "spool: records in the store");
	T_OK(access(spool, F_OK) != 0, "spool: file gone after the load");
	T_INT(report_spool_load(s, spool), 0, "spool: loading nothing is fine");

	/* lock */
	char owner[128];
	T_INT(report_store_lock(s, "node-a", 1000, 60, owner, sizeof owner), 1, "lock: a takes it");
	T_INT(report_store_lock(s, "node-b", 1001, 60, owner, sizeof owner), 0, "lock: b is refused");
	T_STR(owner, "node-a", "lock: b is told who holds it");
	T_INT(report_store_lock(s, "node-a", 1002, 60, owner, sizeof owner), 1, "lock: a renews");
	T_INT(report_store_lock(s, "node-b", 1070, 60, owner, sizeof owner), 1,
	      "lock: b takes an expired lock");
	report_store_unlock(s, "node-b");
	T_INT(report_store_lock(s, "node-c", 1071, 60, owner, sizeof owner), 1, "lock: free after unlock");

	/* a newer schema is refused, not downgraded */
	report_store_exec(s, "UPDATE schema_version SET version = 99", 0, NULL, NULL, NULL);
	s2 = report_store_open(uri, 1000, &err);
	T_OK(!s2 && err && strstr(err, "newer"), "store: newer schema refused (%s)", err ? err : "");
	report_store_close(s2);
	report_store_close(s);

	char bad[1200];
	snprintf(bad, sizeof bad, "sqlite:%s/no/such/dir/x.db", tmp ? tmp : ".");
	s = report_store_open(bad, 100, &err);
	T_OK(!s && err, "store: unreachable store is an error value (%s)", err ? err : "");
	s = report_store_open("mysql://x", 100, &err);
	T_OK(!s && err, "store: unknown scheme refused");
	free(r);
	conf_free(c);
}

static int alnum_only(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Report-ID, file name and Subject (RFC 9990 3.5.1, 3.5.2) */
static void test_names(void)
{
	char id[64], id2[64], buf[700];
	T_INT(report_id_new(20789, id, sizeof id), 0, "report-id: made");
	report_id_new(20789, id2, sizeof id2);
	T_OK(alnum_only(id) && *id, "report-id: letters and digits only (unique-id ABNF): %s", id);
	T_OK(strcmp(id, id2) != 0, "report-id: two calls differ");
	T_OK(!strncmp(id, "20789", 5), "report-id: starts with the day");
	struct report_meta m = { "Org", "dmarc@reporter.test", "", id, 20789, "example.com", "g" };
	T_INT(report_filename(buf, sizeof buf, "reporter.test", &m), 0, "file name: made");
	char want[300];
	snprintf(want, sizeof want, "reporter.test!example.com!1796169600!1796255999!%s.xml.gz", id);
	T_STR(buf, want, "file name: receiver!policy-domain!begin!end!unique-id.xml.gz");
	T_INT(report_subject(buf, sizeof buf, "reporter.test", &m), 0, "subject: made");
	snprintf(want, sizeof want, "Report Domain: example.com Submitter: reporter.test Report-ID: <%s>", id);
	T_STR(buf, want, "subject: dmarc-subject ABNF with ridtxt in angle brackets");
	char small[20];
	T_INT(report_filename(small, sizeof small, "reporter.test", &m), -1, "file name: truncation is an error");
}

static void add_rec(struct report_store *s, const struct conf *c, const char *ip, bool pass,
		    const char *from, long long ts, const char *sel)
{
	struct report_rec *r = calloc(1, sizeof *r);
	struct dmarc_result d = base_dmarc();
	snprintf(d.from_domain, sizeof d.from_domain, "%s", from);
	d.code = pass ? AUTH_PASS : AUTH_FAIL;
	d.dkim_aligned = pass;
	d.disposition = pass ? DMARC_DIS_NONE : DMARC_DIS_QUARANTINE;
	struct dkim_sig_result sig = { .code = pass ? AUTH_PASS : AUTH_FAIL };
	snprintf(sig.d, sizeof sig.d, "example.com");
	snprintf(sig.s, sizeof sig.s, "%s", sel);
	struct dkim_result dk = { 1, &sig };
	const char *why;
	report_rec_build(r, c, &d, NULL, &dk, ip, "b@example.com", "x@example.org", ts, &why);
	report_store_add(s, r);
	free(r);
}

/* RFC 9990 3.1.1.7: one row per (IP, disposition, results, identifiers,
 * auth results); the day's records only */
static void test_aggregate(void)
{
	const char *tmp = getenv("T_TMP");
	char uri[1100];
	snprintf(uri, sizeof uri, "sqlite:%s/agg.db", tmp ? tmp : ".");
	const char *err = NULL;
	struct report_store *s = report_store_open(uri, 1000, &err);
	struct conf *c = conf_parse_string("", "t", NULL);
	if (!s || !c) {
		T_OK(0, "aggregate: store (%s)", err ? err : "");
		return;
	}
	long long day = 20789, t0 = report_day_begin(day);
	for (int i = 0; i < 5; i++)
		add_rec(s, c, "192.0.2.1", true, "news.example.com", t0 + i, "s1");	/* one row */
	add_rec(s, c, "192.0.2.1", true, "news.example.com", t0 + 9, "s2");	/* other selector */
	add_rec(s, c, "192.0.2.2", true, "news.example.com", t0 + 10, "s1");	/* other IP */
	add_rec(s, c, "192.0.2.1", false, "news.example.com", t0 + 11, "s1");	/* other result */
	add_rec(s, c, "192.0.2.1", true, "example.com", t0 + 12, "s1");		/* other From */
	add_rec(s, c, "192.0.2.1", true, "news.example.com", t0 - 1, "s1");	/* day before */
	add_rec(s, c, "192.0.2.1", true, "news.example.com", report_day_end(day) + 1, "s1");
	struct report_meta m = { "Org", "dmarc@reporter.test", "", "X1", day, "example.com", "g" };
	char *xml = NULL;
	size_t len = 0;
	long n = 0;
	T_INT(report_xml_build(s, &m, &xml, &len, &n), 0, "aggregate: built");
	T_INT(n, 9, "aggregate: the day's 9 messages, not the day before or after");
	T_INT(xml ? count_str(xml, "<record>") : 0, 5, "aggregate: 5 rows for 5 distinct keys");
	T_OK(xml && strstr(xml, "<count>5</count>"), "aggregate: identical messages counted in one row");
	T_OK(xml && strstr(xml, "<begin>1796169600</begin>") && strstr(xml, "<end>1796255999</end>"),
	     "aggregate: date_range is the UTC day");
	T_OK(xml && !strstr(xml, "<pct>"), "aggregate: no pct");
	free(xml);
	m.day = day + 5;
	T_INT(report_xml_build(s, &m, &xml, &len, &n), 0, "aggregate: empty day");
	T_INT(n, 0, "aggregate: no records, no report");
	free(xml);
	report_store_close(s);
	conf_free(c);
}

int main(void)
{
	test_days();
	test_rua();
	test_build();
	test_store();
	test_names();
	test_aggregate();
	T_DONE();
}
