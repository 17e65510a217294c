/* html2text.c - see html2text.h for the rules. */
#include "html2text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; uint32_t cp; } entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", 0xa0 }, { "copy", 0xa9 }, { "reg", 0xae }, { "deg", 0xb0 },
	{ "laquo", 0xab }, { "raquo", 0xbb }, { "middot", 0xb7 }, { "shy", 0xad },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bull", 0x2022 }, { "hellip", 0x2026 },
	{ "euro", 0x20ac }, { "trade", 0x2122 },
};

/* UTF-8 of cp (U+FFFD for what is not a scalar value); returns bytes. */
static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A character reference at s[i] == '&'.  Writes its UTF-8 to o (at most
 * as many bytes as the reference is long) and returns the bytes written;
 * *i_r is past the reference.  Unknown or without ';': nothing written. */
static size_t entity(const char *s, size_t len, size_t i, size_t *i_r, char *o)
{
	size_t j = i + 1, start;
	bool num = j < len && s[j] == '#', hex = false;
	if (num) {
		j++;
		if (j < len && (s[j] == 'x' || s[j] == 'X')) {
			hex = true;
			j++;
		}
	}
	start = j;
	while (j < len && j - start < 32 && is_alnum(s[j]))
		j++;
	size_t nlen = j - start;
	if (nlen == 0 && !num) {
		*i_r = i + 1;	/* a lone '&' is text */
		o[0] = '&';
		return 1;
	}
	if (j >= len || s[j] != ';') {
		*i_r = j;	/* unfinished: dropped */
		return 0;
	}
	*i_r = j + 1;
	if (num) {
		uint32_t cp = 0;
		if (nlen == 0)
			return 0;	/* "&#;" */
		for (size_t k = start; k < j; k++) {
			char c = s[k];
			uint32_t d;
			if (c >= '0' && c <= '9')
				d = (uint32_t)(c - '0');
			else if (hex && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
				d = (uint32_t)((c | 0x20) - 'a' + 10);
			else
				return 0;
			cp = cp * (hex ? 16 : 10) + d;
			if (cp > 0x10ffff)
				cp = 0x110000;	/* stays invalid (U+FFFD), no overflow */
		}
		/* "&#N;" is at least 4 bytes, UTF-8 at most 4 */
		return put_utf8(o, cp);
	}
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++)
		if (strlen(entities[k].name) == nlen && !memcmp(entities[k].name, s + start, nlen))
			return put_utf8(o, entities[k].cp);	/* "&lt;" 4 bytes >= 1 */
	return 0;
}

/* Where "needle" (case-insensitive) starts at or after s[i], or len. */
static size_t find(const char *s, size_t len, size_t i, const char *needle)
{
	size_t n = strlen(needle);
	for (; i + n <= len; i++)
		if (!strncasecmp(s + i, needle, n))
			return i;
	return len;
}

/* Past the end of "needle" from s[i], or len. */
static size_t skip_past(const char *s, size_t len, size_t i, const char *needle)
{
	size_t at = find(s, len, i, needle);
	return at < len ? at + strlen(needle) : len;
}

char *html2text(const char *s, size_t len, size_t *len_r)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0, i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '\r') {
			i++;
			continue;
		}
		if (c == '&') {
			o += entity(s, len, i, &i, out + o);
			continue;
		}
		bool tag = c == '<' && i + 1 < len &&
			   ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z' ? true :
			    s[i + 1] == '/' || s[i + 1] == '!' || s[i + 1] == '?');
		if (!tag) {
			out[o++] = c;
			i++;
			continue;
		}
		if (len - i >= 4 && !memcmp(s + i, "<!--", 4)) {
			i = skip_past(s, len, i + 4, "-->");
		} else if (len - i >= 9 && !memcmp(s + i, "<![CDATA[", 9)) {
			size_t end = find(s, len, i + 9, "]]>");
			memcpy(out + o, s + i + 9, end - (i + 9));	/* the text, as it is */
			o += end - (i + 9);
			i = end < len ? end + 3 : len;
			continue;
		} else {
			size_t j = i + 1;
			bool closing = s[j] == '/';
			if (closing)
				j++;
			size_t name = j;
			while (j < len && is_alnum(s[j]))
				j++;
			size_t nlen = j - name;
			/* to the '>' that ends the tag, not one inside a quoted
			 * attribute value */
			char q = 0;
			for (; j < len; j++) {
				if (q) {
					if (s[j] == q)
						q = 0;
				} else if (s[j] == '"' || s[j] == '\'') {
					q = s[j];
				} else if (s[j] == '>') {
					break;
				}
			}
			bool selfclose = j < len && j > i + 1 && s[j - 1] == '/';
			i = j < len ? j + 1 : len;
			if (!closing && !selfclose && nlen == 6 && !strncasecmp(s + name, "script", 6))
				i = skip_past(s, len, skip_past(s, len, i, "</script"), ">");
			else if (!closing && !selfclose && nlen == 5 && !strncasecmp(s + name, "style", 5))
				i = skip_past(s, len, skip_past(s, len, i, "</style"), ">");
		}
		/* a tag (a comment, an element) separates words */
		if (o > 0 && out[o - 1] != ' ' && out[o - 1] != '\t' && out[o - 1] != '\n')
			out[o++] = ' ';
	}
	out[o] = 0;
	if (len_r)
		*len_r = o;
	return out;
}
