/* zone.c - RFC 1035 master file reader (zone.h): $ORIGIN, $TTL, relative
 * names, "@", blank owners, ( ) continuation, "..." strings, BIND TTL
 * units; $TIMEOUT / $SERVFAIL for tests.  Every record goes to the sink
 * as one line of text. */
#include "zone.h"
#include "dns.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>


struct zp {
	const char *file;
	int line;			/* line where the current entry starts */
	char origin[300];		/* absolute, with trailing dot */
	char owner[300];		/* last owner, absolute */
	long ttl;			/* $TTL, or -1 */
	long last_ttl;			/* last explicit TTL, or -1 */
	char *err;
	size_t errsz;
};

static const struct { const char *name; int type; } rrtypes[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
	{ "HINFO", 13 }, { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
	{ "SRV", 33 }, { "DNAME", 39 }, { "DS", 43 }, { "SSHFP", 44 },
	{ "RRSIG", 46 }, { "NSEC", 47 }, { "DNSKEY", 48 }, { "TLSA", 52 },
	{ "SPF", 99 }, { "CAA", 257 },
};

static int rrtype_of(const char *s)
{
	for (size_t i = 0; i < sizeof(rrtypes) / sizeof(rrtypes[0]); i++)
		if (!strcasecmp(s, rrtypes[i].name))
			return rrtypes[i].type;
	if (!strncasecmp(s, "TYPE", 4) && isdigit((unsigned char)s[4])) {
		char *end;
		long v = strtol(s + 4, &end, 10);
		if (!*end && v > 0 && v < 65536)
			return (int)v;
	}
	return 0;
}

/* RFC 1035 TTL, or BIND's 1w2d3h4m5s form.  -1 if not a TTL. */
static long parse_ttl(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	long total = 0, cur = 0;
	bool unit_seen = false;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			cur = cur * 10 + (*s - '0');
			if (cur > 2147483647L)
				return -1;
			continue;
		}
		long mul;
		switch (tolower((unsigned char)*s)) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 604800; break;
		default: return -1;
		}
		total += cur * mul;
		cur = 0;
		unit_seen = true;
		if (total > 2147483647L)
			return -1;
	}
	total += cur;
	(void)unit_seen;
	return total > 2147483647L ? -1 : total;
}

static int zerr(struct zp *z, const char *what, const char *arg)
{
	snprintf(z->err, z->errsz, "%s:%d: %s%s%s", z->file, z->line, what,
		 arg ? ": " : "", arg ? arg : "");
	return -1;
}

/* Make tok absolute (RFC 1035 §5.1: "@" is the origin, a name without a
 * final dot is relative to it). */
static int abs_name(struct zp *z, const char *tok, char *out, size_t outsz)
{
	size_t len = strlen(tok);
	int n;
	if (!strcmp(tok, "@"))
		n = snprintf(out, outsz, "%s", z->origin);
	else if (len && tok[len - 1] == '.' && (len < 2 || tok[len - 2] != '\\'))
		n = snprintf(out, outsz, "%s", tok);
	else if (!strcmp(z->origin, "."))
		n = snprintf(out, outsz, "%s.", tok);
	else
		n = snprintf(out, outsz, "%s.%s", tok, z->origin);
	if (n < 0 || (size_t)n >= outsz || n > 256)
		return zerr(z, "name too long", tok);
	return 0;
}

static int add_sim(const struct zone_sink *sink, struct zp *z, char **tok, int nt, int kind)
{
	if (nt < 2 || nt > 3)
		return zerr(z, kind == ZONE_SIM_TIMEOUT ? "$TIMEOUT wants NAME [TYPE]" :
			    "$SERVFAIL wants NAME [TYPE]", NULL);
	char name[300];
	if (abs_name(z, tok[1], name, sizeof(name)) < 0)
		return -1;
	int type = 0;
	if (nt == 3 && strcasecmp(tok[2], "ANY") && !(type = rrtype_of(tok[2])))
		return zerr(z, "unknown type", tok[2]);
	if (sink->sim(sink->ctx, name, type, kind) < 0)
		return zerr(z, "out of memory", NULL);
	return 0;
}

/* One logical entry (parentheses joined), tokens raw (quotes kept). */
static int zone_entry(const struct zone_sink *sink, struct zp *z, char **tok, int nt, bool blank_owner)
{
	if (nt == 0)
		return 0;
	if (!blank_owner && tok[0][0] == '$') {
		if (!strcasecmp(tok[0], "$ORIGIN")) {
			if (nt != 2)
				return zerr(z, "$ORIGIN wants one name", NULL);
			char o[300];
			if (abs_name(z, tok[1], o, sizeof(o)) < 0)
				return -1;
			memcpy(z->origin, o, strlen(o) + 1);
			return 0;
		}
		if (!strcasecmp(tok[0], "$TTL")) {
			if (nt != 2 || (z->ttl = parse_ttl(tok[1])) < 0)
				return zerr(z, "$TTL wants one TTL", NULL);
			return 0;
		}
		if (!strcasecmp(tok[0], "$TIMEOUT"))
			return add_sim(sink, z, tok, nt, ZONE_SIM_TIMEOUT);
		if (!strcasecmp(tok[0], "$SERVFAIL"))
			return add_sim(sink, z, tok, nt, ZONE_SIM_SERVFAIL);
		return zerr(z, "unsupported directive", tok[0]);
	}
	int i = 0;
	char owner[300];
	if (blank_owner) {
		if (!z->owner[0])
			return zerr(z, "no previous owner name", NULL);
		memcpy(owner, z->owner, sizeof(owner));
	} else {
		if (abs_name(z, tok[0], owner, sizeof(owner)) < 0)
			return -1;
		memcpy(z->owner, owner, sizeof(owner));
		i = 1;
	}
	/* [TTL] [class] type, TTL and class in either order (RFC 1035 §5.1) */
	long ttl = -1;
	int type = 0;
	for (int k = 0; k < 3 && i < nt && !type; k++, i++) {
		long t;
		if (!strcasecmp(tok[i], "IN"))
			continue;
		if (!strcasecmp(tok[i], "CH") || !strcasecmp(tok[i], "HS") ||
		    !strcasecmp(tok[i], "CS"))
			return zerr(z, "only class IN is supported", tok[i]);
		if (ttl < 0 && (t = parse_ttl(tok[i])) >= 0) {
			ttl = t;
			continue;
		}
		if (!(type = rrtype_of(tok[i])))
			return zerr(z, "unknown type", tok[i]);
	}
	if (!type)
		return zerr(z, "missing type", NULL);
	if (i >= nt)
		return zerr(z, "missing rdata", NULL);
	if (ttl >= 0)
		z->last_ttl = ttl;
	else
		ttl = z->ttl >= 0 ? z->ttl : z->last_ttl >= 0 ? z->last_ttl : 3600;

	/* Rdata fields that are domain names get the origin appended. */
	int namef[2] = { -1, -1 };
	switch (type) {
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case 39: namef[0] = 0; break;
	case DNS_T_MX: namef[0] = 1; break;
	case 6: namef[0] = 0; namef[1] = 1; break;	/* SOA */
	case 33: namef[0] = 3; break;			/* SRV */
	}
	size_t cap = 4096;
	for (int k = i; k < nt; k++)
		cap += strlen(tok[k]) + 300;
	char *rr = malloc(cap);
	if (!rr)
		return zerr(z, "out of memory", NULL);
	const char *tname = NULL;
	for (size_t k = 0; k < sizeof(rrtypes) / sizeof(rrtypes[0]); k++)
		if (rrtypes[k].type == type)
			tname = rrtypes[k].name;
	size_t o = (size_t)snprintf(rr, cap, "%s %ld IN ", owner, ttl);
	if (tname)
		o += (size_t)snprintf(rr + o, cap - o, "%s", tname);
	else
		o += (size_t)snprintf(rr + o, cap - o, "TYPE%d", type);
	for (int k = i; k < nt; k++) {
		char nm[300];
		const char *f = tok[k];
		if (k - i == namef[0] || k - i == namef[1]) {
			if (abs_name(z, f, nm, sizeof(nm)) < 0) {
				free(rr);
				return -1;
			}
			f = nm;
		}
		o += (size_t)snprintf(rr + o, cap - o, " %s", f);
	}
	const char *why = NULL;
	int rc = sink->record(sink->ctx, rr, &why);
	free(rr);
	if (rc)
		return zerr(z, "record rejected by libunbound", why);
	return 0;
}

/* Tokenize the master file (RFC 1035 §5.1): ';' comments, "..." strings
 * with backslash escapes, ( ) joining lines, a leading blank meaning "same
 * owner as before". */
int zone_read(const char *file, const struct zone_sink *sink, unsigned *neg_ttl_r, char *err,
	      size_t errsz)
{
	FILE *fp = fopen(file, "r");
	if (!fp) {
		snprintf(err, errsz, "%s: %s", file, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) < 0 || st.st_size > ZONE_MAX) {
		fclose(fp);
		snprintf(err, errsz, "%s: too large or unreadable", file);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	/* Each token takes at most its source bytes plus a NUL, and has at
	 * least one source byte: 2 * len bounds the token buffer. */
	char *text = malloc(len + 1), *buf = malloc(2 * len + 2);
	char **tok = malloc(ZONE_LINE_TOKENS * sizeof(*tok));
	if (!text || !buf || !tok || fread(text, 1, len, fp) != len) {
		fclose(fp);
		free(text); free(buf); free(tok);
		snprintf(err, errsz, "%s: read failed", file);
		return -1;
	}
	fclose(fp);
	text[len] = 0;
	const char *nul = memchr(text, 0, len);
	if (nul) {
		int l = 1;
		for (const char *q = text; q < nul; q++)
			l += *q == '\n';
		snprintf(err, errsz, "%s:%d: NUL byte", file, l);
		free(text); free(buf); free(tok);
		return -1;
	}

	struct zp z = { .file = file, .line = 1, .origin = ".", .ttl = -1,
			.last_ttl = -1, .err = err, .errsz = errsz };
	int line = 1, depth = 0, nt = 0, rc = 0;
	bool blank_owner = false, at_line_start = true;
	size_t bo = 0;			/* write offset in buf */
	for (size_t p = 0; p <= len && rc == 0; ) {
		char ch = p < len ? text[p] : '\n';
		if (at_line_start && depth == 0) {
			z.line = line;
			blank_owner = (ch == ' ' || ch == '\t');
			at_line_start = false;
			nt = 0;
			bo = 0;
		}
		if (ch == '\n' || p == len) {
			if (depth == 0 || p == len) {
				if (depth > 0)
					rc = zerr(&z, "unbalanced parenthesis", NULL);
				else
					rc = zone_entry(sink, &z, tok, nt, blank_owner);
				at_line_start = true;
			}
			line++;
			p++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r') {
			p++;
			continue;
		}
		if (ch == ';') {
			while (p < len && text[p] != '\n')
				p++;
			continue;
		}
		if (ch == '(') {
			depth++;
			p++;
			continue;
		}
		if (ch == ')') {
			if (--depth < 0) {
				rc = zerr(&z, "unbalanced parenthesis", NULL);
				break;
			}
			p++;
			continue;
		}
		if (nt >= ZONE_LINE_TOKENS) {
			rc = zerr(&z, "too many fields", NULL);
			break;
		}
		tok[nt++] = buf + bo;
		if (ch == '"') {
			buf[bo++] = text[p++];
			while (p < len && text[p] != '"') {
				if (text[p] == '\n')
					line++;
				if (text[p] == '\\' && p + 1 < len)
					buf[bo++] = text[p++];
				buf[bo++] = text[p++];
			}
			if (p >= len) {
				rc = zerr(&z, "unterminated string", NULL);
				break;
			}
			buf[bo++] = text[p++];
		} else {
			while (p < len && !strchr(" \t\r\n;()\"", text[p])) {
				if (text[p] == '\\' && p + 1 < len && text[p + 1] != '\n')
					buf[bo++] = text[p++];
				buf[bo++] = text[p++];
			}
		}
		buf[bo++] = 0;
	}
	free(text);
	free(buf);
	free(tok);
	if (rc == 0)
		*neg_ttl_r = z.ttl >= 0 ? (unsigned)z.ttl : 3600;
	return rc;
}

