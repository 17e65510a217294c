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
#include "lmtp_private.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "conf.h"
#include "deliver.h"
#include "log.h"
#include "recipient.h"
#include "msg.h"
#include "status.h"

/* Bytes read at once, and the longest piece of a line handed on before
 * its LF (longer lines go on in pieces).  The read buffer grows to twice
 * this and keeps it for the session: 16 KiB, not 64, because with 100
 * sessions the 128 KiB buffers were 12 MB of the server's memory; a
 * 200 KB message takes about 13 reads instead of 4. */
#define IO_CHUNK 16384

struct io {
	int fd;
	struct buf in;		/* unread bytes are in.p[in_start .. in.len) */
	size_t in_start;
	struct buf out;		/* replies not yet written */
	bool eof, failed;
	bool not_sock;		/* fd is no socket: poll, then read */
};

enum io_rc { IO_LINE = 1, IO_EOF = 0, IO_TIMEOUT = -1, IO_ERROR = -2, IO_STOP = -3 };

static int io_flush(struct io *io)
{
	/* a client that closed before reading its replies is EPIPE, never a
	 * SIGPIPE that kills the session process (found by fuzz_lmtp) */
	int rc = io->out.len ? send_full(io->fd, io->out.p, io->out.len) : 0;
	if (rc < 0)
		io->failed = true;
	buf_reset(&io->out);
	return rc;
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
	if (buf_add(&io->out, line, (size_t)n) < 0)
		io->failed = true;
	/* do not let a flood of pipelined commands grow our output buffer */
	if (io->out.len > 65536)
		io_flush(io);
}

/* Return the next line (including LF) or, when no LF arrives within the
 * buffer, a chunk of IO_CHUNK bytes (*partial = true).  Flushes pending
 * replies before it blocks (RFC 2920 section 3.2).  Waits at most
 * timeout_s; with stop set and interruptible, returns IO_STOP. */
static int io_getline(struct io *io, long timeout_s, volatile sig_atomic_t *stop,
		      bool interruptible, const char **line_r, size_t *len_r, bool *partial)
{
	/* the clock only when we wait: most calls find a line in the buffer */
	long long deadline = 0;
	for (;;) {
		/* in.p is NULL until the first read, len and in_start 0 then */
		char *s = io->in.p ? io->in.p + io->in_start : NULL;
		size_t avail = s ? io->in.len - io->in_start : 0;
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
		/* replies just sent: the client reads them before it sends
		 * more, so wait for it at once (below) */
		bool answered = io->out.len > 0;
		if (answered && io_flush(io) < 0)
			return IO_ERROR;
		if (interruptible && stop && *stop)
			return IO_STOP;
		/* compact and make room */
		if (s && io->in_start) {
			memmove(io->in.p, s, avail);
			io->in.len = avail;
			io->in_start = 0;
		}
		if (buf_reserve(&io->in, IO_CHUNK) < 0)
			return IO_ERROR;
		/* otherwise a pipelining client has usually sent more
		 * already: try it first, wait only when nothing is there (a
		 * poll before every read was one system call per read) */
		char *to = io->in.p + io->in.len;
		size_t room = io->in.cap - io->in.len - 1;
		ssize_t n = -1;
		if (!io->not_sock && !answered) {
			n = recv(io->fd, to, room, MSG_DONTWAIT);
			if (n < 0 && errno == ENOTSOCK)
				io->not_sock = true;
			else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
				if (errno == EINTR)
					continue;
				return IO_ERROR;
			}
		}
		if (n < 0) {
			long long now = mono_ms();
			if (!deadline)
				deadline = now + timeout_s * 1000LL;
			long long ms = deadline - now;
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
			n = read(io->fd, to, room);
			if (n < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				return IO_ERROR;
			}
		}
		if (n == 0)
			io->eof = true;
		io->in.len += (size_t)n;
		io->in.p[io->in.len] = 0;
	}
}

/* ---- DATA decoding ---- */

/* Past max_size the buffer refuses (too big): keep reading to stay in
 * sync, store nothing. */
static void data_append(struct lmtp_data *d, const char *p, size_t n)
{
	buf_add(&d->buf, p, n);
}

void lmtp_data_init(struct lmtp_data *d, size_t max_size, size_t max_line)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->buf, max_size);
	d->max_line = max_line;
}

enum status_err lmtp_data_status(const struct lmtp_data *d)
{
	if (d->buf.over || d->line_too_long)
		return SE_TOO_BIG;
	if (d->buf.nomem)
		return SE_NOMEM;
	return SE_OK;
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
	/* A chunk of a long line may end between its CR and its LF (the
	 * read stopped there): that CR was held back, and is either the
	 * line end (this chunk starts with the LF) or a bare CR byte. */
	bool held = d->held_cr;
	d->held_cr = false;
	size_t body = len;
	if (complete) {
		body = len - 1;
		if (body && line[body - 1] == '\r')
			body--;
		else if (!body && held)
			held = false;	/* CR | LF: one CRLF line end */
	} else if (len && line[len - 1] == '\r') {
		body--;
		d->held_cr = true;
	}
	if (held)
		body++;		/* count the bare CR in the line length */
	/* line length counts the whole line across chunks */
	d->cur_line = d->in_line ? d->cur_line + body : body;
	if (d->cur_line > d->max_line)
		d->line_too_long = true;
	if (held) {
		data_append(d, "\r", 1);
		body--;
	}
	data_append(d, line, body);
	if (complete)
		data_append(d, "\r\n", 2);	/* bare LF becomes CRLF */
	d->in_line = !complete;
	return 0;
}

/* ---- parsing helpers ---- */

enum status_err lmtp_parse_path(const char *arg, const char *prefix, char **addr_r,
				const char **params_r)
{
	/* every return path sets both out-parameters */
	*addr_r = NULL;
	*params_r = "";
	size_t pl = strlen(prefix);
	if (strncasecmp(arg, prefix, pl))
		return SE_MALFORMED;
	arg += pl;
	arg += scan_wsp(arg, strlen(arg), 0);	/* tolerated, as Postfix does */
	if (*arg != '<')
		return SE_MALFORMED;
	const char *s = arg + 1;
	/* skip a source route "@a,@b:" (RFC 5321 section 4.1.2, obsolete) */
	if (*s == '@') {
		const char *colon = strchr(s, ':');
		if (!colon)
			return SE_MALFORMED;
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
			return SE_MALFORMED;
	}
	if (*e != '>' || e - s > 512)
		return SE_MALFORMED;
	char *addr = strndup(s, (size_t)(e - s));
	if (!addr)
		return SE_NOMEM;
	e++;
	*addr_r = addr;
	*params_r = e + scan_wsp(e, strlen(e), 0);
	return SE_OK;
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
	lmtp_deliver_fn *deliver;	/* deliver_message, or a test's stub */
	volatile sig_atomic_t *stop;
	bool lhlo;
	bool quit;
	char *mail_from;		/* NULL: no MAIL yet */
	struct deliver_rcpt *rcpt;
	size_t nrcpt, rcpt_cap;
	struct xforward xf;
	char id[32];
	unsigned ntx;
	long long tx_start_ms;
};

static void tx_reset(struct session *s)
{
	free(s->mail_from);
	s->mail_from = NULL;
	for (size_t i = 0; i < s->nrcpt; i++) {
		free(s->rcpt[i].address);
		recipient_clear(&s->rcpt[i].mb);
	}
	s->nrcpt = 0;
	memset(&s->xf, 0, sizeof(s->xf));
}

#define REPLY(s, ...) io_printf(&(s)->io, __VA_ARGS__)

/* A command that failed with an intake error: the code from status.c
 * (out of memory 451 4.3.0); malformed arguments are 501 5.5.4 (RFC 5321
 * section 4.2.3, syntax error in parameters). */
static void reply_err(struct session *s, enum status_err se, const char *syntax)
{
	if (se == SE_MALFORMED && syntax) {
		REPLY(s, "501 5.5.4 %s", syntax);
		return;
	}
	const struct status *st = status_of(status_from_err(se));
	REPLY(s, "%d %s %s", st->code, st->enh,
	      se == SE_NOMEM ? "Out of memory" : status_err_text(se));
}

/* One log line for a recipient that never reached delivery (log.h). */
static void log_tx_rcpt(struct session *s, const char *qid, const char *to,
			enum status_kind st, const char *why)
{
	log_rcpt(&(struct log_rcpt){
		.queue_id = qid, .to = to, .from = s->mail_from, .size = LOG_NO_SIZE,
		.delay = (double)(mono_ms() - s->tx_start_ms) / 1e3, .st = st, .text = why });
}

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
	size_t alen = strlen(arg), i = 0;
	for (;;) {
		i = scan_wsp(p, alen, i);
		if (i >= alen)
			break;
		size_t kl = scan_token(p, alen, i, "="), wl = scan_token(p, alen, i, NULL);
		if (kl >= wl || p[i + kl] != '=') {
			REPLY(s, "501 5.5.4 Syntax: XFORWARD attribute=value...");
			return;
		}
		const char *k = p + i, *v = k + kl + 1;
		size_t vl = wl - kl - 1;
		char *dst = NULL;
		size_t dsz = 0;
#define XF(name, field) \
	if (kl == sizeof(name) - 1 && !strncasecmp(k, name, kl)) { dst = xf.field; dsz = sizeof(xf.field); }
		XF("NAME", name) else XF("ADDR", addr) else XF("PORT", port) else XF("PROTO", proto)
		else XF("HELO", helo) else XF("IDENT", ident) else XF("SOURCE", source)
		else XF("LOGIN", login)
#undef XF
		if (!dst) {
			REPLY(s, "501 5.5.4 Bad XFORWARD attribute name");
			return;
		}
		xtext_decode(v, vl, dst, dsz);
		i += wl;
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
	enum status_err se = lmtp_parse_path(arg, "FROM:", &addr, &params);
	if (se != SE_OK) {
		reply_err(s, se, "Syntax: MAIL FROM:<address>");
		return;
	}
	/* ESMTP parameters: SIZE (RFC 1870), BODY (RFC 6152) */
	char *pdup = strdup(params), *save = NULL;
	if (!pdup) {
		free(addr);
		reply_err(s, SE_NOMEM, NULL);
		return;
	}
	for (char *t = strtok_r(pdup, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
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
	s->tx_start_ms = mono_ms();
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
	enum status_err se = lmtp_parse_path(arg, "TO:", &addr, &params);
	if (se == SE_OK && !*addr)
		se = SE_MALFORMED;	/* RCPT TO:<> */
	if (se != SE_OK) {
		free(addr);
		reply_err(s, se, "Syntax: RCPT TO:<address>");
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
			reply_err(s, SE_NOMEM, NULL);
			return;
		}
		s->rcpt = nr;
		s->rcpt_cap = cap;
	}
	struct deliver_rcpt *r = &s->rcpt[s->nrcpt];
	memset(r, 0, sizeof(*r));
	const char *err = "";
	enum recipient_status ms = recipient_lookup(c, addr, &r->mb, &err);
	const char *qid = *s->xf.ident ? s->xf.ident : s->id;
	switch (ms) {
	case RECIPIENT_OK:
		r->address = addr;
		r->st = ST_DELIVERED;	/* provisional, until DATA */
		s->nrcpt++;
		REPLY(s, "250 2.1.5 Ok");
		return;
	case RECIPIENT_UNKNOWN:
		log_tx_rcpt(s, qid, addr, ST_UNKNOWN_USER, err);
		REPLY(s, "550 5.1.1 <%s> User unknown", addr);
		break;
	case RECIPIENT_TEMPFAIL:
		log_tx_rcpt(s, qid, addr, ST_LOOKUP_TEMPFAIL, err);
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
	struct lmtp_data d;
	lmtp_data_init(&d, (size_t)c->message_size_limit, (size_t)c->line_length_limit);
	for (;;) {
		const char *line;
		size_t len;
		bool partial;
		int rc = io_getline(&s->io, c->timeout_data, s->stop, false, &line, &len, &partial);
		if (rc == IO_TIMEOUT) {
			REPLY(s, "421 4.4.2 %s Timeout during DATA, closing", c->hostname);
			log_warn("%s: timeout after DATA from %s", s->id, s->peer->addr);
			s->quit = true;
			buf_clear(&d.buf);
			return;
		}
		if (rc != IO_LINE) {
			log_warn("%s: lost connection after DATA from %s", s->id, s->peer->addr);
			s->quit = true;
			buf_clear(&d.buf);
			return;
		}
		if (lmtp_data_line(&d, line, len))
			break;
	}
	enum status_err se = lmtp_data_status(&d);
	const char *why = se == SE_NOMEM ? "Out of memory" :
			  d.line_too_long ? "Message line too long" :
			  "Message size exceeds fixed limit";
	size_t len = 0;
	char *data = se == SE_OK ? buf_steal(&d.buf, &len) : NULL;	/* "" when empty */
	buf_clear(&d.buf);
	if (se == SE_OK && !data) {
		se = SE_NOMEM;
		why = "Out of memory";
	}
	if (se == SE_OK) {
		struct msg m;
		const char *err;
		se = msg_init(&m, data, len, (size_t)c->header_count_limit, &err);
		if (se != SE_OK) {
			why = err;
		} else {
			struct deliver_env env = {
				.mail_from = s->mail_from,
				.xf = s->xf.any ? &s->xf : NULL,
				.nrcpt = s->nrcpt,
				.rcpt = s->rcpt,
				.start_ms = s->tx_start_ms,
				.session = s->id,
			};
			s->deliver(s->ctx, &m, &env, false);
		}
		msg_clear(&m);	/* frees data */
	}
	/* RFC 2033 section 4.2: one reply per accepted recipient, in order */
	const char *qid = *s->xf.ident ? s->xf.ident : s->id;
	for (size_t i = 0; i < s->nrcpt; i++) {
		struct deliver_rcpt *r = &s->rcpt[i];
		if (se != SE_OK) {
			r->st = status_from_err(se);
			snprintf(r->text, sizeof(r->text), "%s", why);
			log_tx_rcpt(s, qid, r->address, r->st, why);
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
	lmtp_session_with(fd, peer, ctx, stop, deliver_message);
}

void lmtp_session_with(int fd, const struct lmtp_peer *peer, struct deliver_ctx *ctx,
		       volatile sig_atomic_t *stop, lmtp_deliver_fn *deliver)
{
	const struct conf *c = conf;
	struct session s = { .io = { .fd = fd }, .peer = peer, .ctx = ctx, .stop = stop,
			     .deliver = deliver };
	buf_init(&s.io.in, 0);
	buf_init(&s.io.out, 0);
	/* unique per session: time, pid, and the process's session count
	 * (a session process serves several connections, see server.c) */
	static unsigned nsessions;
	snprintf(s.id, sizeof(s.id), "L%lx%04lx%x", (long)time(NULL), (long)self_pid() & 0xffff,
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
	buf_clear(&s.io.in);
	buf_clear(&s.io.out);
}
