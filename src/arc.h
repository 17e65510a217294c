/* arc.h - ARC chain validation (RFC 8617).
 *
 * Takes the message and DNS; returns the chain validation status, the
 * oldest instance whose AMS still validates, and each instance's sealer and
 * ARC-Authentication-Results for DMARC's trusted-sealer override.
 */
#ifndef AUTHDELIVER_ARC_H
#define AUTHDELIVER_ARC_H

#include <stddef.h>
#include <time.h>
#include "auth.h"

struct conf;
struct dns;
struct msg;

struct arc_set {
	int i;
	char sealer[256];	/* d= of this instance's ARC-Seal */
	char *aar;		/* ARC-Authentication-Results value after "i=N;",
				 * unfolded, one SP per WSP run, malloc'd */
	int ams_pass;		/* this instance's AMS validated; only checked
				 * on a passing chain, N downward until one
				 * fails (0 also means "not checked") */
};

struct arc_result {
	enum auth_code code;	/* AUTH_PASS, AUTH_FAIL or AUTH_NONE */
	char reason[128];	/* "ARC i=2 seal fails", ... */
	int instances;		/* N, 0 when no ARC headers */
	int oldest_pass;	/* lowest i whose AMS validates, 0 none */
	size_t nsets;
	struct arc_set *sets;	/* sets[k].i == k + 1 when structurally valid */
};

void arc_prefetch(struct dns *d, const struct msg *m, const struct conf *c);
int arc_verify(const struct conf *c, struct dns *d, const struct msg *m,
	       time_t now, struct arc_result *res_r);
void arc_result_clear(struct arc_result *);
/* "arc=pass (i=2) header.oldest-pass=1 smtp.remote-ip=192.0.2.1";
 * remote_ip may be NULL. */
int arc_ar(const struct arc_result *r, const char *remote_ip, char *buf,
	   size_t size);

#endif
