/* sieve.h - Sieve (RFC 5228) with libsieve2: scripts -> a delivery plan.
 *
 * Takes the message, the recipient's mailbox, the verdict and the envelope;
 * runs the configured scripts in order (sieve_before..., the user's script
 * or sieve_default, sieve_after...) and returns a plan: the folders to store
 * into (with Maildir flag letters), or discard, or reject with a reason,
 * plus redirects and a vacation reply to carry out after the store
 * succeeded.  It never writes the message anywhere itself, and it never
 * loses mail: a user script that fails to parse or fails at run time puts
 * the message into INBOX (after the before-scripts) and says so in
 * plan->error.  See doc/notes/sieve.md for the full semantics.
 */
#ifndef AUTHDELIVER_SIEVE_H
#define AUTHDELIVER_SIEVE_H

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

struct conf;
struct mailbox;
struct msg;

/* What scripts may know of the verdict: the values behind the virtual
 * header fields X-AuthDeliver-SPF, -DKIM, -ARC, -DMARC, -DMARC-Policy and
 * -Disposition (NULL or "": the field does not exist), the folder used
 * when no script runs at all, and the verdict's marks of incoming fields
 * (dropped fields are invisible to scripts).  Filled from the verdict by
 * sieve_facts_from_verdict(); tests fill it directly. */
struct sieve_facts {
	const char *spf, *dkim, *arc, *dmarc, *dmarc_policy, *disposition;
	const char *folder;
	const unsigned char *marks;
};

/* v may be NULL: no values, folder INBOX.  Inline so that code which does
 * not use it (sieve-check, tests, fuzz targets) does not link the
 * verifiers. */
static inline void sieve_facts_from_verdict(const struct verdict *v, struct sieve_facts *f)
{
	*f = (struct sieve_facts){ .folder = "INBOX" };
	if (!v)
		return;
	f->spf = verdict_value(v, "spf");
	f->dkim = verdict_value(v, "dkim");
	f->arc = verdict_value(v, "arc");
	f->dmarc = verdict_value(v, "dmarc");
	f->dmarc_policy = verdict_value(v, "dmarc-policy");
	f->disposition = verdict_value(v, "disposition");
	f->folder = verdict_folder(v);
	f->marks = verdict_marks(v);
}

#define SIEVE_MAX_STRING 4096	/* bytes of a folder, address, reason kept */
/* fileinto "\\Junk" (RFC 6154 special-use name) means conf->junk_folder. */
#define SIEVE_JUNK_ALIAS "\\Junk"

/* RFC 5293 editheader: the edited header as a difference from the
 * received one.  Added fields are complete, folded, ASCII ("Name: value"
 * CRLF, 8-bit values as RFC 2047 encoded-words); deleted fields are
 * indexes into the received message's header index (struct msg), so
 * delivery writes them as skipped byte ranges and never re-serializes.
 * Fixed bounds (not configurable): */
#define SIEVE_MAX_EDITS 64		/* addheader + deleteheader runs per script */
#define SIEVE_MAX_EDIT_VALUE 1024	/* bytes of one addheader value */
#define SIEVE_MAX_ADDED 16384		/* bytes of all added fields of a message */
struct sieve_edits {
	char **top;		/* added at the top, in header order */
	size_t ntop;
	char **bottom;		/* added with :last, in header order */
	size_t nbottom;
	size_t *deleted;	/* received fields deleted, ascending */
	size_t ndeleted;
	size_t added_bytes;	/* sum of the added fields' lengths */
};

static inline bool sieve_edits_any(const struct sieve_edits *e)
{
	return e && (e->ntop || e->nbottom || e->ndeleted);
}
void sieve_edits_clear(struct sieve_edits *e);
/* Deep copy into an empty dst; -1 on memory exhaustion (dst cleared). */
int sieve_edits_copy(struct sieve_edits *dst, const struct sieve_edits *src);

/* One copy to store.  folder is a name as Sieve gives it ("INBOX",
 * "a/b"), already checked with maildir_folder_dir(); flags are Maildir
 * info letters in ASCII order ("FS"), possibly "". */
struct sieve_target {
	char *folder;
	char flags[8];
	struct sieve_edits edits;	/* editheader: the header as when stored */
};

struct sieve_vacation {
	char *to;		/* reply goes to (the envelope sender) */
	char *from;		/* :from, or NULL: the recipient's address */
	char *subject;		/* :subject, or NULL: "Auto: " + Subject */
	char *text;		/* reason (body, or a MIME entity when mime) */
	char *handle;		/* :handle, or NULL */
	int days;		/* clamped to 1..365 (RFC 5230 section 4.1) */
	int seconds;		/* RFC 6131 :seconds (clamped), 0: use days */
	bool mime;
};


struct sieve_plan {
	struct sieve_target *targets;	/* in order, duplicates merged */
	size_t ntargets;
	bool discard;		/* no target, no reject: nothing is stored */
	bool reject;		/* 550 5.7.1 / exit 67 with reject_reason */
	char *reject_reason;
	char **redirects;	/* at most conf->sieve_max_redirects */
	struct sieve_edits *redirect_edits;	/* per redirect: the header then (or NULL) */
	size_t nredirects;
	struct sieve_vacation *vacation;	/* or NULL */
	struct sieve_dupmark { char *key; long period; } *dups;	/* RFC 7352 marks */
	/* RFC 5435/5436 mailto notifications: uri, :from (from), :message
	 * (subject), :importance (text); at most sieve_max_redirects */
	struct sieve_vacation **notifies;
	size_t nnotifies;
	size_t ndups;
	struct sieve_edits edits;	/* editheader: after the last script (implicit keep) */
	unsigned nwarnings;	/* ignored edits (protected fields) */
	char warning[256];	/* the first one: "script: deleteheader ..." */
	char *error;		/* a script failed: "path:line: message" */
	char summary[256];	/* for the log line: "fileinto=a/b,keep" */
};

void sieve_plan_init(struct sieve_plan *plan);
void sieve_plan_clear(struct sieve_plan *plan);

/* Run the scripts for one recipient.  Returns 0 with a plan (at least one
 * target unless discard or reject), or -1 with error_r when the evaluation
 * could not be done at all (the worker could not be started or answered
 * nothing: a temporary failure).  Scripts run in an evaluation worker
 * process kept per session and mailbox owner, with the owner's
 * privileges, each bounded by sieve_timeout; facts may be NULL. */
int sieve_evaluate(const struct conf *c, const struct mailbox *mb,
		   struct msg *m, const struct sieve_facts *facts,
		   const char *envelope_from, const char *envelope_to,
		   struct sieve_plan *plan_r, const char **error_r);

/* sieve_evaluate() in two halves, so that the caller can write the message
 * into tmp/ while the first script runs: _start() hands the first script
 * to a pool worker when there is one (NULL only when out of memory);
 * _running() says whether one has it now (otherwise _finish() does all
 * the work); _finish() waits for the answer, runs the remaining scripts
 * and gives what sieve_evaluate() gives; it frees ev (NULL: out of
 * memory).  mb, m, facts and the envelope strings must stay alive until
 * _finish(). */
struct sieve_eval;
struct sieve_eval *sieve_evaluate_start(const struct conf *c, const struct mailbox *mb,
					struct msg *m, const struct sieve_facts *facts,
					const char *envelope_from, const char *envelope_to);
bool sieve_evaluate_running(const struct sieve_eval *ev);
int sieve_evaluate_finish(struct sieve_eval *ev, struct sieve_plan *plan_r, const char **error_r);

/* After the store succeeded: send the plan's redirects and vacation reply
 * through conf->sendmail_path (redirects keep the envelope sender; the
 * vacation reply has an empty one, RFC 3834 section 3.3).  Failures are
 * logged, never fatal for the delivery (the message is stored).  Returns
 * the number of messages handed to sendmail. */
int sieve_after_delivery(const struct conf *c, const struct mailbox *mb,
			 const struct msg *m, const struct sieve_facts *facts,
			 const char *envelope_from, const char *envelope_to,
			 const struct sieve_plan *plan);

/* RFC 7352 duplicate tracking, in the per-user state directory the
 * vacation records use (vacation_db_dir/<address>.dup, else
 * ~/.authdeliver-duplicate.db, else authdeliver-duplicate.db in the
 * Maildir root).  sieve_duplicate_seen() computes the key of (handle,
 * id) into key_r and says whether a live record has it (never writes);
 * the plan's marks are recorded by sieve_after_delivery(). */
int sieve_duplicate_seen(const struct conf *c, const char *address, const char *home,
			 const char *maildir, const char *handle, const char *id, char key_r[65]);

/* RFC 6068 mailto URI for an RFC 5436 notification: 1 when valid (all
 * recipients plausible addresses, at most 8), with the recipients (a
 * NULL-ended array, each malloc'ed, the array too), the subject and body
 * header fields (or NULL) when the _r pointers are not NULL. */
int sieve_mailto_parse(const char *uri, char ***to_r, char **subject_r, char **body_r);

/* Check a script's syntax in this process.  Calls report(line, message,
 * arg) for each error (libsieve gives no column); returns the number of
 * errors (a script larger than max_size is one error). */
int sieve_check(const char *script, size_t len, size_t max_size,
		void (*report)(int line, const char *message, void *arg),
		void *arg);

/* Where the user's script is: conf->sieve_user with "~" (at the start) the
 * home directory (the Maildir's parent for virtual users), %u the user,
 * %d the domain, %m the full address, %% a percent sign.  Returns -1 when
 * a needed part is missing, unsafe ("/" or ".." in a substituted part) or
 * the result does not fit. */
int sieve_user_path(const char *pattern, const struct mailbox *mb,
		    char *out, size_t outlen);

/* Map an IMAP system flag ("\Seen", any case) to its Maildir info letter
 * (RFC 3501 section 2.3.2 -> Maildir "2," letters), 0 for other flags. */
char sieve_flag_letter(const char *flag);

/* ---- one script in this process: sieve-test, the tests, the fuzz target ---- */

enum sieve_act_type {
	SIEVE_ACT_KEEP = 1, SIEVE_ACT_FILEINTO, SIEVE_ACT_REDIRECT,
	SIEVE_ACT_REJECT, SIEVE_ACT_DISCARD, SIEVE_ACT_VACATION,
	SIEVE_ACT_DUPLICATE,	/* a duplicate-tracking mark: arg key, num period */
	SIEVE_ACT_NOTIFY,	/* enotify: arg the mailto URI, vac from/subject */
};

struct sieve_act {
	enum sieve_act_type type;
	char *arg;		/* folder, address or reason */
	char flags[8];		/* keep, fileinto */
	bool copy;		/* RFC 3894 :copy (fileinto, redirect) */
	long num;		/* duplicate: seconds the mark lasts */
	struct sieve_vacation *vac;
	/* keep, fileinto, redirect: the edited header when the action ran
	 * (RFC 5293 section 7), NULL when nothing was edited by then */
	struct sieve_edits *edits;
};

/* What one script did. */
struct sieve_result {
	struct sieve_act *acts;
	size_t nacts;
	bool ran;		/* a script was found and executed */
	bool stopped;		/* "stop" (or an action ending it) ran */
	bool failed;		/* parse or run-time error: actions void */
	char keep_flags[8];	/* for the implicit keep (RFC 5232 section 3) */
	bool edited;		/* editheader changed edits */
	struct sieve_edits edits;	/* env->edits plus this script's edits */
	unsigned nwarnings;	/* edits ignored (protected fields) */
	char warning[256];	/* the first such warning */
	int line;		/* of the first error, 0 if unknown */
	char error[256];
	char path[1024];	/* the script that ran ("" in-process) */
};

/* What scripts see of the message and the recipient. */
struct sieve_env {
	const struct conf *c;
	const struct mailbox *mb;	/* may be NULL */
	struct msg *m;
	const struct sieve_facts *facts;	/* may be NULL */
	const char *envelope_from;	/* "" for the null sender */
	const char *envelope_to;
	size_t size;			/* message size, 0: m->len */
	const char *maildir;		/* for mailboxexists; NULL: mb's */
	const char *home;		/* for duplicate records; NULL: mb's */
	const struct sieve_edits *edits;	/* earlier scripts' edits, or NULL */
};

void sieve_result_clear(struct sieve_result *res);
/* Run one script in this process (no fork, no privilege change). */
void sieve_run_script(const struct sieve_env *env, const char *script,
		      size_t len, struct sieve_result *res);
/* The same for a caller that keeps scripts: *valid says that this very
 * text validated before (its checks and libsieve's validation are then
 * skipped); it is set when validation passes. */
void sieve_run_script_cached(const struct sieve_env *env, const char *script,
			     size_t len, bool *valid, struct sieve_result *res);

/* Merging the results of several scripts into a plan, in script order. */
enum sieve_kind { SIEVE_BEFORE, SIEVE_PERSONAL, SIEVE_AFTER };
struct sieve_merge {
	bool implicit_keep;	/* RFC 5228 section 2.10.2 */
	bool final;		/* a before-script stopped or discarded */
	bool any;		/* some script ran */
	char keep_flags[8];	/* of the last script that ran */
};
void sieve_merge_init(struct sieve_merge *mg);
/* Returns -1 on memory exhaustion. */
int sieve_merge_add(struct sieve_merge *mg, const struct conf *c,
		    enum sieve_kind kind, const struct sieve_result *res,
		    struct sieve_plan *plan);
/* Implicit keep, reject conflicts, discard; fallback is the folder used
 * when no script ran at all (the verdict's folder). */
int sieve_merge_finish(struct sieve_merge *mg, const struct conf *c,
		       const char *fallback, struct sieve_plan *plan);

#endif
