/* sieve_private.h - what the three parts of the Sieve stage share, and
 * nothing else includes:
 *
 *   sieve.c         libsieve glue: callbacks, one script in this process
 *                   (sieve_run_script), sieve_check, the user's path
 *   sieve_plan.c    which scripts run in what order, merging their results
 *                   into a delivery plan (sieve_evaluate, sieve_merge_*)
 *   sieve_worker.c  where scripts run: worker processes, their request and
 *                   result records, deadlines (the pool is sieve_pool.c)
 *
 * Data flows plan -> worker -> (in the worker process) glue -> result
 * record -> worker -> plan.
 */
#ifndef AUTHDELIVER_SIEVE_PRIVATE_H
#define AUTHDELIVER_SIEVE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sieve.h"

/* Record the first error of a script (later ones are dropped); the text
 * is kept one printable line for the log. */
void sieve_result_fail(struct sieve_result *res, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void sieve_vacation_free(struct sieve_vacation *v);

/* editheader (RFC 5293): may a script add (adding) or delete a field of
 * this name?  And is e a state a script could have produced for m
 * (added fields well-formed, folded, ASCII, not protected, within
 * SIEVE_MAX_ADDED; deleted indexes ascending, in m, not protected)?  The
 * session checks every worker's answer with it: the worker runs the
 * user's script and is not trusted. */
bool sieve_field_protected(const char *name, size_t len, bool adding);
bool sieve_edits_valid(const struct sieve_edits *e, const struct msg *m);

/* Add Maildir flag letters to a sorted set of at most 7 letters (out has
 * room for 8 bytes), keeping it in ASCII order as Maildir wants. */
void sieve_flags_merge(char out[8], const char *letters);

/* Read a script file, at most max bytes: malloc'd and NUL-terminated, or
 * NULL with errno (ENOENT: no script) and *why for the log. */
char *sieve_read_script(const char *path, size_t max, size_t *len_r, const char **why);

/* Run the first existing script of paths (user, then default) in a worker
 * process as the mailbox owner, within sieve_timeout.  0 with *res set (a
 * crash, timeout or garbage answer is a failed result), or -1 with
 * *error_r when no worker could be had at all. */
int sieve_run_worker(const struct sieve_env *env, const char *const *paths, size_t npaths,
		     struct sieve_result *res, const char **error_r);

/* The same in two halves, so that the session can write the message into
 * tmp/ while a pool worker evaluates: sieve_job_start() encodes the
 * request and hands it to the pool (-1 with *error_r: the request could
 * not be built); sieve_job_finish() reads the answer, or does the whole
 * evaluation when the pool did not take the job (its own worker), with
 * sieve_run_worker()'s results, and releases the job.
 * sieve_job_running(): a pool worker has it.  sieve_job_cancel() drops a
 * job (its answer goes nowhere: an evaluation has no effect of its own);
 * safe on a finished one.  env and paths must stay alive until then. */
struct sieve_job {
	const struct sieve_env *env;	/* what the request is made of */
	const char *const *paths;
	size_t npaths;
	int fd;			/* the job's socket, -1: not handed to the pool */
	uint32_t seq;		/* the pool's number for it (sieve_pool_kill) */
	size_t sent;		/* bytes of req the socket took at once */
	long long deadline;	/* mono_ms() */
	struct buf req;
};
int sieve_job_start(const struct sieve_env *env, const char *const *paths, size_t npaths,
		    struct sieve_job *j, const char **error_r);
bool sieve_job_running(const struct sieve_job *j);
int sieve_job_finish(struct sieve_job *j, struct sieve_result *res, const char **error_r);
void sieve_job_cancel(struct sieve_job *j);

#endif
