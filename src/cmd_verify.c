/* cmd_verify.c - `authdeliver verify`: run the verdict (SPF, DKIM, ARC,
 * DMARC; verdict.h) on one message offline and print exactly the header
 * fields delivery would prepend.
 *
 *   authdeliver verify [-c FILE] [--dns-zone FILE] [--now EPOCH]
 *       [--ip IP --helo NAME --mail-from ADDR] [--json] [FILE|-]
 *
 * Takes a message (LF or CRLF line ends; turned into CRLF wire form as the
 * pipe intake does); returns the Authentication-Results and Received-SPF
 * fields that delivery would prepend (byte for byte, CRLF), then one plain
 * sentence saying where the message goes and why ("Would be filed into
 * Junk: DMARC fail for example.com, p=reject; ..."), or JSON with "spf",
 * "dkim", "arc", "dmarc", "folder" and that sentence as "summary".  The client comes from --ip/
 * --helo/--mail-from when given, else from the message's Received fields
 * as client_find() reads them (trusted_mtas).  Never modifies
 * or delivers the message.  Exit: 0 when the message was checked
 * (whatever the results), EX_USAGE, EX_NOINPUT, EX_DATAERR, EX_CONFIG.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <gmime/gmime.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "client.h"
#include "cmd.h"
#include "conf.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "msg.h"
#include "spf.h"
#include "verdict.h"

struct out {
	char *p;
	size_t size, n;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	if (o->n >= o->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(o->p + o->n, o->size - o->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->n = o->n + (size_t)r < o->size ? o->n + (size_t)r : o->size - 1;
}

/* One sentence: where the message goes (before the recipient's own Sieve
 * script; the verdict's folder is what sieve/default.sieve files by) and
 * the facts that decided it, DMARC first, then SPF and DKIM as DMARC saw
 * them (aligned or not). */
static void summary(const struct verdict *v, const struct conf *c, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	buf[0] = 0;
	const struct spf_result *spf = verdict_spf(v);
	const struct dkim_result *dk = verdict_dkim(v);
	const struct dmarc_result *dm = verdict_dmarc(v);
	const char *folder = verdict_folder(v);
	switch (verdict_action(v)) {
	case VERDICT_TEMPFAIL:
		say(&o, "Would be deferred (4.4.3, tried again later): the checks did not finish "
			"within verdict_timeout");
		break;
	case VERDICT_REJECT:
		say(&o, "Would be rejected (550 5.7.1, dmarc_reject_action = reject)");
		break;
	case VERDICT_DISCARD:
		say(&o, "Would be accepted and discarded (dmarc_reject_action = discard)");
		break;
	default:
		if (!strcmp(folder, "INBOX"))
			say(&o, "Would be delivered to INBOX");
		else
			say(&o, "Would be filed into %s", folder);
	}
	if (!spf || !dk) {
		say(&o, ": not checked (%s).", c->verify ? "no DNS" : "verify = no");
		return;
	}
	/* DMARC */
	const char *from = *dm->from_domain ? dm->from_domain : "the From domain";
	switch (dm->code) {
	case AUTH_PASS:
		say(&o, ": DMARC pass for %s", from);
		break;
	case AUTH_FAIL:
		say(&o, ": DMARC fail for %s", from);
		if (dm->policy)
			say(&o, ", %s=%s%s", *dm->policy_tag ? dm->policy_tag : "p",
			    dmarc_policy_name(dm->policy), dm->testing ? " (t=y: one step milder)" : "");
		if (!strcmp(dm->override, "arc"))
			say(&o, ", rescued by a %s", dm->override_detail);
		else if (!strcmp(dm->override, "exempt"))
			say(&o, ", not enforced: %s", dm->override_detail);
		break;
	case AUTH_NONE:
		if (*dm->domain || !*dm->from_domain)
			say(&o, ": no DMARC result (%s)", dm->reason);
		else
			say(&o, ": no DMARC policy for %s", from);
		break;
	default:
		say(&o, ": DMARC %s for %s (%s)", auth_code_name(dm->code), from, dm->reason);
	}
	/* SPF */
	bool dmarc_known = dm->code == AUTH_PASS || dm->code == AUTH_FAIL;
	if (spf->code == AUTH_PASS && dmarc_known && !dm->spf_aligned)
		say(&o, "; SPF passed for another domain (%s)", spf->domain);
	else if (spf->code == AUTH_PASS)
		say(&o, "; SPF passed for %s%s", spf->domain, dmarc_known ? " (aligned)" : "");
	else if (spf->code == AUTH_NONE && !*spf->mechanism && *spf->reason &&
		 strstr(spf->reason, "no SPF record") == NULL)
		say(&o, "; no SPF result (%s)", spf->reason);
	else
		say(&o, "; SPF %s for %s", auth_code_name(spf->code), *spf->domain ? spf->domain : "?");
	/* DKIM */
	const struct dkim_sig_result *other = NULL, *failed = NULL;
	for (size_t i = 0; i < dk->n; i++) {
		if (dk->sigs[i].code == AUTH_PASS) {
			if (!other)
				other = &dk->sigs[i];
		} else if (!failed)
			failed = &dk->sigs[i];
	}
	if (dmarc_known && dm->dkim_aligned)
		say(&o, "; aligned DKIM signature");
	else if (!dk->n)
		say(&o, "; no DKIM signature");
	else if (other && dmarc_known)
		say(&o, "; DKIM passed for another domain (%s), no aligned DKIM signature", other->d);
	else if (other)
		say(&o, "; DKIM passed for %s", other->d);
	else if (failed)
		say(&o, "; DKIM %s for %s (%s)%s", auth_code_name(failed->code), failed->d,
		    failed->reason, dmarc_known ? ", no aligned DKIM signature" : "");
	say(&o, ".");
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
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		fprintf(stderr, "authdeliver verify: %s: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	struct buf in;
	buf_init(&in, (size_t)c->message_size_limit);
	int rrc = read_full(fd, &in);
	int rerr = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (rrc < 0) {
		fprintf(stderr, "authdeliver verify: %s: %s\n", path,
			in.over ? "message larger than message_size_limit" : strerror(rerr));
		buf_clear(&in);
		return EX_DATAERR;
	}
	size_t len = 0;
	char *data = msg_lf_to_crlf(in.p ? in.p : "", in.len, &len);
	buf_clear(&in);
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
	char sentence[1024];
	summary(v, c, sentence, sizeof sentence);
	if (json) {
		char *j = verdict_json(v);
		size_t jl = j ? strlen(j) : 0;
		if (jl && j[jl - 1] == '}') {
			/* the verdict's object plus "summary" */
			char tail[2200];
			size_t n = dmarc_json_str(tail, sizeof tail, 0, sentence);
			printf("%.*s%s\"summary\":%.*s}\n", (int)(jl - 1), j, jl > 2 ? "," : "",
			       (int)n, tail);
		} else
			printf("{\"summary\":\"\"}\n");
		free(j);
	} else {
		fputs(verdict_prepend(v), stdout);
		printf("%s\n", sentence);
	}
	verdict_free(v);
	dns_free(d);
	msg_clear(&m);
	return 0;
}
