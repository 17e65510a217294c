/* lmtp_private.h - test-only entry into the LMTP session (tests/fuzz
 * fuzz_lmtp): the real session code with another delivery function. */
#ifndef AUTHDELIVER_LMTP_PRIVATE_H
#define AUTHDELIVER_LMTP_PRIVATE_H

#include <signal.h>
#include <stdbool.h>

struct lmtp_peer;
struct deliver_ctx;
struct msg;
struct deliver_env;

typedef void lmtp_deliver_fn(struct deliver_ctx *ctx, struct msg *m, struct deliver_env *env,
			     bool all_or_nothing);

void lmtp_session_with(int fd, const struct lmtp_peer *peer, struct deliver_ctx *ctx,
		       volatile sig_atomic_t *stop, lmtp_deliver_fn *deliver);

#endif
