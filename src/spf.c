/* spf.c - Sender Policy Framework, RFC 7208.
 *
 * Takes the client IP, HELO and MAIL FROM of one transaction and returns the
 * check_host() result (RFC 7208 section 4) with a reason, the explanation of
 * a fail (section 6.2) and the DNS lookup counts.  Builds the Received-SPF
 * header (section 9.1) and the spf= part of Authentication-Results.
 *
 * Never: allocates on the evaluation path (records are parsed into stack
 * arrays that point into the DNS answer), follows more than the section 4.6.4
 * limits, recurses deeper than SPF_MAX_DEPTH, or treats a DNS failure of ours
 * as a verdict (it becomes temperror).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "dns.h"
#include "spf.h"

/* Parsed records, so that a warm evaluation does not parse the same TXT
 * again: direct-mapped by a hash of the text, verified by memcmp. */
#define RCACHE_SLOTS	64
#define RCACHE_TEXT	512	/* longer records are parsed every time */

#define RCACHE_TERMS	16	/* records with more terms are parsed every time */

struct rcache {
	unsigned hash;
	unsigned short len;	/* 0: empty slot */
	short ok;		/* spf_parse_record() returned 0 */
	char text[RCACHE_TEXT];
	char err[96];
	int n;
	unsigned short redirect, redirect_len, exp, exp_len;
	int has_redirect, has_exp;
	struct spf_term t[RCACHE_TERMS];
};

struct spf {
	const struct conf *c;
	struct dns *d;
	struct rcache *rc;	/* rcache_proc, or NULL */
};

/* Parsed records, for the process's lifetime (decision): keyed by the
 * record's text, so an entry is always the parse of exactly that text and
 * sharing it between messages cannot change a result.  Per message it
 * paid nothing back (a message rarely sees one text twice) and cost a
 * 270 KB calloc per verdict (2% of the LMTP server's CPU).  Entries hold
 * up to RCACHE_TERMS terms (69 KB in all, its pages touched only as
 * slots are used). */
static struct rcache *rcache_proc;

/* One check_host() evaluation (all recursion levels). */
struct eval {
	struct spf *s;
	const struct spf_request *req;
	struct spf_result *res;
	struct spf_macro_env env;	/* env.domain changes per level */
	int max_lookups, max_void;
	char pname[256];		/* %{p}, computed once per domain */
	char pdomain[256];		/* the <domain> pname was chosen for */
	bool have_p;
	bool insecure;			/* an answer used was not DNSSEC-secure */
};

/* Result of one term or one check_host() level. */
enum { R_NOMATCH = -1 };

static void set_problem(struct eval *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_problem(struct eval *ev, const char *fmt, ...)
{
	if (ev->res->problem[0])
		return;		/* keep the first (innermost) problem */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->res->problem, sizeof(ev->res->problem), fmt, ap);
	va_end(ap);
}

/* ---- small helpers ---- */

/* dst = a b c (each may be NULL), cut at size - 1; no printf on the hot path */
static void cat3(char *dst, size_t size, const char *a, const char *b, const char *c)
{
	size_t n = 0;
	const char *parts[3] = { a, b, c };
	for (int k = 0; k < 3; k++)
		for (const char *p = parts[k]; p && *p && n + 1 < size; p++)
			dst[n++] = *p;
	dst[n] = 0;
}

static void cpy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* ASCII classes without the locale (the hot path runs these per byte) */
static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline bool is_alnum(int c) { return is_digit(c) || is_alpha(c); }
static inline int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* case-insensitive "v=spf1" at the start of n bytes, then SP or the end */
static bool spf1_prefix(const char *p, size_t n)
{
	return n >= 6 && (p[0] | 0x20) == 'v' && p[1] == '=' && (p[2] | 0x20) == 's' &&
	       (p[3] | 0x20) == 'p' && (p[4] | 0x20) == 'f' && p[5] == '1' &&
	       (n == 6 || p[6] == ' ');
}

/* RFC 7208 section 7.1: toplabel = ( *alphanum ALPHA *alphanum ) /
 * ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static bool toplabel_ok(const char *s, size_t n)
{
	bool alpha = false, dash = false;
	if (n == 0 || !is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '-')
			dash = true;
		else if (is_alpha(c))
			alpha = true;
		else if (!is_digit(c))
			return false;
	}
	return alpha || dash;
}

int spf_cidr_match(int af, const unsigned char *ip, const unsigned char *net,
		   int bits)
{
	int max = af == 4 ? 32 : 128;
	if (bits < 0 || bits > max)
		return 0;
	int full = bits / 8, rest = bits % 8;
	if (memcmp(ip, net, full))
		return 0;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));
		if ((ip[full] & m) != (net[full] & m))
			return 0;
	}
	return 1;
}

/* ---- macros (RFC 7208 section 7) ---- */

struct obuf {
	char *p;
	size_t size, n;
	bool domain;		/* keep the tail when full */
	bool cut;		/* something was dropped */
};

static void ob_put(struct obuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (o->n + 1 >= o->size) {
			o->cut = true;
			if (!o->domain)
				return;
			/* Only the last 253 bytes can survive section 7.3's
			 * left truncation: keep the second half. */
			size_t keep = o->size / 2;
			memmove(o->p, o->p + o->n - keep, keep);
			o->n = keep;
		}
		o->p[o->n++] = s[i];
	}
}

static const char hexdig[] = "0123456789ABCDEF";

static bool is_delim(int c)
{
	return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' ||
	       c == '_' || c == '=';
}

/* The value of one macro letter (lower case) into buf. */
static size_t macro_value(const struct spf_macro_env *env, int letter,
			  char *buf, size_t size)
{
	const char *v = NULL;
	switch (letter) {
	case 's': v = env->sender; break;
	case 'l': v = env->local; break;
	case 'o': v = env->sender_domain; break;
	case 'd': v = env->domain; break;
	case 'h': v = env->helo; break;
	case 'r': v = env->receiver && *env->receiver ? env->receiver : "unknown"; break;
	case 'v': v = env->af == 4 ? "in-addr" : "ip6"; break;
	case 'p':
		v = env->validated;
		if (!v && env->p_fn)
			v = env->p_fn(env->p_arg);
		if (!v)
			v = "unknown";
		break;
	case 't':
		return (size_t)snprintf(buf, size, "%ld", env->now ? env->now : (long)time(NULL));
	case 'i':
		if (env->af == 4)
			return (size_t)snprintf(buf, size, "%u.%u.%u.%u", env->ip[0],
						env->ip[1], env->ip[2], env->ip[3]);
		/* section 7.3: IPv6 is dot-format, 32 nibbles */
		for (int i = 0; i < 16; i++) {
			buf[i * 4] = "0123456789abcdef"[env->ip[i] >> 4];
			buf[i * 4 + 1] = '.';
			buf[i * 4 + 2] = "0123456789abcdef"[env->ip[i] & 15];
			buf[i * 4 + 3] = '.';
		}
		buf[63] = 0;
		return 63;
	case 'c':
		if (!inet_ntop(env->af == 4 ? AF_INET : AF_INET6, env->ip, buf, (socklen_t)size))
			buf[0] = 0;
		return strlen(buf);
	}
	if (!v)
		v = "";
	size_t n = strlen(v);
	if (n >= size)
		n = size - 1;
	memcpy(buf, v, n);
	buf[n] = 0;
	return n;
}

/* Apply the transformers: split on delims, maybe reverse, keep the right
 * `keep` parts (0: all), join with '.', URL-escape when upper. */
static void macro_emit(struct obuf *o, const char *v, size_t n,
		       const char *delims, size_t ndelims, bool reverse,
		       unsigned keep, bool upper)
{
	enum { MAXP = 600 };
	unsigned short st[MAXP], ln[MAXP];
	size_t np = 0, start = 0;
	for (size_t i = 0; i <= n && np < MAXP; i++) {
		bool d = false;
		if (i < n) {
			if (ndelims == 0)
				d = v[i] == '.';
			else
				d = memchr(delims, v[i], ndelims) != NULL;
		}
		if (i == n || d) {
			st[np] = (unsigned short)start;
			ln[np] = (unsigned short)(i - start);
			np++;
			start = i + 1;
		}
	}
	if (reverse)
		for (size_t a = 0, b = np ? np - 1 : 0; a < b; a++, b--) {
			unsigned short t = st[a]; st[a] = st[b]; st[b] = t;
			t = ln[a]; ln[a] = ln[b]; ln[b] = t;
		}
	size_t first = 0;
	if (keep && keep < np)
		first = np - keep;
	for (size_t k = first; k < np; k++) {
		if (k > first)
			ob_put(o, ".", 1);
		const char *p = v + st[k];
		if (!upper) {
			ob_put(o, p, ln[k]);
			continue;
		}
		/* section 7.3: upper-case macro letters are URL-escaped
		 * (RFC 3986 unreserved characters stay as they are) */
		for (size_t j = 0; j < ln[k]; j++) {
			unsigned char c = p[j];
			if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
				ob_put(o, (const char *)&c, 1);
			} else {
				char e[3] = { '%', hexdig[c >> 4], hexdig[c & 15] };
				ob_put(o, e, 3);
			}
		}
	}
}

static int macro_err(char *err, size_t errsize, const char *what, const char *at,
		     size_t n)
{
	if (err && errsize)
		snprintf(err, errsize, "%s: %.*s", what, (int)(n > 24 ? 24 : n), at);
	return -1;
}

int spf_expand_macro(const struct spf_macro_env *env, const char *src,
		     size_t len, enum spf_macro_mode mode, char *out,
		     size_t size, char *err, size_t errsize)
{
	char tmp[1024];
	struct obuf o = { tmp, sizeof(tmp), 0, mode == SPF_MACRO_DOMAIN, false };
	if (mode != SPF_MACRO_DOMAIN && out && size) {
		o.p = out;
		o.size = size;
	}
	char val[600];
	for (size_t i = 0; i < len; i++) {
		unsigned char c = src[i];
		if (c == ' ' && mode == SPF_MACRO_EXPLAIN) {
			ob_put(&o, " ", 1);
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return macro_err(err, errsize, "invalid character in macro-string", src + i, len - i);
		if (c != '%') {
			ob_put(&o, (const char *)&c, 1);
			continue;
		}
		if (i + 1 >= len)
			return macro_err(err, errsize, "'%' at end of macro-string", src + i, len - i);
		c = src[++i];
		if (c == '%') { ob_put(&o, "%", 1); continue; }
		if (c == '_') { ob_put(&o, " ", 1); continue; }
		if (c == '-') { ob_put(&o, "%20", 3); continue; }
		if (c != '{')
			return macro_err(err, errsize, "invalid macro", src + i - 1, len - i + 1);
		size_t m0 = i - 1;
		if (++i >= len)
			return macro_err(err, errsize, "unterminated macro", src + m0, len - m0);
		int letter = src[i];
		bool upper = letter >= 'A' && letter <= 'Z';
		letter = lower(letter);
		bool crt = letter && strchr("crt", letter);
		if (!letter || !(strchr("slodipvh", letter) || (crt && mode == SPF_MACRO_EXPLAIN)))
			return macro_err(err, errsize, crt ? "macro letter only allowed in exp" :
					 "invalid macro letter", src + m0, len - m0);
		i++;
		unsigned keep = 0;
		size_t digits = 0;
		while (i < len && is_digit((unsigned char)src[i])) {
			if (keep < 1000)
				keep = keep * 10 + (unsigned)(src[i] - '0');
			i++;
			digits++;
		}
		/* section 7.1: a DIGIT transformer MUST be nonzero */
		if (digits && keep == 0)
			return macro_err(err, errsize, "zero digit transformer", src + m0, len - m0);
		bool reverse = false;
		if (i < len && (src[i] == 'r' || src[i] == 'R')) {
			reverse = true;
			i++;
		}
		size_t d0 = i;
		while (i < len && is_delim((unsigned char)src[i]))
			i++;
		if (i >= len || src[i] != '}')
			return macro_err(err, errsize, "bad macro", src + m0, len - m0);
		if (!env)
			continue;
		size_t vn = macro_value(env, letter, val, sizeof(val));
		if (vn >= sizeof(val))
			vn = sizeof(val) - 1;
		macro_emit(&o, val, vn, src + d0, i - d0, reverse, keep, upper);
	}
	if (!env) {
		if (out && size)
			out[0] = 0;
		return 0;
	}
	if (mode != SPF_MACRO_DOMAIN) {
		if (!out || !size)
			return (int)o.n;
		out[o.n < size ? o.n : size - 1] = 0;
		return (int)o.n;
	}
	/* Domain: drop a trailing dot, then section 7.3 left truncation. */
	char *p = o.p;
	size_t n = o.n;
	if (n && p[n - 1] == '.')
		n--;
	bool cut = o.cut;
	while (n > 253 || cut) {
		char *dot = memchr(p, '.', n);
		if (!dot) {
			n = 0;
			break;
		}
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
		cut = false;
		if (n <= 253)
			break;
	}
	if (!out || !size)
		return (int)n;
	if (n >= size)
		n = size - 1;
	memmove(out, p, n);
	out[n] = 0;
	return (int)n;
}

/* ---- record syntax (RFC 7208 section 4.6, 5, 6, 12) ---- */

static int perr(char *err, size_t errsize, const char *what, const char *at, size_t n)
{
	if (err && errsize)
		snprintf(err, errsize, "%s: %.*s", what, (int)(n > 40 ? 40 : n), at);
	return -1;
}

/* domain-spec = macro-string domain-end;
 * domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static int domain_spec_ok(const char *s, size_t n, char *err, size_t errsize)
{
	if (n == 0)
		return perr(err, errsize, "empty domain-spec", s, n);
	if (spf_expand_macro(NULL, s, n, SPF_MACRO_DOMAIN, NULL, 0, err, errsize) < 0)
		return -1;
	/* ends with a macro-expand: "%{...}", "%%", "%_", "%-" */
	if (s[n - 1] == '}') {
		const char *pc = NULL;
		for (size_t i = n; i-- > 0;)
			if (s[i] == '{') { pc = s + i; break; }
		if (pc && pc > s && pc[-1] == '%')
			return 0;
	}
	if (n >= 2 && s[n - 2] == '%' && strchr("%_-", s[n - 1])) {
		/* count the run of '%' to tell "%%-" from "%-" */
		size_t k = 0;
		for (size_t i = n - 1; i-- > 0 && s[i] == '%';)
			k++;
		if (k % 2 == 1)
			return 0;
	}
	size_t end = n;
	if (s[end - 1] == '.')
		end--;
	size_t i = end;
	while (i > 0 && s[i - 1] != '.')
		i--;
	if (i == 0)
		return perr(err, errsize, "domain-spec has no toplabel", s, n);
	if (!toplabel_ok(s + i, end - i))
		return perr(err, errsize, "invalid toplabel", s, n);
	return 0;
}

/* "/" ("0" / %x31-39 0*1DIGIT) etc.: no leading zero, value <= max. */
static int cidr_num(const char *s, size_t n, int max)
{
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Split a trailing dual-cidr-length off arg[0..*n). */
static int dual_cidr(const char *a, size_t *n, struct spf_term *t)
{
	size_t len = *n;
	/* "//" ip6-cidr-length at the end */
	size_t i = len;
	while (i > 0 && is_digit((unsigned char)a[i - 1]))
		i--;
	if (i >= 2 && i < len && a[i - 1] == '/' && a[i - 2] == '/') {
		int v = cidr_num(a + i, len - i, 128);
		if (v < 0)
			return -1;
		t->cidr6 = (unsigned char)v;
		len = i - 2;
	} else if (len >= 2 && a[len - 1] == '/' && a[len - 2] == '/') {
		return -1;
	}
	i = len;
	while (i > 0 && is_digit((unsigned char)a[i - 1]))
		i--;
	if (i >= 1 && i < len && a[i - 1] == '/') {
		int v = cidr_num(a + i, len - i, 32);
		if (v < 0)
			return -1;
		t->cidr4 = (unsigned char)v;
		len = i - 1;
	} else if (len >= 1 && a[len - 1] == '/') {
		return -1;
	}
	*n = len;
	return 0;
}

static bool name_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !strncasecmp(s, lit, n);
}

static int parse_mechanism(const char *rec, size_t off, size_t len,
			   struct spf_term *t, char *err, size_t errsize)
{
	const char *s = rec + off;
	size_t i = 0;
	t->qual = '+';
	if (len && strchr("+-~?", s[0])) {
		t->qual = s[0];
		i = 1;
	}
	size_t n0 = i;
	while (i < len && is_alpha((unsigned char)s[i]))
		i++;
	const char *name = s + n0;
	size_t nlen = i - n0;
	const char *rest = s + i;
	size_t rlen = len - i;
	t->off = (unsigned short)off;
	t->len = (unsigned short)len;
	t->cidr4 = 32;
	t->cidr6 = 128;
	t->arg = t->arglen = 0;

	if (name_eq(name, nlen, "all")) {
		t->mech = SPF_ALL;
		if (rlen)
			return perr(err, errsize, "junk after all", s, len);
		return 0;
	}
	if (name_eq(name, nlen, "include") || name_eq(name, nlen, "exists")) {
		t->mech = name_eq(name, nlen, "include") ? SPF_INCLUDE : SPF_EXISTS;
		if (rlen < 1 || rest[0] != ':')
			return perr(err, errsize, "missing domain-spec", s, len);
		if (domain_spec_ok(rest + 1, rlen - 1, err, errsize) < 0)
			return -1;
		t->arg = (unsigned short)(off + i + 1);
		t->arglen = (unsigned short)(rlen - 1);
		return 0;
	}
	if (name_eq(name, nlen, "a") || name_eq(name, nlen, "mx") ||
	    name_eq(name, nlen, "ptr")) {
		t->mech = name_eq(name, nlen, "a") ? SPF_A :
			  name_eq(name, nlen, "mx") ? SPF_MX : SPF_PTR;
		size_t alen = rlen;
		if (t->mech != SPF_PTR && dual_cidr(rest, &alen, t) < 0)
			return perr(err, errsize, "invalid CIDR length", s, len);
		if (alen == 0)
			return 0;
		if (rest[0] != ':')
			return perr(err, errsize, "unexpected text after mechanism", s, len);
		if (domain_spec_ok(rest + 1, alen - 1, err, errsize) < 0)
			return -1;
		t->arg = (unsigned short)(off + i + 1);
		t->arglen = (unsigned short)(alen - 1);
		return 0;
	}
	if (nlen == 2 && (name[0] == 'i' || name[0] == 'I') &&
	    (name[1] == 'p' || name[1] == 'P') && rlen && (rest[0] == '4' || rest[0] == '6')) {
		t->mech = rest[0] == '4' ? SPF_IP4 : SPF_IP6;
		rest++;
		rlen--;
		if (rlen < 2 || rest[0] != ':')
			return perr(err, errsize, "missing address", s, len);
		rest++;
		rlen--;
		char a[64];
		const char *slash = memchr(rest, '/', rlen);
		size_t alen = slash ? (size_t)(slash - rest) : rlen;
		if (alen == 0 || alen >= sizeof(a))
			return perr(err, errsize, "invalid address", s, len);
		memcpy(a, rest, alen);
		a[alen] = 0;
		int max = t->mech == SPF_IP4 ? 32 : 128;
		int bits = max;
		if (slash) {
			bits = cidr_num(slash + 1, rlen - alen - 1, max);
			if (bits < 0)
				return perr(err, errsize, "invalid CIDR length", s, len);
		}
		memset(t->net, 0, sizeof(t->net));
		if (inet_pton(t->mech == SPF_IP4 ? AF_INET : AF_INET6, a, t->net) != 1)
			return perr(err, errsize, "invalid address", s, len);
		if (t->mech == SPF_IP4)
			t->cidr4 = (unsigned char)bits;
		else
			t->cidr6 = (unsigned char)bits;
		return 0;
	}
	return perr(err, errsize, "unknown mechanism", s, len);
}

int spf_parse_record(const char *rec, size_t len, struct spf_record *r,
		     char *err, size_t errsize)
{
	r->n = 0;
	r->has_redirect = r->has_exp = 0;
	r->redirect = r->redirect_len = r->exp = r->exp_len = 0;
	if (err && errsize)
		err[0] = 0;
	if (len > SPF_MAX_RECORD)
		return perr(err, errsize, "record too long", rec, 0);
	if (!spf1_prefix(rec, len))
		return perr(err, errsize, "not an SPF record", rec, len);
	/* section 3/4.6: printable US-ASCII and SP only */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = rec[i];
		if (c != ' ' && (c < 0x21 || c > 0x7e))
			return perr(err, errsize, "invalid character in record", rec + i, 0);
	}
	size_t i = 6;
	while (i < len) {
		while (i < len && rec[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t b = i;
		while (i < len && rec[i] != ' ')
			i++;
		const char *s = rec + b;
		size_t n = i - b;
		/* modifier: name "=" ..., name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
		size_t k = 0;
		if (is_alpha((unsigned char)s[0])) {
			k = 1;
			while (k < n && (is_alnum((unsigned char)s[k]) || s[k] == '-' ||
					 s[k] == '_' || s[k] == '.'))
				k++;
		}
		if (k > 0 && k < n && s[k] == '=') {
			const char *v = s + k + 1;
			size_t vn = n - k - 1;
			if (name_eq(s, k, "redirect") || name_eq(s, k, "exp")) {
				bool red = name_eq(s, k, "redirect");
				/* section 6: each at most once */
				if (red ? r->has_redirect : r->has_exp)
					return perr(err, errsize, "duplicate modifier", s, n);
				if (domain_spec_ok(v, vn, err, errsize) < 0)
					return -1;
				if (red) {
					r->has_redirect = 1;
					r->redirect = (unsigned short)(v - rec);
					r->redirect_len = (unsigned short)vn;
				} else {
					r->has_exp = 1;
					r->exp = (unsigned short)(v - rec);
					r->exp_len = (unsigned short)vn;
				}
			} else if (spf_expand_macro(NULL, v, vn, SPF_MACRO_STRING, NULL, 0,
						    err, errsize) < 0) {
				return -1;
			}
			continue;
		}
		if (s[0] == '=')
			return perr(err, errsize, "invalid modifier", s, n);
		if (r->n >= SPF_MAX_TERMS)
			return perr(err, errsize, "too many terms", s, 0);
		struct spf_term *t = &r->t[r->n];
		if (parse_mechanism(rec, b, n, t, err, errsize) < 0)
			return -1;
		r->n++;
	}
	return 0;
}

/* ---- evaluation (RFC 7208 sections 4 and 5) ---- */

/* Every lookup of the evaluation: the result is DNSSEC-secure only when
 * all of them were. */
static const struct dns_answer *lookup(struct eval *ev, const char *name, int type)
{
	const struct dns_answer *a = dns_lookup(ev->s->d, name, type);
	if (a->sec != DNS_SEC_SECURE)
		ev->insecure = true;
	return a;
}

/* Count one DNS-querying term (section 4.6.4); -1 past the limit. */
static int count_lookup(struct eval *ev)
{
	if (++ev->res->dns_lookups > ev->max_lookups) {
		set_problem(ev, "too many DNS lookups (limit %d)", ev->max_lookups);
		return -1;
	}
	return 0;
}

/* Count a void lookup (NXDOMAIN or no records); -1 past the limit. */
static int count_void(struct eval *ev, const struct dns_answer *a)
{
	if (a->status != DNS_NXDOMAIN && a->status != DNS_NODATA && !(a->status == DNS_OK && a->n == 0))
		return 0;
	if (++ev->res->void_lookups > ev->max_void) {
		set_problem(ev, "too many void DNS lookups (limit %d)", ev->max_void);
		return -1;
	}
	return 0;
}

/* Does any address of name match ip/cidr?  1 match, 0 no, -1 temperror.
 * Void answers are counted when count is set. */
static int addr_match(struct eval *ev, const char *name, int cidr4, int cidr6,
		      bool count, bool quiet, int *perm_r)
{
	int type = ev->env.af == 4 ? DNS_T_A : DNS_T_AAAA;
	const struct dns_answer *a = lookup(ev, name, type);
	int rc = 0;
	if (a->status == DNS_TEMPFAIL) {
		if (!quiet)
			set_problem(ev, "DNS %s for %s", a->why ? a->why : "failure", name);
		rc = -1;
	} else if (count && count_void(ev, a) < 0) {
		*perm_r = 1;
		rc = -1;
	} else if (a->status == DNS_OK) {
		size_t alen = ev->env.af == 4 ? 4 : 16;
		for (size_t i = 0; i < a->n; i++) {
			const struct dns_rr *rr = &a->rr[i];
			if (rr->type != type || rr->len != alen)
				continue;
			if (spf_cidr_match(ev->env.af, ev->env.ip,
					   (const unsigned char *)rr->data,
					   ev->env.af == 4 ? cidr4 : cidr6)) {
				rc = 1;
				break;
			}
		}
	}
	dns_answer_free(a);
	return rc;
}

/* The reverse name of the client IP. */
static void reverse_name(const struct eval *ev, char *out, size_t size)
{
	const unsigned char *ip = ev->env.ip;
	if (ev->env.af == 4) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1], ip[0]);
		return;
	}
	char *p = out;
	for (int i = 15; i >= 0; i--) {
		*p++ = "0123456789abcdef"[ip[i] & 15];
		*p++ = '.';
		*p++ = "0123456789abcdef"[ip[i] >> 4];
		*p++ = '.';
	}
	strcpy(p, "ip6.arpa");
	(void)size;
}

static bool domain_under(const char *name, const char *dom)
{
	size_t n = strlen(name), d = strlen(dom);
	if (n == d)
		return !strcasecmp(name, dom);
	return n > d && name[n - d - 1] == '.' && !strcasecmp(name + n - d, dom);
}

/* Section 5.5: the validated names of the client IP.  With target, returns
 * 1 when one of them is target or under it; without, fills best (section
 * 7.3's %{p} choice) and returns 1 when one was found.  DNS errors only
 * make names unvalidated. */
static int validated_name(struct eval *ev, const char *target, char *best,
			  size_t bsize, bool count)
{
	char rname[80];
	reverse_name(ev, rname, sizeof(rname));
	const struct dns_answer *a = lookup(ev, rname, DNS_T_PTR);
	int found = 0, rank = 0;
	if (count && count_void(ev, a) < 0) {
		dns_answer_free(a);
		return -2;
	}
	if (a->status == DNS_OK) {
		size_t seen = 0;
		for (size_t i = 0; i < a->n && seen < SPF_MAX_NAMES; i++) {
			const struct dns_rr *rr = &a->rr[i];
			if (rr->type != DNS_T_PTR || !rr->len)
				continue;
			seen++;	/* section 4.6.4: only the first 10 names */
			const char *name = rr->data;
			int r = 0;
			if (target) {
				if (!domain_under(name, target))
					continue;
			} else {
				r = !strcasecmp(name, ev->env.domain) ? 3 :
				    domain_under(name, ev->env.domain) ? 2 : 1;
				if (r <= rank)
					continue;
			}
			int perm = 0;
			if (addr_match(ev, name, 32, 128, false, true, &perm) == 1) {
				if (target) {
					found = 1;
					break;
				}
				rank = r;
				found = 1;
				if (best && bsize)	/* NULL, 0 from a caller that only asks */
					cpy(best, bsize, name, strlen(name));
			}
		}
	}
	dns_answer_free(a);
	return found;
}

static const char *p_macro(void *arg)
{
	struct eval *ev = arg;
	/* section 7.3: prefer a name equal to or under the current domain */
	if (!ev->have_p || strcmp(ev->pdomain, ev->env.domain)) {
		ev->have_p = true;
		cpy(ev->pdomain, sizeof(ev->pdomain), ev->env.domain, strlen(ev->env.domain));
		if (validated_name(ev, NULL, ev->pname, sizeof(ev->pname), false) != 1)
			strcpy(ev->pname, "unknown");
	}
	return ev->pname;
}

/* Expand a domain-spec (or use the current domain when len is 0). */
static void target_name(struct eval *ev, const char *rec, const struct spf_term *t,
			char *out, size_t size)
{
	if (!t->arglen) {
		cpy(out, size, ev->env.domain, strlen(ev->env.domain));
		return;
	}
	const char *a = rec + t->arg;
	size_t n = t->arglen;
	if (n <= 253 && !memchr(a, '%', n)) {
		/* no macro: the text itself, without a trailing dot */
		if (a[n - 1] == '.')
			n--;
		cpy(out, size, a, n);
		return;
	}
	if (spf_expand_macro(&ev->env, rec + t->arg, t->arglen, SPF_MACRO_DOMAIN,
			     out, size, NULL, 0) < 0)
		out[0] = 0;
}

/* Is name usable as a query target?  (Not empty, labels 1..63.) */
static bool query_name_ok(const char *name)
{
	size_t n = strlen(name), lab = 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > 63) {
			return false;
		}
	}
	return true;
}

static enum auth_code check_host(struct eval *ev, const char *domain, int depth,
				 bool want_exp);

static const char *mech_word(int m)
{
	static const char *const w[] = { "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists" };
	return w[m];
}

/* Evaluate one mechanism: 1 match, 0 no match, or -1 with *code set. */
static int eval_term(struct eval *ev, const char *rec, const struct spf_term *t,
		     int depth, enum auth_code *code)
{
	char name[256];
	int perm = 0, rc;
	switch (t->mech) {
	case SPF_ALL:
		return 1;
	case SPF_IP4:
		return ev->env.af == 4 && spf_cidr_match(4, ev->env.ip, t->net, t->cidr4);
	case SPF_IP6:
		return ev->env.af == 6 && spf_cidr_match(6, ev->env.ip, t->net, t->cidr6);
	default:
		break;
	}
	if (count_lookup(ev) < 0) {
		*code = AUTH_PERMERROR;
		return -1;
	}
	target_name(ev, rec, t, name, sizeof(name));
	bool ok = query_name_ok(name);
	switch (t->mech) {
	case SPF_INCLUDE: {
		if (!ok) {
			set_problem(ev, "include of invalid domain \"%s\"", name);
			*code = AUTH_PERMERROR;
			return -1;
		}
		enum auth_code r = check_host(ev, name, depth + 1, false);
		switch (r) {
		case AUTH_PASS:
			return 1;
		case AUTH_FAIL: case AUTH_SOFTFAIL: case AUTH_NEUTRAL:
			ev->res->mechanism[0] = 0;	/* the inner match does not count */
			return 0;
		case AUTH_TEMPERROR:
			*code = AUTH_TEMPERROR;
			return -1;
		case AUTH_NONE:
			/* section 5.2: include of a domain without SPF */
			set_problem(ev, "include:%s has no SPF record", name);
			/* fall through */
		default:
			*code = AUTH_PERMERROR;
			return -1;
		}
	}
	case SPF_A:
		if (!ok)
			return 0;
		rc = addr_match(ev, name, t->cidr4, t->cidr6, true, false, &perm);
		if (rc < 0) {
			*code = perm ? AUTH_PERMERROR : AUTH_TEMPERROR;
			return -1;
		}
		return rc;
	case SPF_EXISTS: {
		if (!ok)
			return 0;
		/* section 5.7: always an A query, whatever the client's family */
		const struct dns_answer *a = lookup(ev, name, DNS_T_A);
		rc = 0;
		if (a->status == DNS_TEMPFAIL) {
			set_problem(ev, "DNS %s for %s", a->why ? a->why : "failure", name);
			*code = AUTH_TEMPERROR;
			rc = -1;
		} else if (count_void(ev, a) < 0) {
			*code = AUTH_PERMERROR;
			rc = -1;
		} else if (a->status == DNS_OK) {
			for (size_t i = 0; i < a->n; i++)
				if (a->rr[i].type == DNS_T_A)
					rc = 1;
		}
		dns_answer_free(a);
		return rc;
	}
	case SPF_MX: {
		if (!ok)
			return 0;
		const struct dns_answer *a = lookup(ev, name, DNS_T_MX);
		rc = 0;
		if (a->status == DNS_TEMPFAIL) {
			set_problem(ev, "DNS %s for %s MX", a->why ? a->why : "failure", name);
			*code = AUTH_TEMPERROR;
			rc = -1;
		} else if (count_void(ev, a) < 0) {
			*code = AUTH_PERMERROR;
			rc = -1;
		} else if (a->status == DNS_OK) {
			size_t nmx = 0;
			for (size_t i = 0; i < a->n; i++)
				if (a->rr[i].type == DNS_T_MX)
					nmx++;
			/* section 4.6.4: more than 10 MX names is a permerror */
			if (nmx > SPF_MAX_NAMES) {
				set_problem(ev, "%s has more than %d MX records", name, SPF_MAX_NAMES);
				*code = AUTH_PERMERROR;
				rc = -1;
			}
			for (size_t i = 0; rc == 0 && i < a->n; i++) {
				const struct dns_rr *rr = &a->rr[i];
				if (rr->type != DNS_T_MX || !query_name_ok(rr->data))
					continue;	/* RFC 7505 null MX "." */
				int r = addr_match(ev, rr->data, t->cidr4, t->cidr6, false, false, &perm);
				if (r < 0) {
					*code = AUTH_TEMPERROR;
					rc = -1;
				} else if (r == 1) {
					rc = 1;
				}
			}
		}
		dns_answer_free(a);
		return rc;
	}
	case SPF_PTR:
		if (!ok)
			return 0;
		rc = validated_name(ev, name, NULL, 0, true);
		if (rc == -2) {
			*code = AUTH_PERMERROR;
			return -1;
		}
		return rc == 1;
	}
	return 0;
}

static enum auth_code qual_code(char q)
{
	switch (q) {
	case '-': return AUTH_FAIL;
	case '~': return AUTH_SOFTFAIL;
	case '?': return AUTH_NEUTRAL;
	default: return AUTH_PASS;
	}
}

/* Section 6.2: the explanation of a fail; failures leave it empty. */
static void explain(struct eval *ev, const char *rec, const struct spf_record *r)
{
	char name[256];
	if (spf_expand_macro(&ev->env, rec + r->exp, r->exp_len, SPF_MACRO_DOMAIN,
			     name, sizeof(name), NULL, 0) < 0 || !query_name_ok(name))
		return;
	const struct dns_answer *a = lookup(ev, name, DNS_T_TXT);
	if (a->status == DNS_OK && a->n == 1 && a->rr[0].type == DNS_T_TXT) {
		const struct dns_rr *rr = &a->rr[0];
		char out[sizeof(ev->res->explanation)];
		if (spf_expand_macro(&ev->env, rr->data, rr->len, SPF_MACRO_EXPLAIN,
				     out, sizeof(out), NULL, 0) >= 0)
			memcpy(ev->res->explanation, out, sizeof(out));
	}
	dns_answer_free(a);
}

static void term_text(char *out, size_t size, const char *rec, const struct spf_term *t)
{
	cpy(out, size, rec + t->off, t->len);
}

static int parse_cached(struct spf *s, const char *text, size_t len,
			struct spf_record *r, char *err, size_t errsize)
{
	if (!s->rc || len == 0 || len > RCACHE_TEXT)
		return spf_parse_record(text, len, r, err, errsize);
	unsigned h = 2166136261u;	/* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 16777619u;
	struct rcache *e = &s->rc[h % RCACHE_SLOTS];
	if (e->len == len && e->hash == h && !memcmp(e->text, text, len)) {
		if (!e->ok) {
			snprintf(err, errsize, "%s", e->err);
			return -1;
		}
		r->n = e->n;
		memcpy(r->t, e->t, (size_t)e->n * sizeof(e->t[0]));
		r->redirect = e->redirect;
		r->redirect_len = e->redirect_len;
		r->exp = e->exp;
		r->exp_len = e->exp_len;
		r->has_redirect = e->has_redirect;
		r->has_exp = e->has_exp;
		return 0;
	}
	int rc = spf_parse_record(text, len, r, err, errsize);
	if (rc == 0 && r->n > RCACHE_TERMS)
		return rc;	/* too long to keep */
	e->hash = h;
	e->len = (unsigned short)len;
	memcpy(e->text, text, len);
	e->ok = rc == 0;
	snprintf(e->err, sizeof(e->err), "%s", rc == 0 ? "" : err);
	if (rc == 0) {
		e->n = r->n;
		memcpy(e->t, r->t, (size_t)r->n * sizeof(r->t[0]));
		e->redirect = r->redirect;
		e->redirect_len = r->redirect_len;
		e->exp = r->exp;
		e->exp_len = r->exp_len;
		e->has_redirect = r->has_redirect;
		e->has_exp = r->has_exp;
	}
	return rc;
}

/* Section 4: check_host() for one domain; depth counts include/redirect. */
static enum auth_code check_host(struct eval *ev, const char *domain, int depth,
				 bool want_exp)
{
	if (depth > SPF_MAX_DEPTH) {
		set_problem(ev, "include/redirect nesting deeper than %d", SPF_MAX_DEPTH);
		return AUTH_PERMERROR;
	}
	const struct dns_answer *a = lookup(ev, domain, DNS_T_TXT);
	if (a->status == DNS_TEMPFAIL) {
		set_problem(ev, "DNS %s for %s TXT", a->why ? a->why : "failure", domain);
		dns_answer_free(a);
		return AUTH_TEMPERROR;
	}
	/* Section 4.5: exactly one record that starts "v=spf1" SP / end. */
	const struct dns_rr *rec = NULL;
	int nrec = 0;
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++) {
		const struct dns_rr *rr = &a->rr[i];
		if (rr->type != DNS_T_TXT || !spf1_prefix(rr->data, rr->len))
			continue;
		rec = rr;
		nrec++;
	}
	if (nrec == 0) {
		if (depth == 0)
			snprintf(ev->res->reason, sizeof(ev->res->reason),
				 "%s has no SPF record", domain);
		dns_answer_free(a);
		return AUTH_NONE;
	}
	if (nrec > 1) {
		set_problem(ev, "%s has %d SPF records", domain, nrec);
		dns_answer_free(a);
		return AUTH_PERMERROR;
	}
	struct spf_record r;
	char err[96];
	if (parse_cached(ev->s, rec->data, rec->len, &r, err, sizeof(err)) < 0) {
		set_problem(ev, "%s: %s", domain, err);
		dns_answer_free(a);
		return AUTH_PERMERROR;
	}
	const char *txt = rec->data;
	const char *saved = ev->env.domain;
	ev->env.domain = domain;
	enum auth_code code = AUTH_NEUTRAL;
	bool matched = false;
	for (int i = 0; i < r.n; i++) {
		const struct spf_term *t = &r.t[i];
		enum auth_code ec = AUTH_PERMERROR;
		int m = eval_term(ev, txt, t, depth, &ec);
		if (m < 0) {
			code = ec;
			matched = true;
			if (!ev->res->problem[0])
				set_problem(ev, "%s in %s", mech_word(t->mech), domain);
			break;
		}
		if (m == 1) {
			code = qual_code(t->qual);
			matched = true;
			term_text(ev->res->mechanism, sizeof(ev->res->mechanism), txt, t);
			if (code == AUTH_FAIL && want_exp && r.has_exp)
				explain(ev, txt, &r);
			break;
		}
	}
	if (!matched && r.has_redirect) {
		/* Section 6.1: redirect; none or a malformed target is a permerror */
		char name[256];
		if (count_lookup(ev) < 0) {
			code = AUTH_PERMERROR;
		} else {
			if (spf_expand_macro(&ev->env, txt + r.redirect, r.redirect_len,
					     SPF_MACRO_DOMAIN, name, sizeof(name), NULL, 0) < 0)
				name[0] = 0;
			if (!query_name_ok(name)) {
				set_problem(ev, "redirect to invalid domain \"%s\"", name);
				code = AUTH_PERMERROR;
			} else {
				code = check_host(ev, name, depth + 1, want_exp);
				if (code == AUTH_NONE) {
					set_problem(ev, "redirect=%s has no SPF record", name);
					code = AUTH_PERMERROR;
				}
			}
		}
	} else if (!matched) {
		ev->res->mechanism[0] = 0;
	}
	ev->env.domain = saved;
	dns_answer_free(a);
	return code;
}

/* ---- public ---- */

struct spf *spf_new(const struct conf *c, struct dns *d)
{
	struct spf *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->c = c;
	s->d = d;
	if (!rcache_proc)
		rcache_proc = calloc(RCACHE_SLOTS, sizeof(*rcache_proc)); /* optional */
	s->rc = rcache_proc;
	return s;
}

void spf_free(struct spf *s)
{
	if (!s)
		return;
	free(s);
}

/* Parse the client IP; IPv4-mapped IPv6 counts as IPv4 (section 5). */
static int parse_ip(const char *ip, int *af, unsigned char *out)
{
	char buf[64];
	if (!ip)
		return -1;
	size_t n = strlen(ip);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, ip, n + 1);
	if (n >= 2 && buf[0] == '[' && buf[n - 1] == ']') {
		buf[n - 1] = 0;
		memmove(buf, buf + 1, n - 1);
	}
	char *p = buf;
	if (!strncasecmp(p, "IPv6:", 5))
		p += 5;
	if (inet_pton(AF_INET, p, out) == 1) {
		*af = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, p, out) == 1) {
		static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if (!memcmp(out, mapped, 12)) {
			memmove(out, out + 12, 4);
			*af = 4;
		} else {
			*af = 6;
		}
		return 0;
	}
	return -1;
}

/* Section 4.3: a domain check_host() can work with. */
static bool domain_ok(const char *d)
{
	size_t n = strlen(d), lab = 0, labels = 0;
	if (n == 0 || n > 253 || d[0] == '[')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = d[i];
		if (c <= 0x20 || c >= 0x7f)
			return false;
		if (c == '.') {
			if (lab == 0)
				return false;
			lab = 0;
			labels++;
		} else if (++lab > 63) {
			return false;
		}
	}
	if (lab)
		labels++;
	return labels >= 2;
}

static void result_reason(struct spf_result *res)
{
	if (res->reason[0])
		return;
	switch (res->code) {
	case AUTH_PASS: case AUTH_FAIL: case AUTH_SOFTFAIL: case AUTH_NEUTRAL:
		if (res->mechanism[0])
			cat3(res->reason, sizeof(res->reason), "mechanism ", res->mechanism,
			     " matched");
		else
			cat3(res->reason, sizeof(res->reason), "no mechanism matched", NULL, NULL);
		break;
	case AUTH_TEMPERROR: case AUTH_PERMERROR:
		cat3(res->reason, sizeof(res->reason), res->problem, NULL, NULL);
		break;
	default:
		snprintf(res->reason, sizeof(res->reason), "no SPF record");
		break;
	}
}

void spf_check_host(struct spf *s, const struct spf_request *req,
		    const char *sender, const char *identity,
		    struct spf_result *res)
{
	memset(res, 0, sizeof(*res));
	cpy(res->identity, sizeof(res->identity), identity, strlen(identity));
	const char *at = strrchr(sender, '@');
	char local[256];
	const char *dom;
	/* section 4.3: no local-part means "postmaster" */
	if (at && at > sender) {
		cpy(local, sizeof(local), sender, (size_t)(at - sender));
		dom = at + 1;
	} else {
		strcpy(local, "postmaster");
		dom = at ? at + 1 : sender;
	}
	char domain[256];
	cpy(domain, sizeof(domain), dom, strlen(dom));
	size_t dn = strlen(domain);
	if (dn && domain[dn - 1] == '.')
		domain[--dn] = 0;
	cat3(res->sender, sizeof(res->sender), local, "@", domain);
	cpy(res->domain, sizeof(res->domain), domain, dn);

	struct eval ev;
	memset(&ev, 0, sizeof(ev));
	ev.s = s;
	ev.req = req;
	ev.res = res;
	ev.max_lookups = s->c ? (int)s->c->spf_max_dns_mechs : 10;
	ev.max_void = s->c ? (int)s->c->spf_max_void : 2;
	if (parse_ip(req->ip, &ev.env.af, ev.env.ip) < 0) {
		res->code = AUTH_NONE;
		snprintf(res->reason, sizeof(res->reason), "invalid client IP");
		return;
	}
	ev.env.sender = res->sender;
	ev.env.local = local;
	ev.env.sender_domain = domain;
	ev.env.domain = domain;
	ev.env.helo = req->helo ? req->helo : "";
	ev.env.receiver = req->receiver;
	ev.env.p_fn = p_macro;
	ev.env.p_arg = &ev;
	ev.env.now = 0;		/* %{t}: read the clock only when used */
	if (strlen(dom) >= sizeof(domain) || !domain_ok(domain)) {
		res->code = AUTH_NONE;
		snprintf(res->reason, sizeof(res->reason), "not a valid domain: %.80s", dom);
		return;
	}
	res->code = check_host(&ev, domain, 0, true);
	if (dns_validating(s->d))
		res->dnssec = ev.insecure ? DNS_VALIDATED_INSECURE : DNS_VALIDATED_SECURE;
	result_reason(res);
}

void spf_verify(struct spf *s, const struct spf_request *req,
		struct spf_result *res_r, struct spf_result *helo_r)
{
	const char *helo = req->helo ? req->helo : "";
	const char *mf = req->mail_from ? req->mail_from : "";
	char buf[600];
	if (mf[0] == '<') {
		size_t n = strlen(mf);
		cpy(buf, sizeof(buf), mf + 1, n > 1 && mf[n - 1] == '>' ? n - 2 : n - 1);
		mf = buf;
	}
	struct spf_result h;
	bool want_helo = (s->c && s->c->spf_helo_check) || !mf[0];
	if (want_helo) {
		char hs[300];
		/* section 2.3: the HELO identity is postmaster@helo */
		cat3(hs, sizeof(hs), "postmaster@", helo, NULL);
		spf_check_host(s, req, hs, "helo", &h);
	} else {
		memset(&h, 0, sizeof(h));
		strcpy(h.identity, "helo");
		snprintf(h.reason, sizeof(h.reason), "HELO not checked");
	}
	if (helo_r)
		*helo_r = h;
	if (!mf[0]) {
		/* section 2.4: null reverse-path, the HELO result decides */
		*res_r = h;
		return;
	}
	spf_check_host(s, req, mf, "mailfrom", res_r);
}

/* ---- output ---- */

/* dot-atom per RFC 5322? */
static bool dot_atom(const char *s)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	if (!*s || *s == '.')
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = *p;
		if (c == '.') {
			if (p[1] == '.' || p[1] == 0)
				return false;
		} else if (!is_alnum(c) && !strchr(atext, c)) {
			return false;
		}
	}
	return true;
}

struct sbuf {
	char *p;
	size_t n, size;
	bool over;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->size) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* value as dot-atom, or quoted-string (printable ASCII only). */
static void sb_value(struct sbuf *b, const char *v)
{
	if (dot_atom(v)) {
		sb_str(b, v);
		return;
	}
	sb_add(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_add(b, "\\", 1);
		if (*p >= 0x20 && *p < 0x7f)
			sb_add(b, (const char *)p, 1);
		else
			sb_add(b, "?", 1);
	}
	sb_add(b, "\"", 1);
}

/* comment text: escape ( ) \ and drop controls. */
static void sb_ctext(struct sbuf *b, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '(' || *p == ')' || *p == '\\')
			sb_add(b, "\\", 1);
		if (*p >= 0x20 && *p < 0x7f)
			sb_add(b, (const char *)p, 1);
		else
			sb_add(b, "?", 1);
	}
}

/* Fold a one-line header at spaces so that lines stay within 78 columns
 * where possible; never inside a quoted string. */
static char *fold(const char *line)
{
	size_t n = strlen(line);
	char *out = malloc(n * 3 + 8);
	if (!out)
		return NULL;
	size_t o = 0, col = 0, i = 0;
	bool q = false;		/* inside a quoted-string: no folding there */
	int depth = 0;		/* comment nesting: quotes are plain text there */
	while (i < n) {
		/* next word: up to the next space outside quotes */
		size_t j = i;
		while (j < n && (q || line[j] != ' ')) {
			if (line[j] == '\\' && (q || depth) && j + 1 < n)
				j++;	/* quoted-pair */
			else if (line[j] == '"' && !depth)
				q = !q;
			else if (line[j] == '(' && !q)
				depth++;
			else if (line[j] == ')' && !q && depth)
				depth--;
			j++;
		}
		size_t w = j - i;
		if (i > 0) {
			if (col + 1 + w > 78) {
				/* RFC 5322 section 2.2.3: CRLF before the WSP */
				memcpy(out + o, "\r\n ", 3);
				o += 3;
				col = 1;
			} else {
				out[o++] = ' ';
				col++;
			}
		}
		memcpy(out + o, line + i, w);
		o += w;
		col += w;
		i = j;
		while (i < n && line[i] == ' ')
			i++;
	}
	memcpy(out + o, "\r\n", 3);
	return out;
}

char *spf_received_spf(const struct spf_result *res,
		       const struct spf_request *req, const struct conf *c)
{
	char line[2048];
	struct sbuf b = { line, 0, sizeof(line), false };
	line[0] = 0;
	bool hide = c && c->spf_hide_receiver;
	const char *rcv = req->receiver && *req->receiver ? req->receiver :
			  (c && c->hostname ? c->hostname : "unknown");
	const char *ip = req->ip ? req->ip : "";
	const char *who = res->sender[0] ? res->sender : res->domain;
	char cm[800];
	switch (res->code) {
	case AUTH_PASS:
		snprintf(cm, sizeof(cm), "domain of %s designates %s as permitted sender", who, ip);
		break;
	case AUTH_FAIL:
		snprintf(cm, sizeof(cm), "domain of %s does not designate %s as permitted sender", who, ip);
		break;
	case AUTH_SOFTFAIL:
		snprintf(cm, sizeof(cm), "domain of transitioning %s does not designate %s as permitted sender", who, ip);
		break;
	case AUTH_NEUTRAL:
		snprintf(cm, sizeof(cm), "%s is neither permitted nor denied by domain of %s", ip, who);
		break;
	case AUTH_TEMPERROR:
		snprintf(cm, sizeof(cm), "error in processing during lookup of %s: %s", who, res->problem);
		break;
	case AUTH_PERMERROR:
		snprintf(cm, sizeof(cm), "permanent error in processing domain of %s: %s", who, res->problem);
		break;
	default:
		snprintf(cm, sizeof(cm), "%s does not designate permitted sender hosts", res->domain[0] ? res->domain : who);
		break;
	}
	sb_str(&b, "Received-SPF: ");
	sb_str(&b, auth_code_name(res->code));
	sb_str(&b, " (");
	if (!hide) {
		sb_ctext(&b, rcv);
		sb_str(&b, ": ");
	}
	sb_ctext(&b, cm);
	sb_str(&b, ")");
	/* RFC 7208 section 9.1 key-value-list */
	sb_str(&b, " client-ip=");
	sb_value(&b, ip);
	sb_str(&b, "; envelope-from=");
	sb_value(&b, req->mail_from ? req->mail_from : "");
	sb_str(&b, "; helo=");
	sb_value(&b, req->helo ? req->helo : "");
	if (!hide) {
		sb_str(&b, "; receiver=");
		sb_value(&b, rcv);
	}
	sb_str(&b, "; identity=");
	sb_str(&b, res->identity[0] ? res->identity : "mailfrom");
	if (res->mechanism[0]) {
		sb_str(&b, "; mechanism=");
		sb_value(&b, res->mechanism);
	}
	if ((res->code == AUTH_TEMPERROR || res->code == AUTH_PERMERROR) && res->problem[0]) {
		sb_str(&b, "; problem=");
		sb_value(&b, res->problem);
	}
	sb_str(&b, ";");
	(void)b.over;	/* every part is bounded by the result fields */
	return fold(line);
}

int spf_ar(const struct spf_result *res, char *buf, size_t size)
{
	struct sbuf b = { buf, 0, size, false };
	if (size)
		buf[0] = 0;
	sb_str(&b, "spf=");
	sb_str(&b, auth_code_name(res->code));
	const char *sec = dns_validated_name(res->dnssec);
	if (res->reason[0] || *sec) {
		sb_str(&b, " (");
		sb_ctext(&b, res->reason);
		/* like DKIM's "2048-bit key; secure": was the record signed */
		if (*sec)
			sb_str(&b, res->reason[0] ? "; " : "");
		sb_str(&b, sec);
		sb_str(&b, ")");
	}
	/* RFC 8601 section 2.7.2: smtp.mailfrom is the domain checked */
	bool helo = !strcmp(res->identity, "helo");
	sb_str(&b, helo ? " smtp.helo=" : " smtp.mailfrom=");
	sb_value(&b, res->domain[0] ? res->domain : "unknown");
	if (b.over)
		return -1;
	return (int)b.n;
}
