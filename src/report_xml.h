/* report_xml.h - one DMARC aggregate report: aggregation of the stored
 * records of one policy domain and UTC day into rows, the RFC 9990 XML
 * (namespace urn:ietf:params:xml:ns:dmarc-2.0, the element order of its
 * Appendix A schema), and gzip (RFC 1952) of it.
 *
 * Takes the store and the report's metadata; returns the XML text
 * (malloc'd).  The same records always give the same bytes (rows in key
 * order, gzip without a time stamp), so a re-sent report is identical.
 */
#ifndef AUTHDELIVER_REPORT_XML_H
#define AUTHDELIVER_REPORT_XML_H

#include <stddef.h>

struct report_store;

struct report_meta {
	const char *org_name, *email, *contact;	/* contact may be "" */
	const char *report_id;
	long long day;				/* UTC day number */
	const char *policy_domain;
	const char *generator;
};

/* Report-ID: letters and digits only (RFC 9990 3.5.2 unique-id, a
 * subset of 3.5.1 ridtxt), unique: the day and 16 random hex digits. */
int report_id_new(long long day, char *buf, size_t size);

/* Aggregate the records of meta->day / meta->policy_domain (RFC 9990
 * 3.1.1.7: one row per source IP, disposition, evaluated results,
 * identifiers and auth results) and write the report.  Returns 0 and
 * the XML in *xml_r (malloc'd, *len_r bytes) and the number of messages
 * in *count_r (0: no records), or -1 with the store's error. */
int report_xml_build(struct report_store *st, const struct report_meta *meta,
		     char **xml_r, size_t *len_r, long *count_r);

/* gzip (RFC 1952, no name, mtime 0); 0 or -1. */
int report_gzip(const char *data, size_t len, unsigned char **out_r, size_t *out_len_r);

#endif
