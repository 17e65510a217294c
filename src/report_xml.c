/* report_xml.c - aggregation of stored records and the RFC 9990 XML.
 *
 * Takes a store, a policy domain and a UTC day; returns the report's XML
 * text.  Rows are the store's GROUP BY over the RFC 9990 3.1.1.7 key;
 * policy_published is the last configuration seen that day (RFC 9990
 * 3.1: "SHOULD note only the final configuration observed").  Text is
 * escaped for XML and anything outside printable ASCII becomes "?", so
 * the document is always well-formed UTF-8.
 */
#include "report_xml.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <zlib.h>

#include "buf.h"
#include "report_rec.h"
#include "report_store.h"

/* Text content: XML escapes; bytes outside printable ASCII -> '?' */
static void x_text(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		switch (ch) {
		case '&': buf_str(b, "&amp;"); break;
		case '<': buf_str(b, "&lt;"); break;
		case '>': buf_str(b, "&gt;"); break;
		case '"': buf_str(b, "&quot;"); break;
		default:
			buf_add(b, ch < 0x20 || ch > 0x7e ? "?" : p, 1);
		}
	}
}

/* <name>text</name> at an indent */
static void x_el(struct buf *b, int ind, const char *name, const char *text)
{
	static const char sp[] = "            ";
	buf_add(b, sp, (size_t)ind * 2 < sizeof sp - 1 ? (size_t)ind * 2 : sizeof sp - 1);
	buf_str(b, "<");
	buf_str(b, name);
	buf_str(b, ">");
	x_text(b, text);
	buf_str(b, "</");
	buf_str(b, name);
	buf_str(b, ">\n");
}

static void x_open(struct buf *b, int ind, const char *name, bool close)
{
	static const char sp[] = "            ";
	buf_add(b, sp, (size_t)ind * 2 < sizeof sp - 1 ? (size_t)ind * 2 : sizeof sp - 1);
	buf_str(b, close ? "</" : "<");
	buf_str(b, name);
	buf_str(b, ">\n");
}

int report_id_new(long long day, char *buf, size_t size)
{
	unsigned char rnd[8];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	int n = snprintf(buf, size, "%lld", day);
	for (size_t i = 0; i < sizeof rnd && n > 0 && (size_t)n + 2 < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "%02x", rnd[i]);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ------------------------------------------------------------------ */

struct policy {
	char v[9][64];
	bool found;
};

static int policy_cb(void *arg, size_t n, const char *const *v)
{
	struct policy *p = arg;
	for (size_t i = 0; i < 9 && i < n; i++)
		snprintf(p->v[i], sizeof p->v[i], "%s", v[i]);
	p->found = true;
	return 1;
}

struct rows {
	struct buf *b;
	long count;
};

/* One <record> (RFC 9990 3.1.1.7, element order of Appendix A). */
static int row_cb(void *arg, size_t n, const char *const *v)
{
	struct rows *rs = arg;
	struct buf *b = rs->b;
	if (n < 13)
		return 1;
	enum { IP, DIS, DKE, SPE, RSN, RSC, HF, EF, ET, DKIM, SPD, SPR, CNT };
	rs->count += atol(v[CNT]);
	x_open(b, 1, "record", false);
	x_open(b, 2, "row", false);
	x_el(b, 3, "source_ip", v[IP]);
	x_el(b, 3, "count", v[CNT]);
	x_open(b, 3, "policy_evaluated", false);
	x_el(b, 4, "disposition", v[DIS]);
	x_el(b, 4, "dkim", v[DKE]);
	x_el(b, 4, "spf", v[SPE]);
	if (*v[RSN]) {
		x_open(b, 4, "reason", false);
		x_el(b, 5, "type", v[RSN]);
		if (*v[RSC])
			x_el(b, 5, "comment", v[RSC]);
		x_open(b, 4, "reason", true);
	}
	x_open(b, 3, "policy_evaluated", true);
	x_open(b, 2, "row", true);
	x_open(b, 2, "identifiers", false);
	x_el(b, 3, "header_from", v[HF]);
	/* RFC 9990 3.1.1.10: present but empty for the null reverse-path */
	x_el(b, 3, "envelope_from", v[EF]);
	if (*v[ET])
		x_el(b, 3, "envelope_to", v[ET]);
	x_open(b, 2, "identifiers", true);
	x_open(b, 2, "auth_results", false);
	/* "d/s/result d/s/result ...", in RFC 9990 3.1.3 priority order */
	const char *p = v[DKIM];
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t el = e ? (size_t)(e - p) : strlen(p);
		const char *s1 = memchr(p, '/', el);
		const char *s2 = s1 ? memchr(s1 + 1, '/', el - (size_t)(s1 + 1 - p)) : NULL;
		if (s2) {
			char d[300], s[300], r[32];
			report_unesc(d, sizeof d, p, (size_t)(s1 - p));
			report_unesc(s, sizeof s, s1 + 1, (size_t)(s2 - s1 - 1));
			report_unesc(r, sizeof r, s2 + 1, el - (size_t)(s2 + 1 - p));
			x_open(b, 3, "dkim", false);
			x_el(b, 4, "domain", d);
			x_el(b, 4, "selector", s);
			x_el(b, 4, "result", r);
			x_open(b, 3, "dkim", true);
		}
		p += el;
		while (*p == ' ')
			p++;
	}
	if (*v[SPD]) {
		x_open(b, 3, "spf", false);
		x_el(b, 4, "domain", v[SPD]);
		x_el(b, 4, "scope", "mfrom");
		x_el(b, 4, "result", v[SPR]);
		x_open(b, 3, "spf", true);
	}
	x_open(b, 2, "auth_results", true);
	x_open(b, 1, "record", true);
	return buf_status(b) < 0;
}

#define KEY "source_ip, disposition, dkim_eval, spf_eval, reason, reason_comment," \
	    " header_from, envelope_from, envelope_to, dkim, spf_domain, spf_result"

int report_xml_build(struct report_store *st, const struct report_meta *m,
		     char **xml_r, size_t *len_r, long *count_r)
{
	char day[24], tmp[32];
	snprintf(day, sizeof day, "%lld", m->day);
	const char *p[] = { day, m->policy_domain };
	struct policy pol = { 0 };
	*xml_r = NULL;
	*count_r = 0;
	if (report_store_exec(st, "SELECT p, sp, np, adkim, aspf, testing, fo, discovery, rua"
			      " FROM record WHERE day = ? AND policy_domain = ?"
			      " ORDER BY ts DESC, uid LIMIT 1", 2, p, policy_cb, &pol) < 0)
		return -1;
	if (!pol.found)
		return 0;
	struct buf b;
	buf_init(&b, 0);
	buf_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n");
	/* RFC 9990 3.1.1.2: version, report_metadata, policy_published,
	 * record+ in this order; version MUST be 1.0 */
	x_el(&b, 1, "version", "1.0");
	x_open(&b, 1, "report_metadata", false);
	x_el(&b, 2, "org_name", m->org_name);
	x_el(&b, 2, "email", m->email);
	if (m->contact && *m->contact)
		x_el(&b, 2, "extra_contact_info", m->contact);
	x_el(&b, 2, "report_id", m->report_id);
	x_open(&b, 2, "date_range", false);
	/* RFC 9990 3.1.1.4: one UTC day, periods never overlap */
	snprintf(tmp, sizeof tmp, "%lld", report_day_begin(m->day));
	x_el(&b, 3, "begin", tmp);
	snprintf(tmp, sizeof tmp, "%lld", report_day_end(m->day));
	x_el(&b, 3, "end", tmp);
	x_open(&b, 2, "date_range", true);
	x_el(&b, 2, "generator", m->generator);
	x_open(&b, 1, "report_metadata", true);
	/* RFC 9990 3.1.1.5: defaults of unspecified tags; no pct */
	x_open(&b, 1, "policy_published", false);
	x_el(&b, 2, "domain", m->policy_domain);
	x_el(&b, 2, "discovery_method", pol.v[7]);
	x_el(&b, 2, "p", pol.v[0]);
	x_el(&b, 2, "sp", pol.v[1]);
	x_el(&b, 2, "np", pol.v[2]);
	x_el(&b, 2, "fo", pol.v[6]);
	x_el(&b, 2, "adkim", pol.v[3]);
	x_el(&b, 2, "aspf", pol.v[4]);
	x_el(&b, 2, "testing", pol.v[5]);
	x_open(&b, 1, "policy_published", true);
	struct rows rs = { &b, 0 };
	if (report_store_exec(st, "SELECT " KEY ", count(*) FROM record"
			      " WHERE day = ? AND policy_domain = ? GROUP BY " KEY
			      " ORDER BY " KEY, 2, p, row_cb, &rs) < 0) {
		buf_clear(&b);
		return -1;
	}
	buf_str(&b, "</feedback>\n");
	if (!(*xml_r = buf_steal(&b, len_r)))
		return -1;
	*count_r = rs.count;
	return 0;
}

int report_gzip(const char *data, size_t len, unsigned char **out_r, size_t *out_len_r)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip wrapper; zlib writes mtime 0 and no name */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len) + 32;
	unsigned char *out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return -1;
	}
	*out_r = out;
	*out_len_r = n;
	return 0;
}
