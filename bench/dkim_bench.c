/* dkim_bench.c - authdeliver's DKIM verifier in a loop on one core.
 *
 *   dkim_bench ZONE SECONDS FILE...
 *
 * Loads the messages (CRLF), then verifies them round-robin for SECONDS:
 * per message a copy, the header index (msg_init) and dkim_verify() with DNS from the zone file (libunbound local data;
 * the answer cache is warm after the first round, as in a running server).
 * Every signature must pass.  Prints "N verifications/s". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: dkim_bench ZONE SECONDS FILE...\n");
		return 64;
	}
	const char *err;
	struct conf *c = conf_parse(NULL, &err);
	conf_install(c);
	struct dns *d = dns_new(c, argv[1], &err);
	if (!d) {
		fprintf(stderr, "dns: %s\n", err);
		return 1;
	}
	double secs = atof(argv[2]);
	int n = argc - 3;
	char **raw = calloc((size_t)n, sizeof(*raw));
	size_t *rawlen = calloc((size_t)n, sizeof(*rawlen));
	for (int i = 0; i < n; i++) {
		FILE *fp = fopen(argv[i + 3], "rb");
		if (!fp) {
			perror(argv[i + 3]);
			return 1;
		}
		fseek(fp, 0, SEEK_END);
		long len = ftell(fp);
		rewind(fp);
		char *b = malloc((size_t)len + 1);
		if (fread(b, 1, (size_t)len, fp) != (size_t)len)
			return 1;
		fclose(fp);
		b[len] = 0;
		raw[i] = b;
		rawlen[i] = (size_t)len;
	}
	long count = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < n; i++) {
			/* per message, as the intake does: own copy + header index */
			struct msg m;
			char *b = malloc(rawlen[i] + 1);
			memcpy(b, raw[i], rawlen[i] + 1);
			if (msg_init(&m, b, rawlen[i], 1000, &err) < 0)
				return 1;
			struct dkim_result r;
			dkim_verify(c, d, &m, 1700000100, &r);
			if (r.n != 1 || r.sigs[0].code != AUTH_PASS) {
				fprintf(stderr, "%s: not pass: %s\n", argv[i + 3],
					r.n ? r.sigs[0].reason : "no signature");
				return 1;
			}
			dkim_result_clear(&r);
			msg_clear(&m);
			count++;
		}
		t = now_s();
	} while (t - t0 < secs);
	printf("%.0f verifications/s\n", (double)count / (t - t0));
	for (int i = 0; i < n; i++)
		free(raw[i]);
	free(raw);
	free(rawlen);
	dns_free(d);
	conf_free(c);
	return 0;
}
