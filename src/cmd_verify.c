/* cmd_verify.c - `authdeliver verify`: run the verifiers on one message
 * offline and print the Authentication-Results it would stamp.
 *
 *   authdeliver verify [-c FILE] [--dns-zone FILE] [--now EPOCH]
 *       [--ip IP --helo NAME --mail-from ADDR] [--json] [FILE|-]
 *
 * Takes a message (LF or CRLF line ends; turned into CRLF wire form as the
 * pipe intake does); returns the results as a readable
 * Authentication-Results header with reasons, or as JSON.  Never modifies
 * or delivers the message.  Exit: 0 when the message was checked
 * (whatever the results), EX_USAGE, EX_NOINPUT, EX_DATAERR, EX_CONFIG.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "arc.h"
#include "auth.h"
#include "cmd.h"
#include "conf.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"

/* Read all of fp, at most limit bytes; NULL and *too_big when over. */
static char *read_all(FILE *fp, size_t limit, size_t *len_r, int *too_big)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	*too_big = 0;
	if (!b)
		return NULL;
	for (;;) {
		if (n == cap) {
			if (cap > limit) {
				*too_big = 1;
				free(b);
				return NULL;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return NULL;
			}
			b = nb;
			cap *= 2;
		}
		size_t r = fread(b + n, 1, cap - n, fp);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(fp) || n > limit) {
		*too_big = n > limit;
		free(b);
		return NULL;
	}
	*len_r = n;
	return b;
}

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void usage(void)
{
	fprintf(stderr, "usage: authdeliver verify [-c FILE] [--dns-zone FILE] [--now EPOCH]\n"
		"         [--ip IP --helo NAME --mail-from ADDR] [--json] [FILE|-]\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "now", required_argument, NULL, 'n' },
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfile = NULL, *zone = NULL, *ip = NULL, *helo = NULL,
		   *mail_from = NULL;
	time_t now = time(NULL);
	int json = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cfile = optarg; break;
		case 'z': zone = optarg; break;
		case 'n': {
			char *e;
			errno = 0;
			long long v = strtoll(optarg, &e, 10);
			if (errno || *e || v < 0) {
				fprintf(stderr, "authdeliver verify: bad --now: %s\n", optarg);
				return EX_USAGE;
			}
			now = (time_t)v;
			break;
		}
		case 'i': ip = optarg; break;
		case 'H': helo = optarg; break;
		case 'f': mail_from = optarg; break;
		case 'j': json = 1; break;
		default:
			usage();
			return ch == 'h' ? 0 : EX_USAGE;
		}
	}
	if (argc - optind > 1) {
		usage();
		return EX_USAGE;
	}
	/* SPF/DMARC (verdict helper) will use these; accepted already so the
	 * command line is stable. */
	(void)helo;
	(void)mail_from;
	const struct conf *c = cmd_load_conf(cfile);
	const char *path = optind < argc ? argv[optind] : "-";
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!fp) {
		fprintf(stderr, "authdeliver verify: %s: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	size_t rawlen = 0, len = 0;
	int too_big;
	char *raw = read_all(fp, (size_t)c->message_size_limit, &rawlen, &too_big);
	if (fp != stdin)
		fclose(fp);
	if (!raw) {
		fprintf(stderr, "authdeliver verify: %s: %s\n", path,
			too_big ? "message larger than message_size_limit" : "read error");
		return EX_DATAERR;
	}
	char *data = msg_lf_to_crlf(raw, rawlen, &len);
	free(raw);
	if (!data) {
		fprintf(stderr, "authdeliver verify: out of memory\n");
		return EX_DATAERR;
	}
	struct msg m;
	const char *err;
	if (msg_init(&m, data, len, (size_t)c->header_count_limit, &err) < 0) {
		fprintf(stderr, "authdeliver verify: %s: %s\n", path, err);
		msg_clear(&m);
		return EX_DATAERR;
	}
	struct dns *d = dns_new(c, zone, &err);
	if (!d) {
		fprintf(stderr, "authdeliver verify: DNS: %s\n", err);
		msg_clear(&m);
		return EX_CONFIG;
	}
	dns_set_deadline(d, c->verdict_timeout);
	dkim_prefetch(d, &m, c);
	arc_prefetch(d, &m, c);

	struct dkim_result dr;
	dkim_verify(c, d, &m, now, &dr);

	struct arc_result ar;
	arc_verify(c, d, &m, now, &ar);

	char line[1024];
	if (json) {
		printf("{\"dkim\": [");
		for (size_t k = 0; k < dr.n; k++) {
			const struct dkim_sig_result *r = &dr.sigs[k];
			printf("%s\n  {\"result\": ", k ? "," : "");
			json_str(stdout, auth_code_name(r->code));
			printf(", \"d\": ");
			json_str(stdout, r->d);
			printf(", \"s\": ");
			json_str(stdout, r->s);
			printf(", \"i\": ");
			json_str(stdout, r->i);
			printf(", \"a\": ");
			json_str(stdout, r->a);
			printf(", \"b\": ");
			json_str(stdout, r->b);
			printf(", \"bits\": %d, \"secure\": %s, \"testing\": %s, \"l\": %ld, \"reason\": ",
			       r->bits, r->secure ? "true" : "false",
			       r->testing ? "true" : "false", r->l);
			json_str(stdout, r->reason);
			printf("}");
		}
		printf("%s]", dr.n ? "\n" : "");
		printf(",\n \"arc\": {\"result\": ");
		json_str(stdout, auth_code_name(ar.code));
		printf(", \"instances\": %d, \"oldest_pass\": %d, \"reason\": ",
		       ar.instances, ar.oldest_pass);
		json_str(stdout, ar.reason);
		printf(", \"sets\": [");
		for (size_t k = 0; k < ar.nsets; k++) {
			printf("%s{\"i\": %d, \"sealer\": ", k ? ", " : "", ar.sets[k].i);
			json_str(stdout, ar.sets[k].sealer);
			printf(", \"ams_pass\": %s}", ar.sets[k].ams_pass ? "true" : "false");
		}
		printf("]}");
		printf("}\n");
	} else {
		const char *id = c->authserv_id && *c->authserv_id ? c->authserv_id :
				 c->hostname && *c->hostname ? c->hostname : NULL;
		char host[256];
		if (!id) {
			if (gethostname(host, sizeof(host)) < 0)
				snprintf(host, sizeof(host), "localhost");
			host[sizeof(host) - 1] = 0;
			id = host;
		}
		printf("Authentication-Results: %s", id);
		if (dr.n == 0)
			printf(";\n\tdkim=none (no signature)");
		for (size_t k = 0; k < dr.n; k++)
			if (dkim_ar(&dr.sigs[k], line, sizeof(line)) >= 0)
				printf(";\n\t%s", line);
		if (arc_ar(&ar, ip, line, sizeof(line)) == 0)
			printf(";\n\t%s", line);
		printf("\n");
	}
	dkim_result_clear(&dr);
	arc_result_clear(&ar);
	dns_free(d);
	msg_clear(&m);
	return 0;
}
