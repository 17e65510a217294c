/* report_store.h - where DMARC aggregate-report records wait for
 * `authdeliver report send`: SQLite (sqlite:PATH) or PostgreSQL
 * (postgresql://... libpq URI) behind one small interface.
 *
 * The store creates and migrates its own schema (versioned, one
 * transaction per step).  SQL is written once with "?" placeholders and
 * text parameters; the PostgreSQL backend numbers them.  A delivery never
 * waits on the store for long and never fails because of it: the sink
 * (report_sink_put) spools a record it cannot store, and the next store
 * open or `report send` loads the spool.
 */
#ifndef AUTHDELIVER_REPORT_STORE_H
#define AUTHDELIVER_REPORT_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct conf;
struct report_rec;

#define REPORT_STORE_SCHEMA 1	/* the version this program writes */

struct report_store;

/* Open (and create or migrate) the store; NULL and a reason (static
 * storage) on failure.  timeout_ms bounds lock waits (SQLite busy
 * timeout) and, for PostgreSQL, the connect and each statement. */
struct report_store *report_store_open(const char *uri, long timeout_ms,
				       const char **err_r);
void report_store_close(struct report_store *);
const char *report_store_error(const struct report_store *);
bool report_store_is_pg(const struct report_store *);

/* Run sql with n text parameters (NULL: SQL NULL); fn (may be NULL) sees
 * every result row and may stop with a non-zero return.  Returns the
 * rows changed (or returned), or -1 with report_store_error(). */
typedef int (*report_row_fn)(void *arg, size_t ncol, const char *const *val);
long report_store_exec(struct report_store *, const char *sql, size_t n,
		       const char *const *params, report_row_fn fn, void *arg);
/* exclusive: take the write lock now (SQLite BEGIN IMMEDIATE). */
int report_store_begin(struct report_store *, bool exclusive);
int report_store_commit(struct report_store *);
void report_store_rollback(struct report_store *);

/* Insert one record; a record whose uid is there already is ignored
 * (a spool loaded twice counts once).  0 or -1. */
int report_store_add(struct report_store *, const struct report_rec *r);

/* The send lock (one row in the store): 1 when holder now has it (until
 * now + ttl), 0 when another holder has it (named in owner_r), -1 error. */
int report_store_lock(struct report_store *, const char *holder, long long now,
		      long ttl, char *owner_r, size_t size);
void report_store_unlock(struct report_store *, const char *holder);

/* Append one record to the spool file (created 0600, fsync'd).  0 or -1. */
int report_spool_append(const char *path, const struct report_rec *r, const char **err_r);
/* Move every spooled record into the store (idempotent); returns how
 * many lines were loaded, or -1 (the spool is then left in place). */
long report_spool_load(struct report_store *, const char *path);

/* The delivery hook's per-process writer: takes rec (freed here), and
 * writes what it holds in one transaction when 32 records wait, the
 * oldest waited 2 s, or report_sink_flush() is called (end of an LMTP
 * session, end of the process).  Opens the store lazily; what it cannot
 * store goes to the spool with a log line.  Never fails, waits at most
 * the configured timeout, and after a store failure spools for 30 s
 * without trying the store.  sink_free flushes first. */
struct report_sink;
void report_sink_put(struct report_sink **sink, const struct conf *c, struct report_rec *rec);
void report_sink_flush(struct report_sink *, const struct conf *c);
/* The recorder's batch (recorder.h): the n records of recs (each freed
 * here) in one transaction, else spooled, as a flush does.  Returns how
 * many are lost (neither stored nor spooled; logged), 0 normally. */
size_t report_sink_write(struct report_sink **sink, const struct conf *c, struct report_rec **recs,
			 size_t n);
void report_sink_free(struct report_sink *, const struct conf *c);

#endif
