/* arc_verify.c - benchmark driver: ARC chain validations per CPU second.
 *
 *   arc_verify ZONE SECONDS FILE...
 *
 * Loads each message once, then runs msg_init + arc_verify + clear on a
 * fresh copy in a loop for SECONDS of process CPU time (DNS answers come
 * from the zone through the real dns.c; after the first round they are
 * cached, as for a busy server).  Prints "file bytes rate result".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arc.h"
#include "conf.h"
#include "dns.h"
#include "msg.h"

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: arc_verify ZONE SECONDS FILE...\n");
		return 64;
	}
	const char *err = NULL;
	struct conf *c = conf_parse(NULL, &err);
	if (!c) {
		fprintf(stderr, "conf: %s\n", err);
		return 78;
	}
	conf_install(c);
	struct dns *d = dns_new(c, argv[1], &err);
	if (!d) {
		fprintf(stderr, "dns: %s\n", err);
		return 78;
	}
	double secs = atof(argv[2]);
	for (int f = 3; f < argc; f++) {
		FILE *fp = fopen(argv[f], "rb");
		if (!fp) {
			perror(argv[f]);
			return 66;
		}
		static char buf[1 << 22];
		size_t n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		long iters = 0;
		enum auth_code code = AUTH_NONE;
		double t0 = cpu(), t = t0;
		while (t - t0 < secs) {
			char *cp = malloc(n + 1);
			if (!cp)
				return 70;
			memcpy(cp, buf, n);
			cp[n] = 0;
			struct msg m;
			if (msg_init(&m, cp, n, 10000, &err) < 0) {
				fprintf(stderr, "%s: %s\n", argv[f], err);
				return 65;
			}
			struct arc_result r;
			arc_verify(c, d, &m, (time_t)1700000100, &r);
			code = r.code;
			arc_result_clear(&r);
			msg_clear(&m);
			iters++;
			t = cpu();
		}
		printf("%s\t%zu\t%.0f\t%s\n", argv[f], n, (double)iters / (t - t0),
		       auth_code_name(code));
	}
	dns_free(d);
	conf_free(c);
	return 0;
}
