/* opendkim_bench.c - libopendkim (Debian libopendkim-dev) verifying the same
 * corpus in a loop on one core, as the peer for bench/dkim.sh.
 *
 *   opendkim_bench KEYS SECONDS FILE...
 *
 * KEYS: "name<TAB>record" lines, served from memory by a key-lookup
 * callback (no file or DNS I/O per message, like a warm cache).  Per
 * message: dkim_verify(), each header field to dkim_header(), dkim_eoh(),
 * the body to dkim_body(), dkim_eom(); every signature must pass.
 * Prints "N verifications/s". */
#include <opendkim/dkim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static char names[16][256], recs[16][4096];
static int nkeys;

static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	char name[600];
	snprintf(name, sizeof(name), "%s._domainkey.%s", dkim_sig_getselector(sig),
		 dkim_sig_getdomain(sig));
	for (int i = 0; i < nkeys; i++)
		if (!strcasecmp(names[i], name)) {
			snprintf((char *)buf, buflen, "%s", recs[i]);
			return DKIM_CBSTAT_CONTINUE;
		}
	return DKIM_CBSTAT_NOTFOUND;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int verify_one(DKIM_LIB *lib, const unsigned char *m, size_t len)
{
	DKIM_STAT st;
	DKIM *dk = dkim_verify(lib, (const unsigned char *)"bench", NULL, &st);
	if (!dk)
		return -1;
	size_t p = 0;
	/* header fields: up to a CRLF not followed by WSP */
	while (p < len && !(m[p] == '\r' && p + 1 < len && m[p + 1] == '\n')) {
		size_t e = p;
		for (;;) {
			const unsigned char *nl = memchr(m + e, '\n', len - e);
			if (!nl) {
				e = len;
				break;
			}
			e = (size_t)(nl - m) + 1;
			if (e >= len || (m[e] != ' ' && m[e] != '\t'))
				break;
		}
		size_t hl = e - p;
		if (hl >= 2 && m[e - 2] == '\r')
			hl -= 2;
		dkim_header(dk, (u_char *)m + p, hl);
		p = e;
	}
	dkim_eoh(dk);
	p += 2;
	if (p < len)
		dkim_body(dk, (u_char *)m + p, len - p);
	_Bool testkey;
	st = dkim_eom(dk, &testkey);
	dkim_free(dk);
	return st == DKIM_STAT_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: opendkim_bench KEYS SECONDS FILE...\n");
		return 64;
	}
	FILE *kf = fopen(argv[1], "r");
	char line[8192];
	while (kf && nkeys < 16 && fgets(line, sizeof(line), kf)) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		line[strcspn(tab + 1, "\n") + (size_t)(tab + 1 - line)] = 0;
		snprintf(names[nkeys], sizeof(names[0]), "%s", line);
		snprintf(recs[nkeys], sizeof(recs[0]), "%s", tab + 1);
		nkeys++;
	}
	if (kf)
		fclose(kf);
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	dkim_set_key_lookup(lib, key_lookup);
	double secs = atof(argv[2]);
	int n = argc - 3;
	unsigned char **msgs = calloc((size_t)n, sizeof(*msgs));
	size_t *lens = calloc((size_t)n, sizeof(*lens));
	for (int i = 0; i < n; i++) {
		FILE *fp = fopen(argv[i + 3], "rb");
		if (!fp) {
			perror(argv[i + 3]);
			return 1;
		}
		fseek(fp, 0, SEEK_END);
		lens[i] = (size_t)ftell(fp);
		rewind(fp);
		msgs[i] = malloc(lens[i]);
		if (fread(msgs[i], 1, lens[i], fp) != lens[i])
			return 1;
		fclose(fp);
	}
	long count = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < n; i++) {
			if (verify_one(lib, msgs[i], lens[i]) < 0) {
				fprintf(stderr, "%s: libopendkim: not pass\n", argv[i + 3]);
				return 1;
			}
			count++;
		}
		t = now_s();
	} while (t - t0 < secs);
	printf("%.0f verifications/s\n", (double)count / (t - t0));
	dkim_close(lib);
	return 0;
}
