/* keyrec.c - parse DKIM key records (RFC 6376 §3.6.1) into keys.
 *
 * Takes TXT data (the character-strings already concatenated, §3.6.2.2);
 * returns AUTH_PASS and a key, or AUTH_PERMERROR and why.  Unknown tags
 * are ignored (§3.6.1 "Unrecognized tags MUST be ignored"); unknown values
 * inside h=, s= and t= lists are ignored too.  Never queries DNS.
 */
#include "keyrec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tagval.h"

void keyrec_init(struct keyrec *k)
{
	memset(k, 0, sizeof(*k));
	k->hashes = (1u << CRYPTO_SHA1) | (1u << CRYPTO_SHA256);
}

void keyrec_clear(struct keyrec *k)
{
	crypto_key_free(k->key);
	keyrec_init(k);
}

bool keyrec_allows(const struct keyrec *k, enum crypto_md md)
{
	return (k->hashes & (1u << md)) != 0;
}

int keyrec_name(char *buf, size_t size, const char *selector,
		const char *domain)
{
	int n = snprintf(buf, size, "%s._domainkey.%s", selector, domain);
	if (n < 0 || (size_t)n >= size)
		return -1;
	/* RFC 1035 §2.3.4: labels of 1..63 octets, 253 in all; selectors
	 * may be dotted (RFC 6376 §3.1) */
	size_t lab = 0;
	if (n == 0 || n > 253)
		return -1;
	for (const char *p = buf; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '.') {
			if (lab == 0)
				return -1;
			lab = 0;
		} else if (ch <= ' ' || ch >= 0x7f || ++lab > 63) {
			return -1;
		}
	}
	return lab ? 0 : -1;
}

static int hash_item(const char *s, size_t n, void *ctx)
{
	unsigned *m = ctx;
	if (n == 4 && !memcmp(s, "sha1", 4))
		*m |= 1u << CRYPTO_SHA1;
	else if (n == 6 && !memcmp(s, "sha256", 6))
		*m |= 1u << CRYPTO_SHA256;
	return 0;
}

static int service_item(const char *s, size_t n, void *ctx)
{
	if ((n == 1 && s[0] == '*') || (n == 5 && !memcmp(s, "email", 5)))
		*(bool *)ctx = true;
	return 0;
}

static int flag_item(const char *s, size_t n, void *ctx)
{
	struct keyrec *k = ctx;
	if (n == 1 && s[0] == 'y')
		k->testing = true;
	else if (n == 1 && s[0] == 's')
		k->strict = true;
	return 0;
}

enum auth_code keyrec_parse(struct keyrec *k, const char *txt, size_t len,
			    const struct conf *c, char *reason, size_t size)
{
	struct tagval_list l;
	const char *err;
	enum auth_code rc = AUTH_PERMERROR;
	unsigned char *der = NULL;
	keyrec_clear(k);
	if (tagval_parse(&l, txt, len, (size_t)c->tag_list_max_tags,
			 (size_t)c->tag_list_max_length, &err) < 0) {
		snprintf(reason, size, "key syntax error: %s", err);
		return AUTH_PERMERROR;
	}
	const struct tagval_tag *t;
	/* v=: if present it MUST be first and "DKIM1" */
	if ((t = tagval_get(&l, "v")) &&
	    (t != &l.tags[0] || !tagval_is(t, "DKIM1"))) {
		snprintf(reason, size, "bad key version");
		goto out;
	}
	k->type = CRYPTO_KEY_RSA;
	if ((t = tagval_get(&l, "k"))) {
		if (tagval_is(t, "rsa"))
			k->type = CRYPTO_KEY_RSA;
		else if (tagval_is(t, "ed25519"))
			k->type = CRYPTO_KEY_ED25519;	/* RFC 8463 §4.1 */
		else {
			snprintf(reason, size, "unknown key type");
			goto out;
		}
	}
	if ((t = tagval_get(&l, "h"))) {
		k->hashes = 0;
		if (tagval_split(t->value, t->value_len, ':', 64, hash_item,
				 &k->hashes) < 0) {
			snprintf(reason, size, "key syntax error: h= too long");
			goto out;
		}
	}
	if ((t = tagval_get(&l, "s"))) {
		bool email = false;
		if (tagval_split(t->value, t->value_len, ':', 64, service_item,
				 &email) < 0 || !email) {
			snprintf(reason, size, "key not for email");
			goto out;
		}
	}
	if ((t = tagval_get(&l, "t")))
		(void)tagval_split(t->value, t->value_len, ':', 64, flag_item, k);
	if (!(t = tagval_get(&l, "p"))) {
		snprintf(reason, size, "key syntax error: no p=");
		goto out;
	}
	if (t->value_len == 0) {
		/* §3.6.1: "An empty value means that this public key has been
		 * revoked." */
		snprintf(reason, size, "key revoked");
		goto out;
	}
	der = malloc(t->value_len * 3 / 4 + 3);
	size_t dlen;
	if (!der) {
		snprintf(reason, size, "out of memory");
		rc = AUTH_TEMPERROR;
		goto out;
	}
	if (crypto_base64_decode(t->value, t->value_len, der, &dlen) < 0) {
		snprintf(reason, size, "key syntax error: bad base64");
		goto out;
	}
	k->key = crypto_key_new(k->type, der, dlen, &err);
	if (!k->key) {
		snprintf(reason, size, "%s", err);
		goto out;
	}
	k->bits = crypto_key_bits(k->key);
	if (k->type == CRYPTO_KEY_RSA) {
		/* RFC 8301 §3.2: keys under 1024 bits MUST NOT be accepted */
		if (k->bits < c->dkim_min_rsa_bits) {
			snprintf(reason, size, "RSA key too small (%d bits)", k->bits);
			goto out;
		}
		if (k->bits > c->dkim_max_rsa_bits) {
			snprintf(reason, size, "RSA key too large (%d bits)", k->bits);
			goto out;
		}
	}
	rc = AUTH_PASS;
	reason[0] = 0;
out:
	if (rc != AUTH_PASS) {
		crypto_key_free(k->key);
		k->key = NULL;
	}
	free(der);
	tagval_clear(&l);
	return rc;
}

enum auth_code keyrec_from_answer(struct keyrec *k,
				  const struct dns_answer *a,
				  const struct conf *c, char *reason,
				  size_t size)
{
	keyrec_clear(k);
	switch (a->status) {
	case DNS_OK:
		break;
	case DNS_TEMPFAIL:
		snprintf(reason, size, "key lookup: %s", a->why ? a->why : "temporary DNS failure");
		return AUTH_TEMPERROR;
	default:
		/* RFC 6376 §6.1.2: no key record is a PERMFAIL */
		snprintf(reason, size, "no key");
		return AUTH_PERMERROR;
	}
	enum auth_code first = AUTH_PERMERROR;
	char first_reason[128] = "no key";
	size_t ntxt = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->rr[i].type != DNS_T_TXT)
			continue;
		enum auth_code rc = keyrec_parse(k, a->rr[i].data, a->rr[i].len,
						 c, reason, size);
		if (rc == AUTH_PASS) {
			k->secure = a->sec == DNS_SEC_SECURE;
			return rc;
		}
		if (ntxt++ == 0) {
			first = rc;
			snprintf(first_reason, sizeof(first_reason), "%s", reason);
		}
	}
	snprintf(reason, size, "%s", first_reason);
	return first;
}
