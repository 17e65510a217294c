/* keyrec.h - DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463), used
 * by DKIM and by ARC (RFC 8617 §4.1.3 uses the same records).
 *
 * Takes the TXT answer for "selector._domainkey.domain"; returns a usable
 * public key with its restrictions, or a permerror/temperror with a short
 * reason.  Never queries DNS itself: the verifier does the lookup
 * (dns_lookup(d, name, DNS_T_TXT)) and hands the answer over, so that the
 * same lookup serves prefetch, DKIM and ARC.
 */
#ifndef AUTHDELIVER_KEYREC_H
#define AUTHDELIVER_KEYREC_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "crypto.h"
#include "dns.h"

struct conf;

struct keyrec {
	enum crypto_key_type type;	/* k= (default rsa) */
	struct crypto_key *key;		/* NULL unless the record is usable */
	int bits;			/* key size, 0 unknown */
	unsigned hashes;		/* h=: bit (1 << crypto_md); all if absent */
	bool testing;			/* t=y (RFC 6376 §3.6.1) */
	bool strict;			/* t=s: i= domain must equal d= */
	bool secure;			/* the TXT answer was DNSSEC-secure */
};

/* "sel._domainkey.example.com" into buf; -1 when it does not fit or the
 * result is not a valid DNS name (-> permerror "bad selector"). */
int keyrec_name(char *buf, size_t size, const char *selector,
		const char *domain);

/* Parse one record.  Returns AUTH_PASS with k->key set, or
 * AUTH_PERMERROR with reason: "key revoked" (p= empty), "key syntax
 * error", "unknown key type", "bad key version", "key not for email",
 * "RSA key too small (512 bits)", "RSA key too large (32768 bits)", ...
 * Bounds from conf (tag_list_*, dkim_min_rsa_bits, dkim_max_rsa_bits). */
enum auth_code keyrec_parse(struct keyrec *k, const char *txt, size_t len,
			    const struct conf *c, char *reason, size_t size);

/* The whole answer: DNS_TEMPFAIL -> AUTH_TEMPERROR "key lookup: timeout",
 * NXDOMAIN/NODATA/BADNAME -> AUTH_PERMERROR "no key"; several TXT records:
 * the first that parses is used (§3.6.2.2 leaves the choice to us), else
 * the first record's error.  Records the answer's DNSSEC status. */
enum auth_code keyrec_from_answer(struct keyrec *k,
				  const struct dns_answer *a,
				  const struct conf *c, char *reason,
				  size_t size);

/* May this key sign with hash md (key h=)? */
bool keyrec_allows(const struct keyrec *k, enum crypto_md md);

void keyrec_init(struct keyrec *k);
void keyrec_clear(struct keyrec *k);

#endif
