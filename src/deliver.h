/* deliver.h - the per-message pipeline shared by LMTP and pipe mode.
 *
 * Takes a parsed message, the envelope and the resolved recipients;
 * verifies once per message, then for each recipient plans (Sieve) and
 * writes into Maildir; returns one outcome per recipient and logs one line
 * per recipient.  Never reports success before the file is fsync'd in new/.
 */
#ifndef AUTHDELIVER_DELIVER_H
#define AUTHDELIVER_DELIVER_H

#include <stdbool.h>
#include <time.h>

#include "recipient.h"
#include "status.h"

struct msg;
struct xforward;
struct dns;

struct deliver_rcpt {
	char *address;		/* as given (no angle brackets) */
	struct mailbox mb;	/* resolved when the recipient was accepted */
	enum status_kind st;	/* outcome after deliver_message() */
	char text[256];		/* reply text after the codes */
	char folder[256];	/* where it went, for the log */
};

struct deliver_env {
	const char *mail_from;		/* "" for <> */
	const struct xforward *xf;	/* NULL when absent or untrusted */
	size_t nrcpt;
	struct deliver_rcpt *rcpt;
	long long start_ms;		/* when the transaction began (mono_ms()) */
	const char *session;		/* session id for the log */
};

/* Per-process state that lives across messages (DNS cache). */
struct report_rec;
struct report_sink;
struct recorder_client;
struct deliver_ctx {
	struct dns *dns;		/* created on first use */
	const char *dns_zone;		/* --dns-zone override, or NULL */
	int resolver_fd;		/* > 0: socket to the shared resolver
					 * (resolver.h), owned by ctx->dns */
	bool resolver_lost;		/* it went away: our own libunbound
					 * context now; the process ends
					 * after this session */
	struct report_rec *report;	/* DMARC report record of the last message */
	struct report_sink *sink;	/* the report store, opened on first use */
	struct recorder_client *recorder; /* LMTP: the shared recorder
					 * (recorder.h), or NULL; once it is
					 * lost, sink is used and the process
					 * ends after this session */
};

/* all_or_nothing: pipe mode with several recipients; stage every copy in
 * tmp/ and commit only when all staged (else every recipient tempfails). */
void deliver_message(struct deliver_ctx *ctx, struct msg *m,
		     struct deliver_env *env, bool all_or_nothing);
void deliver_ctx_clear(struct deliver_ctx *ctx);
/* Hand the last message's DMARC report record to the recorder
 * (recorder.h) or, without one, to the report sink (report_store.h,
 * which batches); called after the replies went out, so the store never
 * delays them.  deliver_ctx_idle(): a session ended, wait for the
 * recorder's confirmations (else spool) and write what the sink holds. */
void deliver_ctx_flush(struct deliver_ctx *ctx);
void deliver_ctx_idle(struct deliver_ctx *ctx);

/* Switch the effective uid/gid to the mailbox owner (when running as
 * root); deliver_unbecome() switches back.  -1 with errno on failure. */
int deliver_become(const struct mailbox *mb);
void deliver_unbecome(void);

#endif
