/* cmd_dns.c - `authdeliver dns`: look names up the way the verifiers do
 * (same libunbound context, mode, zone file, DNSSEC and limits), to check
 * a zone file or reproduce a user's DNS problem.
 *
 *   authdeliver dns [-c FILE] [--dns-zone FILE] NAME [TYPE...]
 *
 * Prints one line per (name, type): name, type, status, DNSSEC status,
 * then the records (TXT quoted, A/AAAA as addresses, MX "pref name") or
 * the reason of a temporary failure.  Exit 0 when every lookup was
 * answered (ok, nxdomain, nodata), 75 on a temporary failure, 65 for an
 * invalid name, 64 for usage errors.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "dns.h"

static const struct { const char *name; int type; } types[] = {
	{ "A", DNS_T_A }, { "AAAA", DNS_T_AAAA }, { "MX", DNS_T_MX }, { "TXT", DNS_T_TXT },
	{ "PTR", DNS_T_PTR }, { "CNAME", DNS_T_CNAME }, { "NS", DNS_T_NS }, { "SPF", DNS_T_SPF },
};

static const char *type_name(int t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == t)
			return types[i].name;
	return "?";
}

static void print_txt(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\%03u", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

int cmd_dns(int argc, char **argv)
{
	const char *file = NULL, *zone = NULL;
	static const struct option opts[] = {
		{ "dns-zone", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'z': zone = optarg; break;
		default: goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	const char *name = argv[optind++];
	int qtypes[16], nq = 0;
	for (; optind < argc; optind++) {
		int t = 0;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(argv[optind], types[i].name))
				t = types[i].type;
		if (!t || nq == 16) {
			fprintf(stderr, "authdeliver dns: unknown type %s\n", argv[optind]);
			goto usage;
		}
		qtypes[nq++] = t;
	}
	if (!nq)
		qtypes[nq++] = DNS_T_A;

	const struct conf *c = cmd_load_conf(file);
	const char *err;
	struct dns *d = dns_new(c, zone, &err);
	if (!d) {
		fprintf(stderr, "authdeliver dns: %s\n", err);
		return EX_CONFIG;
	}
	for (int i = 0; i < nq; i++)	/* in parallel, as a message does */
		dns_prefetch(d, name, qtypes[i]);
	int rc = 0;
	for (int i = 0; i < nq; i++) {
		const struct dns_answer *a = dns_lookup(d, name, qtypes[i]);
		printf("%s %s %s %s", name, type_name(qtypes[i]), dns_status_name(a->status),
		       a->sec == DNS_SEC_SECURE ? "secure" : a->sec == DNS_SEC_BOGUS ? "bogus" : "insecure");
		if (a->why)
			printf(" (%s)", a->why);
		for (size_t k = 0; k < a->n; k++) {
			const struct dns_rr *rr = &a->rr[k];
			char buf[64];
			putchar(' ');
			switch (qtypes[i]) {
			case DNS_T_A:
			case DNS_T_AAAA:
				inet_ntop(qtypes[i] == DNS_T_A ? AF_INET : AF_INET6, rr->data, buf, sizeof(buf));
				fputs(buf, stdout);
				break;
			case DNS_T_TXT:
			case DNS_T_SPF:
				print_txt(rr->data, rr->len);
				break;
			case DNS_T_MX:
				printf("%u %s", rr->pref, rr->data);
				break;
			default:
				fputs(rr->data, stdout);
			}
		}
		if (a->truncated)
			printf(" (truncated at dns_max_records)");
		putchar('\n');
		if (a->status == DNS_TEMPFAIL && rc == 0)
			rc = EX_TEMPFAIL;
		if (a->status == DNS_BADNAME)
			rc = EX_DATAERR;
		dns_answer_free(a);
	}
	dns_free(d);
	return rc;
usage:
	fprintf(stderr, "usage: authdeliver dns [-c FILE] [--dns-zone FILE] NAME [A|AAAA|MX|TXT|PTR|CNAME|NS|SPF...]\n");
	return EX_USAGE;
}
