/* msg.h - one received message: the bytes as received and a header index
 * (GMime is used on single header values where RFC 2047 or address parsing
 * is needed, never on the whole message).
 *
 * The bytes are kept in wire form (lines end in CRLF) exactly as received,
 * after dot-unstuffing and bare-LF normalisation by the intake.  Nothing
 * here ever re-serializes the message: verifiers read slices, delivery
 * writes the original bytes (minus dropped header fields) after the
 * prepended headers.
 *
 * Pointers returned by msg_hdr_*() borrow from the message and are valid
 * while the struct msg lives.
 */
#ifndef AUTHDELIVER_MSG_H
#define AUTHDELIVER_MSG_H

#include <stddef.h>
#include <stdbool.h>

#include "status.h"

struct msg_hdr {
	size_t off;		/* start of the field name */
	size_t name_len;	/* length of the name (no colon, no WSP) */
	size_t len;		/* whole field incl. folded lines and final CRLF */
};

struct msg {
	char *data;		/* owned; CRLF wire form; NUL after len */
	size_t len;
	struct msg_hdr *hdrs;
	size_t nhdrs;
	size_t body_off;	/* first byte of the body (after the blank line) */
	bool has_body_sep;	/* a blank line separated header and body */
};

#define MSG_NOT_FOUND ((size_t)-1)

/* Take ownership of data (malloc'd, len bytes, CRLF lines) and index the
 * header.  Returns SE_OK (0) with *error_r NULL, or a negative kind with a
 * reason: SE_MALFORMED "too many header fields" past max_headers (554
 * 5.6.0, EX_DATAERR), SE_NOMEM "out of memory" (451 4.3.0, EX_TEMPFAIL);
 * status_from_err() maps it.  m owns data either way: msg_clear(). */
enum status_err msg_init(struct msg *m, char *data, size_t len, size_t max_headers,
			 const char **error_r);
void msg_clear(struct msg *m);

/* Index of the first header named name (case-insensitive) at or after
 * index start, or MSG_NOT_FOUND. */
size_t msg_hdr_find(const struct msg *m, const char *name, size_t start);
/* Number of header fields named name. */
size_t msg_hdr_count(const struct msg *m, const char *name);
/* Name of header i (not NUL-terminated; length in hdrs[i].name_len). */
const char *msg_hdr_name(const struct msg *m, size_t i);
/* Raw value of header i: the bytes after the colon, including folding
 * and the final CRLF; *len_r gets the length. */
const char *msg_hdr_raw_value(const struct msg *m, size_t i, size_t *len_r);
/* Unfolded value without leading/trailing WSP, malloc'd. */
char *msg_hdr_value(const struct msg *m, size_t i);
/* Does header i have this name (case-insensitive)? */
bool msg_hdr_is(const struct msg *m, size_t i, const char *name);

/* Message-ID without angle brackets for logs, or "-"; malloc'd. */
char *msg_message_id(const struct msg *m);

/* Convert LF line ends to CRLF (pipe input); bare CR bytes are kept.
 * Returns a new malloc'd buffer, or NULL on overflow/oom. */
char *msg_lf_to_crlf(const char *in, size_t len, size_t *len_r);

#endif
