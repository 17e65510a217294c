/* dns_shared.h - the pieces of dns.c that the shared resolver uses.
 *
 * The LMTP server runs one resolver process (resolver.c) that holds the
 * only libunbound context and answer cache; each session process talks to
 * it over a SOCK_SEQPACKET socket through a struct dns made by
 * dns_client_new(), which keeps a small copy of the answers it got (with
 * their remaining TTL) and otherwise behaves like dns.h says: the same
 * answers, per-query timeout and per-message deadline.  Wire form: in
 * dns.c.  Private to dns.c, resolver.c and their tests.
 */
#ifndef AUTHDELIVER_DNS_SHARED_H
#define AUTHDELIVER_DNS_SHARED_H

#include "dns.h"

#include <stdint.h>

#define DNS_SHARED_MSG_MAX (160 * 1024)	/* one answer, > 64 KiB DNS message */

/* A struct dns that asks the resolver on fd (which it owns and closes in
 * dns_free).  zone_file as for dns_new (only to know "offline"). */
struct dns *dns_client_new(const struct conf *c, int fd, const char *zone_file,
			   const char **error_r);
/* true when the resolver's socket failed: lookups tempfail, and the
 * session process should not be reused */
bool dns_broken(const struct dns *);
/* the same, after a look at the socket (its peer may have gone while we
 * were idle); false for a struct dns of dns_new() */
bool dns_client_lost(struct dns *);

/* resolver side: the libunbound fd to poll, processing of what it
 * answered (and of queries past dns_timeout), ms until the next such
 * timeout (-1 none), and a lookup that never waits: NULL while the query
 * is in flight (it is started if need be), else the answer (release with
 * dns_answer_free) and *ttl_r its remaining cache lifetime in seconds */
int dns_fd(const struct dns *);
void dns_process(struct dns *, bool readable);
long dns_next_timeout(const struct dns *);
const struct dns_answer *dns_lookup_nowait(struct dns *, const char *name, int type,
					   unsigned *ttl_r);
/* the answer message; 0 if it does not fit in cap */
size_t dns_shared_encode(uint32_t id, const char *name, int type,
			 const struct dns_answer *, unsigned ttl,
			 unsigned char *buf, size_t cap);

#endif
