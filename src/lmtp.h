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
 * the angle brackets are required, a source route is dropped).  Returns 0 and
 * malloc'd *addr_r ("" for <>) and a pointer to the parameters, or -1. */
int lmtp_parse_path(const char *arg, const char *prefix, char **addr_r,
		    const char **params_r);

/* DATA decoding, one line at a time (line includes its terminator).
 * Dot-unstuffing; only ".\r\n" ends the data; a bare LF line end becomes
 * CRLF; a bare CR is kept as a byte.  Returns 1 at end of data, 0 to go on. */
struct lmtp_data {
	char *buf;
	size_t len, cap;
	size_t max_size;	/* beyond: too_big, bytes discarded */
	size_t max_line;	/* beyond: line_too_long */
	bool too_big, line_too_long, nomem;
	bool in_line;		/* the previous chunk did not end the line */
	bool held_cr;		/* it ended in CR, not yet stored */
	size_t cur_line;	/* length of the current line so far */
};
int lmtp_data_line(struct lmtp_data *d, const char *line, size_t len);

#endif
