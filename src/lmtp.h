/* lmtp.h - one LMTP session (RFC 2033) on a connected socket.
 *
 * Takes a connected fd; speaks LMTP until QUIT, timeout, EOF or a shutdown
 * request; hands each message to deliver_message() and sends exactly one
 * reply per accepted recipient after DATA (RFC 2033 section 4.2).
 */
#ifndef AUTHDELIVER_LMTP_H
#define AUTHDELIVER_LMTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "status.h"

struct deliver_ctx;

struct lmtp_peer {
	char addr[64];		/* textual IP, or "unix" */
	bool xforward_ok;	/* peer may send XFORWARD */
};

/* *stop becomes non-zero on SIGTERM: the session finishes the transaction
 * in progress, then says 421 and ends. */
void lmtp_session(int fd, const struct lmtp_peer *peer, struct deliver_ctx *ctx,
		  volatile sig_atomic_t *stop);

/* Parse "FROM:<addr> PARAMS" / "TO:<addr> PARAMS" (RFC 5321 section 4.1.2;
 * the angle brackets are required, a source route is dropped).  Returns
 * SE_OK with malloc'd *addr_r ("" for <>) and a pointer to the parameters;
 * SE_MALFORMED (501) or SE_NOMEM (451) with *addr_r NULL and *params_r "".
 * Both out-parameters are set on every path. */
enum status_err lmtp_parse_path(const char *arg, const char *prefix, char **addr_r,
				const char **params_r);

/* DATA decoding, one line at a time (line includes its terminator).
 * Dot-unstuffing; only ".\r\n" ends the data; a bare LF line end becomes
 * CRLF; a bare CR is kept as a byte.  Returns 1 at end of data, 0 to go on. */
struct lmtp_data {
	struct buf buf;		/* capped at max_size: beyond, buf.over */
	size_t max_line;	/* beyond: line_too_long */
	bool line_too_long;
	bool in_line;		/* the previous chunk did not end the line */
	bool held_cr;		/* it ended in CR, not yet stored */
	size_t cur_line;	/* length of the current line so far */
};
void lmtp_data_init(struct lmtp_data *d, size_t max_size, size_t max_line);
int lmtp_data_line(struct lmtp_data *d, const char *line, size_t len);
/* After the end: SE_OK, SE_TOO_BIG (size or line length), SE_NOMEM. */
enum status_err lmtp_data_status(const struct lmtp_data *d);

#endif
