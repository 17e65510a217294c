/* test_dmarc.c - DMARC through real libunbound with local zone data:
 * record tags, the RFC 9989 tree walk (label shortcut, psd=y, psd=n, no
 * record), PSL mode (co.uk, wildcard/exception, private suffixes), the
 * places where the two disagree, strict/relaxed alignment, sp/np, t=y,
 * invalid and duplicate records, From anomalies, local policy, the
 * trusted-sealer ARC override and the A-R text. */
#include "arc.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "msg.h"
#include "t.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

static const char zone[] =
	"$TTL 300\n"
	"_dmarc.example.com. TXT \"v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:d@example.com\"\n"
	"example.com. A 192.0.2.1\n"
	"sub.example.com. A 192.0.2.2\n"
	"mx.example.com. MX 10 example.com.\n"
	"_dmarc.strict.example. TXT \"v=DMARC1; p=quarantine; adkim=s; aspf=s\"\n"
	"_dmarc.t1.example. TXT \"v=DMARC1; p=reject; t=y\"\n"
	"_dmarc.t2.example. TXT \"v=DMARC1; p=quarantine; t=y\"\n"
	"_dmarc.t3.example. TXT \"v=DMARC1; p=none; t=y\"\n"
	/* a TLD-like public suffix domain with psd=y */
	"_dmarc.psd. TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y\"\n"
	"mail.org1.psd. A 192.0.2.3\n"
	"_dmarc.org2.psd. TXT \"v=DMARC1; p=none\"\n"
	/* psd=n below a parent with its own record */
	"_dmarc.example.net. TXT \"v=DMARC1; p=reject\"\n"
	"_dmarc.corp.example.net. TXT \"v=DMARC1; p=none; psd=n\"\n"
	"b.corp.example.net. A 192.0.2.4\n"
	/* deep name: the record at b.c.d... is skipped by the shortcut */
	"_dmarc.b.c.d.e.f.g.h.i.deep.example.org. TXT \"v=DMARC1; p=none\"\n"
	"_dmarc.deep.example.org. TXT \"v=DMARC1; p=reject\"\n"
	"_dmarc.dup.example. TXT \"v=DMARC1; p=reject\"\n"
	"_dmarc.dup.example. TXT \"v=DMARC1; p=none\"\n"
	"_dmarc.spf-and-dmarc.example. TXT \"v=spf1 -all\"\n"
	"_dmarc.spf-and-dmarc.example. TXT \"v=DMARC1; p=quarantine\"\n"
	"_dmarc.inv.example. TXT \"v=DMARC1; p=bogus\"\n"
	"_dmarc.invrua.example. TXT \"v=DMARC1; p=bogus; rua=mailto:x@invrua.example\"\n"
	"_dmarc.badsp.example. TXT \"v=DMARC1; p=reject; sp=bogus; rua=mailto:x@badsp.example\"\n"
	"_dmarc.ver.example. TXT \"v=DMARC1 ; p=reject\"\n"
	"_dmarc.exempt.example. TXT \"v=DMARC1; p=reject\"\n"
	/* PSL vs tree walk */
	"_dmarc.example.co.uk. TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
	"_dmarc.co.uk. TXT \"v=DMARC1; p=none\"\n"
	"_dmarc.blogspot.com. TXT \"v=DMARC1; p=reject\"\n"
	"$TIMEOUT _dmarc.slow.example. TXT\n"
	"_dmarc.walkslow.example. TXT \"v=DMARC1; p=reject\"\n"
	"$TIMEOUT _dmarc.a.walkslow.example. TXT\n";

static char zone_path[512];

static struct conf *mkconf(const char *extra, int psl)
{
	char text[1024];
	const char *err;
	snprintf(text, sizeof text,
		 "dns_timeout = 200\n"
		 "arc_trusted_sealers = lists.example.org\n"
		 "dmarc_exempt_domains = exempt.example\n"
		 "dmarc_mode = %s\n"
		 "psl_file = /usr/share/publicsuffix/public_suffix_list.dat\n%s",
		 psl ? "psl" : "treewalk", extra ? extra : "");
	struct conf *c = conf_parse_string(text, "test", &err);
	if (!c) {
		printf("not ok - conf: %s\n", err);
		exit(1);
	}
	return c;
}

struct env {
	struct conf *c;
	struct dns *d;
	struct dmarc *dm;
};

static void env_init(struct env *e, const char *extra, int psl)
{
	const char *err;
	e->c = mkconf(extra, psl);
	e->d = dns_new(e->c, zone_path, &err);
	if (!e->d) {
		printf("not ok - dns_new: %s\n", err);
		exit(1);
	}
	e->dm = dmarc_new(e->c, e->d);
}

static void env_clear(struct env *e)
{
	dmarc_free(e->dm);
	dns_free(e->d);
	conf_free(e->c);
}

static void run(struct env *e, const char *from, const char *spf,
		const char *dkim1, const char *dkim2, const struct arc_result *arc,
		struct dmarc_result *r)
{
	struct dmarc_authors a;
	const char *dk[2];
	size_t n = 0;
	if (dkim1)
		dk[n++] = dkim1;
	if (dkim2)
		dk[n++] = dkim2;
	memset(&a, 0, sizeof a);
	snprintf(a.domain[0], sizeof a.domain[0], "%s", from);
	a.n = 1;
	struct dmarc_input in = { spf, dk, n, arc };
	dmarc_prefetch(e->dm, &a, spf);
	dmarc_verify(e->dm, &a, &in, r);
}

struct vcase {
	const char *name, *from, *spf, *dkim;
	const char *result, *policy, *tag, *dis, *domain, *org;
};

static const struct vcase treewalk_cases[] = {
	/* name             from               spf             dkim */
	{ "aligned dkim exact", "example.com", NULL, "example.com",
	  "pass", "reject", "p", "none", "example.com", "example.com" },
	{ "relaxed spf subdomain", "example.com", "bounce.example.com", NULL,
	  "pass", "reject", "p", "none", "example.com", "example.com" },
	{ "relaxed dkim parent", "sub.example.com", NULL, "example.com",
	  "pass", "quarantine", "sp", "none", "example.com", "example.com" },
	{ "no aligned pass p=reject -> quarantine", "example.com", "evil.example", "evil.example",
	  "fail", "reject", "p", "quarantine", "example.com", "example.com" },
	{ "existing subdomain uses sp", "sub.example.com", NULL, NULL,
	  "fail", "quarantine", "sp", "quarantine", "example.com", "example.com" },
	{ "non-existent subdomain uses np", "ghost.example.com", NULL, NULL,
	  "fail", "none", "np", "none", "example.com", "example.com" },
	{ "MX-only name exists: sp", "mx.example.com", NULL, NULL,
	  "fail", "quarantine", "sp", "quarantine", "example.com", "example.com" },
	{ "strict dkim subdomain fails", "strict.example", NULL, "a.strict.example",
	  "fail", "quarantine", "p", "quarantine", "strict.example", "strict.example" },
	{ "strict spf exact passes", "strict.example", "strict.example", NULL,
	  "pass", "quarantine", "p", "none", "strict.example", "strict.example" },
	{ "t=y lowers reject", "t1.example", NULL, NULL,
	  "fail", "quarantine", "p", "quarantine", "t1.example", "t1.example" },
	{ "t=y lowers quarantine", "t2.example", NULL, NULL,
	  "fail", "none", "p", "none", "t2.example", "t2.example" },
	{ "t=y none stays none", "t3.example", NULL, NULL,
	  "fail", "none", "p", "none", "t3.example", "t3.example" },
	{ "psd=y: org is one label below, PSD policy np", "ghost.org1.psd", NULL, NULL,
	  "fail", "reject", "np", "quarantine", "psd", "org1.psd" },
	{ "psd=y: PSD policy sp for existing name", "mail.org1.psd", NULL, NULL,
	  "fail", "quarantine", "sp", "quarantine", "psd", "org1.psd" },
	{ "psd=y: org's own record wins", "x.org2.psd", NULL, "org2.psd",
	  "pass", "none", "p", "none", "org2.psd", "org2.psd" },
	{ "psd=y: sibling orgs do not align", "mail.org1.psd", NULL, "org2.psd",
	  "fail", "quarantine", "sp", "quarantine", "psd", "org1.psd" },
	{ "psd=n stops the walk below example.net", "b.corp.example.net", NULL, "example.net",
	  "fail", "none", "p", "none", "corp.example.net", "corp.example.net" },
	{ "psd=n org aligns inside", "b.corp.example.net", "x.corp.example.net", NULL,
	  "pass", "none", "p", "none", "corp.example.net", "corp.example.net" },
	{ "deep name: label shortcut skips b.c.d...", "a.b.c.d.e.f.g.h.i.deep.example.org", NULL, NULL,
	  "fail", "reject", "p", "quarantine", "deep.example.org", "deep.example.org" },
	{ "deep name aligns with its org", "a.b.c.d.e.f.g.h.i.deep.example.org", "deep.example.org", NULL,
	  "pass", "reject", "p", "none", "deep.example.org", "deep.example.org" },
	{ "no record anywhere", "nothing.example", NULL, NULL,
	  "none", "", "", "none", "", "nothing.example" },
	{ "two records: no policy", "dup.example", NULL, NULL,
	  "none", "", "", "none", "", "dup.example" },
	{ "spf TXT next to DMARC ignored", "spf-and-dmarc.example", NULL, NULL,
	  "fail", "quarantine", "p", "quarantine", "spf-and-dmarc.example", "spf-and-dmarc.example" },
	{ "invalid p, no rua: no processing", "inv.example", NULL, NULL,
	  "none", "", "", "none", "inv.example", "inv.example" },
	{ "invalid p with rua: p=none", "invrua.example", NULL, NULL,
	  "fail", "none", "p", "none", "invrua.example", "invrua.example" },
	{ "invalid sp with rua: as p=none", "badsp.example", NULL, NULL,
	  "fail", "none", "p", "none", "badsp.example", "badsp.example" },
	{ "v=DMARC1 then space is a record", "ver.example", NULL, NULL,
	  "fail", "reject", "p", "quarantine", "ver.example", "ver.example" },
	{ "exempt domain: never enforced", "exempt.example", NULL, NULL,
	  "fail", "reject", "p", "none", "exempt.example", "exempt.example" },
	{ "timeout at the author: temperror", "slow.example", NULL, "slow.example",
	  "temperror", "", "", "none", "", "slow.example" },
	{ "timeout in the walk, author record: aligned exact still passes", "walkslow.example", NULL, "walkslow.example",
	  "pass", "reject", "p", "none", "walkslow.example", "walkslow.example" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static void check(const struct vcase *v, const struct dmarc_result *r, const char *mode)
{
	char n[256];
#define C(field, got) snprintf(n, sizeof n, "%s %s: %s", mode, v->name, #field); T_STR(got, v->field, n)
	C(result, auth_code_name(r->code));
	C(policy, r->policy ? dmarc_policy_name(r->policy) : "");
	C(tag, r->policy_tag);
	C(dis, dmarc_dis_name(r->disposition));
	C(domain, r->domain);
	C(org, r->org_domain);
#undef C
}

static void test_treewalk(void)
{
	struct env e;
	env_init(&e, NULL, 0);
	for (const struct vcase *v = treewalk_cases; v->name; v++) {
		struct dmarc_result r;
		run(&e, v->from, v->spf, v->dkim, NULL, NULL, &r);
		check(v, &r, "treewalk");
	}
	env_clear(&e);
}

/* RFC 7489 mode: libpsl with Debian's publicsuffix data. */
static const struct vcase psl_cases[] = {
	{ "co.uk: org is example.co.uk, sp applies", "www.example.co.uk", NULL, NULL,
	  "fail", "quarantine", "sp", "quarantine", "example.co.uk", "example.co.uk" },
	{ "co.uk: relaxed alignment inside", "www.example.co.uk", "mail.example.co.uk", NULL,
	  "pass", "quarantine", "sp", "none", "example.co.uk", "example.co.uk" },
	{ "wildcard *.kawasaki.jp: org has 4 labels", "www.foo.bar.kawasaki.jp", NULL, "bar.kawasaki.jp",
	  "none", "", "", "none", "", "foo.bar.kawasaki.jp" },
	{ "exception !city.kawasaki.jp", "www.city.kawasaki.jp", NULL, NULL,
	  "none", "", "", "none", "", "city.kawasaki.jp" },
	{ "private suffix blogspot.com: own org", "foo.blogspot.com", NULL, "bar.blogspot.com",
	  "none", "", "", "none", "", "foo.blogspot.com" },
	{ "psd=n ignored: org is example.net, its p=reject applies", "b.corp.example.net", NULL, "example.net",
	  "pass", "reject", "p", "none", "example.net", "example.net" },
	{ "two records: no policy", "dup.example", NULL, NULL,
	  "none", "", "", "none", "", "dup.example" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static void test_psl(void)
{
	struct env e;
	env_init(&e, NULL, 1);
	for (const struct vcase *v = psl_cases; v->name; v++) {
		struct dmarc_result r;
		run(&e, v->from, v->spf, v->dkim, NULL, NULL, &r);
		check(v, &r, "psl");
	}
	env_clear(&e);
}

/* Where the two methods give different Organizational Domains. */
static void test_disagree(void)
{
	static const struct { const char *name, *tw, *psl; } t[] = {
		/* a record at a public suffix without psd=y: the walk
		 * takes the record with the fewest labels */
		{ "www.example.co.uk", "co.uk", "example.co.uk" },
		/* psd=n at a subdomain of a registrable domain */
		{ "b.corp.example.net", "corp.example.net", "example.net" },
		/* a private PSL suffix that publishes DMARC */
		{ "foo.blogspot.com", "blogspot.com", "foo.blogspot.com" },
		/* psd=y at a name that is not on the PSL: the PSL's
		 * implicit "*" rule agrees here */
		{ "mail.org1.psd", "org1.psd", "org1.psd" },
		/* agreement, for contrast */
		{ "sub.example.com", "example.com", "example.com" },
	};
	struct env tw, ps;
	env_init(&tw, NULL, 0);
	env_init(&ps, NULL, 1);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char a[256], b[256], n[300];
		dmarc_org_domain(tw.dm, t[i].name, a, sizeof a);
		dmarc_org_domain(ps.dm, t[i].name, b, sizeof b);
		snprintf(n, sizeof n, "org treewalk %s", t[i].name);
		T_STR(a, t[i].tw, n);
		snprintf(n, sizeof n, "org psl %s", t[i].name);
		T_STR(b, t[i].psl, n);
	}
	env_clear(&tw);
	env_clear(&ps);
}

static void test_walk_targets(void)
{
	char t[DMARC_WALK_MAX][DMARC_DOMAIN_MAX];
	T_INT(dmarc_walk_targets("a.b.c.d.e.f.g.h.i.j.mail.example.com", t), 8, "walk 13 labels: 8 queries");
	T_STR(t[1], "g.h.i.j.mail.example.com", "walk shortcut to 7 labels");
	T_STR(t[7], "com", "walk ends at the TLD");
	T_INT(dmarc_walk_targets("a.b.example.com", t), 4, "walk 4 labels: 4 queries");
	T_STR(t[1], "b.example.com", "walk short name one label up");
	T_INT(dmarc_walk_targets("h.g.f.e.d.c.b.a", t), 8, "walk 8 labels: 8 queries");
	T_STR(t[1], "g.f.e.d.c.b.a", "walk 8 labels: 7 next");
	T_INT(dmarc_walk_targets("com", t), 1, "walk single label");
}

static void test_records(void)
{
	static const struct { const char *txt; int rc; int usable; const char *bad; } t[] = {
		{ "v=DMARC1; p=reject", 0, 1, "" },
		{ "v=DMARC1;p=none;sp=quarantine;np=reject;psd=n;t=y;adkim=s;aspf=r;fo=0:d;rua=mailto:a@b.c;ruf=mailto:c@d.e;pct=50;rf=afrf;ri=3600", 0, 1, "" },
		{ "v=DMARC1; p=reject; future=tag", 0, 1, "" },
		{ "v=DMARC2; p=reject", -1, 0, "" },
		{ "p=reject; v=DMARC1", -1, 0, "" },
		{ "v=dmarc1; p=reject", -1, 0, "" },
		{ "", -1, 0, "" },
		{ "v=DMARC1", 0, 0, "" },
		{ "v=DMARC1; rua=mailto:r@example.com", 0, 1, "" },
		{ "v=DMARC1; p=none; adkim=x; pct=101; psd=maybe", 0, 1, "adkim pct psd" },
		{ "v=DMARC1; p=reject; p=none", 0, 1, "" },	/* first wins */
		{ "v=DMARC1; p=REJECT; ADKIM=S", 0, 1, "" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct dmarc_record r;
		char n[200];
		int rc = dmarc_record_parse(t[i].txt, strlen(t[i].txt), &r);
		snprintf(n, sizeof n, "record \"%.60s\" is DMARC", t[i].txt);
		T_INT(rc, t[i].rc, n);
		if (rc == 0) {
			snprintf(n, sizeof n, "record \"%.60s\" usable", t[i].txt);
			T_INT(dmarc_record_usable(&r), t[i].usable, n);
			snprintf(n, sizeof n, "record \"%.60s\" bad tags", t[i].txt);
			T_STR(r.bad, t[i].bad, n);
		}
	}
	struct dmarc_record r;
	const char *s = "v=DMARC1; p=reject; p=none; ADKIM=S";
	dmarc_record_parse(s, strlen(s), &r);
	T_INT(r.p, DMARC_P_REJECT, "record duplicate tag: first wins");
	T_INT(r.adkim_strict, 1, "record tag names case-insensitive");
}

static struct msg *mkmsg(const char *hdrs)
{
	static struct msg m;
	const char *err;
	size_t len = strlen(hdrs);
	char *data = malloc(len + 16);
	memcpy(data, hdrs, len);
	memcpy(data + len, "\r\nbody\r\n", 9);
	if (msg_init(&m, data, len + 8, 100, &err) < 0) {
		printf("not ok - msg_init: %s\n", err);
		exit(1);
	}
	return &m;
}

static void test_from(void)
{
	static const struct {
		const char *hdrs;
		enum dmarc_from st;
		size_t n;
		const char *first;
	} t[] = {
		{ "From: Joe <joe@Example.COM>\r\n", DMARC_FROM_OK, 1, "example.com" },
		{ "From: a@example.com, b@example.com\r\n", DMARC_FROM_OK, 1, "example.com" },
		{ "From: a@example.com, b@strict.example\r\n", DMARC_FROM_MULTI_DOMAIN, 2, "example.com" },
		{ "From: a@example.com\r\nFrom: b@example.com\r\n", DMARC_FROM_SEVERAL_HEADERS, 1, "example.com" },
		{ "Subject: none\r\n", DMARC_FROM_MISSING, 0, "" },
		{ "From: undisclosed\r\n", DMARC_FROM_UNPARSEABLE, 0, "" },
		{ "From: \"ceo@bank.example\" <x@evil.example>\r\n", DMARC_FROM_OK, 1, "evil.example" },
		{ "From: list: a@example.com, b@t1.example;\r\n", DMARC_FROM_MULTI_DOMAIN, 2, "example.com" },
		{ "From: =?utf-8?q?J=C3=B6?= <j@xn--bcher-kva.example>\r\n", DMARC_FROM_OK, 1, "xn--bcher-kva.example" },
		{ "From: <<<joe@example.com>>>\r\n", DMARC_FROM_OK, 1, "example.com" },
		{ "From: \"Johnson, Joe <joe@example.com>\" joe@t1.example\r\n", DMARC_FROM_UNPARSEABLE, 2, "t1.example" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct msg *m = mkmsg(t[i].hdrs);
		struct dmarc_authors a;
		char n[200];
		dmarc_authors_find(m, &a);
		snprintf(n, sizeof n, "from status %zu", i);
		T_INT(a.status, t[i].st, n);
		snprintf(n, sizeof n, "from count %zu", i);
		T_INT(a.n, t[i].n, n);
		snprintf(n, sizeof n, "from first domain %zu", i);
		T_STR(a.n ? a.domain[0] : "", t[i].first, n);
		msg_clear(m);
	}
}

static void verify_msg(struct env *e, const char *hdrs, const char *dkim1,
		       const char *dkim2, struct dmarc_result *r)
{
	struct msg *m = mkmsg(hdrs);
	struct dmarc_authors a;
	const char *dk[2] = { dkim1, dkim2 };
	dmarc_authors_find(m, &a);
	struct dmarc_input in = { NULL, dk, dkim2 ? 2 : dkim1 ? 1 : 0, NULL };
	dmarc_verify(e->dm, &a, &in, r);
	msg_clear(m);
}

static void test_anomalies(void)
{
	struct env e;
	struct dmarc_result r;
	env_init(&e, NULL, 0);
	/* both domains pass on their own, still a failure with the
	 * strictest policy found (reject from example.com) */
	verify_msg(&e, "From: a@example.com, b@strict.example\r\n",
		   "example.com", "strict.example", &r);
	T_STR(auth_code_name(r.code), "fail", "multi-domain From fails");
	T_STR(dmarc_policy_name(r.policy), "reject", "multi-domain From: strictest policy");
	T_STR(dmarc_dis_name(r.disposition), "quarantine", "multi-domain From: disposition");
	verify_msg(&e, "From: a@example.com\r\nFrom: a@example.com\r\n", "example.com", NULL, &r);
	T_STR(auth_code_name(r.code), "fail", "two From headers fail even when aligned");
	T_STR(dmarc_policy_name(r.policy), "reject", "two From headers: policy of the domain");
	verify_msg(&e, "Subject: x\r\n", NULL, NULL, &r);
	T_STR(auth_code_name(r.code), "fail", "no From fails");
	T_STR(dmarc_policy_name(r.policy), "none", "no From: no policy found");
	T_OK(strstr(r.reason, "no From") != NULL, "no From: reason says so (%s)", r.reason);
	verify_msg(&e, "From: a@nothing.example, b@t3.example\r\n", NULL, NULL, &r);
	T_STR(auth_code_name(r.code), "fail", "multi-domain without policies still fails");
	env_clear(&e);

	env_init(&e, "dmarc_from_policy = each\n", 0);
	verify_msg(&e, "From: a@example.com, b@strict.example\r\n",
		   "example.com", "strict.example", &r);
	T_STR(auth_code_name(r.code), "pass", "each: every domain aligned passes");
	verify_msg(&e, "From: a@example.com, b@strict.example\r\n", "example.com", NULL, &r);
	T_STR(auth_code_name(r.code), "fail", "each: one unaligned domain fails");
	T_STR(dmarc_policy_name(r.policy), "quarantine", "each: policy of the failing domain");
	verify_msg(&e, "From: a@example.com\r\nFrom: a@example.com\r\n", "example.com", NULL, &r);
	T_STR(auth_code_name(r.code), "fail", "each: two From headers still fail");
	env_clear(&e);

	env_init(&e, "dmarc_from_policy = reject\n", 0);
	verify_msg(&e, "Subject: x\r\n", NULL, NULL, &r);
	T_STR(dmarc_policy_name(r.policy), "reject", "from policy reject: no From gets reject");
	T_STR(dmarc_dis_name(r.disposition), "quarantine", "from policy reject: local action quarantine");
	env_clear(&e);
}

static void test_local_policy(void)
{
	struct env e;
	struct dmarc_result r;
	env_init(&e, "dmarc_reject_action = reject\n", 0);
	run(&e, "example.com", NULL, NULL, NULL, NULL, &r);
	T_STR(dmarc_dis_name(r.disposition), "reject", "reject action reject");
	env_clear(&e);
	env_init(&e, "dmarc_reject_action = discard\n", 0);
	run(&e, "example.com", NULL, NULL, NULL, NULL, &r);
	T_STR(dmarc_dis_name(r.disposition), "discard", "reject action discard");
	run(&e, "strict.example", NULL, NULL, NULL, NULL, &r);
	T_STR(dmarc_dis_name(r.disposition), "quarantine", "quarantine unaffected by reject action");
	env_clear(&e);
}

static void test_arc_override(void)
{
	struct env e;
	struct dmarc_result r;
	struct arc_set sets[2];
	struct arc_result arc;
	char aar1[] = "lists.example.org; dkim=pass header.d=example.com header.s=s1; "
		      "spf=fail smtp.mailfrom=example.com; dmarc=pass (p=reject) header.from=example.com";
	char aar2[] = "relay.example.net; spf=pass smtp.mailfrom=lists.example.org";
	memset(&arc, 0, sizeof arc);
	memset(sets, 0, sizeof sets);
	sets[0].i = 1;
	snprintf(sets[0].sealer, sizeof sets[0].sealer, "lists.example.org");
	sets[0].aar = aar1;
	sets[0].ams_pass = 1;
	sets[1].i = 2;
	snprintf(sets[1].sealer, sizeof sets[1].sealer, "relay.example.net");
	sets[1].aar = aar2;
	sets[1].ams_pass = 1;
	arc.code = AUTH_PASS;
	arc.instances = 2;
	arc.oldest_pass = 1;
	arc.nsets = 2;
	arc.sets = sets;

	env_init(&e, NULL, 0);
	run(&e, "example.com", "lists.example.org", "lists.example.org", NULL, &arc, &r);
	T_STR(auth_code_name(r.code), "fail", "arc override keeps dmarc=fail");
	T_STR(r.override, "arc", "arc override by trusted sealer at oldest-pass");
	T_STR(dmarc_dis_name(r.disposition), "none", "arc override disposition none");
	char buf[512];
	dmarc_ar(&r, buf, sizeof buf);
	T_STR(buf, "dmarc=fail (p=reject sp=quarantine np=none dis=none override=arc) header.from=example.com",
	      "arc override A-R");

	/* the oldest passing AMS is i=2 (untrusted): no override */
	arc.oldest_pass = 2;
	run(&e, "example.com", NULL, NULL, NULL, &arc, &r);
	T_STR(r.override, "", "no override when oldest-pass sealer untrusted");
	T_STR(dmarc_dis_name(r.disposition), "quarantine", "no override: quarantine");

	/* chain failed: no override even with a trusted sealer */
	arc.oldest_pass = 1;
	arc.code = AUTH_FAIL;
	run(&e, "example.com", NULL, NULL, NULL, &arc, &r);
	T_STR(r.override, "", "no override when ARC fails");

	/* trusted sealer whose AAR shows only an unaligned pass */
	arc.code = AUTH_PASS;
	char aar3[] = "lists.example.org; dkim=pass header.d=other.example; dmarc=fail header.from=example.com";
	sets[0].aar = aar3;
	run(&e, "example.com", NULL, NULL, NULL, &arc, &r);
	T_STR(r.override, "", "no override when the AAR vouches for nothing aligned");

	/* aligned DKIM pass in the AAR (relaxed) is enough */
	char aar4[] = "lists.example.org; dkim=pass header.d=mail.example.com";
	sets[0].aar = aar4;
	run(&e, "example.com", NULL, NULL, NULL, &arc, &r);
	T_STR(r.override, "arc", "override on aligned dkim pass in AAR");

	/* a forged AAR comment cannot inject a pass */
	char aar5[] = "lists.example.org; dkim=fail (dmarc=pass) header.d=example.com";
	sets[0].aar = aar5;
	run(&e, "example.com", NULL, NULL, NULL, &arc, &r);
	T_STR(r.override, "", "AAR comment text is not a result");
	env_clear(&e);
}

static void test_ar(void)
{
	struct env e;
	struct dmarc_result r;
	char buf[512];
	env_init(&e, NULL, 0);
	run(&e, "sub.example.com", NULL, NULL, NULL, NULL, &r);
	dmarc_ar(&r, buf, sizeof buf);
	T_STR(buf, "dmarc=fail (p=reject sp=quarantine np=none dis=quarantine) header.from=sub.example.com",
	      "A-R fail with sp");
	run(&e, "t1.example", NULL, NULL, NULL, NULL, &r);
	dmarc_ar(&r, buf, sizeof buf);
	T_STR(buf, "dmarc=fail (p=reject sp=reject t=y dis=quarantine) header.from=t1.example",
	      "A-R testing");
	run(&e, "nothing.example", NULL, NULL, NULL, NULL, &r);
	dmarc_ar(&r, buf, sizeof buf);
	T_STR(buf, "dmarc=none header.from=nothing.example", "A-R none");
	T_INT(dmarc_ar(&r, buf, 10), -1, "A-R truncation reported");
	char *j = dmarc_json(&r);
	T_OK(j && strstr(j, "\"result\":\"none\"") && strstr(j, "\"override\":null"), "json none: %s", j ? j : "");
	free(j);
	env_clear(&e);
}

int main(void)
{
	const char *tmp = getenv("T_TMP");
	snprintf(zone_path, sizeof zone_path, "%s/dmarc.zone", tmp && *tmp ? tmp : "/tmp");
	FILE *fp = fopen(zone_path, "w");
	if (!fp) {
		perror(zone_path);
		return 2;
	}
	fputs(zone, fp);
	fclose(fp);
	g_mime_init();
	test_records();
	test_walk_targets();
	test_treewalk();
	test_psl();
	test_disagree();
	test_from();
	test_anomalies();
	test_local_policy();
	test_arc_override();
	test_ar();
	g_mime_shutdown();
	T_DONE();
}
