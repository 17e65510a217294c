/* lmtp.c - LMTP server session (RFC 2033, with RFC 5321, 1869, 1870, 2920,
 * 3463, 6152 and Postfix XFORWARD).
 *
 * Takes a connected socket; returns when the session ends.  Commands are
 * dispatched from a table (one row, one function, as Postfix smtpd.c).
 * Replies are buffered and flushed before we block on input, so pipelined
 * clients (RFC 2920) get their replies in batches.  Never replies 250 to a
 * recipient before deliver_message() has the file fsync'd in new/.
 */
#include "lmtp.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "conf.h"
#include "deliver.h"
#include "log.h"
#include "metrics.h"
#include "mbox.h"
#include "msg.h"
#include "status.h"

#define IO_CHUNK 65536

struct io {
	int fd;
	char *in;
	size_t in_start, in_end, in_cap;
	char *out;
	size_t out_len, out_cap;
	bool eof, failed;
};

enum io_rc { IO_LINE = 1, IO_EOF = 0, IO_TIMEOUT = -1, IO_ERROR = -2, IO_STOP = -3 };

static int io_flush(struct io *io)
{
	size_t off = 0;
	while (off < io->out_len) {
		ssize_t n = write(io->fd, io->out + off, io->out_len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			io->failed = true;
			io->out_len = 0;
			return -1;
		}
		off += (size_t)n;
	}
	io->out_len = 0;
	return 0;
}

static void io_printf(struct io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void io_printf(struct io *io, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;	/* reply lines are bounded; truncate */
	line[n++] = '\r';
	line[n++] = '\n';
	if (io->out_len + (size_t)n > io->out_cap) {
		size_t cap = io->out_cap ? io->out_cap * 2 : 4096;
		while (cap < io->out_len + (size_t)n)
			cap *= 2;
		char *nb = realloc(io->out, cap);
		if (!nb) {
			io->failed = true;
			return;
		}
		io->out = nb;
		io->out_cap = cap;
	}
	memcpy(io->out + io->out_len, line, (size_t)n);
	io->out_len += (size_t)n;
	/* do not let a flood of pipelined commands grow our output buffer */
	if (io->out_len > 65536)
		io_flush(io);
}

/* Return the next line (including LF) or, when no LF arrives within the
 * buffer, a chunk of IO_CHUNK bytes (*partial = true).  Flushes pending
 * replies before it blocks (RFC 2920 section 3.2).  Waits at most
 * timeout_s; with stop set and interruptible, returns IO_STOP. */
static int io_getline(struct io *io, long timeout_s, volatile sig_atomic_t *stop,
		      bool interruptible, const char **line_r, size_t *len_r, bool *partial)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	for (;;) {
		char *s = io->in + io->in_start;
		size_t avail = io->in_end - io->in_start;
		char *nl = avail ? memchr(s, '\n', avail) : NULL;
		if (nl || avail >= IO_CHUNK || (io->eof && avail)) {
			size_t l = nl ? (size_t)(nl - s) + 1 : (avail >= IO_CHUNK ? IO_CHUNK : avail);
			*line_r = s;
			*len_r = l;
			*partial = !nl;
			io->in_start += l;
			return IO_LINE;
		}
		if (io->eof)
			return IO_EOF;
		if (io->out_len && io_flush(io) < 0)
			return IO_ERROR;
		if (interruptible && stop && *stop)
			return IO_STOP;
		/* compact and make room */
		if (io->in_start) {
			memmove(io->in, io->in + io->in_start, avail);
			io->in_end = avail;
			io->in_start = 0;
		}
		if (io->in_cap - io->in_end < IO_CHUNK) {
			size_t cap = io->in_cap ? io->in_cap * 2 : 2 * IO_CHUNK;
			char *nb = realloc(io->in, cap);
			if (!nb)
				return IO_ERROR;
			io->in = nb;
			io->in_cap = cap;
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (deadline.tv_sec - now.tv_sec) * 1000 + (deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return IO_TIMEOUT;
		struct pollfd pfd = { io->fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, ms > 1000 ? 1000 : (int)ms);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return IO_ERROR;
		}
		if (pr == 0)
			continue;
		ssize_t n = read(io->fd, io->in + io->in_end, io->in_cap - io->in_end - 1);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return IO_ERROR;
		}
		if (n == 0)
			io->eof = true;
		io->in_end += (size_t)n;
	}
}

/* ---- DATA decoding ---- */

static int data_append(struct lmtp_data *d, const char *p, size_t n)
{
	if (d->too_big || d->nomem)
		return 0;
	if (d->len + n > d->max_size) {
		d->too_big = true;	/* keep reading to stay in sync, store nothing */
		return 0;
	}
	if (d->len + n + 1 > d->cap) {
		size_t cap = d->cap ? d->cap : 65536;
		while (cap < d->len + n + 1)
			cap *= 2;
		char *nb = realloc(d->buf, cap);
		if (!nb) {
			d->nomem = true;
			return 0;
		}
		d->buf = nb;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	d->buf[d->len] = 0;
	return 0;
}

int lmtp_data_line(struct lmtp_data *d, const char *line, size_t len)
{
	bool complete = len && line[len - 1] == '\n';
	if (!d->in_line) {
		/* RFC 5321 section 4.1.1.4: only CRLF "." CRLF ends the data */
		if (len == 3 && !memcmp(line, ".\r\n", 3))
			return 1;
		/* section 4.5.2: remove the first "." of a line */
		if (len && line[0] == '.') {
			line++;
			len--;
		}
	}
	size_t body = len;
	if (complete) {
		body = len - 1;
		if (body && line[body - 1] == '\r')
			body--;
	}
	/* line length counts the whole line across chunks */
	d->cur_line = d->in_line ? d->cur_line + body : body;
	if (d->cur_line > d->max_line)
		d->line_too_long = true;
	data_append(d, line, body);
	if (complete)
		data_append(d, "\r\n", 2);	/* bare LF becomes CRLF */
	d->in_line = !complete;
	return 0;
}

/* ---- parsing helpers ---- */

int lmtp_parse_path(const char *arg, const char *prefix, char **addr_r, const char **params_r)
{
	size_t pl = strlen(prefix);
	if (strncasecmp(arg, prefix, pl))
		return -1;
	arg += pl;
	while (*arg == ' ')
		arg++;	/* tolerated, as Postfix does */
	if (*arg != '<')
		return -1;
	const char *s = arg + 1;
	/* skip a source route "@a,@b:" (RFC 5321 section 4.1.2, obsolete) */
	if (*s == '@') {
		const char *colon = strchr(s, ':');
		if (!colon)
			return -1;
		s = colon + 1;
	}
	const char *e = s;
	bool quoted = false;
	for (; *e; e++) {
		if (*e == '\\' && quoted && e[1]) {
			e++;
			continue;
		}
		if (*e == '"')
			quoted = !quoted;
		else if (*e == '>' && !quoted)
			break;
		else if ((unsigned char)*e < 0x20 || *e == 0x7f)
			return -1;
	}
	if (*e != '>' || e - s > 512)
		return -1;
	*addr_r = strndup(s, (size_t)(e - s));
	if (!*addr_r)
		return -1;
	e++;
	while (*e == ' ')
		e++;
	*params_r = e;
	return 0;
}

/* RFC 1891 xtext decoding of XFORWARD values, into dst (bounded). */
static void xtext_decode(const char *v, size_t vl, char *dst, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < vl && o + 1 < size; i++) {
		if (v[i] == '+' && i + 2 < vl && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			char hex[3] = { v[i + 1], v[i + 2], 0 };
			int ch = (int)strtol(hex, NULL, 16);
			dst[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
			i += 2;
		} else {
			dst[o++] = v[i];
		}
	}
	dst[o] = 0;
}

/* ---- the session ---- */

struct session {
	struct io io;
	const struct lmtp_peer *peer;
	struct deliver_ctx *ctx;
	volatile sig_atomic_t *stop;
	bool lhlo;
	bool quit;
	char *mail_from;		/* NULL: no MAIL yet */
	struct deliver_rcpt *rcpt;
	size_t nrcpt, rcpt_cap;
	struct xforward xf;
	char id[32];
	unsigned ntx;
	struct timespec tx_start;
};

static void tx_reset(struct session *s)
{
	free(s->mail_from);
	s->mail_from = NULL;
	for (size_t i = 0; i < s->nrcpt; i++) {
		free(s->rcpt[i].address);
		mbox_clear(&s->rcpt[i].mb);
	}
	s->nrcpt = 0;
	memset(&s->xf, 0, sizeof(s->xf));
}

#define REPLY(s, ...) io_printf(&(s)->io, __VA_ARGS__)

static void cmd_lhlo(struct session *s, const char *arg)
{
	const struct conf *c = conf;
	if (!*arg) {
		REPLY(s, "501 5.5.4 Syntax: LHLO hostname");
		return;
	}
	tx_reset(s);
	s->lhlo = true;
	REPLY(s, "250-%s", c->hostname);
	REPLY(s, "250-PIPELINING");
	REPLY(s, "250-ENHANCEDSTATUSCODES");
	REPLY(s, "250-8BITMIME");
	if (s->peer->xforward_ok)
		REPLY(s, "250-XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE LOGIN");
	REPLY(s, "250 SIZE %ld", c->message_size_limit);
}

static void cmd_helo(struct session *s, const char *arg)
{
	/* RFC 2033 section 4.1: LMTP uses LHLO, not HELO/EHLO */
	REPLY(s, "500 5.5.1 This is LMTP: use LHLO");
}

static void cmd_xforward(struct session *s, const char *arg)
{
	if (!s->peer->xforward_ok) {
		REPLY(s, "550 5.7.0 XFORWARD not permitted from %s", s->peer->addr);
		return;
	}
	if (s->mail_from) {
		REPLY(s, "503 5.5.1 XFORWARD must come before MAIL");
		return;
	}
	struct xforward xf = s->xf;
	const char *p = arg;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *eq = strchr(p, '='), *end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		if (!eq || eq > end) {
			REPLY(s, "501 5.5.4 Syntax: XFORWARD attribute=value...");
			return;
		}
		size_t kl = (size_t)(eq - p), vl = (size_t)(end - eq - 1);
		const char *v = eq + 1;
		char *dst = NULL;
		size_t dsz = 0;
#define XF(name, field) \
	if (kl == sizeof(name) - 1 && !strncasecmp(p, name, kl)) { dst = xf.field; dsz = sizeof(xf.field); }
		XF("NAME", name) else XF("ADDR", addr) else XF("PORT", port) else XF("PROTO", proto)
		else XF("HELO", helo) else XF("IDENT", ident) else XF("SOURCE", source)
		else XF("LOGIN", login)
#undef XF
		if (!dst) {
			REPLY(s, "501 5.5.4 Bad XFORWARD attribute name");
			return;
		}
		xtext_decode(v, vl, dst, dsz);
		p = end;
	}
	xf.any = true;
	s->xf = xf;
	REPLY(s, "250 2.0.0 Ok");
}

static void cmd_mail(struct session *s, const char *arg)
{
	const struct conf *c = conf;
	if (!s->lhlo) {
		REPLY(s, "503 5.5.1 Send LHLO first");
		return;
	}
	if (s->mail_from) {
		REPLY(s, "503 5.5.1 Nested MAIL command");
		return;
	}
	char *addr;
	const char *params;
	if (lmtp_parse_path(arg, "FROM:", &addr, &params) < 0) {
		REPLY(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	/* ESMTP parameters: SIZE (RFC 1870), BODY (RFC 6152) */
	char *pdup = strdup(params), *save = NULL;
	if (!pdup) {
		free(addr);
		REPLY(s, "451 4.3.0 Out of memory");
		return;
	}
	for (char *t = strtok_r(pdup, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (!strncasecmp(t, "SIZE=", 5)) {
			char *end;
			errno = 0;
			unsigned long long sz = strtoull(t + 5, &end, 10);
			if (errno || *end || end == t + 5) {
				REPLY(s, "501 5.5.4 Bad SIZE parameter");
				goto bad;
			}
			if (sz > (unsigned long long)c->message_size_limit) {
				REPLY(s, "552 5.3.4 Message size exceeds fixed limit of %ld bytes",
				      c->message_size_limit);
				goto bad;
			}
		} else if (!strcasecmp(t, "BODY=7BIT") || !strcasecmp(t, "BODY=8BITMIME")) {
			/* accepted; we store bytes as received */
		} else {
			REPLY(s, "555 5.5.4 Unsupported MAIL parameter %.64s", t);
			goto bad;
		}
	}
	free(pdup);
	s->mail_from = addr;
	clock_gettime(CLOCK_REALTIME, &s->tx_start);
	REPLY(s, "250 2.1.0 Ok");
	return;
bad:
	free(pdup);
	free(addr);
}

static void cmd_rcpt(struct session *s, const char *arg)
{
	const struct conf *c = conf;
	if (!s->mail_from) {
		REPLY(s, "503 5.5.1 Need MAIL before RCPT");
		return;
	}
	if (s->nrcpt >= (size_t)c->lmtp_max_recipients) {
		REPLY(s, "452 4.5.3 Too many recipients");
		return;
	}
	char *addr;
	const char *params;
	if (lmtp_parse_path(arg, "TO:", &addr, &params) < 0 || !*addr) {
		if (addr)
			free(addr);
		REPLY(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	if (*params) {
		REPLY(s, "555 5.5.4 Unsupported RCPT parameter");
		free(addr);
		return;
	}
	if (s->nrcpt == s->rcpt_cap) {
		size_t cap = s->rcpt_cap ? s->rcpt_cap * 2 : 8;
		struct deliver_rcpt *nr = realloc(s->rcpt, cap * sizeof(*nr));
		if (!nr) {
			free(addr);
			REPLY(s, "451 4.3.0 Out of memory");
			return;
		}
		s->rcpt = nr;
		s->rcpt_cap = cap;
	}
	struct deliver_rcpt *r = &s->rcpt[s->nrcpt];
	memset(r, 0, sizeof(*r));
	const char *err = "";
	enum mbox_status ms = mbox_lookup(c, addr, &r->mb, &err);
	const char *qid = *s->xf.ident ? s->xf.ident : s->id;
	switch (ms) {
	case MBOX_OK:
		r->address = addr;
		r->st = ST_DELIVERED;	/* provisional, until DATA */
		s->nrcpt++;
		REPLY(s, "250 2.1.5 Ok");
		return;
	case MBOX_UNKNOWN:
		log_info("%s: to=<%s>, from=<%s>, result=bounced, status=550 5.1.1 %s",
			 qid, addr, s->mail_from, err);
		metrics_rcpt(ST_UNKNOWN_USER, "", NULL);
		REPLY(s, "550 5.1.1 <%s> User unknown", addr);
		break;
	case MBOX_TEMPFAIL:
		log_warn("%s: to=<%s>, from=<%s>, result=deferred, status=451 4.3.0 %s",
			 qid, addr, s->mail_from, err);
		metrics_rcpt(ST_LOOKUP_TEMPFAIL, "", NULL);
		REPLY(s, "451 4.3.0 <%s> Temporary lookup failure", addr);
		break;
	}
	free(addr);
}

static void cmd_data(struct session *s, const char *arg)
{
	const struct conf *c = conf;
	if (!s->mail_from) {
		REPLY(s, "503 5.5.1 Need MAIL command");
		return;
	}
	if (!s->nrcpt) {
		REPLY(s, "503 5.5.1 No valid recipients");
		return;
	}
	REPLY(s, "354 End data with <CR><LF>.<CR><LF>");
	struct lmtp_data d = { .max_size = (size_t)c->message_size_limit,
			       .max_line = (size_t)c->line_length_limit };
	for (;;) {
		const char *line;
		size_t len;
		bool partial;
		int rc = io_getline(&s->io, c->timeout_data, s->stop, false, &line, &len, &partial);
		if (rc == IO_TIMEOUT) {
			REPLY(s, "421 4.4.2 %s Timeout during DATA, closing", c->hostname);
			log_warn("%s: timeout after DATA from %s", s->id, s->peer->addr);
			s->quit = true;
			free(d.buf);
			return;
		}
		if (rc != IO_LINE) {
			log_warn("%s: lost connection after DATA from %s", s->id, s->peer->addr);
			s->quit = true;
			free(d.buf);
			return;
		}
		if (lmtp_data_line(&d, line, len))
			break;
	}
	enum status_kind fail = ST_DELIVERED;
	const char *why = NULL;
	if (d.too_big) {
		fail = ST_TOO_BIG;
		why = "Message size exceeds fixed limit";
	} else if (d.line_too_long) {
		fail = ST_TOO_BIG;
		why = "Message line too long";
	} else if (d.nomem) {
		fail = ST_INTERNAL;
		why = "Out of memory";
	}
	struct msg m;
	if (fail == ST_DELIVERED) {
		if (!d.buf) {	/* empty message */
			d.buf = calloc(1, 1);
			if (!d.buf) {
				fail = ST_INTERNAL;
				why = "Out of memory";
			}
		}
	}
	if (fail == ST_DELIVERED) {
		const char *err;
		if (msg_init(&m, d.buf, d.len, (size_t)c->header_count_limit, &err) < 0) {
			fail = !strcmp(err, "out of memory") ? ST_INTERNAL : ST_BAD_MESSAGE;
			why = err;
			msg_clear(&m);	/* frees d.buf */
		} else {
			struct deliver_env env = {
				.mail_from = s->mail_from,
				.xf = s->xf.any ? &s->xf : NULL,
				.nrcpt = s->nrcpt,
				.rcpt = s->rcpt,
				.start = s->tx_start,
				.session = s->id,
			};
			deliver_message(s->ctx, &m, &env, false);
			msg_clear(&m);
		}
	} else {
		free(d.buf);
	}
	/* RFC 2033 section 4.2: one reply per accepted recipient, in order */
	for (size_t i = 0; i < s->nrcpt; i++) {
		struct deliver_rcpt *r = &s->rcpt[i];
		if (fail != ST_DELIVERED) {
			r->st = fail;
			snprintf(r->text, sizeof(r->text), "%s", why);
			log_info("%s: to=<%s>, from=<%s>, result=%s, status=%d %s %s",
				 *s->xf.ident ? s->xf.ident : s->id, r->address, s->mail_from,
				 status_of(fail)->word, status_of(fail)->code, status_of(fail)->enh, why);
			metrics_rcpt(fail, "", NULL);
		}
		const struct status *st = status_of(r->st);
		REPLY(s, "%d %s <%s> %s", st->code, st->enh, r->address, r->text);
	}
	io_flush(&s->io);		/* the replies first: the report store waits */
	deliver_ctx_flush(s->ctx);
	s->ntx++;
	snprintf(s->id + strcspn(s->id, "."), sizeof(s->id) - strcspn(s->id, "."), ".%u", s->ntx);
	tx_reset(s);
}

static void cmd_rset(struct session *s, const char *arg)
{
	tx_reset(s);
	REPLY(s, "250 2.0.0 Ok");
}

static void cmd_noop(struct session *s, const char *arg)
{
	REPLY(s, "250 2.0.0 Ok");
}

static void cmd_quit(struct session *s, const char *arg)
{
	REPLY(s, "221 2.0.0 Bye");
	s->quit = true;
}

static void cmd_vrfy(struct session *s, const char *arg)
{
	/* RFC 5321 section 3.5.3: 252 when we do not verify */
	REPLY(s, "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
}

static void cmd_help(struct session *s, const char *arg)
{
	REPLY(s, "214 2.0.0 Commands: LHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP XFORWARD");
}

static const struct command {
	const char *name;
	void (*fn)(struct session *, const char *arg);
} commands[] = {
	{ "LHLO", cmd_lhlo },
	{ "HELO", cmd_helo },
	{ "EHLO", cmd_helo },
	{ "XFORWARD", cmd_xforward },
	{ "MAIL", cmd_mail },
	{ "RCPT", cmd_rcpt },
	{ "DATA", cmd_data },
	{ "RSET", cmd_rset },
	{ "NOOP", cmd_noop },
	{ "QUIT", cmd_quit },
	{ "VRFY", cmd_vrfy },
	{ "HELP", cmd_help },
};

void lmtp_session(int fd, const struct lmtp_peer *peer, struct deliver_ctx *ctx,
		  volatile sig_atomic_t *stop)
{
	const struct conf *c = conf;
	struct session s = { .io = { .fd = fd }, .peer = peer, .ctx = ctx, .stop = stop };
	/* unique per session: time, pid, and the process's session count
	 * (a session process serves several connections, see server.c) */
	static unsigned nsessions;
	snprintf(s.id, sizeof(s.id), "L%lx%04lx%x", (long)time(NULL), (long)getpid() & 0xffff,
		 nsessions++ & 0xfffff);
	REPLY(&s, "220 %s LMTP authdeliver ready", c->hostname);
	bool too_long = false;
	char *cmd = NULL;
	size_t cmd_len = 0;
	while (!s.quit && !s.io.failed) {
		const char *line;
		size_t len;
		bool partial;
		int rc = io_getline(&s.io, c->timeout_idle, stop, true, &line, &len, &partial);
		if (rc == IO_STOP) {
			REPLY(&s, "421 4.3.2 %s Service shutting down, closing", c->hostname);
			break;
		}
		if (rc == IO_TIMEOUT) {
			REPLY(&s, "421 4.4.2 %s Timeout, closing", c->hostname);
			log_info("%s: idle timeout from %s", s.id, peer->addr);
			break;
		}
		if (rc != IO_LINE)
			break;
		if (partial || too_long || len > (size_t)c->command_length_limit) {
			/* discard up to the end of the line, then complain once */
			too_long = partial;
			if (!partial)
				REPLY(&s, "500 5.5.2 Line too long");
			continue;
		}
		free(cmd);
		cmd = strndup(line, len);
		if (!cmd)
			break;
		cmd_len = strcspn(cmd, "\r\n");
		cmd[cmd_len] = 0;
		char *sp = strchr(cmd, ' ');
		size_t nl = sp ? (size_t)(sp - cmd) : cmd_len;
		const char *arg = sp ? sp + 1 : "";
		const struct command *found = NULL;
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strlen(commands[i].name) == nl && !strncasecmp(cmd, commands[i].name, nl))
				found = &commands[i];
		if (!found) {
			REPLY(&s, "500 5.5.2 Command unrecognized");
			continue;
		}
		found->fn(&s, arg);
		if (stop && *stop && !s.mail_from && !s.quit) {
			/* SIGTERM: the transaction is done; end the session */
			REPLY(&s, "421 4.3.2 %s Service shutting down, closing", c->hostname);
			break;
		}
	}
	io_flush(&s.io);
	free(cmd);
	tx_reset(&s);
	free(s.rcpt);
	free(s.io.in);
	free(s.io.out);
}
