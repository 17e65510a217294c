/* cmd_client.c - `authdeliver client`: show which client the Received
 * headers of a message (stdin) give under the configuration, as the
 * delivery path would see it without XFORWARD.  For checking
 * trusted_mtas / internal_networks.
 *
 *   authdeliver client [-c FILE] [-f SENDER] < message
 *
 * Prints key=value lines (source, ip, helo, rdns, by, queue_id, internal,
 * authenticated, reason).  Exit 0 when a client was found, 1 when not
 * (CLIENT_NONE), 66 when the message cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "cmd.h"
#include "conf.h"
#include "msg.h"

int cmd_client(int argc, char **argv)
{
	const char *file = NULL, *sender = "";
	int ch;
	optind = 1;
	while ((ch = getopt(argc, argv, "c:f:")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'f': sender = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver client [-c FILE] [-f SENDER] < message\n");
			return EX_USAGE;
		}
	}
	const struct conf *c = cmd_load_conf(file);
	/* Only the header matters: read at most message_size_limit bytes
	 * (EFBIG: the rest is not read); a read error ends the input. */
	struct buf in;
	buf_init(&in, (size_t)c->message_size_limit);
	bool nomem = read_full(STDIN_FILENO, &in) < 0 && errno == ENOMEM;
	size_t clen;
	char *crlf = nomem ? NULL : msg_lf_to_crlf(in.p ? in.p : "", in.len, &clen);
	buf_clear(&in);
	struct msg m;
	const char *err = "out of memory";
	if (!crlf || msg_init(&m, crlf, clen, (size_t)c->header_count_limit, &err) < 0) {
		fprintf(stderr, "authdeliver client: %s\n", err);
		if (crlf)
			msg_clear(&m);
		return EX_NOINPUT;
	}
	struct client cl;
	client_find(&cl, c, &m, NULL, sender);
	static const char *const src[] = { "none", "xforward", "received" };
	printf("source=%s\nip=%s\nhelo=%s\nrdns=%s\nby=%s\nqueue_id=%s\n"
	       "internal=%s\nauthenticated=%s\nreason=%s\n",
	       src[cl.source], cl.ip, cl.helo, cl.rdns, cl.by, cl.queue_id,
	       cl.internal ? "yes" : "no", cl.authenticated ? "yes" : "no", cl.reason);
	msg_clear(&m);
	return cl.source == CLIENT_NONE ? 1 : 0;
}
