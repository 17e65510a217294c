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

void buf_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_add(b, "\"", 1);
	const char *run = s;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7f)
			continue;
		buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_add(b, e, 2);
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_add(b, e, 6);
		}
	}
	if (run)
		buf_add(b, run, (size_t)(s - run));
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
		c += w;
		n -= (size_t)w;
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
