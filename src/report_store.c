/* report_store.c - the aggregate-report store: SQLite or PostgreSQL, the
 * schema and its migrations, the send lock, the spool and the delivery
 * hook's sink.
 *
 * Contract of the sink: report_sink_put() never fails a delivery and
 * never loses a record it was given while the spool is writable: the
 * record is in the store, or in the spool (fsync'd), or a log line says
 * it is lost.  SQLite runs in WAL mode with synchronous=NORMAL and a busy
 * timeout, opened lazily once per session process, so that many writers
 * at once only queue for the short write lock.
 */
#include "report_store.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "report_rec.h"

#define NCACHE 8

struct report_store {
	sqlite3 *db;
	long timeout_ms;
	PGconn *pg;
	char err[512];
	struct {
		char *sql;		/* prepared statements by text */
		sqlite3_stmt *st;
	} cache[NCACHE];
	size_t next;			/* cache slot replaced next */
};

static void set_err(struct report_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct report_store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	/* libpq messages end in a newline */
	size_t n = strlen(s->err);
	while (n && (s->err[n - 1] == '\n' || s->err[n - 1] == ' '))
		s->err[--n] = '\0';
	for (char *p = s->err; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

const char *report_store_error(const struct report_store *s)
{
	return s->err;
}

bool report_store_is_pg(const struct report_store *s)
{
	return s->pg != NULL;
}

/* ------------------------------------------------------------------ */
/* exec                                                               */

static sqlite3_stmt *lite_prepare(struct report_store *s, const char *sql, bool *cached)
{
	for (size_t i = 0; i < NCACHE; i++)
		if (s->cache[i].sql && !strcmp(s->cache[i].sql, sql)) {
			*cached = true;
			return s->cache[i].st;
		}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		set_err(s, "%s", sqlite3_errmsg(s->db));
		return NULL;
	}
	char *copy = strdup(sql);
	*cached = copy != NULL;
	if (copy) {
		size_t i = s->next++ % NCACHE;
		if (s->cache[i].st)
			sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
		s->cache[i].sql = copy;
		s->cache[i].st = st;
	}
	return st;
}

static long lite_exec(struct report_store *s, const char *sql, size_t n,
		      const char *const *params, report_row_fn fn, void *arg, bool cache)
{
	bool cached = false;
	sqlite3_stmt *st;
	if (cache) {
		st = lite_prepare(s, sql, &cached);
	} else {
		st = NULL;
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
			set_err(s, "%s", sqlite3_errmsg(s->db));
			st = NULL;
		}
	}
	if (!st)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (params[i])
			sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, (int)i + 1);
	long rows = 0;
	int rc;
	const char *vals[64];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		if (!fn)
			continue;
		int nc = sqlite3_column_count(st);
		if (nc > 64)
			nc = 64;
		for (int k = 0; k < nc; k++) {
			const char *v = (const char *)sqlite3_column_text(st, k);
			vals[k] = v ? v : "";
		}
		if (fn(arg, (size_t)nc, vals)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		set_err(s, "%s", sqlite3_errmsg(s->db));
		rows = -1;
	} else if (!sqlite3_stmt_readonly(st)) {
		rows = sqlite3_changes(s->db);
	}
	if (cached) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		sqlite3_finalize(st);
	}
	return rows;
}

/* "?" -> "$1", "$2", ... (our SQL has no "?" inside literals) */
static char *pg_sql(const char *sql)
{
	size_t n = strlen(sql), q = 0;
	for (const char *p = sql; *p; p++)
		q += *p == '?';
	char *out = malloc(n + q * 4 + 1);
	if (!out)
		return NULL;
	char *o = out;
	int k = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '?')
			o += sprintf(o, "$%d", ++k);
		else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static long pg_exec(struct report_store *s, const char *sql, size_t n,
		    const char *const *params, report_row_fn fn, void *arg)
{
	char *q = pg_sql(sql);
	if (!q) {
		set_err(s, "out of memory");
		return -1;
	}
	PGresult *res = PQexecParams(s->pg, q, (int)n, NULL, params, NULL, NULL, 0);
	free(q);
	ExecStatusType st = PQresultStatus(res);
	long rows = -1;
	if (st == PGRES_TUPLES_OK) {
		int nr = PQntuples(res), nc = PQnfields(res);
		const char *vals[64];
		if (nc > 64)
			nc = 64;
		rows = nr;
		for (int r = 0; fn && r < nr; r++) {
			for (int k = 0; k < nc; k++)
				vals[k] = PQgetvalue(res, r, k);
			if (fn(arg, (size_t)nc, vals))
				break;
		}
	} else if (st == PGRES_COMMAND_OK) {
		const char *t = PQcmdTuples(res);
		rows = *t ? atol(t) : 0;
	} else {
		set_err(s, "%s", PQerrorMessage(s->pg));
	}
	PQclear(res);
	return rows;
}

long report_store_exec(struct report_store *s, const char *sql, size_t n,
		       const char *const *params, report_row_fn fn, void *arg)
{
	if (s->pg)
		return pg_exec(s, sql, n, params, fn, arg);
	return lite_exec(s, sql, n, params, fn, arg, true);
}

static long exec0(struct report_store *s, const char *sql)
{
	if (s->pg)
		return pg_exec(s, sql, 0, NULL, NULL, NULL);
	return lite_exec(s, sql, 0, NULL, NULL, NULL, false);
}

int report_store_begin(struct report_store *s, bool exclusive)
{
	return exec0(s, s->pg || !exclusive ? "BEGIN" : "BEGIN IMMEDIATE") < 0 ? -1 : 0;
}

int report_store_commit(struct report_store *s)
{
	return exec0(s, "COMMIT") < 0 ? -1 : 0;
}

void report_store_rollback(struct report_store *s)
{
	char keep[sizeof s->err];
	memcpy(keep, s->err, sizeof keep);	/* the error that made us roll back */
	exec0(s, "ROLLBACK");
	memcpy(s->err, keep, sizeof keep);
}

/* ------------------------------------------------------------------ */
/* schema                                                             */

/* Version 1.  Each later version appends a step; a step runs in one
 * transaction with the version update, so a store is at one version or
 * the next, never between. */
static const char *const schema_v1[] = {
	/* record: filled by report_rec_fields (below) */
	"CREATE INDEX record_day_domain ON record (day, policy_domain)",
	"CREATE TABLE report (day BIGINT NOT NULL, policy_domain TEXT NOT NULL,"
	" report_id TEXT NOT NULL UNIQUE, created BIGINT NOT NULL, state TEXT NOT NULL,"
	" records BIGINT NOT NULL DEFAULT 0, rua TEXT NOT NULL, xml TEXT NOT NULL,"
	" PRIMARY KEY (day, policy_domain))",
	"CREATE TABLE delivery (report_id TEXT NOT NULL, rcpt TEXT NOT NULL,"
	" state TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, last_try BIGINT,"
	" error TEXT NOT NULL DEFAULT '', PRIMARY KEY (report_id, rcpt))",
	"CREATE TABLE send_lock (name TEXT PRIMARY KEY, holder TEXT NOT NULL,"
	" expires BIGINT NOT NULL)",
	NULL,
};

static int version_cb(void *arg, size_t n, const char *const *v)
{
	*(long *)arg = n ? atol(v[0]) : 0;
	return 1;
}

static long read_version(struct report_store *s)
{
	long v = 0;
	if (report_store_exec(s, "SELECT max(version) FROM schema_version", 0, NULL,
			      version_cb, &v) < 0)
		return -1;
	return v;
}

static int create_record_table(struct report_store *s)
{
	char sql[4096];
	size_t n = (size_t)snprintf(sql, sizeof sql,
		"CREATE TABLE record (uid TEXT PRIMARY KEY, day BIGINT NOT NULL, ts BIGINT NOT NULL");
	for (size_t i = 1; i < report_rec_nfields; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s TEXT NOT NULL DEFAULT ''",
				      report_rec_fields[i].name);
	snprintf(sql + n, sizeof sql - n, ")");
	return exec0(s, sql) < 0 ? -1 : 0;
}

static int migrate(struct report_store *s)
{
	if (exec0(s, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)") < 0) {
		/* PostgreSQL: two first opens at once may collide here */
		if (exec0(s, "SELECT 1 FROM schema_version") < 0)
			return -1;
	}
	long v = read_version(s);
	if (v == REPORT_STORE_SCHEMA)
		return 0;
	if (report_store_begin(s, true) < 0)
		return -1;
	if (s->pg && exec0(s, "LOCK TABLE schema_version IN EXCLUSIVE MODE") < 0)
		goto fail;
	v = read_version(s);		/* another process may have been first */
	if (v < 0)
		goto fail;
	if (v > REPORT_STORE_SCHEMA) {
		set_err(s, "store schema version %ld is newer than this authdeliver's (%d)",
			v, REPORT_STORE_SCHEMA);
		goto fail;
	}
	if (v < 1) {
		if (create_record_table(s) < 0)
			goto fail;
		for (size_t i = 0; schema_v1[i]; i++)
			if (exec0(s, schema_v1[i]) < 0)
				goto fail;
	}
	/* later versions: if (v < 2) { ALTER ... } */
	if (exec0(s, "DELETE FROM schema_version") < 0)
		goto fail;
	char ver[16];
	snprintf(ver, sizeof ver, "%d", REPORT_STORE_SCHEMA);
	const char *p[] = { ver };
	if (report_store_exec(s, "INSERT INTO schema_version (version) VALUES (?)", 1, p,
			      NULL, NULL) < 0)
		goto fail;
	if (report_store_commit(s) < 0)
		goto fail;
	return 0;
fail:
	report_store_rollback(s);
	return -1;
}

/* ------------------------------------------------------------------ */
/* open / close                                                       */

/* SQLite's own busy handler sleeps 1, 2, 5, 10 ... ms; a writer of one
 * record holds the lock for tens of microseconds, so with many session
 * processes writing, short sleeps keep the wait near the real lock time. */
static int busy_cb(void *arg, int n)
{
	const struct report_store *s = arg;
	long slept_us = (long)n * 100;
	if (slept_us / 1000 >= s->timeout_ms)
		return 0;
	struct timespec ts = { 0, 100 * 1000 };
	nanosleep(&ts, NULL);
	return 1;
}

struct report_store *report_store_open(const char *uri, long timeout_ms, const char **err_r)
{
	static char err[600];
	struct report_store *s = calloc(1, sizeof *s);
	if (!s) {
		*err_r = "out of memory";
		return NULL;
	}
	if (!uri || !*uri) {
		*err_r = "dmarc_report_store is not set";
		free(s);
		return NULL;
	}
	if (!strncmp(uri, "sqlite:", 7)) {
		const char *path = uri + 7;
		int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_NOMUTEX, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, sizeof err, "sqlite %s: %s", path,
				 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
			goto fail;
		}
		s->timeout_ms = timeout_ms;
		sqlite3_busy_handler(s->db, busy_cb, s);
		/* WAL: readers never block the writer; NORMAL: a commit is
		 * durable at the next checkpoint, enough for report data */
		if (exec0(s, "PRAGMA journal_mode=WAL") < 0 ||
		    exec0(s, "PRAGMA synchronous=NORMAL") < 0) {
			snprintf(err, sizeof err, "sqlite %s: %s", path, s->err);
			goto fail;
		}
	} else if (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11)) {
		char ct[24], opt[64];
		snprintf(ct, sizeof ct, "%ld", (timeout_ms + 999) / 1000 < 2 ? 2 : (timeout_ms + 999) / 1000);
		snprintf(opt, sizeof opt, "-c statement_timeout=%ld", timeout_ms);
		/* dbname is the whole URI (expand_dbname); our keywords after
		 * it override the URI's own connect_timeout and options */
		const char *const kw[] = { "dbname", "connect_timeout", "options",
					   "application_name", NULL };
		const char *const val[] = { uri, ct, opt, "authdeliver", NULL };
		s->pg = PQconnectdbParams(kw, val, 1);
		if (!s->pg || PQstatus(s->pg) != CONNECTION_OK) {
			snprintf(err, sizeof err, "postgresql: %s",
				 s->pg ? PQerrorMessage(s->pg) : "out of memory");
			size_t n = strlen(err);
			while (n && err[n - 1] == '\n')
				err[--n] = '\0';
			for (char *p = err; *p; p++)
				if (*p == '\n')
					*p = ' ';
			goto fail;
		}
		exec0(s, "SET client_min_messages = warning");
	} else {
		snprintf(err, sizeof err, "dmarc_report_store: want sqlite:PATH or postgresql://...");
		goto fail;
	}
	if (migrate(s) < 0) {
		snprintf(err, sizeof err, "schema: %s", s->err);
		goto fail;
	}
	return s;
fail:
	*err_r = err;
	report_store_close(s);
	return NULL;
}

void report_store_close(struct report_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < NCACHE; i++) {
		if (s->cache[i].st)
			sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	if (s->db)
		sqlite3_close(s->db);
	if (s->pg)
		PQfinish(s->pg);
	free(s);
}

/* ------------------------------------------------------------------ */
/* records                                                            */

static const char *insert_sql(void)
{
	static char sql[2048];
	if (*sql)
		return sql;
	size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO record (day, ts");
	for (size_t i = 0; i < report_rec_nfields; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s", report_rec_fields[i].name);
	n += (size_t)snprintf(sql + n, sizeof sql - n, ") VALUES (?, ?");
	for (size_t i = 0; i < report_rec_nfields; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", ?");
	snprintf(sql + n, sizeof sql - n, ") ON CONFLICT (uid) DO NOTHING");
	return sql;
}

int report_store_add(struct report_store *s, const struct report_rec *r)
{
	char day[24], ts[24];
	const char *p[2 + 32];
	snprintf(day, sizeof day, "%lld", report_day(r->ts));
	snprintf(ts, sizeof ts, "%lld", r->ts);
	p[0] = day;
	p[1] = ts;
	for (size_t i = 0; i < report_rec_nfields; i++)
		p[2 + i] = (const char *)r + report_rec_fields[i].off;
	return report_store_exec(s, insert_sql(), 2 + report_rec_nfields, p, NULL, NULL) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* send lock                                                          */

static int owner_cb(void *arg, size_t n, const char *const *v)
{
	char **o = arg;
	if (n)
		snprintf(o[0], (size_t)(o[1] - o[0]), "%s", v[0]);
	return 1;
}

int report_store_lock(struct report_store *s, const char *holder, long long now,
		      long ttl, char *owner_r, size_t size)
{
	char n[24], e[24];
	snprintf(n, sizeof n, "%lld", now);
	snprintf(e, sizeof e, "%lld", now + ttl);
	/* one statement: a free or expired lock is taken, a held one kept */
	const char *p[] = { holder, e, n, holder };
	if (report_store_exec(s, "INSERT INTO send_lock (name, holder, expires) VALUES ('send', ?, ?)"
			      " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
			      " expires = excluded.expires"
			      " WHERE send_lock.expires < ? OR send_lock.holder = ?",
			      4, p, NULL, NULL) < 0)
		return -1;
	char *o[2] = { owner_r, owner_r + size };
	*owner_r = '\0';
	if (report_store_exec(s, "SELECT holder FROM send_lock WHERE name = 'send'", 0, NULL,
			      owner_cb, o) < 0)
		return -1;
	return !strcmp(owner_r, holder) ? 1 : 0;
}

void report_store_unlock(struct report_store *s, const char *holder)
{
	const char *p[] = { holder };
	report_store_exec(s, "DELETE FROM send_lock WHERE name = 'send' AND holder = ?", 1, p,
			  NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* spool                                                              */

int report_spool_append(const char *path, const struct report_rec *r, const char **err_r)
{
	static char err[300];
	char *line = malloc(32768);
	if (!line) {
		*err_r = "out of memory";
		return -1;
	}
	size_t len = report_rec_encode(r, line, 32768);
	if (!len) {
		free(line);
		*err_r = "record too long for a spool line";
		return -1;
	}
	int rc = -1;
	for (int attempt = 0; attempt < 5; attempt++) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == ENOENT) {
			/* the spool directory: created once, private */
			char dir[1024];
			snprintf(dir, sizeof dir, "%s", path);
			char *sl = strrchr(dir, '/');
			if (sl && sl != dir) {
				*sl = '\0';
				mkdir(dir, 0700);
			}
			fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		}
		if (fd < 0) {
			snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
			break;
		}
		/* a loader renames the spool away and then takes LOCK_EX: a
		 * writer that holds LOCK_SH on the file still at the path is
		 * seen by that loader; one that finds another file there
		 * (renamed meanwhile) opens the new one */
		struct stat a, b;
		if (flock(fd, LOCK_SH) < 0 || fstat(fd, &a) < 0) {
			snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
			close(fd);
			break;
		}
		if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			close(fd);
			continue;
		}
		if (write_full(fd, line, len) == 0 && fdatasync(fd) == 0)
			rc = 0;
		else
			snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
		close(fd);
		break;
	}
	if (rc < 0 && !*err)
		snprintf(err, sizeof err, "%s: keeps being replaced", path);
	free(line);
	if (rc < 0)
		*err_r = err;
	return rc;
}

static long load_file(struct report_store *s, const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	flock(fd, LOCK_EX);	/* waits for writers that found it before the rename */
	FILE *fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		return -1;
	}
	struct report_rec *r = malloc(sizeof *r);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0, bad = 0;
	int rc = r && report_store_begin(s, true) == 0 ? 0 : -1;
	while (rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
		/* a line without its newline is a write cut short: skip */
		if (line[len - 1] != '\n' || report_rec_decode(r, line, (size_t)len) < 0) {
			bad++;
			continue;
		}
		if (report_store_add(s, r) < 0)
			rc = -1;
		else
			n++;
	}
	if (rc == 0 && report_store_commit(s) == 0) {
		unlink(file);
		if (bad)
			log_warn("dmarc report: %s: %ld damaged spool lines skipped", file, bad);
	} else {
		if (r)
			report_store_rollback(s);
		n = -1;
	}
	free(line);
	free(r);
	fclose(fp);
	return n;
}

long report_spool_load(struct report_store *s, const char *path)
{
	if (!path || !*path)
		return 0;
	long total = 0;
	/* take the spool away from the writers, then load it and every
	 * earlier load that did not finish (a crash, a store error) */
	char mine[1100];
	snprintf(mine, sizeof mine, "%s.load.%ld.%ld", path, (long)getpid(), (long)time(NULL));
	if (rename(path, mine) < 0 && errno != ENOENT) {
		set_err(s, "%s: %s", path, strerror(errno));
		return -1;
	}
	char pat[1100];
	snprintf(pat, sizeof pat, "%s.load.*", path);
	glob_t g;
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			long n = load_file(s, g.gl_pathv[i]);
			if (n < 0) {
				if (!*s->err)
					set_err(s, "%s: %s", g.gl_pathv[i], strerror(errno));
				total = -1;
				break;
			}
			total += n;
		}
		globfree(&g);
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* the delivery hook's sink                                           */

/* Records are written in batches: one transaction per SINK_BATCH records
 * (or when the oldest waited SINK_AGE seconds, or the session ended),
 * which costs a fraction of a commit per message.  A session process that
 * crashes loses at most the records it holds (never mail). */
#define SINK_BATCH 32
#define SINK_AGE 2			/* seconds */
#define SINK_RETRY 30			/* seconds after a store failure */

struct report_sink {
	struct report_store *st;
	time_t retry_after;		/* no store open attempts before this */
	struct report_rec *pend[SINK_BATCH];
	size_t npend;
	time_t first;			/* when pend[0] came */
};

static void sink_open(struct report_sink *k, const struct conf *c)
{
	const char *err = NULL;
	k->st = report_store_open(c->dmarc_report_store, c->dmarc_report_timeout, &err);
	if (!k->st) {
		k->retry_after = time(NULL) + SINK_RETRY;
		log_warn("dmarc report: store unreachable: %s; records are spooled to %s",
			 err ? err : "?", c->dmarc_report_spool);
		return;
	}
	/* a session process only appends: a small page cache (SQLite's
	 * default is 2 MB per connection, i.e. per session process) */
	if (!k->st->pg)
		exec0(k->st, "PRAGMA cache_size = -256");
	struct stat sb;
	if (stat(c->dmarc_report_spool, &sb) == 0) {
		long n = report_spool_load(k->st, c->dmarc_report_spool);
		if (n < 0)
			log_warn("dmarc report: loading the spool %s: %s", c->dmarc_report_spool,
				 report_store_error(k->st));
		else if (n)
			log_info("dmarc report: loaded %ld spooled records from %s", n,
				 c->dmarc_report_spool);
	}
}

static int sink_write(struct report_sink *k, struct report_rec *const *recs, size_t n)
{
	if (report_store_begin(k->st, true) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (report_store_add(k->st, recs[i]) < 0) {
			report_store_rollback(k->st);
			return -1;
		}
	if (report_store_commit(k->st) < 0) {
		report_store_rollback(k->st);
		return -1;
	}
	return 0;
}

/* The n records in one transaction, or in the spool; each freed.
 * Returns how many are lost (neither stored nor spooled; logged). */
static size_t sink_store(struct report_sink *k, const struct conf *c, struct report_rec **recs,
			 size_t n)
{
	if (!n)
		return 0;
	char why[600] = "not connected";
	if (!k->st && time(NULL) >= k->retry_after)
		sink_open(k, c);
	if (k->st && sink_write(k, recs, n) == 0) {
		for (size_t i = 0; i < n; i++)
			free(recs[i]);
		return 0;
	}
	if (k->st) {
		snprintf(why, sizeof why, "%s", report_store_error(k->st));
		report_store_close(k->st);
		k->st = NULL;
		k->retry_after = time(NULL) + SINK_RETRY;
	}
	size_t lost = 0;
	for (size_t i = 0; i < n; i++) {
		const char *err = NULL;
		struct report_rec *rec = recs[i];
		if (report_spool_append(c->dmarc_report_spool, rec, &err) == 0)
			log_warn("dmarc report: store: %s; record for %s spooled to %s", why,
				 rec->policy_domain, c->dmarc_report_spool);
		else {
			log_error("dmarc report: store: %s; spool: %s; record for %s lost", why,
				  err ? err : "?", rec->policy_domain);
			lost++;
		}
		free(rec);
	}
	return lost;
}

void report_sink_flush(struct report_sink *k, const struct conf *c)
{
	if (!k)
		return;
	sink_store(k, c, k->pend, k->npend);
	k->npend = 0;
}

size_t report_sink_write(struct report_sink **sinkp, const struct conf *c, struct report_rec **recs,
			 size_t n)
{
	if (!*sinkp && !(*sinkp = calloc(1, sizeof **sinkp))) {
		log_error("dmarc report: out of memory; %zu records lost", n);
		for (size_t i = 0; i < n; i++)
			free(recs[i]);
		return n;
	}
	report_sink_flush(*sinkp, c);	/* what it held came first */
	return sink_store(*sinkp, c, recs, n);
}

void report_sink_put(struct report_sink **sinkp, const struct conf *c, struct report_rec *rec)
{
	if (!rec)
		return;
	if (!c->dmarc_report_store || !*c->dmarc_report_store) {
		free(rec);
		return;
	}
	if (!*sinkp && !(*sinkp = calloc(1, sizeof **sinkp))) {
		log_error("dmarc report: out of memory; record for %s lost", rec->policy_domain);
		free(rec);
		return;
	}
	struct report_sink *k = *sinkp;
	time_t now = time(NULL);
	if (!k->npend)
		k->first = now;
	k->pend[k->npend++] = rec;
	if (k->npend == SINK_BATCH || now - k->first >= SINK_AGE)
		report_sink_flush(k, c);
}

void report_sink_free(struct report_sink *k, const struct conf *c)
{
	if (!k)
		return;
	report_sink_flush(k, c);
	report_store_close(k->st);
	free(k);
}
