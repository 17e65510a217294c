/* cmd_spf.c - `authdeliver spf`: one SPF check from the command line.
 *
 * Takes --ip, --helo, --mail-from (and optionally --dns-zone, -c, --json);
 * prints the result word and the Received-SPF header (unfolded, one line),
 * or a JSON object.  Exits 0 whenever a result was computed (fail too),
 * 64 on bad usage, 78 when the configuration or zone file is unusable.
 * Hidden options: --repeat N runs the check N more times with a warm cache
 * and prints evaluations per second to stderr (bench/spf.sh); --batch reads
 * "IP<TAB>HELO<TAB>MAIL-FROM" lines from stdin and prints one JSON line per
 * check with one DNS cache for all (tests/conformance/run_spf).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "dns.h"
#include "spf.h"

static void usage(void)
{
	fprintf(stderr, "usage: authdeliver spf --ip IP --helo NAME --mail-from ADDR "
		"[--receiver NAME] [--dns-zone FILE] [-c FILE] [--json]\n");
}

static const char *json_sep = "\n";	/* "\n" pretty, " " one line */

static void json_str(const char *key, const char *v, int last)
{
	struct buf b;
	buf_init(&b, 0);
	buf_json_str(&b, v);
	printf("%s\"%s\": %s%s%s", *json_sep == '\n' ? "  " : "", key, b.p ? b.p : "\"\"",
	       last ? "" : ",", last ? "" : json_sep);
	buf_clear(&b);
}

/* The header without its folding (CRLF before WSP) and final CRLF. */
static void unfold(char *h)
{
	char *o = h;
	for (char *p = h; *p; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = 0;
}

/* --repeat N: N more evaluations, timed (cache and parsing cost). */
static void repeat_verify(struct spf *s, const struct spf_request *req, long repeat,
			  struct spf_result *res, struct spf_result *hres)
{
	if (repeat <= 0)
		return;
	long long t0 = mono_ms();
	for (long i = 0; i < repeat; i++)
		spf_verify(s, req, res, hres);
	double dt = (double)(mono_ms() - t0) / 1e3;
	fprintf(stderr, "spf: %ld evaluations in %.3f s: %.0f/s\n", repeat, dt,
		dt > 0 ? repeat / dt : 0.0);
}

/* Print one result: word + unfolded Received-SPF, or JSON. */
static int print_result(const struct spf_result *res, const struct spf_result *hres,
			const struct spf_request *req, const struct conf *c, int json)
{
	char *hdr = spf_received_spf(res, req, c);
	char ar[512];
	if (spf_ar(res, ar, sizeof(ar)) < 0)
		ar[0] = 0;
	if (!hdr) {
		fprintf(stderr, "authdeliver: out of memory\n");
		return EX_OSERR;
	}
	if (json) {
		const char *nl = json_sep, *ind = *nl == '\n' ? "  " : "";
		printf("{%s", *nl == '\n' ? nl : "");
		json_str("result", auth_code_name(res->code), 0);
		json_str("explanation", res->explanation, 0);
		json_str("identity", res->identity, 0);
		json_str("domain", res->domain, 0);
		json_str("sender", res->sender, 0);
		json_str("mechanism", res->mechanism, 0);
		json_str("reason", res->reason, 0);
		json_str("problem", res->problem, 0);
		printf("%s\"dns_lookups\": %d,%s", ind, res->dns_lookups, nl);
		printf("%s\"void_lookups\": %d,%s", ind, res->void_lookups, nl);
		json_str("helo_result", auth_code_name(hres->code), 0);
		json_str("authentication_results", ar, 0);
		json_str("received_spf", hdr, 1);
		printf("%s}\n", *nl == '\n' ? nl : "");
	} else {
		unfold(hdr);
		printf("%s\n%s\n", auth_code_name(res->code), hdr);
	}
	free(hdr);
	return 0;
}

/* --batch: lines "IP<TAB>HELO<TAB>MAIL-FROM" on stdin, one JSON line each
 * (the conformance runner and the benchmark use it). */
static int run_batch(struct spf *s, const struct conf *c, const char *receiver,
		     long repeat)
{
	char line[2048];
	json_sep = " ";
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		char *ip = line, *helo = strchr(ip, '\t'), *mf = NULL;
		if (helo) {
			*helo++ = 0;
			mf = strchr(helo, '\t');
			if (mf)
				*mf++ = 0;
		}
		if (!helo || !mf) {
			printf("{\"error\": \"want IP<TAB>HELO<TAB>MAIL-FROM\"}\n");
			continue;
		}
		struct spf_request req = { ip, helo, mf, receiver };
		struct spf_result res, hres;
		spf_verify(s, &req, &res, &hres);
		repeat_verify(s, &req, repeat, &res, &hres);
		if (print_result(&res, &hres, &req, c, 1))
			return EX_OSERR;
	}
	return 0;
}

int cmd_spf(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "receiver", required_argument, NULL, 'r' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "json", no_argument, NULL, 'j' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "batch", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ip = NULL, *helo = NULL, *mf = NULL, *zone = NULL;
	const char *file = NULL, *receiver = NULL;
	int json = 0, batch = 0, ch;
	long repeat = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': ip = optarg; break;
		case 'H': helo = optarg; break;
		case 'f': mf = optarg; break;
		case 'r': receiver = optarg; break;
		case 'z': zone = optarg; break;
		case 'c': file = optarg; break;
		case 'j': json = 1; break;
		case 'R': repeat = strtol(optarg, NULL, 10); break;
		case 'B': batch = 1; break;
		case 'h': usage(); return 0;
		default: usage(); return EX_USAGE;
		}
	}
	if ((!batch && (!ip || !helo || !mf)) || optind != argc) {
		usage();
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	const char *err = NULL;
	struct dns *d = dns_new(c, zone, &err);
	if (!d) {
		fprintf(stderr, "authdeliver: dns: %s\n", err ? err : "failed");
		return EX_CONFIG;
	}
	struct spf *s = spf_new(c, d);
	if (!s) {
		dns_free(d);
		fprintf(stderr, "authdeliver: out of memory\n");
		return EX_OSERR;
	}
	if (batch) {
		int rc = run_batch(s, c, receiver ? receiver : c->hostname, repeat);
		spf_free(s);
		dns_free(d);
		return rc;
	}
	struct spf_request req = { ip, helo, mf, receiver ? receiver : c->hostname };
	struct spf_result res, hres;
	spf_verify(s, &req, &res, &hres);
	if (!strcmp(res.reason, "invalid client IP")) {
		fprintf(stderr, "authdeliver: spf: invalid --ip \"%s\"\n", ip);
		spf_free(s);
		dns_free(d);
		return EX_USAGE;
	}
	repeat_verify(s, &req, repeat, &res, &hres);
	int rc = print_result(&res, &hres, &req, c, json);
	spf_free(s);
	dns_free(d);
	return rc;
}
