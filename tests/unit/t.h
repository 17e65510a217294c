/* t.h - tiny table-test helpers: each check prints "ok - name" or
 * "not ok - name: got X, want Y"; tests/run counts them. */
#ifndef AUTHDELIVER_T_H
#define AUTHDELIVER_T_H

#include <stdio.h>
#include <string.h>

static int t_failed __attribute__((unused));	/* a test may only print lines */

#define T_OK(cond, ...) do { \
	if (cond) { printf("ok - "); printf(__VA_ARGS__); printf("\n"); } \
	else { t_failed++; printf("not ok - "); printf(__VA_ARGS__); \
	       printf(" (%s:%d)\n", __FILE__, __LINE__); } \
	fflush(stdout); \
} while (0)

#define T_STR(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && !strcmp(g_, w_)) printf("ok - %s\n", name); \
	else { t_failed++; printf("not ok - %s: got \"%s\", want \"%s\" (%s:%d)\n", \
		name, g_ ? g_ : "(null)", w_ ? w_ : "(null)", __FILE__, __LINE__); } \
	fflush(stdout); \
} while (0)

#define T_INT(got, want, name) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ == w_) printf("ok - %s\n", name); \
	else { t_failed++; printf("not ok - %s: got %lld, want %lld (%s:%d)\n", \
		name, g_, w_, __FILE__, __LINE__); } \
	fflush(stdout); \
} while (0)

#define T_DONE() return t_failed ? 1 : 0

#endif
