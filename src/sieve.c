/* sieve.c - the libsieve2 glue: run one Sieve script (RFC 5228 and the
 * extensions of vendor/libsieve) over a message in this process and
 * collect what it did as a struct sieve_result; check a script's syntax.
 *
 * Takes: a struct sieve_env (the message, the verdict facts, the
 * envelope, the recipient's Maildir).  Returns: the script's actions in
 * order, or a failed result with the line and reason.  Never: stores,
 * sends or rejects anything itself, reads X-AuthDeliver-* header fields
 * from the message (those names are answered from the verdict only), or
 * runs with more rights than its caller: delivery calls it only inside a
 * worker process that dropped to the mailbox owner (sieve_worker.c);
 * merging results into a delivery plan is sieve_plan.c (the three parts
 * and what they share: sieve_private.h).
 *
 * libsieve quirks handled here (vendored libsieve 2.2.9, vendor/libsieve):
 * - sieve2_validate()/sieve2_execute() return SIEVE2_OK even for syntax
 *   errors; errors arrive only through SIEVE2_ERRCALL_PARSE, and execute
 *   still runs the part that parsed.  So we validate first and never
 *   execute a script that reported a parse error.
 * - upstream libsieve kept the escapes of quoted strings in ("\\Seen"
 *   arrived as two backslashes, "a\\" ended no string); patch 0013 undoes
 *   them in the lexer (RFC 5228 section 2.4.2), for the tests' keys as
 *   for the actions' arguments.
 * - there is no "stop" callback; we append a header test on a reserved
 *   name at the end of each script: if our header callback is asked for
 *   it, the script ran to its end, else it stopped.
 * - the extensions of our patches (vendor/libsieve/README.authdeliver)
 *   ask for the host's data through getheader on reserved
 *   X-AuthDeliver-* names (body parts, mailbox existence, spamtest
 *   scores, included scripts, duplicate records, notify URIs, header
 *   edits (editheader: the glue keeps the edited header), the final
 *   imap4flags flags); cb_getheader answers them, never the message.
 */
#include "sieve.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <stddef.h>
#include <sieve2.h>
#include <gmime/gmime.h>

#include "buf.h"
#include "conf.h"
#include "html2text.h"
#include "log.h"
#include "maildir.h"
#include "msg.h"
#include "recipient.h"
#include "sieve_private.h"
#include "verdict.h"	/* VERDICT_DROP only; values come in sieve_facts */

/* Reserved header name for the end-of-script marker (see above). */
#define END_MARK "X-AuthDeliver-End-Of-Script-7f3a"
static const char end_text[] = "\r\nif header :is \"" END_MARK "\" \"\" { }\r\n";

#define MAX_HEADER_VALUES 1000	/* values of one name handed to libsieve */

/* libsieve 2.2.6 leaks parse-tree nodes when a script has a syntax error
 * (libsieve_new_command, libsieve_strdup, ... from its yacc error
 * recovery).  Delivery evaluates in a child that exits, so nothing piles
 * up; for `sieve-check` and the tests under LeakSanitizer we say so here.
 * LSan calls this hook when present; without sanitizers it is unused. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	/* by function name, and by source file for the vendored copy
	 * (vendor/libsieve; its regex code has no libsieve_ prefix and its
	 * error paths leak the compiled pattern) */
	return "leak:libsieve_\nleak:vendor/libsieve/\nleak:/libsieve/src/\n";
}

/* ---- small helpers ---- */

/* A value libsieve hands us, bounded (NULL is ""): quoted strings come
 * with their escapes undone by the lexer (patch 0013), multi-line ones
 * have none (RFC 5228 section 2.4.2). */
static char *xstrndup(const char *s, size_t n)
{
	if (!s)
		s = "";
	size_t l = strnlen(s, n);
	return strndup(s, l);
}

char sieve_flag_letter(const char *flag)
{
	static const struct { const char *name; char letter; } map[] = {
		/* Maildir info "2," letters (cr.yp.to/proto/maildir.html) */
		{ "\\Seen", 'S' }, { "\\Answered", 'R' }, { "\\Flagged", 'F' },
		{ "\\Deleted", 'T' }, { "\\Draft", 'D' },
		{ "$Forwarded", 'P' },	/* Dovecot's mapping of "passed" */
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(flag, map[i].name))
			return map[i].letter;
	return 0;
}

/* Add the letters of a flag list (each string may hold several flags
 * separated by spaces, RFC 5232 section 3) to out, kept sorted. */
static void flags_add(char out[8], char **list)
{
	for (size_t i = 0; list && list[i] && i < 256; i++) {
		char *u = xstrndup(list[i], SIEVE_MAX_STRING);
		if (!u)
			continue;
		char *save = NULL;
		for (char *t = strtok_r(u, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
			char l[2] = { sieve_flag_letter(t), 0 };
			sieve_flags_merge(out, l);
		}
		free(u);
	}
}

void sieve_vacation_free(struct sieve_vacation *v)
{
	if (!v)
		return;
	free(v->to);
	free(v->from);
	free(v->subject);
	free(v->text);
	free(v->handle);
	free(v);
}

void sieve_result_clear(struct sieve_result *res)
{
	for (size_t i = 0; i < res->nacts; i++) {
		free(res->acts[i].arg);
		sieve_vacation_free(res->acts[i].vac);
		if (res->acts[i].edits) {
			sieve_edits_clear(res->acts[i].edits);
			free(res->acts[i].edits);
		}
	}
	free(res->acts);
	sieve_edits_clear(&res->edits);
	memset(res, 0, sizeof(*res));
}

void sieve_result_fail(struct sieve_result *res, int line, const char *fmt, ...)
{
	if (res->failed)
		return;		/* keep the first error */
	res->failed = true;
	res->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	/* keep it one printable line for the log */
	for (char *p = res->error; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 127)
			*p = ' ';
}

/* ---- libsieve callbacks (run in the child, or in-process for tests) ---- */

struct run {
	const struct sieve_env *env;
	const char *script;	/* NUL-terminated, with the end marker */
	struct sieve_result *res;
	size_t nredirects;
	/* values handed to libsieve must live until the run ends */
	void **keep;
	size_t nkeep, akeep;
	/* sieve_check() */
	void (*report)(int, const char *, void *);
	void *report_arg;
	int nerrors;
	int first_unsupported_line;	/* sieve_check(): libsieve's require error */
	bool validating;
	jmp_buf bail;		/* out of libsieve, see cb_getenvelope */
	bool can_bail;
	unsigned nedits;	/* editheader commands run (SIEVE_MAX_EDITS) */
	/* the parts of the last body transform asked for: a script's
	 * several body tests parse the message once (body_parts) */
	char *body_what;
	char **body_list;
};

static void *hold(struct run *r, void *p)
{
	if (!p)
		return NULL;
	if (r->nkeep == r->akeep) {
		size_t na = r->akeep ? r->akeep * 2 : 32;
		void **nk = realloc(r->keep, na * sizeof(*nk));
		if (!nk) {
			free(p);
			return NULL;
		}
		r->keep = nk;
		r->akeep = na;
	}
	r->keep[r->nkeep++] = p;
	return p;
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->nkeep; i++)
		free(r->keep[i]);
	free(r->keep);
	r->keep = NULL;
	r->nkeep = r->akeep = 0;
}

static struct sieve_act *act_add(struct run *r, enum sieve_act_type type)
{
	struct sieve_result *res = r->res;
	long max = r->env->c->sieve_max_actions;
	if ((long)res->nacts >= max) {
		sieve_result_fail(res, 0, "more than %ld actions (sieve_max_actions)", max);
		return NULL;
	}
	struct sieve_act *na = realloc(res->acts, (res->nacts + 1) * sizeof(*na));
	if (!na) {
		sieve_result_fail(res, 0, "out of memory");
		return NULL;
	}
	res->acts = na;
	struct sieve_act *a = &res->acts[res->nacts++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	/* RFC 5293 section 7: an action that stores or sends the message
	 * uses the header as edited so far (as Pigeonhole does) */
	if ((type == SIEVE_ACT_KEEP || type == SIEVE_ACT_FILEINTO || type == SIEVE_ACT_REDIRECT) &&
	    sieve_edits_any(&res->edits)) {
		if (!(a->edits = malloc(sizeof(*a->edits))) || sieve_edits_copy(a->edits, &res->edits) < 0) {
			free(a->edits);
			a->edits = NULL;
			res->nacts--;
			sieve_result_fail(res, 0, "out of memory");
			return NULL;
		}
	}
	return a;
}

static int cb_getscript(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	/* the API wants char *; libsieve only reads it */
	sieve2_setvalue_string(s, "script", (char *)r->script);
	return SIEVE2_OK;
}

/* libsieve builds its error messages with libsieve_strconcat(), which
 * allocates one byte too few: the terminating NUL lands just past the
 * allocation (found by tests/fuzz/fuzz_sieve under ASan).  We copy such a
 * message with a bounded loop that the sanitizer does not instrument, so
 * the one-byte over-read of libsieve's own bug is not reported as ours.
 * In the per-script child it is harmless either way. */
__attribute__((no_sanitize("address")))
static void copy_message(char *out, size_t outlen, const char *msg, const char *dflt)
{
	if (!msg)
		msg = dflt;
	size_t o = 0;
	for (; o + 1 < outlen && msg[o]; o++)
		out[o] = msg[o];
	out[o] = 0;
}

static int cb_errparse(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	int line = sieve2_getvalue_int(s, "lineno");
	char msg[256];
	copy_message(msg, sizeof(msg), sieve2_getvalue_string(s, "message"), "parse error");
	r->nerrors++;
	if (!r->first_unsupported_line && !strncmp(msg, "unsupported feature", 19))
		r->first_unsupported_line = line > 0 ? line : 1;
	if (r->report)
		r->report(line, msg, r->report_arg);
	if (r->res)
		sieve_result_fail(r->res, line, "%s", msg);
	return SIEVE2_OK;
}

static int cb_errexec(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	char msg[256];
	copy_message(msg, sizeof(msg), sieve2_getvalue_string(s, "message"), "?");
	if (r->res)
		sieve_result_fail(r->res, 0, "run-time error: %s", msg);
	return SIEVE2_OK;
}

/* While validating, an address error is about an address in the script
 * (redirect "a b@x"); while executing, about the message's own header
 * fields, which is not the script's fault: the test simply does not
 * match. */
static int cb_erraddr(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	if (!r->validating)
		return SIEVE2_OK;
	char msg[256], buf[300];
	copy_message(msg, sizeof(msg), sieve2_getvalue_string(s, "message"), "?");
	snprintf(buf, sizeof(buf), "invalid address: %s", msg);
	r->nerrors++;
	if (r->report)
		r->report(0, buf, r->report_arg);
	if (r->res)
		sieve_result_fail(r->res, 0, "%s", buf);
	return SIEVE2_OK;
}

static int cb_errheader(sieve2_context_t *s, void *u)
{
	(void)s;
	(void)u;
	return SIEVE2_OK;
}

static int cb_keep(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	struct sieve_act *a = act_add(r, SIEVE_ACT_KEEP);
	if (!a)
		return SIEVE2_ERROR_EXEC;
	flags_add(a->flags, sieve2_getvalue_stringlist(s, "flags"));
	return SIEVE2_OK;
}

static int cb_fileinto(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	char *name = xstrndup(sieve2_getvalue_string(s, "mailbox"), SIEVE_MAX_STRING);
	if (!name) {
		sieve_result_fail(r->res, 0, "out of memory");
		return SIEVE2_ERROR_EXEC;
	}
	if (!strcmp(name, SIEVE_JUNK_ALIAS)) {
		free(name);
		name = strdup(r->env->c->junk_folder);
		if (!name) {
			sieve_result_fail(r->res, 0, "out of memory");
			return SIEVE2_ERROR_EXEC;
		}
	}
	char dir[4096];
	const char *why = NULL;
	if (!strcasecmp(name, "INBOX")) {
		strcpy(name, "INBOX");
	} else if (maildir_folder_dir(name, dir, sizeof(dir), &why) < 0) {
		/* never store outside the Maildir: the script fails, the
		 * message goes to INBOX and the log says why */
		sieve_result_fail(r->res, 0, "fileinto \"%.200s\" refused: %s", name,
			    why ? why : "invalid folder name");
		free(name);
		return SIEVE2_ERROR_EXEC;
	}
	struct sieve_act *a = act_add(r, SIEVE_ACT_FILEINTO);
	if (!a) {
		free(name);
		return SIEVE2_ERROR_EXEC;
	}
	a->arg = name;
	a->copy = sieve2_getvalue_int(s, "copy") == 1;
	flags_add(a->flags, sieve2_getvalue_stringlist(s, "flags"));
	return SIEVE2_OK;
}

/* A plausible mailbox for redirect: local@domain, printable, no spaces
 * or characters a command line or header could trip over. */
static bool address_ok(const char *a)
{
	const char *at = strrchr(a, '@');
	if (!at || at == a || !at[1] || strlen(a) > 320 || a[0] == '-')
		return false;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 ||
		    strchr("<>()[],;:\\\"", *p))
			return false;
	return true;
}

static int cb_redirect(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	char *addr = xstrndup(sieve2_getvalue_string(s, "address"), SIEVE_MAX_STRING);
	if (!addr) {
		sieve_result_fail(r->res, 0, "out of memory");
		return SIEVE2_ERROR_EXEC;
	}
	if (!address_ok(addr)) {
		sieve_result_fail(r->res, 0, "redirect to an invalid address \"%.200s\"", addr);
		free(addr);
		return SIEVE2_ERROR_EXEC;
	}
	/* RFC 5228 section 2.10.6: an implementation may limit redirects;
	 * past the limit it is a run-time error */
	if ((long)++r->nredirects > r->env->c->sieve_max_redirects) {
		sieve_result_fail(r->res, 0, "more than %ld redirects (sieve_max_redirects)",
			    r->env->c->sieve_max_redirects);
		free(addr);
		return SIEVE2_ERROR_EXEC;
	}
	struct sieve_act *a = act_add(r, SIEVE_ACT_REDIRECT);
	if (!a) {
		free(addr);
		return SIEVE2_ERROR_EXEC;
	}
	a->arg = addr;
	a->copy = sieve2_getvalue_int(s, "copy") == 1;
	return SIEVE2_OK;
}

static int cb_reject(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	struct sieve_act *a = act_add(r, SIEVE_ACT_REJECT);
	if (!a)
		return SIEVE2_ERROR_EXEC;
	a->arg = xstrndup(sieve2_getvalue_string(s, "message"), SIEVE_MAX_STRING);
	if (!a->arg) {
		sieve_result_fail(r->res, 0, "out of memory");
		return SIEVE2_ERROR_EXEC;
	}
	return SIEVE2_OK;
}

static int cb_discard(sieve2_context_t *s, void *u)
{
	(void)s;
	struct run *r = u;
	return act_add(r, SIEVE_ACT_DISCARD) ? SIEVE2_OK : SIEVE2_ERROR_EXEC;
}

static int cb_vacation(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	struct sieve_vacation *v = calloc(1, sizeof(*v));
	if (!v) {
		sieve_result_fail(r->res, 0, "out of memory");
		return SIEVE2_ERROR_EXEC;
	}
	const char *from = sieve2_getvalue_string(s, "fromaddr");
	const char *subj = sieve2_getvalue_string(s, "subject");
	const char *handle = sieve2_getvalue_string(s, "hash");
	v->to = xstrndup(sieve2_getvalue_string(s, "address"), SIEVE_MAX_STRING);
	v->from = from && *from ? xstrndup(from, SIEVE_MAX_STRING) : NULL;
	v->subject = subj && *subj ? xstrndup(subj, SIEVE_MAX_STRING) : NULL;
	v->text = xstrndup(sieve2_getvalue_string(s, "message"), 64 * 1024);
	v->handle = handle && *handle ? xstrndup(handle, SIEVE_MAX_STRING) : NULL;
	int days = sieve2_getvalue_int(s, "days");
	/* RFC 5230 section 4.1: default 7, a site minimum of 1 day */
	v->days = days <= 0 ? 7 : days > 365 ? 365 : days;
	v->mime = sieve2_getvalue_int(s, "mime") != 0;
	/* RFC 6131: :seconds; below an hour is raised to one (a site
	 * minimum, section 2), above 365 days cut */
	int secs = sieve2_getvalue_int(s, "seconds");
	if (secs >= 0)
		v->seconds = secs < 3600 ? 3600 : secs > 365 * 86400 ? 365 * 86400 : secs;
	if (!v->to || !v->text || (from && *from && !v->from) ||
	    (subj && *subj && !v->subject) || (handle && *handle && !v->handle)) {
		sieve_vacation_free(v);
		sieve_result_fail(r->res, 0, "out of memory");
		return SIEVE2_ERROR_EXEC;
	}
	struct sieve_act *a = act_add(r, SIEVE_ACT_VACATION);
	if (!a) {
		sieve_vacation_free(v);
		return SIEVE2_ERROR_EXEC;
	}
	a->vac = v;
	return SIEVE2_OK;
}

/* RFC 5435 notify with the mailto method (RFC 5436); an invalid URI is
 * a run-time error (section 3.8). */
static int cb_notify(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	const char *uri = sieve2_getvalue_string(s, "method");
	const char *from = sieve2_getvalue_string(s, "id");
	const char *msg = sieve2_getvalue_string(s, "message");
	const char *imp = sieve2_getvalue_string(s, "priority");
	char *u8 = xstrndup(uri, SIEVE_MAX_STRING);
	if (!u8 || !sieve_mailto_parse(u8, NULL, NULL, NULL)) {
		sieve_result_fail(r->res, 0, "notify: not a usable mailto URI: %.200s", u8 ? u8 : "");
		free(u8);
		return SIEVE2_ERROR_EXEC;
	}
	struct sieve_vacation *v = calloc(1, sizeof(*v));
	struct sieve_act *a = v ? act_add(r, SIEVE_ACT_NOTIFY) : NULL;
	if (!a) {
		free(v);
		free(u8);
		return SIEVE2_ERROR_EXEC;
	}
	a->arg = u8;
	v->to = strdup(u8);
	v->from = from && *from ? xstrndup(from, SIEVE_MAX_STRING) : NULL;
	v->subject = msg && *msg ? xstrndup(msg, SIEVE_MAX_STRING) : NULL;
	v->text = strdup(imp && *imp ? imp : "2");
	a->vac = v;
	if (!v->to || !v->text) {
		sieve_result_fail(r->res, 0, "out of memory");
		return SIEVE2_ERROR_EXEC;
	}
	return SIEVE2_OK;
}

static int cb_getsize(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	size_t len = r->env->size ? r->env->size : r->env->m->len;
	sieve2_setvalue_int(s, "size", len > INT_MAX ? INT_MAX : (int)len);
	return SIEVE2_OK;
}

static int cb_getenvelope(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	const char *part = sieve2_getvalue_string(s, "env");
	/* libsieve 2.2.6 (libsieve_do_getenvelope) reads back only "from"
	 * and "to" and leaves its result pointer uninitialised for any
	 * other envelope-part, then parses that as an address: a crash
	 * (found by tests/fuzz/fuzz_sieve).  RFC 5228 section 5.4 lets us
	 * refuse other parts; we must not return into libsieve, so we
	 * leave through longjmp and the script counts as failed. */
	if (!part || (strcasecmp(part, "from") && strcasecmp(part, "to"))) {
		sieve_result_fail(r->res, 0, "envelope-part \"%.40s\" not supported (only from, to)",
			    part ? part : "");
		if (r->can_bail)
			longjmp(r->bail, 1);
		abort();
	}
	/* RFC 5228 section 5.4: the null reverse-path is the empty string */
	sieve2_setvalue_string(s, "from", (char *)(r->env->envelope_from ? r->env->envelope_from : ""));
	sieve2_setvalue_string(s, "to", (char *)(r->env->envelope_to ? r->env->envelope_to : ""));
	return SIEVE2_OK;
}

/* RFC 5233: user and detail split at the recipient delimiter (the first
 * of conf->recipient_delimiter's characters, as Postfix does). */
static int cb_getsubaddress(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	const char *addr = sieve2_getvalue_string(s, "address");
	if (!addr)
		addr = "";
	const char *at = strrchr(addr, '@');
	size_t llen = at ? (size_t)(at - addr) : strlen(addr);
	char *local = hold(r, strndup(addr, llen));
	char *domain = hold(r, strdup(at ? at + 1 : ""));
	if (!local || !domain)
		return SIEVE2_ERROR_NOMEM;
	const char *delims = r->env->c->recipient_delimiter;
	size_t ulen = delims && *delims ? strcspn(local, delims) : llen;
	char *user = hold(r, strndup(local, ulen));
	char *detail = ulen < llen ? hold(r, strdup(local + ulen + 1)) : NULL;
	if (!user || (ulen < llen && !detail))
		return SIEVE2_ERROR_NOMEM;
	sieve2_setvalue_string(s, "localpart", local);
	sieve2_setvalue_string(s, "domain", domain);
	sieve2_setvalue_string(s, "user", user);
	/* RFC 5233 section 4: no separator -> :detail does not match; an
	 * empty string is what libsieve handles safely for that */
	sieve2_setvalue_string(s, "detail", detail ? detail : "");
	return SIEVE2_OK;
}

static bool is_address_header(const char *name)
{
	static const char *const names[] = {
		"from", "sender", "to", "cc", "bcc", "reply-to",
		"resent-from", "resent-sender", "resent-to", "resent-cc",
		"resent-bcc", "resent-reply-to", "return-receipt-to",
		"disposition-notification-to", "mail-followup-to", NULL,
	};
	for (int i = 0; names[i]; i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

/* RFC 5490 section 3.1 mailboxexists: INBOX always; another folder when
 * its Maildir++ directory exists in the recipient's Maildir. */
static bool mailbox_exists(const struct sieve_env *env, const char *name)
{
	const char *root = env->maildir ? env->maildir : env->mb ? env->mb->maildir : NULL;
	char dir[4096], path[8192];
	const char *why = NULL;
	struct stat st;
	if (!strcasecmp(name, "INBOX"))
		return true;
	if (!strcmp(name, SIEVE_JUNK_ALIAS))
		name = env->c->junk_folder;
	if (!root || maildir_folder_dir(name, dir, sizeof(dir), &why) < 0)
		return false;
	if (snprintf(path, sizeof(path), "%s/%s/cur", root, dir) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* RFC 5235 spamtest/virustest, fed from a header field as Pigeonhole's
 * sieve_spamtest_status_header does (sieve_spamtest_header, _type, _max):
 * the first number in the topmost such field's value (type score), or the
 * length of the value without white space (type strlen: "*****" is 5),
 * against max.  Not tested (no field, no number): "0".  Else spamtest
 * 1 + score/max*9 (1..10, truncated), :percent score/max*100 (0..100,
 * rounded), virustest 1 + score/max*4 (1..5), as Pigeonhole computes it. */
static char *view_first(const struct run *r, const char *name);

static const char *score_value(const struct run *r, const char *hdr,
			       enum conf_score_type type, double max, int top, bool percent)
{
	static char out[16];
	if (!hdr || !*hdr)
		return "0";
	/* the first such field of the edited header (RFC 5293 section 7) */
	char *raw = view_first(r, hdr);
	if (!raw)
		return "0";
	double v = 0;
	bool ok;
	if (type == CONF_SCORE_STRLEN) {
		for (const char *p = raw; *p; p++)
			v += !isspace((unsigned char)*p);
		ok = true;
	} else {
		char *p = raw;
		while (*p && !(isdigit((unsigned char)*p) ||
			       ((*p == '-' || *p == '.') && isdigit((unsigned char)p[1]))))
			p++;
		char *end = NULL;
		v = *p ? strtod(p, &end) : 0;
		ok = *p && end != p;
	}
	free(raw);
	if (!ok)
		return "0";
	if (v < 0)
		v = 0;
	if (v > max)
		v = max;
	long n = percent ? (long)(v / max * 100 + 0.5) : 1 + (long)(v / max * (top - 1));
	snprintf(out, sizeof(out), "%ld", n);
	return out;
}

/* The virtual header fields, answered from the verdict (issue: never from
 * the message; the verdict stage drops incoming copies). */
static const char *virtual_value(const struct run *r, const char *name, bool *virtual_r)
{
	const struct sieve_env *env = r->env;
	static const struct { const char *hdr; size_t off; } map[] = {
		{ "X-AuthDeliver-SPF", offsetof(struct sieve_facts, spf) },
		{ "X-AuthDeliver-DKIM", offsetof(struct sieve_facts, dkim) },
		{ "X-AuthDeliver-ARC", offsetof(struct sieve_facts, arc) },
		{ "X-AuthDeliver-DMARC", offsetof(struct sieve_facts, dmarc) },
		{ "X-AuthDeliver-DMARC-Policy", offsetof(struct sieve_facts, dmarc_policy) },
		{ "X-AuthDeliver-Disposition", offsetof(struct sieve_facts, disposition) },
	};
	*virtual_r = !strncasecmp(name, "X-AuthDeliver-", 14);
	if (!*virtual_r)
		return NULL;
	/* the host channel of the vendored libsieve (patch 0003) */
	if (!strncasecmp(name, "X-AuthDeliver-Mailbox-Exists/", 29))
		return mailbox_exists(env, name + 29) ? "1" : NULL;
	if (!strcasecmp(name, "X-AuthDeliver-Spamtest"))
		return score_value(r, env->c->sieve_spamtest_header, env->c->sieve_spamtest_type,
				   (double)env->c->sieve_spamtest_max, 10, false);
	if (!strcasecmp(name, "X-AuthDeliver-Spamtest-Percent"))
		return score_value(r, env->c->sieve_spamtest_header, env->c->sieve_spamtest_type,
				   (double)env->c->sieve_spamtest_max, 100, true);
	if (!strcasecmp(name, "X-AuthDeliver-Virustest"))
		return score_value(r, env->c->sieve_virustest_header, env->c->sieve_virustest_type,
				   (double)env->c->sieve_virustest_max, 5, false);
	if (!env->facts)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(name, map[i].hdr)) {
			const char *val = *(const char *const *)((const char *)env->facts + map[i].off);
			return val && *val ? val : NULL;
		}
	return NULL;
}

/* RFC 5228 section 5.7 / 2.7.2: header tests see RFC 2047-decoded
 * values.  Address fields are re-rendered by GMime (decoded display
 * names, quoted where needed) so libsieve's address parser still works. */
static char *decode_value(const char *name, const char *raw)
{
	if (is_address_header(name)) {
		InternetAddressList *l = internet_address_list_parse(NULL, raw);
		if (l) {
			char *s = NULL;
			if (internet_address_list_length(l) > 0)
				s = internet_address_list_to_string(l, NULL, FALSE);
			g_object_unref(l);
			if (s) {
				char *out = strdup(s);
				g_free(s);
				return out;
			}
		}
		return strdup(raw);
	}
	char *d = g_mime_utils_header_decode_text(NULL, raw);
	if (!d)
		return strdup(raw);
	char *out = strdup(d);
	g_free(d);
	return out;
}

/* RFC 5173 body test: what of the body a transform sees, as a NULL-ended
 * list of strings kept for the run.  "raw": the body bytes undecoded;
 * "text": each leaf part of type text decoded (transfer encoding, charset to
 * UTF-8); "content/T1,T2": each leaf part whose type is T ("a/b"), whose
 * main type is T ("a"), or every part (""), decoded.  At most
 * sieve_max_body_size bytes of the body were handed over (the request
 * carries no more); a cut-off part counts with what arrived. */
#define MAX_BODY_PARTS 64
struct body_walk {
	struct run *r;
	const char *types;	/* NULL: text/ * (body :text) */
	char **list;
	size_t n;
	bool oom;
};

static bool type_wanted(GMimeContentType *ct, const char *types)
{
	const char *ty = g_mime_content_type_get_media_type(ct);
	const char *sub = g_mime_content_type_get_media_subtype(ct);
	if (!types)
		return ty && !g_ascii_strcasecmp(ty, "text");
	char *dup = strdup(types), *save = NULL;
	bool hit = false;
	for (char *t = strtok_r(dup, ",", &save); t && !hit; t = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(t, '/');
		if (!*t)
			hit = true;
		else if (slash)
			hit = ty && sub && !g_ascii_strncasecmp(ty, t, (size_t)(slash - t)) &&
			      strlen(ty) == (size_t)(slash - t) && !g_ascii_strcasecmp(sub, slash + 1);
		else
			hit = ty && !g_ascii_strcasecmp(ty, t);
	}
	free(dup);
	return hit || (types[0] == 0);
}

static void body_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct body_walk *w = data;
	(void)parent;
	if (w->oom || w->n >= MAX_BODY_PARTS || !GMIME_IS_PART(part))
		return;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	if (!ct || !type_wanted(ct, w->types))
		return;
	GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(part));
	if (!dw)
		return;
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeStream *fs = g_mime_stream_filter_new(mem);
	const char *cs = g_mime_content_type_get_parameter(ct, "charset");
	if (cs && g_ascii_strcasecmp(cs, "utf-8") && g_ascii_strcasecmp(cs, "us-ascii")) {
		GMimeFilter *f = g_mime_filter_charset_new(cs, "UTF-8");
		if (f) {
			g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
			g_object_unref(f);
		}
	}
	g_mime_data_wrapper_write_to_stream(dw, fs);
	g_mime_stream_flush(fs);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	char *text;
	/* body :text: HTML without its mark-up, as Pigeonhole does (html2text.h) */
	const char *sub = g_mime_content_type_get_media_subtype(ct);
	if (!w->types && ba && sub && !g_ascii_strcasecmp(sub, "html"))
		text = html2text((const char *)ba->data, ba->len, NULL);
	else
		text = ba ? strndup((const char *)ba->data, ba->len) : strdup("");
	g_object_unref(fs);
	g_object_unref(mem);
	if (!text || !hold(w->r, text)) {
		w->oom = true;
		return;
	}
	w->list[w->n++] = text;
}

static char **body_parts_of(struct run *r, const char *what);

static char **body_parts(struct run *r, const char *what)
{
	if (r->body_what && !strcasecmp(r->body_what, what))
		return r->body_list;	/* held by r, read-only to libsieve */
	char **list = body_parts_of(r, what);
	char *w = list ? hold(r, strdup(what)) : NULL;
	if (w) {
		r->body_what = w;
		r->body_list = list;
	}
	return list;
}

static char **body_parts_of(struct run *r, const char *what)
{
	const struct msg *m = r->env->m;
	char **list = hold(r, calloc(MAX_BODY_PARTS + 1, sizeof(char *)));
	if (!list)
		return NULL;
	size_t off = m->body_off <= m->len ? m->body_off : m->len;
	size_t blen = m->len - off;
	if (r->env->c->sieve_max_body_size >= 0 && blen > (size_t)r->env->c->sieve_max_body_size)
		blen = (size_t)r->env->c->sieve_max_body_size;
	if (!strcasecmp(what, "raw")) {
		list[0] = hold(r, strndup(m->data + off, blen));
		return list[0] ? list : NULL;
	}
	struct body_walk w = { r, NULL, list, 0, false };
	if (!strncasecmp(what, "content/", 8))
		w.types = what + 8;
	g_mime_init();
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(m->data, off + blen);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	if (msg) {
		GMimeObject *top = g_mime_message_get_mime_part(msg);
		if (top && GMIME_IS_PART(top))
			body_part(NULL, top, &w);
		else if (top && GMIME_IS_MULTIPART(top))
			g_mime_multipart_foreach(GMIME_MULTIPART(top), body_part, &w);
		g_object_unref(msg);
	}
	g_object_unref(p);
	g_object_unref(st);
	return w.oom ? NULL : list;
}

static const char *script_problem(const char *script, size_t len, size_t max);
static const char *precheck(const char *s, size_t len, int *line_r);

/* RFC 6609 include: the text of "personal/NAME" (NAME.sieve next to the
 * running script) or "global/NAME" (sieve_global_dir/NAME.sieve), read
 * here in the worker with the mailbox owner's rights and checked like any
 * script (size, NUL bytes, the crash pre-check).  NULL when it is missing
 * (libsieve then fails the script unless :optional) or refused (the
 * script fails with the reason). */
static char *include_text(struct run *r, const char *what)
{
	const struct conf *c = r->env->c;
	char dir[1024], path[2048];
	const char *name;
	if (!strncmp(what, "personal/", 9)) {
		name = what + 9;
		const char *slash = strrchr(r->res->path, '/');
		if (!*r->res->path)
			return NULL;	/* an in-memory script has no place */
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - r->res->path), r->res->path);
	} else if (!strncmp(what, "global/", 7)) {
		name = what + 7;
		if (!c->sieve_global_dir || !*c->sieve_global_dir)
			return NULL;
		snprintf(dir, sizeof(dir), "%s", c->sieve_global_dir);
	} else {
		return NULL;
	}
	if (!*name || strchr(name, '/') || name[0] == '.' ||
	    snprintf(path, sizeof(path), "%s/%s.sieve", dir, name) >= (int)sizeof(path))
		return NULL;
	size_t len = 0;
	const char *why = NULL;
	char *text = sieve_read_script(path, (size_t)c->sieve_max_script_size, &len, &why);
	if (!text)
		return NULL;
	int line = 0;
	if ((why = script_problem(text, len, (size_t)c->sieve_max_script_size)) ||
	    (why = precheck(text, len, &line))) {
		sieve_result_fail(r->res, line, "included script %s: %s", path, why);
		free(text);
		return NULL;
	}
	return hold(r, text);
}

/* ---- editheader (RFC 5293) ----
 *
 * The glue keeps the edited header as struct sieve_edits (res->edits,
 * starting from the earlier scripts' env->edits) and answers every
 * header, address, exists and date test from the edited view: the added
 * top fields, the received fields not deleted, the added bottom fields
 * (section 7: later tests see the edits); keep, fileinto and redirect
 * take a snapshot of it (act_add), the implicit keep the final state
 * (sieve_plan.c).  Decisions:
 * - protected fields are ignored with a warning (as Pigeonhole's
 *   editheader_protected, section 6): Received, Auto-Submitted and the
 *   trace and verdict fields of ours or of an MTA before us --
 *   Authentication-Results, Received-SPF, ARC-*, Return-Path,
 *   Delivered-To, X-AuthDeliver-*; DKIM-Signature may be deleted (as in
 *   Pigeonhole: our A-R already holds its result) but not added (a
 *   script has no key; a made-up signature only misleads a later
 *   verifier).  The verdict fields we stamp are written above the
 *   message and are never part of what a script sees or edits.
 * - an added value is unfolded (CR, LF and other controls become
 *   spaces), must be UTF-8 (else a run-time error), is RFC 2047-encoded
 *   when it has 8-bit characters, and is folded at white space to 78
 *   columns; a word that cannot be folded under 998 is an error.
 * - more than SIEVE_MAX_EDITS edits, a value over SIEVE_MAX_EDIT_VALUE or
 *   the added fields over SIEVE_MAX_ADDED fail the script (its edits and
 *   actions are void, the message goes to INBOX like any failed script).
 */

void sieve_edits_clear(struct sieve_edits *e)
{
	for (size_t i = 0; i < e->ntop; i++)
		free(e->top[i]);
	for (size_t i = 0; i < e->nbottom; i++)
		free(e->bottom[i]);
	free(e->top);
	free(e->bottom);
	free(e->deleted);
	memset(e, 0, sizeof(*e));
}

static int strv_copy(char ***dst, size_t *ndst, char *const *src, size_t n)
{
	*dst = NULL;
	*ndst = 0;
	if (!n)
		return 0;
	if (!(*dst = calloc(n, sizeof(char *))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!((*dst)[i] = strdup(src[i])))
			return -1;
		(*ndst)++;
	}
	return 0;
}

int sieve_edits_copy(struct sieve_edits *dst, const struct sieve_edits *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!sieve_edits_any(src))
		return 0;
	if (strv_copy(&dst->top, &dst->ntop, src->top, src->ntop) < 0 ||
	    strv_copy(&dst->bottom, &dst->nbottom, src->bottom, src->nbottom) < 0)
		goto fail;
	if (src->ndeleted) {
		if (!(dst->deleted = malloc(src->ndeleted * sizeof(size_t))))
			goto fail;
		memcpy(dst->deleted, src->deleted, src->ndeleted * sizeof(size_t));
		dst->ndeleted = src->ndeleted;
	}
	dst->added_bytes = src->added_bytes;
	return 0;
fail:
	sieve_edits_clear(dst);
	return -1;
}

static bool edits_deleted(const struct sieve_edits *e, size_t i)
{
	size_t lo = 0, hi = e->ndeleted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->deleted[mid] == i)
			return true;
		if (e->deleted[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* RFC 5322 section 3.6.8: field-name = 1*ftext, printable ASCII but ":". */
static bool field_name_ok(const char *n)
{
	size_t l = strlen(n);
	if (l == 0 || l > 200)
		return false;
	for (; *n; n++)
		if ((unsigned char)*n < 33 || (unsigned char)*n > 126 || *n == ':')
			return false;
	return true;
}

/* Names a script may not touch (see above); adding is stricter. */
bool sieve_field_protected(const char *n, size_t len, bool adding)
{
	static const char *const names[] = {
		"Received", "Auto-Submitted", "Authentication-Results", "Received-SPF",
		"Return-Path", "Delivered-To", NULL,
	};
	for (size_t i = 0; names[i]; i++)
		if (len == strlen(names[i]) && !strncasecmp(n, names[i], len))
			return true;
	if ((len >= 4 && !strncasecmp(n, "ARC-", 4)) || (len >= 14 && !strncasecmp(n, "X-AuthDeliver-", 14)))
		return true;
	return adding && len == 14 && !strncasecmp(n, "DKIM-Signature", 14);
}

static bool field_protected(const char *n, bool adding)
{
	return sieve_field_protected(n, strlen(n), adding);
}

/* A field as field_build() makes them: NAME ":" then printable ASCII
 * lines of at most 998 bytes, continuation lines starting with a space,
 * CRLF only as a line end, the whole ending in CRLF. */
static bool field_wellformed(const char *f)
{
	size_t nl = strcspn(f, ":");
	if (!f[nl] || nl == 0 || nl > 200 || sieve_field_protected(f, nl, true))
		return false;
	for (size_t i = 0; i < nl; i++)
		if ((unsigned char)f[i] < 33 || (unsigned char)f[i] > 126)
			return false;
	size_t col = 0;
	for (const char *p = f; *p; p++) {
		if (*p == '\r') {
			if (p[1] != '\n')
				return false;
			p++;
			if (p[1] && p[1] != ' ')
				return false;	/* a new line must be a continuation */
			col = 0;
			continue;
		}
		if ((unsigned char)*p < ' ' || (unsigned char)*p > 126 || ++col > 998)
			return false;
	}
	size_t l = strlen(f);
	return l >= 2 && f[l - 2] == '\r' && f[l - 1] == '\n';
}

bool sieve_edits_valid(const struct sieve_edits *e, const struct msg *m)
{
	size_t bytes = 0;
	for (int k = 0; k < 2; k++) {
		char *const *list = k ? e->bottom : e->top;
		size_t n = k ? e->nbottom : e->ntop;
		for (size_t i = 0; i < n; i++) {
			if (!list[i] || !field_wellformed(list[i]))
				return false;
			bytes += strlen(list[i]);
		}
	}
	if (bytes > SIEVE_MAX_ADDED || bytes != e->added_bytes || e->ndeleted > m->nhdrs)
		return false;
	for (size_t i = 0; i < e->ndeleted; i++) {
		size_t h = e->deleted[i];
		if (h >= m->nhdrs || (i && h <= e->deleted[i - 1]) ||
		    sieve_field_protected(msg_hdr_name(m, h), m->hdrs[h].name_len, false))
			return false;
	}
	return true;
}

static void edit_warn(struct run *r, const char *what, const char *name)
{
	if (r->res->nwarnings++ == 0)
		snprintf(r->res->warning, sizeof(r->res->warning),
			 "%s \"%.100s\" ignored: protected header field", what, name);
	for (char *p = r->res->warning; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 127)
			*p = ' ';
}

/* The field name of an added field (up to the colon) is name? */
static bool added_is(const char *field, const char *name)
{
	size_t l = strlen(name);
	return !strncasecmp(field, name, l) && field[l] == ':';
}

/* One field of the edited view named name: an added one (where 0 top,
 * 2 bottom; i its index there) or a received one (where 1, i its index in
 * the message). */
struct vitem {
	int where;
	size_t i;
};

/* The edited view of the fields named name, in header order, at most max;
 * fields the verdict drops are not in it. */
static size_t view_collect(const struct run *r, const char *name, struct vitem *it, size_t max)
{
	const struct sieve_edits *e = &r->res->edits;
	const struct msg *m = r->env->m;
	const unsigned char *marks = r->env->facts ? r->env->facts->marks : NULL;
	size_t n = 0;
	for (size_t i = 0; i < e->ntop && n < max; i++)
		if (added_is(e->top[i], name))
			it[n++] = (struct vitem){ 0, i };
	for (size_t i = msg_hdr_find(m, name, 0); i != MSG_NOT_FOUND && n < max;
	     i = msg_hdr_find(m, name, i + 1)) {
		/* a field the verdict stage drops (a forged A-R with our
		 * authserv-id) is not part of the message we deliver */
		if ((marks && marks[i] == VERDICT_DROP) || edits_deleted(e, i))
			continue;
		it[n++] = (struct vitem){ 1, i };
	}
	for (size_t i = 0; i < e->nbottom && n < max; i++)
		if (added_is(e->bottom[i], name))
			it[n++] = (struct vitem){ 2, i };
	return n;
}

static char *added_value(const char *field);

/* The raw unfolded value of the first field named name of the edited
 * header, malloc'd, or NULL. */
static char *view_first(const struct run *r, const char *name)
{
	struct vitem it[1];
	if (view_collect(r, name, it, 1) == 0)
		return NULL;
	if (it[0].where == 1)
		return msg_hdr_value(r->env->m, it[0].i);
	const struct sieve_edits *e = &r->res->edits;
	return added_value((it[0].where ? e->bottom : e->top)[it[0].i]);
}

/* The unfolded value of an added field (after "Name:"), malloc'd. */
static char *added_value(const char *field)
{
	const char *p = strchr(field, ':');
	p = p ? p + 1 : field;
	while (*p == ' ' || *p == '\t')
		p++;
	char *out = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (; *p; p++)
		if (*p != '\r' && *p != '\n')
			out[o++] = *p;
	while (o && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = 0;
	return out;
}

/* Unfold, encode and fold "name: value" into a field ending in CRLF
 * (see the decisions above); NULL with *why. */
static char *field_build(const char *name, const char *value, const char **why)
{
	char *v = strdup(value);
	if (!v) {
		*why = "out of memory";
		return NULL;
	}
	bool eight = false;
	for (char *p = v; *p; p++) {
		if ((unsigned char)*p < ' ' || *p == 127)
			*p = ' ';	/* CR, LF, TAB and other controls: unfolded */
		if ((unsigned char)*p >= 128)
			eight = true;
	}
	if (eight && !g_utf8_validate(v, -1, NULL)) {
		free(v);
		*why = "addheader value is not UTF-8";
		return NULL;
	}
	char *text = v;
	while (*text == ' ')
		text++;
	char *enc = NULL;
	if (eight) {
		g_mime_init();
		char *g = g_mime_utils_header_encode_text(NULL, text, "utf-8");
		enc = g ? strdup(g) : NULL;
		g_free(g);
		if (!enc) {
			free(v);
			*why = "out of memory";
			return NULL;
		}
		for (char *p = enc; *p; p++)
			if ((unsigned char)*p < ' ' || (unsigned char)*p > 126)
				*p = ' ';	/* GMime folds nothing, but never trust it to */
		text = enc;
	}
	/* fold at spaces: a line grows to 78 columns, then the next word
	 * starts a continuation line (RFC 5322 section 2.2.3) */
	size_t cap = strlen(name) + 2 + 3 * strlen(text) + 8, o = 0, col;
	char *f = malloc(cap);
	if (!f) {
		free(v);
		free(enc);
		*why = "out of memory";
		return NULL;
	}
	o = (size_t)sprintf(f, "%s:", name);
	col = o;
	const char *p = text;
	bool first = true;
	while (*p) {
		size_t sp = 0;
		while (p[sp] == ' ')
			sp++;
		size_t wl = strcspn(p + sp, " ");
		if (!wl)
			break;	/* trailing spaces */
		bool fold = !first && col + sp + wl > 78;
		if ((fold ? 1 : col + (sp ? sp : 1)) + wl > 998) {
			free(f);
			free(v);
			free(enc);
			*why = "addheader value has a word too long to fold";
			return NULL;
		}
		if (fold) {
			memcpy(f + o, "\r\n ", 3);
			o += 3;
			col = 1;
		} else {
			size_t k = sp ? sp : 1;
			memset(f + o, ' ', k);
			o += k;
			col += k;
		}
		memcpy(f + o, p + sp, wl);
		o += wl;
		col += wl;
		p += sp + wl;
		first = false;
	}
	if (first) {
		f[o++] = ' ';	/* an empty value: "Name: " */
	}
	memcpy(f + o, "\r\n", 3);
	free(v);
	free(enc);
	return f;
}

static bool edit_count(struct run *r)
{
	if (++r->nedits > SIEVE_MAX_EDITS) {
		sieve_result_fail(r->res, 0, "more than %d addheader/deleteheader (editheader limit)",
				  SIEVE_MAX_EDITS);
		return false;
	}
	return true;
}

/* "first/LEN/NAMEVALUE" or "last/LEN/NAMEVALUE" (patch 0011). */
static int edit_add(struct run *r, const char *q)
{
	bool last = !strncmp(q, "last/", 5);
	if (!last && strncmp(q, "first/", 6))
		return SIEVE2_ERROR_EXEC;
	q += last ? 5 : 6;
	char *end = NULL;
	unsigned long nl = strtoul(q, &end, 10);
	if (!end || *end != '/' || nl > strlen(end + 1))
		return SIEVE2_ERROR_EXEC;
	if (!edit_count(r))
		return SIEVE2_OK;
	char *name = xstrndup(end + 1, nl);
	char *value = xstrndup(end + 1 + nl, SIEVE_MAX_EDIT_VALUE + 1);
	int rc = SIEVE2_OK;
	const char *why = NULL;
	char *field = NULL;
	if (!name || !value) {
		sieve_result_fail(r->res, 0, "out of memory");
	} else if (!field_name_ok(name)) {
		/* RFC 5293 section 4: an invalid name is an error */
		sieve_result_fail(r->res, 0, "addheader: invalid field name \"%.100s\"", name);
	} else if (strlen(value) > SIEVE_MAX_EDIT_VALUE) {
		sieve_result_fail(r->res, 0, "addheader: value longer than %d bytes", SIEVE_MAX_EDIT_VALUE);
	} else if (field_protected(name, true)) {
		edit_warn(r, "addheader", name);
	} else if (!(field = field_build(name, value, &why))) {
		sieve_result_fail(r->res, 0, "%s", why);
	} else {
		struct sieve_edits *e = &r->res->edits;
		size_t fl = strlen(field);
		char ***list = last ? &e->bottom : &e->top;
		size_t *n = last ? &e->nbottom : &e->ntop;
		char **nv = NULL;
		if (e->added_bytes + fl > SIEVE_MAX_ADDED) {
			sieve_result_fail(r->res, 0, "addheader: added fields larger than %d bytes",
					  SIEVE_MAX_ADDED);
		} else if (!(nv = realloc(*list, (*n + 1) * sizeof(char *)))) {
			sieve_result_fail(r->res, 0, "out of memory");
		} else {
			*list = nv;
			if (last) {
				nv[(*n)++] = field;
			} else {
				/* section 4: at the top, above earlier additions */
				memmove(nv + 1, nv, *n * sizeof(char *));
				nv[0] = field;
				(*n)++;
			}
			field = NULL;
			e->added_bytes += fl;
			r->res->edited = true;
		}
	}
	free(field);
	free(name);
	free(value);
	return rc;
}

/* "check/NAME" or "I/NAME" (patch 0011); *exists_r: answer "exists". */
static int edit_delete(struct run *r, const char *q, bool *exists_r)
{
	*exists_r = false;
	if (!strncmp(q, "check/", 6)) {
		if (!edit_count(r))
			return SIEVE2_OK;
		char *name = xstrndup(q + 6, SIEVE_MAX_STRING);
		if (!name) {
			sieve_result_fail(r->res, 0, "out of memory");
		} else if (!field_name_ok(name)) {
			sieve_result_fail(r->res, 0, "deleteheader: invalid field name \"%.100s\"", name);
		} else if (field_protected(name, false)) {
			edit_warn(r, "deleteheader", name);
		} else {
			*exists_r = true;
		}
		free(name);
		return SIEVE2_OK;
	}
	char *end = NULL;
	unsigned long nth = strtoul(q, &end, 10);
	if (!end || *end != '/')
		return SIEVE2_ERROR_EXEC;
	const char *name = end + 1;	/* as libsieve asked getheader for it */
	if (field_protected(name, false) || nth >= MAX_HEADER_VALUES)
		return SIEVE2_OK;
	struct vitem it[MAX_HEADER_VALUES];
	size_t n = view_collect(r, name, it, MAX_HEADER_VALUES);
	struct sieve_edits *e = &r->res->edits;
	if (nth < n) {
		struct vitem v = it[nth];
		if (v.where == 1) {
			size_t *nd = realloc(e->deleted, (e->ndeleted + 1) * sizeof(size_t));
			if (!nd) {
				sieve_result_fail(r->res, 0, "out of memory");
			} else {
				size_t k = e->ndeleted;
				while (k > 0 && nd[k - 1] > v.i) {
					nd[k] = nd[k - 1];
					k--;
				}
				nd[k] = v.i;
				e->deleted = nd;
				e->ndeleted++;
				r->res->edited = true;
			}
		} else {
			/* a field this or an earlier script added */
			char **list = v.where == 0 ? e->top : e->bottom;
			size_t *cnt = v.where == 0 ? &e->ntop : &e->nbottom;
			e->added_bytes -= strlen(list[v.i]);
			free(list[v.i]);
			memmove(list + v.i, list + v.i + 1, (*cnt - v.i - 1) * sizeof(char *));
			(*cnt)--;
			r->res->edited = true;
		}
	}
	return SIEVE2_OK;
}


/* Answer a host-channel question of our patches with one value, v held
 * by r already (NULL: none, i.e. false or empty). */
static int answer_one(sieve2_context_t *s, struct run *r, char *v)
{
	char **list = hold(r, calloc(2, sizeof(char *)));
	if (!list)
		return SIEVE2_ERROR_NOMEM;
	list[0] = v;
	sieve2_setvalue_stringlist(s, "body", list);
	return SIEVE2_OK;
}

static int answer_bool(sieve2_context_t *s, struct run *r, bool yes)
{
	return answer_one(s, r, yes ? hold(r, strdup("1")) : NULL);
}

static int cb_getheader(sieve2_context_t *s, void *u)
{
	struct run *r = u;
	const struct sieve_env *env = r->env;
	const char *name = sieve2_getvalue_string(s, "header");
	if (!name)
		name = "";
	if (!strncmp(name, "X-AuthDeliver-Addheader/", 24) ||
	    !strncmp(name, "X-AuthDeliver-Deleteheader/", 27)) {
		/* patch 0011: editheader; only the names libsieve builds
		 * (case-sensitive), never the message's fields */
		bool exists = false;
		int rc = name[14] == 'A' ? edit_add(r, name + 24) : edit_delete(r, name + 27, &exists);
		int arc = answer_bool(s, r, exists);
		return arc != SIEVE2_OK ? arc : rc;
	}
	if (!strncasecmp(name, "X-AuthDeliver-Notify-Valid/", 27)) {
		char *uri = xstrndup(name + 27, SIEVE_MAX_STRING);
		bool ok = uri && sieve_mailto_parse(uri, NULL, NULL, NULL);
		free(uri);
		return answer_bool(s, r, ok);
	}
	if (!strncasecmp(name, "X-AuthDeliver-Duplicate/", 24)) {
		/* "SECONDS/first|last/HANDLE\nID" from patch 0009 */
		const char *p = name + 24;
		long secs = strtol(p, NULL, 10);
		const char *h = strchr(p, '/');
		h = h ? strchr(h + 1, '/') : NULL;
		const char *nl = h ? strchr(h, '\n') : NULL;
		if (!nl)
			return SIEVE2_ERROR_EXEC;
		char *handle = strndup(h + 1, (size_t)(nl - h - 1));
		char key[65];
		const struct sieve_env *e = r->env;
		int seen = handle ? sieve_duplicate_seen(e->c, e->envelope_to,
				e->home ? e->home : e->mb ? e->mb->home : NULL,
				e->maildir ? e->maildir : e->mb ? e->mb->maildir : NULL,
				handle, nl + 1, key) : -1;
		free(handle);
		if (seen < 0)
			return SIEVE2_ERROR_EXEC;
		/* the mark is recorded after a successful delivery, whether or
		 * not this one was a duplicate (RFC 7352 section 3) */
		struct sieve_act *a = act_add(r, SIEVE_ACT_DUPLICATE);
		if (!a || !(a->arg = strdup(key)))
			return SIEVE2_ERROR_NOMEM;
		/* Pigeonhole's defaults: 12 hours, at most 2 days */
		a->num = secs < 0 ? 12 * 3600 : secs > 2 * 86400 ? 2 * 86400 : secs;
		return answer_bool(s, r, seen);
	}
	if (!strncasecmp(name, "X-AuthDeliver-Include/", 22))
		return answer_one(s, r, include_text(r, name + 22));
	if (!strncasecmp(name, "X-AuthDeliver-Body/", 19)) {
		char **list = body_parts(r, name + 19);
		if (!list)
			return SIEVE2_ERROR_NOMEM;
		sieve2_setvalue_stringlist(s, "body", list);
		return SIEVE2_OK;
	}
	if (!strncasecmp(name, "X-AuthDeliver-Keep-Flags/", 25)) {
		char *one[2] = { (char *)name + 25, NULL };
		r->res->keep_flags[0] = 0;
		flags_add(r->res->keep_flags, one);
		sieve2_setvalue_stringlist(s, "body", NULL);
		return SIEVE2_OK;
	}
	if (!strcasecmp(name, END_MARK)) {
		r->res->stopped = false;
		sieve2_setvalue_stringlist(s, "body", NULL);
		return SIEVE2_OK;
	}
	bool virt;
	const char *vv = virtual_value(r, name, &virt);
	if (virt)
		return answer_one(s, r, vv ? hold(r, strdup(vv)) : NULL);
	char **list = hold(r, calloc(MAX_HEADER_VALUES + 1, sizeof(char *)));
	struct vitem it[MAX_HEADER_VALUES];	/* 16 KB of stack, no allocation */
	if (!list)
		return SIEVE2_ERROR_NOMEM;
	g_mime_init();
	/* the edited header (editheader, RFC 5293 section 7) */
	size_t n = view_collect(r, name, it, MAX_HEADER_VALUES);
	const struct sieve_edits *e = &r->res->edits;
	for (size_t k = 0; k < n; k++) {
		char *raw = it[k].where == 1 ? msg_hdr_value(env->m, it[k].i)
					     : added_value((it[k].where ? e->bottom : e->top)[it[k].i]);
		char *val = raw ? decode_value(name, raw) : NULL;
		free(raw);
		if (!val || !hold(r, val))
			return SIEVE2_ERROR_NOMEM;
		list[k] = val;
	}
	sieve2_setvalue_stringlist(s, "body", list);
	return SIEVE2_OK;
}

static sieve2_callback_t run_callbacks[] = {
	{ SIEVE2_ERRCALL_RUNTIME, cb_errexec },
	{ SIEVE2_ERRCALL_PARSE, cb_errparse },
	{ SIEVE2_ERRCALL_HEADER, cb_errheader },
	{ SIEVE2_ERRCALL_ADDRESS, cb_erraddr },
	{ SIEVE2_ACTION_FILEINTO, cb_fileinto },
	{ SIEVE2_ACTION_REDIRECT, cb_redirect },
	{ SIEVE2_ACTION_REJECT, cb_reject },
	{ SIEVE2_ACTION_VACATION, cb_vacation },
	{ SIEVE2_ACTION_KEEP, cb_keep },
	{ SIEVE2_ACTION_DISCARD, cb_discard },
	{ SIEVE2_ACTION_NOTIFY, cb_notify },
	{ SIEVE2_SCRIPT_GETSCRIPT, cb_getscript },
	{ SIEVE2_MESSAGE_GETHEADER, cb_getheader },
	{ SIEVE2_MESSAGE_GETENVELOPE, cb_getenvelope },
	{ SIEVE2_MESSAGE_GETSIZE, cb_getsize },
	{ SIEVE2_MESSAGE_GETSUBADDRESS, cb_getsubaddress },
	{ 0, 0 },
};

/* A NUL byte would silently cut the script short in libsieve. */
static const char *script_problem(const char *script, size_t len, size_t max)
{
	if (len > max)
		return "script larger than sieve_max_script_size";
	if (memchr(script, 0, len))
		return "script contains a NUL byte";
	return NULL;
}

/* Checks libsieve should make but does not, where it then crashes while
 * executing (found by tests/fuzz/fuzz_sieve): a relational match type
 * (RFC 5231 section 4: ":value"/":count" followed by "gt", "ge", "lt",
 * "le", "eq" or "ne"), a ":comparator" name it does not know, or a
 * vacation ":addresses" entry without "@" makes it call strcasecmp on
 * NULL.  A small tokenizer (RFC 5228 section 2:
 * comments, quoted strings with escapes, "text:" multi-line strings) finds
 * those tags and checks the string after them.  Returns NULL or a problem,
 * and its line in *line_r. */
static const char *precheck(const char *s, size_t len, int *line_r)
{
	static const char *const relations[] = { "gt", "ge", "lt", "le", "eq", "ne", NULL };
	/* the comparators libsieve 2.2.6 implements (RFC 4790 names) */
	static const char *const comparators[] = { "i;octet", "i;ascii-casemap", "i;ascii-numeric", NULL };
	const char *const *want = NULL;	/* the next token must be one of these */
	const char *want_what = "";
	int addrs = 0;		/* after :addresses: 1 want string or '[', 2 in list */
	static const char addr_what[] = "vacation :addresses entries must be addresses (local@domain)";
	int line = 1;
	size_t i = 0;
	while (i < len) {
		char ch = s[i];
		if (ch == '\n') {
			line++;
			i++;
		} else if (ch == ' ' || ch == '\t' || ch == '\r') {
			i++;
		} else if (ch == '#') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < len && s[i + 1] == '*') {
			for (i += 2; i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/'); i++)
				if (s[i] == '\n')
					line++;
			i += 2;
		} else if (ch == '"') {
			size_t st = ++i;
			int l0 = line;
			while (i < len && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				if (s[i] == '\n')
					line++;
				i++;
			}
			if (addrs) {
				if (!memchr(s + st, '@', i - st)) {
					*line_r = l0;
					return addr_what;
				}
				if (addrs == 1)
					addrs = 0;
			}
			if (want) {
				bool ok = false;
				for (size_t k = 0; want[k]; k++)
					if (i - st == strlen(want[k]) && !strncasecmp(s + st, want[k], i - st))
						ok = true;
				if (!ok) {
					*line_r = l0;
					return want_what;
				}
				want = NULL;
			}
			i++;
		} else if (len - i >= 5 && !strncasecmp(s + i, "text:", 5)) {
			/* multi-line string: up to a line holding only "." */
			if (addrs) {
				*line_r = line;
				return addr_what;
			}
			if (want) {
				*line_r = line;
				return want_what;
			}
			while (i < len && s[i] != '\n')
				i++;
			while (i < len) {
				line++;
				i++;
				if (i < len && s[i] == '.' && (i + 1 >= len || s[i + 1] == '\n' ||
							       (s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n')))
					break;
				while (i < len && s[i] != '\n')
					i++;
			}
		} else {
			if (want) {
				*line_r = line;
				return want_what;
			}
			if (addrs == 1 && ch == '[') {
				addrs = 2;
				i++;
				continue;
			}
			if (addrs == 2 && (ch == ',' || ch == ']')) {
				if (ch == ']')
					addrs = 0;
				i++;
				continue;
			}
			if (addrs) {
				*line_r = line;
				return addr_what;
			}
			size_t st = i++;
			if (ch == ':') {
				while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
					i++;
				if (i - st == 6 && (!strncasecmp(s + st, ":value", 6) ||
						    !strncasecmp(s + st, ":count", 6))) {
					want = relations;
					want_what = "relational match must be one of \"gt\" \"ge\" \"lt\" \"le\" \"eq\" \"ne\"";
				} else if (i - st == 10 && !strncasecmp(s + st, ":addresses", 10)) {
					addrs = 1;
				} else if (i - st == 11 && !strncasecmp(s + st, ":comparator", 11)) {
					want = comparators;
					want_what = "comparator must be \"i;octet\", \"i;ascii-casemap\" or \"i;ascii-numeric\"";
				}
			}
		}
	}
	return NULL;
}

void sieve_run_script(const struct sieve_env *env, const char *script, size_t len,
		      struct sieve_result *res)
{
	bool valid = false;
	sieve_run_script_cached(env, script, len, &valid, res);
}

void sieve_run_script_cached(const struct sieve_env *env, const char *script, size_t len,
			     bool *valid, struct sieve_result *res)
{
	struct run r = { .env = env, .res = res };
	res->ran = true;
	res->stopped = true;	/* until the end marker is reached */
	/* editheader starts from the earlier scripts' edits */
	if (sieve_edits_any(env->edits) && !sieve_edits_any(&res->edits) &&
	    sieve_edits_copy(&res->edits, env->edits) < 0) {
		sieve_result_fail(res, 0, "out of memory");
		return;
	}
	const char *why = *valid ? NULL :
			  script_problem(script, len, (size_t)env->c->sieve_max_script_size);
	if (why) {
		sieve_result_fail(res, 0, "%s", why);
		return;
	}
	int pline = 0;
	if (!*valid && (why = precheck(script, len, &pline))) {
		sieve_result_fail(res, pline, "%s", why);
		return;
	}
	char *text = malloc(len + sizeof(end_text));
	if (!text) {
		sieve_result_fail(res, 0, "out of memory");
		return;
	}
	memcpy(text, script, len);
	memcpy(text + len, end_text, sizeof(end_text));
	r.script = text;

	sieve2_context_t *s = NULL;
	if (sieve2_alloc(&s) != SIEVE2_OK) {
		free(text);
		sieve_result_fail(res, 0, "libsieve: out of memory");
		return;
	}
	int rc = sieve2_callbacks(s, run_callbacks);
	/* the same text validates the same way: a caller that keeps the
	 * script (the worker's cache) has it validated once */
	if (rc == SIEVE2_OK && !*valid) {
		r.validating = true;
		rc = sieve2_validate(s, &r);
		r.validating = false;
		/* not with include: an included script is read (and
		 * validated with its parent) at every run */
		*valid = rc == SIEVE2_OK && !res->failed && r.nerrors == 0 &&
			 !memmem(script, len, "include", 7);
	}
	/* libsieve executes what parsed even after a parse error: only go
	 * on when validation reported nothing */
	if (rc == SIEVE2_OK && !res->failed && r.nerrors == 0) {
		if (setjmp(r.bail) == 0) {
			r.can_bail = true;
			rc = sieve2_execute(s, &r);
		} else {
			/* we left libsieve in the middle of a test; its
			 * context is not safe to free (the child exits) */
			r.can_bail = false;
			s = NULL;
			rc = SIEVE2_OK;
		}
		r.can_bail = false;
	}
	if (rc != SIEVE2_OK)
		sieve_result_fail(res, 0, "libsieve: %s", sieve2_errstr(rc));
	if (s)
		sieve2_free(&s);
	run_release(&r);
	free(text);
}

/* The extensions of the vendored libsieve with our patches (its
 * sieve2_listextensions() plus the comparators). */
static bool extension_known(const char *name)
{
	static const char *const known[] = {
		"fileinto", "reject", "envelope", "vacation", "vacation-seconds", "imap4flags",
		"relational", "subaddress", "regex", "comparator-i;octet", "comparator-i;ascii-casemap",
		"comparator-i;ascii-numeric", "copy", "mailbox", "variables", "spamtest",
		"spamtestplus", "virustest", "body", "date", "index", "include", "duplicate", "enotify",
		"editheader", NULL };
	for (size_t i = 0; known[i]; i++)
		if (!strcmp(known[i], name))
			return true;
	return false;
}

/* Report the unsupported names of every require after the one libsieve
 * stopped at (skip_line); a small scan: comments, strings, text: blocks. */
static int other_requires(const char *s, size_t len, int skip_line,
			  void (*report)(int, const char *, void *), void *arg)
{
	int line = 1, n = 0, state = 0;	/* 1: after "require", 2: in its list */
	size_t i = 0;
	while (i < len) {
		char ch = s[i];
		if (ch == '\n') {
			line++;
			i++;
		} else if (ch == '#') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < len && s[i + 1] == '*') {
			for (i += 2; i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/'); i++)
				if (s[i] == '\n')
					line++;
			i += 2;
		} else if (ch == '"') {
			char name[128];
			size_t o = 0, st = ++i;
			int l0 = line;
			for (; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				if (s[i] == '\n')
					line++;
				if (o < sizeof(name) - 1)
					name[o++] = s[i];
			}
			name[o] = 0;
			i++;
			(void)st;
			if (state && l0 > skip_line && !extension_known(name)) {
				char msg[200];
				snprintf(msg, sizeof(msg), "unsupported feature: %s", name);
				report(l0, msg, arg);
				n++;
			}
			if (state == 1)
				state = 0;
		} else if (!strncmp(s + i, "text:", 5)) {
			/* RFC 5228 section 2.4.2: up to a line with a lone "." */
			while (i < len && !(s[i] == '\n' && i + 2 < len && s[i + 1] == '.' &&
					    (s[i + 2] == '\n' || s[i + 2] == '\r'))) {
				if (s[i] == '\n')
					line++;
				i++;
			}
			i += 2;
		} else if (isalpha((unsigned char)ch)) {
			size_t st = i;
			while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
				i++;
			if (i - st == 7 && !strncmp(s + st, "require", 7))
				state = 1;
		} else {
			if (ch == '[' && state == 1)
				state = 2;
			else if (ch == ']' || ch == ';')
				state = 0;
			i++;
		}
	}
	return n;
}

int sieve_check(const char *script, size_t len, size_t max_size,
		void (*report)(int line, const char *message, void *arg), void *arg)
{
	const char *why = script_problem(script, len, max_size);
	if (why) {
		report(0, why, arg);
		return 1;
	}
	int pline = 0;
	if ((why = precheck(script, len, &pline))) {
		report(pline, why, arg);
		return 1;
	}
	char *text = strndup(script, len);
	if (!text) {
		report(0, "out of memory", arg);
		return 1;
	}
	struct run r = { .script = text, .report = report, .report_arg = arg, .validating = true };
	sieve2_context_t *s = NULL;
	int rc = sieve2_alloc(&s);
	if (rc == SIEVE2_OK)
		rc = sieve2_callbacks(s, run_callbacks);
	if (rc == SIEVE2_OK)
		rc = sieve2_validate(s, &r);
	if (rc != SIEVE2_OK) {
		report(0, sieve2_errstr(rc), arg);
		r.nerrors++;
	}
	sieve2_free(&s);
	free(text);
	/* libsieve stops at the first require that fails: name the other
	 * unsupported extensions too, each with its line */
	if (r.nerrors > 0)
		r.nerrors += other_requires(script, len, r.first_unsupported_line, report, arg);
	return r.nerrors;
}

/* ---- user script path ---- */

static int put(char *out, size_t outlen, size_t *o, const char *s, bool checked)
{
	if (!s)
		return -1;
	/* a substituted user or domain must not walk the file system */
	if (checked && (strchr(s, '/') || !strcmp(s, "..") || !strcmp(s, ".") || !*s))
		return -1;
	size_t l = strlen(s);
	if (*o + l >= outlen)
		return -1;
	memcpy(out + *o, s, l);
	*o += l;
	out[*o] = 0;
	return 0;
}

int sieve_user_path(const char *pattern, const struct mailbox *mb, char *out, size_t outlen)
{
	size_t o = 0;
	if (!outlen)
		return -1;
	out[0] = 0;
	if (!pattern || !*pattern)
		return -1;
	const char *p = pattern;
	if (p[0] == '~' && (p[1] == '/' || !p[1])) {
		char parent[4096];
		const char *home = mb->home;
		if (!home || !*home) {
			/* virtual users: the directory that holds the Maildir */
			if (!mb->maildir || snprintf(parent, sizeof(parent), "%s", mb->maildir) >= (int)sizeof(parent))
				return -1;
			char *sl = strrchr(parent, '/');
			if (!sl || sl == parent)
				return -1;
			*sl = 0;
			home = parent;
		}
		if (put(out, outlen, &o, home, false) < 0)
			return -1;
		p++;
	}
	for (; *p; p++) {
		if (*p != '%') {
			char ch[2] = { *p, 0 };
			if (put(out, outlen, &o, ch, false) < 0)
				return -1;
			continue;
		}
		p++;
		int rc;
		switch (*p) {
		case 'u': rc = put(out, outlen, &o, mb->local, true); break;
		case 'd': rc = put(out, outlen, &o, mb->domain, true); break;
		case 'm': {
			char full[1024];
			if (!mb->local || !mb->domain)
				return -1;
			if (snprintf(full, sizeof(full), "%s%s%s", mb->local, *mb->domain ? "@" : "",
				     mb->domain) >= (int)sizeof(full))
				return -1;
			rc = put(out, outlen, &o, full, true);
			break;
		}
		case '%': rc = put(out, outlen, &o, "%", false); break;
		default: return -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* sieve_private.h */
char *sieve_read_script(const char *path, size_t max, size_t *len_r, const char **why)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*why = "not a regular file";
		errno = EINVAL;
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		*why = "script larger than sieve_max_script_size";
		errno = EFBIG;
		return NULL;
	}
	/* sized by the file, not by the limit (the limit is 1 MB by default
	 * and this runs for every evaluation); read_full grows it if the file
	 * grew, up to the limit */
	struct buf b;
	buf_init(&b, max);
	int rc = buf_reserve(&b, (size_t)st.st_size + 1);
	if (rc == 0)
		rc = read_full(fd, &b);
	int e = errno;
	close(fd);
	if (rc < 0) {
		buf_clear(&b);
		*why = e == EFBIG ? "script larger than sieve_max_script_size" :
		       e == ENOMEM ? "out of memory" : strerror(e);
		errno = e;
		return NULL;
	}
	return buf_steal(&b, len_r);
}

