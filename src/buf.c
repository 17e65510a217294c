/* buf.c - capped growable buffer, A-R and JSON escaping, scanning, full
 * read/write loops, monotonic clock (see buf.h).  Everything the intake,
 * the verifiers and the renderers used to carry a private copy of. */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : SIZE_MAX - 1;
}

void buf_clear(struct buf *b)
{
	size_t max = b->max;
	free(b->p);
	buf_init(b, max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->nomem = b->over = false;
	if (b->p)
		b->p[0] = 0;
}

int buf_status(const struct buf *b)
{
	return b->nomem || b->over ? -1 : 0;
}

int buf_reserve(struct buf *b, size_t n)
{
	if (b->nomem || b->over)
		return -1;
	if (n > b->max - b->len) {
		b->over = true;
		return -1;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
	char *np = realloc(b->p, cap);
	if (!np) {
		b->nomem = true;
		return -1;
	}
	b->p = np;
	b->cap = cap;
	b->p[b->len] = 0;	/* NUL-terminated from the first allocation on */
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int buf_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	if (buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *buf_steal(struct buf *b, size_t *len_r)
{
	if (buf_status(b) < 0 || buf_reserve(b, 0) < 0) {
		buf_clear(b);
		return NULL;
	}
	char *p = b->p;
	if (len_r)
		*len_r = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

int buf_grow_array(void **arr, size_t *cap, size_t need, size_t elem, size_t max,
		   bool *over_r)
{
	if (over_r)
		*over_r = false;
	if (need <= *cap)
		return 0;
	if (need > max || elem == 0) {
		if (over_r)
			*over_r = true;
		return -1;
	}
	size_t nc = *cap ? *cap : 32;
	while (nc < need)
		nc = nc > SIZE_MAX / 2 ? need : nc * 2;
	if (nc > max)
		nc = max;
	if (nc > SIZE_MAX / elem)
		return -1;
	void *np = realloc(*arr, nc * elem);
	if (!np)
		return -1;
	*arr = np;
	*cap = nc;
	return 0;
}

/* ---- escaping ---- */

size_t esc_comment(char *dst, size_t size, const char *src)
{
	size_t o = 0;
	if (!size)
		return 0;
	for (; src && *src && o + 1 < size; src++) {
		unsigned char ch = (unsigned char)*src;
		dst[o++] = (ch < ' ' || ch >= 127 || ch == '(' || ch == ')' || ch == '\\') ?
			'_' : (char)ch;
	}
	dst[o] = 0;
	return o;
}

/* RFC 5322 section 3.2.3 atext, plus '.' and '@': a dot-atom, a domain or
 * an addr-spec stands as it is in an RFC 8601 pvalue. */
static bool is_plain_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~.@", c));
}

void buf_ar_value(struct buf *b, const char *src)
{
	bool plain = *src != 0;
	for (const char *p = src; *p && plain; p++)
		plain = is_plain_char((unsigned char)*p);
	if (plain) {
		buf_str(b, src);
		return;
	}
	buf_add(b, "\"", 1);
	for (const char *p = src; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_add(b, e, 2);
		} else {
			char ch = (c < ' ' || c >= 127) ? '_' : (char)c;
			buf_add(b, &ch, 1);
		}
	}
	buf_add(b, "\"", 1);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 section 4:
 * no overlongs, no surrogates, at most U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0xc2 || c > 0xf4)
		return 0;
	size_t n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

void buf_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_add(b, "\"", 1);
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *run = p;
	while (*p) {
		unsigned char c = *p;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			p++;
			continue;
		}
		size_t u = c >= 0x80 ? utf8_len(p) : 0;
		if (u) {
			p += u;	/* well-formed UTF-8 stands as it is */
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_add(b, e, 2);
		} else if (c < 0x80) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_add(b, e, 6);
		} else {
			buf_add(b, "\\ufffd", 6);	/* not UTF-8: the replacement character */
		}
		run = ++p;
	}
	buf_add(b, run, (size_t)(p - run));
	buf_add(b, "\"", 1);
}

/* ---- scanning ---- */

size_t scan_wsp(const char *s, size_t len, size_t i)
{
	while (i < len && is_wsp(s[i]))
		i++;
	return i;
}

size_t scan_fws(const char *s, size_t len, size_t i)
{
	for (;;) {
		if (i < len && is_wsp(s[i]))
			i++;
		else if (i + 2 < len && s[i] == '\r' && s[i + 1] == '\n' && is_wsp(s[i + 2]))
			i += 3;
		else if (i + 1 < len && s[i] == '\n' && is_wsp(s[i + 1]))
			i += 2;
		else
			return i;
	}
}

size_t scan_lws(const char *s, size_t len, size_t i)
{
	while (i < len && (is_wsp(s[i]) || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

size_t scan_token(const char *s, size_t len, size_t i, const char *stop)
{
	size_t k = i;
	while (k < len && s[k] && !is_wsp(s[k]) && !(stop && strchr(stop, s[k])))
		k++;
	return k - i;
}

int scan_hostport(const char *spec, char *host, size_t hostsz, const char **port_r,
		  const char **err_r)
{
	const char *colon;
	size_t hl;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb || rb[1] != ':' || (hl = (size_t)(rb - spec - 1)) >= hostsz) {
			*err_r = "expected [address]:port";
			return -1;
		}
		memcpy(host, spec + 1, hl);
		colon = rb + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (hl = (size_t)(colon - spec)) >= hostsz) {
			*err_r = "expected address:port";
			return -1;
		}
		memcpy(host, spec, hl);
	}
	host[hl] = 0;
	*port_r = colon + 1;
	return 0;
}

/* ---- I/O ---- */

int write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {	/* no progress: do not spin */
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int send_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			return write_full(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int read_exact(int fd, void *p, size_t n)
{
	char *c = p;
	while (n) {
		ssize_t r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int read_full(int fd, struct buf *b)
{
	for (;;) {
		size_t want = 65536;
		if (b->max - b->len < want)
			want = b->max - b->len + 1;	/* one byte past the cap tells */
		if (b->len + want + 1 > b->cap) {
			/* room for want bytes; may go one over max transiently */
			size_t saved = b->max;
			b->max = SIZE_MAX - 1;
			int rc = buf_reserve(b, want);
			b->max = saved;
			if (rc < 0) {
				errno = ENOMEM;
				return -1;
			}
		}
		ssize_t n = read(fd, b->p + b->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->p[b->len] = 0;
		if (b->len > b->max) {
			b->over = true;
			errno = EFBIG;
			return -1;
		}
	}
}

/* ---- time ---- */

long long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- process ---- */

static pid_t pid_cached;	/* 0: ask the kernel (first use, or a forked child) */

static void pid_forget(void)
{
	__atomic_store_n(&pid_cached, 0, __ATOMIC_RELAXED);
}

pid_t self_pid(void)
{
	static bool registered;

	if (!registered) {
		/* before the first fork that could copy a cached value */
		if (pthread_atfork(NULL, NULL, pid_forget) != 0)
			return getpid();	/* cannot track forks: never cache */
		registered = true;
	}
	/* relaxed atomics: libunbound's thread may log too; both would
	 * store the same value */
	pid_t p = __atomic_load_n(&pid_cached, __ATOMIC_RELAXED);
	if (!p) {
		p = getpid();
		__atomic_store_n(&pid_cached, p, __ATOMIC_RELAXED);
	}
	return p;
}
