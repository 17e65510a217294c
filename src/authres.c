/* authres.c - read Authentication-Results values (RFC 8601 section 2.2).
 *
 * A small tokenizer over CFWS (RFC 5322 section 3.2.2: whitespace, folding
 * and nested comments) and the RFC 8601 grammar:
 *   value     = [CFWS] authserv-id [CFWS authres-version] (no-result / 1*resinfo)
 *   resinfo   = [CFWS] ";" methodspec [CFWS reasonspec] [CFWS 1*propspec]
 *   propspec  = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 * Everything is bounded by the input length; nothing is allocated.
 */
#include "authres.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct rd {
	const char *p, *end;
	int bad;
};

/* Skip whitespace and comments; an unterminated or too deeply nested
 * comment marks the reader bad. */
static void cfws(struct rd *r)
{
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			r->p++;
			continue;
		}
		if (c != '(')
			return;
		int depth = 0;
		while (r->p < r->end) {
			c = (unsigned char)*r->p++;
			if (c == '\\' && r->p < r->end)
				r->p++;
			else if (c == '(') {
				if (++depth > AUTHRES_MAX_DEPTH) {
					r->bad = 1;
					r->p = r->end;
					return;
				}
			} else if (c == ')' && --depth == 0)
				break;
		}
		if (depth)
			r->bad = 1;
	}
}

/* RFC 2045 token characters (no tspecials, no CTL, no space). */
static int tokch(unsigned char c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?=", c);
}

static void put(char *buf, size_t size, size_t *n, unsigned char c, int lower)
{
	if (*n + 1 < size)
		buf[(*n)++] = (char)(lower ? tolower(c) : c);
	buf[*n < size ? *n : size - 1] = '\0';
}

/* token or quoted-string; returns the length read (0: none). */
static size_t value(struct rd *r, char *buf, size_t size, int lower, int pvalue)
{
	size_t n = 0, got = 0;
	buf[0] = '\0';
	if (r->p < r->end && *r->p == '"') {
		r->p++;
		while (r->p < r->end && *r->p != '"') {
			if (*r->p == '\\' && r->p + 1 < r->end)
				r->p++;
			put(buf, size, &n, (unsigned char)*r->p++, lower);
			got++;
		}
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		r->p++;
		return got + 2;
	}
	/* A pvalue may also be [local-part] "@" domain or a dotted name. */
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		if (!(tokch(c) || (pvalue && (c == '@' || c == '/' || c == ':' ||
					      c == '=' || c == '[' || c == ']'))))
			break;
		put(buf, size, &n, c, lower);
		r->p++;
		got++;
	}
	return got;
}

/* Keyword: ALPHA / DIGIT / "-" / "_" (and "." inside properties). */
static size_t keyword(struct rd *r, char *buf, size_t size)
{
	size_t n = 0, got = 0;
	buf[0] = '\0';
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		if (!(isalnum(c) || c == '-' || c == '_'))
			break;
		put(buf, size, &n, c, 1);
		r->p++;
		got++;
	}
	return got;
}

static int servid(struct rd *r, char *buf, size_t size)
{
	cfws(r);
	size_t got = value(r, buf, size, 0, 1);
	if (!got || r->bad)
		return -1;
	if (got >= size)
		return -1;
	cfws(r);
	/* optional authres-version: 1*DIGIT */
	if (r->p < r->end && isdigit((unsigned char)*r->p)) {
		while (r->p < r->end && isdigit((unsigned char)*r->p))
			r->p++;
		cfws(r);
	}
	return (int)strlen(buf);
}

int authres_servid(const char *v, size_t len, char *buf, size_t size)
{
	struct rd r = { v, v + len, 0 };
	if (!size)
		return -1;
	return servid(&r, buf, size);
}

int authres_parse(const char *v, size_t len, struct authres_item *items,
		  size_t max)
{
	struct rd r = { v, v + len, 0 };
	char id[256];
	size_t n = 0;
	if (servid(&r, id, sizeof id) < 0)
		return -1;
	if (r.p < r.end && *r.p != ';') {
		/* no-result = [CFWS] ";" [CFWS] "none"; the bare form
		 * "example.org none" of RFC 7001 too */
		char w[16];
		keyword(&r, w, sizeof w);
		cfws(&r);
		return !strcmp(w, "none") && r.p == r.end ? 0 : -1;
	}
	while (r.p < r.end && *r.p == ';' && n < max) {
		struct authres_item *it = &items[n];
		memset(it, 0, sizeof *it);
		r.p++;
		cfws(&r);
		if (!keyword(&r, it->method, sizeof it->method))
			break;
		cfws(&r);
		if (r.p < r.end && *r.p == '/') {	/* method-version */
			r.p++;
			cfws(&r);
			while (r.p < r.end && isdigit((unsigned char)*r.p))
				r.p++;
			cfws(&r);
		}
		if (r.p >= r.end || *r.p != '=')
			break;
		r.p++;
		cfws(&r);
		if (!keyword(&r, it->result, sizeof it->result))
			break;
		if (!strcmp(it->method, "none") && n == 0)
			return 0;
		cfws(&r);
		int ok = 1;
		while (r.p < r.end && *r.p != ';' && !r.bad) {
			char k[32];
			const char *save = r.p;
			if (!keyword(&r, k, sizeof k)) {
				ok = 0;
				break;
			}
			cfws(&r);
			if (!strcmp(k, "reason") && r.p < r.end && *r.p == '=') {
				r.p++;
				cfws(&r);
				value(&r, it->reason, sizeof it->reason, 0, 0);
				cfws(&r);
				continue;
			}
			if (r.p >= r.end || *r.p != '.') {
				ok = 0;
				r.p = save;
				break;
			}
			r.p++;
			cfws(&r);
			struct authres_prop tmp, *pp = it->nprops < AUTHRES_MAX_PROPS ?
				/* tmp is written (snprintf below) before it is read: */
				/* cppcheck-suppress uninitvar */
				&it->props[it->nprops] : &tmp;
			snprintf(pp->ptype, sizeof pp->ptype, "%.15s", k);
			/* property may contain dots in some registries: keep
			 * letters, digits, "-", "_" and "." */
			size_t pn = 0;
			pp->prop[0] = '\0';
			while (r.p < r.end && (isalnum((unsigned char)*r.p) ||
			       *r.p == '-' || *r.p == '_' || *r.p == '.'))
				put(pp->prop, sizeof pp->prop, &pn, (unsigned char)*r.p++, 1);
			cfws(&r);
			if (!pn || r.p >= r.end || *r.p != '=') {
				ok = 0;
				break;
			}
			r.p++;
			cfws(&r);
			value(&r, pp->value, sizeof pp->value, 0, 1);
			cfws(&r);
			if (pp != &tmp)
				it->nprops++;
		}
		if (r.bad)
			break;
		n++;
		if (!ok)
			break;
	}
	return (int)n;
}

const char *authres_prop(const struct authres_item *it, const char *ptype,
			 const char *prop)
{
	for (size_t i = 0; i < it->nprops; i++)
		if (!strcasecmp(it->props[i].ptype, ptype) &&
		    !strcasecmp(it->props[i].prop, prop))
			return it->props[i].value;
	return NULL;
}
