/* dmarc.c - DMARC (RFC 9989): Author Domain, policy discovery, alignment.
 *
 * Takes the From header, the SPF/DKIM/ARC results and DNS; returns one
 * struct dmarc_result.  The flow of dmarc_verify():
 *   authors (GMime address parser; anomalies never pass silently)
 *   -> policy discovery (RFC 9989 4.10.1, or RFC 7489 6.6.3 in PSL mode)
 *   -> Organizational Domains (RFC 9989 4.10.2 tree walk, or libpsl)
 *   -> identifier alignment (RFC 9989 4.4: strict = equal, relaxed = same
 *      Organizational Domain)
 *   -> policy (p / sp / np, t=y) -> local policy (trusted ARC sealers,
 *      exempt domains, dmarc_reject_action).
 * Never queries DNS except through dns.h, never sends reports.
 */
#include "dmarc.h"

#include "buf.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <libpsl.h>

#include "arc.h"
#include "authres.h"
#include "conf.h"
#include "dns.h"
#include "msg.h"

struct dmarc {
	const struct conf *c;
	struct dns *dns;
};

/* ------------------------------------------------------------------ */
/* names                                                              */

const char *dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_P_NONE: return "none";
	case DMARC_P_QUARANTINE: return "quarantine";
	case DMARC_P_REJECT: return "reject";
	default: return "";
	}
}

const char *dmarc_dis_name(enum dmarc_dis d)
{
	switch (d) {
	case DMARC_DIS_QUARANTINE: return "quarantine";
	case DMARC_DIS_REJECT: return "reject";
	case DMARC_DIS_DISCARD: return "discard";
	default: return "none";
	}
}

static void lower_copy(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < size; i++)
		dst[n++] = (char)tolower((unsigned char)src[i]);
	dst[n] = '\0';
}

/* Lower case, no trailing dot; "" when it does not fit or is not a
 * plausible domain name. */
static void norm_domain(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);
	while (len && src[len - 1] == '.')
		len--;
	if (len == 0 || len >= size) {
		dst[0] = '\0';
		return;
	}
	lower_copy(dst, size, src, len);
}

static size_t count_labels(const char *d)
{
	size_t n = *d ? 1 : 0;
	for (; *d; d++)
		if (*d == '.')
			n++;
	return n;
}

/* The last k labels of d (a suffix of d). */
static const char *last_labels(const char *d, size_t k)
{
	size_t n = count_labels(d);
	while (n > k) {
		const char *dot = strchr(d, '.');
		if (!dot)
			break;
		d = dot + 1;
		n--;
	}
	return d;
}

static const char *parent(const char *d)
{
	const char *dot = strchr(d, '.');
	return dot ? dot + 1 : NULL;
}

/* ------------------------------------------------------------------ */
/* record (RFC 9989 section 4.7, formal definition 4.8)               */

static enum dmarc_policy parse_request(const char *v)
{
	if (!strcasecmp(v, "none")) return DMARC_P_NONE;
	if (!strcasecmp(v, "quarantine")) return DMARC_P_QUARANTINE;
	if (!strcasecmp(v, "reject")) return DMARC_P_REJECT;
	return DMARC_P_UNSET;
}

/* A reporting URI list with at least one URI of a scheme a report could go
 * to: mailto (RFC 9989 4.7: MUST be supported), http, https.  Other schemes
 * MUST be ignored. */
static bool uri_list_ok(const char *v)
{
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		size_t l = (size_t)(t - p);
		if (l > 7 && !strncasecmp(p, "mailto:", 7)) {
			const char *at = memchr(p + 7, '@', l - 7);
			if (at && at > p + 7 && at + 1 < t && p[7] != '/')
				return true;
		} else if ((l > 7 && !strncasecmp(p, "http://", 7)) ||
			   (l > 8 && !strncasecmp(p, "https://", 8))) {
			return true;
		}
		p = e;
	}
	return false;
}

/* Is v a colon list of words from set (case-insensitive)? */
static bool colon_list(const char *v, const char *const *set)
{
	char buf[64];
	if (!*v || strlen(v) >= sizeof buf)
		return false;
	snprintf(buf, sizeof buf, "%s", v);
	for (char *save = NULL, *w = strtok_r(buf, ":", &save); w;
	     w = strtok_r(NULL, ":", &save)) {
		while (*w == ' ')
			w++;
		size_t l = strlen(w);
		while (l && w[l - 1] == ' ')
			w[--l] = '\0';
		int k;
		for (k = 0; set[k]; k++)
			if (!strcasecmp(w, set[k]))
				break;
		if (!set[k])
			return false;
	}
	return v[strlen(v) - 1] != ':';
}

static bool uint_in(const char *v, unsigned long long max, unsigned long long *out)
{
	unsigned long long n = 0;
	if (!*v || strlen(v) > 12)
		return false;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (out)
		*out = n;
	return n <= max;
}

static void mark_bad(struct dmarc_record *r, const char *tag)
{
	size_t n = strlen(r->bad);
	if (n + strlen(tag) + 2 < sizeof r->bad)
		snprintf(r->bad + n, sizeof r->bad - n, "%s%s", n ? " " : "", tag);
}

int dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *r)
{
	memset(r, 0, sizeof *r);
	r->pct = -1;
	const char *p = txt, *end = txt + len;
	int first = 1;
	unsigned seen = 0;
	static const char *const tags[] = { "v", "p", "sp", "np", "psd", "t",
		"adkim", "aspf", "rua", "ruf", "fo", "pct", "rf", "ri", NULL };

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *te = semi ? semi : end;
		if (p == te) {			/* empty segment: ";;" or trailing */
			if (first)
				return -1;
			p = te + 1;
			continue;
		}
		const char *eq = memchr(p, '=', (size_t)(te - p));
		char name[16], val[DMARC_RUA_MAX];
		const char *ne = eq ? eq : te;
		while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		size_t nl = (size_t)(ne - p);
		if (!eq || nl == 0 || nl >= sizeof name) {
			if (first)
				return -1;
			p = te + (te < end);
			continue;		/* syntax error: ignore the tag */
		}
		memcpy(name, p, nl);
		name[nl] = '\0';
		const char *vs = eq + 1, *ve = te;
		while (vs < ve && (*vs == ' ' || *vs == '\t'))
			vs++;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t' ||
				   ve[-1] == '\r' || ve[-1] == '\n'))
			ve--;
		size_t vl = (size_t)(ve - vs);
		bool cut = vl >= sizeof val;
		if (cut)
			vl = sizeof val - 1;
		memcpy(val, vs, vl);
		val[vl] = '\0';
		if (cut) {	/* never keep a partial URI (a wrong address) */
			char *comma = strrchr(val, ',');
			*(comma ? comma : val) = '\0';
		}
		p = te + (te < end);

		if (first) {
			/* RFC 9989 4.7: v MUST be first; the value MUST match
			 * "DMARC1" precisely (case-sensitive, 4.8 %s). */
			if (strcasecmp(name, "v") || strcmp(val, "DMARC1"))
				return -1;
			first = 0;
			continue;
		}
		int k;
		for (k = 0; tags[k]; k++)
			if (!strcasecmp(name, tags[k]))
				break;
		if (!tags[k] || (seen & (1u << k)))
			continue;	/* unknown tags MUST be ignored; first wins */
		seen |= 1u << k;
		static const char *const fo_set[] = { "0", "1", "d", "s", NULL };
		static const char *const rf_set[] = { "afrf", "iodef", NULL };
		unsigned long long num;
		bool ok = true;
		switch (k) {
		case 1: r->p = parse_request(val); ok = !(r->p_bad = !r->p); break;
		case 2: r->sp = parse_request(val); ok = !(r->sp_bad = !r->sp); break;
		case 3: r->np = parse_request(val); ok = !(r->np_bad = !r->np); break;
		case 4:
			if (!strcasecmp(val, "y")) r->psd = DMARC_PSD_Y;
			else if (!strcasecmp(val, "n")) r->psd = DMARC_PSD_N;
			else ok = !strcasecmp(val, "u");	/* junk: default u */
			break;
		case 5:
			r->testing = !strcasecmp(val, "y");
			ok = r->testing || !strcasecmp(val, "n");
			break;
		case 6:
			r->adkim_strict = !strcasecmp(val, "s");
			ok = r->adkim_strict || !strcasecmp(val, "r");
			break;
		case 7:
			r->aspf_strict = !strcasecmp(val, "s");
			ok = r->aspf_strict || !strcasecmp(val, "r");
			break;
		case 8:
			snprintf(r->rua, sizeof r->rua, "%s", val);
			ok = r->rua_ok = uri_list_ok(val);
			break;
		case 9:
			snprintf(r->ruf, sizeof r->ruf, "%.255s", val);
			ok = uri_list_ok(val);
			break;
		case 10:
			snprintf(r->fo, sizeof r->fo, "%.15s", val);
			ok = colon_list(val, fo_set);
			break;
		case 11:	/* RFC 7489 only; RFC 9989 removed pct */
			if ((ok = uint_in(val, 100, &num)))
				r->pct = (int)num;
			break;
		case 12: ok = colon_list(val, rf_set); break;	/* rf, RFC 7489 */
		case 13: ok = uint_in(val, 4294967295ULL, NULL); break; /* ri */
		default: break;
		}
		if (!ok)
			mark_bad(r, tags[k]);
	}
	return first ? -1 : 0;
}

bool dmarc_record_usable(const struct dmarc_record *r)
{
	if (r->p && !r->sp_bad && !r->np_bad)
		return true;
	return r->rua_ok;
}

/* ------------------------------------------------------------------ */
/* authors                                                            */

static void add_author(struct dmarc_authors *a, const char *addr)
{
	const char *at = strrchr(addr, '@');
	char d[DMARC_DOMAIN_MAX];
	if (!at) {
		if (a->status == DMARC_FROM_OK && a->n == 0)
			a->status = DMARC_FROM_UNPARSEABLE;
		return;
	}
	norm_domain(d, sizeof d, at + 1);
	if (!*d || !dns_name_valid(d)) {
		if (a->status == DMARC_FROM_OK)
			a->status = DMARC_FROM_UNPARSEABLE;
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->domain[i], d))
			return;
	if (a->n == DMARC_MAX_AUTHORS) {
		a->status = DMARC_FROM_MULTI_DOMAIN;
		return;
	}
	snprintf(a->domain[a->n++], DMARC_DOMAIN_MAX, "%s", d);
	if (a->n > 1 && a->status == DMARC_FROM_OK)
		a->status = DMARC_FROM_MULTI_DOMAIN;
}

static void add_list(struct dmarc_authors *a, InternetAddressList *l, int depth)
{
	int n = l ? internet_address_list_length(l) : 0;
	for (int i = 0; i < n && i < 64; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			/* the IDN form gives A-labels for the DNS; an ASCII
			 * address is its own (norm_domain lowercases), and
			 * libidn2 is the costly part of parsing From */
			InternetAddressMailbox *mb = INTERNET_ADDRESS_MAILBOX(ia);
			const char *addr = internet_address_mailbox_get_addr(mb);
			bool ascii = addr != NULL;
			for (const char *q = addr; q && *q && ascii; q++)
				ascii = (unsigned char)*q < 0x80;
			if (!ascii) {
				const char *idn = internet_address_mailbox_get_idn_addr(mb);
				if (idn)
					addr = idn;
			}
			add_author(a, addr ? addr : "");
		} else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 2) {
			add_list(a, internet_address_group_get_members(
				INTERNET_ADDRESS_GROUP(ia)), depth + 1);
		}
	}
}

/* Not RFC 5322 syntax (no mailbox found): collect every "@domain" in the
 * text, last first (the addr-spec usually follows any display text).  The
 * status stays an anomaly, so the message fails with the strictest policy
 * of those domains: junk in From never passes and never escapes policy. */
static void scan_at_domains(const char *value, struct dmarc_authors *a)
{
	const char *at[DMARC_MAX_AUTHORS];
	size_t n = 0;
	for (const char *p = value; *p && n < DMARC_MAX_AUTHORS; p++)
		if (*p == '@')
			at[n++] = p;
	while (n--) {
		char d[DMARC_DOMAIN_MAX], tmp[DMARC_DOMAIN_MAX + 2];
		size_t k = 0;
		/* at[0..n) were all set above */
		/* cppcheck-suppress uninitvar */
		for (const char *p = at[n] + 1; (isalnum((unsigned char)*p) ||
		     *p == '-' || *p == '.') && k + 1 < sizeof d; p++)
			d[k++] = *p;
		d[k] = '\0';
		if (!k)
			continue;
		enum dmarc_from st = a->status;
		snprintf(tmp, sizeof tmp, "@%s", d);
		add_author(a, tmp);
		a->status = st;
	}
}

static void parse_value(const char *value, struct dmarc_authors *a)
{
	InternetAddressList *l = internet_address_list_parse(NULL, value);
	size_t before = a->n;
	enum dmarc_from st = a->status;
	add_list(a, l, 0);
	if (l)
		g_object_unref(l);
	if (a->n == before) {
		if (st == DMARC_FROM_OK)
			a->status = DMARC_FROM_UNPARSEABLE;
		scan_at_domains(value, a);
	}
}

void dmarc_authors_parse(const char *value, struct dmarc_authors *a_r)
{
	memset(a_r, 0, sizeof *a_r);
	parse_value(value, a_r);
	if (a_r->n == 0 && a_r->status == DMARC_FROM_OK)
		a_r->status = DMARC_FROM_UNPARSEABLE;
}

void dmarc_authors_find(const struct msg *m, struct dmarc_authors *a_r)
{
	memset(a_r, 0, sizeof *a_r);
	size_t nfrom = msg_hdr_count(m, "From");
	if (nfrom == 0) {
		a_r->status = DMARC_FROM_MISSING;
		return;
	}
	size_t i = 0, k = 0;
	while (k < 4 && (i = msg_hdr_find(m, "From", i)) != MSG_NOT_FOUND) {
		char *v = msg_hdr_value(m, i);
		if (v) {
			parse_value(v, a_r);
			free(v);
		}
		i++;
		k++;
	}
	if (a_r->n == 0)
		a_r->status = DMARC_FROM_UNPARSEABLE;
	/* RFC 5322 3.6: exactly one From.  Several are an anomaly even
	 * when they name one domain. */
	if (nfrom > 1)
		a_r->status = DMARC_FROM_SEVERAL_HEADERS;
}

/* ------------------------------------------------------------------ */
/* DNS                                                                */

enum qstate { Q_NONE = 0, Q_ONE, Q_MULTI, Q_TEMP };

/* TXT at _dmarc.domain, classified per RFC 9989 4.10 step 2: records not
 * starting with v=DMARC1 are discarded, several DMARC records are all
 * discarded. */
static enum qstate query(struct dmarc *dm, const char *domain,
			 struct dmarc_record *rec, const char **why, bool *secure_r)
{
	*secure_r = false;
	char name[DMARC_DOMAIN_MAX + 8];
	int n = snprintf(name, sizeof name, "_dmarc.%s", domain);
	if (n < 0 || (size_t)n >= sizeof name || n > 253 ||
	    !dns_name_valid(name))
		return Q_NONE;
	const struct dns_answer *ans = dns_lookup(dm->dns, name, DNS_T_TXT);
	enum qstate st = Q_NONE;
	*secure_r = ans->sec == DNS_SEC_SECURE;
	if (ans->status == DNS_TEMPFAIL) {
		st = Q_TEMP;
		if (why)
			*why = ans->why ? ans->why : "temporary DNS failure";
	} else if (ans->status == DNS_OK) {
		int found = 0;
		struct dmarc_record r;
		for (size_t i = 0; i < ans->n; i++) {
			if (ans->rr[i].type != DNS_T_TXT)
				continue;
			if (dmarc_record_parse(ans->rr[i].data, ans->rr[i].len, &r) == 0) {
				if (!found++)
					*rec = r;
			}
		}
		st = found == 1 ? Q_ONE : found > 1 ? Q_MULTI : Q_NONE;
	}
	dns_answer_free(ans);
	return st;
}

size_t dmarc_walk_targets(const char *name,
			  char targets[DMARC_WALK_MAX][DMARC_DOMAIN_MAX])
{
	size_t n = 0;
	if (!*name)
		return 0;
	snprintf(targets[n++], DMARC_DOMAIN_MAX, "%s", name);
	size_t x = count_labels(name);
	/* RFC 9989 4.10 step 4: x < 8 drops one label, x >= 8 jumps to
	 * the last 7 labels; then one label at a time (step 7). */
	const char *t = x >= 8 ? last_labels(name, 7) : parent(name);
	while (t && *t && n < DMARC_WALK_MAX) {
		snprintf(targets[n++], DMARC_DOMAIN_MAX, "%s", t);
		t = parent(t);
	}
	return n;
}

struct walk {
	size_t n;			/* targets queried */
	char name[DMARC_WALK_MAX][DMARC_DOMAIN_MAX];
	enum qstate st[DMARC_WALK_MAX];
	struct dmarc_record rec[DMARC_WALK_MAX];
	bool sec[DMARC_WALK_MAX];	/* the answer was DNSSEC-secure */
	bool temp;
	const char *why;
};

/* Tree walk from start; stops at a single record with psd=y or psd=n. */
static void walk(struct dmarc *dm, const char *start, struct walk *w)
{
	char t[DMARC_WALK_MAX][DMARC_DOMAIN_MAX];
	size_t nt = dmarc_walk_targets(start, t);
	memset(w, 0, sizeof *w);
	for (size_t i = 0; i < nt; i++) {
		snprintf(w->name[i], DMARC_DOMAIN_MAX, "%s", t[i]);
		w->st[i] = query(dm, t[i], &w->rec[i], &w->why, &w->sec[i]);
		w->n = i + 1;
		if (w->st[i] == Q_TEMP) {
			w->temp = true;
			return;
		}
		if (w->st[i] == Q_ONE && w->rec[i].psd != DMARC_PSD_U)
			return;
	}
}

/* RFC 9989 4.10.2: select the Organizational Domain from the records
 * found, longest name first. */
static void select_org(const struct walk *w, const char *start, char *org,
		       size_t size, int *psd_index)
{
	*psd_index = -1;
	int fewest = -1;
	for (size_t i = 0; i < w->n; i++) {
		if (w->st[i] != Q_ONE)
			continue;
		/* 1. psd=n: this domain */
		if (w->rec[i].psd == DMARC_PSD_N) {
			snprintf(org, size, "%s", w->name[i]);
			return;
		}
		/* 2. psd=y other than at the start: one label below it */
		if (w->rec[i].psd == DMARC_PSD_Y && i > 0) {
			*psd_index = (int)i;
			snprintf(org, size, "%s", last_labels(start,
				 count_labels(w->name[i]) + 1));
			return;
		}
		fewest = (int)i;
	}
	/* 3. the record at the name with the fewest labels; else start */
	snprintf(org, size, "%s", fewest >= 0 ? w->name[fewest] : start);
}

/* libpsl context for dmarc_mode = psl: loaded once per file, read-only
 * afterwards (like the configuration). */
static pthread_mutex_t psl_lock = PTHREAD_MUTEX_INITIALIZER;
static psl_ctx_t *psl_ctx;
static char psl_path[512];

static const psl_ctx_t *psl_get(const char *file)
{
	pthread_mutex_lock(&psl_lock);
	if (!psl_ctx || strcmp(psl_path, file ? file : "")) {
		psl_ctx_t *n = file && *file ? psl_load_file(file) : NULL;
		if (!n)
			n = (psl_ctx_t *)psl_builtin();
		if (psl_ctx && psl_ctx != psl_builtin())
			psl_free(psl_ctx);
		psl_ctx = n;
		snprintf(psl_path, sizeof psl_path, "%s", file ? file : "");
	}
	const psl_ctx_t *r = psl_ctx;
	pthread_mutex_unlock(&psl_lock);
	return r;
}

/* RFC 7489 3.2: the registrable domain (public suffix + one label), or
 * the name itself when it is a public suffix or not under one. */
static void psl_org(struct dmarc *dm, const char *name, char *buf, size_t size)
{
	const psl_ctx_t *p = psl_get(dm->c ? dm->c->psl_file : NULL);
	const char *r = p ? psl_registrable_domain(p, name) : NULL;
	snprintf(buf, size, "%s", r ? r : name);
}

int dmarc_org_domain(struct dmarc *dm, const char *name, char *buf, size_t size)
{
	char d[DMARC_DOMAIN_MAX];
	norm_domain(d, sizeof d, name);
	if (dm->c && dm->c->dmarc_mode == CONF_DMARC_PSL) {
		psl_org(dm, d, buf, size);
		return 0;
	}
	struct walk w;
	int psd;
	walk(dm, d, &w);
	select_org(&w, d, buf, size, &psd);
	if (w.temp) {
		snprintf(buf, size, "%s", d);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* lifecycle, prefetch                                                */

struct dmarc *dmarc_new(const struct conf *c, struct dns *d)
{
	struct dmarc *dm = calloc(1, sizeof *dm);
	if (!dm)
		return NULL;
	dm->c = c;
	dm->dns = d;
	return dm;
}

void dmarc_free(struct dmarc *dm)
{
	free(dm);
}

static void prefetch_walk(struct dmarc *dm, const char *domain)
{
	char t[DMARC_WALK_MAX][DMARC_DOMAIN_MAX], name[DMARC_DOMAIN_MAX + 8];
	size_t n;
	if (dm->c && dm->c->dmarc_mode == CONF_DMARC_PSL) {
		char org[DMARC_DOMAIN_MAX];
		psl_org(dm, domain, org, sizeof org);
		snprintf(t[0], DMARC_DOMAIN_MAX, "%s", domain);
		snprintf(t[1], DMARC_DOMAIN_MAX, "%s", org);
		n = strcmp(org, domain) ? 2 : 1;
	} else {
		n = dmarc_walk_targets(domain, t);
	}
	/* The targets of one walk are all known up front (4.10 step 4), so
	 * the queries run in parallel; the walk then reads the cache. */
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(name, sizeof name, "_dmarc.%s", t[i]);
		if (k > 0 && k <= 253 && dns_name_valid(name))
			dns_prefetch(dm->dns, name, DNS_T_TXT);
	}
}

void dmarc_prefetch(struct dmarc *dm, const struct dmarc_authors *a,
		    const char *mail_from_domain)
{
	for (size_t i = 0; a && i < a->n; i++)
		prefetch_walk(dm, a->domain[i]);
	if (mail_from_domain && *mail_from_domain) {
		char d[DMARC_DOMAIN_MAX];
		norm_domain(d, sizeof d, mail_from_domain);
		if (*d && dns_name_valid(d) && !(a && a->n && !strcmp(d, a->domain[0])))
			prefetch_walk(dm, d);
	}
}

/* ------------------------------------------------------------------ */
/* evaluation of one Author Domain                                    */

struct eval {
	struct dmarc_result r;
	bool have_rec;
	struct dmarc_record rec;
	bool org_temp;
};

static bool in_list(const struct conf_list *l, const char *d)
{
	for (size_t i = 0; l && i < l->n; i++) {
		char e[DMARC_DOMAIN_MAX];
		norm_domain(e, sizeof e, l->v[i]);
		if (*e && !strcmp(e, d))
			return true;
	}
	return false;
}

/* RFC 9989 4.4.1/4.4.2: strict = identical, relaxed = same
 * Organizational Domain.  *temp is set when a walk failed. */
static bool aligned(struct dmarc *dm, const char *ident, const char *author,
		    const char *author_org, bool strict, bool *temp)
{
	char d[DMARC_DOMAIN_MAX], org[DMARC_DOMAIN_MAX];
	norm_domain(d, sizeof d, ident);
	if (!*d)
		return false;
	if (!strcmp(d, author))
		return true;
	if (strict)
		return false;
	/* cheap exits: unrelated names cannot share an Organizational
	 * Domain unless one ends with the other's org domain */
	size_t dl = strlen(d), ol = strlen(author_org);
	if (!(dl == ol && !strcmp(d, author_org)) &&
	    !(dl > ol && d[dl - ol - 1] == '.' && !strcmp(d + dl - ol, author_org)))
		return false;
	if (dmarc_org_domain(dm, d, org, sizeof org) < 0) {
		*temp = true;
		return false;
	}
	return !strcmp(org, author_org);
}

/* Does the AAR of a trusted sealer vouch for this author (RFC 8617
 * 7.2.1)? dmarc=pass for the same header.from, or an aligned spf/dkim
 * pass. */
static bool aar_vouches(struct dmarc *dm, const char *aar, const char *author,
			const char *author_org, const struct dmarc_record *rec,
			char *what, size_t size)
{
	struct authres_item it[16];
	int n = authres_parse(aar, strlen(aar), it, 16);
	bool temp = false;
	for (int i = 0; i < n; i++) {
		if (strcmp(it[i].result, "pass"))
			continue;
		if (!strcmp(it[i].method, "dmarc")) {
			const char *f = authres_prop(&it[i], "header", "from");
			char d[DMARC_DOMAIN_MAX];
			norm_domain(d, sizeof d, f ? f : "");
			if (!f || !strcmp(d, author)) {
				snprintf(what, size, "dmarc=pass");
				return true;
			}
		} else if (!strcmp(it[i].method, "spf")) {
			const char *mf = authres_prop(&it[i], "smtp", "mailfrom");
			if (!mf)
				continue;	/* smtp.helo never aligns */
			const char *at = strrchr(mf, '@');
			const char *d = at ? at + 1 : mf;
			if (aligned(dm, d, author, author_org, rec->aspf_strict, &temp)) {
				snprintf(what, size, "spf=pass smtp.mailfrom=%.200s", d);
				return true;
			}
		} else if (!strcmp(it[i].method, "dkim")) {
			const char *d = authres_prop(&it[i], "header", "d");
			if (!d) {
				const char *ii = authres_prop(&it[i], "header", "i");
				const char *at = ii ? strrchr(ii, '@') : NULL;
				d = at ? at + 1 : NULL;
			}
			if (d && aligned(dm, d, author, author_org, rec->adkim_strict, &temp)) {
				snprintf(what, size, "dkim=pass header.d=%.200s", d);
				return true;
			}
		}
	}
	return false;
}

static void arc_override(struct dmarc *dm, const struct dmarc_input *in,
			 struct eval *e)
{
	const struct arc_result *arc = in->arc;
	if (!dm->c || !dm->c->arc_trusted_sealers.n || !arc ||
	    arc->code != AUTH_PASS || !arc->sets)
		return;
	/* RFC 8617 7.2.1: the AAR recorded by the sealer of the oldest
	 * instance whose AMS still validates saw the message before the
	 * later changes. */
	int i = arc->oldest_pass ? arc->oldest_pass : arc->instances;
	const struct arc_set *s = NULL;
	for (size_t k = 0; k < arc->nsets; k++)
		if (arc->sets[k].i == i)
			s = &arc->sets[k];
	if (!s || !s->aar)
		return;
	char sealer[DMARC_DOMAIN_MAX], what[256];
	norm_domain(sealer, sizeof sealer, s->sealer);
	if (!*sealer || !in_list(&dm->c->arc_trusted_sealers, sealer))
		return;
	if (!aar_vouches(dm, s->aar, e->r.from_domain, e->r.org_domain,
			 &e->rec, what, sizeof what))
		return;
	snprintf(e->r.override, sizeof e->r.override, "arc");
	snprintf(e->r.override_detail, sizeof e->r.override_detail,
		 "trusted ARC sealer %.60s i=%d: %.80s", sealer, i, what);
}

static enum dmarc_policy lower_one(enum dmarc_policy p)
{
	/* RFC 9989 4.7 t=y: one level below; none stays none */
	return p == DMARC_P_REJECT ? DMARC_P_QUARANTINE :
	       p == DMARC_P_QUARANTINE ? DMARC_P_NONE : p;
}

static void eval_one(struct dmarc *dm, const char *author,
		     const struct dmarc_input *in, struct eval *e)
{
	struct dmarc_result *r = &e->r;
	bool psl = dm->c && dm->c->dmarc_mode == CONF_DMARC_PSL;
	const char *why = NULL;
	memset(e, 0, sizeof *e);
	snprintf(r->from_domain, sizeof r->from_domain, "%s", author);
	snprintf(r->org_domain, sizeof r->org_domain, "%s", author);

	/* 4.10.1: first the Author Domain itself */
	struct dmarc_record rec;
	bool sec0 = false, psec = false;	/* the policy record's answer */
	enum qstate q0 = query(dm, author, &rec, &why, &sec0);
	if (q0 == Q_TEMP) {
		r->code = AUTH_TEMPERROR;
		snprintf(r->reason, sizeof r->reason, "DNS %s for _dmarc.%.200s",
			 why ? why : "failure", author);
		return;
	}
	if (q0 == Q_MULTI) {
		/* several records: no policy (RFC 7489 6.6.3 step 5; the
		 * issue and the mailauth suite read RFC 9989 alike) */
		r->code = AUTH_NONE;
		snprintf(r->reason, sizeof r->reason,
			 "several DMARC records at _dmarc.%.200s", author);
		return;
	}
	const char *polname = NULL;
	struct walk w;
	if (psl) {
		psl_org(dm, author, r->org_domain, sizeof r->org_domain);
		if (q0 == Q_ONE) {
			e->rec = rec;
			polname = author;
			psec = sec0;
		} else if (strcmp(r->org_domain, author)) {
			bool sec1 = false;
			enum qstate q1 = query(dm, r->org_domain, &rec, &why, &sec1);
			if (q1 == Q_TEMP) {
				r->code = AUTH_TEMPERROR;
				snprintf(r->reason, sizeof r->reason,
					 "DNS %s for _dmarc.%.200s",
					 why ? why : "failure", r->org_domain);
				return;
			}
			if (q1 == Q_MULTI) {
				r->code = AUTH_NONE;
				snprintf(r->reason, sizeof r->reason,
					 "several DMARC records at _dmarc.%.200s",
					 r->org_domain);
				return;
			}
			if (q1 == Q_ONE) {
				e->rec = rec;
				polname = r->org_domain;
				psec = sec1;
			}
		}
	} else {
		int psd = -1;
		walk(dm, author, &w);	/* index 0 is the cached author query */
		select_org(&w, author, r->org_domain, sizeof r->org_domain, &psd);
		if (q0 == Q_ONE) {
			e->rec = rec;
			polname = author;
			psec = sec0;
			if (w.temp)
				e->org_temp = true;
		} else if (w.temp) {
			r->code = AUTH_TEMPERROR;
			snprintf(r->reason, sizeof r->reason,
				 "DNS %s during the tree walk for %.200s",
				 w.why ? w.why : "failure", author);
			return;
		} else {
			/* the Organizational Domain's record, else the
			 * Public Suffix Domain's (psd=y) */
			for (size_t i = 0; i < w.n && !polname; i++)
				if (w.st[i] == Q_ONE && !strcmp(w.name[i], r->org_domain)) {
					e->rec = w.rec[i];
					polname = w.name[i];
					psec = w.sec[i];
				}
			if (!polname && psd >= 0) {
				e->rec = w.rec[psd];
				polname = w.name[psd];
				psec = w.sec[psd];
			}
		}
	}
	if (!polname) {
		r->code = AUTH_NONE;
		snprintf(r->reason, sizeof r->reason, "no DMARC record for %.200s",
			 author);
		return;
	}
	snprintf(r->domain, sizeof r->domain, "%s", polname);
	/* the record that decided the policy: was its answer signed */
	if (dns_validating(dm->dns))
		r->dnssec = psec ? DNS_VALIDATED_SECURE : DNS_VALIDATED_INSECURE;
	if (!dmarc_record_usable(&e->rec)) {
		/* 4.10.1: no valid p (or a bad sp/np) and no usable rua */
		r->code = AUTH_NONE;
		snprintf(r->reason, sizeof r->reason,
			 "DMARC record at _dmarc.%.200s has no valid policy", polname);
		return;
	}
	e->have_rec = true;
	struct dmarc_record *R = &e->rec;
	bool as_none = !R->p || R->sp_bad || R->np_bad;	/* act as p=none */
	r->rec_p = as_none ? DMARC_P_NONE : R->p;
	r->rec_sp = as_none ? DMARC_P_UNSET : R->sp;
	r->rec_np = as_none ? DMARC_P_UNSET : R->np;
	r->testing = R->testing;
	r->have_record = true;
	r->adkim_strict = R->adkim_strict;
	r->aspf_strict = R->aspf_strict;
	r->psl = psl;
	snprintf(r->fo, sizeof r->fo, "%s", R->fo);
	snprintf(r->rua, sizeof r->rua, "%s", R->rua);

	/* which tag applies */
	enum dmarc_policy pol = r->rec_p;
	snprintf(r->policy_tag, sizeof r->policy_tag, "p");
	if (strcmp(polname, author)) {
		bool exists = true;
		if (r->rec_np) {
			/* RFC 9989 3.2.11: non-existent = NXDOMAIN (RFC 8020) */
			const struct dns_answer *a = dns_lookup(dm->dns, author, DNS_T_A);
			exists = a->status != DNS_NXDOMAIN;
			dns_answer_free(a);
		}
		if (!exists) {
			pol = r->rec_np;
			snprintf(r->policy_tag, sizeof r->policy_tag, "np");
		} else if (r->rec_sp) {
			pol = r->rec_sp;
			snprintf(r->policy_tag, sizeof r->policy_tag, "sp");
		}
	}
	r->policy = r->testing ? lower_one(pol) : pol;

	/* alignment */
	bool temp = e->org_temp;
	if (in->spf_domain && *in->spf_domain)
		r->spf_aligned = aligned(dm, in->spf_domain, author, r->org_domain,
					 R->aspf_strict, &temp);
	for (size_t i = 0; i < in->ndkim && !r->dkim_aligned; i++)
		if (in->dkim_domains[i])
			r->dkim_aligned = aligned(dm, in->dkim_domains[i], author,
						  r->org_domain, R->adkim_strict, &temp);
	if (r->spf_aligned || r->dkim_aligned) {
		r->code = AUTH_PASS;
		snprintf(r->reason, sizeof r->reason, "%s%s%s",
			 r->dkim_aligned ? "aligned DKIM pass" : "",
			 r->dkim_aligned && r->spf_aligned ? ", " : "",
			 r->spf_aligned ? "aligned SPF pass" : "");
		return;
	}
	if (temp) {
		r->code = AUTH_TEMPERROR;
		snprintf(r->reason, sizeof r->reason,
			 "DNS failure while finding Organizational Domains");
		return;
	}
	r->code = AUTH_FAIL;
	size_t n = (size_t)snprintf(r->reason, sizeof r->reason, "no aligned pass:");
	if (in->spf_domain && *in->spf_domain)
		n += (size_t)snprintf(r->reason + n, n < sizeof r->reason ? sizeof r->reason - n : 0,
				      " SPF domain %.80s not aligned", in->spf_domain);
	else if (n < sizeof r->reason)
		n += (size_t)snprintf(r->reason + n, sizeof r->reason - n, " no SPF pass");
	for (size_t i = 0; i < in->ndkim && i < 3 && n < sizeof r->reason; i++)
		n += (size_t)snprintf(r->reason + n, sizeof r->reason - n,
				      ", DKIM d=%.60s not aligned", in->dkim_domains[i]);
	if (!in->ndkim && n < sizeof r->reason)
		snprintf(r->reason + n, sizeof r->reason - n, ", no DKIM pass");
	arc_override(dm, in, e);
}

static enum dmarc_dis disposition(const struct conf *c, const struct dmarc_result *r)
{
	if (r->code != AUTH_FAIL || r->override[0])
		return DMARC_DIS_NONE;
	switch (r->policy) {
	case DMARC_P_QUARANTINE:
		return DMARC_DIS_QUARANTINE;
	case DMARC_P_REJECT:
		/* after the MTA accepted the message a reject means a
		 * bounce (backscatter): local policy decides */
		if (!c || c->dmarc_reject_action == CONF_REJECT_QUARANTINE)
			return DMARC_DIS_QUARANTINE;
		return c->dmarc_reject_action == CONF_REJECT_REJECT ?
			DMARC_DIS_REJECT : DMARC_DIS_DISCARD;
	default:
		return DMARC_DIS_NONE;
	}
}

static const char *from_anomaly(enum dmarc_from s)
{
	switch (s) {
	case DMARC_FROM_MISSING: return "no From header";
	case DMARC_FROM_SEVERAL_HEADERS: return "several From headers";
	case DMARC_FROM_MULTI_DOMAIN: return "From names several domains";
	case DMARC_FROM_UNPARSEABLE: return "From has no usable address";
	default: return "";
	}
}

void dmarc_verify(struct dmarc *dm, const struct dmarc_authors *a,
		  const struct dmarc_input *in, struct dmarc_result *res_r)
{
	static const struct dmarc_input empty;
	struct eval e, best;
	if (!in)
		in = &empty;
	memset(res_r, 0, sizeof *res_r);
	memset(&best, 0, sizeof best);

	if (a->status == DMARC_FROM_OK && a->n == 1) {
		eval_one(dm, a->domain[0], in, &e);
		*res_r = e.r;
	} else {
		/* Anomalies are failures (OpenDMARC CVE-2019-16378 passed
		 * them): evaluate every named domain and keep the strictest
		 * policy, or in "each" mode require every domain to pass. */
		enum conf_from_policy fp = dm->c ? dm->c->dmarc_from_policy :
						  CONF_FROM_STRICTEST;
		bool all_pass = a->n > 0 && fp == CONF_FROM_EACH &&
				a->status == DMARC_FROM_MULTI_DOMAIN;
		bool any_temp = false;
		for (size_t i = 0; i < a->n; i++) {
			eval_one(dm, a->domain[i], in, &e);
			if (e.r.code != AUTH_PASS)
				all_pass = false;
			if (e.r.code == AUTH_TEMPERROR)
				any_temp = true;
			/* "each": the failing domains decide; otherwise the
			 * strictest policy of all */
			bool fails = e.r.code != AUTH_PASS;
			bool best_fails = best.r.code != AUTH_PASS;
			if (i == 0 ||
			    (fp == CONF_FROM_EACH && fails && !best_fails) ||
			    ((fp != CONF_FROM_EACH || fails == best_fails) &&
			     (e.r.policy > best.r.policy ||
			      (fails && !best_fails && e.r.policy == best.r.policy))))
				best = e;
		}
		*res_r = best.r;
		if (a->n)
			snprintf(res_r->from_domain, sizeof res_r->from_domain, "%s",
				 a->domain[0]);
		if (all_pass) {
			res_r->code = AUTH_PASS;
			snprintf(res_r->reason, sizeof res_r->reason,
				 "every From domain passes");
		} else if (fp == CONF_FROM_EACH && any_temp && a->n &&
			   a->status == DMARC_FROM_MULTI_DOMAIN) {
			res_r->code = AUTH_TEMPERROR;
		} else {
			res_r->code = AUTH_FAIL;
			res_r->override[0] = '\0';
			if (fp == CONF_FROM_REJECT) {
				res_r->policy = DMARC_P_REJECT;
				snprintf(res_r->policy_tag, sizeof res_r->policy_tag, "p");
			}
			if (!res_r->policy)
				res_r->policy = DMARC_P_NONE;
			char tmp[256];
			snprintf(tmp, sizeof tmp, "%s", res_r->reason);
			snprintf(res_r->reason, sizeof res_r->reason, "%s%s%.200s",
				 from_anomaly(a->status), *tmp ? "; " : "", tmp);
		}
	}
	/* per-domain exemptions: evaluated and stamped, never enforced */
	if (res_r->code == AUTH_FAIL && !res_r->override[0] && dm->c &&
	    (in_list(&dm->c->dmarc_exempt_domains, res_r->from_domain) ||
	     in_list(&dm->c->dmarc_exempt_domains, res_r->org_domain))) {
		snprintf(res_r->override, sizeof res_r->override, "exempt");
		snprintf(res_r->override_detail, sizeof res_r->override_detail,
			 "dmarc_exempt_domains lists %.120s", res_r->from_domain);
	}
	res_r->disposition = disposition(dm->c, res_r);
}

/* ------------------------------------------------------------------ */
/* Authentication-Results                                             */

int dmarc_ar(const struct dmarc_result *r, char *buf, size_t size)
{
	int n;
	const char *code = auth_code_name(r->code);
	if (r->rec_p) {
		char np[24] = "";
		if (r->rec_np)
			snprintf(np, sizeof np, " np=%s", dmarc_policy_name(r->rec_np));
		const char *sec = dns_validated_name(r->dnssec);
		n = snprintf(buf, size, "dmarc=%s (p=%s sp=%s%s%s dis=%s%s%s%s%s)%s%s",
			     code, dmarc_policy_name(r->rec_p),
			     dmarc_policy_name(r->rec_sp ? r->rec_sp : r->rec_p), np,
			     r->testing ? " t=y" : "",
			     dmarc_dis_name(r->disposition),
			     r->override[0] ? " override=" : "", r->override,
			     *sec ? "; " : "", sec,
			     r->from_domain[0] ? " header.from=" : "", r->from_domain);
	} else {
		n = snprintf(buf, size, "dmarc=%s%s%s%s", code,
			     r->code == AUTH_FAIL ? " (dis=" : "",
			     r->code == AUTH_FAIL ? dmarc_dis_name(r->disposition) : "",
			     r->code == AUTH_FAIL ? ")" : "");
		if (n >= 0 && (size_t)n < size && r->from_domain[0])
			n += snprintf(buf + n, size - (size_t)n, " header.from=%s",
				      r->from_domain);
	}
	return n < 0 || (size_t)n >= size ? -1 : n;
}

size_t dmarc_json_str(char *buf, size_t size, size_t len, const char *s)
{
	if (!size)
		return 0;
	struct buf b;
	buf_init(&b, 0);
	buf_json_str(&b, s);	/* the one JSON escaper (buf.h) */
	size_t n = b.p ? b.len : 0;
	if (len + n + 1 > size)
		n = len < size - 1 ? size - 1 - len : 0;	/* truncated, as before */
	if (n)
		memcpy(buf + len, b.p, n);
	len += n;
	buf[len] = '\0';
	buf_clear(&b);
	return len;
}

char *dmarc_json(const struct dmarc_result *r)
{
	size_t size = 2048, n = 0;
	char *b = malloc(size);
	if (!b)
		return NULL;
#define KEY(k) n += (size_t)snprintf(b + n, size - n, "%s\"%s\":", n > 1 ? "," : "", k)
	n = (size_t)snprintf(b, size, "{");
	KEY("result"); n = dmarc_json_str(b, size, n, auth_code_name(r->code));
	KEY("policy"); n = dmarc_json_str(b, size, n, r->policy ? dmarc_policy_name(r->policy) : "");
	KEY("policy_tag"); n = dmarc_json_str(b, size, n, r->policy_tag);
	KEY("disposition"); n = dmarc_json_str(b, size, n, dmarc_dis_name(r->disposition));
	KEY("from"); n = dmarc_json_str(b, size, n, r->from_domain);
	KEY("domain"); n = dmarc_json_str(b, size, n, r->domain);
	KEY("org_domain"); n = dmarc_json_str(b, size, n, r->org_domain);
	KEY("testing"); n += (size_t)snprintf(b + n, size - n, "%s", r->testing ? "true" : "false");
	KEY("spf_aligned"); n += (size_t)snprintf(b + n, size - n, "%s", r->spf_aligned ? "true" : "false");
	KEY("dkim_aligned"); n += (size_t)snprintf(b + n, size - n, "%s", r->dkim_aligned ? "true" : "false");
	KEY("reason"); n = dmarc_json_str(b, size, n, r->reason);
	KEY("dnssec"); n = dmarc_json_str(b, size, n, dns_validated_name(r->dnssec));
	KEY("override");
	if (r->override[0]) {
		n += (size_t)snprintf(b + n, size - n, "{\"type\":");
		n = dmarc_json_str(b, size, n, r->override);
		n += (size_t)snprintf(b + n, size - n, ",\"detail\":");
		n = dmarc_json_str(b, size, n, r->override_detail);
		n += (size_t)snprintf(b + n, size - n, "}");
	} else {
		n += (size_t)snprintf(b + n, size - n, "null");
	}
	snprintf(b + n, size - n, "}");
#undef KEY
	return b;
}
