/* cmd_conf.c - `authdeliver config-test`, and config loading shared by the
 * subcommands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "log.h"

const struct conf *cmd_load_conf(const char *file)
{
	const char *err;
	struct conf *c = conf_parse(file, &err);
	if (!c) {
		fprintf(stderr, "authdeliver: configuration error: %s\n", err);
		exit(EX_CONFIG);
	}
	conf_install(c);
	log_open(c);
	return c;
}

static void warn_stderr(const char *msg)
{
	fprintf(stderr, "authdeliver: warning: %s\n", msg);
}

int cmd_config_test(int argc, char **argv)
{
	const char *file = NULL;
	int all = 0, ch;
	optind = 1;
	while ((ch = getopt(argc, argv, "c:a")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'a': all = 1; break;
		default:
			fprintf(stderr, "usage: authdeliver config-test [-c FILE] [-a]\n");
			return EX_USAGE;
		}
	}
	const struct conf *c = cmd_load_conf(file);
	conf_print(c, all, stdout);
	conf_warnings(c, warn_stderr);
	return 0;
}
