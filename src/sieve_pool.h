/* sieve_pool.h - Sieve evaluation workers shared by the LMTP server's
 * session processes (sieve_shared_workers).
 *
 * The master starts one pool process (sieve_pool_start); each session
 * process gets its own socket to it (sieve_pool_attach, before the fork;
 * sieve_pool_use, in the child).  For each script evaluation a session
 * leases an idle worker of the mailbox owner (uid/gid), has it alone for
 * that evaluation, and gives it back; the pool forks workers as needed
 * and lets idle ones go.  So the number of workers follows the number of
 * evaluations at once, not the number of sessions times owners.
 *
 * Isolation (unchanged or better than a worker per session): a worker
 * runs with the owner's uid and is forked from the pool, which holds no
 * message, no listener and no session; a lease is exclusive, so a slow or
 * hostile script stalls only the session that asked; a worker given back
 * "dirty" (timeout, bad answer) or held by a session that died is
 * killed.  Without the pool (pipe mode, the pool gone, no free slot) the
 * session forks a worker of its own as before (sieve_worker.c).
 */
#ifndef AUTHDELIVER_SIEVE_POOL_H
#define AUTHDELIVER_SIEVE_POOL_H

#include <stdbool.h>
#include <stddef.h>
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
/* Lease an idle worker running as uid/gid, waiting until deadline
 * (mono_ms()).  Its socket (the caller closes it after giving the worker
 * back) and *slot_r, or -1: no pool, pool lost, or no worker free. */
int sieve_pool_lease(uid_t uid, gid_t gid, long long deadline, unsigned char *slot_r);
/* Give the leased worker back: clean, it serves the next lease; not clean
 * (timeout, bad answer, a failed script), the pool kills it. */
void sieve_pool_return(unsigned char slot, bool clean);

/* The worker's loop (sieve_worker.c), run by the pool's workers as by a
 * session's own: serves requests on fd as mb's owner; never returns. */
void sieve_worker_main(int fd, const struct mailbox *mb, const struct conf *base)
	__attribute__((noreturn));

#endif
