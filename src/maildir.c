/* maildir.c - safe Maildir delivery: tmp/ -> write -> fsync -> new/ -> fsync dir.
 *
 * Takes a resolved mailbox (recipient.c), a folder name, optional flags and the
 * message as pieces in wire (CRLF) form.  maildir_commit() returns 0 only
 * when the file is in new/ (or cur/ with flags) and both the file and the
 * directory entry are on disk; otherwise -1, a reason and errno, and
 * nothing of this delivery is left in tmp/, new/ or cur/ (the caller maps
 * ENOSPC/EDQUOT to 452 4.3.1, anything else to 451 4.3.0).
 *
 * It never re-serializes the message (only CRLF pairs become LF), never
 * follows a symlink below the Maildir root (openat + O_NOFOLLOW walk),
 * never overwrites a file (O_EXCL, renameat2 RENAME_NOREPLACE or link()),
 * and never chowns: everything is created with the caller's effective
 * uid/gid.  Files a killed delivery left in tmp/ are removed when that
 * Maildir is next written, once they are older than 36 hours (tmp_sweep,
 * at most every 10 minutes per folder and process).
 */
#include "maildir.h"
#include "buf.h"

#include "conf.h"
#include "log.h"
#include "recipient.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAILDIR_SUBS "subscriptions"
#define MAILDIR_SUBS_LOCK "subscriptions.lock"
#define MAILDIR_SUBS_MAX (1024 * 1024)	/* larger: leave it alone */
#define MAILDIR_LOCK_STALE 30		/* seconds, as Dovecot */
#define MAILDIR_LOCK_TRIES 200		/* x 10 ms */
#define MAILDIR_NAME_TRIES 5		/* O_EXCL collisions before giving up */

/* The reason is "what where" ("write /m/tmp/NAME"); the errno text is the
 * caller's to add (it has errno_r), so it is not repeated here. */
static int fail(struct maildir_tx *tx, const char **error_r, int *errno_r,
		int err, const char *what, const char *where)
{
	size_t wl = strlen(what), rl = strlen(where), cap = sizeof(tx->error), o;

	if (wl > cap / 2)
		wl = cap / 2;
	memcpy(tx->error, what, wl);
	o = wl;
	tx->error[o++] = ' ';
	if (o + rl >= cap) {	/* keep the path's tail, the informative end */
		memcpy(tx->error + o, "...", 3);
		o += 3;
		where += rl - (cap - 1 - o);
		rl = cap - 1 - o;
	}
	memcpy(tx->error + o, where, rl);
	tx->error[o + rl] = '\0';
	if (error_r)
		*error_r = tx->error;
	if (errno_r)
		*errno_r = err;
	errno = err;
	return -1;
}

/* ---- folder names ---------------------------------------------------- */

static const char b64_mod[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Decode one UTF-8 sequence strictly (no overlongs, no surrogates, at most
 * U+10FFFF); returns its length or 0. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp_r)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp_r = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		n = 2;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		n = 3;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		n = 4;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return n;
}

struct outbuf {
	char *p;
	size_t len, cap;
	int overflow;
};

static void out_c(struct outbuf *o, char c)
{
	if (o->len + 1 < o->cap)
		o->p[o->len++] = c;
	else
		o->overflow = 1;
}

/* RFC 3501 §5.1.3: a run of non-printable-ASCII characters becomes "&",
 * modified BASE64 (',' for '/', no padding) of their UTF-16BE, "-". */
static size_t mutf7_run(const unsigned char *s, struct outbuf *o,
			const char **error_r)
{
	uint32_t bits = 0;
	int nbits = 0;
	size_t used = 0;

	out_c(o, '&');
	while (s[used] >= 0x80) {
		uint32_t cp;
		uint16_t u[2];
		int nu, k;
		size_t n = utf8_decode(s + used, &cp);

		if (!n) {
			*error_r = "folder name is not valid UTF-8";
			return 0;
		}
		used += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[0] = 0xd800 | (cp >> 10);
			u[1] = 0xdc00 | (cp & 0x3ff);
			nu = 2;
		} else {
			u[0] = cp;
			nu = 1;
		}
		for (k = 0; k < nu; k++) {
			bits = bits << 16 | u[k];
			nbits += 16;
			while (nbits >= 6) {
				nbits -= 6;
				out_c(o, b64_mod[(bits >> nbits) & 0x3f]);
			}
		}
	}
	if (nbits)
		out_c(o, b64_mod[(bits << (6 - nbits)) & 0x3f]);
	out_c(o, '-');
	return used;
}

/* Map a folder name to a Maildir++ directory name, like Dovecot's
 * maildir++ layout: '/' and '.' both separate levels (".a.b"), names are
 * UTF-8 (Sieve, RFC 5228 §2.7.2 / RFC 5490) stored in modified UTF-7.
 * Refused: empty components (so "..", leading or trailing '/' or '.'),
 * control characters, a component starting with '~' (Dovecot treats
 * "~user" as a home reference), invalid UTF-8 and names over NAME_MAX. */
int maildir_folder_dir(const char *folder, char *out, size_t outlen,
		       const char **error_r)
{
	struct outbuf o = { out, 0, outlen, 0 };
	const unsigned char *s = (const unsigned char *)folder;
	size_t comp = 0;
	const char *err = NULL;

	if (!outlen)
		return -1;
	out[0] = '\0';
	if (!folder || !*folder || !strcasecmp(folder, "INBOX"))
		return 0;
	out_c(&o, '.');
	while (*s) {
		if (*s == '/' || *s == '.') {
			if (!comp) {
				*error_r = "folder name has an empty component";
				return -1;
			}
			out_c(&o, '.');
			comp = 0;
			s++;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			*error_r = "folder name has a control character";
			return -1;
		}
		if (!comp && *s == '~') {
			*error_r = "folder name component starts with '~'";
			return -1;
		}
		comp++;
		if (*s >= 0x80) {
			size_t n = mutf7_run(s, &o, &err);

			if (!n) {
				*error_r = err;
				return -1;
			}
			s += n;
		} else if (*s == '&') {
			out_c(&o, '&');
			out_c(&o, '-');
			s++;
		} else
			out_c(&o, (char)*s++);
	}
	if (!comp) {
		*error_r = "folder name has an empty component";
		return -1;
	}
	if (o.overflow || o.len > NAME_MAX) {
		*error_r = "folder name too long";
		out[0] = '\0';
		return -1;
	}
	out[o.len] = '\0';
	return 0;
}

/* ---- file names ------------------------------------------------------ */

/* Hostname as in Dovecot/qmail: '/' -> "\057", ':' -> "\072"; we also
 * octal-escape anything but [A-Za-z0-9.-_] so that ',' or '\' from a
 * configured name cannot confuse ",S=" parsers.  Capped at 100 bytes. */
static void host_escaped(char *out, size_t outlen)
{
	char h[256];
	const char *src = conf && conf->hostname && *conf->hostname ?
		conf->hostname : NULL;
	size_t o = 0;

	if (!src) {
		if (gethostname(h, sizeof(h) - 1) < 0)
			strcpy(h, "localhost");
		h[sizeof(h) - 1] = '\0';
		src = h;
	}
	for (; *src && o + 5 < outlen && o < 100; src++) {
		unsigned char c = (unsigned char)*src;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
			out[o++] = c;
		else
			o += snprintf(out + o, outlen - o, "\\%03o", c);
	}
	out[o] = '\0';
}

/* What a file name needs that does not change while a process lives: the
 * escaped host (gethostname() once; again only when conf's hostname
 * changes, as a test or a reload may do), and a random seed per process (a forked child, seen by its pid,
 * seeds again so that two siblings never share a sequence).  Only the
 * session's own thread names files. */
static struct {
	int have_host;
	char hostname[256];		/* host is for this conf->hostname ("": ours) */
	char host[128];
	pid_t pid;			/* the seed is this process's */
	uint64_t state;
} names;
static unsigned long name_counter;

/* splitmix64 (Steele, Lea, Flood 2014): the R part need not be secret
 * (the name is unique by time, pid and counter), only unpredictable
 * enough not to collide with another host's names */
static uint64_t name_random(pid_t pid)
{
	uint64_t z;

	if (names.pid != pid) {
		struct timeval tv;

		if (getrandom(&names.state, sizeof(names.state), GRND_NONBLOCK) !=
		    sizeof(names.state)) {
			gettimeofday(&tv, NULL);
			names.state = ((uint64_t)tv.tv_usec << 32) ^ (uint64_t)tv.tv_sec ^
				(uint64_t)pid * 2654435761u;
		}
		names.pid = pid;
	}
	z = (names.state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* "SECS.M<usec>P<pid>Q<count>R<random>.HOST" (the Maildir spec's "M", "P",
 * "Q", "R" parts, as Dovecot/Courier write them). */
static void unique_base(char *out, size_t outlen)
{
	struct timeval tv;
	pid_t pid = self_pid();
	unsigned long q = __atomic_add_fetch(&name_counter, 1, __ATOMIC_RELAXED);
	uint64_t r = name_random(pid);

	const char *hn = conf && conf->hostname ? conf->hostname : "";

	gettimeofday(&tv, NULL);
	if (!names.have_host || strncmp(names.hostname, hn, sizeof(names.hostname))) {
		host_escaped(names.host, sizeof(names.host));
		snprintf(names.hostname, sizeof(names.hostname), "%s", hn);
		names.have_host = 1;
	}
	snprintf(out, outlen, "%lld.M%06ldP%ldQ%luR%016llx.%s",
		 (long long)tv.tv_sec, (long)tv.tv_usec, (long)pid, q,
		 (unsigned long long)r, names.host);
}

/* Maildir info flags (the "2," experimental semantics): D draft,
 * F flagged, P passed, R replied, S seen, T trashed; stored in ASCII order
 * and once each, as the Maildir spec requires.  Lower-case letters are
 * Dovecot keywords that need its dovecot-keywords file: refused. */
static int flags_norm(const char *flags, char *out, size_t outlen)
{
	unsigned char seen[128] = { 0 };
	size_t o = 0;
	int c;

	for (const char *p = flags; *p; p++) {
		c = (unsigned char)*p;
		if (!strchr("DFPRST", c) || !c)
			return -1;
		seen[c] = 1;
	}
	for (c = 0; c < 128; c++)
		if (seen[c] && o + 1 < outlen)
			out[o++] = (char)c;
	out[o] = '\0';
	return 0;
}

int maildir_flags_imap(const char *imap, char *out, size_t outlen)
{
	static const struct { const char *name; char letter; } map[] = {
		{ "\\Draft", 'D' }, { "\\Flagged", 'F' }, { "$Forwarded", 'P' },
		{ "\\Answered", 'R' }, { "\\Seen", 'S' }, { "\\Deleted", 'T' },
	};
	char letters[8];
	size_t n = 0;
	int ignored = 0;
	const char *p = imap ? imap : "";

	while (*p) {
		size_t len, i;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			/* RFC 3501 §2.3.2: flag names are case-insensitive */
			if (strlen(map[i].name) == len && !strncasecmp(map[i].name, p, len))
				break;
		if (i < sizeof(map) / sizeof(map[0])) {
			if (!memchr(letters, map[i].letter, n) && n < sizeof(letters) - 1)
				letters[n++] = map[i].letter;
		} else
			ignored++;
		p += len;
	}
	letters[n] = '\0';
	if (!outlen)
		return ignored;
	if (flags_norm(letters, out, outlen) < 0)
		out[0] = '\0';
	return ignored;
}

static int header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int maildir_envelope(char *buf, size_t buflen, const char *sender,
		     const char *rcpt, int delivered_to)
{
	int n, m = 0;

	if (!sender || !rcpt || !header_safe(sender) || !header_safe(rcpt) ||
	    strlen(sender) > 998 - 16 || strlen(rcpt) > 998 - 16)
		return -1;
	/* the reverse-path may come with or without its brackets */
	if (sender[0] == '<' && sender[strlen(sender) - 1] == '>')
		n = snprintf(buf, buflen, "Return-Path: %s\r\n", sender);
	else
		n = snprintf(buf, buflen, "Return-Path: <%s>\r\n", sender);
	if (n < 0 || (size_t)n >= buflen)
		return -1;
	if (delivered_to) {
		m = snprintf(buf + n, buflen - (size_t)n, "Delivered-To: %s\r\n", rcpt);
		if (m < 0 || (size_t)m >= buflen - (size_t)n)
			return -1;
	}
	return n + m;
}

/* ---- CRLF -> LF writer ----------------------------------------------- */

struct conv {
	int fd;			/* -1: only count */
	size_t size;		/* bytes out (,S=) */
	size_t vsize;		/* out with every LF as CRLF (Dovecot ,W=) */
	int last;		/* last byte out */
	size_t blen;
	char buf[65536];
};

static int conv_flush(struct conv *cv)
{
	if (cv->fd >= 0 && write_full(cv->fd, cv->buf, cv->blen) < 0)
		return -1;
	cv->blen = 0;
	return 0;
}

static int conv_put(struct conv *cv, unsigned char c)
{
	cv->size++;
	cv->vsize += (c == '\n' && cv->last != '\r') ? 2 : 1;
	cv->last = c;
	if (cv->fd < 0)
		return 0;
	cv->buf[cv->blen++] = (char)c;
	return cv->blen == sizeof(cv->buf) ? conv_flush(cv) : 0;
}

/* A run of bytes without CR: copied as is.  Every LF in it follows a
 * byte that is not CR, so it counts twice in the virtual size. */
static int conv_run_bytes(struct conv *cv, const unsigned char *p, size_t len)
{
	size_t lf = 0;

	if (!len)
		return 0;
	/* memchr, not a byte loop: the received form has CRLF line ends, so
	 * a run rarely holds an LF and this is one vectorized scan */
	for (const unsigned char *q = p, *e = p + len;
	     (q = memchr(q, '\n', (size_t)(e - q))); q++)
		lf++;
	cv->size += len;
	cv->vsize += len + lf;
	cv->last = p[len - 1];
	while (cv->fd >= 0 && len) {
		size_t n = sizeof(cv->buf) - cv->blen;

		if (n > len)
			n = len;
		memcpy(cv->buf + cv->blen, p, n);
		cv->blen += n;
		p += n;
		len -= n;
		if (cv->blen == sizeof(cv->buf) && conv_flush(cv) < 0)
			return -1;
	}
	return 0;
}

/* Only a CR immediately followed by LF (also across pieces) becomes LF; a
 * bare CR, NUL and 8-bit bytes are kept as received. */
static int conv_run(struct conv *cv, const struct maildir_src *src)
{
	int cr = 0;

	cv->size = cv->vsize = cv->blen = 0;
	cv->last = -1;
	for (size_t i = 0; i < src->n; i++) {
		const unsigned char *p = src->iov[i].iov_base;
		const unsigned char *end = p + src->iov[i].iov_len;

		while (p < end) {
			const unsigned char *q;

			if (cr) {	/* the CR before this byte */
				cr = 0;
				if (*p == '\n') {
					if (conv_put(cv, '\n') < 0)
						return -1;
					p++;
					continue;
				}
				if (conv_put(cv, '\r') < 0)
					return -1;
			}
			q = memchr(p, '\r', (size_t)(end - p));
			if (conv_run_bytes(cv, p, (size_t)((q ? q : end) - p)) < 0)
				return -1;
			if (!q)
				break;
			cr = 1;
			p = q + 1;
		}
	}
	if (cr && conv_put(cv, '\r') < 0)
		return -1;
	return conv_flush(cv);
}

/* ---- directory walk -------------------------------------------------- */

static int want_fsync(void)
{
	return !conf || conf->maildir_fsync;
}

/* A directory we created must be on disk before a message in it counts as
 * delivered: fsync its parent (the new entry), as for the file in new/. */
static int sync_parent(const char *path)
{
	char p[4096];
	char *slash;
	int fd, r;

	if (!want_fsync())
		return 0;
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(p, '/');
	if (!slash)
		return 0;
	if (slash == p)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* mkdir -p for the root (configured or from passwd: symlinks allowed). */
static int mkdir_parents(const char *path)
{
	char p[4096];
	size_t len = strlen(path);

	if (len >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, len + 1);
	for (char *s = p + 1;; s++) {
		int last = !*s;

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(p, 0700) == 0) {
			if (sync_parent(p) < 0)
				return -1;
		} else if (errno != EEXIST)
			return -1;
		if (last)
			break;
		*s = '/';
	}
	return 0;
}

/* Open (creating if asked) the directory name below dfd, never following
 * a symlink: ELOOP/ENOTDIR refuse it. */
static int subdir(int dfd, const char *name, int create, int *created_r)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	if (mkdirat(dfd, name, 0700) == 0) {
		if (want_fsync() && fsync(dfd) < 0)
			return -1;
	} else if (errno != EEXIST)
		return -1;
	if (created_r)
		*created_r = 1;
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static void subscribe(int rootfd, const char *root, const char *vname);

/* Open the folder's tmp/ and its target (new/ or cur/).  With create: make
 * missing Maildir, folder (plus maildirfolder, subscription) and subdirs;
 * the subdirectory not needed now (cur/ when delivering into new/) is
 * looked at only with check_all or when the folder or the Maildir was
 * just made. */
static int walk(struct maildir_tx *tx, int create, int check_all, int need_dst,
		int *tmpfd_r, int *dstfd_r, const char **what_r)
{
	int rootfd, dfd, tmpfd = -1, dstfd = -1, created = 0, root_created = 0, e;
	static const char *const subs[] = { "cur", "new", "tmp" };
	static const char *const what_sub[] = { "open cur/ of", "open new/ of", "open tmp/ of" };

	*tmpfd_r = *dstfd_r = -1;
	*what_r = "open";
	rootfd = open(tx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 && errno == ENOENT && create) {
		*what_r = "mkdir";
		if (mkdir_parents(tx->root) < 0)
			return -1;
		root_created = 1;
		rootfd = open(tx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (rootfd < 0)
		return -1;
	dfd = rootfd;
	if (tx->sub[0]) {
		*what_r = "open folder";
		dfd = subdir(rootfd, tx->sub, create, &created);
		if (dfd < 0)
			goto err;
	}
	/* cur/ new/ tmp/ of the folder: with create, made when missing (the
	 * descriptors we need are kept, not opened twice) */
	for (size_t i = 0; i < 3; i++) {
		const char *want_dst = tx->in_cur ? "cur" : "new";
		int keep = !strcmp(subs[i], "tmp") ||
			(need_dst && !strcmp(subs[i], want_dst));
		int fd;

		if (!keep && !(create && (check_all || created || root_created)))
			continue;
		*what_r = what_sub[i];
		if ((fd = subdir(dfd, subs[i], create, NULL)) < 0)
			goto err;
		if (!keep)
			close(fd);
		else if (!strcmp(subs[i], "tmp"))
			tmpfd = fd;
		else
			dstfd = fd;
	}
	if (create && dfd != rootfd && (created || root_created)) {
		/* a new folder in a new Maildir: the root gets its three too */
		for (size_t i = 0; i < 3; i++) {
			int fd = subdir(rootfd, subs[i], 1, NULL);

			*what_r = "create subdirectory in";
			if (fd < 0)
				goto err;
			close(fd);
		}
	}
	if (create && created) {
		/* Maildir++: marks a folder (Courier, Dovecot) */
		int fd = openat(dfd, "maildirfolder", O_WRONLY | O_CREAT |
				O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		*what_r = "create maildirfolder in";
		if (fd < 0 && errno != EEXIST)
			goto err;
		if (fd >= 0)
			close(fd);
	}
	if (created) {
		tx->created = 1;
		subscribe(rootfd, tx->root, tx->sub + 1);
	}
	if (dfd != rootfd)
		close(dfd);
	close(rootfd);
	*tmpfd_r = tmpfd;
	*dstfd_r = dstfd;
	return 0;
err:
	e = errno;
	if (tmpfd >= 0)
		close(tmpfd);
	if (dstfd >= 0)
		close(dstfd);
	if (dfd >= 0 && dfd != rootfd)
		close(dfd);
	close(rootfd);
	errno = e;
	return -1;
}

/* walk() for a folder this process checked a short while ago: open tmp/
 * (and the target) by path, the folder's own directory with O_NOFOLLOW,
 * so exactly the components walk() refuses as symlinks are refused here
 * (those above the root may be symlinks in both).  Creates nothing: -1 on
 * any error, and the caller walks. */
static int walk_quick(const struct maildir_tx *tx, int need_dst, int *tmpfd_r, int *dstfd_r)
{
	const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char p[sizeof(tx->dir) + 8];
	int dfd = AT_FDCWD, tmpfd = -1, dstfd = -1;
	const char *dst = tx->in_cur ? "cur" : "new";

	if (tx->sub[0]) {	/* root/.Folder, then tmp/ new/ below it */
		if ((dfd = open(tx->dir, dflags)) < 0)
			return -1;
		tmpfd = openat(dfd, "tmp", dflags);
		if (tmpfd >= 0 && need_dst)
			dstfd = openat(dfd, dst, dflags);
		close(dfd);
	} else {		/* root/tmp, root/new: no directory in between */
		if (snprintf(p, sizeof(p), "%s/tmp", tx->dir) >= (int)sizeof(p))
			return -1;
		tmpfd = open(p, dflags);
		snprintf(p, sizeof(p), "%s/%s", tx->dir, dst);
		if (tmpfd >= 0 && need_dst)
			dstfd = open(p, dflags);
	}
	if (tmpfd < 0 || (need_dst && dstfd < 0)) {
		if (tmpfd >= 0)
			close(tmpfd);
		return -1;
	}
	*tmpfd_r = tmpfd;
	*dstfd_r = dstfd;
	return 0;
}

/* ---- subscriptions (Dovecot) ----------------------------------------- */

/* Add vname (".a.b" without the dot: "a.b") to the Maildir root's
 * "subscriptions" file like Dovecot's subscription-file.c: take
 * subscriptions.lock with O_EXCL (stale after 30 s), copy the old lines,
 * append ours unless present, fsync, rename over.  Version 2 files
 * ("V\t2\n\n" header) separate levels with TAB.  Best effort: the message
 * is still delivered when this fails; we log a warning. */
static void subscribe(int rootfd, const char *root, const char *vname)
{
	char name[NAME_MAX + 2], *old = NULL;
	size_t len = 0, nlen;
	int lfd = -1, in, v2, found = 0, e;
	struct stat st;

	/* Among our own processes, flock() on the Maildir directory
	 * serializes the whole update, so that two of them never both
	 * break the same stale dotlock (each would then believe it holds
	 * the lock, and one subscription would be lost).  The dotlock below
	 * is for Dovecot, which does not know the flock.  Bounded like the
	 * dotlock: after the tries, go on without it. */
	for (int i = 0; flock(rootfd, LOCK_EX | LOCK_NB) < 0 && i < MAILDIR_LOCK_TRIES; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	for (int i = 0;; i++) {
		lfd = openat(rootfd, MAILDIR_SUBS_LOCK, O_WRONLY | O_CREAT |
			     O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (lfd >= 0)
			break;
		if (errno != EEXIST || i >= MAILDIR_LOCK_TRIES) {
			lfd = -2;
			goto warn_unlock;
		}
		if (fstatat(rootfd, MAILDIR_SUBS_LOCK, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime + MAILDIR_LOCK_STALE < time(NULL)) {
			unlinkat(rootfd, MAILDIR_SUBS_LOCK, 0);
			continue;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	in = openat(rootfd, MAILDIR_SUBS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 && errno != ENOENT)
		goto warn;
	if (in >= 0) {
		struct buf ob;

		buf_init(&ob, MAILDIR_SUBS_MAX);	/* larger: EFBIG, leave it alone */
		int rr = read_full(in, &ob);
		e = errno;
		close(in);
		if (rr == 0 && !(old = buf_steal(&ob, &len)))
			e = ENOMEM;
		buf_clear(&ob);
		if (!old) {
			errno = e;
			goto warn;
		}
	}
	v2 = len >= 5 && !memcmp(old, "V\t2\n\n", 5);
	nlen = strlen(vname);
	if (nlen >= sizeof(name))
		goto warn;
	memcpy(name, vname, nlen + 1);
	if (v2)
		for (char *p = name; *p; p++)
			if (*p == '.')
				*p = '\t';
	for (size_t off = v2 ? 5 : 0; off < len;) {
		char *nl = memchr(old + off, '\n', len - off);
		size_t ll = (nl ? (size_t)(nl - old) : len) - off;

		if (ll == nlen && !memcmp(old + off, name, nlen))
			found = 1;
		off += ll + 1;
	}
	if (found) {
		close(lfd);
		unlinkat(rootfd, MAILDIR_SUBS_LOCK, 0);
		free(old);
		flock(rootfd, LOCK_UN);
		return;
	}
	name[nlen] = '\n';
	if (write_full(lfd, old, len) < 0 ||
	    (len && old[len - 1] != '\n' && write_full(lfd, "\n", 1) < 0) ||
	    write_full(lfd, name, nlen + 1) < 0 ||
	    (want_fsync() && fsync(lfd) < 0))
		goto warn;
	e = close(lfd);
	lfd = -1;
	if (e < 0 || renameat(rootfd, MAILDIR_SUBS_LOCK, rootfd, MAILDIR_SUBS) < 0)
		goto warn_unlock;
	free(old);
	flock(rootfd, LOCK_UN);
	return;
warn:
	if (lfd >= 0)
		close(lfd);
warn_unlock:
	e = errno;
	if (lfd != -2)		/* -2: we never held the lock */
		unlinkat(rootfd, MAILDIR_SUBS_LOCK, 0);
	log_warn("maildir %s: cannot subscribe \"%s\": %s", root, vname,
		 strerror(e));
	free(old);
	flock(rootfd, LOCK_UN);
}

/* ---- stage / commit -------------------------------------------------- */

static int path_join(char *out, size_t outlen, const char *a, const char *b,
		     const char *c, const char *d)
{
	int n = snprintf(out, outlen, "%s%s%s%s%s%s%s", a, *b ? "/" : "", b,
			 *c ? "/" : "", c, *d ? "/" : "", d);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
/* The Maildir convention (qmail's maildir(5), Dovecot): a file in tmp/
 * not touched for 36 hours was left by a killed delivery; whoever next
 * writes to that Maildir removes it.  Done with the folder's full check,
 * at most once per MAILDIR_CHECK_EVERY_MS per folder and process: the
 * scan was 7 system calls of every delivery, and a file 36 hours old can
 * wait 10 minutes more.  Only regular files are removed (never followed:
 * AT_SYMLINK_NOFOLLOW). */
#define MAILDIR_TMP_STALE (36 * 3600)

static void tmp_sweep(int tmpfd, const char *dir)
{
	int fd = dup(tmpfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	time_t now = time(NULL);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' ||
		    fstatat(tmpfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		time_t t = st.st_mtime > st.st_atime ? st.st_mtime : st.st_atime;
		if (now - t > MAILDIR_TMP_STALE && unlinkat(tmpfd, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	if (n)
		log_info("maildir: removed %d file%s left in %s/tmp/ for more than 36 hours",
			 n, n == 1 ? "" : "s", dir);
}

/* ---- what this process checked, and when ----------------------------- */

/* Folders (path and uid, hashed) this process checked completely and
 * swept.  Process state, not a transaction's: a forked child inherits
 * it, which is right, it describes the disk.  A hash collision only
 * delays one folder's check and sweep. */
#define MAILDIR_CHECKED_MAX 64
static struct {
	uint64_t key;		/* 0: free */
	long long at_ms;
} checked[MAILDIR_CHECKED_MAX];

static uint64_t checked_key(const struct maildir_tx *tx)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a 64 */

	for (const char *p = tx->dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	h = (h ^ (uint64_t)tx->uid) * 0x100000001b3ull;
	h = (h ^ (uint64_t)tx->gid) * 0x100000001b3ull;
	return h | 1;
}

static int checked_recently(const struct maildir_tx *tx, long long now)
{
	uint64_t k = checked_key(tx);

	for (size_t i = 0; i < MAILDIR_CHECKED_MAX; i++)
		if (checked[i].key == k)
			return now - checked[i].at_ms < MAILDIR_CHECK_EVERY_MS;
	return 0;
}

static void checked_note(const struct maildir_tx *tx, long long now)
{
	uint64_t k = checked_key(tx);
	size_t slot = 0;

	for (size_t i = 0; i < MAILDIR_CHECKED_MAX; i++)
		if (checked[i].key == k) {
			checked[i].at_ms = now;
			return;
		}
	for (size_t i = 1; i < MAILDIR_CHECKED_MAX; i++)	/* a free or the oldest slot */
		if (!checked[i].key ? checked[slot].key : checked[i].at_ms < checked[slot].at_ms)
			slot = i;
	checked[slot].key = k;
	checked[slot].at_ms = now;
}

/* ---- a transaction's directory descriptors ---------------------------- */

static void dir_close(struct maildir_dir *e)
{
	if (e->tmpfd >= 0)
		close(e->tmpfd);
	if (e->newfd >= 0)
		close(e->newfd);
	if (e->curfd >= 0)
		close(e->curfd);
	free(e->dir);
	*e = (struct maildir_dir){ .tmpfd = -1, .newfd = -1, .curfd = -1 };
}

void maildir_dirs_init(struct maildir_dirs *d)
{
	d->clock = 0;
	for (size_t i = 0; i < MAILDIR_DIRS_MAX; i++)
		d->d[i] = (struct maildir_dir){ .tmpfd = -1, .newfd = -1, .curfd = -1 };
}

void maildir_dirs_clear(struct maildir_dirs *d)
{
	for (size_t i = 0; i < MAILDIR_DIRS_MAX; i++)
		if (d->d[i].dir)
			dir_close(&d->d[i]);
	d->clock = 0;
}

static struct maildir_dir *dirs_find(struct maildir_dirs *d, const struct maildir_tx *tx)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < MAILDIR_DIRS_MAX; i++) {
		struct maildir_dir *e = &d->d[i];

		/* the owner's gid too: another group may not search the path */
		if (e->dir && e->uid == tx->uid && e->gid == tx->gid && !strcmp(e->dir, tx->dir)) {
			e->used = ++d->clock;
			return e;
		}
	}
	return NULL;
}

/* Hand tmpfd and dstfd (new/ or cur/) to the set: 0, or -1 (no memory)
 * and the caller keeps them.  A full set closes its least recently used
 * folder's descriptors; that folder's next commit walks the path. */
static int dirs_put(struct maildir_dirs *d, const struct maildir_tx *tx, int tmpfd, int dstfd)
{
	struct maildir_dir *e = &d->d[0];
	char *dir;

	for (size_t i = 0; i < MAILDIR_DIRS_MAX && e->dir; i++)
		if (!d->d[i].dir || d->d[i].used < e->used)
			e = &d->d[i];
	if (!(dir = strdup(tx->dir)))
		return -1;
	if (e->dir)
		dir_close(e);
	e->dir = dir;
	e->uid = tx->uid;
	e->gid = tx->gid;
	e->tmpfd = tmpfd;
	if (tx->in_cur)
		e->curfd = dstfd;
	else
		e->newfd = dstfd;
	e->used = ++d->clock;
	return 0;
}

/* The folder's tmp/ and (need_dst) target descriptors: the transaction's
 * when it has them, else opened by path (walk_quick; for stage only when
 * this process checked the folder less than MAILDIR_CHECK_EVERY_MS ago),
 * else by walking it.  create (stage): make what is missing, and after that time
 * (or fresh: a descriptor went stale) check all of it and sweep tmp/;
 * stage's descriptors go into the set.  *own_r: the caller closes them
 * (no set, or the set could not take them). */
static int dirs_get(struct maildir_tx *tx, int create, int fresh, int need_dst,
		    int *tmpfd_r, int *dstfd_r, int *own_r, const char **what_r)
{
	struct maildir_dir *e = dirs_find(tx->dirs, tx);
	int tmpfd, dstfd, full = 0;
	long long now = 0;

	if (e && fresh) {
		dir_close(e);
		e = NULL;
	}
	if (e && (!need_dst || (tx->in_cur ? e->curfd : e->newfd) >= 0)) {
		*tmpfd_r = e->tmpfd;
		*dstfd_r = !need_dst ? -1 : tx->in_cur ? e->curfd : e->newfd;
		*own_r = 0;
		return 0;
	}
	if (create) {
		now = mono_ms();
		full = fresh || !checked_recently(tx, now);
	}
	if ((full || walk_quick(tx, need_dst, &tmpfd, &dstfd) < 0) &&
	    walk(tx, create, full, need_dst, &tmpfd, &dstfd, what_r) < 0)
		return -1;
	if (full) {
		tmp_sweep(tmpfd, tx->dir);
		checked_note(tx, now);
	}
	*tmpfd_r = tmpfd;
	*dstfd_r = dstfd;
	/* only stage fills the set (e: the other target of a folder the
	 * set holds; rare, a copy with flags next to one without) */
	*own_r = !create || !need_dst || !tx->dirs || e || dirs_put(tx->dirs, tx, tmpfd, dstfd) < 0;
	return 0;
}

static void dirs_done(int own, int tmpfd, int dstfd)
{
	if (!own)
		return;
	if (tmpfd >= 0)
		close(tmpfd);
	if (dstfd >= 0)
		close(dstfd);
}

/* ---- stage / commit --------------------------------------------------- */

/* Where a copy goes (stage and retarget): folder -> sub and dir under
 * root, flags -> in_cur and the normalized letters in fl[64].  -1 with
 * errno, what and where for fail(). */
static int target_set(struct maildir_tx *tx, const char *folder, const char *flags, char *fl,
		      int *e_r, const char **what_r, const char **where_r)
{
	const char *err = NULL;
	tx->in_cur = 0;
	*e_r = EINVAL;
	if (maildir_folder_dir(folder, tx->sub, sizeof(tx->sub), &err) < 0) {
		*what_r = "folder refused:";
		*where_r = err;
		return -1;
	}
	if (flags && *flags) {
		if (flags_norm(flags, fl, 64) < 0) {
			*what_r = "flags refused:";
			*where_r = flags;
			return -1;
		}
		tx->in_cur = 1;
	}
	if (path_join(tx->dir, sizeof(tx->dir), tx->root, tx->sub, "", "") < 0) {
		*e_r = ENAMETOOLONG;
		*what_r = "mailbox";
		*where_r = tx->root;
		return -1;
	}
	return 0;
}

/* fromfd/from -> tofd/to, never replacing an existing name (plain
 * rename() would): renameat2(RENAME_NOREPLACE), atomic; where the
 * filesystem (or kernel) lacks the flag, link() then unlink(), since
 * link() never replaces either.  0, or -1 with errno (EEXIST: taken) and
 * *what_r naming the step. */
static int move_noreplace(int fromfd, const char *from, int tofd, const char *to,
			  const char *from_path, const char **what_r)
{
	*what_r = "rename into";
	if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	*what_r = "link into";
	if (linkat(fromfd, from, tofd, to, 0) < 0)
		return -1;
	if (unlinkat(fromfd, from, 0) < 0)
		log_warn("maildir: unlink %s after link: %s", from_path, strerror(errno));
	return 0;
}

/* The name in new/, or in cur/ with ":2,FLAGS" (fl: normalized letters,
 * used only with in_cur); name < 256 and flags < 64 bytes fit. */
static void final_set(struct maildir_tx *tx, const char *fl)
{
	if (tx->in_cur)
		snprintf(tx->final_name, sizeof(tx->final_name), "%s:2,%s", tx->name, fl);
	else
		snprintf(tx->final_name, sizeof(tx->final_name), "%s", tx->name);
	path_join(tx->final_path, sizeof(tx->final_path), tx->dir,
		  tx->in_cur ? "cur" : "new", tx->final_name, "");
}

int maildir_stage(struct maildir_tx *tx, struct maildir_dirs *dirs, const struct mailbox *mb,
		  const char *folder, const char *flags,
		  const struct maildir_src *src, const char **error_r,
		  int *errno_r)
{
	const char *err = NULL, *what;
	char fl[64] = "", base[200];
	int tmpfd, dstfd, own, fd = -1, e, retried = 0;
	struct conv *cv;
	size_t rlen;

	memset(tx, 0, sizeof(*tx));
	if (!mb || !mb->maildir || mb->maildir[0] != '/')
		return fail(tx, error_r, errno_r, EINVAL, "mailbox", "path is not absolute");
	tx->dirs = dirs;
	tx->uid = mb->uid;
	tx->gid = mb->gid;
	rlen = strlen(mb->maildir);
	while (rlen > 1 && mb->maildir[rlen - 1] == '/')
		rlen--;
	if (rlen >= sizeof(tx->root))
		return fail(tx, error_r, errno_r, ENAMETOOLONG, "mailbox", mb->maildir);
	memcpy(tx->root, mb->maildir, rlen);
	tx->root[rlen] = '\0';
	if (target_set(tx, folder, flags, fl, &e, &what, &err) < 0)
		return fail(tx, error_r, errno_r, e, what, err);

	if (!(cv = malloc(sizeof(*cv))))
		return fail(tx, error_r, errno_r, ENOMEM, "malloc", "writer");
	cv->fd = -1;
	conv_run(cv, src);	/* count only: ,S= and ,W= go into the name */

	if (dirs_get(tx, 1, 0, 1, &tmpfd, &dstfd, &own, &what) < 0) {
		e = errno;
		free(cv);
		return fail(tx, error_r, errno_r, e, what, tx->dir);
	}
	if (own) {		/* commit opens it again */
		close(dstfd);
		dstfd = -1;
	}
	for (int i = 0; i < MAILDIR_NAME_TRIES; i++) {
		unique_base(base, sizeof(base));
		snprintf(tx->name, sizeof(tx->name), "%s,S=%zu,W=%zu", base,
			 cv->size, cv->vsize);
		fd = openat(tmpfd, tx->name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || (errno != EEXIST && errno != ENOENT))
			break;
		if (errno == ENOENT) {
			/* tmp/ went away since it was opened (the folder was
			 * removed by hand): make it again, and try once more */
			if (retried)
				break;
			retried = 1;
			dirs_done(own, tmpfd, -1);
			if (dirs_get(tx, 1, 1, 1, &tmpfd, &dstfd, &own, &what) < 0) {
				e = errno;
				free(cv);
				return fail(tx, error_r, errno_r, e, what, tx->dir);
			}
			if (own) {
				close(dstfd);
				dstfd = -1;
			}
			i--;
		}
	}
	if (fd < 0) {
		e = errno;
		dirs_done(own, tmpfd, -1);
		free(cv);
		path_join(tx->tmp_path, sizeof(tx->tmp_path), tx->dir, "tmp", "", "");
		return fail(tx, error_r, errno_r, e, "create file in", tx->tmp_path);
	}
	path_join(tx->tmp_path, sizeof(tx->tmp_path), tx->dir, "tmp", tx->name, "");
	tx->size = cv->size;
	cv->fd = fd;
	what = "write";
	if (conv_run(cv, src) < 0)
		goto err;
	if (cv->size != tx->size) {	/* pieces changed under us */
		errno = EIO;
		goto err;
	}
	what = "fsync";
	if (want_fsync() && fsync(fd) < 0)
		goto err;
	what = "close";
	e = close(fd);
	fd = -1;
	if (e < 0)
		goto err;
	free(cv);
	dirs_done(own, tmpfd, -1);
	final_set(tx, fl);
	tx->staged = 1;
	return 0;
err:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(tmpfd, tx->name, 0);
	dirs_done(own, tmpfd, -1);
	free(cv);
	tx->name[0] = '\0';
	return fail(tx, error_r, errno_r, e, what, tx->tmp_path);
}

/* A new name in new/ (or cur/) for a commit whose name is taken there:
 * a new unique base, the same ",S=,W=" and flags.  The base has no ','
 * or ':' (host_escaped), so the first of each is ours. */
static void final_rename(struct maildir_tx *tx)
{
	char base[200], info[80] = "";
	const char *sw = strstr(tx->name, ",S="), *colon = strchr(tx->final_name, ':');

	if (colon)
		snprintf(info, sizeof(info), "%s", colon);
	unique_base(base, sizeof(base));
	snprintf(tx->final_name, sizeof(tx->final_name), "%s%s%s", base, sw ? sw : "", info);
	path_join(tx->final_path, sizeof(tx->final_path), tx->dir,
		  tx->in_cur ? "cur" : "new", tx->final_name, "");
}

int maildir_commit(struct maildir_tx *tx, const char **error_r, int *errno_r)
{
	int tmpfd, dstfd, own, e;
	const char *what;

	if (!tx->staged)
		return fail(tx, error_r, errno_r, EINVAL, "commit", "nothing staged");
	if (dirs_get(tx, 0, 0, 1, &tmpfd, &dstfd, &own, &what) < 0) {
		e = errno;
		maildir_abort(tx);
		return fail(tx, error_r, errno_r, e, what, tx->dir);
	}
	for (int i = 1;; i++) {
		if (move_noreplace(tmpfd, tx->name, dstfd, tx->final_name, tx->tmp_path, &what) == 0)
			break;
		if (errno != EEXIST || i >= MAILDIR_NAME_TRIES)
			goto err;
		final_rename(tx);	/* taken in new/: never replace, pick another */
	}
	what = "fsync directory of";
	if (want_fsync() && fsync(dstfd) < 0) {
		/* not durable: take it back out so that the retry cannot
		 * produce a duplicate */
		e = errno;
		unlinkat(dstfd, tx->final_name, 0);
		errno = e;
		goto err;
	}
	dirs_done(own, tmpfd, dstfd);
	tx->staged = 0;
	return 0;
err:
	e = errno;
	unlinkat(tmpfd, tx->name, 0);
	dirs_done(own, tmpfd, dstfd);
	tx->staged = 0;
	return fail(tx, error_r, errno_r, e, what, tx->final_path);
}

int maildir_retarget(struct maildir_tx *tx, const char *folder, const char *flags,
		     const char **error_r, int *errno_r)
{
	struct maildir_tx *nt;
	const char *what, *where;
	char fl[64] = "";
	int otmp, odst, oown, ntmp, ndst, nown, e, rc;

	if (!tx->staged)
		return fail(tx, error_r, errno_r, EINVAL, "retarget", "nothing staged");
	if (!(nt = malloc(sizeof(*nt))))
		return fail(tx, error_r, errno_r, ENOMEM, "malloc", "retarget");
	*nt = *tx;	/* changed only on success: tx stays staged where it is */
	if (target_set(nt, folder, flags, fl, &e, &what, &where) < 0) {
		rc = fail(tx, error_r, errno_r, e, what, where);
		free(nt);
		return rc;
	}
	if (strcmp(nt->dir, tx->dir)) {
		/* another folder: its tmp/ (made and checked as stage would)
		 * takes the file under the same name.  The data is on disk
		 * already; where the file's name lives matters only after the
		 * commit's rename into new/, which that directory's fsync
		 * makes durable. */
		if (dirs_get(tx, 0, 0, 0, &otmp, &odst, &oown, &what) < 0) {
			e = errno;
			free(nt);
			return fail(tx, error_r, errno_r, e, what, tx->dir);
		}
		if (dirs_get(nt, 1, 0, 1, &ntmp, &ndst, &nown, &what) < 0) {
			e = errno;
			dirs_done(oown, otmp, odst);
			rc = fail(tx, error_r, errno_r, e, what, nt->dir);
			free(nt);	/* after fail() read nt->dir */
			return rc;
		}
		rc = move_noreplace(otmp, tx->name, ntmp, tx->name, tx->tmp_path, &what);
		e = errno;
		dirs_done(oown, otmp, odst);
		dirs_done(nown, ntmp, ndst);
		path_join(nt->tmp_path, sizeof(nt->tmp_path), nt->dir, "tmp", nt->name, "");
		if (rc < 0) {	/* EXDEV (a folder on another filesystem), ... */
			rc = fail(tx, error_r, errno_r, e, what, nt->tmp_path);
			free(nt);
			return rc;
		}
	}
	final_set(nt, fl);
	*tx = *nt;
	free(nt);
	return 0;
}

void maildir_abort(struct maildir_tx *tx)
{
	int tmpfd, dstfd, own;
	const char *what;

	if (!tx->staged || !tx->name[0])
		return;
	tx->staged = 0;
	if (dirs_get(tx, 0, 0, 0, &tmpfd, &dstfd, &own, &what) < 0) {
		log_warn("maildir: cannot remove %s: %s", tx->tmp_path,
			 strerror(errno));
		return;
	}
	if (unlinkat(tmpfd, tx->name, 0) < 0 && errno != ENOENT)
		log_warn("maildir: cannot remove %s: %s", tx->tmp_path,
			 strerror(errno));
	dirs_done(own, tmpfd, dstfd);
}

int maildir_revoke(struct maildir_tx *tx)
{
	int tmpfd, dstfd, own, rc = -1;
	const char *what;

	if (!tx->final_name[0] || dirs_get(tx, 0, 0, 1, &tmpfd, &dstfd, &own, &what) < 0)
		return -1;
	if (unlinkat(dstfd, tx->final_name, 0) == 0)
		rc = 0;
	else if (errno == ENOENT && !tx->in_cur) {
		/* a reader may already have moved it from new/ to cur/ as
		 * NAME:2,FLAGS (the Maildir convention): find it there */
		int curfd = -1, dfd = openat(dstfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			curfd = openat(dfd, "cur", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0)
			close(dfd);
		DIR *dir = curfd >= 0 ? fdopendir(dup(curfd)) : NULL;
		size_t n = strlen(tx->final_name);
		struct dirent *de;
		while (dir && rc < 0 && (de = readdir(dir)) != NULL)
			if (!strncmp(de->d_name, tx->final_name, n) && de->d_name[n] == ':' &&
			    unlinkat(curfd, de->d_name, 0) == 0) {
				rc = 0;
				if (fsync(curfd) < 0)
					rc = -1;
			}
		if (dir)
			closedir(dir);
		if (curfd >= 0)
			close(curfd);
	}
	if (rc == 0 && want_fsync() && fsync(dstfd) < 0)
		rc = -1;
	if (rc < 0)
		log_warn("maildir: cannot take back %s: %s", tx->final_path, strerror(errno));
	dirs_done(own, tmpfd, dstfd);
	return rc;
}

int maildir_deliver(struct maildir_tx *tx, struct maildir_dirs *dirs, const struct mailbox *mb,
		    const char *folder, const char *flags,
		    const struct maildir_src *src, const char **error_r,
		    int *errno_r)
{
	if (maildir_stage(tx, dirs, mb, folder, flags, src, error_r, errno_r) < 0)
		return -1;
	return maildir_commit(tx, error_r, errno_r);
}
