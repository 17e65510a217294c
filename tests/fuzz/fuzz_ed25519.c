/* fuzz_ed25519.c - our Ed25519 check (ed25519.h) against OpenSSL's on the
 * same input; any disagreement aborts.
 *
 * Input: a mode byte, then
 *   mode even: key (32) | signature (64) | message: checked as given
 *     (mostly refusals: non-points, S >= L, wrong R);
 *   mode odd: seed (32) | xor mask (64) | message: OpenSSL signs the
 *     message with the seed's key, the mask is applied to the signature
 *     (an all-zero mask leaves a valid one), then both check it. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ed25519.h"

static int ossl_verify(const unsigned char pk[32], const unsigned char sig[64],
		       const unsigned char *msg, size_t len)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	if (!k)
		return 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestVerify(c, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 + 32 + 64)
		return 0;
	unsigned char pk[32], sig[64];
	const unsigned char *msg = data + 97;
	size_t len = size - 97;
	if (data[0] & 1) {
		EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, data + 1, 32);
		size_t n = 32, sl = 64;
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		if (!k || !c || !EVP_PKEY_get_raw_public_key(k, pk, &n) ||
		    EVP_DigestSignInit(c, NULL, NULL, NULL, k) != 1 ||
		    EVP_DigestSign(c, sig, &sl, msg, len) != 1)
			abort();
		EVP_MD_CTX_free(c);
		EVP_PKEY_free(k);
		for (int i = 0; i < 64; i++)
			sig[i] ^= data[33 + i];
	} else {
		memcpy(pk, data + 1, 32);
		memcpy(sig, data + 33, 64);
	}
	struct ed25519_pub p;
	int init = ed25519_pub_init(&p, pk);
	int ours = ed25519_verify(&p, sig, msg, len);
	if (ours != ossl_verify(pk, sig, msg, len))
		abort();
	if (init < 0 && ours)
		abort();
	return 0;
}
