/* tagval.c - tag=value list parser (RFC 6376 section 3.2).
 *
 *   tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  =  ALPHA *ALNUMPUNC
 *   tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      =  1*VALCHAR       VALCHAR = %x21-3A / %x3C-7E
 *
 * Takes bytes, returns slices; never copies, never unfolds.  Bytes >= 0x80
 * are accepted in values (free-text n= notes in key records carry them in
 * the wild); controls other than FWS are not.
 */
#include "tagval.h"

#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* A header value ends in CRLF: that final line end is not part of the
 * list. */
static size_t trim_final_crlf(const char *s, size_t len)
{
	if (len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n')
		return len - 2;
	return len;
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_valchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x7e && c != ';') || c >= 0x80;
}

int tagval_parse(struct tagval_list *l, const char *s, size_t len,
		 size_t max_tags, size_t max_len, const char **error_r)
{
	l->n = 0;
	l->tags = NULL;
	if (len > max_len) {
		*error_r = "tag list too long";
		return -1;
	}
	len = trim_final_crlf(s, len);
	size_t cap = 0, p = 0;
	for (;;) {
		p = scan_fws(s, len, p);
		if (p == len)
			return 0;	/* empty list, or the optional final ";" */
		if (s[p] == ';') {
			/* An empty tag-spec (";;") is outside the grammar, but
			 * OpenDKIM and Mail::DKIM skip it and key records in the
			 * wild carry it: skip it too. */
			p++;
			continue;
		}
		/* tag-name */
		size_t ns = p;
		if (!is_alpha((unsigned char)s[p])) {
			*error_r = "bad tag name";
			goto fail;
		}
		while (p < len && (isalnum((unsigned char)s[p]) || s[p] == '_'))
			p++;
		size_t ne = p;
		p = scan_fws(s, len, p);
		if (p == len || s[p] != '=') {
			*error_r = "tag without \"=\"";
			goto fail;
		}
		p++;
		size_t raw = p;
		p = scan_fws(s, len, p);
		size_t vs = p, ve = p;
		/* tag-value: tvals separated by FWS */
		while (p < len && s[p] != ';') {
			if (is_valchar((unsigned char)s[p])) {
				p++;
				ve = p;
				continue;
			}
			size_t q = scan_fws(s, len, p);
			if (q == p) {
				*error_r = "bad character in tag value";
				goto fail;
			}
			p = q;
		}
		size_t raw_end = p;
		/* duplicate names make the whole list invalid (§3.2) */
		for (size_t i = 0; i < l->n; i++)
			if (l->tags[i].name_len == ne - ns &&
			    !memcmp(l->tags[i].name, s + ns, ne - ns)) {
				*error_r = "duplicate tag";
				goto fail;
			}
		if (l->n == max_tags) {
			*error_r = "too many tags";
			goto fail;
		}
		if (l->n == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > max_tags)
				cap = max_tags;
			struct tagval_tag *nt = realloc(l->tags, cap * sizeof(*nt));
			if (!nt) {
				*error_r = "out of memory";
				goto fail;
			}
			l->tags = nt;
		}
		struct tagval_tag *t = &l->tags[l->n++];
		t->name = s + ns;
		t->name_len = ne - ns;
		t->value = s + vs;
		t->value_len = ve - vs;
		t->raw = s + raw;
		t->raw_len = raw_end - raw;
		if (p == len)
			return 0;
		p++;	/* ";" */
	}
fail:
	tagval_clear(l);
	return -1;
}

void tagval_clear(struct tagval_list *l)
{
	free(l->tags);
	l->tags = NULL;
	l->n = 0;
}

const struct tagval_tag *tagval_get(const struct tagval_list *l,
				    const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < l->n; i++)
		if (l->tags[i].name_len == nl &&
		    !memcmp(l->tags[i].name, name, nl))
			return &l->tags[i];
	return NULL;
}

bool tagval_is(const struct tagval_tag *t, const char *s)
{
	return t && strlen(s) == t->value_len &&
	       !memcmp(t->value, s, t->value_len);
}

bool tagval_is_ci(const struct tagval_tag *t, const char *s)
{
	return t && strlen(s) == t->value_len &&
	       !strncasecmp(t->value, s, t->value_len);
}

long tagval_copy_nows(const struct tagval_tag *t, char *buf, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < t->value_len; i++) {
		char c = t->value[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (o + 1 >= size)
			return -1;
		buf[o++] = c;
	}
	if (size == 0)
		return -1;
	buf[o] = 0;
	return (long)o;
}

int tagval_get_copy(const struct tagval_list *l, const char *name, char *buf, size_t size)
{
	const struct tagval_tag *t = tagval_get(l, name);
	if (size)
		buf[0] = 0;
	return t && tagval_copy_nows(t, buf, size) >= 0 ? 0 : -1;
}

static bool is_fws_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int tagval_split(const char *v, size_t len, char sep, size_t max,
		 int (*fn)(const char *item, size_t len, void *ctx), void *ctx)
{
	size_t n = 0, p = 0;
	for (;;) {
		const char *e = memchr(v + p, sep, len - p);
		size_t end = e ? (size_t)(e - v) : len;
		size_t a = p, b = end;
		while (a < b && is_fws_byte(v[a]))
			a++;
		while (b > a && is_fws_byte(v[b - 1]))
			b--;
		if (++n > max)
			return -1;
		int r = fn(v + a, b - a, ctx);
		if (r)
			return r;
		if (!e)
			return 0;
		p = end + 1;
	}
}
