/* test_arc.c - ARC chain validation: set collection and structure on
 * hand-made headers, and real chains (tests/vectors/arc, signed by
 * python3-dkim) through the real DNS layer with the vectors' zone file.
 * Also the Authentication-Results text, the instance cap from conf and a
 * key lookup that fails temporarily. */
#include "arc.h"
#include "conf.h"
#include "dns.h"
#include "msg.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

#define NOW ((time_t)1700000100)

static const char *top(void)
{
	const char *t = getenv("TOP");
	return t && *t ? t : ".";
}

static char *slurp(const char *path, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	size_t r;
	while (b && (r = fread(b + n, 1, cap - n - 1, fp)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	fclose(fp);
	if (b)
		b[n] = 0;
	*len_r = n;
	return b;
}

static void vec_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/tests/vectors/arc/%s", top(), name);
}

/* Run arc_verify on text (LF or CRLF). */
static void run(const struct conf *c, struct dns *d, const char *text,
		size_t len, struct arc_result *r)
{
	size_t n;
	char *crlf = msg_lf_to_crlf(text, len, &n);
	struct msg m;
	const char *err;
	if (!crlf || msg_init(&m, crlf, n, 5000, &err) < 0) {
		fprintf(stderr, "msg_init failed\n");
		exit(2);
	}
	arc_prefetch(d, &m, c);
	arc_verify(c, d, &m, NOW, r);
	msg_clear(&m);
}

static void run_vec(const struct conf *c, struct dns *d, const char *name,
		    struct arc_result *r)
{
	char p[1024];
	size_t len;
	vec_path(p, sizeof(p), name);
	char *t = slurp(p, &len);
	if (!t) {
		fprintf(stderr, "cannot read %s\n", p);
		exit(2);
	}
	run(c, d, t, len, r);
	free(t);
}

/* Hand-made sets: signatures are junk, so these only reach the structural
 * checks (which come first, RFC 8617 section 5.2 steps 1-3). */
static const struct {
	const char *name;
	const char *hdrs;
	const char *reason;	/* prefix of the expected reason */
} structural[] = {
	{ "gap",
	  "ARC-Seal: i=3; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=3; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=3; x.example; spf=pass\n"
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC sets not contiguous: i=2 missing" },
	{ "duplicate AMS",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=y.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 has 2 ARC-Message-Signature fields" },
	{ "missing AAR",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n",
	  "ARC i=1 has no ARC-Authentication-Results" },
	{ "i=51",
	  "ARC-Seal: i=51; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==\n",
	  "ARC i=51: more than 50 ARC sets" },
	{ "i=0",
	  "ARC-Seal: i=0; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n",
	  "ARC-Seal: bad instance i=" },
	{ "i=1000",
	  "ARC-Seal: i=1000; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n",
	  "ARC-Seal: bad instance i=" },
	{ "no i=",
	  "ARC-Message-Signature: a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n",
	  "ARC-Message-Signature: no instance i=" },
	{ "I= is not i= (tag names are case-sensitive)",
	  "ARC-Seal: I=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n",
	  "ARC-Seal: no instance i=" },
	{ "AAR i= not first",
	  "ARC-Authentication-Results: x.example; i=1; spf=pass\n",
	  "ARC-Authentication-Results without a leading i=N;" },
	{ "AAR i= without semicolon",
	  "ARC-Authentication-Results: i=1 x.example; spf=pass\n",
	  "ARC-Authentication-Results without a leading i=N;" },
	{ "empty tag-spec",
	  "ARC-Seal: i=1; a=rsa-sha256;; cv=none; d=x.example; s=s; b=AA==\n",
	  "ARC-Seal: empty tag" },
	{ "duplicate tag",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; cv=none; d=x.example; s=s; b=AA==\n",
	  "ARC-Seal: " },
	{ "cv=fail in the middle",
	  "ARC-Seal: i=3; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=3; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=3; x.example; spf=pass\n"
	  "ARC-Seal: i=2; a=rsa-sha256; cv=fail; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=2; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=2; x.example; spf=pass\n"
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=2 seal says cv=fail" },
	{ "cv=fail newest, incomplete below",
	  "ARC-Seal: i=2; a=rsa-sha256; cv=fail; d=x.example; s=s; b=AA==\n",
	  "ARC i=2 seal says cv=fail" },
	{ "cv=pass at i=1",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 seal has cv=pass, must be none" },
	{ "cv=none at i=2",
	  "ARC-Seal: i=2; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=2; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=2; x.example; spf=pass\n"
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=2 seal has cv=none, must be pass" },
	{ "no cv=",
	  "ARC-Seal: i=1; a=rsa-sha256; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 seal has no cv=" },
	{ "structure fine, no key",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: " },
	{ "AMS signs ARC-Seal",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from:arc-seal; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: h= includes ARC-Seal" },
	{ "AMS x= not a number",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; x=soon; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: bad expiry x=" },
	{ "AMS t= not a number",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; t=icecream; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: bad timestamp t=" },
	{ "AMS expired (x= before now)",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; x=1600000000; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: signature expired" },
	{ "AMS without h=",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: no h=" },
	{ "AMS l= with a sign",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; l=+5; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: bad l= or c=" },
	{ "unknown algorithm",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-md5; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: unknown algorithm" },
	{ "rsa-sha1 (RFC 8301)",
	  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AA==\n"
	  "ARC-Message-Signature: i=1; a=rsa-sha1; d=x.example; s=s; h=from; bh=AA==; b=AA==\n"
	  "ARC-Authentication-Results: i=1; x.example; spf=pass\n",
	  "ARC i=1 message signature fails: rsa-sha1 not accepted" },
};

int main(void)
{
	const char *err = NULL;
	struct conf *c = conf_parse_string("", "test", &err);
	T_OK(c != NULL, "default configuration");
	char zone[1024];
	vec_path(zone, sizeof(zone), "zone");
	struct dns *d = dns_new(c, zone, &err);
	T_OK(d != NULL, "dns with the vectors' zone (%s)", d ? "" : err);
	if (!c || !d)
		T_DONE();
	struct arc_result r;
	char buf[512], name[160];

	/* no ARC at all */
	static const char plain[] = "From: a@example.com\nSubject: hi\n\nbody\n";
	run(c, d, plain, strlen(plain), &r);
	T_INT(r.code, AUTH_NONE, "no ARC headers: none");
	T_INT(r.instances, 0, "no ARC headers: 0 instances");
	T_OK(arc_ar(&r, "192.0.2.1", buf, sizeof(buf)) == 0, "arc_ar none fits");
	T_STR(buf, "arc=none", "arc_ar none");
	arc_result_clear(&r);

	for (size_t k = 0; k < sizeof(structural) / sizeof(structural[0]); k++) {
		char msg[4096];
		snprintf(msg, sizeof(msg), "%sFrom: a@example.com\nSubject: s\n\nbody\n",
			 structural[k].hdrs);
		run(c, d, msg, strlen(msg), &r);
		snprintf(name, sizeof(name), "structural %s: fail", structural[k].name);
		T_INT(r.code, AUTH_FAIL, name);
		size_t pl = strlen(structural[k].reason);
		T_OK(!strncmp(r.reason, structural[k].reason, pl),
		     "structural %s: reason: got \"%s\", want \"%s...\"",
		     structural[k].name, r.reason, structural[k].reason);
		T_INT(r.oldest_pass, 0, "structural: no oldest-pass on fail");
		arc_result_clear(&r);
	}

	/* a real 2-hop chain */
	run_vec(c, d, "pass_2hop.eml", &r);
	T_INT(r.code, AUTH_PASS, "pass_2hop: pass");
	T_INT(r.instances, 2, "pass_2hop: 2 instances");
	T_INT(r.oldest_pass, 1, "pass_2hop: oldest-pass 1");
	T_INT(r.nsets, 2, "pass_2hop: 2 sets kept");
	if (r.nsets == 2) {
		T_INT(r.sets[0].i, 1, "pass_2hop: sets[0].i");
		T_STR(r.sets[0].sealer, "forwarder.example", "pass_2hop: sealer 1");
		T_STR(r.sets[1].sealer, "list.example", "pass_2hop: sealer 2");
		T_STR(r.sets[0].aar, "mx1.forwarder.example; dkim=pass header.d=example.com "
		      "header.s=s2023; spf=pass smtp.mailfrom=example.com",
		      "pass_2hop: AAR 1 text unfolded, after i=1;");
		T_OK(r.sets[0].ams_pass && r.sets[1].ams_pass, "pass_2hop: both AMS pass");
	}
	T_OK(arc_ar(&r, "192.0.2.1", buf, sizeof(buf)) == 0, "arc_ar pass fits");
	T_STR(buf, "arc=pass (i=2) header.oldest-pass=1 smtp.remote-ip=192.0.2.1",
	      "arc_ar pass");
	T_OK(arc_ar(&r, NULL, buf, sizeof(buf)) == 0, "arc_ar without IP");
	T_STR(buf, "arc=pass (i=2) header.oldest-pass=1", "arc_ar pass without IP");
	T_INT(arc_ar(&r, "192.0.2.1", buf, 20), -1, "arc_ar reports truncation");
	arc_result_clear(&r);
	arc_result_clear(&r);	/* harmless twice */

	/* a list broke DKIM and AMS(1), the chain still passes */
	run_vec(c, d, "list_dkim_broken.eml", &r);
	T_INT(r.code, AUTH_PASS, "list_dkim_broken: pass");
	T_INT(r.oldest_pass, 2, "list_dkim_broken: oldest-pass 2");
	if (r.nsets == 2) {
		T_INT(r.sets[0].ams_pass, 0, "list_dkim_broken: AMS(1) fails");
		T_INT(r.sets[1].ams_pass, 1, "list_dkim_broken: AMS(2) passes");
	}
	arc_result_clear(&r);

	run_vec(c, d, "tampered_aar.eml", &r);
	T_INT(r.code, AUTH_FAIL, "tampered_aar: fail");
	T_STR(r.reason, "ARC i=2 seal fails: signature does not verify",
	      "tampered_aar: reason");
	T_OK(arc_ar(&r, "192.0.2.1", buf, sizeof(buf)) == 0, "arc_ar fail fits");
	T_STR(buf, "arc=fail (ARC i=2 seal fails: signature does not verify) "
	      "smtp.remote-ip=192.0.2.1", "arc_ar fail with reason comment");
	T_INT(r.nsets, 2, "tampered_aar: sets still reported");
	arc_result_clear(&r);

	run_vec(c, d, "chain_50.eml", &r);
	T_INT(r.code, AUTH_PASS, "chain_50: pass (the maximum)");
	T_INT(r.instances, 50, "chain_50: 50 instances");
	arc_result_clear(&r);
	run_vec(c, d, "chain_51.eml", &r);
	T_INT(r.code, AUTH_FAIL, "chain_51: fail");
	T_INT(r.instances, 51, "chain_51: 51 instances reported");
	arc_result_clear(&r);

	/* the cap comes from conf */
	struct conf *c2 = conf_parse_string("arc_max_instances = 2\n", "test", &err);
	T_OK(c2 != NULL, "arc_max_instances = 2 parses");
	if (c2) {
		run_vec(c2, d, "pass_3hop.eml", &r);
		T_INT(r.code, AUTH_FAIL, "arc_max_instances=2: 3 sets fail");
		T_STR(r.reason, "ARC i=3: more than 2 ARC sets", "arc_max_instances=2: reason");
		arc_result_clear(&r);
		run_vec(c2, d, "pass_2hop.eml", &r);
		T_INT(r.code, AUTH_PASS, "arc_max_instances=2: 2 sets pass");
		arc_result_clear(&r);
		conf_free(c2);
	}

	/* a sealer's key lookup fails temporarily: fail, and say why */
	size_t zlen;
	char *zt = slurp(zone, &zlen);
	char *line = zt ? strstr(zt, "arc2._domainkey.list.example.") : NULL;
	if (line) {
		char *eol = strchr(line, '\n');
		memmove(line, eol + 1, strlen(eol + 1) + 1);
		char zpath[1024];
		const char *tmp = getenv("T_TMP");
		snprintf(zpath, sizeof(zpath), "%s/arc_servfail.zone", tmp && *tmp ? tmp : "/tmp");
		FILE *fp = fopen(zpath, "w");
		if (fp) {
			fprintf(fp, "%s$SERVFAIL arc2._domainkey.list.example TXT\n", zt);
			fclose(fp);
		}
		struct dns *d2 = dns_new(c, zpath, &err);
		T_OK(d2 != NULL, "zone with $SERVFAIL loads");
		if (d2) {
			run_vec(c, d2, "pass_2hop.eml", &r);
			T_INT(r.code, AUTH_FAIL, "key SERVFAIL: fail");
			T_OK(strstr(r.reason, "ARC i=2 message signature fails: temporary error") == r.reason,
			     "key SERVFAIL: reason says temporary: got \"%s\"", r.reason);
			arc_result_clear(&r);
			dns_free(d2);
		}
	}
	free(zt);

	dns_free(d);
	conf_free(c);
	T_DONE();
}
