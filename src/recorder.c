/* recorder.c - the DMARC report recorder process and its session side
 * (recorder.h).
 *
 * One poll() loop over the control socket from the master (each message
 * carries a new session's socket, SCM_RIGHTS) and the session sockets
 * (SOCK_SEQPACKET: one message per record or confirmation):
 *
 *   session -> recorder   "R" seq(4) spool-line   one record (report_rec.h
 *                                                 spool line, "\n" ended)
 *   recorder -> session   "C" seq(4)              every record up to seq
 *                                                 is stored or spooled
 *
 * seq counts the records of one session socket from 1 (host byte order:
 * both ends are this machine).  The recorder writes a batch in one
 * transaction through a report sink (report_sink_write: the store, else
 * the spool) when REC_BATCH records wait, when the oldest waited
 * REC_AGE_MS, or when no record came for REC_IDLE_MS (group commit: at a
 * steady rate, even one connection's, a transaction takes many records;
 * writing as soon as no session had more to read made every record its
 * own transaction below a few hundred messages a second), then confirms
 * to each session of the batch the last seq it had there.
 *
 * The recorder never blocks on a session: confirmations are sent
 * MSG_DONTWAIT, and a session whose socket is full or broken, or that
 * sends something not a record, is dropped (it sees EOF and spools what
 * is not confirmed).  Bounded: a message is at most REC_MSG_MAX bytes
 * (longer ones drop the session), REC_READ_BURST messages are read from
 * one session per turn, at most REC_BATCH records are held.  A session
 * holds at most REC_HELD_MAX unconfirmed records (then it waits, as at
 * its end).  Exits when the master has let it go and no session is left.
 */
#include "recorder.h"
#include "buf.h"
#include "conf.h"
#include "fdpass.h"
#include "log.h"
#include "report_rec.h"
#include "report_store.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REC_LINE_MAX	32768		/* a spool line (report_spool_append's limit) */
#define REC_MSG_MAX	(5 + REC_LINE_MAX)
#define REC_BATCH	32		/* records per transaction, at most */
#define REC_AGE_MS	2000		/* the oldest record waits no longer */
#define REC_IDLE_MS	10		/* a pause this long ends a batch */
#define REC_READ_BURST	32		/* messages read from one session per turn */
#define REC_HELD_MAX	64		/* unconfirmed records per session */
#define REC_BUFSIZE	(1 << 18)	/* confirmations in flight to one session */

/* ------------------------------------------------------------------ */
/* the recorder process                                               */

struct rclient {
	int fd;
	uint64_t id;		/* never reused: a batch names its sessions by id */
};

struct rstate {
	const struct conf *c;
	int ctl;
	struct rclient *cl;
	size_t ncl, capcl;
	uint64_t next_id;
	struct report_rec *batch[REC_BATCH];
	uint64_t bid[REC_BATCH];	/* whose record */
	uint32_t bseq[REC_BATCH];
	size_t nb;
	long long first_ms;		/* when batch[0] came */
	long long last_ms;		/* when the batch's last record came */
	struct report_sink *sink;
	long long last_drop_log;
};

static void drop_client(struct rstate *s, size_t i, const char *why)
{
	long long now = mono_ms();
	if (why && now - s->last_drop_log > 10000) {
		s->last_drop_log = now;
		log_warn("dmarc report recorder: session dropped: %s (it spools its own records)", why);
	}
	close(s->cl[i].fd);
	s->cl[i] = s->cl[--s->ncl];
}

static size_t client_by_id(const struct rstate *s, uint64_t id)
{
	for (size_t i = 0; i < s->ncl; i++)
		if (s->cl[i].id == id)
			return i;
	return (size_t)-1;
}

static size_t client_by_fd(const struct rstate *s, int fd)
{
	for (size_t i = 0; i < s->ncl; i++)
		if (s->cl[i].fd == fd)
			return i;
	return (size_t)-1;
}

/* Write the batch, then tell each of its sessions how far it is safe. */
static void flush_batch(struct rstate *s)
{
	size_t n = s->nb;
	if (!n)
		return;
	uint64_t bid[REC_BATCH];
	uint32_t bseq[REC_BATCH];
	memcpy(bid, s->bid, n * sizeof(bid[0]));
	memcpy(bseq, s->bseq, n * sizeof(bseq[0]));
	size_t lost = report_sink_write(&s->sink, s->c, s->batch, n);
	s->nb = 0;
	for (size_t k = 0; k < n; k++) {
		/* each session's last record of the batch (its seqs rise) */
		bool later = false;
		for (size_t j = k + 1; j < n && !later; j++)
			later = bid[j] == bid[k];
		if (later)
			continue;
		size_t ci = client_by_id(s, bid[k]);
		if (ci == (size_t)-1)
			continue;	/* gone meanwhile: it spooled its own */
		if (lost) {
			/* not safe, so not confirmed: the session spools */
			drop_client(s, ci, "records could be neither stored nor spooled");
			continue;
		}
		unsigned char msg[5] = { 'C' };
		memcpy(msg + 1, &bseq[k], 4);
		ssize_t w;
		while ((w = send(s->cl[ci].fd, msg, sizeof(msg), MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 &&
		       errno == EINTR)
			;
		if (w != (ssize_t)sizeof(msg))
			drop_client(s, ci, errno == EAGAIN || errno == EWOULDBLOCK ?
					   "its socket is full" : strerror(errno));
	}
}

/* One message from session ci; false: drop it. */
static bool record(struct rstate *s, size_t ci, const unsigned char *m, size_t len)
{
	if (len < 6 || m[0] != 'R')
		return false;
	struct report_rec *r = malloc(sizeof(*r));
	if (!r) {
		log_error("dmarc report recorder: out of memory");
		return false;	/* the session spools it */
	}
	if (report_rec_decode(r, (const char *)m + 5, len - 5) < 0) {
		free(r);
		return false;
	}
	s->last_ms = mono_ms();
	if (!s->nb)
		s->first_ms = s->last_ms;
	s->batch[s->nb] = r;
	s->bid[s->nb] = s->cl[ci].id;
	memcpy(&s->bseq[s->nb], m + 1, 4);
	s->nb++;
	if (s->nb == REC_BATCH)
		flush_batch(s);
	return true;
}

static int add_client(struct rstate *s, int fd)
{
	if (buf_grow_array((void **)&s->cl, &s->capcl, s->ncl + 1, sizeof(*s->cl), SIZE_MAX / 2,
			   NULL) < 0)
		return -1;
	s->cl[s->ncl++] = (struct rclient){ fd, ++s->next_id };
	return 0;
}

/* Read what session fd sent, up to REC_READ_BURST messages. */
static void read_client(struct rstate *s, int fd)
{
	static unsigned char m[REC_MSG_MAX];
	for (int k = 0; k < REC_READ_BURST; k++) {
		size_t ci = client_by_fd(s, fd);	/* a full batch may drop it */
		if (ci == (size_t)-1)
			return;
		ssize_t r = recv(fd, m, sizeof(m), MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			drop_client(s, ci, NULL);	/* it closed: session over */
			return;
		}
		if ((size_t)r > sizeof(m) || !record(s, ci, m, (size_t)r)) {
			ci = client_by_fd(s, fd);
			if (ci != (size_t)-1)
				drop_client(s, ci, (size_t)r > sizeof(m) ? "message too long"
									  : "not a record");
			return;
		}
	}
}

static void recorder_loop(struct rstate *s)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0;
	while (s->ctl >= 0 || s->ncl) {
		if (buf_grow_array((void **)&pfd, &cap, s->ncl + 1, sizeof(*pfd), SIZE_MAX / 2, NULL) <
		    0) {
			log_error("dmarc report recorder: out of memory");
			break;
		}
		size_t n = 0;
		if (s->ctl >= 0)
			pfd[n++] = (struct pollfd){ s->ctl, POLLIN, 0 };
		size_t first = n;
		for (size_t i = 0; i < s->ncl; i++)
			pfd[n++] = (struct pollfd){ s->cl[i].fd, POLLIN, 0 };
		/* records waiting: wait for more until a pause or their age */
		int timeout = -1;
		if (s->nb) {
			long long now = mono_ms(), due = s->last_ms + REC_IDLE_MS;
			if (due > s->first_ms + REC_AGE_MS)
				due = s->first_ms + REC_AGE_MS;
			timeout = due > now ? (int)(due - now) : 0;
		}
		int pr = poll(pfd, n, timeout);
		if (pr < 0 && errno != EINTR) {
			log_error("dmarc report recorder: poll: %s", strerror(errno));
			break;
		}
		if (pr == 0) {
			flush_batch(s);		/* a pause, or the oldest is due */
			continue;
		}
		if (pr < 0)
			continue;
		if (s->ctl >= 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			bool gone;
			int fd = fdpass_accept(s->ctl, &gone);
			if (fd >= 0) {
				if (add_client(s, fd) < 0) {
					log_error("dmarc report recorder: out of memory");
					close(fd);
				}
			} else if (gone) {
				close(s->ctl);	/* let go: serve who is left */
				s->ctl = -1;
			}
		}
		for (size_t p = first; p < n; p++)
			if (pfd[p].revents)
				read_client(s, pfd[p].fd);
		if (s->nb && mono_ms() - s->first_ms >= REC_AGE_MS)
			flush_batch(s);
	}
	flush_batch(s);
	free(pfd);
}

int recorder_start(struct recorder *r, const struct conf *c, const int *close_fds, size_t n,
		   const char **error_r)
{
	static char err[300];
	int ctl;
	r->pid = 0;
	r->ctl = -1;
	pid_t pid = fdpass_spawn(close_fds, n, &ctl, err, sizeof(err));
	if (pid < 0) {
		*error_r = err;
		return -1;
	}
	if (pid == 0) {
		/* a socket per session, the store's connection and the spool */
		fdpass_raise_nofile("dmarc report recorder", (rlim_t)c->lmtp_max_connections + 16);
		struct rstate s = { .c = c, .ctl = ctl };
		recorder_loop(&s);
		report_sink_free(s.sink, c);
		for (size_t i = 0; i < s.ncl; i++)
			close(s.cl[i].fd);
		free(s.cl);
		_exit(0);
	}
	r->pid = pid;
	r->ctl = ctl;
	return 0;
}

int recorder_attach(struct recorder *r)
{
	if (r->pid <= 0)
		return -1;
	return fdpass_attach(r->ctl, REC_BUFSIZE);
}

void recorder_release(struct recorder *r)
{
	if (r->ctl >= 0)
		close(r->ctl);
	r->ctl = -1;
	r->pid = 0;
}

/* ------------------------------------------------------------------ */
/* a session process                                                  */

struct held {
	uint32_t seq;
	long long sent_ms;
	size_t len;		/* of msg: "R" seq spool-line */
	unsigned char *msg;
};

struct recorder_client {
	int fd;			/* -1 once lost */
	uint32_t seq;		/* the last one sent */
	struct held held[REC_HELD_MAX + 1];	/* unconfirmed, oldest first */
	size_t nheld;
};

struct recorder_client *recorder_client_new(int fd)
{
	struct recorder_client *rc = calloc(1, sizeof(*rc));
	if (!rc) {
		close(fd);
		return NULL;
	}
	rc->fd = fd;
	return rc;
}

bool recorder_lost(const struct recorder_client *rc)
{
	return !rc || rc->fd < 0;
}

/* seq a is at or before b (wraps after 2^32 records) */
static bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static void confirmed(struct recorder_client *rc, uint32_t seq)
{
	size_t k = 0;
	while (k < rc->nheld && seq_le(rc->held[k].seq, seq))
		free(rc->held[k++].msg);
	memmove(rc->held, rc->held + k, (rc->nheld - k) * sizeof(*rc->held));
	rc->nheld -= k;
}

/* The recorder is gone or not to be trusted: every record not confirmed
 * goes to the spool, and this process uses its own sink from now on. */
static void lose(struct recorder_client *rc, const struct conf *c, const char *why)
{
	size_t spooled = 0, lost = 0;
	struct report_rec *r = malloc(sizeof(*r));
	const char *err = "out of memory";
	for (size_t k = 0; k < rc->nheld; k++) {
		struct held *h = &rc->held[k];
		if (r && report_rec_decode(r, (const char *)h->msg + 5, h->len - 5) == 0 &&
		    report_spool_append(c->dmarc_report_spool, r, &err) == 0)
			spooled++;
		else
			lost++;
		free(h->msg);
	}
	free(r);
	if (lost)
		log_error("dmarc report: recorder: %s; spool: %s; %zu records lost", why, err, lost);
	log_warn("dmarc report: recorder: %s; %zu unconfirmed records spooled to %s; this process "
		 "writes the store itself from now on", why, spooled, c->dmarc_report_spool);
	rc->nheld = 0;
	close(rc->fd);
	rc->fd = -1;
}

/* Take the confirmations that came.  0, or -1 with *why_r (EOF, error,
 * a message that is not a confirmation). */
static int drain(struct recorder_client *rc, const char **why_r)
{
	for (;;) {
		unsigned char m[16];
		ssize_t r = recv(rc->fd, m, sizeof(m), MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r == 0 || (r < 0 && (errno == ECONNRESET || errno == EPIPE))) {
			*why_r = "it went away";
			return -1;
		}
		if (r < 0) {
			*why_r = strerror(errno);
			return -1;
		}
		if (r != 5 || m[0] != 'C') {
			*why_r = "a bad confirmation";
			return -1;
		}
		uint32_t seq;
		memcpy(&seq, m + 1, 4);
		confirmed(rc, seq);
	}
}

/* How long a record may wait for its confirmation: the recorder's batch
 * age plus one store write (its busy or statement timeout). */
static long long patience(const struct conf *c)
{
	return c->dmarc_report_timeout + REC_AGE_MS;
}

/* Wait until at most keep records are unconfirmed (and, want_out, the
 * socket takes a message), at most until the oldest's patience ran out.
 * 0, or -1 with *why_r. */
static int wait_for(struct recorder_client *rc, const struct conf *c, size_t keep, bool want_out,
		    const char **why_r)
{
	long long deadline = (rc->nheld ? rc->held[0].sent_ms : mono_ms()) + patience(c);
	for (;;) {
		if (drain(rc, why_r) < 0)
			return -1;
		if (rc->nheld <= keep && !want_out)
			return 0;
		long long now = mono_ms();
		if (now >= deadline) {
			*why_r = "no confirmation in time";
			return -1;
		}
		struct pollfd p = { rc->fd, (short)(POLLIN | (want_out ? POLLOUT : 0)), 0 };
		int pr = poll(&p, 1, (int)(deadline - now));
		if (pr < 0 && errno != EINTR) {
			*why_r = strerror(errno);
			return -1;
		}
		if (want_out && pr > 0 && (p.revents & POLLOUT))
			return 0;
		if (pr > 0 && (p.revents & (POLLERR | POLLHUP)) && !(p.revents & POLLIN)) {
			*why_r = "it went away";
			return -1;
		}
	}
}

void recorder_put(struct recorder_client *rc, const struct conf *c, struct report_rec *rec)
{
	if (!rec)
		return;
	if (recorder_lost(rc)) {
		/* deliver.c gives these to its own sink; this is a fallback */
		const char *err = NULL;
		if (report_spool_append(c->dmarc_report_spool, rec, &err) < 0)
			log_error("dmarc report: spool: %s; record for %s lost", err, rec->policy_domain);
		free(rec);
		return;
	}
	const char *why = NULL;
	unsigned char *m = malloc(REC_MSG_MAX);
	size_t len = m ? report_rec_encode(rec, (char *)m + 5, REC_MSG_MAX - 5) : 0;
	if (!len) {
		/* out of memory, or a record longer than a spool line (the
		 * spool would refuse it too): what the sink would do */
		free(m);
		const char *err = NULL;
		if (report_spool_append(c->dmarc_report_spool, rec, &err) < 0)
			log_error("dmarc report: spool: %s; record for %s lost", err, rec->policy_domain);
		free(rec);
		return;
	}
	free(rec);
	len += 5;
	unsigned char *sm = realloc(m, len);	/* held: only its own length */
	if (sm)
		m = sm;
	m[0] = 'R';
	uint32_t seq = ++rc->seq;
	memcpy(m + 1, &seq, 4);
	int bad = drain(rc, &why);
	if (!bad && rc->nheld && mono_ms() - rc->held[0].sent_ms > patience(c)) {
		bad = -1;
		why = "no confirmation in time";
	}
	if (!bad && rc->nheld >= REC_HELD_MAX)
		bad = wait_for(rc, c, REC_HELD_MAX - 1, false, &why);
	/* held first, so that lose() spools it with the others (there is
	 * room for one beyond REC_HELD_MAX) */
	rc->held[rc->nheld++] = (struct held){ seq, mono_ms(), len, m };
	if (bad < 0) {
		lose(rc, c, why);
		/* m is rc->held's, and lose() freed it */
		/* cppcheck-suppress memleak */
		return;
	}
	for (;;) {
		ssize_t w = send(rc->fd, m, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w == (ssize_t)len)
			return;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* the recorder is behind: wait a little for room */
			if (wait_for(rc, c, (size_t)-1, true, &why) == 0)
				continue;
		} else if (w < 0 && (errno == ECONNRESET || errno == EPIPE))
			why = "it went away";
		else
			why = w < 0 ? strerror(errno) : "short send";
		lose(rc, c, why);
		return;
	}
}

void recorder_flush(struct recorder_client *rc, const struct conf *c)
{
	if (recorder_lost(rc) || !rc->nheld)
		return;
	const char *why = NULL;
	if (wait_for(rc, c, 0, false, &why) < 0)
		lose(rc, c, why);
}

void recorder_client_free(struct recorder_client *rc, const struct conf *c)
{
	if (!rc)
		return;
	recorder_flush(rc, c);
	if (rc->fd >= 0)
		close(rc->fd);
	for (size_t k = 0; k < rc->nheld; k++)
		free(rc->held[k].msg);
	free(rc);
}
