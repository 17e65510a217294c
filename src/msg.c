/* msg.c - received bytes + header index.
 *
 * Takes the message in CRLF wire form; returns slices.  RFC 5322 section
 * 2.2: a header field is name ":" value, continued by lines that start with
 * WSP.  A line without a colon before the blank line ends the header (the
 * rest is treated as body, as most MTAs do).
 */
#include "msg.h"

#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_ftext(unsigned char c)
{
	/* RFC 5322 section 3.6.8: printable US-ASCII except colon */
	return c >= 33 && c <= 126 && c != ':';
}

enum status_err msg_init(struct msg *m, char *data, size_t len, size_t max_headers,
			 const char **error_r)
{
	memset(m, 0, sizeof(*m));
	m->data = data;
	m->len = len;
	*error_r = NULL;
	size_t cap = 0, p = 0;
	m->body_off = len;
	while (p < len) {
		/* blank line: end of header */
		if (data[p] == '\r' && p + 1 < len && data[p + 1] == '\n') {
			m->body_off = p + 2;
			m->has_body_sep = true;
			return SE_OK;
		}
		if (data[p] == '\n') {	/* tolerate a bare LF separator */
			m->body_off = p + 1;
			m->has_body_sep = true;
			return SE_OK;
		}
		size_t n = p;
		while (n < len && is_ftext((unsigned char)data[n]))
			n++;
		size_t name_end = n;
		n = scan_wsp(data, len, n);	/* obs-optional WSP before the colon */
		if (name_end == p || n >= len || data[n] != ':') {
			/* not a header field: the body starts here */
			m->body_off = p;
			return SE_OK;
		}
		/* find the end of the field: a line end not followed by WSP */
		size_t e = n;
		for (;;) {
			const char *nl = memchr(data + e, '\n', len - e);
			if (!nl) {
				e = len;
				break;
			}
			e = (size_t)(nl - data) + 1;
			if (e >= len || !is_wsp(data[e]))
				break;
		}
		bool over;
		if (buf_grow_array((void **)&m->hdrs, &cap, m->nhdrs + 1, sizeof(*m->hdrs),
				   max_headers, &over) < 0) {
			*error_r = over ? "too many header fields" : "out of memory";
			return over ? SE_MALFORMED : SE_NOMEM;
		}
		m->hdrs[m->nhdrs].off = p;
		m->hdrs[m->nhdrs].name_len = name_end - p;
		m->hdrs[m->nhdrs].len = e - p;
		m->nhdrs++;
		p = e;
	}
	m->body_off = len;
	return SE_OK;
}

void msg_clear(struct msg *m)
{
	free(m->hdrs);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

bool msg_hdr_is(const struct msg *m, size_t i, const char *name)
{
	size_t l = strlen(name);
	return m->hdrs[i].name_len == l &&
	       !strncasecmp(m->data + m->hdrs[i].off, name, l);
}

size_t msg_hdr_find(const struct msg *m, const char *name, size_t start)
{
	for (size_t i = start; i < m->nhdrs; i++)
		if (msg_hdr_is(m, i, name))
			return i;
	return MSG_NOT_FOUND;
}

size_t msg_hdr_count(const struct msg *m, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nhdrs; i++)
		n += msg_hdr_is(m, i, name);
	return n;
}

const char *msg_hdr_name(const struct msg *m, size_t i)
{
	return m->data + m->hdrs[i].off;
}

const char *msg_hdr_raw_value(const struct msg *m, size_t i, size_t *len_r)
{
	const struct msg_hdr *h = &m->hdrs[i];
	const char *colon = memchr(m->data + h->off, ':', h->len);
	size_t vo = (size_t)(colon - m->data) + 1;
	*len_r = h->off + h->len - vo;
	return m->data + vo;
}

char *msg_hdr_value(const struct msg *m, size_t i)
{
	size_t len;
	const char *v = msg_hdr_raw_value(m, i, &len);
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t k = 0; k < len; k++) {
		if (v[k] == '\r' || v[k] == '\n')
			continue;	/* unfold: RFC 5322 section 2.2.3 */
		out[o++] = v[k];
	}
	out[o] = 0;
	size_t s = 0;
	while (is_wsp(out[s]))
		s++;
	while (o > s && is_wsp(out[o - 1]))
		o--;
	memmove(out, out + s, o - s);
	out[o - s] = 0;
	return out;
}

char *msg_message_id(const struct msg *m)
{
	size_t i = msg_hdr_find(m, "Message-ID", 0);
	if (i == MSG_NOT_FOUND)
		return strdup("-");
	char *v = msg_hdr_value(m, i);
	if (!v)
		return NULL;
	/* strip <>, keep it short; the log escapes the bytes (log.h) */
	char *s = v;
	if (*s == '<')
		s++;
	size_t l = strcspn(s, ">");
	if (l > 200)
		l = 200;
	char *out = l ? strndup(s, l) : strdup("-");
	free(v);
	return out;
}

char *msg_lf_to_crlf(const char *in, size_t len, size_t *len_r)
{
	size_t extra = 0;
	for (size_t i = 0; i < len; i++)
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			extra++;
	if (len > SIZE_MAX - extra - 1)
		return NULL;
	char *out = malloc(len + extra + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = in[i];
	}
	out[o] = 0;
	*len_r = o;
	return out;
}
