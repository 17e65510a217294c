/* report_rec.c - the per-message record of a DMARC aggregate report.
 *
 * Takes the verdict's results; returns a struct report_rec (or "not
 * reported").  Encodes the rules of RFC 9990 section 3.1.1 that are
 * decided at delivery time: the published policy with defaults, the
 * disposition applied and its reason, the DMARC-evaluated alignment and
 * the uninterpreted DKIM/SPF results.  Pure: no I/O except getrandom().
 */
#include "report_rec.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "auth.h"
#include "conf.h"
#include "dkim.h"
#include "dmarc.h"
#include "spf.h"
#include "tagval.h"

#define F(x) { #x, offsetof(struct report_rec, x), sizeof(((struct report_rec *)0)->x) }
const struct report_field report_rec_fields[] = {
	F(uid), F(policy_domain), F(p), F(sp), F(np), F(adkim), F(aspf),
	F(testing), F(fo), F(discovery), F(rua), F(source_ip), F(header_from),
	F(envelope_from), F(envelope_to), F(disposition), F(dkim_eval),
	F(spf_eval), F(reason), F(reason_comment), F(spf_domain), F(spf_result),
	F(dkim),
};
#undef F
const size_t report_rec_nfields = sizeof report_rec_fields / sizeof report_rec_fields[0];

/* ------------------------------------------------------------------ */
/* days                                                               */

long long report_day(long long t)
{
	/* floor division: a time before 1970 still lands in its own day */
	return t >= 0 ? t / REPORT_DAY : -((-t + REPORT_DAY - 1) / REPORT_DAY);
}

/* days since 1970-01-01 of a civil date (H. Hinnant's algorithm) */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

long long report_day_parse(const char *s)
{
	unsigned y, m, d;
	char tail;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return -1;
	return days_from_civil(y, m, d);
}

void report_day_format(long long day, char *buf, size_t size)
{
	time_t t = (time_t)(day * REPORT_DAY);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

/* ------------------------------------------------------------------ */
/* escaping                                                           */

size_t report_esc(char *dst, size_t size, const char *src, size_t len, const char *also)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];
		bool esc = ch < 0x21 || ch == 0x7f || ch == '%' || (also && strchr(also, ch));
		size_t need = esc ? 3 : 1;
		if (n + need >= size)
			break;
		if (esc) {
			dst[n++] = '%';
			dst[n++] = hex[ch >> 4];
			dst[n++] = hex[ch & 15];
		} else {
			dst[n++] = (char)ch;
		}
	}
	if (size)
		dst[n] = '\0';
	return n;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	c |= 32;
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

size_t report_unesc(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		int hi, lo;
		if (src[i] == '%' && i + 2 < len &&
		    (hi = hexval((unsigned char)src[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)src[i + 2])) >= 0) {
			dst[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			dst[n++] = src[i];
		}
	}
	if (size)
		dst[n] = '\0';
	return n;
}

/* ------------------------------------------------------------------ */
/* spool lines                                                        */

size_t report_rec_encode(const struct report_rec *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "R1\t%lld", r->ts);
	if (n < 0 || (size_t)n >= size)
		return 0;
	size_t len = (size_t)n;
	for (size_t i = 0; i < report_rec_nfields; i++) {
		const char *v = (const char *)r + report_rec_fields[i].off;
		if (len + 2 >= size)
			return 0;
		buf[len++] = '\t';
		size_t vl = strlen(v);
		size_t w = report_esc(buf + len, size - len, v, vl, "");
		/* an escaped value that did not fit whole: refuse the line */
		size_t want = 0;
		for (size_t k = 0; k < vl; k++) {
			unsigned char ch = (unsigned char)v[k];
			want += ch < 0x21 || ch == 0x7f || ch == '%' ? 3 : 1;
		}
		if (w != want)
			return 0;
		len += w;
	}
	if (len + 2 > size)
		return 0;
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

int report_rec_decode(struct report_rec *r, const char *line, size_t len)
{
	memset(r, 0, sizeof *r);
	if (!len || line[len - 1] != '\n')
		return -1;		/* a write cut short */
	len--;
	if (len < 3 || memcmp(line, "R1\t", 3))
		return -1;
	const char *p = line + 3, *end = line + len;
	const char *tab = memchr(p, '\t', (size_t)(end - p));
	if (!tab)
		return -1;
	char num[24];
	size_t nl = (size_t)(tab - p);
	if (nl == 0 || nl >= sizeof num)
		return -1;
	memcpy(num, p, nl);
	num[nl] = '\0';
	char *ep;
	r->ts = strtoll(num, &ep, 10);
	if (*ep)
		return -1;
	p = tab + 1;
	for (size_t i = 0; i < report_rec_nfields; i++) {
		const char *e = memchr(p, '\t', (size_t)(end - p));
		if (!e)
			e = end;
		if (i + 1 < report_rec_nfields && e == end)
			return -1;
		report_unesc(report_field_ptr(r, i), report_rec_fields[i].size, p, (size_t)(e - p));
		p = e + 1;
	}
	if (p < end)
		return -1;		/* more fields than this version writes */
	return *r->uid && *r->policy_domain ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* rua                                                                */

static bool domain_ok(const char *d)
{
	size_t n = strlen(d), lab = 0;
	if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.')
		return false;
	for (const char *p = d; *p; p++) {
		if (*p == '.') {
			if (lab == 0 || p[-1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (!(isalnum((unsigned char)*p) || *p == '-') || (*p == '-' && lab == 0) ||
		    ++lab > 63)
			return false;
	}
	return strchr(d, '.') != NULL;
}

/* One mailto: URI (RFC 6068) into "local@domain"; -1 when malformed. */
static int mailto_addr(const char *u, size_t ul, char *out, size_t size)
{
	if (ul <= 7 || strncasecmp(u, "mailto:", 7))
		return -1;
	u += 7;
	ul -= 7;
	/* the RFC 7489 size limit ("!10m") is no part of the address */
	const char *bang = memchr(u, '!', ul);
	if (bang)
		ul = (size_t)(bang - u);
	const char *q = memchr(u, '?', ul);	/* hfields: not ours to use */
	if (q)
		ul = (size_t)(q - u);
	char a[REPORT_ADDR_MAX];
	if (ul == 0 || ul >= sizeof a * 3)
		return -1;
	size_t al = report_unesc(a, sizeof a, u, ul);
	if (al + 1 >= sizeof a)
		return -1;
	for (size_t i = 0; i < al; i++) {
		unsigned char ch = (unsigned char)a[i];
		/* printable ASCII only; no specials that end an address */
		if (ch <= 0x20 || ch >= 0x7f || strchr("<>()[]\\,;:\"", ch))
			return -1;
	}
	char *at = strrchr(a, '@');
	if (!at || at == a || memchr(a, '@', (size_t)(at - a)) || at - a > 64)
		return -1;
	for (char *p = at + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!domain_ok(at + 1))
		return -1;
	if (strlen(a) >= size)
		return -1;
	snprintf(out, size, "%s", a);
	return 0;
}

struct rua_acc {
	char (*addr)[REPORT_ADDR_MAX];
	size_t n, max;
};

static int rua_item(const char *u, size_t len, void *arg)
{
	struct rua_acc *acc = arg;
	char a[REPORT_ADDR_MAX];
	/* RFC 9990 3.5: malformed URIs and other schemes are ignored */
	if (len && mailto_addr(u, len, a, sizeof a) == 0) {
		for (size_t i = 0; i < acc->n; i++)
			if (!strcasecmp(acc->addr[i], a))
				return 0;
		snprintf(acc->addr[acc->n++], REPORT_ADDR_MAX, "%s", a);
	}
	return acc->n >= acc->max;
}

size_t report_rua_parse(const char *rua, size_t max, char (*addr_r)[REPORT_ADDR_MAX])
{
	struct rua_acc acc = { addr_r, 0, max };
	if (max)
		tagval_split(rua, strlen(rua), ',', (size_t)-1, rua_item, &acc);
	return acc.n;
}

/* ------------------------------------------------------------------ */
/* building                                                           */

static const char *pol(enum dmarc_policy p)
{
	return p ? dmarc_policy_name(p) : "none";
}

static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at ? at + 1 : "";
}

static void lower(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; *src && n + 1 < size; src++)
		dst[n++] = (char)tolower((unsigned char)*src);
	dst[n] = '\0';
	while (n && dst[n - 1] == '.')
		dst[--n] = '\0';
}

static bool in_list(const struct conf_list *l, const char *d)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i], d))
			return true;
	return false;
}

/* RFC 9990 3.1.3 priority: 0 strict-aligned pass, 1 relaxed-aligned
 * pass, 2 other pass, 3 the rest. */
static int dkim_rank(const struct dkim_sig_result *s, const char *from, const char *org)
{
	if (s->code != AUTH_PASS)
		return 3;
	if (!strcasecmp(s->d, from))
		return 0;
	size_t dl = strlen(s->d), ol = strlen(org);
	if (*org && (!strcasecmp(s->d, org) ||
		     (dl > ol && s->d[dl - ol - 1] == '.' && !strcasecmp(s->d + dl - ol, org))))
		return 1;
	return 2;
}

static void add_dkim(struct report_rec *r, const struct dkim_result *dk,
		     const struct dmarc_result *d)
{
	size_t len = 0, count = 0;
	for (int rank = 0; rank < 4; rank++) {
		for (size_t i = 0; dk && i < dk->n && count < REPORT_DKIM_MAX; i++) {
			const struct dkim_sig_result *s = &dk->sigs[i];
			if (dkim_rank(s, d->from_domain, d->org_domain) != rank)
				continue;
			char dom[256], e[1200];
			lower(dom, sizeof dom, s->d);
			size_t n = report_esc(e, sizeof e, dom, strlen(dom), "/");
			e[n++] = '/';
			n += report_esc(e + n, sizeof e - n, s->s, strlen(s->s), "/");
			e[n++] = '/';
			/* RFC 8601 2.7.1 words; DKIM never says softfail */
			n += (size_t)snprintf(e + n, sizeof e - n, "%s",
					      s->code == AUTH_SOFTFAIL ? "fail" : auth_code_name(s->code));
			if (len + n + 2 > sizeof r->dkim)
				return;		/* the rest does not fit: cut, in priority order */
			if (len)
				r->dkim[len++] = ' ';
			memcpy(r->dkim + len, e, n);
			len += n;
			r->dkim[len] = '\0';
			count++;
		}
	}
}

int report_rec_build(struct report_rec *r, const struct conf *c,
		     const struct dmarc_result *d, const struct spf_result *spf,
		     const struct dkim_result *dk, const char *ip,
		     const char *mail_from, const char *rcpt, time_t now,
		     const char **why_r)
{
	memset(r, 0, sizeof *r);
	*why_r = NULL;
	if (!d->have_record || !*d->domain) {
		*why_r = "no DMARC policy record";
		return -1;
	}
	char addr[1][REPORT_ADDR_MAX];
	if (report_rua_parse(d->rua, 1, addr) == 0) {
		*why_r = "no usable mailto: rua";
		return -1;
	}
	lower(r->policy_domain, sizeof r->policy_domain, d->domain);
	if (c && in_list(&c->dmarc_report_exclude, r->policy_domain)) {
		*why_r = "policy domain in dmarc_report_exclude";
		return -1;
	}
	if (!ip || !*ip) {
		*why_r = "no trusted source IP";
		return -1;
	}
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		*why_r = "no random bytes";
		return -1;
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(r->uid + 2 * i, 3, "%02x", rnd[i]);
	r->ts = (long long)now;

	/* RFC 9990 3.1.1.5: unspecified tags have their default values
	 * (RFC 9989 4.7: sp defaults to p, np to sp, alignment r, t n) */
	snprintf(r->p, sizeof r->p, "%s", pol(d->rec_p));
	snprintf(r->sp, sizeof r->sp, "%s", d->rec_sp ? pol(d->rec_sp) : r->p);
	snprintf(r->np, sizeof r->np, "%s", d->rec_np ? pol(d->rec_np) : r->sp);
	snprintf(r->adkim, sizeof r->adkim, "%s", d->adkim_strict ? "s" : "r");
	snprintf(r->aspf, sizeof r->aspf, "%s", d->aspf_strict ? "s" : "r");
	snprintf(r->testing, sizeof r->testing, "%s", d->testing ? "y" : "n");
	snprintf(r->fo, sizeof r->fo, "%s", *d->fo ? d->fo : "0");
	snprintf(r->discovery, sizeof r->discovery, "%s", d->psl ? "psl" : "treewalk");
	snprintf(r->rua, sizeof r->rua, "%s", d->rua);

	snprintf(r->source_ip, sizeof r->source_ip, "%s", ip);
	lower(r->header_from, sizeof r->header_from, d->from_domain);
	/* RFC 9990 3.1.1.10: envelope_from empty for the null reverse-path */
	lower(r->envelope_from, sizeof r->envelope_from, mail_from ? domain_of(mail_from) : "");
	lower(r->envelope_to, sizeof r->envelope_to, rcpt ? domain_of(rcpt) : "");

	/* RFC 9990 3.1.1.9: dkim and spf are the DMARC-evaluated values */
	snprintf(r->dkim_eval, sizeof r->dkim_eval, "%s", d->dkim_aligned ? "pass" : "fail");
	snprintf(r->spf_eval, sizeof r->spf_eval, "%s", d->spf_aligned ? "pass" : "fail");

	/* the published policy that applied (p, sp or np), before t=y */
	const char *pub = !strcmp(d->policy_tag, "sp") ? r->sp :
			  !strcmp(d->policy_tag, "np") ? r->np : r->p;
	const char *dis;
	if (d->code == AUTH_PASS)	/* "pass": passing DMARC w/ enforcing policy */
		dis = strcmp(pub, "none") ? "pass" : "none";
	else if (d->code != AUTH_FAIL)
		dis = "none";		/* temperror / permerror: no policy applied */
	else
		dis = d->disposition == DMARC_DIS_QUARANTINE ? "quarantine" :
		      d->disposition == DMARC_DIS_REJECT ||
		      d->disposition == DMARC_DIS_DISCARD ? "reject" : "none";
	snprintf(r->disposition, sizeof r->disposition, "%s", dis);

	/* RFC 9990 3.1.1.9 / 3.1.6: a reason when alignment failed and the
	 * disposition differs from the published policy */
	const char *reason = NULL, *comment = "";
	if (d->code != AUTH_PASS && strcmp(dis, pub)) {
		if (!strcmp(d->override, "arc")) {
			reason = "trusted_forwarder";
			comment = d->override_detail;
		} else if (!strcmp(d->override, "exempt")) {
			reason = "local_policy";
			comment = d->override_detail;
		} else if (d->code != AUTH_FAIL) {
			reason = "other";
			comment = d->reason;
		} else if (d->testing && d->policy != (!strcmp(pub, "reject") ? DMARC_P_REJECT :
						       !strcmp(pub, "quarantine") ? DMARC_P_QUARANTINE :
						       DMARC_P_NONE)) {
			reason = "policy_test_mode";
		} else if (!strcmp(pub, "reject") && !strcmp(dis, "quarantine")) {
			reason = "local_policy";
			comment = "p=reject filed into the Junk folder";
		} else {
			reason = "local_policy";
			comment = d->reason;
		}
	}
	if (reason) {
		snprintf(r->reason, sizeof r->reason, "%s", reason);
		snprintf(r->reason_comment, sizeof r->reason_comment, "%.159s", comment);
	}

	/* RFC 9990 3.1.1.13: only the MAIL FROM identity */
	if (spf && !strcmp(spf->identity, "mailfrom") && *spf->domain) {
		lower(r->spf_domain, sizeof r->spf_domain, spf->domain);
		snprintf(r->spf_result, sizeof r->spf_result, "%s", auth_code_name(spf->code));
	} else {
		lower(r->spf_domain, sizeof r->spf_domain,
		      mail_from && *mail_from ? domain_of(mail_from) : r->header_from);
		snprintf(r->spf_result, sizeof r->spf_result, "none");
	}
	add_dkim(r, dk, d);
	return 0;
}
