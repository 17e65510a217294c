/* conf.h - settings with defaults and limits; the only global.
 *
 * The configuration is read once at start (and again on SIGHUP in the LMTP
 * master); after that it is read-only.  Every limit that bounds untrusted
 * input lives here with a documented default (see authdeliver.conf(5)).
 */
#ifndef AUTHDELIVER_CONF_H
#define AUTHDELIVER_CONF_H

#include <stdbool.h>
#include <stddef.h>

/* A list value: "a, b c" -> {"a","b","c"}. */
struct conf_list {
	size_t n;
	char **v;
};

enum conf_log { CONF_LOG_STDERR, CONF_LOG_SYSLOG };
enum conf_dns_mode { CONF_DNS_SYSTEM, CONF_DNS_FORWARD, CONF_DNS_RECURSIVE };
enum conf_ar_existing { CONF_AR_REMOVE, CONF_AR_RENAME };
enum conf_dmarc_mode { CONF_DMARC_TREEWALK, CONF_DMARC_PSL };
/* RFC 5235 status field: its first number, or the length of its value */
enum conf_score_type { CONF_SCORE_NUMBER, CONF_SCORE_STRLEN };
enum conf_reject_action { CONF_REJECT_QUARANTINE, CONF_REJECT_REJECT, CONF_REJECT_DISCARD };
enum conf_timeout_action { CONF_TIMEOUT_DELIVER, CONF_TIMEOUT_TEMPFAIL };
enum conf_from_policy { CONF_FROM_STRICTEST, CONF_FROM_REJECT, CONF_FROM_EACH };

struct conf {
	char *path;			/* file this came from, or "(built-in)" */

	/* general */
	char *hostname;			/* Maildir names, Received-SPF receiver */
	char *authserv_id;		/* RFC 8601 authserv-id; default hostname */
	enum conf_log log;
	char *log_facility;
	char *log_ident;
	bool log_debug;

	/* LMTP server */
	struct conf_list lmtp_listen;	/* host:port, [v6]:port, unix:/path */
	char *lmtp_socket_mode;		/* octal, for unix sockets */
	char *lmtp_socket_owner;	/* user for unix sockets; "": ours */
	char *lmtp_socket_group;	/* group for unix sockets; "": ours */
	long lmtp_max_connections;	/* 421 4.3.2 beyond */
	long lmtp_max_use;		/* sessions per process, then it exits */
	long lmtp_max_idle;		/* seconds an idle process is kept */
	long lmtp_max_recipients;	/* 452 4.5.3 beyond */
	long message_size_limit;	/* SIZE; 552 5.3.4 beyond */
	long line_length_limit;		/* data line; 552 5.3.4 beyond */
	long command_length_limit;	/* command line; 500 5.5.2 beyond */
	long header_count_limit;	/* 554 5.6.0 beyond */
	long timeout_idle;		/* seconds; 421 4.4.2 */
	long timeout_data;
	char *metrics_listen;		/* "" off, unix:/path or loopback host:port */
	struct conf_list xforward_trusted; /* CIDRs, or "unix"; default none */

	/* mailboxes and delivery */
	struct conf_list user_lookup;	/* "system", "virtual" in order */
	char *system_maildir;		/* relative to home, e.g. "Maildir" */
	struct conf_list local_domains;	/* empty: any domain for system users */
	char *virtual_mailbox_map;	/* user@domain  /path/  [uid:gid] */
	char *virtual_base;		/* base for relative map paths */
	char *virtual_uid;		/* default owner for virtual mailboxes */
	char *recipient_delimiter;	/* e.g. "+"; empty: none */
	bool maildir_fsync;		/* fsync file + dir before success */
	bool delivered_to;		/* prepend Delivered-To: */

	/* DNS */
	enum conf_dns_mode dns_mode;
	struct conf_list dns_forwarders;
	char *dns_resolv_conf;
	char *dns_zone_file;		/* offline: answer only from this */
	bool dnssec;
	bool dns_shared;		/* lmtp: one resolver process, one cache */
	char *dnssec_trust_anchor;
	long dns_timeout;		/* per query, milliseconds */
	long dns_max_records;		/* answer RRs looked at */

	/* trusted client data */
	struct conf_list trusted_mtas;	/* "by" names of our own MTAs */
	struct conf_list internal_networks; /* CIDRs */
	bool skip_internal;		/* no SPF/DMARC for internal/auth */
	long received_max;		/* Received headers walked */

	/* verdict */
	bool verify;			/* run SPF/DKIM/ARC/DMARC at all */
	long verdict_timeout;		/* milliseconds for the whole verdict */
	enum conf_timeout_action verdict_timeout_action;
	enum conf_ar_existing ar_existing;

	/* SPF */
	bool spf_helo_check;
	bool spf_hide_receiver;
	long spf_max_dns_mechs;		/* RFC 7208 4.6.4: 10 */
	long spf_max_void;		/* RFC 7208 4.6.4: 2 */

	/* DKIM / ARC */
	long dkim_max_signatures;
	bool dkim_rsa_sha1;		/* false: RFC 8301, sha1 fails */
	long dkim_min_rsa_bits;
	long dkim_max_rsa_bits;
	long dkim_clock_skew;		/* seconds */
	bool dkim_partial_body_fail;	/* l= shorter than body fails */
	long dkim_max_header_list;	/* h= entries */
	long tag_list_max_tags;		/* tags in one tag=value list */
	long tag_list_max_length;	/* bytes of one tag=value list */
	long arc_max_instances;		/* RFC 8617: 50 */

	/* DMARC */
	enum conf_dmarc_mode dmarc_mode;
	char *psl_file;
	enum conf_reject_action dmarc_reject_action;
	struct conf_list arc_trusted_sealers;
	struct conf_list dmarc_exempt_domains;
	enum conf_from_policy dmarc_from_policy; /* no/several From, multi-domain */

	/* Sieve */
	struct conf_list sieve_before;
	char *sieve_user;		/* pattern: ~ home, %u user, %d domain, %m mailbox */
	char *sieve_default;
	struct conf_list sieve_after;
	char *junk_folder;
	long sieve_max_script_size;
	long sieve_max_actions;
	long sieve_max_body_size;	/* bytes of body the body test sees */
	char *sieve_global_dir;		/* include :global NAME -> DIR/NAME.sieve */
	char *sieve_spamtest_header;	/* RFC 5235 spamtest reads this field */
	enum conf_score_type sieve_spamtest_type;
	long sieve_spamtest_max;	/* the score that is spamtest 10 / 100% */
	char *sieve_virustest_header;
	enum conf_score_type sieve_virustest_type;
	long sieve_virustest_max;	/* the score that is virustest 5 */
	long sieve_timeout;		/* seconds per evaluation */
	bool sieve_shared_workers;	/* lmtp: workers of one pool take jobs */
	bool sieve_reject_to_folder;	/* reject -> file instead */
	char *sendmail_path;		/* redirect, vacation */
	long sieve_max_redirects;
	char *vacation_db_dir;

	/* DMARC aggregate reports (RFC 9990) */
	char *dmarc_report_store;	/* "" off, sqlite:PATH, postgresql://... */
	char *dmarc_report_spool;	/* records while the store is unreachable */
	long dmarc_report_timeout;	/* ms: busy wait, connect, statement */
	long dmarc_report_keep;		/* days of records and sent reports */
	char *dmarc_report_org_name;	/* "" = hostname */
	char *dmarc_report_from;	/* report mail From; "" = dmarc-reports@hostname */
	char *dmarc_report_contact;	/* extra_contact_info */
	long dmarc_report_max_uris;	/* rua URIs tried per report */
	struct conf_list dmarc_report_exclude; /* policy domains never reported */
};

/* Scripts in sieve_before / sieve_after (more are a configuration error;
 * together with the personal script they fill one evaluation's 60 steps). */
#define CONF_SIEVE_BEFORE_MAX 30
#define CONF_SIEVE_AFTER_MAX 29

/* The loaded configuration; NULL before conf_parse(). */
extern const struct conf *conf;

/* Parse FILE (NULL: built-in defaults only).  On error returns NULL and a
 * message "file:line: key: problem" in error_r (static storage). */
struct conf *conf_parse(const char *file, const char **error_r);
/* Parse a configuration from a string (tests, embedded demo config). */
struct conf *conf_parse_string(const char *text, const char *name, const char **error_r);
void conf_free(struct conf *);
/* Make c the global configuration; it owns c from now on and frees the
 * previous one (a forked child keeps its own copy of memory, so sessions
 * in progress are not affected by a reload in the master). */
void conf_install(struct conf *c);
/* Free the global configuration (at exit, for leak checkers). */
void conf_shutdown(void);
/* Call emit for each setting that is accepted but unsafe (XFORWARD trusted
 * from an address any local user can connect from, a world-connectable
 * socket that is trusted, an unknown socket owner/group); returns how many.
 * The LMTP server logs them at start, config-test prints them. */
int conf_warnings(const struct conf *, void (*emit)(const char *msg));
/* Print every effective setting, "key = value", like postconf. */
void conf_print(const struct conf *, int all, void *fp);

#endif
