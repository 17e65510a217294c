/* maildir.h - safe Maildir delivery (tmp/ -> fsync -> new/ -> fsync dir).
 *
 * Contract: maildir_commit() returns 0 only when the message is in new/
 * (or cur/ with flags) of the requested folder, fsync'd, and the directory
 * entry is fsync'd; otherwise -1 with a reason and errno_r, and nothing of
 * this delivery is left in tmp/, new/ or cur/.  The reason names the step
 * and path ("write /m/tmp/NAME", "folder refused: ..."); the caller adds
 * strerror(errno_r) and maps ENOSPC/EDQUOT to 452 4.3.1, others 451 4.3.0.
 *
 * Delivery is two-phase so that pipe mode can deliver to several
 * recipients all-or-nothing: stage every copy into tmp/, then commit them.
 * Lines are written with LF endings (Maildir convention); every other byte
 * is kept as received.
 */
#ifndef AUTHDELIVER_MAILDIR_H
#define AUTHDELIVER_MAILDIR_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct mailbox;

/* What to write: pieces in order, each in CRLF wire form; the writer
 * turns CRLF into LF.  Pieces point into caller memory. */
struct maildir_src {
	const struct iovec *iov;
	size_t n;
};

/* The directory descriptors of one transaction (one message: all its
 * recipients and copies), so that commit renames relative to what stage
 * opened instead of walking the path again: tmp/ and new/ (or cur/) of at
 * most MAILDIR_DIRS_MAX folders, the least recently used closed beyond
 * that (its next commit walks the path, as without a set).  Keyed by the
 * folder's path and the mailbox's uid.  Caller-owned: maildir_dirs_init()
 * before the first stage, maildir_dirs_clear() after the transaction's
 * last commit, abort or revoke.  Kept for one message only, so that a
 * Maildir moved away between messages is never written through an old
 * descriptor. */
#define MAILDIR_DIRS_MAX 16
struct maildir_dirs {
	struct maildir_dir {
		char *dir;		/* root or root/.Folder; NULL: free */
		uid_t uid;
		gid_t gid;
		int tmpfd, newfd, curfd;	/* -1: not open */
		unsigned long used;	/* LRU clock */
	} d[MAILDIR_DIRS_MAX];
	unsigned long clock;
};

void maildir_dirs_init(struct maildir_dirs *d);
void maildir_dirs_clear(struct maildir_dirs *d);

struct maildir_tx {
	struct maildir_dirs *dirs;	/* NULL: descriptors opened per call */
	uid_t uid;		/* the mailbox's owner: with dir, the key into dirs */
	gid_t gid;
	char tmp_path[4096];	/* for logs: root/.Folder/tmp/NAME */
	char final_path[4096];	/* for logs: root/.Folder/new/NAME */
	char dir[4096];		/* the folder's Maildir (root or root/.Folder) */
	char root[4096];	/* the mailbox's Maildir root */
	char sub[256];		/* ".Junk", or "" for INBOX */
	char name[256];		/* file name in tmp/ (with ,S= and ,W=) */
	char final_name[330];	/* name in new/, or cur/ with ":2,FLAGS" */
	int in_cur;		/* flags given: commit into cur/ */
	size_t size;		/* bytes written (LF form), for ,S= */
	int staged;
	int created;		/* the folder was created by this stage */
	char error[512];	/* what error_r points to */
};

/* Folder names as Sieve and config give them ("INBOX", "Junk", "a/b",
 * "a.b"); validates the name (no "..", no leading "/", no control
 * characters), maps it to a Maildir++ directory (".Junk", ".a.b", with
 * modified UTF-7 for non-ASCII as Dovecot does), creates the Maildir with
 * tmp/new/cur and maildirfolder, and subscribes it.  Runs with the
 * caller's current (effective) uid: files and directories are created
 * with the caller's euid/egid and mode 0700/0600, nothing is chowned, so
 * the caller switches to the mailbox owner first (and back after commit).
 * flags: NULL or "" for new/, else Maildir info letters from "DFPRST",
 * which put the message into cur/ with ":2,FLAGS" (sorted, deduplicated).
 * dirs: NULL, or the transaction's descriptor set (above), which must
 * outlive every later commit/abort/revoke of tx; the tx itself holds no
 * descriptor (many recipients can be staged at once).  Without the
 * descriptors, commit walks the same path again, still refusing symlinks.
 * A folder is checked completely (cur/ new/ tmp/ present, made when
 * missing) and its stale tmp/ files swept (below) at most once per
 * MAILDIR_CHECK_EVERY_MS per process; in between only what the delivery
 * needs is opened (tmp/ and new/: a cur/ removed by hand comes back at
 * the next full check), and a folder or tmp/ removed meanwhile is made
 * again (ENOENT: the full check and one retry).  error_r points into tx. */
#define MAILDIR_CHECK_EVERY_MS (10 * 60 * 1000)
int maildir_stage(struct maildir_tx *tx, struct maildir_dirs *dirs, const struct mailbox *mb,
		  const char *folder, const char *flags,
		  const struct maildir_src *src, const char **error_r,
		  int *errno_r);
/* tmp/NAME -> new/NAME by renameat2(RENAME_NOREPLACE): atomic, never
 * replaces a file; where the filesystem has no such flag (EINVAL, ENOSYS)
 * link() then unlink().  A name already taken in new/ (or cur/) gets a
 * new unique name, as a taken name in tmp/ does at stage. */
int maildir_commit(struct maildir_tx *tx, const char **error_r, int *errno_r);
/* stage + commit; on failure nothing is left behind. */
int maildir_deliver(struct maildir_tx *tx, struct maildir_dirs *dirs, const struct mailbox *mb,
		    const char *folder, const char *flags,
		    const struct maildir_src *src, const char **error_r,
		    int *errno_r);
/* Change where a staged copy goes: folder and flags as for stage.  The
 * file moves from its folder's tmp/ into the new folder's tmp/ (made when
 * missing) by a rename, so the data is not written again; the caller
 * wrote the copy before it knew the folder (Sieve still running).  0, or
 * -1 with a reason (EXDEV: the folder is on another filesystem), and tx
 * still staged where it was: the caller aborts it and stages again. */
int maildir_retarget(struct maildir_tx *tx, const char *folder, const char *flags,
		     const char **error_r, int *errno_r);
/* Remove the staged file (safe to call after a failed stage/commit). */
void maildir_abort(struct maildir_tx *tx);
/* Take a committed message back out (new/NAME, cur/NAME with flags, or
 * cur/NAME:2,... if a reader moved it): pipe mode's all-or-nothing
 * rollback when a later recipient's commit fails, so that the MTA's retry
 * does not deliver it twice.  0 removed (and the directory fsync'd),
 * -1 not found or not removable (logged: the retry may duplicate). */
int maildir_revoke(struct maildir_tx *tx);

/* The envelope lines that go before the message, in wire (CRLF) form, as
 * one more maildir_src piece: "Return-Path: <sender>" (RFC 5321 §4.4;
 * "<>" for the null sender) and, when delivered_to, "Delivered-To: rcpt"
 * (Postfix local(8), Dovecot).  Returns the length, or -1 when either
 * address has a control character (header injection) or the lines would
 * not fit in buf or in 998 bytes (RFC 5322 §2.1.1). */
int maildir_envelope(char *buf, size_t buflen, const char *sender,
		     const char *rcpt, int delivered_to);

/* IMAP flags as Sieve imap4flags gives them ("\\Seen \\Flagged") -> Maildir
 * letters for maildir_stage ("FS").  \Draft D, \Flagged F, $Forwarded P,
 * \Answered R, \Seen S, \Deleted T; returns how many other keywords were
 * ignored (Maildir has no place for them without Dovecot's keyword file). */
int maildir_flags_imap(const char *imap, char *out, size_t outlen);

/* Validate and map a folder name; returns -1 for a name that could escape
 * the Maildir or is not allowed.  out gets ".Junk" style (or "" for INBOX). */
int maildir_folder_dir(const char *folder, char *out, size_t outlen,
		       const char **error_r);

#endif
