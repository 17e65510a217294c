/* ed25519.h - Ed25519 signature checks (RFC 8032 section 5.1.7), verify
 * only.
 *
 * Why not OpenSSL's: OpenSSL 3.0 checks an Ed25519 signature with the
 * reference code in 25.5-bit limbs and decodes the key on every call,
 * 105-135 us here; this module uses 51-bit limbs, decodes a key once (the
 * key cache keeps it with its table of multiples) and takes 42-45 us.  Only
 * public data is handled (keys, signatures, message digests), so variable
 * time is fine.  The verdicts are OpenSSL's, bit for bit: the same checks
 * in the same order (s < L, the key's decoding, the cofactorless equation
 * ENC([s]B - [k]A) == R); tests/unit/test_ed25519.c and
 * tests/fuzz/fuzz_ed25519.c compare the two on random, mutated and edge
 * inputs.  crypto.c runs known answers once per process and falls back to
 * OpenSSL if they do not come out (a miscompiled build).
 */
#ifndef AUTHDELIVER_ED25519_H
#define AUTHDELIVER_ED25519_H

#include <stddef.h>
#include <stdint.h>

/* A decoded public key: its bytes (hashed with every message) and the odd
 * multiples -A, -3A, ..., -15A the check adds.  Plain data: copy it. */
struct ed25519_pub {
	unsigned char raw[32];
	int ok;			/* the bytes decode to a curve point */
	uint64_t mult[8][4][5];	/* cached form (Y+X, Y-X, Z, 2dT) */
};

/* Decode raw (RFC 8032 section 5.1.3, as OpenSSL: y need not be
 * reduced).  Returns 0, or -1 when raw is not a point (pk->ok = 0; every
 * check with it then fails, as OpenSSL's do). */
int ed25519_pub_init(struct ed25519_pub *pk, const unsigned char raw[32]);

/* 1 when sig (R || S) is a valid signature of msg by pk, else 0. */
int ed25519_verify(const struct ed25519_pub *pk, const unsigned char sig[64],
		   const unsigned char *msg, size_t len);

#endif
