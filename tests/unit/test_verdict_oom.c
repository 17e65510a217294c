/* test_verdict_oom.c - out of memory inside DKIM verification is reported
 * as dkim=temperror (our failure, RFC 8601 section 2.7.1), never as
 * dkim=none.  calloc() is interposed by this program: armed, it fails the
 * allocation of DKIM's per-signature results. */
#include "conf.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"
#include "t.h"
#include "verdict.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define NO_INTERPOSE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_INTERPOSE 1
#endif
#endif

#ifndef NO_INTERPOSE
extern void *__libc_calloc(size_t, size_t);
static size_t fail_size;	/* fail calloc(1, fail_size) while set */
void *calloc(size_t n, size_t size)
{
	if (fail_size && n == 1 && size == fail_size) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}
#endif

int main(void)
{
#ifdef NO_INTERPOSE
	printf("ok - dkim out of memory is temperror # SKIP calloc cannot be interposed under ASan\n");
	return 0;
#else
	g_mime_init();
	const char *err;
	struct conf *c = conf_parse_string("hostname = mx.example.net\nauthserv_id = mx.example.net\n"
					   "dns_timeout = 2000\n", "test", &err);
	char zone[512];
	snprintf(zone, sizeof zone, "%s/oom.zone", getenv("T_TMP") ? getenv("T_TMP") : "/tmp");
	FILE *zf = fopen(zone, "w");
	if (!c || !zf) {
		printf("not ok - setup\n");
		return 1;
	}
	fputs("$TTL 300\n", zf);
	fclose(zf);
	struct dns *d = dns_new(c, zone, &err);
	static const char text[] =
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA\r\n"
		"From: a@example.com\r\n\r\nbody\r\n";
	char *data = strdup(text);
	struct msg m;
	if (!d || !data || msg_init(&m, data, sizeof text - 1, 100, &err) < 0) {
		printf("not ok - setup: %s\n", err ? err : "?");
		return 1;
	}

	struct dkim_result res;
	fail_size = sizeof(struct dkim_sig_result);
	int rc = dkim_verify(c, d, &m, 1795000000, &res);
	fail_size = 0;
	T_INT(rc, -1, "dkim_verify returns -1 when out of memory");
	T_INT(res.n, 0, "and no results");
	dkim_result_clear(&res);

	struct verdict *v = verdict_new();
	fail_size = sizeof(struct dkim_sig_result);
	verdict_run(v, c, d, &m, NULL, 1795000000);
	fail_size = 0;
	T_STR(verdict_value(v, "dkim"), "temperror", "verdict: dkim value temperror on out of memory");
	T_OK(strstr(verdict_prepend(v), "dkim=temperror") != NULL,
	     "A-R says dkim=temperror: %.200s", verdict_prepend(v));
	T_OK(strstr(verdict_log(v), "dkim=temperror") != NULL, "log says dkim=temperror: %s",
	     verdict_log(v));

	/* without the fault the same message is checked (a result, not temperror) */
	verdict_run(v, c, d, &m, NULL, 1795000000);
	T_OK(strcmp(verdict_value(v, "dkim"), "temperror") != 0 && strcmp(verdict_value(v, "dkim"), "none") != 0,
	     "without the fault: a real result (%s)", verdict_value(v, "dkim"));
	verdict_free(v);
	msg_clear(&m);
	dns_free(d);
	conf_free(c);
	T_DONE();
#endif
}
