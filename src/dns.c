/* dns.c - DNS through libunbound: answer cache, async prefetch, deadlines,
 * DNSSEC status, and the offline zone file.
 *
 * Takes a name and a type; returns a refcounted struct dns_answer that is
 * never NULL.  Every query goes through libunbound (ub_resolve_async, one
 * background thread inside libunbound; our code stays single-threaded and
 * waits with poll() on ub_fd()).  Answers are kept in a per-process cache
 * keyed by (lower-cased name, type) that honours the TTL and is bounded
 * (DNS_CACHE_MAX entries, least recently used evicted first), so a warm
 * lookup is one hash probe.
 *
 * Offline mode (--dns-zone / dns_zone_file): the RFC 1035 master file is
 * loaded into libunbound as local data under a static "." zone, so
 * NXDOMAIN vs NODATA and empty non-terminals come from libunbound itself;
 * nothing is ever sent to the network.  libunbound answers a local CNAME
 * with the CNAME alone, so in offline mode we follow the chain (at most
 * DNS_CNAME_MAX hops) with further libunbound queries.  $TIMEOUT and
 * $SERVFAIL are simulated here.
 *
 * Never blocks past the per-query timeout (conf->dns_timeout) or the
 * per-message deadline (dns_set_deadline); both give DNS_TEMPFAIL.
 * Never returns data from a bogus DNSSEC answer.
 */
#include "buf.h"
#include "dns.h"
#include "zone.h"
#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "dns_shared.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <unbound.h>

#define DNS_CACHE_MAX	8192		/* answers kept per process */
#define DNS_HASH_SIZE	16384		/* buckets, power of two */
#define DNS_CLIENT_CACHE_MAX 1024	/* a session's copy over the shared resolver */
#define DNS_CLIENT_HASH_SIZE 2048
#define DNS_CNAME_MAX	8		/* offline CNAME hops */


#define DNS_NEG_TTL_ONLINE 60		/* negative answer without SOA TTL */

/* A refcounted answer: one malloc block (header, rr[], data bytes). */
struct ans {
	int refs;			/* -1: static, never freed */
	struct dns_answer a;
};

#define ANS_OF(p) ((struct ans *)((char *)(p) - offsetof(struct ans, a)))

enum { E_PENDING, E_DONE };
enum { SIM_NONE, SIM_TIMEOUT, SIM_SERVFAIL };

struct ent {
	struct ent *hnext;		/* hash chain */
	struct ent *prev, *next;	/* LRU list, most recent first */
	struct ent *pprev, *pnext;	/* pending list, while E_PENDING */
	unsigned hash;
	int type;
	int state;
	int async_id;			/* outstanding libunbound query, or 0 */
	int hops;			/* offline CNAME hops so far */
	bool once;			/* not cacheable: drop after one use */
	long long started, expires;	/* monotonic ms */
	struct ans *ans;		/* when E_DONE */
	struct dns *d;
	char name[256];			/* lower case, no trailing dot */
};

struct sim {
	char name[256];
	int type;			/* 0: every type */
	int kind;
};

struct dns {
	struct ub_ctx *ub;
	bool offline;
	bool validating;		/* dnssec = yes, online */
	long timeout;			/* ms per query */
	size_t max_records;
	long long deadline;		/* monotonic ms, 0: none */
	bool deadline_hit;		/* a lookup was cut by the deadline */
	unsigned neg_ttl;		/* offline negative answers */
	int fd;				/* shared resolver socket, or -1 */
	bool broken;			/* that socket failed */
	uint32_t seq;			/* last request id sent */
	size_t cache_max;
	unsigned hmask;
	struct ent **tab;
	struct ent *lru_head, *lru_tail;
	struct ent *pend_head;		/* queries in flight */
	size_t nent;
	struct sim *sims;
	size_t nsims;
};

/* ---- answers ---- */

static struct ans bad_name = { -1, { DNS_BADNAME, DNS_SEC_INSECURE, 0, NULL, "invalid domain name", false } };
static struct ans no_memory = { -1, { DNS_TEMPFAIL, DNS_SEC_INSECURE, 0, NULL, "out of memory", false } };
static struct ans past_deadline = { -1, { DNS_TEMPFAIL, DNS_SEC_INSECURE, 0, NULL, "deadline", false } };

static struct ans *ans_simple(enum dns_status st, const char *why)
{
	struct ans *x = calloc(1, sizeof(*x));
	if (!x)
		return &no_memory;
	x->refs = 1;
	x->a.status = st;
	x->a.why = why;
	return x;
}

static void ans_unref(struct ans *x)
{
	/* the static answers have refs -1; told by address too, as the
	 * analyzer cannot know a global's refs (unix.Malloc) */
	if (!x || x == &bad_name || x == &no_memory || x == &past_deadline)
		return;
	if (x->refs > 0 && --x->refs == 0)
		free(x);
}

void dns_answer_free(const struct dns_answer *a)
{
	if (a)
		ans_unref(ANS_OF(a));
}

const char *dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return "ok";
	case DNS_NXDOMAIN: return "nxdomain";
	case DNS_NODATA: return "nodata";
	case DNS_TEMPFAIL: return "tempfail";
	case DNS_BADNAME: return "badname";
	}
	return "?";
}

/* Wire name (uncompressed, as libunbound returns rdata) to presentation
 * form: lower case, no trailing dot, RFC 1035 §5.1 escapes for odd bytes.
 * Returns bytes consumed from p, or 0 if malformed. */
static size_t wire_name(const unsigned char *p, size_t len, char *out, size_t outsz)
{
	size_t i = 0, o = 0;
	for (;;) {
		if (i >= len)
			return 0;
		unsigned l = p[i++];
		if (l == 0)
			break;
		if (l > 63 || i + l > len)
			return 0;
		if (o && o + 1 < outsz)
			out[o++] = '.';
		for (unsigned k = 0; k < l; k++) {
			unsigned char ch = p[i + k];
			if (o + 5 >= outsz)
				return 0;
			if (ch == '.' || ch == '\\' || ch <= ' ' || ch >= 0x7f)
				o += (size_t)snprintf(out + o, outsz - o, "\\%03u", ch);
			else
				out[o++] = (char)tolower(ch);
		}
		i += l;
	}
	out[o] = 0;
	return i;
}

/* Build an answer from a libunbound result.  *ttl_r gets the cache TTL. */
static struct ans *ans_from_result(struct dns *d, int type, struct ub_result *r,
				   unsigned *ttl_r)
{
	*ttl_r = r->ttl > 0 ? (unsigned)r->ttl : 0;
	if (r->bogus) {
		struct ans *x = ans_simple(DNS_TEMPFAIL, "DNSSEC bogus");
		if (x->refs > 0)
			x->a.sec = DNS_SEC_BOGUS;
		return x;
	}
	enum dns_sec sec = r->secure ? DNS_SEC_SECURE : DNS_SEC_INSECURE;
	struct ans *x;
	switch (r->rcode) {
	case 0:
		break;
	case 3:
		x = ans_simple(DNS_NXDOMAIN, NULL);
		goto neg;
	case 2:
		return ans_simple(DNS_TEMPFAIL, "SERVFAIL");
	case 5:
		return ans_simple(DNS_TEMPFAIL, "REFUSED");
	default:
		return ans_simple(DNS_TEMPFAIL, "bad rcode");
	}
	size_t n = 0, bytes = 0;
	while (r->data && r->data[n])
		n++;
	if (!r->havedata || n == 0) {
		x = ans_simple(DNS_NODATA, NULL);
		goto neg;
	}
	bool trunc = false;
	if (n > d->max_records) {
		n = d->max_records;
		trunc = true;
	}
	for (size_t i = 0; i < n; i++)
		bytes += (size_t)r->len[i] + 1 + 1024;	/* names expand to <= 4x+; see below */
	x = malloc(sizeof(*x) + n * sizeof(struct dns_rr) + bytes);
	if (!x)
		return &no_memory;
	memset(x, 0, sizeof(*x));
	x->refs = 1;
	x->a.status = DNS_OK;
	x->a.sec = sec;
	x->a.truncated = trunc;
	x->a.rr = (struct dns_rr *)(x + 1);
	char *buf = (char *)(x->a.rr + n), *end = buf + bytes;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)r->data[i];
		size_t len = (size_t)r->len[i];
		struct dns_rr *rr = &x->a.rr[k];
		rr->type = (unsigned short)type;
		rr->pref = 0;
		rr->data = buf;
		switch (type) {
		case DNS_T_A:
		case DNS_T_AAAA:
			if (len != (type == DNS_T_A ? 4u : 16u))
				continue;
			memcpy(buf, p, len);
			rr->len = len;
			break;
		case DNS_T_TXT:
		case DNS_T_SPF: {
			/* RFC 7208 §3.3: concatenate the character-strings. */
			size_t o = 0, j = 0;
			bool bad = false;
			while (j < len) {
				size_t l = p[j++];
				if (j + l > len) {
					bad = true;
					break;
				}
				memcpy(buf + o, p + j, l);
				o += l;
				j += l;
			}
			if (bad)
				continue;
			rr->len = o;
			break;
		}
		case DNS_T_MX:
			if (len < 3)
				continue;
			rr->pref = (unsigned short)(p[0] << 8 | p[1]);
			p += 2;
			len -= 2;
			/* fall through */
		case DNS_T_NS:
		case DNS_T_CNAME:
		case DNS_T_PTR:
			/* A wire name of len bytes is at most 4*len presentation
			 * bytes (\DDD); 1024 spare bytes per record cover 255. */
			if (!wire_name(p, len, buf, (size_t)(end - buf)))
				continue;
			rr->len = strlen(buf);
			break;
		default:
			memcpy(buf, p, len);
			rr->len = len;
			break;
		}
		buf[rr->len] = 0;
		buf += rr->len + 1;
		k++;
	}
	x->a.n = k;
	if (k == 0) {
		free(x);
		return ans_simple(DNS_TEMPFAIL, "malformed answer");
	}
	return x;
neg:
	if (x->refs > 0)
		x->a.sec = sec;
	/* RFC 2308 §5: negative TTL from the SOA; libunbound gives a huge
	 * default without one.  Offline data never changes. */
	if (d->offline)
		*ttl_r = d->neg_ttl;
	else if (*ttl_r > 86400)
		*ttl_r = DNS_NEG_TTL_ONLINE;
	return x;
}

/* ---- names ---- */

int dns_name_valid(const char *name)
{
	size_t len = strlen(name), lab = 0;
	if (len && name[len - 1] == '.')
		len--;			/* one trailing dot: absolute form */
	if (len == 0 || len > 253 || (len == 1 && name[0] == '@'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '.') {
			if (lab == 0)
				return 0;	/* empty label */
			lab = 0;
			continue;
		}
		/* RFC 2181 §11 lets a label hold any octet, and RFC 7208
		 * §7.1 lets an SPF domain-spec hold any visible character
		 * (the test suite looks up "foo:bar/baz.example.com" and a
		 * label with spaces).  We take printable US-ASCII including
		 * SP; '\\' would be read as an escape by
		 * libunbound, so it is refused.  Stricter host-name syntax
		 * (LDH) is the caller's rule where it applies. */
		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0;
}

int dns_reverse_name(const char *ip, char out[74])
{
	unsigned char a[16];
	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, 74, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 15; i >= 0; i--) {
		out[o++] = hex[a[i] & 15];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", 9);	/* 64 + 9 = 73 bytes */
	return 0;
}

/* Lower-case, drop the trailing dot.  Returns 0 or -1 (too long). */
static int norm_name(const char *in, char out[256])
{
	/* one pass up to the NUL (strlen first made the analyzer read past
	 * the NUL of a name normalized before: core.uninitialized) */
	size_t len = 0;
	for (; in[len]; len++) {
		if (len == 255)
			return -1;	/* 256 bytes or more: too long with or without a dot */
		out[len] = (char)tolower((unsigned char)in[len]);
	}
	if (len && out[len - 1] == '.')
		len--;
	if (len > 254)
		return -1;
	out[len] = 0;
	return 0;
}

static unsigned name_hash(const char *name, int type)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;	/* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* ---- cache ---- */

static void lru_unlink(struct dns *d, struct ent *e)
{
	if (e->prev) e->prev->next = e->next; else d->lru_head = e->next;
	if (e->next) e->next->prev = e->prev; else d->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct dns *d, struct ent *e)
{
	e->next = d->lru_head;
	e->prev = NULL;
	if (d->lru_head)
		d->lru_head->prev = e;
	d->lru_head = e;
	if (!d->lru_tail)
		d->lru_tail = e;
}

static void pend_unlink(struct dns *d, struct ent *e)
{
	if (e->state != E_PENDING)
		return;
	if (e->pprev) e->pprev->pnext = e->pnext; else if (d->pend_head == e) d->pend_head = e->pnext;
	if (e->pnext) e->pnext->pprev = e->pprev;
	e->pprev = e->pnext = NULL;
}

static void ent_remove(struct dns *d, struct ent *e)
{
	struct ent **pp = &d->tab[e->hash & d->hmask];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	lru_unlink(d, e);
	pend_unlink(d, e);
	if (e->async_id && d->ub)
		ub_cancel(d->ub, e->async_id);
	ans_unref(e->ans);
	d->nent--;
	free(e);
}

static struct ent *ent_find(struct dns *d, const char *name, int type, unsigned h)
{
	for (struct ent *e = d->tab[h & d->hmask]; e; e = e->hnext)
		if (e->hash == h && e->type == type && !strcmp(e->name, name))
			return e;
	return NULL;
}

/* Make room: drop expired or least recently used answered entries. */
static void cache_evict(struct dns *d)
{
	struct ent *e = d->lru_tail;
	while (d->nent >= d->cache_max && e) {
		struct ent *prev = e->prev;
		if (e->state == E_DONE)
			ent_remove(d, e);
		e = prev;
	}
}

static const struct sim *sim_find(const struct dns *d, const char *name, int type)
{
	for (size_t i = 0; i < d->nsims; i++)
		if ((d->sims[i].type == 0 || d->sims[i].type == type) &&
		    !strcmp(d->sims[i].name, name))
			return &d->sims[i];
	return NULL;
}

static void ent_finish(struct ent *e, struct ans *x, unsigned ttl)
{
	pend_unlink(e->d, e);
	e->async_id = 0;
	e->state = E_DONE;
	e->ans = x;
	e->once = x->a.status == DNS_TEMPFAIL || ttl == 0;
	e->expires = mono_ms() + (long long)ttl * 1000;
}

static void ub_done(void *arg, int err, struct ub_result *r);
static void client_send(struct dns *d, struct ent *e);

/* Send the query for e (name may differ from e->name when following an
 * offline CNAME chain), or simulate a failure from the zone file. */
static void ent_query(struct dns *d, struct ent *e, const char *qname)
{
	char lname[256];
	if (d->fd >= 0) {
		client_send(d, e);
		return;
	}
	if (d->offline && norm_name(qname, lname) == 0) {
		const struct sim *s = sim_find(d, lname, e->type);
		if (s && s->kind == SIM_SERVFAIL) {
			ent_finish(e, ans_simple(DNS_TEMPFAIL, "SERVFAIL"), 0);
			return;
		}
		if (s && s->kind == SIM_TIMEOUT)
			return;		/* stays pending until the timeout */
	}
	int id = 0;
	metrics_dns(METRICS_DNS_QUERY);
	int rc = ub_resolve_async(d->ub, qname, e->type, 1 /* IN */, e, ub_done, &id);
	if (rc) {
		ent_finish(e, ans_simple(DNS_TEMPFAIL, ub_strerror(rc)), 0);
		return;
	}
	e->async_id = id;
}

static void ub_done(void *arg, int err, struct ub_result *r)
{
	struct ent *e = arg;
	struct dns *d = e->d;
	e->async_id = 0;
	if (err) {
		ent_finish(e, ans_simple(DNS_TEMPFAIL, ub_strerror(err)), 0);
		return;
	}
	/* Offline: libunbound answers a local CNAME with the CNAME alone;
	 * follow it (RFC 1034 §3.6.2) within the zone data. */
	if (d->offline && r->rcode == 0 && !r->havedata && r->canonname &&
	    e->type != DNS_T_CNAME) {
		if (++e->hops > DNS_CNAME_MAX) {
			ub_resolve_free(r);
			ent_finish(e, ans_simple(DNS_TEMPFAIL, "CNAME chain too long"), 0);
			return;
		}
		char target[300];
		snprintf(target, sizeof(target), "%s", r->canonname);
		ub_resolve_free(r);
		ent_query(d, e, target);
		return;
	}
	unsigned ttl;
	struct ans *x = ans_from_result(d, e->type, r, &ttl);
	ub_resolve_free(r);
	ent_finish(e, x, ttl);
}

/* Find or start the entry for a normalized name.  NULL: no memory. */
static struct ent *ent_start(struct dns *d, const char *lname, int type, unsigned h)
{
	struct ent *e = ent_find(d, lname, type, h);
	if (e && e->state == E_DONE && !e->once && e->expires <= mono_ms()) {
		ent_remove(d, e);
		e = NULL;
	}
	if (e)
		return e;
	if (d->nent >= d->cache_max)
		cache_evict(d);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->name, lname, strlen(lname) + 1);
	e->type = type;
	e->hash = h;
	e->d = d;
	e->state = E_PENDING;
	e->started = mono_ms();
	e->hnext = d->tab[h & d->hmask];
	d->tab[h & d->hmask] = e;
	lru_front(d, e);
	e->pnext = d->pend_head;
	if (d->pend_head)
		d->pend_head->pprev = e;
	d->pend_head = e;
	d->nent++;
	ent_query(d, e, lname);
	return e;
}

void dns_prefetch(struct dns *d, const char *name, int type)
{
	char lname[256];
	if (!d || !dns_name_valid(name) || norm_name(name, lname) < 0)
		return;
	if (d->deadline && mono_ms() >= d->deadline)
		return;
	ent_start(d, lname, type, name_hash(lname, type));
}

static void client_read(struct dns *d);

/* Wait for e with poll() on libunbound's pipe (or the shared resolver's socket), up to its timeout or the
 * message deadline. */
static void ent_wait(struct dns *d, struct ent *e)
{
	while (e->state == E_PENDING) {
		long long now = mono_ms(), lim = e->started + d->timeout;
		const char *why = "timeout";
		if (d->deadline && d->deadline < lim) {
			lim = d->deadline;
			why = "deadline";
		}
		if (now >= lim) {
			if (e->async_id && d->ub)
				ub_cancel(d->ub, e->async_id);
			if (lim == d->deadline)
				d->deadline_hit = true;
			metrics_dns(lim == d->deadline ? METRICS_DNS_DEADLINE : METRICS_DNS_TIMEOUT);
			ent_finish(e, ans_simple(DNS_TEMPFAIL, why), 0);
			break;
		}
		struct pollfd p = { .fd = d->fd >= 0 ? d->fd : ub_fd(d->ub), .events = POLLIN };
		long long left = lim - now;
		int rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0 && d->fd >= 0) {
			client_read(d);
		} else if (rc > 0) {
			int urc = ub_process(d->ub);
			if (urc && e->state == E_PENDING) {
				if (e->async_id)
					ub_cancel(d->ub, e->async_id);
				ent_finish(e, ans_simple(DNS_TEMPFAIL, ub_strerror(urc)), 0);
			}
		} else if (rc < 0 && errno != EINTR) {
			if (e->async_id && d->ub)
				ub_cancel(d->ub, e->async_id);
			ent_finish(e, ans_simple(DNS_TEMPFAIL, "poll failed"), 0);
		}
	}
}

/* A reference to e's answer for the caller; a not cacheable entry goes. */
static const struct dns_answer *ent_take(struct dns *d, struct ent *e)
{
	struct ans *x = e->ans;
	if (x->refs > 0)
		x->refs++;
	if (e->once)
		ent_remove(d, e);
	return &x->a;
}

const struct dns_answer *dns_lookup(struct dns *d, const char *name, int type)
{
	char lname[256];
	if (!d)
		return &no_memory.a;
	metrics_dns(METRICS_DNS_LOOKUP);
	if (norm_name(name, lname) < 0)
		return &bad_name.a;
	unsigned h = name_hash(lname, type);
	struct ent *e = ent_find(d, lname, type, h);
	/* Warm path: one hash probe, one clock read, one increment.  Only
	 * valid names are ever cached, so validation can wait for a miss. */
	if (e && e->state == E_DONE && !e->once && e->expires > mono_ms()) {
		if (d->lru_head != e) {
			lru_unlink(d, e);
			lru_front(d, e);
		}
		if (e->ans->refs > 0)
			e->ans->refs++;
		metrics_dns(METRICS_DNS_CACHE_HIT);
		return &e->ans->a;
	}
	if (!e && !dns_name_valid(name))
		return &bad_name.a;
	if (!e && d->deadline && mono_ms() >= d->deadline) {
		d->deadline_hit = true;
		return &past_deadline.a;
	}
	e = ent_start(d, lname, type, h);
	if (!e)
		return &no_memory.a;
	ent_wait(d, e);
	return ent_take(d, e);
}

void dns_set_deadline(struct dns *d, long ms)
{
	if (d) {
		d->deadline = ms > 0 ? mono_ms() + ms : 0;
		if (ms > 0)
			d->deadline_hit = false;
	}
}

bool dns_deadline_hit(const struct dns *d)
{
	return d && d->deadline_hit;
}

bool dns_validating(const struct dns *d)
{
	return d && d->validating;
}

const char *dns_validated_name(enum dns_validated v)
{
	return v == DNS_VALIDATED_SECURE ? "secure" : v == DNS_VALIDATED_INSECURE ? "insecure" : "";
}

/* ---- zone file (zone.c reads it; records go to libunbound) ---- */

static int zone_record(void *ctx, const char *rr, const char **why_r)
{
	struct dns *d = ctx;
	int rc = ub_ctx_data_add(d->ub, rr);
	*why_r = rc ? ub_strerror(rc) : NULL;
	return rc ? -1 : 0;
}

static int zone_sim(void *ctx, const char *name, int type, int kind)
{
	struct dns *d = ctx;
	struct sim *ns = realloc(d->sims, (d->nsims + 1) * sizeof(*ns));
	if (!ns)
		return -1;
	d->sims = ns;
	struct sim *s = &ns[d->nsims++];
	norm_name(name, s->name);
	s->type = type;
	s->kind = kind == ZONE_SIM_TIMEOUT ? SIM_TIMEOUT : SIM_SERVFAIL;
	return 0;
}

static int zone_load(struct dns *d, const char *file, char *err, size_t errsz)
{
	const struct zone_sink k = { d, zone_record, zone_sim };
	return zone_read(file, &k, &d->neg_ttl, err, errsz);
}

/* ---- lifecycle ---- */

static int ub_opt(struct dns *d, const char *opt, const char *val, char *err, size_t errsz)
{
	int rc = ub_ctx_set_option(d->ub, opt, val);
	if (rc)
		snprintf(err, errsz, "libunbound option %s %s: %s", opt, val, ub_strerror(rc));
	return rc ? -1 : 0;
}

/* libunbound's own messages ("[1796...] libunbound[pid:tid] error: tube msg
 * read failed") would go raw to stderr; they go through our log instead,
 * one line each, its prefix replaced by "dns: libunbound:".  libunbound
 * writes from its resolver thread too: the FILE's lock serializes the
 * calls of ub_log_write(), so its line buffer needs no lock of its own. */
static void ub_log_line(char *s)
{
	if (*s == '[' && strchr(s, ']'))	/* "[time] " */
		s = strchr(s, ']') + 1;
	while (*s == ' ')
		s++;
	if (!strncmp(s, "libunbound[", 11) && strchr(s, ']'))
		s = strchr(s, ']') + 1;
	while (*s == ' ')
		s++;
	if (!*s)
		return;
	if (!strncmp(s, "error: ", 7))
		log_error("dns: libunbound: %s", s + 7);
	else if (!strncmp(s, "warning: ", 9))
		log_warn("dns: libunbound: %s", s + 9);
	else if (!strncmp(s, "notice: ", 8))
		log_info("dns: libunbound: %s", s + 8);
	else
		log_debug("dns: libunbound: %s", s);
}

static ssize_t ub_log_write(void *cookie, const char *buf, size_t n)
{
	static char line[1024];
	static size_t len;
	(void)cookie;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || len == sizeof(line) - 1) {
			line[len] = 0;
			ub_log_line(line);
			len = 0;
			if (buf[i] == '\n')
				continue;
		}
		line[len++] = buf[i];
	}
	return (ssize_t)n;
}

static FILE *ub_log_file(void)
{
	static FILE *fp;
	if (!fp) {
		cookie_io_functions_t io = { .write = ub_log_write };
		if ((fp = fopencookie(NULL, "w", io)))
			setvbuf(fp, NULL, _IOLBF, 0);
	}
	return fp;
}

struct dns *dns_new(const struct conf *c, const char *zone_file, const char **error_r)
{
	static char err[600];
	err[0] = 0;
	struct dns *d = calloc(1, sizeof(*d));
	if (!d) {
		*error_r = "out of memory";
		return NULL;
	}
	d->fd = -1;
	d->cache_max = DNS_CACHE_MAX;
	d->hmask = DNS_HASH_SIZE - 1;
	if (!(d->tab = calloc(DNS_HASH_SIZE, sizeof(*d->tab)))) {
		free(d);
		*error_r = "out of memory";
		return NULL;
	}
	d->timeout = c ? c->dns_timeout : 5000;
	d->max_records = c ? (size_t)c->dns_max_records : 100;
	d->neg_ttl = 3600;
	if (!zone_file || !*zone_file)
		zone_file = c && c->dns_zone_file && *c->dns_zone_file ? c->dns_zone_file : NULL;
	d->ub = ub_ctx_create();
	if (!d->ub) {
		free(d);
		*error_r = "libunbound: cannot create context";
		return NULL;
	}
	int rc = 0;
	FILE *lf = ub_log_file();
	if (lf)
		ub_ctx_debugout(d->ub, lf);
	if (c && c->log_debug)
		ub_ctx_debuglevel(d->ub, 1);	/* libunbound's operational notes */
	/* One libunbound worker thread answers our async queries; our own
	 * code stays single-threaded and polls ub_fd(). */
	if ((rc = ub_ctx_async(d->ub, 1)) != 0)
		snprintf(err, sizeof(err), "libunbound async: %s", ub_strerror(rc));
	if (!rc && zone_file) {
		d->offline = true;
		rc = ub_opt(d, "module-config:", "iterator", err, sizeof(err));
		if (!rc && (rc = ub_ctx_zone_add(d->ub, ".", "static")) != 0)
			snprintf(err, sizeof(err), "libunbound zone: %s", ub_strerror(rc));
		if (!rc)
			rc = zone_load(d, zone_file, err, sizeof(err));
	} else if (!rc) {
		bool sec = c && c->dnssec;
		rc = ub_opt(d, "module-config:", sec ? "validator iterator" : "iterator",
			    err, sizeof(err));
		if (!rc && sec) {
			const char *ta = c->dnssec_trust_anchor;
			/* libunbound reads the file only at the first query */
			if (!ta || access(ta, R_OK) < 0) {
				snprintf(err, sizeof(err), "trust anchor %s: %s", ta ? ta : "(none)",
					 strerror(errno));
				rc = -1;
			} else if ((rc = ub_ctx_add_ta_file(d->ub, ta)) != 0)
				snprintf(err, sizeof(err), "trust anchor %s: %s", ta, ub_strerror(rc));
		}
		/* A local resolver (127.0.0.1, 127.0.0.53) or forwarder is
		 * normal here; unbound refuses loopback upstreams by default. */
		if (!rc)
			rc = ub_opt(d, "do-not-query-localhost:", "no", err, sizeof(err));
		enum conf_dns_mode mode = c ? c->dns_mode : CONF_DNS_SYSTEM;
		if (!rc && mode == CONF_DNS_SYSTEM) {
			const char *rcf = c && c->dns_resolv_conf && *c->dns_resolv_conf ?
				c->dns_resolv_conf : "/etc/resolv.conf";
			if ((rc = ub_ctx_resolvconf(d->ub, rcf)) != 0)
				snprintf(err, sizeof(err), "%s: %s", rcf, ub_strerror(rc));
		} else if (!rc && mode == CONF_DNS_FORWARD) {
			if (!c->dns_forwarders.n) {
				snprintf(err, sizeof(err), "dns_mode forward needs dns_forwarders");
				rc = -1;
			}
			for (size_t i = 0; !rc && i < c->dns_forwarders.n; i++)
				if ((rc = ub_ctx_set_fwd(d->ub, c->dns_forwarders.v[i])) != 0)
					snprintf(err, sizeof(err), "forwarder %s: %s",
						 c->dns_forwarders.v[i], ub_strerror(rc));
		}
		/* CONF_DNS_RECURSIVE: libunbound's built-in root hints. */
	}
	if (rc) {
		dns_free(d);
		*error_r = err[0] ? err : "libunbound setup failed";
		return NULL;
	}
	d->validating = !d->offline && c && c->dnssec;
	return d;
}

void dns_free(struct dns *d)
{
	if (!d)
		return;
	while (d->lru_head)
		ent_remove(d, d->lru_head);
	if (d->ub)
		ub_ctx_delete(d->ub);
	if (d->fd >= 0)
		close(d->fd);
	free(d->tab);
	free(d->sims);
	free(d);
}

/* ---- the shared resolver's wire form (dns_shared.h) ----
 *
 * One SOCK_SEQPACKET message per question or answer, all integers in host
 * order (both ends are this program on this host):
 *   question: u32 id, u16 type, name (no NUL)
 *   answer:   u32 id, u16 type, u8 namelen, name, u8 status, u8 sec,
 *             u8 truncated, u8 whylen, why, u32 ttl, u16 n,
 *             n x (u16 type, u16 pref, u32 len, data)
 * A DNS message is at most 64 KiB (RFC 1035 §4.2.2 over TCP), and an
 * answer here is never longer than the data it was built from plus 8 bytes
 * a record, so DNS_SHARED_MSG_MAX bounds every answer. */

static void put(unsigned char **p, const void *v, size_t n)
{
	memcpy(*p, v, n);
	*p += n;
}

size_t dns_shared_encode(uint32_t id, const char *name, int type,
			 const struct dns_answer *a, unsigned ttl,
			 unsigned char *buf, size_t cap)
{
	size_t nl = strlen(name), wl = a->why ? strlen(a->why) : 0;
	if (nl > 255)
		return 0;
	if (wl > 255)
		wl = 255;
	size_t need = 4 + 2 + 1 + nl + 4 + wl + 4 + 2;
	for (size_t i = 0; i < a->n; i++)
		need += 8 + a->rr[i].len;
	if (need > cap)
		return 0;
	unsigned char *p = buf;
	uint16_t t = (uint16_t)type, n = (uint16_t)a->n;
	uint32_t tl = ttl;
	unsigned char b[4] = { (unsigned char)nl, (unsigned char)a->status,
			       (unsigned char)a->sec, (unsigned char)a->truncated };
	put(&p, &id, 4);
	put(&p, &t, 2);
	put(&p, b, 1);
	put(&p, name, nl);
	put(&p, b + 1, 3);
	b[0] = (unsigned char)wl;
	put(&p, b, 1);
	put(&p, a->why ? a->why : "", wl);
	put(&p, &tl, 4);
	put(&p, &n, 2);
	for (size_t i = 0; i < a->n; i++) {
		uint16_t rt = a->rr[i].type, pf = a->rr[i].pref;
		uint32_t l = (uint32_t)a->rr[i].len;
		put(&p, &rt, 2);
		put(&p, &pf, 2);
		put(&p, &l, 4);
		put(&p, a->rr[i].data, l);
	}
	return (size_t)(p - buf);
}

/* The why texts are static storage (dns.h): an answer's text from the
 * resolver is mapped to one of ours, or kept in a small table. */
static const char *why_intern(const char *w, size_t n)
{
	static const char *const known[] = { "timeout", "deadline", "SERVFAIL", "REFUSED",
		"DNSSEC bogus", "CNAME chain too long", "bad rcode", "malformed answer",
		"out of memory", "invalid domain name", "resolver unavailable",
		"resolver busy", "answer too large", NULL };
	static char kept[32][64];
	static size_t nkept;
	for (size_t i = 0; known[i]; i++)
		if (strlen(known[i]) == n && !memcmp(known[i], w, n))
			return known[i];
	for (size_t i = 0; i < nkept; i++)
		if (strlen(kept[i]) == n && !memcmp(kept[i], w, n))
			return kept[i];
	if (nkept == 32 || n >= sizeof(kept[0]))
		return "resolver error";
	memcpy(kept[nkept], w, n);
	kept[nkept][n] = 0;
	return kept[nkept++];
}

static bool get(const unsigned char **p, const unsigned char *end, void *v, size_t n)
{
	if ((size_t)(end - *p) < n)
		return false;
	memcpy(v, *p, n);
	*p += n;
	return true;
}

/* Decode an answer: NULL when malformed; *name_r gets the question. */
static struct ans *shared_decode(const unsigned char *buf, size_t len, uint32_t *id_r,
				 char name_r[256], int *type_r, unsigned *ttl_r)
{
	const unsigned char *p = buf, *end = buf + len;
	uint16_t t, n;
	uint32_t ttl;
	unsigned char nl, b[3], wl;
	char why[256];
	if (!get(&p, end, id_r, 4) || !get(&p, end, &t, 2) || !get(&p, end, &nl, 1) ||
	    !get(&p, end, name_r, nl) || !get(&p, end, b, 3) || !get(&p, end, &wl, 1) ||
	    !get(&p, end, why, wl) || !get(&p, end, &ttl, 4) || !get(&p, end, &n, 2))
		return NULL;
	name_r[nl] = 0;
	*type_r = t;
	*ttl_r = ttl;
	if (b[0] > DNS_BADNAME || b[1] > DNS_SEC_BOGUS)
		return NULL;
	/* every record's data is followed by the NUL dns.h promises */
	size_t bytes = (size_t)(end - p) + n;
	struct ans *x = malloc(sizeof(*x) + n * sizeof(struct dns_rr) + bytes);
	if (!x)
		return &no_memory;
	memset(x, 0, sizeof(*x));
	x->refs = 1;
	x->a.status = (enum dns_status)b[0];
	x->a.sec = (enum dns_sec)b[1];
	x->a.truncated = b[2] != 0;
	x->a.why = wl ? why_intern(why, wl) : NULL;
	x->a.n = n;
	x->a.rr = n ? (struct dns_rr *)(x + 1) : NULL;
	char *data = (char *)((struct dns_rr *)(x + 1) + n);
	for (size_t i = 0; i < n; i++) {
		uint16_t rt, pf;
		uint32_t l;
		if (!get(&p, end, &rt, 2) || !get(&p, end, &pf, 2) || !get(&p, end, &l, 4) ||
		    (size_t)(end - p) < l) {
			free(x);
			return NULL;
		}
		x->a.rr[i] = (struct dns_rr){ rt, pf, l, data };
		memcpy(data, p, l);
		data[l] = 0;
		data += l + 1;
		p += l;
	}
	if (p != end || (x->a.status == DNS_OK) != (n > 0)) {
		free(x);
		return NULL;
	}
	return x;
}

static void client_fail(struct dns *d)
{
	d->broken = true;
	while (d->pend_head)
		ent_finish(d->pend_head, ans_simple(DNS_TEMPFAIL, "resolver unavailable"), 0);
}

static void client_send(struct dns *d, struct ent *e)
{
	unsigned char q[4 + 2 + 256];
	uint32_t id = ++d->seq ? d->seq : ++d->seq;	/* 0 means "none" */
	uint16_t t = (uint16_t)e->type;
	size_t nl = strlen(e->name);
	memcpy(q, &id, 4);
	memcpy(q + 4, &t, 2);
	memcpy(q + 6, e->name, nl);
	if (d->broken) {
		ent_finish(e, ans_simple(DNS_TEMPFAIL, "resolver unavailable"), 0);
		return;
	}
	ssize_t w;
	while ((w = send(d->fd, q, 6 + nl, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (w != (ssize_t)(6 + nl)) {
		ent_finish(e, ans_simple(DNS_TEMPFAIL, "resolver unavailable"), 0);
		client_fail(d);
		return;
	}
	e->async_id = (int)id;
}

/* Take every answer waiting on the socket; each finishes its entry if
 * that entry still waits for exactly this question (a late answer to a
 * question given up at its timeout is dropped). */
static void client_read(struct dns *d)
{
	static unsigned char buf[DNS_SHARED_MSG_MAX];
	for (;;) {
		ssize_t r = recv(d->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			log_warn("dns: the shared resolver went away; lookups tempfail until this process is replaced");
			client_fail(d);
			return;
		}
		if ((size_t)r > sizeof(buf))
			continue;	/* cannot happen: the resolver's cap is ours */
		uint32_t id;
		char name[256];
		int type;
		unsigned ttl;
		struct ans *x = shared_decode(buf, (size_t)r, &id, name, &type, &ttl);
		if (!x) {
			log_warn("dns: malformed answer from the shared resolver");
			continue;
		}
		struct ent *e = ent_find(d, name, type, name_hash(name, type));
		if (e && e->state == E_PENDING && (uint32_t)e->async_id == id)
			ent_finish(e, x, ttl);
		else
			ans_unref(x);
	}
}

struct dns *dns_client_new(const struct conf *c, int fd, const char *zone_file,
			   const char **error_r)
{
	struct dns *d = calloc(1, sizeof(*d));
	if (d)
		d->tab = calloc(DNS_CLIENT_HASH_SIZE, sizeof(*d->tab));
	if (!d || !d->tab) {
		free(d);
		*error_r = "out of memory";
		return NULL;
	}
	d->fd = fd;
	d->cache_max = DNS_CLIENT_CACHE_MAX;
	d->hmask = DNS_CLIENT_HASH_SIZE - 1;
	/* a little longer than the resolver's own timeout, so that its
	 * "timeout" answer (not cached) arrives before we give up */
	d->timeout = (c ? c->dns_timeout : 5000) + 250;
	d->max_records = c ? (size_t)c->dns_max_records : 100;
	if (!zone_file || !*zone_file)
		zone_file = c && c->dns_zone_file && *c->dns_zone_file ? c->dns_zone_file : NULL;
	d->offline = zone_file != NULL;
	d->validating = !d->offline && c && c->dnssec;
	return d;
}

bool dns_broken(const struct dns *d)
{
	return d && d->broken;
}

bool dns_client_lost(struct dns *d)
{
	if (!d || d->fd < 0)
		return false;
	if (!d->broken) {
		struct pollfd p = { .fd = d->fd, .events = POLLIN };
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
			client_fail(d);
	}
	return d->broken;
}

/* ---- the resolver's side ---- */

int dns_fd(const struct dns *d)
{
	return d->ub ? ub_fd(d->ub) : -1;
}

void dns_process(struct dns *d, bool readable)
{
	if (!d->ub)
		return;
	int urc = readable ? ub_process(d->ub) : 0;
	if (urc)
		log_warn("dns: libunbound: %s", ub_strerror(urc));
	long long now = mono_ms();
	for (struct ent *e = d->pend_head, *next; e; e = next) {
		next = e->pnext;
		if (now >= e->started + d->timeout) {
			metrics_dns(METRICS_DNS_TIMEOUT);
			if (e->async_id)
				ub_cancel(d->ub, e->async_id);
			ent_finish(e, ans_simple(DNS_TEMPFAIL, "timeout"), 0);
		}
	}
}

long dns_next_timeout(const struct dns *d)
{
	long long next = -1, now = mono_ms();
	for (const struct ent *e = d->pend_head; e; e = e->pnext)
		if (next < 0 || e->started + d->timeout < next)
			next = e->started + d->timeout;
	if (next < 0)
		return -1;
	return next <= now ? 0 : (long)(next - now);
}

const struct dns_answer *dns_lookup_nowait(struct dns *d, const char *name, int type,
					   unsigned *ttl_r)
{
	char lname[256];
	*ttl_r = 0;
	if (norm_name(name, lname) < 0 || !dns_name_valid(name))
		return &bad_name.a;
	unsigned h = name_hash(lname, type);
	struct ent *e = ent_start(d, lname, type, h);
	if (!e)
		return &no_memory.a;
	if (e->state == E_PENDING)
		return NULL;
	long long left = e->expires - mono_ms();
	*ttl_r = e->once || left <= 0 ? 0 : (unsigned)((left + 999) / 1000);
	return ent_take(d, e);
}
