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

#endif
