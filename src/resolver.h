/* resolver.h - one DNS resolver and answer cache for the whole LMTP server.
 *
 * The master starts one resolver process (the only libunbound context and
 * thread, the only cache); each session process gets its own socket to it
 * (resolver_attach, before the fork) and asks through dns_client_new()
 * (dns_shared.h).  A slow answer stalls no one: the resolver is one event
 * loop over libunbound's async queries.  Isolation: the resolver holds no
 * message and no listener; a crash of it makes lookups tempfail (4xx, the
 * MTA keeps the mail) until the master has started a new one.
 */
#ifndef AUTHDELIVER_RESOLVER_H
#define AUTHDELIVER_RESOLVER_H

#include <stddef.h>
#include <sys/types.h>

struct conf;

struct resolver {
	pid_t pid;		/* 0: none */
	int ctl;		/* the master's end of the control socket */
};

/* Fork the resolver for configuration c (dns_zone: the --dns-zone
 * override or NULL).  The child closes the n fds in close_fds (the
 * master's listeners and control sockets).  Waits until the resolver's
 * libunbound context is set up.  0, or -1 with *error_r (static). */
int resolver_start(struct resolver *r, const struct conf *c, const char *dns_zone,
		   const int *close_fds, size_t n, const char **error_r);
/* A new socket to the resolver for one session process: the caller's end,
 * or -1 (the session then uses a libunbound context of its own). */
int resolver_attach(struct resolver *r);
/* Let it go: it exits once every session process has closed its socket. */
void resolver_release(struct resolver *r);

#endif
