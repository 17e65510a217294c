/* cmd.h - the subcommands; each returns a sysexits.h code. */
#ifndef AUTHDELIVER_CMD_H
#define AUTHDELIVER_CMD_H

#define AUTHDELIVER_VERSION "0.1.0"

int cmd_lmtp(int argc, char **argv);
int cmd_deliver(int argc, char **argv);
int cmd_config_test(int argc, char **argv);
int cmd_sieve_check(int argc, char **argv);
int cmd_sieve_test(int argc, char **argv);	/* cmd_sieve.c */
int cmd_dmarc(int argc, char **argv);		/* cmd_dmarc.c */
int cmd_spf(int argc, char **argv);		/* cmd_spf.c */
int cmd_dns(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);		/* cmd_report.c */
int cmd_stats(int argc, char **argv);		/* cmd_stats.c */

/* Shared option handling: load -c FILE (or the built-in defaults) and
 * install it as the global configuration; exits 78 with file:line: key on
 * error.  Returns the loaded configuration. */
struct conf;
const struct conf *cmd_load_conf(const char *file);

#endif
