/* sieve_worker.c - where Sieve scripts run: worker processes as the
 * mailbox owner, the request and result records between them and the
 * session, and the per-request deadline.
 *
 * Takes: a struct sieve_env and the candidate script paths (from
 * sieve_plan.c).  Returns: the script's struct sieve_result, decoded from
 * the worker's answer.  Never: evaluates a script in the session process,
 * trusts a worker's answer beyond its record format and limits, or waits
 * past sieve_timeout.
 *
 * Isolation (decision): every script is evaluated in a worker process
 * that first drops to the mailbox owner's uid/gid (when we run as root),
 * gets RLIMIT_CPU and a wall-clock deadline of sieve_timeout per request,
 * reads its script itself, runs libsieve (sieve.c) and writes its actions
 * back as length-prefixed records.  Reasons: libsieve is lex/yacc C with
 * global parser state, it has crashed on odd input, a user script must
 * only be read with the user's rights, and a script must not stall an
 * LMTP session.  A worker that dies, hangs or answers garbage is killed
 * and the script counts as failed.  A worker ends after any failed
 * script, so libsieve's error paths never leave state behind for the next
 * message.  Workers come from the pool process shared by every session
 * (sieve_pool.c, sieve_shared_workers = yes) or, without it or when the
 * pool is gone, are forked by the session and kept for its later
 * messages (see "the evaluation worker" below).
 */
#include "sieve.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "fdpass.h"
#include "msg.h"
#include "recipient.h"
#include "sieve_pool.h"
#include "sieve_private.h"

#define MAX_RECORD (16u << 20)	/* bytes a worker may send back */

/* ---- the records ---- */

static void put_u32(struct buf *b, uint32_t v)
{
	buf_add(b, &v, sizeof(v));
}

static void put_str(struct buf *b, const char *s)
{
	if (!s) {
		put_u32(b, UINT32_MAX);
		return;
	}
	size_t l = strlen(s);
	put_u32(b, (uint32_t)l);
	buf_add(b, s, l);
}

#define RECORD_MAGIC 0x53764531u	/* "SvE1" */

/* editheader state (RFC 5293): u32 count then the added fields, twice
 * (top, bottom), then u32 count and the deleted field indexes. */
static void edits_encode(const struct sieve_edits *e, struct buf *b)
{
	put_u32(b, (uint32_t)e->ntop);
	for (size_t i = 0; i < e->ntop; i++)
		put_str(b, e->top[i]);
	put_u32(b, (uint32_t)e->nbottom);
	for (size_t i = 0; i < e->nbottom; i++)
		put_str(b, e->bottom[i]);
	put_u32(b, (uint32_t)e->ndeleted);
	for (size_t i = 0; i < e->ndeleted; i++)
		put_u32(b, (uint32_t)e->deleted[i]);
}

static void result_encode(const struct sieve_result *res, struct buf *b)
{
	put_u32(b, RECORD_MAGIC);
	put_u32(b, res->ran | res->stopped << 1 | res->failed << 2);
	put_u32(b, (uint32_t)res->line);
	put_str(b, res->error);
	put_str(b, res->path);
	put_str(b, res->keep_flags);
	put_u32(b, (uint32_t)res->nacts);
	for (size_t i = 0; i < res->nacts; i++) {
		const struct sieve_act *a = &res->acts[i];
		put_u32(b, a->type);
		put_u32(b, a->copy);
		put_u32(b, (uint32_t)a->num);
		put_str(b, a->arg);
		put_str(b, a->flags);
		put_u32(b, a->edits != NULL);	/* RFC 5293: the header then */
		if (a->edits)
			edits_encode(a->edits, b);
		put_u32(b, a->vac != NULL);
		if (a->vac) {
			put_str(b, a->vac->to);
			put_str(b, a->vac->from);
			put_str(b, a->vac->subject);
			put_str(b, a->vac->text);
			put_str(b, a->vac->handle);
			put_u32(b, (uint32_t)a->vac->days);
			put_u32(b, (uint32_t)a->vac->seconds);
			put_u32(b, a->vac->mime);
		}
	}
	/* editheader: nothing but two words without edits or warnings (no
	 * allocation for them on either side) */
	put_u32(b, res->edited);
	put_u32(b, res->nwarnings);
	if (res->nwarnings)
		put_str(b, res->warning);
	if (res->edited)
		edits_encode(&res->edits, b);
	put_u32(b, RECORD_MAGIC);
}

struct rd {
	const char *p;
	size_t len, off;
	bool bad;
};

static uint32_t get_u32(struct rd *r)
{
	uint32_t v = 0;
	if (r->bad || r->len - r->off < sizeof(v)) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p + r->off, sizeof(v));
	r->off += sizeof(v);
	return v;
}

/* Returns a malloc'd string, NULL for a NULL string (*isnull) or error. */
static char *get_str(struct rd *r, bool *isnull)
{
	*isnull = false;
	uint32_t l = get_u32(r);
	if (r->bad)
		return NULL;
	if (l == UINT32_MAX) {
		*isnull = true;
		return NULL;
	}
	if (l > r->len - r->off || l > 1024 * 1024) {
		r->bad = true;
		return NULL;
	}
	char *s = strndup(r->p + r->off, l);
	if (!s)
		r->bad = true;
	r->off += l;
	return s;
}

/* Bounded by SIEVE_MAX_ADDED (an added field has at least 5 bytes) and
 * the message's field count; checked with sieve_edits_valid(). */
static void edits_decode(struct rd *r, const struct msg *m, struct sieve_edits *e)
{
	bool isnull;
	for (int k = 0; k < 2 && !r->bad; k++) {
		uint32_t n = get_u32(r);
		if (r->bad || n > SIEVE_MAX_ADDED / 5) {
			r->bad = true;
			return;
		}
		char ***list = k ? &e->bottom : &e->top;
		size_t *cnt = k ? &e->nbottom : &e->ntop;
		if (n && !(*list = calloc(n, sizeof(char *)))) {
			r->bad = true;
			return;
		}
		for (uint32_t i = 0; i < n && !r->bad; i++) {
			char *s = get_str(r, &isnull);
			if (!s) {
				r->bad = true;
				return;
			}
			(*list)[(*cnt)++] = s;
			e->added_bytes += strlen(s);
		}
	}
	uint32_t nd = get_u32(r);
	if (r->bad || nd > m->nhdrs) {
		r->bad = true;
		return;
	}
	if (nd && !(e->deleted = calloc(nd, sizeof(size_t)))) {
		r->bad = true;
		return;
	}
	for (uint32_t i = 0; i < nd && !r->bad; i++)
		e->deleted[e->ndeleted++] = get_u32(r);
	if (!r->bad && !sieve_edits_valid(e, m))
		r->bad = true;
}

static int result_decode(const char *p, size_t len, const struct conf *c, const struct msg *m,
			 struct sieve_result *res)
{
	struct rd r = { .p = p, .len = len };
	bool isnull;
	if (get_u32(&r) != RECORD_MAGIC)
		return -1;
	uint32_t fl = get_u32(&r);
	res->ran = fl & 1;
	res->stopped = fl & 2;
	res->failed = fl & 4;
	res->line = (int)get_u32(&r);
	char *s = get_str(&r, &isnull);
	snprintf(res->error, sizeof(res->error), "%s", s ? s : "");
	free(s);
	s = get_str(&r, &isnull);
	snprintf(res->path, sizeof(res->path), "%s", s ? s : "");
	free(s);
	s = get_str(&r, &isnull);
	snprintf(res->keep_flags, sizeof(res->keep_flags), "%s", s ? s : "");
	free(s);
	uint32_t n = get_u32(&r);
	if (r.bad || n > (uint32_t)c->sieve_max_actions)
		return -1;
	res->acts = calloc(n ? n : 1, sizeof(*res->acts));
	if (!res->acts)
		return -1;
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct sieve_act *a = &res->acts[i];
		res->nacts++;
		a->type = get_u32(&r);
		a->copy = get_u32(&r) != 0;
		a->num = (long)get_u32(&r);
		a->arg = get_str(&r, &isnull);
		char *f = get_str(&r, &isnull);
		snprintf(a->flags, sizeof(a->flags), "%s", f ? f : "");
		free(f);
		if (a->type < SIEVE_ACT_KEEP || a->type > SIEVE_ACT_NOTIFY)
			r.bad = true;
		if ((a->type == SIEVE_ACT_FILEINTO || a->type == SIEVE_ACT_REDIRECT ||
		     a->type == SIEVE_ACT_REJECT || a->type == SIEVE_ACT_DUPLICATE ||
		     a->type == SIEVE_ACT_NOTIFY) && !a->arg)
			r.bad = true;
		if (get_u32(&r) && !r.bad) {
			/* only stores and redirects carry a header snapshot */
			if ((a->type != SIEVE_ACT_KEEP && a->type != SIEVE_ACT_FILEINTO &&
			     a->type != SIEVE_ACT_REDIRECT) || !(a->edits = calloc(1, sizeof(*a->edits))))
				r.bad = true;
			else
				edits_decode(&r, m, a->edits);
		}
		if (get_u32(&r)) {
			struct sieve_vacation *v = calloc(1, sizeof(*v));
			if (!v) {
				r.bad = true;
				break;
			}
			a->vac = v;
			v->to = get_str(&r, &isnull);
			v->from = get_str(&r, &isnull);
			v->subject = get_str(&r, &isnull);
			v->text = get_str(&r, &isnull);
			v->handle = get_str(&r, &isnull);
			v->days = (int)get_u32(&r);
			v->seconds = (int)get_u32(&r);
			v->mime = get_u32(&r) != 0;
			if (!v->to || !v->text)
				r.bad = true;
		} else if (a->type == SIEVE_ACT_VACATION || a->type == SIEVE_ACT_NOTIFY) {
			r.bad = true;
		}
	}
	res->edited = get_u32(&r) != 0;
	res->nwarnings = get_u32(&r);
	if (res->nwarnings) {
		s = get_str(&r, &isnull);
		snprintf(res->warning, sizeof(res->warning), "%s", s ? s : "");
		free(s);
	}
	if (res->edited && !r.bad)
		edits_decode(&r, m, &res->edits);
	if (get_u32(&r) != RECORD_MAGIC || r.bad || r.off != r.len)
		return -1;
	return 0;
}

/* In the child: become the mailbox owner when we are root. */
static const char *drop_privileges(const struct mailbox *mb)
{
	if (geteuid() != 0 || !mb || mb->uid == 0)
		return NULL;
	if (setgroups(0, NULL) < 0 || setgid(mb->gid) < 0 || setuid(mb->uid) < 0)
		return "cannot change to the mailbox owner's uid/gid";
	if (setuid(0) == 0)
		return "could regain root after setuid";
	return NULL;
}

/* ---- the evaluation worker ----
 *
 * One worker process per mailbox owner (uid/gid) per session process,
 * forked at its first script and kept for the session's later messages:
 * a fork per evaluation cost 2 to 10 ms of CPU (page tables and
 * copy-on-write faults of the whole session), far more than libsieve
 * itself.  The worker drops to the owner's uid at once, closes every
 * descriptor but its socket, and answers requests one at a time:
 *
 *   request   u32 length, then: magic, the conf values scripts use,
 *             envelope from/to, message size, the header section bytes,
 *             the verdict facts and marks, the candidate script paths
 *   response  u32 length, then the result record (result_encode)
 *
 * The parent enforces sieve_timeout on each request (wall clock); a
 * worker that times out, dies or answers garbage is killed and the script
 * counts as failed; the next request forks a new one.  A worker is retired
 * after WORKER_MAX_REQUESTS (libsieve's leaks stay bounded) and at most
 * MAX_WORKERS live per session (least recently used goes first). */
#define REQUEST_MAGIC 0x53765131u	/* "SvQ1" */
#define MAX_WORKERS 4
#define WORKER_MAX_REQUESTS 1000
#define MAX_REQUEST (64u << 20)
/* a worker's answer to a header-only request: send it all (the body) */
#define SIEVE_NEED_BODY 0xfffffffeu

struct worker {
	pid_t pid;		/* 0: free slot */
	int fd;
	uid_t uid;
	gid_t gid;
	unsigned nreq;
	long long used;		/* mono_ms() of the last request, for LRU */
};
static struct worker workers[MAX_WORKERS];
static pid_t workers_owner;	/* the process the slots belong to */

static void put_blob(struct buf *b, const void *p, size_t len)
{
	put_u32(b, (uint32_t)len);
	buf_add(b, p, len);
}

/* whole: the body too (up to sieve_max_body_size), else the header
 * section only; a worker whose script may test the body (RFC 5173) asks
 * for the whole request (SIEVE_NEED_BODY), most scripts never do, and the
 * body is most of what a request would carry. */
static void request_encode(const struct sieve_env *env, const char *const *paths, size_t npaths,
			   bool whole, struct buf *b)
{
	const struct conf *c = env->c;
	const struct msg *m = env->m;
	const struct sieve_facts *f = env->facts;
	put_u32(b, 0);		/* frame length, filled in below */
	put_u32(b, REQUEST_MAGIC);
	put_str(b, c->junk_folder);
	put_str(b, c->recipient_delimiter);
	put_u32(b, (uint32_t)c->sieve_max_actions);
	put_u32(b, (uint32_t)c->sieve_max_redirects);
	put_u32(b, (uint32_t)c->sieve_max_script_size);
	put_u32(b, (uint32_t)c->sieve_timeout);
	put_u32(b, (uint32_t)c->sieve_max_body_size);
	put_str(b, c->sieve_global_dir);
	put_str(b, c->sieve_spamtest_header);
	put_u32(b, c->sieve_spamtest_type);
	put_u32(b, (uint32_t)c->sieve_spamtest_max);
	put_str(b, c->sieve_virustest_header);
	put_u32(b, c->sieve_virustest_type);
	put_u32(b, (uint32_t)c->sieve_virustest_max);
	put_str(b, env->envelope_from);
	put_str(b, env->envelope_to);
	uint64_t size = m->len;
	buf_add(b, &size, sizeof(size));
	/* the header section and at most sieve_max_body_size bytes of the
	 * body (for the body test, RFC 5173) */
	size_t hl = m->body_off <= m->len ? m->body_off : m->len;
	size_t bl = m->len - hl < (size_t)c->sieve_max_body_size ? m->len - hl
								: (size_t)c->sieve_max_body_size;
	bool withheld = !whole && bl > 0;
	if (withheld)
		bl = 0;
	put_blob(b, m->data, hl + bl);
	put_u32(b, !withheld);	/* the body (what there is of it) is here */
	put_u32(b, f != NULL);
	if (f) {
		put_str(b, f->spf);
		put_str(b, f->dkim);
		put_str(b, f->arc);
		put_str(b, f->dmarc);
		put_str(b, f->dmarc_policy);
		put_str(b, f->disposition);
		put_str(b, f->folder);
		put_u32(b, f->marks != NULL);
		if (f->marks)
			put_blob(b, f->marks, m->nhdrs);
	}
	put_str(b, env->maildir ? env->maildir : env->mb ? env->mb->maildir : NULL);
	put_str(b, env->home ? env->home : env->mb ? env->mb->home : NULL);
	put_u32(b, (uint32_t)npaths);
	for (size_t i = 0; i < npaths; i++)
		put_str(b, paths[i]);
	/* editheader: the earlier scripts' edits, which this one sees */
	bool edits = sieve_edits_any(env->edits);
	put_u32(b, edits);
	if (edits)
		edits_encode(env->edits, b);
	put_u32(b, REQUEST_MAGIC);
	if (buf_status(b) == 0) {
		uint32_t len = (uint32_t)(b->len - 4);
		memcpy(b->p, &len, sizeof(len));
	}
}

/* The strings of one decoded request; freed by request_clear. */
struct request {
	struct conf conf;
	char *junk, *delim, *from, *to, *maildir, *home, *gdir, *spamh, *virh, *facts_s[7], *paths[4];
	unsigned char *marks;
	size_t npaths;
	struct sieve_facts facts;
	bool has_facts;
	struct msg m;
	bool whole;		/* the body is there (or there is none) */
	uint64_t size;
	struct sieve_edits edits;
};

static void request_clear(struct request *q)
{
	free(q->junk);
	free(q->delim);
	free(q->from);
	free(q->to);
	free(q->maildir);
	free(q->home);
	free(q->gdir);
	free(q->spamh);
	free(q->virh);
	for (size_t i = 0; i < 7; i++)
		free(q->facts_s[i]);
	for (size_t i = 0; i < q->npaths; i++)
		free(q->paths[i]);
	free(q->marks);
	sieve_edits_clear(&q->edits);
	msg_clear(&q->m);
}

static char *get_blob(struct rd *r, size_t *len_r)
{
	uint32_t l = get_u32(r);
	if (r->bad || l > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	char *p = malloc((size_t)l + 1);
	if (!p) {
		r->bad = true;
		return NULL;
	}
	memcpy(p, r->p + r->off, l);
	p[l] = 0;
	r->off += l;
	*len_r = l;
	return p;
}

static int request_decode(const char *p, size_t len, const struct conf *base, struct request *q)
{
	struct rd r = { .p = p, .len = len };
	bool isnull;
	memset(q, 0, sizeof(*q));
	if (get_u32(&r) != REQUEST_MAGIC)
		return -1;
	q->conf = *base;
	q->junk = get_str(&r, &isnull);
	q->delim = get_str(&r, &isnull);
	q->conf.junk_folder = q->junk ? q->junk : "Junk";
	q->conf.recipient_delimiter = q->delim ? q->delim : "";
	q->conf.sieve_max_actions = (long)get_u32(&r);
	q->conf.sieve_max_redirects = (long)get_u32(&r);
	q->conf.sieve_max_script_size = (long)get_u32(&r);
	q->conf.sieve_timeout = (long)get_u32(&r);
	q->conf.sieve_max_body_size = (long)get_u32(&r);
	q->gdir = get_str(&r, &isnull);
	q->conf.sieve_global_dir = q->gdir ? q->gdir : "";
	q->spamh = get_str(&r, &isnull);
	q->conf.sieve_spamtest_header = q->spamh ? q->spamh : "";
	q->conf.sieve_spamtest_type = get_u32(&r) ? CONF_SCORE_STRLEN : CONF_SCORE_NUMBER;
	q->conf.sieve_spamtest_max = (long)get_u32(&r);
	q->virh = get_str(&r, &isnull);
	q->conf.sieve_virustest_header = q->virh ? q->virh : "";
	q->conf.sieve_virustest_type = get_u32(&r) ? CONF_SCORE_STRLEN : CONF_SCORE_NUMBER;
	q->conf.sieve_virustest_max = (long)get_u32(&r);
	if (q->conf.sieve_spamtest_max < 1 || q->conf.sieve_virustest_max < 1)
		r.bad = true;
	q->from = get_str(&r, &isnull);
	q->to = get_str(&r, &isnull);
	if (r.bad || r.len - r.off < sizeof(q->size))
		return -1;
	memcpy(&q->size, r.p + r.off, sizeof(q->size));
	r.off += sizeof(q->size);
	size_t hlen = 0;
	char *h = get_blob(&r, &hlen);
	const char *err = NULL;
	if (!h || msg_init(&q->m, h, hlen, SIZE_MAX / sizeof(struct msg_hdr) / 2, &err) < 0) {
		if (h && !q->m.data)
			free(h);
		return -1;
	}
	q->whole = get_u32(&r) != 0;
	q->has_facts = get_u32(&r) != 0;
	if (q->has_facts) {
		for (size_t i = 0; i < 7; i++)
			q->facts_s[i] = get_str(&r, &isnull);
		q->facts = (struct sieve_facts){
			q->facts_s[0], q->facts_s[1], q->facts_s[2], q->facts_s[3],
			q->facts_s[4], q->facts_s[5], q->facts_s[6] ? q->facts_s[6] : "INBOX", NULL,
		};
		if (get_u32(&r)) {
			size_t ml = 0;
			q->marks = (unsigned char *)get_blob(&r, &ml);
			if (ml != q->m.nhdrs)
				r.bad = true;
			q->facts.marks = q->marks;
		}
	}
	q->maildir = get_str(&r, &isnull);
	q->home = get_str(&r, &isnull);
	uint32_t n = get_u32(&r);
	if (r.bad || n > 4)
		return -1;
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		q->paths[i] = get_str(&r, &isnull);
		q->npaths++;
		if (!q->paths[i])
			r.bad = true;
	}
	if (get_u32(&r) && !r.bad)
		edits_decode(&r, &q->m, &q->edits);
	if (get_u32(&r) != REQUEST_MAGIC || r.bad || r.off != r.len)
		return -1;
	return 0;
}

/* The scripts a worker has read, kept for its later requests: most
 * deliveries run the same default script, and reading it was open,
 * fstat, two reads and close each time.  An entry is used only while a
 * stat() of the path shows the same file unchanged (device, inode, size,
 * mtime and ctime, to the nanosecond) and read under the same size limit;
 * a file changed within the last SCRIPT_RACY_S seconds is read afresh
 * every time (timestamps have a clock tick's granularity: a second write
 * in the same tick would leave them equal, as in git's "racy" index). */
#define SCRIPT_CACHE 8
#define SCRIPT_RACY_S 2

struct cached_script {
	char *path, *text;
	size_t len, max;
	bool valid;		/* text validated (sieve_run_script_cached) */
	bool wants_body;	/* script_wants_body(text) */
	struct stat st;
	unsigned long long used;
};
static struct cached_script script_cache[SCRIPT_CACHE];
static unsigned long long script_clock;

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* May the script look at the body?  The body test (RFC 5173), or an
 * include whose script might; a mere mention ("nobody") only costs the
 * round trip for the body.  Never wrong the other way: the test is the
 * keyword body, an identifier that libsieve's lexer matches as written
 * (case-sensitive, no escapes: "b\ody" can spell the require string but
 * not the test). */
static bool script_wants_body(const char *text, size_t len)
{
	return memmem(text, len, "body", 4) || memmem(text, len, "include", 7);
}

/* The script at path (the cache's entry: do not free), or NULL with errno
 * and *why (ENOENT: no script there). */
static struct cached_script *script_get(const char *path, size_t max, const char **why)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		*why = strerror(errno);
		return NULL;
	}
	struct cached_script *e = NULL, *lru = &script_cache[0];
	for (size_t i = 0; i < SCRIPT_CACHE; i++) {
		struct cached_script *x = &script_cache[i];
		if (x->path && !strcmp(x->path, path)) {
			e = x;
			break;
		}
		if (!x->path || (lru->path && x->used < lru->used))
			lru = x;
	}
	if (e && e->max == max && same_file(&e->st, &st)) {
		e->used = ++script_clock;
		return e;
	}
	size_t len = 0;
	char *text = sieve_read_script(path, max, &len, why);
	if (!text)
		return NULL;
	if (!e) {
		e = lru;
		free(e->path);
		e->path = strdup(path);
	}
	free(e->text);
	e->text = text;
	e->valid = false;
	e->wants_body = script_wants_body(text, len);
	e->len = len;
	e->max = max;
	e->used = ++script_clock;
	/* racy or unknown: never matched, so read again next time */
	if (!e->path || st.st_ctim.tv_sec + SCRIPT_RACY_S > time(NULL))
		memset(&e->st, 0, sizeof(e->st));
	else
		e->st = st;
	return e;
}

/* One request from fd into q: 1, -1 EOF or a short read, -2 garbage. */
static int request_read(int fd, const struct conf *base, struct request *q)
{
	uint32_t len;
	memset(q, 0, sizeof(*q));
	if (read_exact(fd, &len, sizeof(len)) < 0)
		return -1;
	if (len > MAX_REQUEST)
		return -2;
	char *p = malloc(len ? len : 1);
	if (!p)
		return -2;
	if (read_exact(fd, p, len) < 0) {
		free(p);
		return -1;
	}
	int dec = request_decode(p, len, base, q);
	free(p);
	if (dec < 0) {
		request_clear(q);
		return -2;
	}
	return 1;
}

/* The first of q's paths that exists: its index (npaths: none), and its
 * text from the cache, or NULL with err (it exists but cannot be read). */
struct script_found {
	size_t i;
	struct cached_script *s;
	const char *err;
};

static void script_find(const struct request *q, struct script_found *f)
{
	*f = (struct script_found){ .i = q->npaths };
	for (size_t i = 0; i < q->npaths; i++) {
		const char *err = NULL;
		struct cached_script *sc = script_get(q->paths[i],
						      (size_t)q->conf.sieve_max_script_size, &err);
		if (!sc && errno == ENOENT)
			continue;
		*f = (struct script_found){ i, sc, err };
		return;
	}
}

/* Serve one request on fd: 1 served, 0 served and the worker must end
 * now (after a failed script libsieve may have leaked, overrun an error
 * string by a byte, or been left by longjmp: sieve.c's quirks), -1 no
 * request (EOF: the session ended or gave up), -2 garbage. */
static int serve_one(int fd, const char *why, const struct conf *base)
{
	struct request q;
	struct sieve_result res = { 0 };
	int rd = request_read(fd, base, &q);
	if (rd < 0)
		return rd;
	/* the script: the first of the paths that exists (user, then
	 * default); the session sent the header only: ask for the rest when
	 * that script may test the body */
	struct script_found sf = { .i = q.npaths };
	if (!why)
		script_find(&q, &sf);
	if (!why && !q.whole && sf.s && sf.s->wants_body) {
		uint32_t need = SIEVE_NEED_BODY;
		request_clear(&q);
		if (write_full(fd, &need, sizeof(need)) < 0)
			return -1;
		if ((rd = request_read(fd, base, &q)) < 0)
			return rd;
		script_find(&q, &sf);
	}
	/* CPU backstop at least one second after the parent's wall-clock
	 * deadline (the limit is per process, so it counts from the CPU used
	 * so far, in whole seconds: up to 1 s more than counted).  Armed with
	 * three seconds to spare and re-armed once per wall-clock second, not
	 * per request (two system calls each): a request within that second
	 * still has at least sieve_timeout + 1 s. */
	static long long armed_ms = -1000000;
	static long armed_timeout;
	long long now = mono_ms();
	if (now - armed_ms >= 1000 || armed_timeout != q.conf.sieve_timeout) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec);
		struct rlimit rl = { used + (rlim_t)q.conf.sieve_timeout + 3, RLIM_INFINITY };
		setrlimit(RLIMIT_CPU, &rl);
		armed_ms = now;
		armed_timeout = q.conf.sieve_timeout;
	}

	struct sieve_env env = {
		.c = &q.conf, .mb = NULL, .m = &q.m,
		.facts = q.has_facts ? &q.facts : NULL,
		.envelope_from = q.from ? q.from : "",
		.envelope_to = q.to ? q.to : "",
		.size = (size_t)q.size,
		.maildir = q.maildir,
		.home = q.home,
		.edits = &q.edits,
	};
	if (why) {
		res.ran = true;
		snprintf(res.path, sizeof(res.path), "%s", q.npaths ? q.paths[0] : "");
		sieve_result_fail(&res, 0, "%s", why);
	}
	if (!why && sf.i < q.npaths) {
		snprintf(res.path, sizeof(res.path), "%s", q.paths[sf.i]);
		if (!sf.s) {
			res.ran = true;
			sieve_result_fail(&res, 0, "cannot read script: %s", sf.err);
		} else
			sieve_run_script_cached(&env, sf.s->text, sf.s->len, &sf.s->valid, &res);
	}
	struct buf b;
	buf_init(&b, MAX_RECORD);
	put_u32(&b, 0);
	result_encode(&res, &b);
	bool retire = res.failed;
	sieve_result_clear(&res);
	request_clear(&q);
	if (buf_status(&b) < 0) {
		buf_clear(&b);
		return 0;	/* no answer: the session counts it failed */
	}
	uint32_t rl32 = (uint32_t)(b.len - 4);
	memcpy(b.p, &rl32, sizeof(rl32));
	/* a session that gave up meanwhile: nothing to tell, go on */
	(void)write_full(fd, b.p, b.len);
	buf_clear(&b);
	return retire ? 0 : 1;
}

/* The worker's loops; never return (sieve_pool.h). */
void sieve_worker_main(int fd, const struct mailbox *mb, const struct conf *base, bool jobs)
{
	const char *why = drop_privileges(mb);
	signal(SIGPIPE, SIG_IGN);	/* a session gone: EPIPE, not death */
	if (!jobs)
		for (;;) {
			int r = serve_one(fd, why, base);
			if (r <= 0)
				_exit(r == -2 ? 2 : 0);	/* EOF: the session ended */
		}
	for (;;) {
		char m[8];
		int jfd;
		ssize_t n = fdpass_recvmsg(fd, &jfd, m, sizeof(m), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1 || m[0] != 'J' || jfd < 0)
			_exit(n == 0 ? 0 : 2);	/* EOF: the pool let it go */
		int r = serve_one(jfd, why, base);
		close(jfd);
		if (r == 0 || r == -2)
			_exit(r == 0 ? 0 : 2);
		if (send(fd, "F", 1, MSG_NOSIGNAL) != 1)
			_exit(0);
	}
}

static void worker_reap(struct worker *w, bool kill_it, int *status_r)
{
	int status = 0;
	if (w->fd >= 0)
		close(w->fd);
	if (kill_it)
		kill(w->pid, SIGKILL);
	/* not killed: closing the socket ends its loop at once */
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (status_r)
		*status_r = status;
	w->pid = 0;
	w->fd = -1;
}

/* Whom a worker for env runs as. */
static void worker_owner(const struct sieve_env *env, uid_t *uid_r, gid_t *gid_r)
{
	*uid_r = env->mb ? env->mb->uid : geteuid();
	*gid_r = env->mb ? env->mb->gid : getegid();
	if (geteuid() != 0 || !env->mb || env->mb->uid == 0) {
		*uid_r = geteuid();	/* no privilege change: one worker fits all */
		*gid_r = getegid();
	}
}

static struct worker *worker_get(const struct sieve_env *env, const char **error_r)
{
	uid_t uid;
	gid_t gid;
	worker_owner(env, &uid, &gid);
	if (workers_owner != self_pid()) {
		/* inherited slots (a fork of a process that had workers):
		 * not ours to use or reap */
		for (size_t i = 0; i < MAX_WORKERS; i++) {
			if (workers[i].pid && workers[i].fd >= 0)
				close(workers[i].fd);
			workers[i] = (struct worker){ .fd = -1 };
		}
		workers_owner = self_pid();
	}
	struct worker *w = NULL, *lru = &workers[0];
	for (size_t i = 0; i < MAX_WORKERS; i++) {
		struct worker *x = &workers[i];
		if (x->pid && x->uid == uid && x->gid == gid) {
			if (x->nreq < WORKER_MAX_REQUESTS)
				return x;
			worker_reap(x, false, NULL);	/* retired */
		}
		if (!x->pid && !w)
			w = x;
		if (x->used < lru->used)
			lru = x;
	}
	if (!w) {
		worker_reap(lru, false, NULL);
		w = lru;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		*error_r = "sieve: socketpair failed";
		return NULL;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		*error_r = "sieve: fork failed";
		return NULL;
	}
	if (pid == 0) {
		/* not the server's handlers: a signal just ends the worker */
		static const int sigs[] = { SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2 };
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			signal(sigs[k], SIG_DFL);
		/* keep stdio and the socket only: no LMTP connection, no
		 * other worker, no listener stays open in here */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		sieve_worker_main(3, env->mb, env->c, false);
	}
	close(sv[1]);
	*w = (struct worker){ .pid = pid, .fd = sv[0], .uid = uid, .gid = gid };
	return w;
}

/* Wait for fd to be readable or writable until deadline; 0 ready,
 * -1 timeout or error, -2 (pooled: fd is a pool job's socket) the pool
 * stopped taking jobs, checked every 250 ms (sieve_pool_stalled). */
static int wait_fd(int fd, short ev, long long deadline, bool pooled)
{
	for (;;) {
		long long left = deadline - mono_ms();
		if (left <= 0)
			return -1;
		if (pooled && sieve_pool_stalled())
			return -2;
		if (pooled && left > 250)
			left = 250;
		struct pollfd p = { .fd = fd, .events = ev };
		int pr = poll(&p, 1, (int)(left > INT_MAX ? INT_MAX : left));
		if ((pr < 0 && errno == EINTR) || (pr == 0 && pooled))
			continue;
		if (pr <= 0)
			return -1;
		return 0;
	}
}

/* 0, or -1 with *timeout, or -2: the pool stalled (wait_fd) */
static int io_deadline(int fd, void *p, size_t len, bool wr, long long deadline, bool pooled,
		       bool *timeout)
{
	char *c = p;
	while (len) {
		int w = wait_fd(fd, wr ? POLLOUT : POLLIN, deadline, pooled);
		if (w < 0) {
			*timeout = mono_ms() >= deadline;
			return w;
		}
		ssize_t n = wr ? send(fd, c, len, MSG_DONTWAIT | MSG_NOSIGNAL) :
				 recv(fd, c, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One request and its answer on a worker's socket (the first off bytes
 * of req are written already). */
enum xchg {
	XC_OK, XC_FAILED, XC_TIMEOUT,
	XC_GONE,	/* EOF before any answer byte: the request had not run */
	XC_REFUSED,	/* the pool had no worker for it */
	XC_STALLED	/* the pool stopped taking jobs (sieve_pool_stalled) */
};

/* pooled: fd is a pool job's socket; until the first answer byte (only a
 * worker writes one, so then the pool has placed the job) the waits also
 * watch the pool (wait_fd). */
static enum xchg exchange(int fd, const struct sieve_job *j, size_t off, bool pooled,
			  struct sieve_result *res)
{
	const struct conf *c = j->env->c;
	const struct msg *m = j->env->m;
	const struct buf *req = &j->req;
	long long deadline = j->deadline;
	bool timeout = false, asked = false;
	/* a write error is the other end gone: what it said before it went
	 * (the pool's refusal) is still there to read */
	int w;
	if (off < req->len &&
	    (w = io_deadline(fd, req->p + off, req->len - off, true, deadline, pooled, &timeout)) < 0 &&
	    (timeout || w == -2))
		return w == -2 ? XC_STALLED : XC_TIMEOUT;
	char head[4096];
	ssize_t n;
again:
	if ((w = wait_fd(fd, POLLIN, deadline, pooled && !asked)) < 0)
		return w == -2 ? XC_STALLED : XC_TIMEOUT;
	/* most answers are small: one recv takes the length and all of it */
	while ((n = recv(fd, head, sizeof(head), MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	/* the other end closed before answering: EOF, or ECONNRESET when it
	 * left our request unread (a worker killed with the job queued to
	 * it, a pool gone with the job waiting) */
	if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
		return XC_GONE;
	if (n < 0)
		return XC_FAILED;
	size_t have = (size_t)n;
	if (have < 4 && io_deadline(fd, head + have, 4 - have, false, deadline, false, &timeout) < 0)
		return timeout ? XC_TIMEOUT : XC_FAILED;
	if (have < 4)
		have = 4;
	uint32_t rlen;
	memcpy(&rlen, head, 4);
	if (rlen == SIEVE_POOL_REFUSED)
		return XC_REFUSED;
	if (rlen == SIEVE_NEED_BODY && !asked && have == 4) {
		/* the script may test the body: the whole request, once */
		asked = true;
		struct buf full;
		buf_init(&full, MAX_REQUEST);
		request_encode(j->env, j->paths, j->npaths, true, &full);
		int wr = buf_status(&full) < 0 ? -1 :
			 io_deadline(fd, full.p, full.len, true, deadline, false, &timeout);
		buf_clear(&full);
		if (wr < 0)
			return timeout ? XC_TIMEOUT : XC_FAILED;
		goto again;
	}
	if (rlen > MAX_RECORD || have - 4 > rlen)
		return XC_FAILED;
	char *resp = malloc(rlen ? rlen : 1);
	if (!resp)
		return XC_FAILED;
	memcpy(resp, head + 4, have - 4);
	enum xchg x = XC_FAILED;
	if (io_deadline(fd, resp + (have - 4), rlen - (have - 4), false, deadline, false, &timeout) == 0 &&
	    result_decode(resp, rlen, c, m, res) == 0)
		x = XC_OK;
	else if (timeout)
		x = XC_TIMEOUT;
	free(resp);
	return x;
}

/* Evaluation by a pool worker (sieve_pool.h), the job already handed to
 * the pool by sieve_job_start() (fd >= 0) or not yet.  0 with *res set,
 * or -1: no pool worker (the caller forks one of its own). */
static int run_pooled(struct sieve_job *j, struct sieve_result *res)
{
	uid_t uid;
	gid_t gid;
	worker_owner(j->env, &uid, &gid);
	/* a worker that ended without answering (XC_GONE: it died on the
	 * job, or before it read it): once more, with another worker.  Safe
	 * because an evaluation has no effect of its own (the session
	 * carries out the actions); once only, so that a message that
	 * crashes libsieve costs two workers, not a loop */
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t sent = j->sent;
		uint32_t seq = j->seq;
		int fd = j->fd;
		j->fd = -1;
		if (fd < 0)
			fd = sieve_pool_submit(uid, gid, j->deadline, j->req.p, j->req.len, &sent, &seq);
		if (fd < 0)
			return -1;
		enum xchg x = exchange(fd, j, sent, true, res);
		close(fd);
		if (x == XC_STALLED)
			sieve_pool_give_up();	/* logs; no "K": the pool sees us go */
		if (x == XC_REFUSED || x == XC_STALLED)
			return -1;	/* a worker of our own, same deadline */
		if (x == XC_OK)
			return 0;	/* a failed script ends its worker itself */
		sieve_result_clear(res);
		if (x == XC_TIMEOUT || x == XC_FAILED)
			sieve_pool_kill(seq);
		if (x == XC_GONE && attempt == 0)
			continue;
		res->ran = true;
		snprintf(res->path, sizeof(res->path), "%s", j->paths[0]);
		if (x == XC_TIMEOUT)
			sieve_result_fail(res, 0, "evaluation took longer than sieve_timeout (%lds)",
					  j->env->c->sieve_timeout);
		else
			sieve_result_fail(res, 0, "evaluation failed (the worker ended or answered garbage)");
		return 0;
	}
	return -1;
}

/* sieve_private.h: the request encoded and, when there is a pool, handed
 * to it; the answer is read by sieve_job_finish(). */
int sieve_job_start(const struct sieve_env *env, const char *const *paths, size_t npaths,
		    struct sieve_job *j, const char **error_r)
{
	*j = (struct sieve_job){ .fd = -1, .env = env, .paths = paths, .npaths = npaths };
	j->deadline = mono_ms() + env->c->sieve_timeout * 1000LL;
	buf_init(&j->req, MAX_REQUEST);
	request_encode(env, paths, npaths, false, &j->req);
	if (buf_status(&j->req) < 0) {
		buf_clear(&j->req);
		*error_r = "sieve: request too large or out of memory";
		return -1;
	}
	uid_t uid;
	gid_t gid;
	worker_owner(env, &uid, &gid);
	j->fd = sieve_pool_submit(uid, gid, j->deadline, j->req.p, j->req.len, &j->sent, &j->seq);
	return 0;
}

bool sieve_job_running(const struct sieve_job *j)
{
	return j->fd >= 0;
}

void sieve_job_cancel(struct sieve_job *j)
{
	if (j->fd >= 0) {
		close(j->fd);	/* the worker's answer goes nowhere: no effect */
		j->fd = -1;
	}
	buf_clear(&j->req);
}

/* sieve_private.h.  Returns -1 only when no worker could be started. */
int sieve_job_finish(struct sieve_job *j, struct sieve_result *res, const char **error_r)
{
	int rc = 0;
	if (run_pooled(j, res) == 0)
		goto done;
	struct worker *w = worker_get(j->env, error_r);
	if (!w) {
		rc = -1;
		goto done;
	}
	w->nreq++;
	w->used = mono_ms();
	enum xchg x = exchange(w->fd, j, 0, false, res);
	if (x == XC_OK) {
		if (res->failed)
			worker_reap(w, false, NULL);	/* it ends itself after a failure */
		goto done;
	}
	int status = 0;
	worker_reap(w, true, &status);
	sieve_result_clear(res);
	res->ran = true;
	snprintf(res->path, sizeof(res->path), "%s", j->paths[0]);
	if (x == XC_TIMEOUT)
		sieve_result_fail(res, 0, "evaluation took longer than sieve_timeout (%lds)",
				  j->env->c->sieve_timeout);
	else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		sieve_result_fail(res, 0, "evaluation crashed (signal %d)", WTERMSIG(status));
	else
		sieve_result_fail(res, 0, "evaluation failed (bad result from the worker)");
done:
	sieve_job_cancel(j);	/* the request, and a socket a retry left */
	return rc;
}

int sieve_run_worker(const struct sieve_env *env, const char *const *paths, size_t npaths,
		     struct sieve_result *res, const char **error_r)
{
	struct sieve_job j;
	if (sieve_job_start(env, paths, npaths, &j, error_r) < 0)
		return -1;
	return sieve_job_finish(&j, res, error_r);
}
