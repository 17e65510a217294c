/* cmd_dmarc.c - `authdeliver dmarc`: DMARC alone, from given identifiers.
 *
 * Takes an Author Domain (or a From header value), the SPF-authenticated
 * MAIL FROM domain and the d= of passing DKIM signatures, and prints the
 * dmarc= part of Authentication-Results (or JSON).  Also --org NAME (the
 * Organizational Domain), --walk NAME (the tree-walk query targets) and
 * --record TXT (parse one record).  Used by the conformance runners and by
 * operators asking "which policy applies to this domain?".  Exit 0 whenever
 * a result was computed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <gmime/gmime.h>

#include "cmd.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "log.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: authdeliver dmarc [-c FILE] [--dns-zone FILE] [--mode treewalk|psl]\n"
		"         [--psl-file FILE] (--from-domain D | --from VALUE) [--spf-domain D]\n"
		"         [--dkim-domain D]... [--json]\n"
		"       authdeliver dmarc [...] --org NAME | --walk NAME | --record TXT\n");
}

int cmd_dmarc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "mode", required_argument, NULL, 'm' },
		{ "psl-file", required_argument, NULL, 'P' },
		{ "from-domain", required_argument, NULL, 'f' },
		{ "from", required_argument, NULL, 'F' },
		{ "spf-domain", required_argument, NULL, 's' },
		{ "dkim-domain", required_argument, NULL, 'd' },
		{ "org", required_argument, NULL, 'o' },
		{ "walk", required_argument, NULL, 'w' },
		{ "record", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "batch", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *zone = NULL, *mode = NULL, *pslf = NULL;
	const char *from_dom = NULL, *from_val = NULL, *spf = NULL;
	const char *org = NULL, *walkname = NULL, *record = NULL;
	const char *dkim[32];
	size_t ndkim = 0;
	int json = 0, tsv_batch = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'z': zone = optarg; break;
		case 'm': mode = optarg; break;
		case 'P': pslf = optarg; break;
		case 'f': from_dom = optarg; break;
		case 'F': from_val = optarg; break;
		case 's': spf = optarg; break;
		case 'd':
			if (ndkim < 32)
				dkim[ndkim++] = optarg;
			break;
		case 'o': org = optarg; break;
		case 'w': walkname = optarg; break;
		case 'r': record = optarg; break;
		case 'j': json = 1; break;
		case 'b': tsv_batch = 1; break;
		default: usage(); return EX_USAGE;
		}
	}
	if (record) {
		/* "--record -": one record per stdin line */
		char line[4096];
		int batch = !strcmp(record, "-");
		while (batch ? fgets(line, sizeof line, stdin) != NULL : record != NULL) {
			if (batch)
				line[strcspn(line, "\r\n")] = '\0';
			const char *txt = batch ? line : record;
			struct dmarc_record r;
			/* not batch: the loop runs only while record != NULL */
			/* cppcheck-suppress nullPointerRedundantCheck */
			if (dmarc_record_parse(txt, strlen(txt), &r) < 0)
				printf("not-dmarc\n");
			else
				printf("%s p=%s sp=%s np=%s psd=%c t=%c adkim=%c aspf=%c bad=%s\n",
				       dmarc_record_usable(&r) ? "valid" : "invalid",
				       r.p_bad ? "bad" : dmarc_policy_name(r.p),
				       r.sp_bad ? "bad" : dmarc_policy_name(r.sp),
				       r.np_bad ? "bad" : dmarc_policy_name(r.np),
				       "uyn"[r.psd], r.testing ? 'y' : 'n',
				       r.adkim_strict ? 's' : 'r', r.aspf_strict ? 's' : 'r',
				       *r.bad ? r.bad : "-");
			if (!batch)
				record = NULL;
		}
		return 0;
	}
	if (walkname) {
		char t[DMARC_WALK_MAX][DMARC_DOMAIN_MAX];
		size_t n = dmarc_walk_targets(walkname, t);
		for (size_t i = 0; i < n; i++)
			printf("_dmarc.%s\n", t[i]);
		return 0;
	}
	if (!org && !from_dom && !from_val && !tsv_batch) {
		usage();
		return EX_USAGE;
	}
	const char *err;
	struct conf *c = conf_parse(file, &err);
	if (!c) {
		fprintf(stderr, "authdeliver: configuration error: %s\n", err);
		return EX_CONFIG;
	}
	if (mode)
		c->dmarc_mode = !strcmp(mode, "psl") ? CONF_DMARC_PSL : CONF_DMARC_TREEWALK;
	if (pslf) {
		free(c->psl_file);
		c->psl_file = strdup(pslf);
	}
	conf_install(c);
	log_open(c);
	struct dns *d = dns_new(c, zone, &err);
	if (!d) {
		fprintf(stderr, "authdeliver: dns: %s\n", err);
		return EX_UNAVAILABLE;
	}
	struct dmarc *dm = dmarc_new(c, d);
	int rc = 0;
	if (tsv_batch) {
		/* --batch: stdin lines "ZONE<TAB>FROM<TAB>SPF<TAB>DKIM,DKIM"
		 * ("-" for none; FROM is a domain or a From header value);
		 * one JSON line each, a fresh DNS per line.
		 * One process for a whole conformance table. */
		char line[4096];
		while (fgets(line, sizeof line, stdin)) {
			line[strcspn(line, "\r\n")] = '\0';
			char *f[4] = { NULL, NULL, NULL, NULL }, *save = NULL;
			int nf = 0;
			for (char *t = strtok_r(line, "\t", &save); t && nf < 4;
			     t = strtok_r(NULL, "\t", &save))
				f[nf++] = strcmp(t, "-") ? t : NULL;
			if (nf < 2 || !f[1]) {
				printf("{}\n");
				continue;
			}
			struct dns *bd = dns_new(c, f[0], &err);
			if (!bd) {
				printf("{\"error\":\"dns\"}\n");
				continue;
			}
			struct dmarc *bdm = dmarc_new(c, bd);
			const char *bk[32];
			size_t nbk = 0;
			char *save2 = NULL;
			for (char *t = f[3] ? strtok_r(f[3], ",", &save2) : NULL; t && nbk < 32;
			     t = strtok_r(NULL, ",", &save2))
				bk[nbk++] = t;
			struct dmarc_authors a;
			memset(&a, 0, sizeof a);
			if (strpbrk(f[1], "@ <")) {	/* a From header value */
				g_mime_init();
				dmarc_authors_parse(f[1], &a);
			} else {
				snprintf(a.domain[0], DMARC_DOMAIN_MAX, "%s", f[1]);
				a.n = 1;
			}
			struct dmarc_input in = { f[2], bk, nbk, NULL };
			struct dmarc_result res;
			dmarc_prefetch(bdm, &a, f[2]);
			dmarc_verify(bdm, &a, &in, &res);
			char *j = dmarc_json(&res);
			printf("%s\n", j ? j : "{}");
			fflush(stdout);
			free(j);
			dmarc_free(bdm);
			dns_free(bd);
		}
	} else if (org) {
		/* "--org -": one name per stdin line (the PSL test tables) */
		char line[1024], buf[DMARC_DOMAIN_MAX];
		int batch = !strcmp(org, "-");
		while (batch ? fgets(line, sizeof line, stdin) != NULL : org != NULL) {
			if (batch)
				line[strcspn(line, "\r\n")] = '\0';
			const char *name = batch ? line : org;
			/* not batch: org is set (the loop condition) */
			/* cppcheck-suppress nullPointerRedundantCheck */
			if (!*name)
				printf("\n");
			else if (dmarc_org_domain(dm, name, buf, sizeof buf) < 0)
				printf("temperror %s\n", buf);
			else
				printf("%s\n", buf);
			fflush(stdout);
			if (!batch)
				org = NULL;
		}
	} else {
		struct dmarc_authors a;
		g_mime_init();
		if (from_val) {
			dmarc_authors_parse(from_val, &a);
		} else {
			memset(&a, 0, sizeof a);
			snprintf(a.domain[0], DMARC_DOMAIN_MAX, "%s", from_dom);
			a.n = 1;
		}
		struct dmarc_input in = { spf, dkim, ndkim, NULL };
		struct dmarc_result res;
		dmarc_prefetch(dm, &a, spf);
		dmarc_verify(dm, &a, &in, &res);
		if (json) {
			char *j = dmarc_json(&res);
			printf("%s\n", j ? j : "{}");
			free(j);
		} else {
			char buf[1024];
			dmarc_ar(&res, buf, sizeof buf);
			printf("%s\n%s\n", buf, res.reason);
		}
	}
	dmarc_free(dm);
	dns_free(d);
	conf_shutdown();
	return rc;
}
