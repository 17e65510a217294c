/* recorder.h - one DMARC report recorder for the whole LMTP server.
 *
 * The master starts one recorder process when dmarc_report_store is set;
 * it holds the only connection to the report store (report_store.h).
 * Each session process gets its own socket to it (recorder_attach, before
 * the fork), sends each record as a spool line without waiting, and keeps
 * it until the recorder confirms it (stored, or spooled by the recorder).
 * Takes records; returns nothing to the delivery: recorder_put() never
 * fails and never blocks longer than the store timeout.  Never loses a
 * record it was given while the spool is writable: a recorder that is
 * gone, broken or too slow makes the session spool everything not
 * confirmed (duplicates are harmless: the store ignores a uid it has) and
 * use its own report sink from then on.  Pipe mode does not use it.
 */
#ifndef AUTHDELIVER_RECORDER_H
#define AUTHDELIVER_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct conf;
struct report_rec;

/* ---- the master ---- */

struct recorder {
	pid_t pid;		/* 0: none */
	int ctl;		/* the master's end of the control socket */
};

/* Fork the recorder for configuration c; the child closes the n fds in
 * close_fds (the master's listeners and other control sockets).  0, or
 * -1 with *error_r (static). */
int recorder_start(struct recorder *r, const struct conf *c, const int *close_fds, size_t n,
		   const char **error_r);
/* A new socket to the recorder for one session process: the caller's end,
 * or -1 (that session then uses a report sink of its own). */
int recorder_attach(struct recorder *r);
/* Let it go: it writes what it holds and exits once every session process
 * has closed its socket. */
void recorder_release(struct recorder *r);

/* ---- a session process ---- */

struct recorder_client;
/* Takes fd (from recorder_attach); NULL when out of memory (fd closed). */
struct recorder_client *recorder_client_new(int fd);
/* The recorder went away (or broke the protocol, or did not confirm in
 * time): the caller uses its own report sink now; the server does not
 * reuse this process. */
bool recorder_lost(const struct recorder_client *);
/* Send rec (taken, freed here).  Never fails: the record is sent and
 * held until confirmed, or (recorder lost) spooled. */
void recorder_put(struct recorder_client *, const struct conf *c, struct report_rec *rec);
/* End of a session: wait, at most dmarc_report_timeout plus the
 * recorder's batch age, for every record sent to be confirmed; else spool
 * the rest (the recorder is then lost). */
void recorder_flush(struct recorder_client *, const struct conf *c);
/* Flush, close the socket, free.  NULL is harmless. */
void recorder_client_free(struct recorder_client *, const struct conf *c);

#endif
