/* resolver.c - the shared resolver process (resolver.h).
 *
 * One poll() loop over: the control socket from the master (each message
 * carries a new session's socket, SCM_RIGHTS), libunbound's fd, and the
 * session sockets (SOCK_SEQPACKET: one question or answer per message).
 * A question that the cache answers is answered at once; otherwise it
 * waits for libunbound, and every session waiting for the same question
 * gets the one answer (one upstream query per question per TTL).  Bounded:
 * DNS_WAIT_MAX questions waiting per session and RESOLVER_WAIT_MAX in all
 * (beyond: TEMPFAIL "resolver busy"); questions longer than a DNS name are
 * dropped.  Exits when the master has let it go and no session is left.
 */
#include "resolver.h"
#include "buf.h"
#include "conf.h"
#include "dns.h"
#include "dns_shared.h"
#include "fdpass.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define DNS_WAIT_MAX		1024	/* questions waiting, per session */
#define RESOLVER_WAIT_MAX	65536	/* in all */
#define RESOLVER_READ_BURST	64	/* questions read from one session per turn */

struct waiter {
	int fd;
	uint32_t id;
	int type;
	char name[256];
};

struct rstate {
	struct dns *dns;
	int ctl;
	int *cl;			/* session sockets */
	unsigned *nwait;		/* questions waiting per session */
	size_t ncl, capcl;
	struct waiter *w;
	size_t nw, capw;
	long long last_drop_log;
};

static void reply(struct rstate *s, int fd, uint32_t id, const char *name, int type,
		  const struct dns_answer *a, unsigned ttl)
{
	static unsigned char buf[DNS_SHARED_MSG_MAX];
	size_t n = dns_shared_encode(id, name, type, a, ttl, buf, sizeof(buf));
	if (!n) {
		struct dns_answer big = { .status = DNS_TEMPFAIL, .why = "answer too large" };
		n = dns_shared_encode(id, name, type, &big, 0, buf, sizeof(buf));
	}
	ssize_t w;
	while ((w = send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* that session does not read: it gives the question up at
		 * its own timeout (a TEMPFAIL), nobody else waits */
		long long now = mono_ms();
		if (now - s->last_drop_log > 10000) {
			s->last_drop_log = now;
			log_warn("dns resolver: a session's socket is full; answer dropped");
		}
	}
}

static void drop_client(struct rstate *s, size_t i)
{
	int fd = s->cl[i];
	close(fd);
	s->cl[i] = s->cl[s->ncl - 1];
	s->nwait[i] = s->nwait[s->ncl - 1];
	s->ncl--;
	for (size_t k = 0; k < s->nw;)
		if (s->w[k].fd == fd)
			s->w[k] = s->w[--s->nw];
		else
			k++;
}

static size_t client_index(const struct rstate *s, int fd)
{
	for (size_t i = 0; i < s->ncl; i++)
		if (s->cl[i] == fd)
			return i;
	return (size_t)-1;
}

static void question(struct rstate *s, size_t ci, const unsigned char *q, size_t len)
{
	int fd = s->cl[ci];
	uint32_t id;
	uint16_t t;
	if (len < 7 || len > 6 + 255)
		return;
	memcpy(&id, q, 4);
	memcpy(&t, q + 4, 2);
	char name[256];
	memcpy(name, q + 6, len - 6);
	name[len - 6] = 0;
	if (strlen(name) != len - 6)
		return;		/* a NUL inside: not a name of ours */
	unsigned ttl;
	const struct dns_answer *a = dns_lookup_nowait(s->dns, name, t, &ttl);
	if (a) {
		reply(s, fd, id, name, t, a, ttl);
		dns_answer_free(a);
		return;
	}
	if (s->nwait[ci] >= DNS_WAIT_MAX || s->nw >= RESOLVER_WAIT_MAX) {
		struct dns_answer busy = { .status = DNS_TEMPFAIL, .why = "resolver busy" };
		reply(s, fd, id, name, t, &busy, 0);
		return;
	}
	if (s->nw == s->capw) {
		size_t cap = s->capw ? s->capw * 2 : 256;
		struct waiter *nw = realloc(s->w, cap * sizeof(*nw));
		if (!nw) {
			struct dns_answer oom = { .status = DNS_TEMPFAIL, .why = "out of memory" };
			reply(s, fd, id, name, t, &oom, 0);
			return;
		}
		s->w = nw;
		s->capw = cap;
	}
	struct waiter *w = &s->w[s->nw++];
	w->fd = fd;
	w->id = id;
	w->type = t;
	memcpy(w->name, name, len - 6 + 1);
	s->nwait[ci]++;
}

/* Answer every waiter whose question has its answer now; the others with
 * the same question get the same answer (a TEMPFAIL is not cached, and
 * asking again would send a second query). */
static void answer_waiters(struct rstate *s)
{
	for (size_t k = 0; k < s->nw;) {
		struct waiter *w = &s->w[k];
		unsigned ttl;
		const struct dns_answer *a = dns_lookup_nowait(s->dns, w->name, w->type, &ttl);
		if (!a) {
			k++;
			continue;
		}
		char name[256];
		int type = w->type;
		memcpy(name, w->name, sizeof(name));
		for (size_t j = k; j < s->nw;) {
			struct waiter *v = &s->w[j];
			if (v->type != type || strcmp(v->name, name)) {
				j++;
				continue;
			}
			/* name and type are v's (just compared); passing the local
			 * copy, not a pointer into s->w, also keeps the clang
			 * analyzer from calling s->w leaked (unix.Malloc) */
			reply(s, v->fd, v->id, name, type, a, ttl);
			size_t ci = client_index(s, v->fd);
			if (ci != (size_t)-1 && s->nwait[ci])
				s->nwait[ci]--;
			s->w[j] = s->w[--s->nw];
		}
		dns_answer_free(a);
	}
}

static int add_client(struct rstate *s, int fd)
{
	if (s->ncl == s->capcl) {
		size_t cap = s->capcl ? s->capcl * 2 : 64;
		int *ncl = realloc(s->cl, cap * sizeof(*ncl));
		if (!ncl)
			return -1;
		s->cl = ncl;
		unsigned *nwt = realloc(s->nwait, cap * sizeof(*nwt));
		if (!nwt)
			return -1;
		s->nwait = nwt;
		s->capcl = cap;
	}
	s->cl[s->ncl] = fd;
	s->nwait[s->ncl] = 0;
	s->ncl++;
	return 0;
}

static void resolver_loop(struct rstate *s)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0;
	static unsigned char q[512];
	while (s->ctl >= 0 || s->ncl) {
		if (cap < s->ncl + 2) {
			cap = (s->ncl + 2) * 2;
			struct pollfd *np = realloc(pfd, cap * sizeof(*np));
			if (!np) {
				log_error("dns resolver: out of memory");
				break;
			}
			pfd = np;
		}
		size_t n = 0;
		pfd[n++] = (struct pollfd){ dns_fd(s->dns), POLLIN, 0 };
		if (s->ctl >= 0)
			pfd[n++] = (struct pollfd){ s->ctl, POLLIN, 0 };
		size_t first = n;
		for (size_t i = 0; i < s->ncl; i++)
			pfd[n++] = (struct pollfd){ s->cl[i], POLLIN, 0 };
		long to = dns_next_timeout(s->dns);
		int pr = poll(pfd, n, to < 0 ? -1 : (int)(to > 60000 ? 60000 : to) + 1);
		if (pr < 0 && errno != EINTR) {
			log_error("dns resolver: poll: %s", strerror(errno));
			break;
		}
		/* libunbound's answers, and questions past dns_timeout */
		dns_process(s->dns, pr > 0 && (pfd[0].revents & POLLIN));
		if (pr > 0 && s->ctl >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			bool gone;
			int fd = fdpass_accept(s->ctl, &gone);
			if (fd >= 0) {
				if (add_client(s, fd) < 0) {
					log_error("dns resolver: out of memory");
					close(fd);
				}
			} else if (gone) {
				close(s->ctl);	/* let go: serve who is left */
				s->ctl = -1;
			}
		}
		if (pr > 0) {
			/* the sessions as polled (add_client appends, drop_client
			 * swaps in the last: walk the polled set by fd) */
			for (size_t p = first; p < n; p++) {
				if (!pfd[p].revents)
					continue;
				size_t ci = client_index(s, pfd[p].fd);
				if (ci == (size_t)-1)
					continue;
				bool gone = false;
				for (int k = 0; k < RESOLVER_READ_BURST; k++) {
					ssize_t r = recv(s->cl[ci], q, sizeof(q), MSG_DONTWAIT | MSG_TRUNC);
					if (r < 0 && errno == EINTR)
						continue;
					if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
						break;
					if (r <= 0) {
						gone = true;
						break;
					}
					if ((size_t)r <= sizeof(q))
						question(s, ci, q, (size_t)r);
				}
				if (gone)
					drop_client(s, ci);
			}
		}
		if (s->nw)
			answer_waiters(s);
	}
	free(pfd);
}

int resolver_start(struct resolver *r, const struct conf *c, const char *dns_zone,
		   const int *close_fds, size_t n, const char **error_r)
{
	static char err[700];
	int ctl;
	r->pid = 0;
	r->ctl = -1;
	pid_t pid = fdpass_spawn(close_fds, n, &ctl, err, sizeof(err));
	if (pid < 0) {
		*error_r = err;
		return -1;
	}
	if (pid == 0) {
		/* a socket per session, and libunbound's own (its query
		 * sockets, the pipe dns_fd() polls) */
		fdpass_raise_nofile("dns resolver", (rlim_t)c->lmtp_max_connections + 64);
		const char *e = NULL;
		struct rstate s = { .ctl = ctl };
		s.dns = dns_new(c, dns_zone, &e);
		/* tell the master: "R", or "E" and why */
		char msg[620];
		int len = snprintf(msg, sizeof(msg), "%s%s", s.dns ? "R" : "E", s.dns ? "" : e);
		if (send(ctl, msg, (size_t)len, MSG_NOSIGNAL) < 0 || !s.dns)
			_exit(1);
		resolver_loop(&s);
		_exit(0);
	}
	/* the context is set up (trust anchor, zone file) before sessions
	 * rely on it; a zone file of a few MB loads in well under this */
	struct pollfd p = { ctl, POLLIN, 0 };
	char msg[620];
	ssize_t got = -1;
	int pr;
	while ((pr = poll(&p, 1, 60000)) < 0 && errno == EINTR)
		;
	if (pr > 0)
		while ((got = recv(ctl, msg, sizeof(msg) - 1, 0)) < 0 && errno == EINTR)
			;
	/* got >= 1: recv() wrote msg[0] */
	/* cppcheck-suppress legacyUninitvar */
	if (got < 1 || msg[0] != 'R') {
		if (got >= 1) {
			msg[got] = 0;
			snprintf(err, sizeof(err), "%s", msg + 1);
		} else
			snprintf(err, sizeof(err), "the resolver process did not start");
		close(ctl);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		*error_r = err;
		return -1;
	}
	r->pid = pid;
	r->ctl = ctl;
	return 0;
}

int resolver_attach(struct resolver *r)
{
	if (r->pid <= 0)
		return -1;
	/* room for a burst of answers in flight to one session */
	return fdpass_attach(r->ctl, 1 << 20);
}

void resolver_release(struct resolver *r)
{
	if (r->ctl >= 0)
		close(r->ctl);
	r->ctl = -1;
	r->pid = 0;
}
