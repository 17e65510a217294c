/* client.h - who connected to our MTA, from trusted data only.
 *
 * Takes the XFORWARD attributes (only when the LMTP peer is trusted), the
 * message's Received headers and the envelope sender; returns the client
 * IP, HELO and MAIL FROM as our own MTA saw them.  Never guesses: an
 * unparseable or untrusted chain gives source CLIENT_NONE and a reason.
 */
#ifndef AUTHDELIVER_CLIENT_H
#define AUTHDELIVER_CLIENT_H

#include <stdbool.h>

struct conf;
struct msg;

/* XFORWARD attributes of one transaction (Postfix XFORWARD_README). */
struct xforward {
	char name[256], addr[64], port[8], proto[16], helo[256];
	char ident[64], source[8], login[256];
	bool any;
};

enum client_source { CLIENT_NONE = 0, CLIENT_XFORWARD, CLIENT_RECEIVED };

struct client {
	enum client_source source;
	char ip[64];		/* textual, no brackets, no "IPv6:" */
	char helo[256];
	char rdns[256];		/* name the MTA resolved, or "" */
	char mail_from[512];	/* envelope sender, "" for <> */
	char queue_id[64];	/* our MTA's queue id, or "" */
	char by[256];		/* the trusted MTA that recorded the hop */
	bool internal;		/* from internal_networks */
	bool authenticated;	/* SMTP AUTH seen by our MTA */
	char reason[160];	/* why CLIENT_NONE, or how it was found */
};

/* Fill cl from XFORWARD when xf is not NULL (pass it only for a trusted
 * LMTP peer) and carries ADDR; else from the Received headers: the top
 * one must be by a trusted MTA (conf->trusted_mtas; when that is empty,
 * the top header's own "by" host, and only it, is trusted), hops from
 * conf->internal_networks are skipped while the next header down is also
 * by a trusted MTA, and the first hop from outside gives ip/helo/rdns and
 * the by/queue_id of the trusted header that recorded it.  Headers below
 * it are never read.  Anything else gives CLIENT_NONE and a reason.
 * mail_from may be NULL, "" or "<...>" (brackets removed).  Always sets
 * reason.  See doc/notes/dns.md. */
void client_find(struct client *cl, const struct conf *c,
		 const struct msg *m, const struct xforward *xf,
		 const char *mail_from);

/* Parse one Received header value (unfolded).  Exposed for tests and the
 * fuzzer.  Returns 0 and fills ip/helo/rdns/by/queue_id (unknown parts ""),
 * -1 when the "from" clause cannot be parsed (error says why).  A header
 * without a from clause (local submission) parses with ip "".  auth is set
 * for "with ESMTPA/ESMTPSA/LMTPA/..." (RFC 3848) and for an
 * "(authenticated ...)" comment written after the client address. */
struct received {
	char from_helo[256], from_rdns[256], ip[64], by[256], id[64], with[32];
	bool auth;
	const char *error;	/* static text when -1 is returned */
};
int client_parse_received(const char *value, struct received *r);

/* Is ip (textual) in one of the CIDRs of list? */
struct conf_list;
bool client_ip_in(const struct conf_list *list, const char *ip);

#endif
