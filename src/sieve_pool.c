/* sieve_pool.c - Sieve workers shared by the session processes
 * (sieve_pool.h).
 *
 * The pool is one event loop over: the control socket from the master
 * (new session sockets arrive on it), one SOCK_SEQPACKET socket per
 * session, and one SOCK_SEQPACKET socket per worker.
 *
 *   session -> pool   "R" uid(4) gid(4) deadline(8) seq(4) + job socket
 *   session -> pool   "K" seq(4)   the answer was late or bad: kill it
 *   pool -> worker    "J" + job socket
 *   worker -> pool    "F"          done, free for the next job (read
 *                                  when the pool needs to know: collect)
 *
 * The pool never writes to a session's socket and never reads a job:
 * its only word on a job socket is the u32 SIEVE_POOL_REFUSED, sent
 * without waiting into a socket the session is about to read.  It forks
 * workers from itself: small, holding no message and no session's
 * descriptor.
 *
 * How many workers: an evaluation takes well under a millisecond of CPU,
 * so more workers of one owner than the machine has CPUs (twice, 4 at
 * least: the soft limit) only cost memory.  Past the soft limit a job
 * waits for a worker of its owner to be free; a new worker is forked
 * beyond it only in place of a stuck one (on its job for POOL_STUCK_MS:
 * a hostile script, a worker stopped on a dead file server), so a hung
 * worker delays another session's evaluation by about POOL_STUCK_MS,
 * never until its sieve_timeout, and a burst of ordinary jobs does not
 * grow the pool.
 */
#include "sieve_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "buf.h"
#include "conf.h"
#include "fdpass.h"
#include "log.h"
#include "recipient.h"

#define POOL_MAX_WORKERS 128
#define POOL_MAX_QUEUE 1024	/* jobs waiting; beyond: refused */
#define POOL_IDLE_MS 60000	/* an idle worker is let go after this */
#define POOL_STUCK_MS 100	/* a worker this long on one job is stuck */
#define POOL_KILL_GRACE_MS 500	/* past a job's deadline: kill its worker */
#define WORKER_MAX_JOBS 1000	/* then retired: libsieve's leaks stay bounded */

enum wstate { W_FREE = 0, W_IDLE, W_BUSY };

struct job {
	int fd;			/* the pool's copy of the job socket */
	size_t si;		/* the session that sent it */
	uint32_t seq;
	uid_t uid;
	gid_t gid;
	long long deadline, since;
};

struct pworker {
	enum wstate st;
	pid_t pid;
	int fd;			/* the pool's end of the worker's socket */
	uid_t uid;
	gid_t gid;
	size_t si;		/* while W_BUSY: whose job, which one */
	uint32_t seq;
	long long deadline, started, idle_since;
	unsigned jobs;
};

struct pool {
	const struct conf *c;
	int ctl;		/* -1 once the master let go */
	int *sess;		/* session sockets, -1: free */
	size_t nsess, sess_cap;
	struct pworker w[POOL_MAX_WORKERS];
	int soft;		/* workers per owner before jobs wait */
	struct job *q;		/* waiting jobs, oldest first */
	size_t nq, q_cap;
	unsigned exits_due;	/* workers let go or killed, not yet reaped */
};

/* ------------------------------------------------------------------ */
/* the pool process                                                   */

static void worker_close(struct pool *P, struct pworker *w, bool kill_it)
{
	if (w->pid > 0) {
		if (kill_it)
			kill(w->pid, SIGKILL);
		P->exits_due++;	/* not killed: EOF on its socket ends it */
	}
	if (w->fd >= 0)
		close(w->fd);
	*w = (struct pworker){ .st = W_FREE, .fd = -1 };
}

static struct pworker *spawn(struct pool *P, uid_t uid, gid_t gid)
{
	struct pworker *w = NULL;
	for (int i = 0; i < POOL_MAX_WORKERS && !w; i++)
		if (P->w[i].st == W_FREE)
			w = &P->w[i];
	/* all slots taken: the longest idle worker of another owner goes */
	for (int i = 0; i < POOL_MAX_WORKERS && !w; i++)
		if (P->w[i].st == W_IDLE && (!w || P->w[i].idle_since < w->idle_since))
			w = &P->w[i];
	if (!w)
		return NULL;
	if (w->st != W_FREE)
		worker_close(P, w, false);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return NULL;
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
		sieve_worker_main(3, &mb, P->c, true);	/* never returns */
	}
	close(sv[1]);
	*w = (struct pworker){ .st = W_IDLE, .pid = pid, .fd = sv[0], .uid = uid, .gid = gid,
			       .idle_since = mono_ms() };
	return w;
}

/* No worker for this job: say so on its socket (4 bytes into an empty
 * socket the session reads next: never blocks) and let it go. */
static void refuse(struct job *j)
{
	uint32_t no = SIEVE_POOL_REFUSED;
	(void)!send(j->fd, &no, sizeof(no), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(j->fd);
	j->fd = -1;
}

/* Give job j to idle worker w; false (j untouched, w killed) if the
 * worker could not take it. */
static bool give(struct pool *P, struct pworker *w, struct job *j, long long now)
{
	if (fdpass_sendmsg(w->fd, j->fd, "J", 1, MSG_DONTWAIT) < 0) {
		worker_close(P, w, true);
		return false;
	}
	close(j->fd);	/* the worker has its own copy now */
	j->fd = -1;
	w->st = W_BUSY;
	w->si = j->si;
	w->seq = j->seq;
	w->deadline = j->deadline;
	w->started = now;
	w->jobs++;
	return true;
}

static struct pworker *idle_worker(struct pool *P, uid_t uid, gid_t gid)
{
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st == W_IDLE && P->w[i].uid == uid && P->w[i].gid == gid)
			return &P->w[i];
	return NULL;
}

/* May a new worker of uid/gid be forked now?  Below the soft limit, yes;
 * past it, only in place of a stuck one (every worker beyond the soft
 * limit stands for a stuck worker).  Sets *later_r to the ms until the
 * answer may change (a busy worker becomes stuck), or leaves it. */
static bool may_spawn(const struct pool *P, uid_t uid, gid_t gid, long long now, long long *later_r)
{
	int n = 0, stuck = 0;
	for (int i = 0; i < POOL_MAX_WORKERS; i++) {
		const struct pworker *w = &P->w[i];
		if (w->st == W_FREE || w->uid != uid || w->gid != gid)
			continue;
		n++;
		if (w->st != W_BUSY)
			continue;
		long long age = now - w->started;
		if (age >= POOL_STUCK_MS)
			stuck++;
		else if (later_r && POOL_STUCK_MS - age < *later_r)
			*later_r = POOL_STUCK_MS - age;
	}
	return n < P->soft + stuck;
}

static void on_worker(struct pool *P, struct pworker *w, long long now);

/* A busy worker's "F" is not waited for (poll asks a busy worker for
 * hang-up only, unless jobs wait for its owner): it is collected here,
 * without waiting, when it matters: before a job of that owner is placed,
 * before a worker counts as stuck or past its deadline, before a session's
 * workers are killed.  That saves the pool one wake-up per evaluation; a
 * recv() that finds nothing costs far less. */
static void collect(struct pool *P, uid_t uid, gid_t gid)
{
	long long now = mono_ms();
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st == W_BUSY && P->w[i].uid == uid && P->w[i].gid == gid)
			on_worker(P, &P->w[i], now);
}

/* Find j a worker: 1 given, 0 none yet (j waits), -1 none to be had
 * (refuse it). */
static int place(struct pool *P, struct job *j, long long now)
{
	collect(P, j->uid, j->gid);
	for (int tries = 0; tries < 4; tries++) {
		struct pworker *w = idle_worker(P, j->uid, j->gid);
		if (!w && may_spawn(P, j->uid, j->gid, now, NULL))
			w = spawn(P, j->uid, j->gid);
		if (!w)
			break;
		if (give(P, w, j, now))
			return 1;
	}
	/* wait only for a worker of the owner that will be free */
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st == W_BUSY && P->w[i].uid == j->uid && P->w[i].gid == j->gid)
			return 0;
	return -1;
}

/* The waiting jobs, oldest first, that can have a worker now; returns
 * the ms until something is due (a deadline, a worker becoming stuck). */
static long long serve_queue(struct pool *P, long long now)
{
	long long next = 1000;
	for (size_t i = 0; i < P->nq; ) {
		struct job *j = &P->q[i];
		/* its session gives up at the deadline and says so ("K"): the
		 * pool closes one still waiting only after the grace, so that
		 * the session sees its own timeout, not a closed job */
		long long end = j->deadline + POOL_KILL_GRACE_MS;
		int r = end <= now ? -2 : place(P, j, now);
		if (r == 0) {
			if (end - now < next)
				next = end - now;
			may_spawn(P, j->uid, j->gid, now, &next);
			i++;
			continue;
		}
		if (r == -1)
			refuse(j);
		else if (r == -2) {
			close(j->fd);	/* its session gave up already */
			j->fd = -1;
		}
		memmove(j, j + 1, (P->nq - i - 1) * sizeof(*j));
		P->nq--;
	}
	return next;
}

static void session_drop(struct pool *P, size_t si)
{
	/* its jobs: nobody reads their answers (a worker that answered
	 * already is free, not killed) */
	long long now = mono_ms();
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st == W_BUSY && P->w[i].si == si)
			on_worker(P, &P->w[i], now);
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st == W_BUSY && P->w[i].si == si)
			worker_close(P, &P->w[i], true);
	for (size_t i = 0; i < P->nq; )
		if (P->q[i].si == si) {
			close(P->q[i].fd);
			memmove(&P->q[i], &P->q[i + 1], (P->nq - i - 1) * sizeof(*P->q));
			P->nq--;
		} else
			i++;
	close(P->sess[si]);
	P->sess[si] = -1;
}

static void on_session(struct pool *P, size_t si, long long now)
{
	unsigned char m[32];
	int fd;
	ssize_t n = fdpass_recvmsg(P->sess[si], &fd, m, sizeof(m), MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		session_drop(P, si);
		return;
	}
	if (m[0] == 'R' && n == 21 && fd >= 0) {
		struct job j = { .fd = fd, .si = si, .since = now };
		uint32_t uid, gid;
		int64_t dl;
		memcpy(&uid, m + 1, 4);
		memcpy(&gid, m + 5, 4);
		memcpy(&dl, m + 9, 8);
		memcpy(&j.seq, m + 17, 4);
		j.uid = (uid_t)uid;
		j.gid = (gid_t)gid;
		j.deadline = dl;
		int r = place(P, &j, now);
		if (r == 0 && (P->nq >= POOL_MAX_QUEUE ||
			       buf_grow_array((void **)&P->q, &P->q_cap, P->nq + 1, sizeof(*P->q),
					      POOL_MAX_QUEUE, NULL) < 0))
			r = -1;
		if (r == 0)
			P->q[P->nq++] = j;
		else if (r < 0)
			refuse(&j);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (m[0] == 'K' && n == 5) {
		uint32_t seq;
		memcpy(&seq, m + 1, 4);
		for (int i = 0; i < POOL_MAX_WORKERS; i++)
			if (P->w[i].st == W_BUSY && P->w[i].si == si && P->w[i].seq == seq)
				worker_close(P, &P->w[i], true);
		for (size_t i = 0; i < P->nq; i++)
			if (P->q[i].si == si && P->q[i].seq == seq) {
				close(P->q[i].fd);
				memmove(&P->q[i], &P->q[i + 1], (P->nq - i - 1) * sizeof(*P->q));
				P->nq--;
				break;
			}
		return;
	}
	log_error("sieve pool: bad message from a session process (%zd bytes); dropping it", n);
	session_drop(P, si);
}

static void on_worker(struct pool *P, struct pworker *w, long long now)
{
	char b[8];
	ssize_t n = recv(w->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == 1 && b[0] == 'F' && w->st == W_BUSY) {
		w->st = W_IDLE;
		w->idle_since = now;
		if (w->jobs >= WORKER_MAX_JOBS)
			worker_close(P, w, false);
		return;
	}
	/* it ended (a failed script ends its worker), or broke the protocol;
	 * a job it had sees EOF: its session asks once more */
	worker_close(P, w, true);
}

static void on_master(struct pool *P)
{
	bool gone;
	int fd = fdpass_accept(P->ctl, &gone);
	if (fd < 0) {
		if (!gone)
			return;	/* a session without a socket forks its own workers */
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

/* Workers let go or killed: collect them (only then: a wait per loop
 * turn would be a system call per job). */
static void reap(struct pool *P)
{
	int st;
	while (P->exits_due > 0 && waitpid(-1, &st, WNOHANG) > 0)
		P->exits_due--;
}

/* Timers: busy workers past their job's deadline, idle ones past
 * POOL_IDLE_MS.  Returns the ms until the next is due (at most next). */
static long long worker_timers(struct pool *P, long long now, long long next)
{
	for (int i = 0; i < POOL_MAX_WORKERS; i++) {
		struct pworker *w = &P->w[i];
		long long due;
		if (w->st == W_BUSY && w->deadline + POOL_KILL_GRACE_MS <= now)
			on_worker(P, w, now);	/* done, only not collected? */
		if (w->st == W_BUSY)
			due = w->deadline + POOL_KILL_GRACE_MS - now;
		else if (w->st == W_IDLE)
			due = w->idle_since + POOL_IDLE_MS - now;
		else
			continue;
		if (due <= 0) {
			if (w->st == W_BUSY)
				log_error("sieve pool: worker %ld still on a job past its deadline; "
					  "killed", (long)w->pid);
			worker_close(P, w, w->st == W_BUSY);
			continue;
		}
		if (due < next)
			next = due;
	}
	return next;
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
		long long now = mono_ms();
		long long timeout = worker_timers(P, now, serve_queue(P, now));
		if (P->exits_due > 0 && timeout > 100)
			timeout = 100;	/* a killed worker to collect */
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
		for (int i = 0; i < POOL_MAX_WORKERS; i++)
			if (P->w[i].st != W_FREE) {
				/* hang-up only (see collect), unless a job of
				 * its owner waits for it to be free */
				short ev = 0;
				for (size_t q = 0; !ev && P->w[i].st == W_BUSY && q < P->nq; q++)
					if (P->q[q].uid == P->w[i].uid && P->q[q].gid == P->w[i].gid)
						ev = POLLIN;
				pfd[n] = (struct pollfd){ P->w[i].fd, ev, 0 };
				who[n++] = -2 - i;
			}
		int r = poll(pfd, n, (int)(timeout < 0 ? 0 : timeout));
		if (r < 0 && errno != EINTR)
			break;
		now = mono_ms();
		/* workers first: a worker's "F" and its session's end in the
		 * same turn must not kill a worker that has answered */
		for (size_t k = 0; r > 0 && k < n; k++) {
			if (!pfd[k].revents || who[k] > -2)
				continue;
			struct pworker *w = &P->w[-2 - who[k]];
			if (w->st != W_FREE && w->fd == pfd[k].fd)
				on_worker(P, w, now);
		}
		for (size_t k = 0; r > 0 && k < n; k++) {
			if (!pfd[k].revents || who[k] <= -2)
				continue;
			if (who[k] == -1)
				on_master(P);
			else if (who[k] >= 0) {
				if ((size_t)who[k] < P->nsess && P->sess[who[k]] == pfd[k].fd)
					on_session(P, (size_t)who[k], now);
			}
		}
	}
	for (int i = 0; i < POOL_MAX_WORKERS; i++)
		if (P->w[i].st != W_FREE)
			worker_close(P, &P->w[i], false);
	for (size_t i = 0; i < P->nq; i++)
		close(P->q[i].fd);
	free(pfd);
	free(who);
	free(P->q);
	free(P->sess);
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
		/* a socket per session, each session's job socket while it
		 * waits, a socket per worker, and a few more (log, control) */
		fdpass_raise_nofile("sieve pool", 2 * (rlim_t)c->lmtp_max_connections +
						      POOL_MAX_WORKERS + 16);
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
static uint32_t job_seq;
static long long pool_sent_ms;	/* mono_ms() of our last message to the pool */

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

int sieve_pool_submit(uid_t uid, gid_t gid, long long deadline, const void *req, size_t len,
		      size_t *sent_r, uint32_t *seq_r)
{
	*sent_r = 0;
	if (pool_fd < 0 || pool_owner != self_pid())
		return -1;	/* none, or inherited by a fork: not ours */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	/* the request first, as far as the socket takes it now: the worker
	 * finds it waiting (the rest the caller writes under its deadline) */
	ssize_t w;
	while ((w = send(sv[0], req, len, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	*sent_r = w > 0 ? (size_t)w : 0;
	unsigned char m[21] = { 'R' };
	uint32_t u = (uint32_t)uid, g = (uint32_t)gid, seq = ++job_seq;
	int64_t dl = deadline;
	memcpy(m + 1, &u, 4);
	memcpy(m + 5, &g, 4);
	memcpy(m + 9, &dl, 8);
	memcpy(m + 17, &seq, 4);
	int rc = fdpass_sendmsg(pool_fd, sv[1], m, sizeof(m), MSG_DONTWAIT);
	close(sv[1]);
	if (rc < 0) {
		/* gone, or so far behind that its socket is full */
		log_error("sieve pool: cannot hand it a job (%s); this session forks its own "
			  "workers", strerror(errno));
		pool_lose();
		close(sv[0]);
		return -1;
	}
	pool_sent_ms = mono_ms();
	*seq_r = seq;
	return sv[0];
}

bool sieve_pool_stalled(void)
{
	if (pool_fd < 0 || pool_owner != self_pid() || mono_ms() - pool_sent_ms < SIEVE_POOL_TAKE_MS)
		return false;
	/* SIOCOUTQ: what we sent and the pool has not read yet.  The pool
	 * reads its sessions' sockets as soon as poll() says so; something
	 * we sent SIEVE_POOL_TAKE_MS ago still there means a pool that does
	 * not run (stopped, or starved of CPU for that long) */
	int q = 0;
	return ioctl(pool_fd, SIOCOUTQ, &q) == 0 && q > 0;
}

void sieve_pool_give_up(void)
{
	if (pool_fd < 0 || pool_owner != self_pid())
		return;
	log_error("sieve pool: the pool process has not taken this session's job for %d ms "
		  "(stopped?); this session forks its own workers", SIEVE_POOL_TAKE_MS);
	pool_lose();
}

void sieve_pool_kill(uint32_t seq)
{
	if (pool_fd < 0 || pool_owner != self_pid())
		return;
	unsigned char m[5] = { 'K' };
	memcpy(m + 1, &seq, 4);
	if (fdpass_sendmsg(pool_fd, -1, m, sizeof(m), MSG_DONTWAIT) < 0)
		pool_lose();
	else
		pool_sent_ms = mono_ms();
}
