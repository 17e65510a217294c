/* buf.h - shared small primitives: a capped growable buffer (in the spirit
 * of Postfix's vstring and Dovecot's buffer.h), escaping for
 * Authentication-Results comments and values (RFC 8601) and JSON strings
 * (RFC 8259) with one set of rules, whitespace and token scanning, full
 * read/write loops and a monotonic clock.
 *
 * A struct buf is caller-owned: buf_init() / buf_clear().  Appends past the
 * cap or past memory set a sticky flag and do nothing more, so a writer can
 * append many pieces and check once (buf_status()).  The contents are
 * always NUL-terminated when p is not NULL.
 */
#ifndef AUTHDELIVER_BUF_H
#define AUTHDELIVER_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct buf {
	char *p;		/* NULL until the first append */
	size_t len, cap;
	size_t max;		/* most bytes it may hold (without the NUL) */
	bool nomem;		/* an allocation failed */
	bool over;		/* an append would have passed max */
};

/* max 0: no cap but memory. */
void buf_init(struct buf *b, size_t max);
void buf_clear(struct buf *b);		/* frees, back to empty */
void buf_reset(struct buf *b);		/* len = 0, keeps the memory and flags cleared */
/* 0, or -1 when the buffer has failed (now or before). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_str(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Room for n more bytes (and the NUL) without another allocation. */
int buf_reserve(struct buf *b, size_t n);
/* 0 while nothing failed, else -1. */
int buf_status(const struct buf *b);
/* Hand the bytes over (malloc'd, NUL-terminated; "" when empty) and reset
 * b; NULL (and b cleared) when the buffer failed. */
char *buf_steal(struct buf *b, size_t *len_r);

/* A growable array: make room for need elements of elem bytes in *arr
 * (capacity *cap, doubling from 32), at most max elements.  0, or -1 with
 * *arr unchanged (over max or out of memory; *over_r says which). */
int buf_grow_array(void **arr, size_t *cap, size_t need, size_t elem, size_t max,
		   bool *over_r);

/* ---- escaping: one set of rules ---- */

/* RFC 8601 section 2.2 / RFC 5322 ccontent: the text of an A-R comment.
 * Parentheses, backslash, controls and bytes >= 127 become '_' (a comment
 * is ASCII; an 8-bit reason would make the header non-ASCII).  Writes at
 * most size-1 bytes and a NUL; returns the length. */
size_t esc_comment(char *dst, size_t size, const char *src);
/* RFC 8601 section 2.2 pvalue: src as it is when it is a dot-atom, a
 * domain or an addr-spec (atext, '.', '@'), else as a quoted-string with
 * '"' and '\' escaped; controls and 8-bit bytes become '_'. */
void buf_ar_value(struct buf *b, const char *src);
/* RFC 8259 section 7: a JSON string with its quotes; '"' '\' escaped,
 * controls and DEL as \u00XX, well-formed UTF-8 as it is, any other byte
 * as \ufffd (RFC 8259 section 8.1: JSON text is UTF-8). */
void buf_json_str(struct buf *b, const char *s);

/* ---- scanning ---- */

static inline bool is_wsp(int c)
{
	return c == ' ' || c == '\t';
}
/* Skip WSP (SP, HTAB) from s[i], i < len; returns the new index. */
size_t scan_wsp(const char *s, size_t len, size_t i);
/* Skip FWS: WSP, and CRLF (or LF) only when WSP follows (RFC 5322
 * section 3.2.2). */
size_t scan_fws(const char *s, size_t len, size_t i);
/* Skip FWS and bare CR/LF too (header text already known to be one
 * field, e.g. a tag list copied out of a header). */
size_t scan_lws(const char *s, size_t len, size_t i);
/* Length of the token at s[i] up to the first byte in stop (or a WSP, or
 * the end). */
size_t scan_token(const char *s, size_t len, size_t i, const char *stop);

/* "address:port" or "[v6 address]:port" (a listen or connect spec, e.g.
 * lmtp_listen, metrics_listen): the address into host (hostsz bytes, may
 * be "" or "*"), *port_r at the port in spec.  0, or -1 with *err_r. */
int scan_hostport(const char *spec, char *host, size_t hostsz, const char **port_r,
		  const char **err_r);

/* ---- I/O ---- */

/* write() all of p, retrying EINTR and short writes; 0 or -1 (errno; EIO
 * when write() makes no progress). */
int write_full(int fd, const void *p, size_t n);
/* The same on a socket without SIGPIPE when the peer has gone (EPIPE
 * instead; MSG_NOSIGNAL), and write() on anything else. */
int send_full(int fd, const void *p, size_t n);
/* read() exactly n bytes into p, retrying EINTR and short reads; 0, or -1
 * with errno (errno 0: EOF came first). */
int read_exact(int fd, void *p, size_t n);
/* Read fd to EOF into b (appending).  0 at EOF; -1 with errno on a read
 * error, ENOMEM, or EFBIG when more than b->max arrived. */
int read_full(int fd, struct buf *b);

/* ---- time ---- */

/* Milliseconds on CLOCK_MONOTONIC (never goes back with the wall clock). */
long long mono_ms(void);

/* ---- process ---- */

/* getpid() once per process: glibc no longer caches it (every call is a
 * system call, several per delivered message), so the value is kept and
 * forgotten in the child of every fork() (pthread_atfork), which is how
 * session processes, Sieve workers and helpers are made.  A child made by
 * a raw clone() without exec must not call it. */
pid_t self_pid(void);

#endif
