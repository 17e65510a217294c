/* sieve_action.c - carry out a Sieve plan's redirects and vacation reply
 * after the message was stored.
 *
 * Takes the plan from sieve_evaluate(); hands messages to
 * conf->sendmail_path (argv: -i -f SENDER -- RCPT).  Runs in a child with
 * the mailbox owner's uid/gid (when we are root), so the per-user vacation
 * database is created and read with the user's rights.  Never: answers
 * mail that RFC 3834 says must not be answered, redirects a message that
 * already passed through this recipient (X-AuthDeliver-Loop), or makes the
 * delivery fail (errors are logged).
 *
 * Vacation database: a small text file, one "sha256hex expiry" line per
 * (sender, handle), locked with flock; at most VAC_MAX_ENTRIES lines, the
 * expired ones pruned on every write.  Where: vacation_db_dir/ADDRESS.db
 * when vacation_db_dir is set, else ~/.authdeliver-vacation.db, else (a
 * virtual user without home) authdeliver-vacation.db in the Maildir root.
 */
#include "sieve.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <openssl/evp.h>

#include "conf.h"
#include "log.h"
#include "recipient.h"
#include "msg.h"
#include "verdict.h"	/* VERDICT_DROP, VERDICT_RENAME */

#define LOOP_HEADER "X-AuthDeliver-Loop"
#define LOOP_MAX 8			/* loop headers before we refuse */
#define VAC_MAX_ENTRIES 10000
#define VAC_MAX_FILE (1024 * 1024)
#define SENDMAIL_TIMEOUT 60		/* seconds */

/* ---- running sendmail ---- */

/* Run conf->sendmail_path (words split at spaces: "/usr/sbin/sendmail
 * -oem" works) with -i -f SENDER -- RCPT; write the pieces to its stdin.
 * Returns 0 when it exited 0. */
static int sendmail_run(const struct conf *c, const char *sender, const char *rcpt,
			const char *const *pieces, const size_t *lens, size_t n)
{
	char *cmd = strdup(c->sendmail_path ? c->sendmail_path : "");
	if (!cmd)
		return -1;
	char *argv[32];
	size_t ac = 0;
	char *save = NULL;
	for (char *w = strtok_r(cmd, " \t", &save); w && ac < 24; w = strtok_r(NULL, " \t", &save))
		argv[ac++] = w;
	if (!ac) {
		free(cmd);
		log_error("sieve: sendmail_path is empty");
		return -1;
	}
	argv[ac++] = (char *)"-i";
	argv[ac++] = (char *)"-f";
	argv[ac++] = (char *)(sender && *sender ? sender : "<>");
	argv[ac++] = (char *)"--";
	argv[ac++] = (char *)rcpt;
	argv[ac] = NULL;

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(cmd);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(cmd);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[0], 0);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 1);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[0]);
	free(cmd);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	int ok = 0;
	for (size_t i = 0; i < n && ok == 0; i++) {
		size_t off = 0;
		while (off < lens[i]) {
			ssize_t w = write(pfd[1], pieces[i] + off, lens[i] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ok = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	close(pfd[1]);
	signal(SIGPIPE, old);
	int status = 0;
	time_t end = time(NULL) + SENDMAIL_TIMEOUT;
	pid_t w;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && time(NULL) < end)
		poll(NULL, 0, 20);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		log_error("sieve: %s did not finish in %ds", argv[0], SENDMAIL_TIMEOUT);
		return -1;
	}
	if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("sieve: %s for <%s> failed (status %d)", argv[0], rcpt,
			  w < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return ok ? ok : -1;
	}
	return ok;
}

static size_t copy_lf(char *out, const char *p, size_t len)
{
	size_t o = 0;
	for (size_t k = 0; k < len; k++)
		if (!(p[k] == '\r' && k + 1 < len && p[k + 1] == '\n'))
			out[o++] = p[k];
	return o;
}

/* The message as delivered (fields the verdict drops left out, renamed
 * ones renamed, the recipient's editheader edits applied: RFC 5293
 * section 7, actions that send the message use the edited header),
 * CRLF -> LF for the local sendmail. */
static char *message_lf(const struct msg *m, const struct sieve_facts *facts,
			const struct sieve_edits *ed, size_t *len_r)
{
	const unsigned char *marks = facts ? facts->marks : NULL;
	char *out = malloc(m->len + m->nhdrs * 12 + (ed ? ed->added_bytes : 0) + 2);
	if (!out)
		return NULL;
	size_t o = 0, dk = 0;
	size_t hdr_end = m->nhdrs ? m->hdrs[m->nhdrs - 1].off + m->hdrs[m->nhdrs - 1].len : 0;
	for (size_t k = 0; ed && k < ed->ntop; k++)
		o += copy_lf(out + o, ed->top[k], strlen(ed->top[k]));
	for (size_t i = 0; i < m->nhdrs; i++) {
		while (ed && dk < ed->ndeleted && ed->deleted[dk] < i)
			dk++;
		if (ed && dk < ed->ndeleted && ed->deleted[dk] == i)
			continue;
		if (marks && marks[i] == VERDICT_DROP)
			continue;
		if (marks && marks[i] == VERDICT_RENAME) {
			memcpy(out + o, "X-Original-", 11);
			o += 11;
		}
		o += copy_lf(out + o, m->data + m->hdrs[i].off, m->hdrs[i].len);
	}
	if (ed && ed->nbottom && o && out[o - 1] != '\n')
		out[o++] = '\n';	/* the last field ended the message without its line end */
	for (size_t k = 0; ed && k < ed->nbottom; k++)
		o += copy_lf(out + o, ed->bottom[k], strlen(ed->bottom[k]));
	for (size_t k = hdr_end; k < m->len; k++)
		if (!(m->data[k] == '\r' && k + 1 < m->len && m->data[k + 1] == '\n'))
			out[o++] = m->data[k];
	out[o] = 0;
	*len_r = o;
	return out;
}

/* ---- redirect ---- */

/* Has the message already been redirected by us for this recipient (or
 * bounced around too often)? */
static bool redirect_loops(const struct msg *m, const char *rcpt)
{
	size_t n = 0;
	for (size_t i = msg_hdr_find(m, LOOP_HEADER, 0); i != MSG_NOT_FOUND;
	     i = msg_hdr_find(m, LOOP_HEADER, i + 1)) {
		char *val = msg_hdr_value(m, i);
		bool same = val && !strcasecmp(val, rcpt);
		free(val);
		if (same || ++n >= LOOP_MAX)
			return true;
	}
	return false;
}

static int do_redirect(const struct conf *c, const struct msg *m, const struct sieve_facts *facts,
		       const struct sieve_edits *ed, const char *envelope_from, const char *envelope_to,
		       const char *addr)
{
	if (redirect_loops(m, envelope_to)) {
		log_warn("sieve: redirect of mail for %s to %s skipped: loop (" LOOP_HEADER ")",
			 envelope_to, addr);
		return -1;
	}
	size_t blen;
	char *body = message_lf(m, facts, ed, &blen);
	char *hdr = NULL;
	/* RFC 5228 section 4.2: the message goes out unchanged except for
	 * a trace field; ours names the recipient whose script sent it */
	if (!body || asprintf(&hdr, LOOP_HEADER ": %s\n", envelope_to) < 0) {
		free(body);
		return -1;
	}
	const char *pieces[2] = { hdr, body };
	size_t lens[2] = { strlen(hdr), blen };
	/* the original envelope sender stays (RFC 5228 section 4.2) */
	int rc = sendmail_run(c, envelope_from, addr, pieces, lens, 2);
	free(hdr);
	free(body);
	if (rc == 0)
		log_info("sieve: redirected mail for %s to %s", envelope_to, addr);
	return rc;
}

/* ---- vacation ---- */

static bool has_header(const struct msg *m, const char *name)
{
	return msg_hdr_find(m, name, 0) != MSG_NOT_FOUND;
}

/* RFC 3834 section 2 and RFC 5230 section 4.6: who never gets a reply. */
static const char *vacation_refusal(const struct msg *m, const char *sender, const char *rcpt,
				    const struct mailbox *mb)
{
	if (!sender || !*sender)
		return "null sender";
	const char *at = strrchr(sender, '@');
	size_t llen = at ? (size_t)(at - sender) : strlen(sender);
	if ((llen == 13 && !strncasecmp(sender, "MAILER-DAEMON", 13)) ||
	    (llen >= 6 && !strncasecmp(sender, "owner-", 6)) ||
	    (llen >= 8 && !strncasecmp(sender + llen - 8, "-request", 8)) ||
	    (llen == 8 && !strncasecmp(sender, "listserv", 8)) ||
	    (llen == 9 && !strncasecmp(sender, "majordomo", 9)))
		return "sender is a list or daemon address";
	if (!strcasecmp(sender, rcpt) || (mb && mb->address && !strcasecmp(sender, mb->address)))
		return "sender is the recipient";
	size_t i = msg_hdr_find(m, "Auto-Submitted", 0);
	if (i != MSG_NOT_FOUND) {
		char *val = msg_hdr_value(m, i);
		/* "no" possibly followed by parameters or a comment */
		bool no = val && !strncasecmp(val, "no", 2) &&
			  (!val[2] || val[2] == ';' || val[2] == ' ' || val[2] == '(' || val[2] == '\t');
		free(val);
		if (!no)
			return "Auto-Submitted";
	}
	static const char *const list_fields[] = {
		"List-Id", "List-Help", "List-Unsubscribe", "List-Subscribe",
		"List-Post", "List-Owner", "List-Archive", NULL,
	};
	for (int k = 0; list_fields[k]; k++)
		if (has_header(m, list_fields[k]))
			return "mailing list message";
	if ((i = msg_hdr_find(m, "Precedence", 0)) != MSG_NOT_FOUND) {
		char *val = msg_hdr_value(m, i);
		bool bulk = val && (!strcasecmp(val, "bulk") || !strcasecmp(val, "junk") ||
				    !strcasecmp(val, "list"));
		free(val);
		if (bulk)
			return "Precedence bulk/junk/list";
	}
	return NULL;
}

/* The per-user state file of kind "vacation" (suffix .db) or
 * "duplicate" (.dup): in vacation_db_dir by address, else in the home
 * directory, else in the Maildir root. */
static int state_path(const struct conf *c, const char *address, const char *home,
		      const char *maildir, const char *kind, char *out, size_t outlen)
{
	int n;
	bool vac = !strcmp(kind, "vacation");
	const char *suffix = vac ? "db" : !strcmp(kind, "duplicate") ? "dup" : kind;
	if (c->vacation_db_dir && *c->vacation_db_dir) {
		char name[512];
		size_t o = 0;
		for (const char *p = address ? address : ""; *p && o < sizeof(name) - 1; p++) {
			/* a file name: no "/", no leading "." */
			bool safe = (isalnum((unsigned char)*p) || strchr("@.+-_", *p)) && !(o == 0 && *p == '.');
			name[o++] = safe ? (char)tolower((unsigned char)*p) : '_';
		}
		name[o] = 0;
		n = snprintf(out, outlen, "%s/%s.%s", c->vacation_db_dir, name, suffix);
	} else if (home && *home) {
		n = snprintf(out, outlen, "%s/.authdeliver-%s.db", home, kind);
	} else if (maildir && *maildir) {
		n = snprintf(out, outlen, "%s/authdeliver-%s.db", maildir, kind);
	} else {
		return -1;
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int vacation_db_path(const struct conf *c, const struct mailbox *mb, const char *rcpt,
			    char *out, size_t outlen)
{
	return state_path(c, mb && mb->address ? mb->address : rcpt, mb ? mb->home : NULL,
			  mb ? mb->maildir : NULL, "vacation", out, outlen);
}

int sieve_duplicate_seen(const struct conf *c, const char *address, const char *home,
			 const char *maildir, const char *handle, const char *id, char key_r[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -1;
	/* RFC 7352 section 3: the identifier is tracked per handle */
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, "duplicate\n", 10);
	EVP_DigestUpdate(ctx, handle, strlen(handle) + 1);
	EVP_DigestUpdate(ctx, id, strlen(id));
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; i < 32; i++)
		sprintf(key_r + 2 * i, "%02x", md[i]);
	key_r[64] = 0;
	char path[4096];
	if (state_path(c, address, home, maildir, "duplicate", path, sizeof(path)) < 0)
		return 0;	/* nowhere to look: never seen */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	int seen = 0;
	if (flock(fd, LOCK_SH) == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size <= VAC_MAX_FILE) {
		char *data = malloc((size_t)st.st_size + 1);
		ssize_t got = data ? pread(fd, data, (size_t)st.st_size, 0) : -1;
		if (got >= 0) {
			data[got] = 0;
			time_t now = time(NULL);
			char *save = NULL;
			for (char *line = strtok_r(data, "\n", &save); line && !seen;
			     line = strtok_r(NULL, "\n", &save)) {
				char k[65];
				long long exp;
				if (sscanf(line, "%64s %lld", k, &exp) == 2 && exp > now && !strcmp(k, key_r))
					seen = 1;
			}
		}
		free(data);
	}
	close(fd);
	return seen;
}

static void vacation_key(const char *sender, const struct sieve_vacation *v, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *ls = strdup(sender);
	if (ls)
		for (char *p = ls; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, ls ? ls : sender, strlen(sender));
	EVP_DigestUpdate(ctx, "\n", 1);
	/* RFC 5230 section 4.2: without :handle, the arguments identify
	 * the vacation action */
	if (v->handle) {
		EVP_DigestUpdate(ctx, "h", 1);
		EVP_DigestUpdate(ctx, v->handle, strlen(v->handle));
	} else {
		EVP_DigestUpdate(ctx, "a", 1);
		EVP_DigestUpdate(ctx, v->text, strlen(v->text) + 1);
		if (v->subject)
			EVP_DigestUpdate(ctx, v->subject, strlen(v->subject) + 1);
		if (v->from)
			EVP_DigestUpdate(ctx, v->from, strlen(v->from));
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	free(ls);
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[64] = 0;
}

/* Returns 1 when a reply is due (and records it), 0 when one was sent
 * within :days, -1 on error (no reply: better silent than a storm). */
static int vacation_db_check(const char *path, const char *key, long period, time_t now)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("sieve: vacation database %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VAC_MAX_FILE) {
		log_error("sieve: vacation database %s: not a regular file or too large", path);
		close(fd);
		return -1;
	}
	char *data = malloc((size_t)st.st_size + 1);
	char *out = malloc((size_t)st.st_size + 128);
	ssize_t got = data ? pread(fd, data, (size_t)st.st_size, 0) : -1;
	if (!data || !out || got < 0) {
		free(data);
		free(out);
		close(fd);
		return -1;
	}
	data[got] = 0;
	int due = 1;
	size_t o = 0, kept = 0;
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char k[65];
		long long exp;
		if (sscanf(line, "%64s %lld", k, &exp) != 2 || strlen(k) != 64 || exp <= now)
			continue;	/* garbage or expired: pruned */
		if (!strcmp(k, key)) {
			due = 0;
			break;
		}
		if (kept < VAC_MAX_ENTRIES - 1) {
			o += (size_t)sprintf(out + o, "%s %lld\n", k, exp);
			kept++;
		}
	}
	int rc = due;
	if (due) {
		o += (size_t)sprintf(out + o, "%s %lld\n", key, (long long)now + (long long)period);
		if (pwrite(fd, out, o, 0) != (ssize_t)o || ftruncate(fd, (off_t)o) < 0 || fsync(fd) < 0) {
			log_error("sieve: vacation database %s: write failed: %s", path, strerror(errno));
			rc = -1;
		}
	}
	free(data);
	free(out);
	close(fd);
	return rc;
}

/* One line, no CR/LF: header values from scripts and messages. */
/* NULL for a NULL s (callers treat it as out of memory; the analyzer
 * cannot see that rcpt, the accepted recipient, is never NULL) */
static char *one_line(const char *s, size_t max)
{
	if (!s)
		return NULL;
	char *o = strndup(s, max);
	if (o)
		for (char *p = o; *p; p++)
			if (*p == '\r' || *p == '\n' || *p == '\t')
				*p = ' ';
	return o;
}

static int do_vacation(const struct conf *c, const struct mailbox *mb, const struct msg *m,
		       const char *sender, const char *rcpt, const struct sieve_vacation *v)
{
	const char *why = vacation_refusal(m, sender, rcpt, mb);
	if (why) {
		log_info("sieve: no vacation reply to <%s>: %s", sender ? sender : "", why);
		return -1;
	}
	char path[4096], key[65];
	if (vacation_db_path(c, mb, rcpt, path, sizeof(path)) < 0) {
		log_error("sieve: no place for the vacation database of %s", rcpt);
		return -1;
	}
	vacation_key(sender, v, key);
	int due = vacation_db_check(path, key, v->seconds > 0 ? v->seconds : v->days * 86400, time(NULL));
	if (due <= 0) {
		if (due == 0)
			log_info("sieve: vacation reply to <%s> already sent within %d days", sender, v->days);
		return -1;
	}

	g_mime_init();
	char *from = one_line(v->from && *v->from ? v->from : rcpt, 512);
	char *subj = NULL;
	if (v->subject) {
		subj = one_line(v->subject, 998);
	} else {
		size_t i = msg_hdr_find(m, "Subject", 0);
		char *orig = i != MSG_NOT_FOUND ? msg_hdr_value(m, i) : NULL;
		char *dec = orig ? g_mime_utils_header_decode_text(NULL, orig) : NULL;
		/* RFC 5230 section 4.4: "Auto: " and the original subject */
		if (asprintf(&subj, "Auto: %s", dec ? dec : "") < 0)
			subj = NULL;
		if (subj) {
			char *t = one_line(subj, 998);
			free(subj);
			subj = t;
		}
		g_free(dec);
		free(orig);
	}
	char *esubj = subj ? g_mime_utils_header_encode_text(NULL, subj, "utf-8") : NULL;
	size_t mi = msg_hdr_find(m, "Message-ID", 0);
	char *msgid = mi != MSG_NOT_FOUND ? msg_hdr_value(m, mi) : NULL;
	char *mid1 = msgid ? one_line(msgid, 998) : NULL;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	unsigned char rnd[8];
	FILE *ur = fopen("/dev/urandom", "r");
	if (!ur || fread(rnd, 1, sizeof(rnd), ur) != sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	if (ur)
		fclose(ur);
	char *hdr = NULL;
	int rc = -1;
	if (from && esubj &&
	    asprintf(&hdr,
		     "From: %s\n"
		     "To: %s\n"
		     "Subject: %s\n"
		     "Date: %s\n"
		     "Message-ID: <vacation.%lld.%02x%02x%02x%02x%02x%02x%02x%02x@%s>\n"
		     "%s%s%s%s%s%s"
		     /* RFC 3834 section 5 */
		     "Auto-Submitted: auto-replied (vacation)\n"
		     "MIME-Version: 1.0\n"
		     "%s",
		     from, sender, esubj, date, (long long)now,
		     rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7],
		     c->hostname && *c->hostname ? c->hostname : "localhost",
		     mid1 ? "In-Reply-To: " : "", mid1 ? mid1 : "", mid1 ? "\n" : "",
		     mid1 ? "References: " : "", mid1 ? mid1 : "", mid1 ? "\n" : "",
		     v->mime ? "" : "Content-Type: text/plain; charset=utf-8\n"
				    "Content-Transfer-Encoding: 8bit\n\n") >= 0) {
		/* with :mime the reason is a MIME entity: its own header
		 * fields, a blank line, its body (RFC 5230 section 4.3) */
		char *body = NULL;
		size_t bl = 0;
		if (v->text) {
			body = strdup(v->text);
			if (body) {
				char *w = body;
				for (const char *p = v->text; *p; p++)
					if (*p != '\r')
						*w++ = *p;
				*w = 0;
				bl = (size_t)(w - body);
			}
		}
		const char *pieces[3] = { hdr, body ? body : "", "\n" };
		size_t lens[3] = { strlen(hdr), bl, bl && body[bl - 1] == '\n' ? 0 : 1 };
		/* RFC 3834 section 3.3 / RFC 5230 section 4.3: null
		 * envelope sender so the reply cannot bounce back */
		rc = sendmail_run(c, "", sender, pieces, lens, 3);
		if (rc == 0)
			log_info("sieve: vacation reply for %s sent to <%s>", rcpt, sender);
		free(body);
	}
	free(hdr);
	free(from);
	free(subj);
	g_free(esubj);
	free(msgid);
	free(mid1);
	return rc;
}

static int hexval(int ch)
{
	return isdigit(ch) ? ch - '0' : isxdigit(ch) ? tolower(ch) - 'a' + 10 : -1;
}

/* RFC 3986 percent-decoding of n bytes; NULL for a bad escape or NUL */
static char *pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int l = h >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
			if (h < 0 || l < 0 || (h == 0 && l == 0)) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
	return out;
}

static bool notify_addr_ok(const char *a)
{
	const char *at = strrchr(a, '@');
	if (!at || at == a || !at[1] || strlen(a) > 320 || a[0] == '-')
		return false;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || strchr("<>()[],;:\\\"", *p))
			return false;
	return true;
}

#define MAILTO_MAX_RCPTS 8

static int add_rcpts(char **to, size_t *nto, const char *list, size_t n)
{
	char *dec = pct_decode(list, n);
	if (!dec)
		return -1;
	char *save = NULL;
	for (char *a = strtok_r(dec, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		while (*a == ' ')
			a++;
		if (!notify_addr_ok(a) || *nto >= MAILTO_MAX_RCPTS) {
			free(dec);
			return -1;
		}
		if (!(to[(*nto)++] = strdup(a))) {
			free(dec);
			return -1;
		}
	}
	free(dec);
	return 0;
}

int sieve_mailto_parse(const char *uri, char ***to_r, char **subject_r, char **body_r)
{
	/* RFC 6068 section 2: "mailto:" [ to ] [ "?" hfields ] */
	if (strncasecmp(uri, "mailto:", 7))
		return 0;
	char *to[MAILTO_MAX_RCPTS + 1] = { 0 };
	size_t nto = 0;
	char *subject = NULL, *body = NULL;
	const char *p = uri + 7, *q = strchr(p, '?');
	int ok = add_rcpts(to, &nto, p, q ? (size_t)(q - p) : strlen(p)) == 0;
	for (const char *f = q ? q + 1 : NULL; ok && f && *f; ) {
		const char *amp = strchr(f, '&'), *end = amp ? amp : f + strlen(f);
		const char *eq = memchr(f, '=', (size_t)(end - f));
		if (!eq) {
			ok = 0;
			break;
		}
		size_t nl = (size_t)(eq - f);
		if (nl == 2 && !strncasecmp(f, "to", 2))
			ok = add_rcpts(to, &nto, eq + 1, (size_t)(end - eq - 1)) == 0;
		else if (nl == 7 && !strncasecmp(f, "subject", 7) && !subject)
			ok = (subject = pct_decode(eq + 1, (size_t)(end - eq - 1))) != NULL;
		else if (nl == 4 && !strncasecmp(f, "body", 4) && !body)
			ok = (body = pct_decode(eq + 1, (size_t)(end - eq - 1))) != NULL;
		/* RFC 5436 section 2.2: other fields are ignored */
		f = amp ? amp + 1 : NULL;
	}
	ok = ok && nto > 0;
	if (ok && to_r) {
		char **arr = calloc(nto + 1, sizeof(char *));
		if (!arr)
			ok = 0;
		else
			for (size_t i = 0; i < nto; i++) {
				arr[i] = to[i];
				to[i] = NULL;
			}
		*to_r = arr;
	}
	for (size_t i = 0; i < nto; i++)
		free(to[i]);
	if (ok && subject_r) {
		*subject_r = subject;
		subject = NULL;
	}
	if (ok && body_r) {
		*body_r = body;
		body = NULL;
	}
	free(subject);
	free(body);
	return ok;
}

/* RFC 5436 section 2.7: a notification by mail.  Not for auto-submitted
 * messages; at most one per (URI, sender) in NOTIFY_PERIOD (records in
 * the per-user state file, as vacation); null envelope sender. */
#define NOTIFY_PERIOD 300
static int do_notify(const struct conf *c, const struct mailbox *mb, const struct msg *m,
		     const char *sender, const char *rcpt, const struct sieve_vacation *n)
{
	size_t ai = msg_hdr_find(m, "Auto-Submitted", 0);
	if (ai != MSG_NOT_FOUND) {
		char *v = msg_hdr_value(m, ai);
		bool no = v && !strncasecmp(v + strspn(v, " \t"), "no", 2);
		free(v);
		if (!no) {
			log_info("sieve: no notification for %s: the message is auto-submitted", rcpt);
			return -1;
		}
	}
	char **to = NULL, *usubj = NULL, *ubody = NULL;
	if (!sieve_mailto_parse(n->to, &to, &usubj, &ubody))
		return -1;
	char path[4096], key[65];
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, "notify\n", 7);
	EVP_DigestUpdate(ctx, n->to, strlen(n->to) + 1);
	EVP_DigestUpdate(ctx, sender, strlen(sender));
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; i < 32; i++)
		sprintf(key + 2 * i, "%02x", md[i]);
	key[64] = 0;
	int rc = -1;
	if (state_path(c, mb && mb->address ? mb->address : rcpt, mb ? mb->home : NULL,
		       mb ? mb->maildir : NULL, "notify", path, sizeof(path)) < 0 ||
	    vacation_db_check(path, key, NOTIFY_PERIOD, time(NULL)) <= 0) {
		log_info("sieve: notification %s for %s not sent: rate limit (%d s) or no state file",
			 n->to, rcpt, NOTIFY_PERIOD);
		goto out;
	}
	g_mime_init();
	size_t si = msg_hdr_find(m, "Subject", 0), fi = msg_hdr_find(m, "From", 0);
	char *osubj = si != MSG_NOT_FOUND ? msg_hdr_value(m, si) : NULL;
	char *ofrom = fi != MSG_NOT_FOUND ? msg_hdr_value(m, fi) : NULL;
	char *dsubj = osubj ? g_mime_utils_header_decode_text(NULL, osubj) : NULL;
	char *text = NULL, *subj = NULL, *hdr = NULL, *tolist = NULL;
	/* RFC 5436 section 2.7: :message is the subject; the body says
	 * which message it is about */
	if (asprintf(&subj, "%s", n->subject ? n->subject : usubj ? usubj : "[SIEVE] New mail notification") < 0)
		subj = NULL;
	char *s1 = subj ? one_line(subj, 998) : NULL;
	char *esubj = s1 ? g_mime_utils_header_encode_text(NULL, s1, "utf-8") : NULL;
	char *from = one_line(n->from && *n->from ? n->from : rcpt, 512);
	size_t tl = 0;
	for (size_t i = 0; to[i]; i++)
		tl += strlen(to[i]) + 2;
	tolist = calloc(1, tl + 1);
	for (size_t i = 0; tolist && to[i]; i++) {
		if (i)
			strcat(tolist, ", ");
		strcat(tolist, to[i]);
	}
	if (asprintf(&text, "%s%sYou have new mail from %s with subject \"%s\".\n",
		     ubody ? ubody : "", ubody ? "\n\n" : "", ofrom ? ofrom : "<>", dsubj ? dsubj : "") < 0)
		text = NULL;
	if (from && esubj && tolist && text &&
	    asprintf(&hdr, "From: %s\nTo: %s\nSubject: %s\n"
		     /* RFC 5436 section 2.7 / RFC 3834 section 5 */
		     "Auto-Submitted: auto-notified\n"
		     "Importance: %s\n"
		     "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		     "Content-Transfer-Encoding: 8bit\n\n",
		     from, tolist, esubj,
		     !strcmp(n->text, "1") ? "high" : !strcmp(n->text, "3") ? "low" : "normal") >= 0) {
		const char *pieces[2] = { hdr, text };
		size_t lens[2] = { strlen(hdr), strlen(text) };
		rc = 0;
		for (size_t i = 0; to[i]; i++)
			if (sendmail_run(c, "", to[i], pieces, lens, 2) < 0)
				rc = -1;
		if (rc == 0)
			log_info("sieve: notification for %s sent to %s", rcpt, tolist);
	}
	free(hdr);
	free(text);
	free(tolist);
	free(from);
	g_free(esubj);
	free(s1);
	free(subj);
	g_free(dsubj);
	free(osubj);
	free(ofrom);
out:
	for (size_t i = 0; to && to[i]; i++)
		free(to[i]);
	free(to);
	free(usubj);
	free(ubody);
	return rc;
}

static int after_delivery_child(const struct conf *c, const struct mailbox *mb,
				const struct msg *m, const struct sieve_facts *facts,
				const char *envelope_from, const char *envelope_to,
				const struct sieve_plan *plan)
{
	int sent = 0;
	for (size_t i = 0; i < plan->nredirects; i++)
		if (do_redirect(c, m, facts, plan->redirect_edits ? &plan->redirect_edits[i] : NULL,
				envelope_from, envelope_to,
				plan->redirects[i]) == 0)
			sent++;
	if (plan->vacation &&
	    do_vacation(c, mb, m, envelope_from, envelope_to, plan->vacation) == 0)
		sent++;
	for (size_t i = 0; i < plan->nnotifies; i++)
		if (do_notify(c, mb, m, envelope_from, envelope_to, plan->notifies[i]) == 0)
			sent++;
	/* RFC 7352 section 3: the duplicate marks of a delivered message */
	char path[4096];
	if (plan->ndups && state_path(c, mb && mb->address ? mb->address : envelope_to,
				      mb ? mb->home : NULL, mb ? mb->maildir : NULL,
				      "duplicate", path, sizeof(path)) == 0)
		for (size_t i = 0; i < plan->ndups; i++)
			vacation_db_check(path, plan->dups[i].key, plan->dups[i].period, time(NULL));
	return sent;
}

int sieve_after_delivery(const struct conf *c, const struct mailbox *mb, const struct msg *m,
			 const struct sieve_facts *facts, const char *envelope_from,
			 const char *envelope_to, const struct sieve_plan *plan)
{
	if (!plan || plan->reject ||
	    (!plan->nredirects && !plan->vacation && !plan->ndups && !plan->nnotifies))
		return 0;
	if (!envelope_to)
		envelope_to = mb && mb->address ? mb->address : "";
	if (!envelope_from)
		envelope_from = "";
	/* as the mailbox owner: the vacation database is the user's */
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		log_error("sieve: fork for redirect/vacation failed: %s", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		static const int sigs[] = { SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2 };
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			signal(sigs[k], SIG_DFL);
		if (geteuid() == 0 && mb && mb->uid != 0 &&
		    (setgroups(0, NULL) < 0 || setgid(mb->gid) < 0 || setuid(mb->uid) < 0)) {
			log_error("sieve: cannot change to uid %ld for redirect/vacation", (long)mb->uid);
			_exit(0);
		}
		int n = after_delivery_child(c, mb, m, facts, envelope_from, envelope_to, plan);
		_exit(n > 100 ? 100 : n);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 0;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}
