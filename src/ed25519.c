/* ed25519.c - Ed25519 verification in 51-bit limbs (see ed25519.h).
 *
 * Field elements mod p = 2^255 - 19 are five 51-bit limbs with lazy
 * reduction; points are in extended coordinates (Hisil-Wong-Carter-Dawson
 * 2008, the formulas of the reference implementation that RFC 8032 section
 * 5.1.4 points to).  Limb bounds, which every function below keeps:
 *   - "reduced": every limb < 2^51 + 2^15 (the output of mul, sq, sub);
 *   - add returns the plain sum; its operands are reduced or one earlier
 *     sum, so no value anywhere exceeds three reduced values (< 2^53);
 *   - mul and sq accept limbs < 2^54: 5 products of 19 * 2^54 * 2^54
 *     stay below 2^128;
 *   - sub adds 4p before subtracting, which covers a subtrahend of up to
 *     three reduced values, and then carries.
 */
#include "ed25519.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

typedef uint64_t fe[5];
typedef unsigned __int128 u128;

#define MASK51 ((uint64_t)0x7ffffffffffff)

static uint64_t load64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The low 255 bits of s, not reduced mod p (RFC 8032 section 5.1.3 step
 * 1 masks the sign bit; OpenSSL accepts y >= p, and so do we). */
static void fe_frombytes(fe h, const unsigned char s[32])
{
	uint64_t w0 = load64(s), w1 = load64(s + 8), w2 = load64(s + 16),
		 w3 = load64(s + 24) & 0x7fffffffffffffff;
	h[0] = w0 & MASK51;
	h[1] = (w0 >> 51 | w1 << 13) & MASK51;
	h[2] = (w1 >> 38 | w2 << 26) & MASK51;
	h[3] = (w2 >> 25 | w3 << 39) & MASK51;
	h[4] = w3 >> 12;
}

static inline __attribute__((always_inline)) void fe_carry(fe h)
{
	uint64_t c;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
	c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
	c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
	c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
	c = h[4] >> 51; h[4] &= MASK51; h[0] += 19 * c;
}

/* The canonical 32 bytes (value mod p, sign bit 0). */
static void fe_tobytes(unsigned char s[32], const fe f)
{
	fe h;
	memcpy(h, f, sizeof(h));
	fe_carry(h);
	fe_carry(h);
	/* now h < 2^255 + 2^9 < 2p: subtract p once if h + 19 >= 2^255 */
	uint64_t q = (h[0] + 19) >> 51;
	q = (h[1] + q) >> 51;
	q = (h[2] + q) >> 51;
	q = (h[3] + q) >> 51;
	q = (h[4] + q) >> 51;
	h[0] += 19 * q;
	uint64_t c;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
	c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
	c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
	c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
	h[4] &= MASK51;	/* drop the 2^255 that q stood for */
	uint64_t w[4] = {
		h[0] | h[1] << 51,
		h[1] >> 13 | h[2] << 38,
		h[2] >> 26 | h[3] << 25,
		h[3] >> 39 | h[4] << 12,
	};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			s[8 * i + j] = (unsigned char)(w[i] >> (8 * j));
}

static inline void fe_add(fe h, const fe f, const fe g)
{
	for (int i = 0; i < 5; i++)
		h[i] = f[i] + g[i];
}

static inline void fe_sub(fe h, const fe f, const fe g)
{
	/* 4p in limbs: 4 * (2^51 - 19), then 4 * (2^51 - 1) */
	h[0] = f[0] + 0x1fffffffffffb4 - g[0];
	h[1] = f[1] + 0x1ffffffffffffc - g[1];
	h[2] = f[2] + 0x1ffffffffffffc - g[2];
	h[3] = f[3] + 0x1ffffffffffffc - g[3];
	h[4] = f[4] + 0x1ffffffffffffc - g[4];
	fe_carry(h);
}

static void fe_neg(fe h, const fe f)
{
	static const fe zero;
	fe_sub(h, zero, f);
}

static inline __attribute__((always_inline)) void fe_reduce128(fe h, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4)
{
	uint64_t c;
	t1 += (uint64_t)(t0 >> 51); h[0] = (uint64_t)t0 & MASK51;
	t2 += (uint64_t)(t1 >> 51); h[1] = (uint64_t)t1 & MASK51;
	t3 += (uint64_t)(t2 >> 51); h[2] = (uint64_t)t2 & MASK51;
	t4 += (uint64_t)(t3 >> 51); h[3] = (uint64_t)t3 & MASK51;
	c = (uint64_t)(t4 >> 51); h[4] = (uint64_t)t4 & MASK51;
	h[0] += 19 * c;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_mul(fe h, const fe f, const fe g)
{
	uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
	/* 2^255 = 19 mod p: a limb product past limb 4 wraps times 19 */
	uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
	u128 t0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 +
		  (u128)f3 * g2_19 + (u128)f4 * g1_19;
	u128 t1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 +
		  (u128)f3 * g3_19 + (u128)f4 * g2_19;
	u128 t2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 +
		  (u128)f3 * g4_19 + (u128)f4 * g3_19;
	u128 t3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 +
		  (u128)f3 * g0 + (u128)f4 * g4_19;
	u128 t4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 +
		  (u128)f3 * g1 + (u128)f4 * g0;
	fe_reduce128(h, t0, t1, t2, t3, t4);
}

static void fe_sq(fe h, const fe f)
{
	uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
	uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
	u128 t0 = (u128)f0 * f0 + (u128)f1_2 * f4_19 + (u128)(2 * f2) * f3_19;
	u128 t1 = (u128)f0_2 * f1 + (u128)(2 * f2) * f4_19 + (u128)f3 * f3_19;
	u128 t2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)(2 * f3) * f4_19;
	u128 t3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4 * f4_19;
	u128 t4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
	fe_reduce128(h, t0, t1, t2, t3, t4);
}

static void fe_sqn(fe h, const fe f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/* z^(2^250 - 1) into out, z^11 into z11 (the shared head of the inverse
 * and of the square root's exponent). */
static void fe_pow250(fe out, fe z11, const fe z)
{
	fe t0, t1, t2;
	fe_sq(t0, z);			/* 2 */
	fe_sqn(t1, t0, 2);		/* 8 */
	fe_mul(t1, z, t1);		/* 9 */
	fe_mul(z11, t0, t1);		/* 11 */
	fe_sq(t0, z11);			/* 22 */
	fe_mul(t0, t1, t0);		/* 2^5 - 1 */
	fe_sqn(t1, t0, 5);
	fe_mul(t0, t1, t0);		/* 2^10 - 1 */
	fe_sqn(t1, t0, 10);
	fe_mul(t1, t1, t0);		/* 2^20 - 1 */
	fe_sqn(t2, t1, 20);
	fe_mul(t1, t2, t1);		/* 2^40 - 1 */
	fe_sqn(t1, t1, 10);
	fe_mul(t0, t1, t0);		/* 2^50 - 1 */
	fe_sqn(t1, t0, 50);
	fe_mul(t1, t1, t0);		/* 2^100 - 1 */
	fe_sqn(t2, t1, 100);
	fe_mul(t1, t2, t1);		/* 2^200 - 1 */
	fe_sqn(t1, t1, 50);
	fe_mul(out, t1, t0);		/* 2^250 - 1 */
}

/* z^(p - 2) = z^(2^255 - 21) */
static void fe_invert(fe out, const fe z)
{
	fe t, z11;
	fe_pow250(t, z11, z);
	fe_sqn(t, t, 5);
	fe_mul(out, t, z11);
}

/* z^((p - 5) / 8) = z^(2^252 - 3) */
static void fe_pow22523(fe out, const fe z)
{
	fe t, z11;
	fe_pow250(t, z11, z);
	fe_sqn(t, t, 2);
	fe_mul(out, t, z);
}

static int fe_isnonzero(const fe f)
{
	unsigned char s[32];
	unsigned char r = 0;
	fe_tobytes(s, f);
	for (int i = 0; i < 32; i++)
		r |= s[i];
	return r != 0;
}

static int fe_isnegative(const fe f)
{
	unsigned char s[32];
	fe_tobytes(s, f);
	return s[0] & 1;
}

/* Points. */
struct ge_p2 { fe X, Y, Z; };			/* x = X/Z, y = Y/Z */
struct ge_p3 { fe X, Y, Z, T; };		/* and XY = ZT */
struct ge_p1p1 { fe X, Y, Z, T; };		/* x = X/Z, y = Y/T */
struct ge_cached { fe YplusX, YminusX, Z, T2d; };
struct ge_precomp { fe yplusx, yminusx, xy2d; };	/* affine */

/* Constants, computed once: d = -121665/121666, 2d, sqrt(-1), and the
 * odd multiples B, 3B, ..., (2 * NBASE - 1)B of the base point. */
#define NBASE 32
static fe ed_d, ed_d2, ed_sqrtm1;
static struct ge_precomp base_mult[NBASE];
static pthread_once_t consts_once = PTHREAD_ONCE_INIT;

static void fe_small(fe h, uint64_t v)
{
	memset(h, 0, sizeof(fe));
	h[0] = v;
}

static void p1p1_to_p2(struct ge_p2 *r, const struct ge_p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
}

static void p1p1_to_p3(struct ge_p3 *r, const struct ge_p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
	fe_mul(r->T, p->X, p->Y);
}

static void p3_to_cached(struct ge_cached *r, const struct ge_p3 *p)
{
	fe_add(r->YplusX, p->Y, p->X);
	fe_sub(r->YminusX, p->Y, p->X);
	memcpy(r->Z, p->Z, sizeof(fe));
	fe_mul(r->T2d, p->T, ed_d2);
}

/* r = 2p (dbl-2008-hwcd) */
static void p2_dbl(struct ge_p1p1 *r, const struct ge_p2 *p)
{
	fe t0;
	fe_sq(r->X, p->X);		/* A = X^2 */
	fe_sq(r->Z, p->Y);		/* B = Y^2 */
	fe_sq(r->T, p->Z);
	fe_add(r->T, r->T, r->T);	/* C = 2Z^2 */
	fe_add(r->Y, p->X, p->Y);
	fe_sq(t0, r->Y);		/* (X+Y)^2 */
	fe_add(r->Y, r->Z, r->X);	/* B + A */
	fe_sub(r->Z, r->Z, r->X);	/* B - A */
	fe_sub(r->X, t0, r->Y);		/* (X+Y)^2 - A - B */
	fe_sub(r->T, r->T, r->Z);	/* C - (B - A) */
}

/* r = p + q, or p - q with sub.  q is (Y+X, Y-X, Z, 2dT), or affine
 * (y+x, y-x, 1, 2dxy) when z is NULL: the base point's table, where Z = 1
 * saves a multiplication (the reference code's ge_add and ge_madd). */
static void ge_add(struct ge_p1p1 *r, const struct ge_p3 *p, const fe ypx, const fe ymx,
		   const uint64_t *z, const fe t2d, int sub)
{
	fe t0;
	fe_add(r->X, p->Y, p->X);
	fe_sub(r->Y, p->Y, p->X);
	fe_mul(r->Z, r->X, sub ? ymx : ypx);
	fe_mul(r->Y, r->Y, sub ? ypx : ymx);
	fe_mul(r->T, t2d, p->T);
	if (z) {
		fe_mul(r->X, p->Z, z);
		fe_add(t0, r->X, r->X);
	} else
		fe_add(t0, p->Z, p->Z);
	fe_sub(r->X, r->Z, r->Y);
	fe_add(r->Y, r->Z, r->Y);
	if (sub) {
		fe_sub(r->Z, t0, r->T);
		fe_add(r->T, t0, r->T);
	} else {
		fe_add(r->Z, t0, r->T);
		fe_sub(r->T, t0, r->T);
	}
}

static void ge_add_cached(struct ge_p1p1 *r, const struct ge_p3 *p, const struct ge_cached *q)
{
	ge_add(r, p, q->YplusX, q->YminusX, q->Z, q->T2d, 0);
}

/* RFC 8032 section 5.1.3 steps 2-4 on the bytes s, as the reference code
 * (and OpenSSL) do it: x from the square root of u/v, no check that y < p
 * or that x = 0 comes with sign bit 0. */
static int ge_frombytes(struct ge_p3 *h, const unsigned char s[32])
{
	fe u, v, v3, vxx, check;
	fe_frombytes(h->Y, s);
	fe_small(h->Z, 1);
	fe_sq(u, h->Y);
	fe_mul(v, u, ed_d);
	fe_sub(u, u, h->Z);		/* u = y^2 - 1 */
	fe_add(v, v, h->Z);		/* v = dy^2 + 1 */
	fe_sq(v3, v);
	fe_mul(v3, v3, v);		/* v^3 */
	fe_sq(h->X, v3);
	fe_mul(h->X, h->X, v);
	fe_mul(h->X, h->X, u);		/* uv^7 */
	fe_pow22523(h->X, h->X);
	fe_mul(h->X, h->X, v3);
	fe_mul(h->X, h->X, u);		/* x = uv^3 (uv^7)^((p-5)/8) */
	fe_sq(vxx, h->X);
	fe_mul(vxx, vxx, v);
	fe_sub(check, vxx, u);
	if (fe_isnonzero(check)) {
		fe_add(check, vxx, u);
		if (fe_isnonzero(check))
			return -1;	/* u/v has no square root: not a point */
		fe_mul(h->X, h->X, ed_sqrtm1);
	}
	if (fe_isnegative(h->X) != (s[31] >> 7))
		fe_neg(h->X, h->X);
	fe_mul(h->T, h->X, h->Y);
	return 0;
}

static void p2_tobytes(unsigned char s[32], const struct ge_p2 *h)
{
	fe recip, x, y;
	fe_invert(recip, h->Z);
	fe_mul(x, h->X, recip);
	fe_mul(y, h->Y, recip);
	fe_tobytes(s, y);
	s[31] ^= (unsigned char)(fe_isnegative(x) << 7);
}

static void consts_init(void)
{
	fe t, z11;
	/* d = -121665 / 121666 (RFC 8032 section 5.1) */
	fe_small(t, 121666);
	fe_invert(t, t);
	fe_small(ed_d, 121665);
	fe_neg(ed_d, ed_d);
	fe_mul(ed_d, ed_d, t);
	fe_add(ed_d2, ed_d, ed_d);
	fe_carry(ed_d2);
	/* sqrt(-1) = 2^((p - 1) / 4) = 2^(2^253 - 5) */
	fe two, eight;
	fe_small(two, 2);
	fe_pow250(t, z11, two);
	fe_sqn(t, t, 3);
	fe_small(eight, 8);
	fe_mul(ed_sqrtm1, t, eight);
	/* B: y = 4/5, x even (RFC 8032 section 5.1) */
	static const unsigned char benc[32] = {
		0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	};
	struct ge_p3 b, b2;
	struct ge_cached b2c;
	struct ge_p1p1 r;
	ge_frombytes(&b, benc);
	struct ge_p2 bp2 = { 0 };
	memcpy(bp2.X, b.X, sizeof(fe));
	memcpy(bp2.Y, b.Y, sizeof(fe));
	memcpy(bp2.Z, b.Z, sizeof(fe));
	p2_dbl(&r, &bp2);
	p1p1_to_p3(&b2, &r);
	p3_to_cached(&b2c, &b2);
	struct ge_p3 pts[NBASE];
	fe zprod[NBASE];	/* Z_0 * ... * Z_i */
	pts[0] = b;
	for (int i = 1; i < NBASE; i++) {
		ge_add_cached(&r, &pts[i - 1], &b2c);
		p1p1_to_p3(&pts[i], &r);
	}
	memcpy(zprod[0], pts[0].Z, sizeof(fe));
	for (int i = 1; i < NBASE; i++)
		fe_mul(zprod[i], zprod[i - 1], pts[i].Z);
	/* affine x = X/Z, y = Y/Z, with one inversion for all (Montgomery's
	 * trick), so that a process that checks one signature (pipe mode)
	 * does not pay 32 inversions for the table */
	fe inv;
	fe_invert(inv, zprod[NBASE - 1]);
	for (int i = NBASE - 1; i >= 0; i--) {
		fe recip, x, y;
		if (i > 0) {
			fe_mul(recip, inv, zprod[i - 1]);	/* 1 / Z_i */
			fe_mul(inv, inv, pts[i].Z);		/* 1 / (Z_0 ... Z_{i-1}) */
		} else
			memcpy(recip, inv, sizeof(fe));
		fe_mul(x, pts[i].X, recip);
		fe_mul(y, pts[i].Y, recip);
		fe_add(base_mult[i].yplusx, y, x);
		fe_carry(base_mult[i].yplusx);
		fe_sub(base_mult[i].yminusx, y, x);
		fe_mul(base_mult[i].xy2d, x, y);
		fe_mul(base_mult[i].xy2d, base_mult[i].xy2d, ed_d2);
	}
}

int ed25519_pub_init(struct ed25519_pub *pk, const unsigned char raw[32])
{
	pthread_once(&consts_once, consts_init);
	memset(pk, 0, sizeof(*pk));
	memcpy(pk->raw, raw, 32);
	struct ge_p3 a, a2, cur;
	if (ge_frombytes(&a, raw) < 0)
		return -1;
	/* the check adds [k](-A) */
	fe_neg(a.X, a.X);
	fe_neg(a.T, a.T);
	struct ge_p1p1 r;
	struct ge_cached c, a2c;
	struct ge_p2 ap2;
	memcpy(ap2.X, a.X, sizeof(fe));
	memcpy(ap2.Y, a.Y, sizeof(fe));
	memcpy(ap2.Z, a.Z, sizeof(fe));
	p2_dbl(&r, &ap2);
	p1p1_to_p3(&a2, &r);
	p3_to_cached(&a2c, &a2);
	cur = a;
	for (int i = 0; i < 8; i++) {
		p3_to_cached(&c, &cur);
		fe_carry(c.YplusX);
		memcpy(pk->mult[i][0], c.YplusX, sizeof(fe));
		memcpy(pk->mult[i][1], c.YminusX, sizeof(fe));
		memcpy(pk->mult[i][2], c.Z, sizeof(fe));
		memcpy(pk->mult[i][3], c.T2d, sizeof(fe));
		ge_add_cached(&r, &cur, &a2c);
		p1p1_to_p3(&cur, &r);
	}
	pk->ok = 1;
	return 0;
}

/* Signed digits of a, each 0 or odd with |digit| <= max, such that
 * a = sum r[i] 2^i (the reference code's sliding window). */
static void slide(signed char r[256], const unsigned char a[32], int max)
{
	for (int i = 0; i < 256; i++)
		r[i] = 1 & (a[i >> 3] >> (i & 7));
	for (int i = 0; i < 256; i++) {
		if (!r[i])
			continue;
		for (int b = 1; b <= 7 && i + b < 256; b++) {
			if (!r[i + b])
				continue;
			int hi = r[i + b] * (1 << b);
			if (r[i] + hi <= max) {
				r[i] = (signed char)(r[i] + hi);
				r[i + b] = 0;
			} else if (r[i] - hi >= -max) {
				r[i] = (signed char)(r[i] - hi);
				for (int k = i + b; k < 256; k++) {
					if (!r[k]) {
						r[k] = 1;
						break;
					}
					r[k] = 0;
				}
			} else
				break;
		}
	}
}

/* k mod L for a 64-byte little-endian k (the reference code's sc_reduce:
 * 21-bit limbs, 2^252 = -c mod L folded in twice). */
static void sc_reduce(unsigned char out[32], const unsigned char k[64])
{
	int64_t s[24];
	for (int i = 0; i < 23; i++) {
		int bit = 21 * i;
		uint64_t w = 0;
		for (int j = 0; j < 4 && (bit >> 3) + j < 64; j++)
			w |= (uint64_t)k[(bit >> 3) + j] << (8 * j);
		s[i] = (int64_t)((w >> (bit & 7)) & 0x1fffff);
	}
	s[23] = (int64_t)(load64(k + 56) >> 35);	/* bits 483..511 */
	int64_t c;
#define FOLD(i) do { \
	s[(i) - 12] += s[i] * 666643; s[(i) - 11] += s[i] * 470296; \
	s[(i) - 10] += s[i] * 654183; s[(i) - 9] -= s[i] * 997805; \
	s[(i) - 8] += s[i] * 136657; s[(i) - 7] -= s[i] * 683901; s[i] = 0; \
} while (0)
#define CARRY_ROUND(i) do { \
	c = (s[i] + (1 << 20)) >> 21; s[(i) + 1] += c; s[i] -= c * (1 << 21); \
} while (0)
#define CARRY_FLOOR(i) do { \
	c = s[i] >> 21; s[(i) + 1] += c; s[i] -= c * (1 << 21); \
} while (0)
	for (int i = 23; i >= 18; i--)
		FOLD(i);
	for (int i = 6; i <= 16; i += 2)
		CARRY_ROUND(i);
	for (int i = 7; i <= 15; i += 2)
		CARRY_ROUND(i);
	for (int i = 17; i >= 12; i--)
		FOLD(i);
	for (int i = 0; i <= 10; i += 2)
		CARRY_ROUND(i);
	for (int i = 1; i <= 11; i += 2)
		CARRY_ROUND(i);
	FOLD(12);
	for (int i = 0; i <= 11; i++)
		CARRY_FLOOR(i);
	FOLD(12);
	for (int i = 0; i <= 10; i++)
		CARRY_FLOOR(i);
#undef FOLD
#undef CARRY_ROUND
#undef CARRY_FLOOR
	/* twelve 21-bit limbs into 32 bytes */
	memset(out, 0, 32);
	for (int i = 0; i < 12; i++) {
		uint64_t v = (uint64_t)s[i];
		int bit = 21 * i;
		for (int j = 0; j < 4 && (bit >> 3) + j < 32; j++)
			out[(bit >> 3) + j] |= (unsigned char)((v << (bit & 7)) >> (8 * j));
	}
}

/* S < L, checked as OpenSSL does (RFC 8032 section 5.1.7 step 1) */
static int scalar_ok(const unsigned char s[32])
{
	static const unsigned char l[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
		0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	};
	for (int i = 31; i >= 0; i--) {
		if (s[i] < l[i])
			return 1;
		if (s[i] > l[i])
			return 0;
	}
	return 0;	/* s == L */
}

static EVP_MD *sha512;
static pthread_once_t sha512_once = PTHREAD_ONCE_INIT;

static void sha512_fetch(void)
{
	sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
}

int ed25519_verify(const struct ed25519_pub *pk, const unsigned char sig[64],
		   const unsigned char *msg, size_t len)
{
	const unsigned char *r = sig, *s = sig + 32;
	if (!pk->ok || !scalar_ok(s))
		return 0;
	pthread_once(&sha512_once, sha512_fetch);
	unsigned char h[64], k[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int hashed = ctx && sha512 && EVP_DigestInit_ex(ctx, sha512, NULL) &&
		     EVP_DigestUpdate(ctx, r, 32) &&
		     EVP_DigestUpdate(ctx, pk->raw, 32) &&
		     (!len || EVP_DigestUpdate(ctx, msg, len)) &&
		     EVP_DigestFinal_ex(ctx, h, NULL);
	EVP_MD_CTX_free(ctx);
	if (!hashed)
		return 0;
	sc_reduce(k, h);	/* k = SHA-512(R || A || M) mod L */

	/* [k](-A) + [S]B, most significant digit first */
	signed char kd[256], sd[256];
	slide(kd, k, 15);
	slide(sd, s, 2 * NBASE - 1);
	int i = 255;
	while (i >= 0 && !kd[i] && !sd[i])
		i--;
	struct ge_p2 acc;
	memset(&acc, 0, sizeof(acc));
	acc.Y[0] = acc.Z[0] = 1;	/* the neutral point */
	struct ge_p1p1 t;
	struct ge_p3 u;
	for (; i >= 0; i--) {
		p2_dbl(&t, &acc);
		if (kd[i]) {
			const uint64_t (*m)[5] = pk->mult[(kd[i] > 0 ? kd[i] : -kd[i]) / 2];
			p1p1_to_p3(&u, &t);
			ge_add(&t, &u, m[0], m[1], m[2], m[3], kd[i] < 0);
		}
		if (sd[i]) {
			const struct ge_precomp *b = &base_mult[(sd[i] > 0 ? sd[i] : -sd[i]) / 2];
			p1p1_to_p3(&u, &t);
			ge_add(&t, &u, b->yplusx, b->yminusx, NULL, b->xy2d, sd[i] < 0);
		}
		p1p1_to_p2(&acc, &t);
	}
	unsigned char check[32];
	p2_tobytes(check, &acc);
	/* RFC 8032 section 5.1.7 step 3 without the cofactor, as OpenSSL */
	return memcmp(check, r, 32) == 0;
}
