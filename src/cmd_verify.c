/* cmd_verify.c - `authdeliver verify`: run the verdict (SPF, DKIM, ARC,
 * DMARC; verdict.h) on one message offline and print exactly the header
 * fields delivery would prepend.
 *
 *   authdeliver verify [-c FILE] [--dns-zone FILE] [--now EPOCH]
 *       [--ip IP --helo NAME --mail-from ADDR] [--json] [FILE|-]
 *
 * Takes a message (LF or CRLF line ends; turned into CRLF wire form as the
 * pipe intake does); returns the Authentication-Results and Received-SPF
 * fields that delivery would prepend (byte for byte, CRLF), or JSON with
 * "spf", "dkim", "arc", "dmarc", "folder".  The client comes from --ip/
 * --helo/--mail-from when given, else from the message's Received fields
 * as client_find() reads them (trusted_mtas).  Never modifies
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

#include <gmime/gmime.h>

#include "client.h"
#include "cmd.h"
#include "conf.h"
#include "dns.h"
#include "msg.h"
#include "verdict.h"

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
	struct client cl;
	if (ip || helo) {
		/* the operator states what the MTA saw */
		memset(&cl, 0, sizeof cl);
		cl.source = CLIENT_XFORWARD;
		snprintf(cl.ip, sizeof cl.ip, "%s", ip ? ip : "");
		snprintf(cl.helo, sizeof cl.helo, "%s", helo ? helo : "");
		snprintf(cl.mail_from, sizeof cl.mail_from, "%s", mail_from ? mail_from : "");
		snprintf(cl.reason, sizeof cl.reason, "command line");
	} else {
		client_find(&cl, c, &m, NULL, mail_from ? mail_from : "");
	}
	g_mime_init();
	struct verdict *v = verdict_new();
	if (!v) {
		fprintf(stderr, "authdeliver verify: out of memory\n");
		dns_free(d);
		msg_clear(&m);
		return EX_SOFTWARE;
	}
	verdict_run(v, c, d, &m, &cl, now);
	if (json) {
		char *j = verdict_json(v);
		printf("%s\n", j ? j : "{}");
		free(j);
	} else {
		fputs(verdict_prepend(v), stdout);
	}
	verdict_free(v);
	dns_free(d);
	msg_clear(&m);
	return 0;
}
