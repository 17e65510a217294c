/* test_ed25519.c - our Ed25519 check against RFC 8032's vectors and
 * against OpenSSL's verdict on random, mutated and edge-case inputs.
 * Any input on which the two disagree is a bug in ours. */
#include "t.h"
#include "../../src/ed25519.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>

static void unhex(const char *h, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

static int ossl_verify(const unsigned char pk[32], const unsigned char sig[64],
		       const unsigned char *msg, size_t len)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	if (!k)
		return 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestVerify(c, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok;
}

static int ours(const unsigned char pk[32], const unsigned char sig[64],
		const unsigned char *msg, size_t len)
{
	struct ed25519_pub p;
	ed25519_pub_init(&p, pk);
	return ed25519_verify(&p, sig, msg, len);
}

/* A fresh key pair by OpenSSL: the seed, the public key. */
static void keygen(unsigned char seed[32], unsigned char pk[32])
{
	RAND_bytes(seed, 32);
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	size_t n = 32;
	EVP_PKEY_get_raw_public_key(k, pk, &n);
	EVP_PKEY_free(k);
}

static void sign(const unsigned char seed[32], const unsigned char *msg, size_t len,
		 unsigned char sig[64])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t n = 64;
	EVP_DigestSignInit(c, NULL, NULL, NULL, k);
	EVP_DigestSign(c, sig, &n, msg, len);
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
}

/* The secret scalar a of a seed (RFC 8032 section 5.1.5: the clamped
 * first half of SHA-512(seed)); the seed's public key is [a]B. */
static void scalar_of_seed(const unsigned char seed[32], unsigned char a[32])
{
	unsigned char h[64];
	EVP_Digest(seed, 32, h, NULL, EVP_sha512(), NULL);
	h[0] &= 248;
	h[31] &= 63;
	h[31] |= 64;
	memcpy(a, h, 32);
}

/* a mod L, little-endian */
static void mod_l(const unsigned char a[32], unsigned char out[32])
{
	unsigned char be[32], lbe[32];
	for (int i = 0; i < 32; i++)
		be[i] = a[31 - i];
	unhex("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed", lbe, 32);
	BIGNUM *x = BN_bin2bn(be, 32, NULL), *l = BN_bin2bn(lbe, 32, NULL);
	BN_CTX *ctx = BN_CTX_new();
	BN_mod(x, x, l, ctx);
	BN_bn2lebinpad(x, out, 32);
	BN_free(x);
	BN_free(l);
	BN_CTX_free(ctx);
}

int main(void)
{
	/* RFC 8032 section 7.1, tests 1, 2 and 3 */
	static const struct { const char *pk, *msg, *sig; } rfc[] = {
		{ "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
		{ "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
		  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
		  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
		{ "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
		  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
		  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	};
	for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		unsigned char pk[32], sig[64], msg[8];
		size_t len = strlen(rfc[i].msg) / 2;
		unhex(rfc[i].pk, pk, 32);
		unhex(rfc[i].sig, sig, 64);
		unhex(rfc[i].msg, msg, len);
		T_OK((ours(pk, sig, msg, len)) == (1), "RFC 8032 test %zu verifies", i + 1);
		T_OK((ossl_verify(pk, sig, msg, len)) == (1), "RFC 8032 test %zu verifies (OpenSSL)", i + 1);
		sig[63] ^= 0x01;
		T_OK((ours(pk, sig, msg, len)) == (0), "RFC 8032 test %zu, S changed, fails", i + 1);
		sig[63] ^= 0x01;
		sig[0] ^= 0x80;
		T_OK((ours(pk, sig, msg, len)) == (0), "RFC 8032 test %zu, R changed, fails", i + 1);
	}

	/* random keys and messages: valid ones verify; one bit flipped
	 * anywhere (R, S, key, message) gives OpenSSL's answer */
	int n_valid = 0, n_agree = 0, n_mut = 0;
	enum { N = 3000 };
	for (int i = 0; i < N; i++) {
		unsigned char seed[32], pk[32], sig[64], msg[200];
		size_t len = (size_t)(i % 7 == 0 ? 0 : (i * 37) % sizeof(msg));
		keygen(seed, pk);
		RAND_bytes(msg, sizeof(msg));
		sign(seed, msg, len, sig);
		n_valid += ours(pk, sig, msg, len) == 1;
		unsigned char r;
		RAND_bytes(&r, 1);
		int what = i % 4, bit = r;
		if (what == 0)
			sig[(bit >> 3) % 32] ^= (unsigned char)(1 << (bit & 7));
		else if (what == 1)
			sig[32 + (bit >> 3) % 32] ^= (unsigned char)(1 << (bit & 7));
		else if (what == 2)
			pk[(bit >> 3) % 32] ^= (unsigned char)(1 << (bit & 7));
		else if (len)
			msg[(size_t)bit % len] ^= (unsigned char)(1 << (bit & 7));
		else
			sig[0] ^= 1;
		n_mut++;
		n_agree += ours(pk, sig, msg, len) == ossl_verify(pk, sig, msg, len);
	}
	T_OK((n_valid) == (N), "%d random signatures by OpenSSL verify", N);
	T_OK((n_agree) == (n_mut), "%d one-bit changes: same verdict as OpenSSL", n_mut);

	/* S near L: S = L, L + 1, 2^252 (< L), L - 1, and 0xff..: OpenSSL's
	 * range check, byte for byte */
	{
		unsigned char seed[32], pk[32], sig[64], msg[32];
		keygen(seed, pk);
		RAND_bytes(msg, sizeof(msg));
		sign(seed, msg, sizeof(msg), sig);
		static const char *ss[] = {
			"edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
			"eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
			"ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
			"0000000000000000000000000000000000000000000000000000000000000010",
			"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0f",
			"ffffffffffffffffffffffffffffffff00000000000000000000000000000010",
			"0000000000000000000000000000000000000000000000000000000000000000",
		};
		int agree = 0;
		for (size_t i = 0; i < sizeof(ss) / sizeof(ss[0]); i++) {
			unhex(ss[i], sig + 32, 32);
			agree += ours(pk, sig, msg, sizeof(msg)) == ossl_verify(pk, sig, msg, sizeof(msg));
		}
		T_OK((agree) == ((int)(sizeof(ss) / sizeof(ss[0]))), "S at and around L: same verdict as OpenSSL");
		/* S + L for a valid signature: the same point, refused */
		sign(seed, msg, sizeof(msg), sig);
		BIGNUM *s = BN_lebin2bn(sig + 32, 32, NULL), *l = NULL;
		BN_hex2bn(&l, "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");
		BN_add(s, s, l);
		if (BN_num_bytes(s) <= 32) {
			BN_bn2lebinpad(s, sig + 32, 32);
			T_OK((ours(pk, sig, msg, sizeof(msg))) == (0), "S + L (not reduced) fails");
			T_OK((ossl_verify(pk, sig, msg, sizeof(msg))) == (0), "S + L fails (OpenSSL)");
		}
		BN_free(s);
		BN_free(l);
	}

	/* Keys of small order and keys written with y >= p or with x = 0 and
	 * the sign bit set.  With A of order 1 or 2 a "signature" (R = [s]B, s)
	 * may verify; OpenSSL decides these, so must we, the same way. */
	{
		static const char *keys[] = {
			/* y = 1 (the neutral point), and with the sign bit */
			"0100000000000000000000000000000000000000000000000000000000000000",
			"0100000000000000000000000000000000000000000000000000000000000080",
			/* y = -1 (order 2), and with the sign bit */
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			/* y = p + 1 (1, not reduced), y = 2^255 - 1 (18, not reduced) */
			"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
			"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
			/* y = 0 (order 4), x = +-sqrt(-1) */
			"0000000000000000000000000000000000000000000000000000000000000000",
			"0000000000000000000000000000000000000000000000000000000000000080",
			/* order 8 points (the usual list of small-order encodings) */
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
			"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
			"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
			/* y = p (= 0 unreduced) */
			"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		};
		int agree = 0, total = 0, accepted = 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			unsigned char pk[32];
			unhex(keys[i], pk, 32);
			for (int j = 0; j < 24; j++) {
				unsigned char seed[32], rpk[32], a[32], sig[64], msg[16];
				keygen(seed, rpk);
				scalar_of_seed(seed, a);
				memcpy(sig, rpk, 32);		/* R = [a]B */
				mod_l(a, sig + 32);		/* S = a mod L */
				RAND_bytes(msg, sizeof(msg));
				int o = ossl_verify(pk, sig, msg, sizeof(msg));
				accepted += o;
				agree += ours(pk, sig, msg, sizeof(msg)) == o;
				total++;
			}
		}
		T_OK((agree) == (total), "small-order and odd key encodings: same verdict as OpenSSL");
		T_OK(accepted > 0, "OpenSSL accepted %d of those (the cases are not all refusals)", accepted);
	}

	/* random bytes as keys and signatures */
	{
		int agree = 0;
		for (int i = 0; i < 2000; i++) {
			unsigned char pk[32], sig[64], msg[32];
			RAND_bytes(pk, 32);
			RAND_bytes(sig, 64);
			sig[63] &= 0x0f;	/* mostly S < L, so the point math runs */
			RAND_bytes(msg, 32);
			agree += ours(pk, sig, msg, 32) == ossl_verify(pk, sig, msg, 32);
		}
		T_OK((agree) == (2000), "random keys and signatures: same verdict as OpenSSL");
	}

	/* a key that is not a point: init says so, checks fail */
	{
		unsigned char pk[32];
		struct ed25519_pub p;
		int bad = 0;
		for (int i = 0; i < 64 && !bad; i++) {
			RAND_bytes(pk, 32);
			bad = ed25519_pub_init(&p, pk) < 0;
		}
		T_OK(bad && !p.ok, "a key off the curve: ed25519_pub_init returns -1");
	}
	T_DONE();
}
