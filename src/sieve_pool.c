/* sieve_pool.c - Sieve workers shared by the session processes
 * (sieve_pool.h).
 *
 * The pool is one event loop over: the control socket from the master
 * (new session sockets arrive on it), one SOCK_SEQPACKET socket per
 * session, and its idle workers' sockets (watched for hang-up only: a
 * leased worker's socket belongs to its session until it comes back).
 *
 *   session -> pool   "L" uid(4) gid(4)   lease a worker of that owner
 *   pool -> session   the worker's socket (SCM_RIGHTS) with its slot as
 *                     the byte, or "N" without a descriptor: none free
 *   session -> pool   "C" slot            given back clean
 *                     "D" slot            given back dirty: kill it
 *
 * The pool never blocks on a session (replies are sent MSG_DONTWAIT; a
 * session whose socket is full or gone is dropped, its leases killed),
 * and forks workers from itself: small, holding no message and no
 * session's descriptor.
 *
 * How many workers: an evaluation takes well under a millisecond of CPU,
 * so more workers of one owner than the machine has CPUs (twice, 4 at
 * least) only cost memory (at 100 busy sessions the pool had grown to 70
 * workers, 16 MB).  Beyond that soft limit a lease waits for a worker of
 * its owner to come back, at most POOL_QUEUE_MS; then it gets a new
 * worker anyway (up to POOL_MAX_WORKERS), so a slow or hostile script that
 * holds workers delays another session's evaluation by POOL_QUEUE_MS at
 * most, never until its sieve_timeout.
 */
#include "sieve_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "fdpass.h"
#include "log.h"
#include "recipient.h"

#define POOL_MAX_WORKERS 128	/* a slot is one byte on the wire */
#define POOL_IDLE_MS 60000	/* an idle worker is let go after this */
#define POOL_QUEUE_MS 100	/* a lease waits this long past the soft limit */
#define WORKER_MAX_LEASES 1000	/* then retired: libsieve's leaks stay bounded */

enum wstate { W_FREE = 0, W_IDLE, W_LEASED };

struct pworker {
	enum wstate st;
	pid_t pid;		/* 0: ended (a leased slot stays reserved
				 * until its session gives it back) */
	int fd;			/* the pool's end of the worker's socket */
	uid_t uid;
	gid_t gid;
	int lessee;		/* session index while W_LEASED */
	unsigned leases;
	long long idle_since;
};

/* A lease waiting for a worker of its owner to come back (one at most
 * per session: a session asks for one lease at a time). */
struct waiter {
	size_t si;
	uid_t uid;
	gid_t gid;
	long long since;
};

struct pool {
	const struct conf *c;
	int ctl;		/* -1 once the master let go */
	int *sess;		/* session sockets, -1: free */
	size_t nsess, sess_cap;
	struct pworker w[POOL_MAX_WORKERS];
	int soft;		/* workers per owner before leases wait */
	struct waiter *wait;
	size_t nwait, wait_cap;
};

/* ------------------------------------------------------------------ */
/* the pool process                                                   */

static void worker_close(struct pool *P, struct pworker *w, bool kill_it)
{
	if (w->pid > 0 && kill_it)
		kill(w->pid, SIGKILL);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->pid = 0;
	if (w->st != W_LEASED)
		w->st = W_FREE;
	(void)P;
}

static int spawn(struct pool *P, uid_t uid, gid_t gid)
{
	int slot = -1;
	for (int i = 0; i < POOL_MAX_WORKERS && slot < 0; i++)
		if (P->w[i].st == W_FREE)
			slot = i;
	if (slot < 0)
		return -1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		static const int sigs[] = { SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGCHLD, SIGALRM };
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			signal(sigs[k], SIG_DFL);
		/* the worker's socket only: no session's, no other worker's */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		struct mailbox mb = { .uid = uid, .gid = gid };
		sieve_worker_main(3, &mb, P->c);	/* never returns */
	}
	close(sv[1]);
	P->w[slot] = (struct pworker){ .st = W_IDLE, .pid = pid, .fd = sv[0], .uid = uid,
				       .gid = gid, .lessee = -1, .idle_since = mono_ms() };
	return slot;
}

static void session_drop(struct pool *P, size_t si)
{
	/* its leases: whatever it was doing with them is unknown */
	for (int i = 0; i < POOL_MAX_WORKERS; i++) {
		struct pworker *w = &P->w[i];
		if (w->st == W_LEASED && w->lessee == (int)si) {
			w->st = W_IDLE;	/* so that worker_close frees the slot */
			worker_close(P, w, true);
		}
	}
	for (size_t i = 0; i < P->nwait; )
		if (P->wait[i].si == si)
			P->wait[i] = P->wait[--P->nwait];
		else
			i++;
	close(P->sess[si]);
	P->sess[si] = -1;
}

static void reply(struct pool *P, size_t si, int fd, unsigned char slot)
{
	int rc;
	if (fd >= 0)
		rc = fdpass_send(P->sess[si], fd, slot);
	else
		rc = send(P->sess[si], "N", 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? 0 : -1;
	if (rc < 0)
		session_drop(P, si);
}

static int idle_worker(const struct pool *P, uid_t uid, gid_t gid)
{
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st == W_IDLE && P->w[i].pid > 0 && P->w[i].uid == uid &&
		    P->w[i].gid == gid)
			return i;
	return -1;
}

static int owner_workers(const struct pool *P, uid_t uid, gid_t gid)
{
	int n = 0;
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		n += P->w[i].st != W_FREE && P->w[i].uid == uid && P->w[i].gid == gid;
	return n;
}

/* Lease slot to session si, or say "N" (slot < 0: no worker to be had). */
static void lease(struct pool *P, size_t si, int slot)
{
	if (slot < 0) {
		reply(P, si, -1, 0);
		return;
	}
	struct pworker *w = &P->w[slot];
	w->st = W_LEASED;
	w->lessee = (int)si;
	w->leases++;
	reply(P, si, w->fd, (unsigned char)slot);
}

/* A worker of uid/gid came back (slot, idle) or ended (slot -1): the
 * oldest lease waiting for that owner gets it, or a new worker. */
static void serve_waiter(struct pool *P, uid_t uid, gid_t gid, int slot)
{
	for (size_t i = 0; i < P->nwait; i++) {
		if (P->wait[i].uid != uid || P->wait[i].gid != gid)
			continue;
		size_t si = P->wait[i].si;
		memmove(&P->wait[i], &P->wait[i + 1], (P->nwait - i - 1) * sizeof(*P->wait));
		P->nwait--;
		lease(P, si, slot >= 0 ? slot : spawn(P, uid, gid));
		return;
	}
}

/* Leases that waited POOL_QUEUE_MS get a new worker; returns the ms until
 * the next one is due (or 1000). */
static long long serve_late(struct pool *P, long long now)
{
	long long next = 1000;
	for (size_t i = 0; i < P->nwait; ) {
		struct waiter q = P->wait[i];
		long long due = q.since + POOL_QUEUE_MS - now;
		if (due > 0) {
			if (due < next)
				next = due;
			i++;
			continue;
		}
		memmove(&P->wait[i], &P->wait[i + 1], (P->nwait - i - 1) * sizeof(*P->wait));
		P->nwait--;
		int slot = idle_worker(P, q.uid, q.gid);
		lease(P, q.si, slot >= 0 ? slot : spawn(P, q.uid, q.gid));
	}
	return next;
}

static void on_session(struct pool *P, size_t si)
{
	unsigned char m[16];
	ssize_t n = recv(P->sess[si], m, sizeof(m), MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		session_drop(P, si);
		return;
	}
	if (m[0] == 'L' && n == 9) {
		uint32_t uid, gid;
		memcpy(&uid, m + 1, 4);
		memcpy(&gid, m + 5, 4);
		int slot = idle_worker(P, (uid_t)uid, (gid_t)gid);
		if (slot < 0 && owner_workers(P, (uid_t)uid, (gid_t)gid) >= P->soft &&
		    buf_grow_array((void **)&P->wait, &P->wait_cap, P->nwait + 1, sizeof(*P->wait),
				   1 << 20, NULL) == 0) {
			/* past the soft limit: wait for one to come back */
			P->wait[P->nwait++] = (struct waiter){ si, (uid_t)uid, (gid_t)gid, mono_ms() };
			return;
		}
		lease(P, si, slot >= 0 ? slot : spawn(P, (uid_t)uid, (gid_t)gid));
		return;
	}
	if ((m[0] == 'C' || m[0] == 'D') && n == 2 && m[1] < POOL_MAX_WORKERS) {
		struct pworker *w = &P->w[m[1]];
		if (w->st != W_LEASED || w->lessee != (int)si)
			return;		/* not this session's: ignore */
		w->st = W_IDLE;
		w->lessee = -1;
		w->idle_since = mono_ms();
		uid_t uid = w->uid;
		gid_t gid = w->gid;
		if (m[0] == 'D' || w->pid <= 0 || w->leases >= WORKER_MAX_LEASES)
			worker_close(P, w, m[0] == 'D');
		serve_waiter(P, uid, gid, w->pid > 0 && w->st == W_IDLE ? (int)m[1] : -1);
		return;
	}
	log_error("sieve pool: bad message from a session process (%zd bytes); dropping it", n);
	session_drop(P, si);
}

static void on_master(struct pool *P)
{
	unsigned char b;
	int fd = fdpass_recv(P->ctl, &b);
	if (fd < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		close(P->ctl);	/* let go (EOF) or broken */
		P->ctl = -1;
		return;
	}
	size_t si = P->nsess;
	for (size_t i = 0; i < P->nsess; i++)
		if (P->sess[i] < 0) {
			si = i;
			break;
		}
	if (si == P->nsess) {
		if (buf_grow_array((void **)&P->sess, &P->sess_cap, P->nsess + 1, sizeof(int),
				   1 << 20, NULL) < 0) {
			close(fd);	/* that session forks its own workers */
			return;
		}
		P->nsess++;
	}
	P->sess[si] = fd;
}

static void reap(struct pool *P)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (int i = 0; i < POOL_MAX_WORKERS; i++)
			if (P->w[i].st != W_FREE && P->w[i].pid == pid) {
				if (P->w[i].st == W_LEASED)
					P->w[i].pid = 0;	/* its session sees EOF */
				else
					worker_close(P, &P->w[i], false);
			}
}

static void pool_loop(struct pool *P)
{
	struct pollfd *pfd = NULL;
	size_t pfd_cap = 0;
	int *who = NULL;	/* pfd index -> session (>= 0), worker (-2 - slot), master (-1) */
	size_t who_cap = 0;
	for (;;) {
		reap(P);
		size_t live = 0;
		for (size_t i = 0; i < P->nsess; i++)
			live += P->sess[i] >= 0;
		if (P->ctl < 0 && live == 0)
			break;
		size_t need = 1 + P->nsess + POOL_MAX_WORKERS;
		if (buf_grow_array((void **)&pfd, &pfd_cap, need, sizeof(*pfd), 1 << 22, NULL) < 0 ||
		    buf_grow_array((void **)&who, &who_cap, need, sizeof(*who), 1 << 22, NULL) < 0) {
			sleep(1);	/* out of memory: try again, sessions wait */
			continue;
		}
		size_t n = 0;
		if (P->ctl >= 0) {
			pfd[n] = (struct pollfd){ P->ctl, POLLIN, 0 };
			who[n++] = -1;
		}
		for (size_t i = 0; i < P->nsess; i++)
			if (P->sess[i] >= 0) {
				pfd[n] = (struct pollfd){ P->sess[i], POLLIN, 0 };
				who[n++] = (int)i;
			}
		long long now = mono_ms(), timeout = serve_late(P, now);
		for (int i = 0; i < POOL_MAX_WORKERS; i++) {
			struct pworker *w = &P->w[i];
			if (w->st != W_IDLE || w->fd < 0)
				continue;
			if (now - w->idle_since >= POOL_IDLE_MS) {
				worker_close(P, w, false);	/* EOF: it exits */
				continue;
			}
			if (POOL_IDLE_MS - (now - w->idle_since) < timeout)
				timeout = POOL_IDLE_MS - (now - w->idle_since);
			/* hang-up only: an idle worker says nothing */
			pfd[n] = (struct pollfd){ w->fd, 0, 0 };
			who[n++] = -2 - i;
		}
		int r = poll(pfd, n, (int)timeout);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t k = 0; r > 0 && k < n; k++) {
			if (!pfd[k].revents)
				continue;
			if (who[k] == -1)
				on_master(P);
			else if (who[k] >= 0) {
				if ((size_t)who[k] < P->nsess && P->sess[who[k]] == pfd[k].fd)
					on_session(P, (size_t)who[k]);
			} else {
				struct pworker *w = &P->w[-2 - who[k]];
				if (w->st == W_IDLE && w->fd == pfd[k].fd)
					worker_close(P, w, true);	/* it ended or broke */
			}
		}
	}
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st != W_FREE)
			worker_close(P, &P->w[i], false);
	free(pfd);
	free(who);
	free(P->wait);
}

int sieve_pool_start(struct sieve_pool *p, const struct conf *c, const int *close_fds,
		     size_t n, const char **error_r)
{
	static char err[200];
	int ctl;
	p->pid = 0;
	p->ctl = -1;
	pid_t pid = fdpass_spawn(close_fds, n, &ctl, err, sizeof(err));
	if (pid < 0) {
		*error_r = err;
		return -1;
	}
	if (pid == 0) {
		/* workers are reaped in the loop (SIGCHLD default) */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		struct pool P = { .c = c, .ctl = ctl,
				  .soft = ncpu > 2 ? (ncpu > 16 ? 32 : (int)ncpu * 2) : 4 };
		for (int i = 0; i < POOL_MAX_WORKERS; i++)
			P.w[i].fd = -1;
		pool_loop(&P);
		_exit(0);
	}
	p->pid = pid;
	p->ctl = ctl;
	return 0;
}

int sieve_pool_attach(struct sieve_pool *p)
{
	if (p->pid <= 0)
		return -1;
	return fdpass_attach(p->ctl, 0);
}

void sieve_pool_release(struct sieve_pool *p)
{
	if (p->ctl >= 0)
		close(p->ctl);
	p->ctl = -1;
	p->pid = 0;
}

/* ------------------------------------------------------------------ */
/* a session process                                                  */

static int pool_fd = -1;
static pid_t pool_owner;	/* the process pool_fd belongs to */
static bool pool_gone;

void sieve_pool_use(int fd)
{
	pool_fd = fd;
	pool_owner = self_pid();
	pool_gone = false;
}

bool sieve_pool_lost(void)
{
	return pool_gone;
}

static void pool_lose(void)
{
	if (pool_fd >= 0)
		close(pool_fd);
	pool_fd = -1;
	pool_gone = true;
}

int sieve_pool_lease(uid_t uid, gid_t gid, long long deadline, unsigned char *slot_r)
{
	if (pool_fd < 0 || pool_owner != self_pid())
		return -1;	/* none, or inherited by a fork: not ours */
	unsigned char m[9] = { 'L' };
	uint32_t u = (uint32_t)uid, g = (uint32_t)gid;
	memcpy(m + 1, &u, 4);
	memcpy(m + 5, &g, 4);
	if (send(pool_fd, m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m)) {
		pool_lose();
		return -1;
	}
	for (;;) {
		long long left = deadline - mono_ms();
		struct pollfd p = { pool_fd, POLLIN, 0 };
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* a late reply would answer the next lease: never
			 * use this socket again */
			log_error("sieve pool: no answer before the deadline; this session "
				  "forks its own workers");
			pool_lose();
			return -1;
		}
		break;
	}
	unsigned char b = 0;
	errno = 0;
	int fd = fdpass_recv(pool_fd, &b);
	if (fd >= 0) {
		*slot_r = b;
		return fd;
	}
	if (errno == EBADMSG && b == 'N')
		return -1;	/* none free: fork one of our own this time */
	pool_lose();
	return -1;
}

void sieve_pool_return(unsigned char slot, bool clean)
{
	if (pool_fd < 0 || pool_owner != self_pid())
		return;
	unsigned char m[2] = { clean ? 'C' : 'D', slot };
	if (send(pool_fd, m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		pool_lose();
}
