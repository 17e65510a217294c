/* test_crypto.c - digests, base64, RSA/Ed25519 checks over digests, and
 * DKIM key records (keyrec.h), with keys made by OpenSSL in the test. */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "keyrec.h"
#include "t.h"

static size_t sign_digest(EVP_PKEY *pk, int ed, const unsigned char *dg,
			  size_t dl, unsigned char *sig)
{
	size_t sl = 4096;
	if (ed) {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		EVP_DigestSignInit(m, NULL, NULL, NULL, pk);
		EVP_DigestSign(m, sig, &sl, dg, dl);
		EVP_MD_CTX_free(m);
	} else {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
		EVP_PKEY_sign_init(c);
		EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
		EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
		EVP_PKEY_sign(c, sig, &sl, dg, dl);
		EVP_PKEY_CTX_free(c);
	}
	return sl;
}

static char *record(const char *prefix, const unsigned char *der, size_t len)
{
	char *b = malloc(strlen(prefix) + 4 * len / 3 + 16);
	strcpy(b, prefix);
	crypto_base64_encode(der, len, b + strlen(b));
	return b;
}

int main(void)
{
	const char *err;
	struct conf *c = conf_parse(NULL, &err);
	unsigned char out[256], dg[64];
	size_t n;

	/* base64 */
	T_INT(crypto_base64_decode("aGVs bG8=", 9, out, &n), 0, "b64 with SP");
	T_INT(n, 5, "b64 length");
	T_OK(!memcmp(out, "hello", 5), "b64 value");
	T_INT(crypto_base64_decode("aGVs\r\n\tbG8h", 11, out, &n), 0, "b64 folded");
	T_INT(crypto_base64_decode("aGVsbG8", 7, out, &n), -1, "b64 missing padding");
	T_INT(crypto_base64_decode("aGVs*G8=", 8, out, &n), -1, "b64 bad char");
	T_INT(crypto_base64_decode("aG==bG8=", 8, out, &n), -1, "b64 data after padding");
	T_INT(crypto_base64_decode("a===", 4, out, &n), -1, "b64 three pads");
	T_INT(crypto_base64_decode("", 0, out, &n), 0, "b64 empty");
	char enc[16];
	crypto_base64_encode((const unsigned char *)"hello", 5, enc);
	T_STR(enc, "aGVsbG8=", "b64 encode");

	/* digests */
	struct crypto_hash *h = crypto_hash_new(CRYPTO_SHA256);
	crypto_hash_update(h, "abc", 3);
	T_INT(crypto_hash_final(h, dg), 32, "sha256 size");
	T_OK(dg[0] == 0xba && dg[31] == 0xad, "sha256(abc)");
	crypto_hash_reset(h);
	crypto_hash_update(h, "ab", 2);
	crypto_hash_update(h, "c", 1);
	unsigned char dg2[64];
	crypto_hash_final(h, dg2);
	T_OK(!memcmp(dg, dg2, 32), "sha256 incremental after reset");
	crypto_hash_free(h);
	h = crypto_hash_new(CRYPTO_SHA1);
	crypto_hash_update(h, "abc", 3);
	T_INT(crypto_hash_final(h, dg2), 20, "sha1 size");
	T_OK(dg2[0] == 0xa9 && dg2[19] == 0x9d, "sha1(abc)");
	crypto_hash_free(h);

	/* RSA 2048: SPKI and bare RSAPublicKey */
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	unsigned char *spki = NULL, *pkcs1 = NULL;
	int spki_len = i2d_PUBKEY(rsa, &spki);
	int pkcs1_len = i2d_PublicKey(rsa, &pkcs1);
	unsigned char sig[4096];
	size_t sl = sign_digest(rsa, 0, dg, 32, sig);
	struct crypto_key *k = crypto_key_new(CRYPTO_KEY_RSA, spki, (size_t)spki_len, &err);
	T_OK(k != NULL, "rsa spki key");
	T_INT(crypto_key_bits(k), 2048, "rsa bits");
	T_INT(crypto_verify_digest(k, CRYPTO_SHA256, dg, 32, sig, sl), 1, "rsa verify");
	sig[10] ^= 1;
	T_INT(crypto_verify_digest(k, CRYPTO_SHA256, dg, 32, sig, sl), 0, "rsa tampered sig");
	sig[10] ^= 1;
	T_INT(crypto_verify_digest(k, CRYPTO_SHA1, dg, 20, sig, sl), 0, "rsa wrong md");
	T_INT(crypto_verify_digest(k, CRYPTO_SHA256, dg, 32, sig, sl - 1), 0, "rsa short sig");
	crypto_key_free(k);
	k = crypto_key_new(CRYPTO_KEY_RSA, pkcs1, (size_t)pkcs1_len, &err);
	T_OK(k != NULL, "rsa bare RSAPublicKey");
	T_INT(k ? crypto_verify_digest(k, CRYPTO_SHA256, dg, 32, sig, sl) : 0, 1, "rsa bare verify");
	crypto_key_free(k);
	T_OK(crypto_key_new(CRYPTO_KEY_RSA, spki, (size_t)spki_len - 3, &err) == NULL, "rsa truncated key");
	T_OK(crypto_key_new(CRYPTO_KEY_RSA, (const unsigned char *)"garbage", 7, &err) == NULL, "rsa garbage key");

	/* Ed25519: raw key; RFC 8463 signs the SHA-256 digest */
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char raw[32];
	size_t rl = 32;
	EVP_PKEY_get_raw_public_key(ed, raw, &rl);
	unsigned char esig[64];
	size_t esl = sign_digest(ed, 1, dg, 32, esig);
	k = crypto_key_new(CRYPTO_KEY_ED25519, raw, 32, &err);
	T_OK(k != NULL, "ed25519 key");
	T_INT(crypto_key_bits(k), 256, "ed25519 bits");
	T_INT(crypto_verify_digest(k, CRYPTO_SHA256, dg, 32, esig, esl), 1, "ed25519 verify");
	esig[0] ^= 1;
	T_INT(crypto_verify_digest(k, CRYPTO_SHA256, dg, 32, esig, esl), 0, "ed25519 tampered");
	crypto_key_free(k);
	T_OK(crypto_key_new(CRYPTO_KEY_ED25519, raw, 31, &err) == NULL, "ed25519 short key");
	T_OK(crypto_key_new(CRYPTO_KEY_RSA, raw, 32, &err) == NULL, "ed25519 key as rsa");

	/* key records */
	struct keyrec kr;
	char reason[128];
	keyrec_init(&kr);
	char *r = record("v=DKIM1; k=rsa; t=y:s; h=sha256:foo; s=email; p=", spki, (size_t)spki_len);
	T_INT(keyrec_parse(&kr, r, strlen(r), c, reason, sizeof(reason)), AUTH_PASS, "keyrec rsa");
	T_OK(kr.testing && kr.strict && kr.bits == 2048, "keyrec flags/bits");
	T_OK(keyrec_allows(&kr, CRYPTO_SHA256) && !keyrec_allows(&kr, CRYPTO_SHA1), "keyrec h=");
	free(r);
	r = record("p=", pkcs1, (size_t)pkcs1_len);
	T_INT(keyrec_parse(&kr, r, strlen(r), c, reason, sizeof(reason)), AUTH_PASS, "keyrec bare pkcs1, defaults");
	T_OK(keyrec_allows(&kr, CRYPTO_SHA1) && !kr.testing, "keyrec defaults");
	free(r);
	r = record("v=DKIM1; k=ed25519; n=note; zz=unknown; p=", raw, 32);
	T_INT(keyrec_parse(&kr, r, strlen(r), c, reason, sizeof(reason)), AUTH_PASS, "keyrec ed25519");
	T_INT(kr.type, CRYPTO_KEY_ED25519, "keyrec ed25519 type");
	free(r);
	static const struct { const char *rec, *reason; } bad[] = {
		{ "v=DKIM1; p=", "key revoked" },
		{ "v=DKIM1; k=rsa; p=", "key revoked" },
		{ "v=DKIM2; p=AAAA", "bad key version" },
		{ "k=rsa; v=DKIM1; p=AAAA", "bad key version" },
		{ "k=dsa; p=AAAA", "unknown key type" },
		{ "s=web; p=AAAA", "key not for email" },
		{ "v=DKIM1; k=rsa", "key syntax error: no p=" },
		{ "p=!!!!", "key syntax error: bad base64" },
		{ "p=AAAA", "key syntax error" },
		{ "\x01\x02garbage", "key syntax error: bad tag name" },
		{ "v=DKIM1; p=a; p=b", "key syntax error: duplicate tag" },
		{ "k=ed25519; p=AAAA", "bad Ed25519 key length" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[80];
		snprintf(name, sizeof(name), "keyrec bad %zu", i);
		T_INT(keyrec_parse(&kr, bad[i].rec, strlen(bad[i].rec), c, reason, sizeof(reason)),
		      AUTH_PERMERROR, name);
		T_STR(reason, bad[i].reason, name);
	}
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	unsigned char *sd = NULL;
	int sdl = i2d_PUBKEY(small, &sd);
	r = record("p=", sd, (size_t)sdl);
	T_INT(keyrec_parse(&kr, r, strlen(r), c, reason, sizeof(reason)), AUTH_PERMERROR, "keyrec 512-bit");
	T_STR(reason, "RSA key too small (512 bits)", "keyrec 512-bit reason");

	/* whole answers */
	struct dns_rr rrs[2] = {
		{ DNS_T_TXT, 0, strlen("p=!!"), "p=!!" },
		{ DNS_T_TXT, 0, strlen(r), r },
	};
	struct dns_answer a = { .status = DNS_OK, .sec = DNS_SEC_SECURE, .n = 2, .rr = rrs };
	T_INT(keyrec_from_answer(&kr, &a, c, reason, sizeof(reason)), AUTH_PERMERROR, "answer: none usable");
	T_STR(reason, "key syntax error: bad base64", "answer: first record's reason");
	free(r);
	r = record("p=", spki, (size_t)spki_len);
	rrs[1].data = r;
	rrs[1].len = strlen(r);
	T_INT(keyrec_from_answer(&kr, &a, c, reason, sizeof(reason)), AUTH_PASS, "answer: second record usable");
	T_OK(kr.secure, "answer: DNSSEC secure kept");
	a.status = DNS_TEMPFAIL;
	a.why = "timeout";
	T_INT(keyrec_from_answer(&kr, &a, c, reason, sizeof(reason)), AUTH_TEMPERROR, "answer: tempfail");
	T_STR(reason, "key lookup: timeout", "answer: tempfail reason");
	a.status = DNS_NXDOMAIN;
	T_INT(keyrec_from_answer(&kr, &a, c, reason, sizeof(reason)), AUTH_PERMERROR, "answer: nxdomain");
	T_STR(reason, "no key", "answer: nxdomain reason");

	char name[300];
	T_INT(keyrec_name(name, sizeof(name), "sel", "example.com"), 0, "keyrec_name");
	T_STR(name, "sel._domainkey.example.com", "keyrec_name value");
	T_INT(keyrec_name(name, sizeof(name), "a..b", "example.com"), -1, "keyrec_name empty label");
	T_INT(keyrec_name(name, sizeof(name), "a b", "example.com"), -1, "keyrec_name space");

	keyrec_clear(&kr);
	free(r);
	OPENSSL_free(spki);
	OPENSSL_free(pkcs1);
	OPENSSL_free(sd);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(small);
	conf_free(c);
	T_DONE();
}
