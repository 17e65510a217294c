/* pipe.c - `authdeliver deliver`: one message on stdin, same pipeline as
 * LMTP, outcome as a sysexits.h code (Postfix pipe(8), Exim pipe transport).
 *
 * Several recipients are all-or-nothing, so that a retry after exit 75 can
 * never deliver twice: every mailbox must resolve, every copy is staged in
 * tmp/, and only then are they all moved into new/.  Any unknown recipient
 * is exit 67 for the whole invocation (configure the MTA to pass one
 * recipient per invocation to get per-recipient bounces).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "deliver.h"
#include "log.h"
#include "mbox.h"
#include "msg.h"
#include "status.h"

/* Read all of stdin, up to limit bytes; -1 when larger (*too_big). */
static char *read_all(FILE *fp, size_t limit, size_t *len_r, bool *too_big)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (len > limit) {
			*too_big = true;
			free(buf);
			return NULL;
		}
		if (n == 0) {
			if (ferror(fp)) {
				free(buf);
				return NULL;
			}
			break;
		}
	}
	buf[len] = 0;
	*len_r = len;
	return buf;
}

static int worst_exit(struct deliver_rcpt *r, size_t n)
{
	/* tempfail wins (the MTA retries everything), then bounce */
	int code = EX_OK;
	for (size_t i = 0; i < n; i++) {
		int e = status_of(r[i].st)->exit_code;
		if (e == EX_TEMPFAIL)
			return EX_TEMPFAIL;
		if (e != EX_OK)
			code = e;
	}
	return code;
}

int cmd_deliver(int argc, char **argv)
{
	const char *file = NULL, *sender = NULL, *dns_zone = NULL;
	char **rcpts = calloc((size_t)argc + 1, sizeof(char *));
	size_t nr = 0;
	static const struct option opts[] = {
		{ "dns-zone", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc = EX_OK;
	if (!rcpts)
		return EX_TEMPFAIL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:f:a:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'f': sender = optarg; break;
		case 'a': rcpts[nr++] = optarg; break;
		case 'z': dns_zone = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver deliver [-c FILE] -f SENDER -a RECIPIENT...\n");
			free(rcpts);
			return EX_USAGE;
		}
	}
	/* Exim's pipe transport sets the envelope in the environment, and
	 * Exim 4.96 will not expand tainted $local_part into arguments. */
	if (!sender)
		sender = getenv("SENDER");
	if (!nr && getenv("RECIPIENT") && *getenv("RECIPIENT"))
		rcpts[nr++] = getenv("RECIPIENT");
	if (!nr && getenv("LOCAL_PART") && getenv("DOMAIN")) {
		static char both[1024];
		snprintf(both, sizeof(both), "%s@%s", getenv("LOCAL_PART"), getenv("DOMAIN"));
		rcpts[nr++] = both;
	}
	if (!sender || !nr || optind != argc) {
		fprintf(stderr, "usage: authdeliver deliver [-c FILE] -f SENDER -a RECIPIENT...\n");
		free(rcpts);
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	struct timespec start;
	clock_gettime(CLOCK_REALTIME, &start);
	/* strip <> around the sender as MTAs may pass "<>" */
	char *from = strdup(sender[0] == '<' ? sender + 1 : sender);
	if (!from) {
		free(rcpts);
		return EX_TEMPFAIL;
	}
	size_t fl = strlen(from);
	if (fl && from[fl - 1] == '>')
		from[fl - 1] = 0;

	struct deliver_rcpt *r = calloc(nr, sizeof(*r));
	if (!r) {
		free(from);
		free(rcpts);
		return EX_TEMPFAIL;
	}
	/* resolve every mailbox before reading or writing anything */
	for (size_t i = 0; i < nr; i++) {
		const char *err = "";
		r[i].address = strdup(rcpts[i]);
		enum mbox_status ms = r[i].address ? mbox_lookup(c, rcpts[i], &r[i].mb, &err) : MBOX_TEMPFAIL;
		if (ms == MBOX_OK) {
			r[i].st = ST_DELIVERED;
			continue;
		}
		r[i].st = ms == MBOX_UNKNOWN ? ST_UNKNOWN_USER : ST_LOOKUP_TEMPFAIL;
		snprintf(r[i].text, sizeof(r[i].text), "%s", err);
		log_info("pipe: to=<%s>, from=<%s>, result=%s, status=%d %s %s", rcpts[i], from,
			 status_of(r[i].st)->word, status_of(r[i].st)->code, status_of(r[i].st)->enh, err);
	}
	rc = worst_exit(r, nr);
	if (rc != EX_OK) {
		fprintf(stderr, "authdeliver: %s\n", rc == EX_NOUSER ? "unknown user" : "temporary lookup failure");
		goto out;
	}

	bool too_big = false;
	size_t len;
	char *raw = read_all(stdin, (size_t)c->message_size_limit, &len, &too_big);
	if (!raw) {
		rc = too_big ? EX_DATAERR : EX_TEMPFAIL;
		fprintf(stderr, "authdeliver: %s\n", too_big ? "message too large" : "cannot read the message");
		log_info("pipe: from=<%s>, result=%s, %s", from, too_big ? "bounced" : "deferred",
			 too_big ? "552 5.3.4 message too large" : "cannot read stdin");
		goto out;
	}
	/* Postfix pipe(8) with flag F, or procmail-style callers, may put an
	 * mbox "From " line first: it is not part of the message. */
	size_t skip = 0;
	if (len >= 5 && !memcmp(raw, "From ", 5)) {
		char *nl = memchr(raw, '\n', len);
		skip = nl ? (size_t)(nl - raw) + 1 : len;
	}
	size_t wl;
	char *wire = msg_lf_to_crlf(raw + skip, len - skip, &wl);
	free(raw);
	if (!wire) {
		rc = EX_TEMPFAIL;
		goto out;
	}
	struct msg m;
	const char *err;
	if (msg_init(&m, wire, wl, (size_t)c->header_count_limit, &err) < 0) {
		msg_clear(&m);
		fprintf(stderr, "authdeliver: %s\n", err);
		rc = EX_DATAERR;
		goto out;
	}
	struct deliver_env env = {
		.mail_from = from, .xf = NULL, .nrcpt = nr, .rcpt = r,
		.start = start, .session = "pipe",
	};
	struct deliver_ctx ctx = { .dns_zone = dns_zone };
	deliver_message(&ctx, &m, &env, true);
	deliver_ctx_clear(&ctx);
	msg_clear(&m);
	rc = worst_exit(r, nr);
	for (size_t i = 0; i < nr; i++)
		if (r[i].st != ST_DELIVERED && r[i].st != ST_DISCARDED)
			fprintf(stderr, "authdeliver: <%s>: %d %s %s\n", r[i].address,
				status_of(r[i].st)->code, status_of(r[i].st)->enh, r[i].text);
out:
	for (size_t i = 0; i < nr; i++) {
		free(r[i].address);
		mbox_clear(&r[i].mb);
	}
	free(r);
	free(from);
	free(rcpts);
	return rc;
}
