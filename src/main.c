/* main.c - options, config load, and the subcommand table.
 *
 * One binary, one row per subcommand.  Exit codes follow sysexits.h.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <gmime/gmime.h>

#include "cmd.h"
#include "conf.h"

static const struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} cmds[] = {
	{ "lmtp", cmd_lmtp, "lmtp [-c FILE] [--dns-zone FILE]   run the LMTP server (foreground)" },
	{ "deliver", cmd_deliver, "deliver [-c FILE] -f SENDER -a RCPT...   deliver one message from stdin" },
	{ "spf", cmd_spf, "spf --ip IP --helo NAME --mail-from ADDR [--dns-zone FILE] [-c FILE] [--json]" },
	{ "verify", cmd_verify, "verify [-c FILE] [--dns-zone FILE] [--now EPOCH] [--ip IP --helo NAME --mail-from ADDR] [--json] [FILE|-]   check one message offline, print its Authentication-Results" },
	{ "config-test", cmd_config_test, "config-test [-c FILE] [-a]   check the configuration and print it" },
	{ "sieve-check", cmd_sieve_check, "sieve-check [-c FILE] SCRIPT...   check Sieve scripts (line of each error)" },
	{ "sieve-test", cmd_sieve_test, "sieve-test [-c FILE] [--user ADDR] [--from ADDR] [--maildir DIR] [--verdict-json FILE] [--json] SCRIPT MESSAGE   what a script does with a message" },
	{ "dmarc", cmd_dmarc, "dmarc [--dns-zone FILE] --from-domain D [--spf-domain D] [--dkim-domain D] [--json]   DMARC for given identifiers" },
	{ "client", cmd_client, "client [-c FILE] [-f SENDER] < MESSAGE   show the client the Received headers give" },
	{ "stats", cmd_stats, "stats [-c FILE]   print the running server's counters (Prometheus text, metrics_listen)" },
	{ "report", cmd_report, "report list|verify|send [-c FILE] [--day YYYY-MM-DD] [--domain D] [--dry-run] [--out DIR]   DMARC aggregate reports (RFC 9990)" },
	{ "dns", cmd_dns, "dns [-c FILE] [--dns-zone FILE] NAME [TYPE...]   look up as the verifiers do" },
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: authdeliver COMMAND [options]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  authdeliver %s\n", cmds[i].usage);
	fprintf(fp, "See authdeliver(8).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("authdeliver %s\n", AUTHDELIVER_VERSION);
		return 0;
	}
	/* Memory of long-lived session processes: glibc raises its mmap
	 * threshold after the first large free (up to 32 MB), after which
	 * every large message buffer comes from the heap and its pages stay
	 * with the process once freed.  A fixed threshold keeps buffers of
	 * 128 KiB and more in their own mappings, returned on free (a
	 * process that took a 50 MB message keeps nothing of it for its next
	 * sessions); a fixed trim threshold gives back the top of the heap.
	 * One arena: libunbound's resolver thread would otherwise get a heap
	 * of its own in every session process (-17% memory at 100 sessions
	 * in bench/lmtp_bench). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024);
	mallopt(M_ARENA_MAX, 1);
	g_mime_init();	/* once per process, before any session forks */
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			/* "authdeliver COMMAND --help": its usage, exit 0 */
			if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
				printf("usage: authdeliver %s\nSee authdeliver(8).\n", cmds[i].usage);
				return 0;
			}
			return cmds[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "authdeliver: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
