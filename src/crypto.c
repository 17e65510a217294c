/* crypto.c - digests, public keys and signature checks on OpenSSL 3 EVP.
 *
 * Takes bytes, returns digests and 1/0 verdicts.  Never touches messages.
 * The EVP_MD objects are fetched once (explicit fetch is much cheaper than
 * the implicit lookup on every EVP_sha256() use in OpenSSL 3).
 */
#include "crypto.h"
#include "ed25519.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct crypto_hash {
	EVP_MD_CTX *ctx;
	enum crypto_md md;
};

struct crypto_key {
	EVP_PKEY *pkey;
	enum crypto_key_type type;
	int bits;
	struct ed25519_pub ed;	/* Ed25519: decoded once, see ed25519.h */
};

static EVP_MD *mds[2];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void mds_fetch(void)
{
	mds[CRYPTO_SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
	mds[CRYPTO_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md_get(enum crypto_md md)
{
	pthread_once(&mds_once, mds_fetch);
	return mds[md == CRYPTO_SHA1 ? CRYPTO_SHA1 : CRYPTO_SHA256];
}

size_t crypto_md_size(enum crypto_md md)
{
	return md == CRYPTO_SHA1 ? 20 : 32;
}

const char *crypto_md_name(enum crypto_md md)
{
	return md == CRYPTO_SHA1 ? "sha1" : "sha256";
}

struct crypto_hash *crypto_hash_new(enum crypto_md md)
{
	struct crypto_hash *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->md = md;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, md_get(md), NULL)) {
		crypto_hash_free(h);
		return NULL;
	}
	return h;
}

void crypto_hash_update(struct crypto_hash *h, const void *p, size_t n)
{
	if (n)
		EVP_DigestUpdate(h->ctx, p, n);
}

void crypto_hash_sink(void *ctx, const void *p, size_t n)
{
	crypto_hash_update(ctx, p, n);
}

size_t crypto_hash_final(struct crypto_hash *h, unsigned char *out)
{
	unsigned int n = 0;
	EVP_DigestFinal_ex(h->ctx, out, &n);
	return n;
}

void crypto_hash_reset(struct crypto_hash *h)
{
	EVP_DigestInit_ex(h->ctx, md_get(h->md), NULL);
}

void crypto_hash_free(struct crypto_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

/* Parsed keys by their exact bytes.  OpenSSL 3 decodes a DER key through
 * its provider machinery, which costs more than an RSA-2048 verification;
 * a mail server sees the same few keys again and again.  Process-wide,
 * bounded, least recently used replaced; entries hold an EVP_PKEY
 * reference each key handed out shares. */
#define KEYCACHE_SIZE 64

static struct keycache {
	unsigned char *der;
	size_t len;
	enum crypto_key_type type;
	EVP_PKEY *pk;
	struct ed25519_pub *ed;	/* Ed25519 entries: the decoded key */
	unsigned long used;
} keycache[KEYCACHE_SIZE];
static unsigned long keycache_clock;
static pthread_mutex_t keycache_lock = PTHREAD_MUTEX_INITIALIZER;

/* ed (Ed25519 keys) gets a copy of the decoded key. */
static EVP_PKEY *keycache_get(enum crypto_key_type type,
			      const unsigned char *der, size_t len,
			      struct ed25519_pub *ed)
{
	EVP_PKEY *pk = NULL;
	pthread_mutex_lock(&keycache_lock);
	for (size_t i = 0; i < KEYCACHE_SIZE; i++) {
		struct keycache *e = &keycache[i];
		if (e->pk && e->type == type && e->len == len &&
		    !memcmp(e->der, der, len)) {
			if (type == CRYPTO_KEY_ED25519 && !e->ed)
				break;
			e->used = ++keycache_clock;
			if (EVP_PKEY_up_ref(e->pk)) {
				pk = e->pk;
				if (e->ed)
					*ed = *e->ed;
			}
			break;
		}
	}
	pthread_mutex_unlock(&keycache_lock);
	return pk;
}

static void keycache_put(enum crypto_key_type type, const unsigned char *der,
			 size_t len, EVP_PKEY *pk, const struct ed25519_pub *ed)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct ed25519_pub *edc = ed ? malloc(sizeof(*edc)) : NULL;
	if (!copy || (ed && !edc) || !EVP_PKEY_up_ref(pk)) {
		free(copy);
		free(edc);
		return;
	}
	memcpy(copy, der, len);
	if (ed)
		*edc = *ed;
	pthread_mutex_lock(&keycache_lock);
	struct keycache *v = &keycache[0];
	for (size_t i = 0; i < KEYCACHE_SIZE; i++)
		if (!keycache[i].pk || keycache[i].used < v->used) {
			v = &keycache[i];
			if (!v->pk)
				break;
		}
	free(v->der);
	EVP_PKEY_free(v->pk);
	free(v->ed);
	v->der = copy;
	v->len = len;
	v->type = type;
	v->pk = pk;
	v->ed = edc;
	v->used = ++keycache_clock;
	pthread_mutex_unlock(&keycache_lock);
}

static struct crypto_key *key_wrap(EVP_PKEY *pk, enum crypto_key_type type,
				   const struct ed25519_pub *ed,
				   const char **error_r)
{
	struct crypto_key *k = malloc(sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pk);
		*error_r = "out of memory";
		return NULL;
	}
	k->pkey = pk;
	k->type = type;
	k->bits = EVP_PKEY_get_bits(pk);
	if (ed)
		k->ed = *ed;
	else
		k->ed.ok = 0;
	return k;
}

/* Our Ed25519 check, unless its known answers did not come out (then
 * OpenSSL's, for this process). */
static int ed_own;
static pthread_once_t ed_once = PTHREAD_ONCE_INIT;

static void ed_selftest(void)
{
	/* RFC 8032 section 7.1, test 2; then the same with one bit of S, of R
	 * and of the message changed */
	static const unsigned char pk[32] = {
		0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a,
		0xa7, 0x4d, 0x1b, 0x7e, 0xbc, 0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4,
		0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c,
	};
	static const unsigned char sig[64] = {
		0x92, 0xa0, 0x09, 0xa9, 0xf0, 0xd4, 0xca, 0xb8, 0x72, 0x0e, 0x82,
		0x0b, 0x5f, 0x64, 0x25, 0x40, 0xa2, 0xb2, 0x7b, 0x54, 0x16, 0x50,
		0x3f, 0x8f, 0xb3, 0x76, 0x22, 0x23, 0xeb, 0xdb, 0x69, 0xda, 0x08,
		0x5a, 0xc1, 0xe4, 0x3e, 0x15, 0x99, 0x6e, 0x45, 0x8f, 0x36, 0x13,
		0xd0, 0xf1, 0x1d, 0x8c, 0x38, 0x7b, 0x2e, 0xae, 0xb4, 0x30, 0x2a,
		0xee, 0xb0, 0x0d, 0x29, 0x16, 0x12, 0xbb, 0x0c, 0x00,
	};
	unsigned char m = 0x72, s2[64];
	struct ed25519_pub p;
	if (ed25519_pub_init(&p, pk) < 0 || ed25519_verify(&p, sig, &m, 1) != 1)
		return;
	memcpy(s2, sig, 64);
	s2[40] ^= 0x10;
	if (ed25519_verify(&p, s2, &m, 1) != 0)
		return;
	memcpy(s2, sig, 64);
	s2[3] ^= 0x01;
	if (ed25519_verify(&p, s2, &m, 1) != 0)
		return;
	m ^= 0x01;
	if (ed25519_verify(&p, sig, &m, 1) != 0)
		return;
	ed_own = 1;
}

const char *crypto_ed25519_impl(void)
{
	pthread_once(&ed_once, ed_selftest);
	return ed_own ? "own" : "openssl";
}

struct crypto_key *crypto_key_new(enum crypto_key_type type,
				  const unsigned char *der, size_t len,
				  const char **error_r)
{
	EVP_PKEY *pk = NULL;
	struct ed25519_pub ed;
	if (len <= 65536 && (pk = keycache_get(type, der, len, &ed)))
		return key_wrap(pk, type, type == CRYPTO_KEY_ED25519 ? &ed : NULL, error_r);
	if (len > 65536) {
		*error_r = "key too long";
		return NULL;
	}
	if (type == CRYPTO_KEY_ED25519) {
		/* RFC 8463 §4.2: p= is the raw 32-byte public key */
		if (len != 32) {
			*error_r = "bad Ed25519 key length";
			return NULL;
		}
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
		if (!pk) {
			*error_r = "bad Ed25519 key";
			return NULL;
		}
		/* not a point: kept, and every check fails, as OpenSSL's
		 * (which decodes at verification time) */
		(void)ed25519_pub_init(&ed, der);
	} else {
		/* RFC 6376 §3.6.1: p= is an ASN.1 DER SubjectPublicKeyInfo;
		 * some publishers put the bare RSAPublicKey there. */
		const unsigned char *p = der;
		pk = d2i_PUBKEY(NULL, &p, (long)len);
		if (pk && p != der + len) {
			EVP_PKEY_free(pk);
			*error_r = "trailing data after key";
			return NULL;
		}
		if (!pk) {
			p = der;
			pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
			if (pk && p != der + len) {
				EVP_PKEY_free(pk);
				pk = NULL;
			}
		}
		if (!pk) {
			*error_r = "key syntax error";
			return NULL;
		}
		if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
			EVP_PKEY_free(pk);
			*error_r = "not an RSA key";
			return NULL;
		}
	}
	const struct ed25519_pub *edp = type == CRYPTO_KEY_ED25519 ? &ed : NULL;
	keycache_put(type, der, len, pk, edp);
	return key_wrap(pk, type, edp, error_r);
}

void crypto_key_free(struct crypto_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

enum crypto_key_type crypto_key_type(const struct crypto_key *k)
{
	return k->type;
}

int crypto_key_bits(const struct crypto_key *k)
{
	return k->bits;
}

int crypto_verify_digest(const struct crypto_key *k, enum crypto_md md,
			 const unsigned char *digest, size_t dlen,
			 const unsigned char *sig, size_t siglen)
{
	int ok = 0;
	if (k->type == CRYPTO_KEY_ED25519) {
		/* RFC 8463 §3: the Ed25519 input is the hash, not the data */
		if (siglen != 64)
			return 0;
		pthread_once(&ed_once, ed_selftest);
		if (ed_own)
			return ed25519_verify(&k->ed, sig, digest, dlen);
		EVP_MD_CTX *mctx = EVP_MD_CTX_new();
		if (!mctx)
			return 0;
		if (EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, k->pkey) == 1)
			ok = EVP_DigestVerify(mctx, sig, siglen, digest, dlen) == 1;
		EVP_MD_CTX_free(mctx);
		return ok;
	}
	if (dlen != crypto_md_size(md))
		return 0;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (!ctx)
		return 0;
	if (EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, md_get(md)) == 1)
		ok = EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* base64 alphabet values, -1 elsewhere (RFC 4648 section 4); a table
 * because signatures and keys are decoded for every message */
static signed char b64tab[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_init(void)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	memset(b64tab, -1, sizeof(b64tab));
	for (int i = 0; i < 64; i++)
		b64tab[(unsigned char)abc[i]] = (signed char)i;
}

int crypto_base64_decode(const char *in, size_t len, unsigned char *out,
			 size_t *len_r)
{
	unsigned int acc = 0;
	int nbits = 0, pad = 0;
	size_t o = 0, nchars = 0;
	pthread_once(&b64_once, b64_init);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;	/* FWS may appear anywhere */
		if (c == '=') {
			pad++;
			nchars++;
			if (pad > 2)
				return -1;
			continue;
		}
		if (pad)
			return -1;	/* data after padding */
		signed char v = b64tab[c];
		if (v < 0)
			return -1;
		nchars++;
		acc = (acc << 6) | (unsigned int)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			out[o++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	/* a complete encoding is a multiple of 4 characters */
	if (nchars % 4 != 0)
		return -1;
	if ((pad == 1 && nbits != 2) || (pad == 2 && nbits != 4))
		return -1;
	*len_r = o;
	return 0;
}

size_t crypto_base64_encode(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned int v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		unsigned int v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
	return o;
}

/* OpenSSL 3 builds its algorithm, decoder and provider caches on first
 * use: about 2 MB of heap.  Done once in the LMTP master before it forks,
 * those pages are shared copy-on-write by every session process instead of
 * being built again in each (bench/lmtp_bench at 100 sessions).  A
 * verification that fails is enough to walk every path delivery uses. */
void crypto_preload(void)
{
	static const char rsa_spki[] =
		"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmPjAbjOZ05G9exXBLc3il4RKV0Eg9npT"
		"+ncpGLN9bY9dyrr0ENaUKB55B8lytqacgDCo/K7l2un/32kiHlzah1QAnqiNWGxx3czgqP/Y//f"
		"a+1UqalJ4MRQDpWAN8xQTdEwRXxTKFt5QNfIy/sCGc1Uy5DBsXsnMLqzw97VUyDX2KiDrehmDdP"
		"cbLWG/c0CjpBN9xAfP4dognEvv1UvFSZ/nsPCx9OFS20MYOJaqorqSqzgUfsRsUWZo5OVH+yot/"
		"w5UKWqEqVWDfok9KtUDd4e9OQyGJKt0mCWLnjkucXPI/kU4vFmJbbY4eN8vm3wLINLpLBGQsw4C/"
		"Ny73DujqQIDAQAB";
	/* RFC 8463 appendix A.2 */
	static const char ed_raw[] = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
	unsigned char der[512], sig[256] = { 0 }, digest[CRYPTO_MAX_MD];
	size_t len = 0;
	const char *err = NULL;
	for (int md = CRYPTO_SHA1; md <= CRYPTO_SHA256; md++) {
		struct crypto_hash *h = crypto_hash_new((enum crypto_md)md);
		if (h) {
			crypto_hash_update(h, "x", 1);
			crypto_hash_final(h, digest);
			crypto_hash_free(h);
		}
	}
	if (crypto_base64_decode(rsa_spki, sizeof(rsa_spki) - 1, der, &len) == 0) {
		struct crypto_key *k = crypto_key_new(CRYPTO_KEY_RSA, der, len, &err);
		if (k) {
			(void)crypto_verify_digest(k, CRYPTO_SHA256, digest, 32, sig, 256);
			crypto_key_free(k);
		}
	}
	if (crypto_base64_decode(ed_raw, sizeof(ed_raw) - 1, der, &len) == 0) {
		struct crypto_key *k = crypto_key_new(CRYPTO_KEY_ED25519, der, len, &err);
		if (k) {
			(void)crypto_verify_digest(k, CRYPTO_SHA256, digest, 32, sig, 64);
			crypto_key_free(k);
		}
	}
}

const struct crypto_sigalg *crypto_sigalg_find(const char *name, size_t len)
{
	static const struct crypto_sigalg algs[] = {
		{ "rsa-sha256", CRYPTO_KEY_RSA, CRYPTO_SHA256 },
		{ "ed25519-sha256", CRYPTO_KEY_ED25519, CRYPTO_SHA256 },	/* RFC 8463 */
		{ "rsa-sha1", CRYPTO_KEY_RSA, CRYPTO_SHA1 },
	};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i].name) == len && !memcmp(algs[i].name, name, len))
			return &algs[i];
	return NULL;
}
