/* sieve_pool.h - Sieve evaluation workers shared by the LMTP server's
 * session processes (sieve_shared_workers).
 *
 * The master starts one pool process (sieve_pool_start); each session
 * process gets its own socket to it (sieve_pool_attach, before the fork;
 * sieve_pool_use, in the child).  For each script evaluation a session
 * makes a job: a fresh socket pair, the request written into one end, the
 * other end handed to the pool (sieve_pool_submit).  The pool passes it to
 * an idle worker of the mailbox owner (uid/gid), which reads the request
 * there, answers there and is free again at once; the session reads the
 * answer on its end.  So a worker is held only while it evaluates (a
 * fraction of a millisecond), not across the session's own wake-ups, and
 * the number of workers follows the evaluations under way.
 *
 * Isolation (unchanged or better than a worker per session): a worker
 * runs with the owner's uid and is forked from the pool, which holds no
 * message, no listener and no session; a worker has one job at a time,
 * so a slow or hostile script stalls only the session that asked; the
 * pool kills a worker whose job is past its deadline, whose session asks
 * it to (a timeout or a bad answer: sieve_pool_kill) or whose session
 * died.  Without the pool (pipe mode, the pool gone, the pool refusing a
 * job) the session forks a worker of its own as before (sieve_worker.c).
 */
#ifndef AUTHDELIVER_SIEVE_POOL_H
#define AUTHDELIVER_SIEVE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct conf;
struct mailbox;

/* ---- the master ---- */

struct sieve_pool {
	pid_t pid;		/* 0: none */
	int ctl;		/* the master's end of the control socket */
};

/* Fork the pool for configuration c; the child closes the n fds in
 * close_fds (the master's listeners and other control sockets).  0, or
 * -1 with *error_r (static). */
int sieve_pool_start(struct sieve_pool *p, const struct conf *c, const int *close_fds,
		     size_t n, const char **error_r);
/* A new socket to the pool for one session process: the caller's end, or
 * -1 (that session then forks workers of its own). */
int sieve_pool_attach(struct sieve_pool *p);
/* Let it go: it exits once every session process has closed its socket. */
void sieve_pool_release(struct sieve_pool *p);

/* ---- a session process ---- */

/* This process's socket to the pool (from sieve_pool_attach), or -1. */
void sieve_pool_use(int fd);
/* The pool went away (or broke the protocol) during this process's life:
 * it uses workers of its own now; the server does not reuse it. */
bool sieve_pool_lost(void);
/* Hand one evaluation to the pool: a new job socket, as much of req (len
 * bytes) written into it as fits without waiting (*sent_r), passed to
 * the pool for a worker running as uid/gid until deadline (mono_ms()).
 * Returns the session's end of the job socket (the caller writes the
 * rest, reads the answer there, closes it) with *seq_r, or -1: no pool or
 * pool lost (the caller forks a worker of its own).  On the job socket
 * the answer is the worker's, or the u32 SIEVE_POOL_REFUSED from the pool
 * (no worker to be had: fork one of its own this time). */
#define SIEVE_POOL_REFUSED UINT32_MAX
int sieve_pool_submit(uid_t uid, gid_t gid, long long deadline, const void *req, size_t len,
		      size_t *sent_r, uint32_t *seq_r);
/* The answer to job seq is late or bad: the pool kills its worker. */
void sieve_pool_kill(uint32_t seq);
/* While waiting for a job's answer: true when the pool has not read what
 * this process sent it SIEVE_POOL_TAKE_MS ago or more (a stopped pool
 * takes no job, and without this every recipient would wait its whole
 * sieve_timeout).  Then sieve_pool_give_up(): one log line, and this
 * process does without the pool (sieve_pool_lost()), forking workers of
 * its own for this job and the rest of its session. */
#define SIEVE_POOL_TAKE_MS 1000
bool sieve_pool_stalled(void);
void sieve_pool_give_up(void);

/* The worker's loops (sieve_worker.c).  A session's own worker serves
 * requests on fd; a pool worker (jobs = true) gets its jobs' sockets on
 * fd, serves one request on each and says "F" on fd when it is free.
 * Both run as mb's owner; never return. */
void sieve_worker_main(int fd, const struct mailbox *mb, const struct conf *base, bool jobs)
	__attribute__((noreturn));

#endif
