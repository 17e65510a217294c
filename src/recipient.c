/* recipient.c - recipient -> mailbox (Maildir root, owner).
 *
 * Takes an envelope recipient and the configuration; returns RECIPIENT_OK with
 * the Maildir root and the uid/gid to deliver as, RECIPIENT_UNKNOWN (550 5.1.1)
 * or RECIPIENT_TEMPFAIL (451 4.3.0: the map cannot be read, getpwnam failed
 * with a real error, a configuration mistake).  It never touches the
 * Maildir itself (maildir.c does) and never guesses: an unreadable map is
 * a temporary failure, not an unknown user.
 *
 * Methods, tried in conf->user_lookup order:
 *   system   getpwnam(case-folded local part), Maildir at home/system_maildir,
 *            only for domains in local_domains (any domain when empty),
 *            as Postfix local(8).  uid 0 is never a mailbox (alias root).
 *   virtual  the virtual_mailbox_map file, like Postfix
 *            virtual_mailbox_maps: "user@domain  path  [owner]" lines,
 *            keys tried user+detail@domain, user@domain, @domain.
 */
#include "recipient.h"

#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECIPIENT_MAX_ADDRESS 512	/* RFC 5321 §4.5.3.1: 64 + 1 + 255, with room */
#define RECIPIENT_MAP_LINE_MAX 4096

static __thread char recipient_errbuf[512];

static const char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *errf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(recipient_errbuf, sizeof(recipient_errbuf), fmt, ap);	/* truncation ok */
	va_end(ap);
	return recipient_errbuf;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* ---- address splitting ---------------------------------------------- */

/* Split rcpt; *full_r gets the case-folded local part with its detail. */
static int split(const char *rcpt, const char *delims, char **full_r,
		 char **local_r, char **detail_r, char **domain_r)
{
	size_t len = strlen(rcpt);
	const char *at;
	char *full = NULL, *local = NULL, *detail = NULL, *domain = NULL;
	size_t i, o, llen;

	if (len >= 2 && rcpt[0] == '<' && rcpt[len - 1] == '>') {
		rcpt++;
		len -= 2;
	}
	if (!len || len > RECIPIENT_MAX_ADDRESS)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)rcpt[i] < 0x20 || rcpt[i] == 0x7f)
			return -1;
	at = memrchr(rcpt, '@', len);
	llen = at ? (size_t)(at - rcpt) : len;
	if (!llen || (at && at + 1 == rcpt + len))
		return -1;
	if (!(full = malloc(llen + 1)))
		return -1;
	/* RFC 5321 §4.1.2 quoted-string local part: drop the quotes and
	 * backslashes, as Postfix does before its lookups */
	if (llen >= 2 && rcpt[0] == '"' && rcpt[llen - 1] == '"') {
		for (i = 1, o = 0; i + 1 < llen; i++) {
			if (rcpt[i] == '\\' && i + 2 < llen)
				i++;
			full[o++] = rcpt[i];
		}
		full[o] = '\0';
		if (!o)
			goto bad;
	} else {
		memcpy(full, rcpt, llen);
		full[llen] = '\0';
	}
	lower(full);		/* Postfix local(8): the local part is case-folded */
	if (!(domain = at ? strndup(at + 1, len - llen - 1) : strdup("")))
		goto bad;
	lower(domain);		/* RFC 5321 §2.4: domains are case-insensitive */
	/* the first delimiter character splits (several may be configured);
	 * one at the start is part of the name */
	o = delims && *delims ? strcspn(full + 1, delims) + 1 : strlen(full);
	if (full[o]) {
		if (!(local = strndup(full, o)) || !(detail = strdup(full + o + 1)))
			goto bad;
	} else if (!(local = strdup(full)))
		goto bad;
	if (detail && rcpt[0] != '"') {
		/* keep the detail's case as sent (Sieve subaddress) */
		const char *d = rcpt + o + 1;

		memcpy(detail, d, strlen(detail));
	}
	*full_r = full;
	*local_r = local;
	*detail_r = detail;
	*domain_r = domain;
	return 0;
bad:
	free(full);
	free(local);
	free(detail);
	free(domain);
	return -1;
}

int recipient_split(const char *rcpt, const char *delims, char **local_r,
	       char **detail_r, char **domain_r)
{
	char *full;

	if (split(rcpt, delims, &full, local_r, detail_r, domain_r) < 0)
		return -1;
	free(full);
	return 0;
}

/* ---- owners and paths ------------------------------------------------ */

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "uid:gid" (numbers or names), or a user name / uid (its passwd gid). */
static int parse_owner(const char *s, uid_t *uid_r, gid_t *gid_r)
{
	const char *colon = strchr(s, ':');
	size_t ulen = colon ? (size_t)(colon - s) : strlen(s);
	char u[256];
	struct passwd *pw;
	struct group *gr;

	if (!ulen || ulen >= sizeof(u))
		return -1;
	memcpy(u, s, ulen);
	u[ulen] = '\0';
	errno = 0;
	pw = all_digits(u, ulen) ? getpwuid((uid_t)strtoul(u, NULL, 10)) : getpwnam(u);
	if (all_digits(u, ulen))
		*uid_r = (uid_t)strtoul(u, NULL, 10);
	else if (pw)
		*uid_r = pw->pw_uid;
	else
		return -1;
	if (!colon) {
		if (!pw)
			return -1;
		*gid_r = pw->pw_gid;
		return 0;
	}
	colon++;
	if (all_digits(colon, strlen(colon))) {
		*gid_r = (gid_t)strtoul(colon, NULL, 10);
		return 0;
	}
	if (!*colon || !(gr = getgrnam(colon)))
		return -1;
	*gid_r = gr->gr_gid;
	return 0;
}

/* A name that is put into a path through %u or %d: one safe component. */
static int safe_component(const char *s)
{
	if (!*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Expand %u (local part, without detail), %d (domain), %h (home), %%;
 * prefix base for a relative result.  Trailing '/' removed. */
static char *expand(const char *tmpl, const char *base, const char *local,
		    const char *domain, const char *home, const char **error_r)
{
	char out[PATH_MAX];
	size_t o = 0;
	int n;

	if (tmpl[0] != '/' && tmpl[0] != '%') {
		if (!base || base[0] != '/') {
			*error_r = errf("relative path \"%s\" and no absolute base", tmpl);
			return NULL;
		}
		n = snprintf(out, sizeof(out), "%s/", base);
		if (n < 0 || (size_t)n >= sizeof(out))
			goto toolong;
		o = (size_t)n;
	}
	for (const char *p = tmpl; *p; p++) {
		const char *v = NULL;

		if (*p == '%' && p[1]) {
			p++;
			if (*p == 'u')
				v = local;
			else if (*p == 'd')
				v = domain;
			else if (*p == 'h')
				v = home ? home : "";
			else if (*p == '%')
				v = "%";
			else {
				*error_r = errf("unknown variable %%%c in \"%s\"", *p, tmpl);
				return NULL;
			}
			if (*p != 'h' && *p != '%' && !safe_component(v)) {
				*error_r = "address is not usable as a path component";
				return NULL;
			}
		}
		if (v) {
			size_t vl = strlen(v);

			if (o + vl >= sizeof(out))
				goto toolong;
			memcpy(out + o, v, vl);
			o += vl;
		} else {
			if (o + 1 >= sizeof(out))
				goto toolong;
			out[o++] = *p;
		}
	}
	while (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	if (out[0] != '/') {
		*error_r = errf("mailbox path \"%s\" is not absolute", out);
		return NULL;
	}
	return strdup(out);
toolong:
	*error_r = "mailbox path too long";
	return NULL;
}

/* ---- virtual map ----------------------------------------------------- */

struct vent {
	char *key;		/* lower case: user@domain, user+x@domain, @domain */
	char *path;
	char *owner;		/* or NULL */
	size_t line;		/* order in the file: the first duplicate wins */
};

static int vent_cmp(const void *a, const void *b)
{
	const struct vent *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The parsed map, reloaded when the file's identity, size or mtime
 * changes.  Process state, not configuration: guarded by a mutex. */
static struct {
	char *file;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct vent *v;
	size_t n;
} vmap;
static pthread_mutex_t vmap_lock = PTHREAD_MUTEX_INITIALIZER;

static void vmap_clear(void)
{
	for (size_t i = 0; i < vmap.n; i++) {
		free(vmap.v[i].key);
		free(vmap.v[i].path);
		free(vmap.v[i].owner);
	}
	free(vmap.v);
	free(vmap.file);
	memset(&vmap, 0, sizeof(vmap));
}

/* Format: one entry per line, "key whitespace path [whitespace owner]";
 * '#' starts a comment line; blank lines ignored.  A malformed line makes
 * the whole map unusable (temporary failure) rather than bouncing mail. */
static int vmap_load(const char *file, const struct stat *st, const char **error_r)
{
	FILE *fp = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	struct vent *v = NULL;
	size_t n = 0, alloc = 0;
	char where[32];

	if (!fp) {
		*error_r = errf("virtual_mailbox_map %s: %s", file, strerror(errno));
		return -1;
	}
	vmap_clear();
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *f[4], *save = NULL, *p;
		int nf = 0;

		lineno++;
		snprintf(where, sizeof(where), ":%zu", lineno % 1000000000);
		if (len > RECIPIENT_MAP_LINE_MAX) {
			*error_r = errf("virtual_mailbox_map %s%s: line too long", file, where);
			goto err;
		}
		if (memchr(line, '\0', (size_t)len)) {
			*error_r = errf("virtual_mailbox_map %s%s: NUL byte", file, where);
			goto err;
		}
		for (p = strtok_r(line, " \t\r\n", &save); p && nf < 4;
		     p = strtok_r(NULL, " \t\r\n", &save))
			f[nf++] = p;
		if (!nf || f[0][0] == '#')
			continue;
		if (nf < 2 || nf > 3) {
			*error_r = errf("virtual_mailbox_map %s%s: want \"address path [uid:gid]\"",
					file, where);
			goto err;
		}
		if (!strchr(f[0], '@')) {
			*error_r = errf("virtual_mailbox_map %s%s: key is not user@domain or @domain",
					file, where);
			goto err;
		}
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct vent *nv = realloc(v, na * sizeof(*v));

			if (!nv)
				goto oom;
			v = nv;
			alloc = na;
		}
		memset(&v[n], 0, sizeof(v[n]));
		if (!(v[n].key = strdup(f[0])) || !(v[n].path = strdup(f[1])) ||
		    (nf == 3 && !(v[n].owner = strdup(f[2])))) {
			n++;
			goto oom;
		}
		lower(v[n].key);
		v[n].line = lineno;
		n++;
	}
	if (ferror(fp)) {
		*error_r = errf("virtual_mailbox_map %s: read: %s", file, strerror(errno));
		goto err;
	}
	fclose(fp);
	free(line);
	if (!(vmap.file = strdup(file)))
		goto oom2;
	if (n)		/* sorted once per load: lookups are binary searches */
		qsort(v, n, sizeof(*v), vent_cmp);
	vmap.v = v;
	vmap.n = n;
	vmap.dev = st->st_dev;
	vmap.ino = st->st_ino;
	vmap.size = st->st_size;
	vmap.mtime = st->st_mtim;
	return 0;
oom:
	*error_r = "out of memory";
err:
	fclose(fp);
	free(line);
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].path);
		free(v[i].owner);
	}
	free(v);
	return -1;
oom2:
	vmap.v = v;
	vmap.n = n;
	vmap_clear();
	*error_r = "out of memory";
	return -1;
}

/* First matching line wins (as postmap keeps the first of duplicates):
 * the lowest index among equal keys, which sort by line. */
static const struct vent *vmap_find(const char *key)
{
	size_t lo = 0, hi = vmap.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(vmap.v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < vmap.n && !strcmp(vmap.v[lo].key, key) ? &vmap.v[lo] : NULL;
}

static enum recipient_status lookup_virtual(const struct conf *c, const char *full,
				       struct mailbox *mb, const char **error_r)
{
	const char *file = c->virtual_mailbox_map;
	const struct vent *e = NULL;
	struct stat st;
	char key[RECIPIENT_MAX_ADDRESS + 8];
	enum recipient_status ret = RECIPIENT_TEMPFAIL;

	if (!file || !*file) {
		*error_r = "user_lookup has virtual but virtual_mailbox_map is empty";
		return RECIPIENT_TEMPFAIL;
	}
	pthread_mutex_lock(&vmap_lock);
	if (stat(file, &st) < 0) {
		*error_r = errf("virtual_mailbox_map %s: %s", file, strerror(errno));
		goto out;
	}
	if (!vmap.file || strcmp(vmap.file, file) || vmap.dev != st.st_dev ||
	    vmap.ino != st.st_ino || vmap.size != st.st_size ||
	    vmap.mtime.tv_sec != st.st_mtim.tv_sec ||
	    vmap.mtime.tv_nsec != st.st_mtim.tv_nsec) {
		if (vmap_load(file, &st, error_r) < 0)
			goto out;
	}
	/* Postfix order: user+detail@domain, user@domain, @domain */
	if (mb->detail) {
		snprintf(key, sizeof(key), "%s@%s", full, mb->domain);
		e = vmap_find(key);
	}
	if (!e) {
		snprintf(key, sizeof(key), "%s@%s", mb->local, mb->domain);
		e = vmap_find(key);
	}
	if (!e && *mb->domain) {
		snprintf(key, sizeof(key), "@%s", mb->domain);
		e = vmap_find(key);
	}
	if (!e) {
		ret = RECIPIENT_UNKNOWN;
		*error_r = "no such user";
		goto out;
	}
	if (!(mb->maildir = expand(e->path, c->virtual_base, mb->local,
				   mb->domain, NULL, error_r))) {
		/* an address that cannot name a directory is nobody's */
		if (!strcmp(*error_r, "address is not usable as a path component"))
			ret = RECIPIENT_UNKNOWN;
		goto out;
	}
	if (e->owner || (c->virtual_uid && *c->virtual_uid)) {
		const char *o = e->owner ? e->owner : c->virtual_uid;

		if (parse_owner(o, &mb->uid, &mb->gid) < 0) {
			*error_r = errf("virtual mailbox owner \"%s\" is not uid:gid or a user", o);
			goto out;
		}
	} else {
		mb->uid = geteuid();
		mb->gid = getegid();
	}
	/* the user is the address without detail (also for a catch-all) */
	snprintf(key, sizeof(key), "%s@%s", mb->local, mb->domain);
	if (!(mb->user = strdup(key))) {
		*error_r = "out of memory";
		goto out;
	}
	mb->system = false;
	ret = RECIPIENT_OK;
out:
	pthread_mutex_unlock(&vmap_lock);
	return ret;
}

/* ---- system users ---------------------------------------------------- */

static enum recipient_status lookup_system(const struct conf *c, struct mailbox *mb,
				      const char **error_r)
{
	struct passwd pw, *res = NULL;
	long bl = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t blen = bl > 0 ? (size_t)bl : 16384;
	char *buf;
	int r;
	enum recipient_status ret = RECIPIENT_UNKNOWN;

	if (*mb->domain && c->local_domains.n) {
		size_t i;

		for (i = 0; i < c->local_domains.n; i++)
			if (!strcasecmp(c->local_domains.v[i], mb->domain))
				break;
		if (i == c->local_domains.n) {
			*error_r = "domain is not in local_domains";
			return RECIPIENT_UNKNOWN;
		}
	}
	for (;;) {
		if (!(buf = malloc(blen))) {
			*error_r = "out of memory";
			return RECIPIENT_TEMPFAIL;
		}
		r = getpwnam_r(mb->local, &pw, buf, blen, &res);
		if (r != ERANGE || blen >= 1024 * 1024)
			break;
		free(buf);
		blen *= 2;
	}
	/* getpwnam(3): 0, ENOENT, ESRCH, EBADF, EPERM all mean "not found" */
	if (r && r != ENOENT && r != ESRCH && r != EBADF && r != EPERM) {
		*error_r = errf("getpwnam %s: %s", mb->local, strerror(r));
		ret = RECIPIENT_TEMPFAIL;
		goto out;
	}
	if (r || !res) {
		*error_r = "no such user";
		goto out;
	}
	if (pw.pw_uid == 0) {
		*error_r = "no delivery to uid 0 (alias root in the MTA)";
		goto out;
	}
	if (!pw.pw_dir || pw.pw_dir[0] != '/') {
		*error_r = errf("user %s has no absolute home directory", mb->local);
		ret = RECIPIENT_TEMPFAIL;
		goto out;
	}
	ret = RECIPIENT_TEMPFAIL;
	if (!(mb->home = strdup(pw.pw_dir)) || !(mb->user = strdup(pw.pw_name)))
		goto out;
	if (!(mb->maildir = expand(c->system_maildir && *c->system_maildir ?
				   c->system_maildir : "Maildir", pw.pw_dir,
				   mb->local, mb->domain, pw.pw_dir, error_r)))
		goto out;
	mb->uid = pw.pw_uid;
	mb->gid = pw.pw_gid;
	mb->system = true;
	ret = RECIPIENT_OK;
out:
	free(buf);
	return ret;
}

/* ---- lookup ---------------------------------------------------------- */

enum recipient_status recipient_lookup(const struct conf *c, const char *rcpt,
			     struct mailbox *mb, const char **error_r)
{
	char *full = NULL;
	enum recipient_status ret = RECIPIENT_UNKNOWN;
	const char *why = "no such user";
	static const char *const def[] = { "system" };
	const char *const *methods = c->user_lookup.n ?
		(const char *const *)c->user_lookup.v : def;
	size_t nm = c->user_lookup.n ? c->user_lookup.n : 1;

	memset(mb, 0, sizeof(*mb));
	if (split(rcpt, c->recipient_delimiter, &full, &mb->local, &mb->detail,
		  &mb->domain) < 0) {
		*error_r = "malformed recipient address";
		return RECIPIENT_UNKNOWN;
	}
	if (!(mb->address = strdup(rcpt))) {
		free(full);
		recipient_clear(mb);
		*error_r = "out of memory";
		return RECIPIENT_TEMPFAIL;
	}
	for (size_t i = 0; i < nm; i++) {
		const char *err = NULL;

		if (!strcasecmp(methods[i], "system"))
			ret = lookup_system(c, mb, &err);
		else if (!strcasecmp(methods[i], "virtual"))
			ret = lookup_virtual(c, full, mb, &err);
		else {
			ret = RECIPIENT_TEMPFAIL;
			err = errf("user_lookup: unknown method \"%s\"", methods[i]);
		}
		if (ret == RECIPIENT_OK) {
			free(full);
			return RECIPIENT_OK;
		}
		/* a method that failed left partial results behind */
		free(mb->user);
		free(mb->home);
		free(mb->maildir);
		mb->user = mb->home = mb->maildir = NULL;
		if (ret == RECIPIENT_TEMPFAIL) {
			why = err;
			break;
		}
		if (err && strcmp(err, "no such user") && strcmp(err, "domain is not in local_domains"))
			why = err;
	}
	free(full);
	recipient_clear(mb);
	*error_r = why;
	return ret;
}

void recipient_clear(struct mailbox *mb)
{
	if (!mb)
		return;
	free(mb->address);
	free(mb->local);
	free(mb->detail);
	free(mb->domain);
	free(mb->user);
	free(mb->home);
	free(mb->maildir);
	memset(mb, 0, sizeof(*mb));
}
