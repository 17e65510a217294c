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

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "deliver.h"
#include "log.h"
#include "recipient.h"
#include "msg.h"
#include "status.h"

/* Every recipient gets its one log line, also when the whole invocation
 * fails before delivery (log.h). */
static void log_all(struct deliver_rcpt *r, size_t n, const char *from,
		    long long start_ms, enum status_kind st, const char *why)
{
	double delay = (double)(mono_ms() - start_ms) / 1e3;
	for (size_t i = 0; i < n; i++) {
		if (st != ST_DELIVERED) {
			r[i].st = st;
			snprintf(r[i].text, sizeof(r[i].text), "%s", why);
		}
		log_rcpt(&(struct log_rcpt){
			.queue_id = "pipe", .to = r[i].address, .from = from,
			.size = LOG_NO_SIZE,
			.delay = delay,
			.st = r[i].st, .text = r[i].text });
	}
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
		case 'a':
			if (optarg)	/* always with "a:"; said for the analyzer */
				rcpts[nr++] = optarg;
			break;
		case 'z': dns_zone = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver deliver [-c FILE] -f SENDER -a RECIPIENT...\n");
			free(rcpts);
			return EX_USAGE;
		}
	}
	/* Exim's pipe transport sets the envelope in the environment, and
	 * Exim 4.96 will not expand tainted $local_part into arguments. */
	char *env_rcpt = getenv("RECIPIENT"), *env_lp = getenv("LOCAL_PART"),
	     *env_dom = getenv("DOMAIN");
	if (!sender)
		sender = getenv("SENDER");
	if (!nr && env_rcpt && *env_rcpt)
		rcpts[nr++] = env_rcpt;
	if (!nr && env_lp && env_dom) {
		static char both[1024];
		snprintf(both, sizeof(both), "%s@%s", env_lp, env_dom);
		rcpts[nr++] = both;
	}
	if (!sender || !nr || optind != argc) {
		fprintf(stderr, "usage: authdeliver deliver [-c FILE] -f SENDER -a RECIPIENT...\n");
		free(rcpts);
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	long long start = mono_ms();
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
		enum recipient_status ms = r[i].address ? recipient_lookup(c, rcpts[i], &r[i].mb, &err) : RECIPIENT_TEMPFAIL;
		if (ms == RECIPIENT_OK) {
			r[i].st = ST_DELIVERED;
			continue;
		}
		r[i].st = ms == RECIPIENT_UNKNOWN ? ST_UNKNOWN_USER : ST_LOOKUP_TEMPFAIL;
		snprintf(r[i].text, sizeof(r[i].text), "%s", err);
	}
	rc = worst_exit(r, nr);
	if (rc != EX_OK) {
		log_all(r, nr, from, start, ST_DELIVERED, NULL);
		fprintf(stderr, "authdeliver: %s\n", rc == EX_NOUSER ? "unknown user" : "temporary lookup failure");
		goto out;
	}

	/* stdin with read(2) to EOF, at most message_size_limit bytes */
	struct buf in;
	buf_init(&in, (size_t)c->message_size_limit);
	if (read_full(STDIN_FILENO, &in) < 0) {
		enum status_err se = in.over ? SE_TOO_BIG : in.nomem || errno == ENOMEM ? SE_NOMEM : SE_IO;
		const char *why = se == SE_TOO_BIG ? "message too large" :
				  se == SE_NOMEM ? "out of memory reading the message" :
				  "cannot read the message";
		buf_clear(&in);
		rc = status_of(status_from_err(se))->exit_code;
		fprintf(stderr, "authdeliver: %s\n", why);
		log_all(r, nr, from, start, status_from_err(se), why);
		goto out;
	}
	const char *raw = in.p ? in.p : "";
	size_t len = in.len;
	/* Postfix pipe(8) with flag F, or procmail-style callers, may put an
	 * mbox "From " line first: it is not part of the message. */
	size_t skip = 0;
	if (len >= 5 && !memcmp(raw, "From ", 5)) {
		const char *nl = memchr(raw, '\n', len);
		skip = nl ? (size_t)(nl - raw) + 1 : len;
	}
	size_t wl;
	char *wire = msg_lf_to_crlf(raw + skip, len - skip, &wl);
	buf_clear(&in);
	if (!wire) {
		rc = EX_TEMPFAIL;
		fprintf(stderr, "authdeliver: out of memory\n");
		log_all(r, nr, from, start, ST_INTERNAL, "out of memory");
		goto out;
	}
	struct msg m;
	const char *err;
	enum status_err se = msg_init(&m, wire, wl, (size_t)c->header_count_limit, &err);
	if (se != SE_OK) {
		/* out of memory defers (EX_TEMPFAIL); malformed bounces */
		msg_clear(&m);
		fprintf(stderr, "authdeliver: %s\n", err);
		rc = status_of(status_from_err(se))->exit_code;
		log_all(r, nr, from, start, status_from_err(se), err);
		goto out;
	}
	struct deliver_env env = {
		.mail_from = from, .xf = NULL, .nrcpt = nr, .rcpt = r,
		.start_ms = start, .session = "pipe",
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
		recipient_clear(&r[i].mb);
	}
	free(r);
	free(from);
	free(rcpts);
	return rc;
}
