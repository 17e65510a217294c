/* crypto.h - OpenSSL 3 EVP for DKIM and ARC: digests, public keys,
 * signature checks, base64.
 *
 * Takes bytes; returns digests, keys and yes/no answers.  Never sees a
 * message or a tag list: canon.h feeds the digests, keyrec.h makes keys.
 * Signatures are always checked over a digest the caller computed, so that
 * RSA (RFC 6376 §3.3) and Ed25519 (RFC 8463 §3: Ed25519 over the SHA-256
 * hash of the header data) share one code path, and so a signer can later
 * use the same digest.
 */
#ifndef AUTHDELIVER_CRYPTO_H
#define AUTHDELIVER_CRYPTO_H

#include <stddef.h>

enum crypto_md { CRYPTO_SHA1 = 0, CRYPTO_SHA256 = 1 };
enum crypto_key_type { CRYPTO_KEY_RSA = 0, CRYPTO_KEY_ED25519 = 1 };

#define CRYPTO_MAX_MD 64	/* bytes; EVP_MAX_MD_SIZE */

/* Digest size in bytes (20, 32). */
size_t crypto_md_size(enum crypto_md md);

/* The one table of DKIM/ARC signing algorithms (RFC 6376 section 3.3,
 * RFC 8463 section 3).  rsa-sha1 is in it: RFC 8301 section 3.1 says not
 * to accept it, which the callers decide (conf dkim_rsa_sha1). */
struct crypto_sigalg {
	const char *name;	/* the a= value */
	enum crypto_key_type type;
	enum crypto_md md;
};
/* The algorithm named by the len bytes at name (exact, case-sensitive as
 * RFC 6376 section 3.2 tags), or NULL when unknown. */
const struct crypto_sigalg *crypto_sigalg_find(const char *name, size_t len);
/* "sha1", "sha256" */
const char *crypto_md_name(enum crypto_md md);

/* Incremental digest (an EVP_MD_CTX).  _new returns NULL only on OOM. */
struct crypto_hash;
struct crypto_hash *crypto_hash_new(enum crypto_md md);
void crypto_hash_update(struct crypto_hash *h, const void *p, size_t n);
/* Writes crypto_md_size() bytes to out; returns that size.  The hash can
 * be reused after crypto_hash_reset(). */
size_t crypto_hash_final(struct crypto_hash *h, unsigned char *out);
void crypto_hash_reset(struct crypto_hash *h);
void crypto_hash_free(struct crypto_hash *h);
/* For canon_out_fn callbacks: ctx is a struct crypto_hash *. */
void crypto_hash_sink(void *ctx, const void *p, size_t n);

/* A public key.  RSA: DER SubjectPublicKeyInfo, or a bare PKCS#1
 * RSAPublicKey (some DKIM records carry that).  Ed25519: the raw 32-byte
 * key (RFC 8463 §4.2).  Returns NULL and a reason ("not an RSA key",
 * "bad Ed25519 key length", ...). */
struct crypto_key;
struct crypto_key *crypto_key_new(enum crypto_key_type type,
				  const unsigned char *der, size_t len,
				  const char **error_r);
void crypto_key_free(struct crypto_key *k);
enum crypto_key_type crypto_key_type(const struct crypto_key *k);
/* Key size in bits (RSA modulus; 256 for Ed25519). */
int crypto_key_bits(const struct crypto_key *k);

/* Check sig over digest (computed with md).  RSA: PKCS#1 v1.5 with the
 * DigestInfo of md.  Ed25519: pure Ed25519 over the digest bytes.
 * Returns 1 valid, 0 invalid. */
int crypto_verify_digest(const struct crypto_key *k, enum crypto_md md,
			 const unsigned char *digest, size_t dlen,
			 const unsigned char *sig, size_t siglen);

/* Decode base64, ignoring FWS (SP, HTAB, CR, LF) anywhere (RFC 6376 §3.5
 * b=, bh=; §3.6.1 p=).  Strict otherwise: other characters, bad padding,
 * or data after padding give -1.  out must hold len * 3 / 4 + 3 bytes;
 * *len_r gets the decoded length. */
int crypto_base64_decode(const char *in, size_t len, unsigned char *out,
			 size_t *len_r);
/* Encode (for signers and tests); out must hold 4 * ((len + 2) / 3) + 1
 * bytes; NUL-terminated; returns the length. */
size_t crypto_base64_encode(const unsigned char *in, size_t len, char *out);

/* Which Ed25519 check runs: "own" (ed25519.h), or "openssl" when ours
 * failed its known answers in this process. */
const char *crypto_ed25519_impl(void);

/* Build OpenSSL's caches now (the LMTP master, before it forks); also
 * runs the Ed25519 known answers and builds its tables. */
void crypto_preload(void);
#endif
