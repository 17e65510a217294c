/* cmd_sieve.c - `authdeliver sieve-check [-c FILE] SCRIPT...`: validate
 * Sieve scripts with the same libsieve setup that delivery uses.
 *
 * Prints "SCRIPT:LINE: message" for each error (libsieve reports lines,
 * not columns) and exits 0 when every script is fine, 65 (EX_DATAERR)
 * when one has errors, 66 (EX_NOINPUT) when one cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "sieve.h"

struct where {
	const char *path;
};

static void report(int line, const char *message, void *arg)
{
	const struct where *w = arg;
	if (line > 0)
		printf("%s:%d: %s\n", w->path, line, message);
	else
		printf("%s: %s\n", w->path, message);
}

static char *slurp(const char *path, size_t max, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	struct stat st;
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		errno = EINVAL;
		return NULL;
	}
	/* read one byte past the cap so sieve_check() can say "too large" */
	size_t cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
	char *p = malloc(cap + 1);
	size_t n = p ? fread(p, 1, cap, fp) : 0;
	int err = ferror(fp);
	fclose(fp);
	if (!p || err) {
		free(p);
		errno = EIO;
		return NULL;
	}
	p[n] = 0;
	*len_r = n;
	return p;
}

int cmd_sieve_check(int argc, char **argv)
{
	const char *file = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver sieve-check [-c FILE] SCRIPT...\n");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: authdeliver sieve-check [-c FILE] SCRIPT...\n");
		return EX_USAGE;
	}
	const struct conf *c = cmd_load_conf(file);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		size_t len = 0;
		char *text = slurp(argv[i], (size_t)c->sieve_max_script_size, &len);
		if (!text) {
			fprintf(stderr, "authdeliver: %s: %s\n", argv[i], strerror(errno));
			rc = EX_NOINPUT;
			continue;
		}
		struct where w = { argv[i] };
		int n = sieve_check(text, len, (size_t)c->sieve_max_script_size, report, &w);
		free(text);
		if (n > 0) {
			if (rc == 0)
				rc = EX_DATAERR;
		} else {
			printf("%s: ok\n", argv[i]);
		}
	}
	return rc;
}
