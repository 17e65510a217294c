/* test_sieve.c - Sieve callbacks (headers, virtual verdict fields,
 * envelope, size, flags, fileinto checks), the merge of several scripts'
 * actions into one plan, the child-process evaluation with real script
 * files, and redirect/vacation through a recording fake sendmail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "recipient.h"
#include "msg.h"
#include "sieve.h"
#include "sieve_private.h"
#include "t.h"

static const struct conf *cf;
static char tmp[1024];

static struct msg *mkmsg(const char *text)
{
	static struct msg m;
	const char *err;
	size_t len;
	char *data = msg_lf_to_crlf(text, strlen(text), &len);
	if (msg_init(&m, data, len, 1000, &err) < 0) {
		printf("not ok - msg_init: %s\n", err);
		exit(1);
	}
	return &m;
}

static const char *base_msg =
	"Return-Path: <a@b.example>\n"
	"From: =?utf-8?q?J=C3=BCrgen?= <juergen@sender.example>\n"
	"To: user@d.example\n"
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus Bern\n"
	"X-AuthDeliver-Disposition: none\n"
	"X-Forged: yes\n"
	"Message-ID: <m1@sender.example>\n"
	"\n"
	"Hello\n";

/* Run a script in-process and describe its actions as one string:
 * "fileinto:Junk:FS keep: stop" etc., or "FAIL@line:error". */
static char out[2048];
static const char *run(const char *script, const struct sieve_facts *facts, struct msg *m)
{
	struct mailbox mb = { .address = "user+tag@d.example", .local = "user", .detail = "tag",
			      .domain = "d.example", .user = "user" };
	struct sieve_env env = { cf, &mb, m, facts, "a+x@b.example", "user+tag@d.example", 0, NULL, NULL, NULL };
	struct sieve_result res = { 0 };
	sieve_run_script(&env, script, strlen(script), &res);
	out[0] = 0;
	if (res.failed) {
		snprintf(out, sizeof(out), "FAIL@%d:%s", res.line, res.error);
		sieve_result_clear(&res);
		return out;
	}
	static const char *const names[] = { "", "keep", "fileinto", "redirect", "reject",
					     "discard", "vacation", "dupmark", "notify" };
	for (size_t i = 0; i < res.nacts; i++) {
		size_t o = strlen(out);
		const struct sieve_act *a = &res.acts[i];
		bool dm = a->type == SIEVE_ACT_DUPLICATE;	/* its arg is a hash */
		snprintf(out + o, sizeof(out) - o, "%s%s%s%s%s%s%s", o ? " " : "", names[a->type],
			 a->arg && !dm ? ":" : "", a->arg && !dm ? a->arg : "",
			 *a->flags ? ":" : "", a->flags, a->copy ? "+copy" : "");
		if (a->vac && a->vac->seconds) {
			o = strlen(out);
			snprintf(out + o, sizeof(out) - o, ":%ds", a->vac->seconds);
		}
	}
	if (res.stopped) {
		size_t o = strlen(out);
		snprintf(out + o, sizeof(out) - o, "%sstop", o ? " " : "");
	}
	sieve_result_clear(&res);
	return out;
}

static void test_callbacks(void)
{
	struct msg *m = mkmsg(base_msg);
	static struct sieve_facts q = { .disposition = "quarantine", .dmarc = "fail", .spf = "pass",
				 .folder = "Junk" };
	static struct sieve_facts none = { .disposition = "none", .dmarc = "pass", .folder = "INBOX" };
	const struct { const char *name, *script; const struct sieve_facts *f; const char *want; } t[] = {
		{ "empty script: no actions", "", &none, "" },
		{ "quarantine -> \\\\Junk alias -> junk_folder",
		  "require \"fileinto\";\nif header :is \"X-AuthDeliver-Disposition\" \"quarantine\" { fileinto \"\\\\Junk\"; stop; }\n",
		  &q, "fileinto:Spam stop" },
		{ "disposition none: no action",
		  "require \"fileinto\";\nif header :is \"X-AuthDeliver-Disposition\" \"quarantine\" { fileinto \"\\\\Junk\"; stop; }\n",
		  &none, "" },
		{ "incoming X-AuthDeliver-* field never read (no facts)",
		  "if exists \"X-AuthDeliver-Disposition\" { discard; }\n", NULL, "" },
		{ "virtual DMARC value", "if header :is \"x-authdeliver-dmarc\" \"fail\" { discard; }", &q, "discard" },
		{ "virtual SPF value", "if header :is \"X-AuthDeliver-SPF\" \"pass\" { discard; }", &q, "discard" },
		{ "unknown X-AuthDeliver-* name does not exist",
		  "if exists \"X-AuthDeliver-Whatever\" { discard; }", &q, "" },
		{ "RFC 2047 decoded Subject", "if header :contains \"subject\" \"Grüße aus\" { discard; }", &none, "discard" },
		{ "ordinary header", "if header :is \"x-forged\" \"yes\" { discard; }", &none, "discard" },
		{ "address test on decoded From",
		  "if address :domain :is \"from\" \"sender.example\" { discard; }", &none, "discard" },
		{ "decoded display name in From",
		  "if header :contains \"from\" \"Jürgen\" { discard; }", &none, "discard" },
		{ "envelope from", "require \"envelope\";\nif envelope :is \"from\" \"a+x@b.example\" { discard; }", &none, "discard" },
		{ "envelope to :detail",
		  "require [\"envelope\",\"subaddress\"];\nif envelope :detail \"to\" \"tag\" { discard; }", &none, "discard" },
		{ "envelope to :user",
		  "require [\"envelope\",\"subaddress\"];\nif envelope :user \"to\" \"user\" { discard; }", &none, "discard" },
		{ "size :under", "if size :under 1K { discard; }", &none, "discard" },
		{ "size :over", "if size :over 1K { discard; }", &none, "" },
		{ "imap4flags on fileinto, sorted letters",
		  "require [\"fileinto\",\"imap4flags\"];\nfileinto :flags [\"\\\\Seen\", \"\\\\Flagged \\\\Answered\", \"$Label\"] \"a/b\";",
		  &none, "fileinto:a/b:FRS" },
		{ "addflag carries into keep",
		  "require \"imap4flags\";\naddflag \"\\\\Draft\";\naddflag \"\\\\Deleted\";\nkeep;", &none, "keep:DT" },
		{ "redirect", "redirect \"fwd@else.example\";", &none, "redirect:fwd@else.example" },
		{ "reject", "require \"reject\";\nreject \"go away\";", &none, "reject:go away" },
		{ "stop without actions", "stop;", &none, "stop" },
		{ "parse error gives the line", "require \"fileinto\";\n\nif true {\n fileinto \"x\"\n}\n",
		  &none, "FAIL@5:syntax error, unexpected '}', expecting ';'" },
		{ "missing require is an error", "fileinto \"x\";", &none, "FAIL@1:fileinto not required" },
		{ "environment extension not available", "require \"environment\";", &none, "FAIL@1:unsupported feature: environment" },
		{ "fileinto ../../etc refused",
		  "require \"fileinto\";\nfileinto \"../../etc\";",
		  &none, "FAIL@0:fileinto \"../../etc\" refused: folder name has an empty component" },
		{ "fileinto with control character refused",
		  "require \"fileinto\";\nfileinto \"a\tb\";", &none,
		  "FAIL@0:fileinto \"a b\" refused: folder name has a control character" },
		{ "unknown relational match refused (libsieve would crash)",
		  "require \"relational\";\n# :value \"xx\" in a comment is fine\nif header :value \"xx\" \"x-n\" \"3\" { keep; }",
		  &none, "FAIL@3:relational match must be one of \"gt\" \"ge\" \"lt\" \"le\" \"eq\" \"ne\"" },
		{ "unknown comparator refused (libsieve would crash)",
		  "require \"comparator-i;ascii-numeric\";\nif header :is :comparator \"i;ascii-numer\006c\" \"x\" \"5\" { keep; }",
		  &none, "FAIL@2:comparator must be \"i;octet\", \"i;ascii-casemap\" or \"i;ascii-numeric\"" },
		{ "vacation :addresses without @ refused (libsieve would crash)",
		  "require \"vacation\";\nvacation :addresses [\"user@d.example\",\n \"zz\"] \"away\";", &none,
		  "FAIL@3:vacation :addresses entries must be addresses (local@domain)" },
		{ "vacation :addresses single string without @ refused",
		  "require \"vacation\";\nvacation :addresses \"zz\" \"away\";", &none,
		  "FAIL@2:vacation :addresses entries must be addresses (local@domain)" },
		{ "relational :count ok", "require [\"relational\", \"comparator-i;ascii-numeric\"];\n"
		  "if header :count \"ge\" :comparator \"i;ascii-numeric\" \"to\" \"1\" { discard; }", &none, "discard" },
		{ "text: string with :value inside is not a tag", "require \"reject\";\nreject text:\n:value \"zz\"\n.\n;", &none,
		  "reject::value \"zz\"\n" },
		{ "envelope part other than from/to refused (libsieve would crash)",
		  "require \"envelope\";\nif envelope :is \"Ho\" \"x\" { keep; }", &none,
		  "FAIL@0:envelope-part \"Ho\" not supported (only from, to)" },
		{ "INBOX any case", "require \"fileinto\";\nfileinto \"inbox\";", &none, "fileinto:INBOX" },
		{ "redirect to an option-like address", "redirect \"-oQ@x.example\";", &none,
		  "FAIL@0:redirect to an invalid address \"-oQ@x.example\"" },
		{ "redirect to a malformed address", "redirect \"a b@x.example\";", &none,
		  "FAIL@0:invalid address: syntax error, unexpected '@', expecting ATOM or QUOTE or ':' or '<'" },
		{ "too many redirects",
		  "redirect \"a@x.example\";\nredirect \"b@x.example\";\nredirect \"c@x.example\";", &none,
		  "FAIL@0:more than 2 redirects (sieve_max_redirects)" },
		{ "too many actions",
		  "require \"fileinto\";\nfileinto \"a\";\nfileinto \"b\";\nfileinto \"c\";\nfileinto \"d\";\nfileinto \"e\";",
		  &none, "FAIL@0:more than 4 actions (sieve_max_actions)" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_STR(run(t[i].script, t[i].f, m), t[i].want, t[i].name);

	/* a NUL byte cuts the script short in libsieve: refuse it */
	struct mailbox mb = { .address = "u@d.example", .local = "u", .domain = "d.example" };
	struct sieve_env env = { cf, &mb, m, &none, "", "u@d.example", 0, NULL, NULL, NULL };
	struct sieve_result res = { 0 };
	sieve_run_script(&env, "keep;\0discard;", 14, &res);
	T_OK(res.failed && strstr(res.error, "NUL"), "script with NUL byte fails: %s", res.error);
	sieve_result_clear(&res);
	msg_clear(m);

	/* a field the verdict drops is invisible to scripts */
	m = mkmsg(base_msg);
	unsigned char marks[16] = { 0 };
	marks[5] = 1;	/* X-Forged: VERDICT_DROP */
	struct sieve_facts dropped = { .marks = marks };
	T_STR(run("if exists \"x-forged\" { discard; }", &dropped, m), "", "dropped field is invisible");
	T_STR(run("if exists \"x-forged\" { discard; }", &none, m), "discard", "kept field is visible");
	msg_clear(m);

	/* vacation: libsieve answers only mail addressed to the user */
	m = mkmsg("From: a@b.example\nTo: user+tag@d.example\nSubject: hi\n\nbody\n");
	T_STR(run("require \"vacation\";\nvacation :days 3 :handle \"h\" \"away\";", &none, m),
	      "vacation", "vacation action");
	msg_clear(m);
}

/* The extensions of the vendored libsieve's patches 0003/0004 (copy,
 * mailbox, variables, vacation-seconds, spamtest/virustest), RFC
 * examples where the RFC has one. */
static void test_extensions(void)
{
	static struct sieve_facts none = { .disposition = "none", .dmarc = "pass", .folder = "INBOX" };
	struct msg *m = mkmsg("Return-Path: <a@b.example>\n"
			      "From: Alice <alice@sender.example>\n"
			      "To: user+tag@d.example\n"
			      "Subject: [acme-users] [fwd] version 1.0 is out\n"
			      "List-ID: Acme users <acme-users.lists.example>\n"
			      "X-Spam-Score: 7.3\n"
			      "X-Virus-Score: 0\n"
			      "\n"
			      "Hello\n");
	const struct { const char *name, *script, *want; } t[] = {
		{ "copy: fileinto :copy keeps the implicit keep",
		  "require [\"fileinto\",\"copy\"];\nfileinto :copy \"a\";", "fileinto:a+copy" },
		{ "copy: redirect :copy", "require \"copy\";\nredirect :copy \"fwd@else.example\";",
		  "redirect:fwd@else.example+copy" },
		{ "copy: not required is an error", "require \"fileinto\";\nfileinto :copy \"a\";",
		  "FAIL@2:copy not required" },
		{ "mailbox: fileinto :create", "require [\"fileinto\",\"mailbox\"];\nfileinto :create \"new/sub\";",
		  "fileinto:new/sub" },
		{ "mailbox: fileinto :create :copy :flags",
		  "require [\"fileinto\",\"mailbox\",\"copy\",\"imap4flags\"];\nfileinto :flags \"\\\\Seen\" :create :copy \"x\";",
		  "fileinto:x:S+copy" },
		{ "mailbox: mailboxexists INBOX", "require \"mailbox\";\nif mailboxexists \"INBOX\" { discard; }", "discard" },
		{ "mailbox: mailboxexists of a missing folder", "require \"mailbox\";\nif mailboxexists [\"INBOX\", \"Nope\"] { discard; }", "" },
		{ "variables: set and use", "require [\"fileinto\",\"variables\"];\nset \"f\" \"Lists\";\nfileinto \"${f}/x\";",
		  "fileinto:Lists/x" },
		{ "variables: RFC 5229 3.2 example \"[*] *\"",
		  "require [\"fileinto\",\"variables\"];\nif header :matches \"Subject\" \"[*] *\" { fileinto \"${1}\"; fileinto \"${2}\"; }",
		  "fileinto:acme-users fileinto:[fwd] version 1.0 is out" },
		{ "variables: RFC 5229 3.2 List-ID example",
		  "require [\"fileinto\",\"variables\"];\nif header :matches \"List-ID\" \"*<*@*\" { fileinto \"INBOX.lists.${2}\"; stop; }",
		  "" },
		{ "variables: ${0} and ? wildcards",
		  "require [\"fileinto\",\"variables\"];\nif header :matches \"List-ID\" \"* <*.?ists.*>\" { fileinto \"${2}-${3}|${0}\"; }",
		  "fileinto:acme-users-l|Acme users <acme-users.lists.example>" },
		{ "variables: :regex groups",
		  "require [\"fileinto\",\"variables\",\"regex\"];\nif address :regex \"from\" \"^([a-z]+)@(.*)$\" { fileinto \"${2}/${1}\"; }",
		  "fileinto:sender.example/alice" },
		{ "variables: modifiers by precedence",
		  "require [\"fileinto\",\"variables\"];\nset :upperfirst :lower \"a\" \"hELLO\";\nset :length \"n\" \"${a}\";\nfileinto \"${a}${n}\";",
		  "fileinto:Hello5" },
		{ "variables: :quotewildcard", "require [\"fileinto\",\"variables\"];\nset :quotewildcard \"q\" \"a*b\";\n"
		  "if string :matches \"a*b\" \"${q}\" { fileinto \"yes\"; }", "fileinto:yes" },
		{ "variables: string test and unknown variable is empty",
		  "require [\"fileinto\",\"variables\"];\nif string :is \"${nope}\" \"\" { fileinto \"empty\"; }", "fileinto:empty" },
		{ "variables: string :count counts non-empty strings",
		  "require [\"fileinto\",\"variables\",\"relational\",\"comparator-i;ascii-numeric\"];\nset \"a\" \"x\";\n"
		  "if string :count \"eq\" :comparator \"i;ascii-numeric\" [\"${a}\", \"\", \"y\"] \"2\" { fileinto \"two\"; }",
		  "fileinto:two" },
		{ "variables: match variables unchanged by a failing test",
		  "require [\"fileinto\",\"variables\"];\nif header :matches \"subject\" \"[*]*\" { }\nif header :matches \"subject\" \"nomatch*\" { }\nfileinto \"${1}\";",
		  "fileinto:acme-users" },
		{ "variables: invalid name refused", "require \"variables\";\nset \"1a\" \"x\";",
		  "FAIL@2:set: invalid variable name" },
		{ "variables: set not required", "set \"a\" \"x\";", "FAIL@1:variables not required" },
		{ "variables: value cut at 4096 bytes",
		  "require [\"fileinto\",\"variables\"];\nset \"a\" \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\";\n"
		  "set \"a\" \"${a}${a}${a}${a}${a}${a}${a}${a}\";\nset \"a\" \"${a}${a}${a}${a}${a}${a}${a}${a}\";\nset \"a\" \"${a}${a}${a}${a}${a}${a}${a}${a}\";\n"
		  "set :length \"n\" \"${a}\";\nfileinto \"${n}\";", "fileinto:4096" },
		{ "vacation-seconds: not required", "require \"vacation\";\nvacation :seconds 1 \"away\";",
		  "FAIL@2:vacation-seconds not required" },
		{ "spamtest: 7.3 of 10 is 7 (as Pigeonhole)", "require [\"spamtest\",\"relational\",\"comparator-i;ascii-numeric\",\"fileinto\"];\n"
		  "if spamtest :value \"eq\" :comparator \"i;ascii-numeric\" \"7\" { fileinto \"\\\\Junk\"; }", "fileinto:Spam" },
		{ "spamtest: not 8", "require [\"spamtest\",\"relational\",\"comparator-i;ascii-numeric\"];\n"
		  "if spamtest :value \"ge\" :comparator \"i;ascii-numeric\" \"8\" { discard; }", "" },
		{ "spamtestplus :percent 73", "require [\"spamtestplus\",\"fileinto\"];\n"
		  "if spamtest :percent :is \"73\" { fileinto \"p\"; }", "fileinto:p" },
		{ "virustest 0 is 1 (clean)", "require [\"virustest\",\"fileinto\"];\n"
		  "if virustest \"1\" { fileinto \"clean\"; }", "fileinto:clean" },
		{ "include: a name with / refused", "require \"include\";\ninclude :personal \"../x\";",
		  "FAIL@2:include: script name must not contain \"/\"" },
		{ "include: return needs require", "return;", "FAIL@1:include not required" },
		{ "include: global needs variables", "require \"include\";\nglobal \"a\";", "FAIL@2:global needs include and variables" },
		{ "include: an in-memory script has no personal scripts",
		  "require \"include\";\ninclude \"x\";", "FAIL@0:run-time error: include: script not found" },
		{ "include :optional of a missing script", "require [\"include\",\"fileinto\"];\ninclude :optional \"x\";\nfileinto \"f\";", "fileinto:f" },
		{ "include: return at top level ends the script", "require [\"include\",\"fileinto\"];\nreturn;\nfileinto \"never\";", "stop" },
		{ "duplicate: first time not a duplicate, a mark to record",
		  "require [\"duplicate\",\"fileinto\"];\nif duplicate :uniqueid \"x\" :seconds 60 { fileinto \"dup\"; }", "dupmark" },
		{ "duplicate :header of a missing field: false, no mark",
		  "require [\"duplicate\",\"fileinto\"];\nif duplicate :header \"X-None\" { fileinto \"dup\"; }", "" },
		{ "duplicate :header and :uniqueid exclude each other",
		  "require \"duplicate\";\nif duplicate :header \"a\" :uniqueid \"b\" { stop; }",
		  "FAIL@2:duplicate: :header and :uniqueid exclude each other" },
		{ "still unsupported extensions named", "require [\"variables\", \"editheader\",\n \"environment\"];", "FAIL@2:unsupported feature: environment" },
		{ "enotify: notify mailto", "require \"enotify\";\nnotify :importance \"1\" :message \"hi\" \"mailto:p@d.example\";",
		  "notify:mailto:p@d.example" },
		{ "enotify: a bad URI is a run-time error", "require \"enotify\";\nnotify \"mailto:no-at-sign\";",
		  "FAIL@0:notify: not a usable mailto URI: mailto:no-at-sign" },
		{ "enotify: other methods are invalid", "require [\"enotify\",\"fileinto\"];\nif valid_notify_method [\"mailto:a@b.example\", \"xmpp:a@b.example\"] { fileinto \"v\"; }", "" },
		{ "enotify: bad :importance", "require \"enotify\";\nnotify :importance \"9\" \"mailto:p@d.example\";",
		  "FAIL@2:notify :importance must be \"1\", \"2\" or \"3\"" },
		{ "linear :matches: no blow-up",
		  "if header :matches \"subject\" \"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*z\" { discard; }", "" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_STR(run(t[i].script, &none, m), t[i].want, t[i].name);
	msg_clear(m);
	/* body (RFC 5173): decoded text parts, :raw, :content */
	m = mkmsg("From: a@b.example\nTo: user+tag@d.example\nSubject: mixed\nMIME-Version: 1.0\n"
		  "Content-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\n"
		  "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
		  "Gr=FC=DFe, please unsubscribe me\n--XX\n"
		  "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
		  "c2VjcmV0IHBheWxvYWQ=\n--XX--\n");
	const struct { const char *name, *script, *want; } b[] = {
		{ "body: decoded, charset converted", "require [\"body\",\"fileinto\"];\nif body :contains \"Grüße\" { fileinto \"t\"; }", "fileinto:t" },
		{ "body :text skips non-text parts", "require [\"body\",\"fileinto\"];\nif body :text :contains \"secret\" { fileinto \"t\"; }", "" },
		{ "body :raw is undecoded", "require [\"body\",\"fileinto\"];\nif body :raw :contains \"=FC=DF\" { fileinto \"r\"; }", "fileinto:r" },
		{ "body :content main type, base64 decoded",
		  "require [\"body\",\"fileinto\"];\nif body :content \"application\" :contains \"secret payload\" { fileinto \"a\"; }", "fileinto:a" },
		{ "body :content type/subtype", "require [\"body\",\"fileinto\"];\nif body :content [\"image/png\", \"text/plain\"] :contains \"please\" { fileinto \"c\"; }", "fileinto:c" },
		{ "body with match variables", "require [\"body\",\"fileinto\",\"variables\"];\nif body :matches \"*please *\" { fileinto \"m-${2}\"; }", "fileinto:m-unsubscribe me" },
		{ "body not required", "if body :contains \"x\" { discard; }", "FAIL@1:body not required" },
	};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		T_STR(run(b[i].script, &none, m), b[i].want, b[i].name);
	msg_clear(m);

	/* date, currentdate, index (RFC 5260) */
	m = mkmsg("Received: from a by b; Tue, 01 Dec 2026 14:00:05 +0000\n"
		  "Received: from c by a; Tue, 1 Dec 2026 08:59:58 -0500 (EST)\n"
		  "From: a@b.example\nTo: user+tag@d.example\nSubject: dates\n"
		  "Date: Mon, 30 Nov 2026 23:30:00 -0800\n\nbody\n");
	const struct { const char *name, *script, *want; } d[] = {
		{ "date :originalzone date", "require [\"date\",\"fileinto\"];\nif date :originalzone \"date\" \"date\" \"2026-11-30\" { fileinto \"a\"; }", "fileinto:a" },
		{ "date :zone moves the day", "require [\"date\",\"fileinto\"];\nif date :zone \"+0100\" \"date\" \"date\" \"2026-12-01\" { fileinto \"b\"; }", "fileinto:b" },
		{ "date parts with variables", "require [\"date\",\"fileinto\",\"variables\"];\n"
		  "if date :zone \"+0000\" :matches \"date\" \"time\" \"*\" { set \"t\" \"${1}\"; }\n"
		  "if date :originalzone :matches \"date\" \"zone\" \"*\" { set \"z\" \"${1}\"; }\n"
		  "if date :zone \"+0000\" :matches \"date\" \"weekday\" \"*\" { set \"w\" \"${1}\"; }\n"
		  "fileinto \"${t}_${z}_${w}\";", "fileinto:07:30:00_-0800_2" },
		{ "date :index 2 picks the second Received", "require [\"date\",\"index\",\"fileinto\"];\n"
		  "if date :index 2 :zone \"+0000\" \"received\" \"time\" \"13:59:58\" { fileinto \"c\"; }", "fileinto:c" },
		{ "date :index 1 :last is the last", "require [\"date\",\"index\",\"fileinto\"];\n"
		  "if date :index 1 :last :zone \"+0000\" \"received\" \"hour\" \"13\" { fileinto \"d\"; }", "fileinto:d" },
		{ "header :index", "require [\"index\",\"fileinto\"];\nif header :index 2 :contains \"received\" \"from c\" { fileinto \"e\"; }", "fileinto:e" },
		{ "header :index beyond the fields", "require [\"index\",\"fileinto\"];\nif header :index 3 :contains \"received\" \"from\" { fileinto \"f\"; }", "" },
		{ "currentdate", "require [\"date\",\"relational\",\"fileinto\"];\nif currentdate :value \"ge\" \"date\" \"2020-01-01\" { fileinto \"g\"; }", "fileinto:g" },
		{ "unknown date-part refused", "require \"date\";\nif date \"date\" \"fortnight\" \"1\" { stop; }", "FAIL@2:unknown date-part" },
		{ "bad :zone refused", "require \"date\";\nif currentdate :zone \"CET\" \"year\" \"2026\" { stop; }", "FAIL@2::zone must be +hhmm or -hhmm" },
		{ ":index needs require index", "require \"date\";\nif date :index 1 \"date\" \"year\" \"2026\" { stop; }", "FAIL@2:index not required" },
	};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		T_STR(run(d[i].script, &none, m), d[i].want, d[i].name);
	msg_clear(m);

	/* vacation answers no list mail: another message */
	m = mkmsg("From: a@b.example\nTo: user+tag@d.example\nSubject: hi\n\nbody\n");
	T_STR(run("require \"vacation-seconds\";\nvacation :seconds 7200 \"away\";", &none, m),
	      "vacation:7200s", "vacation-seconds :seconds 7200");
	T_STR(run("require \"vacation-seconds\";\nvacation :seconds 1 \"away\";", &none, m),
	      "vacation:3600s", "vacation-seconds: below an hour is an hour");
	T_STR(run("require \"vacation-seconds\";\nvacation :days 2 \"away\";", &none, m),
	      "vacation", "vacation-seconds: :days still works");
	msg_clear(m);
}

static void test_flags(void)
{
	static const struct { const char *flag; char want; } t[] = {
		{ "\\Seen", 'S' }, { "\\seen", 'S' }, { "\\Answered", 'R' }, { "\\Flagged", 'F' },
		{ "\\Deleted", 'T' }, { "\\Draft", 'D' }, { "\\Recent", 0 }, { "$Junk", 0 }, { "Seen", 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_INT(sieve_flag_letter(t[i].flag), t[i].want, t[i].flag);
}

static void test_user_path(void)
{
	struct mailbox sys = { .address = "bob+x@d.example", .local = "bob", .domain = "d.example",
			       .home = "/home/bob", .maildir = "/home/bob/Maildir" };
	struct mailbox virt = { .address = "ann@v.example", .local = "ann", .domain = "v.example",
				.maildir = "/srv/mail/v.example/ann/Maildir" };
	struct mailbox evil = { .address = "../x@v.example", .local = "..", .domain = "v.example",
				.maildir = "/srv/mail/x/Maildir" };
	char p[256];
	const struct { const char *pat; const struct mailbox *mb; int rc; const char *want; } t[] = {
		{ "~/.authdeliver.sieve", &sys, 0, "/home/bob/.authdeliver.sieve" },
		{ "~/.authdeliver.sieve", &virt, 0, "/srv/mail/v.example/ann/.authdeliver.sieve" },
		{ "/etc/sieve/%d/%u.sieve", &virt, 0, "/etc/sieve/v.example/ann.sieve" },
		{ "/srv/sieve/%m", &sys, 0, "/srv/sieve/bob@d.example" },
		{ "/srv/100%%/%u", &sys, 0, "/srv/100%/bob" },
		{ "/srv/%u.sieve", &evil, -1, "" },
		{ "/srv/%x", &sys, -1, "" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = sieve_user_path(t[i].pat, t[i].mb, p, sizeof(p));
		T_INT(rc, t[i].rc, t[i].pat);
		if (rc == 0)
			T_STR(p, t[i].want, t[i].pat);
	}
}

/* ---- merge ---- */

static void act(struct sieve_result *r, enum sieve_act_type type, const char *arg, const char *flags)
{
	r->acts = realloc(r->acts, (r->nacts + 1) * sizeof(*r->acts));
	struct sieve_act *a = &r->acts[r->nacts++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->arg = arg ? strdup(arg) : NULL;
	snprintf(a->flags, sizeof(a->flags), "%s", flags ? flags : "");
	if (type == SIEVE_ACT_VACATION) {
		a->vac = calloc(1, sizeof(*a->vac));
		a->vac->to = strdup("a@b.example");
		a->vac->text = strdup(arg ? arg : "away");
		a->vac->days = 7;
	}
}

static const char *plan_str(const struct sieve_plan *p)
{
	out[0] = 0;
	for (size_t i = 0; i < p->ntargets; i++) {
		size_t o = strlen(out);
		snprintf(out + o, sizeof(out) - o, "%s%s%s%s", o ? " " : "", p->targets[i].folder,
			 *p->targets[i].flags ? ":" : "", p->targets[i].flags);
	}
	size_t o = strlen(out);
	snprintf(out + o, sizeof(out) - o, "%s%s%s%s%s", p->discard ? " DISCARD" : "",
		 p->reject ? " REJECT:" : "", p->reject ? p->reject_reason : "",
		 p->nredirects ? " REDIRECT" : "", p->vacation ? " VACATION" : "");
	return out;
}

/* Script specs: kind letter (b/p/a), then actions: k keep, f<folder>,
 * r redirect, j reject, d discard, v vacation, s stop, X failed, N none. */
static const char *merge(const char *spec, bool reject_to_folder)
{
	struct conf *c = conf_parse_string(reject_to_folder ? "sieve_reject_to_folder = yes\njunk_folder = Spam\n"
							    : "junk_folder = Spam\n", "t", &(const char *){ NULL });
	struct sieve_plan plan;
	struct sieve_merge mg;
	sieve_plan_init(&plan);
	sieve_merge_init(&mg);
	char *s = strdup(spec), *save = NULL;
	for (char *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		struct sieve_result r = { .ran = true };
		enum sieve_kind k = w[0] == 'b' ? SIEVE_BEFORE : w[0] == 'p' ? SIEVE_PERSONAL : SIEVE_AFTER;
		for (char *p = w + 1; *p; p++) {
			switch (*p) {
			case 'k': act(&r, SIEVE_ACT_KEEP, NULL, p[1] == 'S' ? "S" : ""); break;
			case 'f': act(&r, SIEVE_ACT_FILEINTO, p[1] == 'J' ? "Junk" : "Work", p[1] == 'J' ? "" : "F"); p++; break;
			case 'r': act(&r, SIEVE_ACT_REDIRECT, "x@y.example", NULL); break;
			case 'j': act(&r, SIEVE_ACT_REJECT, "no", NULL); break;
			case 'd': act(&r, SIEVE_ACT_DISCARD, NULL, NULL); break;
			case 'v': act(&r, SIEVE_ACT_VACATION, NULL, NULL); break;
			case 's': r.stopped = true; break;
			case 'X': r.failed = true; snprintf(r.error, sizeof(r.error), "boom"); break;
			case 'N': r.ran = false; break;
			}
		}
		sieve_merge_add(&mg, c, k, &r, &plan);
		sieve_result_clear(&r);
	}
	free(s);
	sieve_merge_finish(&mg, c, "Junk", &plan);
	plan_str(&plan);
	sieve_plan_clear(&plan);
	conf_free(c);
	return out;
}

static void test_merge(void)
{
	static const struct { const char *spec; bool rtf; const char *want; const char *name; } t[] = {
		{ "", false, "Junk", "no script at all: the verdict's folder" },
		{ "pN", false, "Junk", "user has no script: the verdict's folder" },
		{ "p", false, "INBOX", "empty user script: implicit keep to INBOX" },
		{ "pfW", false, "Work:F", "fileinto cancels implicit keep" },
		{ "pfW pk", false, "Work:F INBOX", "fileinto then keep: two copies" },
		{ "pkS pk", false, "INBOX:S", "two keeps: one copy, flags merged" },
		{ "pd", false, " DISCARD", "discard" },
		{ "pr", false, " DISCARD REDIRECT", "redirect only: nothing stored" },
		{ "pj", false, " REJECT:no", "reject" },
		{ "pj", true, "Spam", "reject configured to file into the junk folder" },
		{ "bfJs p a", false, "Junk", "stop in a before-script is final" },
		{ "bd pk", false, " DISCARD", "discard in a before-script is final" },
		{ "bfJ pk", false, "Junk INBOX", "before fileinto without stop: user still runs" },
		{ "b ps afW", false, "Work:F", "after-scripts run after a user stop" },
		{ "bfJ pj", false, "Junk", "reject after an earlier store is dropped" },
		{ "pX", false, "INBOX", "failed user script: INBOX" },
		{ "bfJs pX", false, "Junk", "failed user script after a final before-script" },
		{ "bX p", false, "INBOX", "failed before-script is ignored" },
		{ "pdX", false, "INBOX", "failed user script's discard never happens" },
		{ "pv pv", false, "INBOX VACATION", "vacation once, implicit keep stays" },
		{ "pjv", false, " REJECT:no", "rejected message gets no vacation" },
		{ "pr pr", false, " DISCARD REDIRECT", "same redirect twice: once" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_STR(merge(t[i].spec, t[i].rtf), t[i].want, t[i].name);
}

/* ---- child evaluation with files ---- */

static void writefile(const char *name, const char *text)
{
	char p[1200];
	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static void test_evaluate(void)
{
	char conftext[8192];
	snprintf(conftext, sizeof(conftext),
		 "sieve_before = %s/before.sieve %s/missing-before.sieve\n"
		 "sieve_user = ~/user.sieve\n"
		 "sieve_default = %s/default.sieve\n"
		 "sieve_after = %s/after.sieve\n"
		 "sieve_max_script_size = 4096\n"
		 "junk_folder = Junk\n", tmp, tmp, tmp, tmp);
	const char *err = NULL;
	struct conf *c = conf_parse_string(conftext, "t", &err);
	T_OK(c != NULL, "evaluate config parses %s", err ? err : "");
	char home[1100];
	snprintf(home, sizeof(home), "%s", tmp);
	struct mailbox mb = { .address = "user@d.example", .local = "user", .domain = "d.example",
			      .home = home, .uid = getuid(), .gid = getgid() };
	struct sieve_facts q = { .disposition = "quarantine", .folder = "Junk" };
	struct sieve_facts none = { .disposition = "none", .folder = "INBOX" };

	writefile("before.sieve", "require \"fileinto\";\nif header :is \"X-AuthDeliver-Disposition\" \"quarantine\" { fileinto \"\\\\Junk\"; stop; }\n");
	writefile("default.sieve", "require \"fileinto\";\nfileinto \"Default\";\n");
	writefile("after.sieve", "require \"imap4flags\";\nif header :contains \"subject\" \"flagme\" { addflag \"\\\\Flagged\"; keep; }\n");

	struct msg *m = mkmsg("From: a@b.example\nTo: user@d.example\nSubject: hi flagme\n\nbody\n");
	struct sieve_plan plan;
	int rc = sieve_evaluate(c, &mb, m, &q, "a@b.example", "user@d.example", &plan, &err);
	T_INT(rc, 0, "evaluate quarantine");
	T_STR(plan_str(&plan), "Junk", "quarantine: before-script files into Junk and stops");
	sieve_plan_clear(&plan);

	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "Default INBOX:F", "no user script: default script, then after-script");
	T_OK(plan.error == NULL, "no error");
	sieve_plan_clear(&plan);

	writefile("user.sieve", "require [\"fileinto\", \"imap4flags\"];\nfileinto :flags \"\\\\Seen\" \"Lists/Debian\";\n");
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "Lists/Debian:S INBOX:F", "user script replaces the default");
	sieve_plan_clear(&plan);

	writefile("user.sieve", "require \"fileinto\";\n\nfileinto \"x\"\ndiscard;\n");
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "INBOX:F", "broken user script: INBOX (flags from the after-script)");
	char want[1200];
	snprintf(want, sizeof(want), "%s/user.sieve:4: syntax error", tmp);
	T_OK(plan.error && !strncmp(plan.error, want, strlen(want)), "error names path and line: %s",
	     plan.error ? plan.error : "(none)");
	sieve_plan_clear(&plan);

	writefile("user.sieve", "require \"fileinto\";\nfileinto \"../../etc\";\n");
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "INBOX:F", "fileinto ../../etc: refused, INBOX");
	T_OK(plan.error && strstr(plan.error, "refused"), "refusal is the error: %s", plan.error ? plan.error : "");
	sieve_plan_clear(&plan);

	/* too large a script is a failed script, not a crash */
	char *big = malloc(70000);
	memset(big, '#', 69998);
	big[69998] = '\n';
	big[69999] = 0;
	writefile("user.sieve", big);
	free(big);
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_OK(plan.error && strstr(plan.error, "sieve_max_script_size"), "oversized script refused: %s",
	     plan.error ? plan.error : "");
	sieve_plan_clear(&plan);

	/* libsieve 2.2.6's :matches backtracked exponentially ("*a*a*...b"
	 * against a run of "a" took longer than sieve_timeout); the matcher
	 * of patch 0004 is linear: the script ends at once, no error */
	{
		char ct[8300];
		snprintf(ct, sizeof(ct), "%s\nsieve_timeout = 1\n", conftext);
		struct conf *c1 = conf_parse_string(ct, "t", &err);
		writefile("user.sieve", "if header :matches \"subject\" \"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\" { discard; }\n");
		msg_clear(m);
		struct msg *m2 = mkmsg("From: a@b.example\nSubject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\nbody\n");
		time_t t0 = time(NULL);
		rc = sieve_evaluate(c1, &mb, m2, &none, "a@b.example", "user@d.example", &plan, &err);
		time_t dt = time(NULL) - t0;
		T_STR(plan_str(&plan), "INBOX", "former runaway :matches: INBOX");
		T_OK(!plan.error, "no error: %s", plan.error ? plan.error : "");
		T_OK(dt <= 1, "evaluation took %lds", (long)dt);
		sieve_plan_clear(&plan);
		msg_clear(m2);	/* mkmsg reuses one struct msg: m is m2 */
		conf_free(c1);
		m = mkmsg("From: a@b.example\nTo: user@d.example\nSubject: hi flagme\n\nbody\n");
	}

	/* workers are reused across evaluations, yet every request carries
	 * the configuration it runs under (junk_folder here), and a worker
	 * retired after its request budget is replaced without a failure */
	{
		char ct[8300];
		snprintf(ct, sizeof(ct), "%s\njunk_folder = Spam\n", conftext);
		struct conf *c2 = conf_parse_string(ct, "t", &err);
		writefile("user.sieve", "require \"fileinto\";\nfileinto \"\\\\Junk\";\n");
		int bad = 0;
		for (int i = 0; i < 1100; i++) {
			const struct conf *cc = i % 2 ? c2 : c;
			rc = sieve_evaluate(cc, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
			if (rc != 0 || strcmp(plan_str(&plan), i % 2 ? "Spam INBOX:F" : "Junk INBOX:F")) {
				if (!bad++)
					printf("# evaluation %d: rc %d plan %s error %s\n", i, rc, plan_str(&plan),
					       plan.error ? plan.error : "-");
			}
			sieve_plan_clear(&plan);
		}
		T_INT(bad, 0, "1100 evaluations over a kept worker: each under its own junk_folder");
		conf_free(c2);
	}

	/* a directory where the script should be */
	char d[1200];
	snprintf(d, sizeof(d), "%s/user.sieve", tmp);
	unlink(d);
	mkdir(d, 0700);
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "INBOX:F", "unreadable user script: INBOX");
	sieve_plan_clear(&plan);
	rmdir(d);
	msg_clear(m);
	conf_free(c);
}

/* ---- redirect and vacation through a fake sendmail ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("");
	char *b = calloc(1, 65536);
	size_t n = fread(b, 1, 65535, f);
	b[n] = 0;
	fclose(f);
	return b;
}

static void test_actions(void)
{
	char conftext[8192], sm[1200], log[1200];
	snprintf(sm, sizeof(sm), "%s/sendmail", tmp);
	snprintf(log, sizeof(log), "%s/sent.log", tmp);
	FILE *f = fopen(sm, "w");
	fprintf(f, "#!/bin/sh\n{ echo \"ARGS: $*\"; cat; echo \"--END--\"; } >> '%s'\n", log);
	fclose(f);
	chmod(sm, 0755);
	snprintf(conftext, sizeof(conftext), "sendmail_path = %s\nvacation_db_dir = %s\nhostname = mx.d.example\n", sm, tmp);
	const char *err = NULL;
	struct conf *c = conf_parse_string(conftext, "t", &err);
	struct mailbox mb = { .address = "user@d.example", .local = "user", .domain = "d.example",
			      .uid = getuid(), .gid = getgid() };

	struct sieve_plan plan;
	sieve_plan_init(&plan);
	plan.redirects = calloc(1, sizeof(char *));
	plan.redirects[0] = strdup("fwd@else.example");
	plan.nredirects = 1;
	struct msg *m = mkmsg("From: a@b.example\nTo: user@d.example\nSubject: hi\nMessage-ID: <x1@b.example>\n\nbody\n");
	int n = sieve_after_delivery(c, &mb, m, NULL, "a@b.example", "user@d.example", &plan);
	T_INT(n, 1, "redirect handed to sendmail");
	char *got = slurp(log);
	T_OK(strstr(got, "ARGS: -i -f a@b.example -- fwd@else.example\n") != NULL,
	     "redirect keeps the envelope sender");
	T_OK(strstr(got, "\nX-AuthDeliver-Loop: user@d.example\nFrom: a@b.example\n") != NULL,
	     "loop header prepended, message follows with LF line ends");
	T_OK(strstr(got, "\r") == NULL, "no CR in what sendmail gets");
	free(got);
	unlink(log);
	msg_clear(m);

	m = mkmsg("X-AuthDeliver-Loop: user@d.example\nFrom: a@b.example\n\nbody\n");
	n = sieve_after_delivery(c, &mb, m, NULL, "a@b.example", "user@d.example", &plan);
	T_INT(n, 0, "redirect loop detected");
	msg_clear(m);
	sieve_plan_clear(&plan);

	sieve_plan_init(&plan);
	plan.vacation = calloc(1, sizeof(*plan.vacation));
	plan.vacation->to = strdup("a@b.example");
	plan.vacation->text = strdup("I am away.\n");
	plan.vacation->handle = strdup("h1");
	plan.vacation->days = 2;
	m = mkmsg("From: a@b.example\nTo: user@d.example\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nMessage-ID: <x2@b.example>\n\nbody\n");
	T_INT(sieve_after_delivery(c, &mb, m, NULL, "a@b.example", "user@d.example", &plan), 1, "vacation sent");
	got = slurp(log);
	T_OK(strstr(got, "ARGS: -i -f <> -- a@b.example\n") != NULL, "vacation with null envelope sender");
	T_OK(strstr(got, "\nAuto-Submitted: auto-replied") != NULL, "Auto-Submitted: auto-replied");
	T_OK(strstr(got, "\nIn-Reply-To: <x2@b.example>\n") != NULL, "In-Reply-To");
	T_OK(strstr(got, "\nSubject: Auto: =?UTF-8?b?R3LDvMOfZQ==?=\n") != NULL, "subject Auto: + encoded original");
	T_OK(strstr(got, "\n\nI am away.\n--END--") != NULL, "reason as body");
	free(got);
	T_INT(sieve_after_delivery(c, &mb, m, NULL, "a@b.example", "user@d.example", &plan), 0,
	      "second vacation within :days not sent");
	T_INT(sieve_after_delivery(c, &mb, m, NULL, "other@b.example", "user@d.example", &plan), 1,
	      "another sender gets one");
	msg_clear(m);

	static const struct { const char *name, *hdr, *from; } no[] = {
		{ "List-Id", "List-Id: <l.example>\n", "c@b.example" },
		{ "List-Unsubscribe", "List-Unsubscribe: <mailto:u@l.example>\n", "c@b.example" },
		{ "Precedence bulk", "Precedence: bulk\n", "c@b.example" },
		{ "Precedence list", "Precedence: list\n", "c@b.example" },
		{ "Auto-Submitted auto-generated", "Auto-Submitted: auto-generated\n", "c@b.example" },
		{ "null sender", "", "" },
		{ "MAILER-DAEMON", "", "MAILER-DAEMON@b.example" },
		{ "owner- sender", "", "owner-list@b.example" },
		{ "-request sender", "", "list-request@b.example" },
		{ "own address", "", "user@d.example" },
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "From: c@b.example\n%sTo: user@d.example\nSubject: x\n\nb\n", no[i].hdr);
		m = mkmsg(text);
		T_INT(sieve_after_delivery(c, &mb, m, NULL, no[i].from, "user@d.example", &plan), 0, no[i].name);
		msg_clear(m);
	}
	m = mkmsg("From: c@b.example\nAuto-Submitted: no\nTo: user@d.example\n\nb\n");
	T_INT(sieve_after_delivery(c, &mb, m, NULL, "c@b.example", "user@d.example", &plan), 1,
	      "Auto-Submitted: no is answered");
	msg_clear(m);
	sieve_plan_clear(&plan);
	conf_free(c);
}

static int nerr;
static char errs[1024];
static void report(int line, const char *msg, void *arg)
{
	(void)arg;
	nerr++;
	size_t o = strlen(errs);
	snprintf(errs + o, sizeof(errs) - o, "%d:%s;", line, msg);
}

static void test_check(void)
{
	nerr = 0;
	errs[0] = 0;
	T_INT(sieve_check("require \"fileinto\";\nfileinto \"a\";\n", 33, 1000, report, NULL), 0, "check: good script");
	const char *bad = "if true {\n  fileinto \"x\";\n}\n";
	T_INT(sieve_check(bad, strlen(bad), 1000, report, NULL), 1, "check: one error");
	T_STR(errs, "2:fileinto not required;", "check: error with line");
	errs[0] = 0;
	T_INT(sieve_check(bad, strlen(bad), 10, report, NULL), 1, "check: too large");
	T_STR(errs, "0:script larger than sieve_max_script_size;", "check: size error");
	/* every unsupported extension with its line, not only libsieve's first */
	errs[0] = 0;
	const char *unsup = "require \"fileinto\";\nrequire \"ihave\";\n# require \"no\";\n"
			    "require [\"variables\",\n \"environment\", \"foo\"];\nkeep;\n";
	T_INT(sieve_check(unsup, strlen(unsup), 1000, report, NULL), 3, "check: three unsupported extensions");
	T_STR(errs, "2:unsupported feature: ihave;5:unsupported feature: environment;"
		    "5:unsupported feature: foo;", "check: each named with its line");
}

/* editheader (RFC 5293): run a script, describe its actions and edits:
 * "ACTIONS | +top... | +last... | -N..." (fields without CRLF, folding
 * shown as "/"), "FAIL@..." or with " !N" for N ignored edits. */
static char eh_out[8192];
static const char *eh_run(const char *script, struct msg *m, const struct sieve_edits *prior)
{
	static struct sieve_facts none = { .disposition = "none", .folder = "INBOX" };
	struct mailbox mb = { .address = "u@d.example", .local = "u", .domain = "d.example", .user = "u" };
	struct sieve_env env = { cf, &mb, m, &none, "a@b.example", "u@d.example", 0, NULL, NULL, prior };
	struct sieve_result res = { 0 };
	sieve_run_script(&env, script, strlen(script), &res);
	eh_out[0] = 0;
	if (res.failed) {
		snprintf(eh_out, sizeof(eh_out), "FAIL@%d:%s", res.line, res.error);
		sieve_result_clear(&res);
		return eh_out;
	}
	size_t o = 0;
	for (size_t i = 0; i < res.nacts; i++)
		o += (size_t)snprintf(eh_out + o, sizeof(eh_out) - o, "%s%s%s", i ? " " : "",
				      res.acts[i].type == SIEVE_ACT_FILEINTO ? res.acts[i].arg :
				      res.acts[i].type == SIEVE_ACT_DISCARD ? "discard" : "keep", "");
	const struct sieve_edits empty = { 0 }, *e = res.edited ? &res.edits : &empty;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < (k ? e->nbottom : e->ntop); i++) {
			const char *f = k ? e->bottom[i] : e->top[i];
			o += (size_t)snprintf(eh_out + o, sizeof(eh_out) - o, " %s", k ? "+last:" : "+");
			for (; *f && o + 2 < sizeof(eh_out); f++) {
				if (*f == '\r' && f[1] == '\n') {
					f++;
					if (f[1])
						eh_out[o++] = '/';
					continue;
				}
				eh_out[o++] = *f;
			}
			eh_out[o] = 0;
		}
	for (size_t i = 0; i < e->ndeleted; i++)
		o += (size_t)snprintf(eh_out + o, sizeof(eh_out) - o, " -%zu", e->deleted[i]);
	if (res.nwarnings)
		snprintf(eh_out + o, sizeof(eh_out) - o, " !%u", res.nwarnings);
	sieve_result_clear(&res);
	return eh_out;
}

static void test_editheader(void)
{
	struct msg *m = mkmsg("Received: from a\n"		/* 0 */
			      "From: a@b.example\n"		/* 1 */
			      "X-A: one\n"			/* 2 */
			      "Subject: hello\n"		/* 3 */
			      "X-A: two\n"			/* 4 */
			      "Authentication-Results: other.example; spf=pass\n"	/* 5 */
			      "X-A: three\n"			/* 6 */
			      "DKIM-Signature: v=1; d=b.example\n"	/* 7 */
			      "\nbody\n");
	static const struct { const char *name, *script, *want; } t[] = {
		{ "addheader at the top, newest first", "require \"editheader\";\naddheader \"X-1\" \"a\";\naddheader \"X-2\" \"b\";",
		  " +X-2: b +X-1: a" },
		{ "addheader :last in order", "require \"editheader\";\naddheader :last \"X-1\" \"a\";\naddheader :last \"X-2\" \"b\";",
		  " +last:X-1: a +last:X-2: b" },
		{ "header test sees an added field", "require [\"editheader\", \"fileinto\"];\naddheader \"X-New\" \"yes\";\n"
		  "if header :is \"x-new\" \"yes\" { fileinto \"seen\"; }", "seen +X-New: yes" },
		{ "deleteheader: every occurrence, exists is false after",
		  "require [\"editheader\", \"fileinto\"];\ndeleteheader \"x-a\";\nif not exists \"X-A\" { fileinto \"gone\"; }",
		  "gone -2 -4 -6" },
		{ "deleteheader :index 2", "require \"editheader\";\ndeleteheader :index 2 \"X-A\";", " -4" },
		{ "deleteheader :index 1 :last", "require \"editheader\";\ndeleteheader :index 1 :last \"X-A\";", " -6" },
		{ "deleteheader :index past the end", "require \"editheader\";\ndeleteheader :index 4 \"X-A\";", "" },
		{ "deleteheader with value patterns", "require \"editheader\";\ndeleteheader :contains \"X-A\" [\"tw\", \"hre\"];",
		  " -4 -6" },
		{ "deleteheader :matches", "require \"editheader\";\ndeleteheader :matches \"X-A\" \"o*\";", " -2" },
		{ ":index counts the edited header", "require \"editheader\";\naddheader \"X-A\" \"zero\";\n"
		  "deleteheader :index 2 \"X-A\";", " +X-A: zero -2" },
		{ "deleteheader removes an added field", "require \"editheader\";\naddheader :last \"X-B\" \"b\";\n"
		  "addheader \"X-C\" \"c\";\ndeleteheader \"X-B\";", " +X-C: c" },
		{ "count sees the edits", "require [\"editheader\", \"relational\", \"fileinto\"];\n"
		  "deleteheader :index 1 \"X-A\";\nif header :count \"eq\" \"X-A\" \"2\" { fileinto \"two\"; }", "two -2" },
		{ "address test sees an added field", "require [\"editheader\", \"fileinto\"];\n"
		  "addheader \"Reply-To\" \"x@y.example\";\nif address :domain \"reply-to\" \"y.example\" { fileinto \"r\"; }",
		  "r +Reply-To: x@y.example" },
		{ "variables in name and value", "require [\"editheader\", \"variables\"];\nset \"n\" \"X-Var\";\n"
		  "if header :matches \"subject\" \"*\" { addheader \"${n}\" \"was ${1}\"; }", " +X-Var: was hello" },
		{ "protected: Received, A-R, X-AuthDeliver-*, ARC-*, Return-Path", "require \"editheader\";\n"
		  "deleteheader \"Received\";\ndeleteheader \"authentication-results\";\n"
		  "addheader \"Authentication-Results\" \"mx.test.example; dmarc=pass\";\n"
		  "addheader \"X-AuthDeliver-SPF\" \"pass\";\ndeleteheader \"X-AuthDeliver-DKIM\";\n"
		  "addheader \"ARC-Seal\" \"i=1\";\naddheader \"Return-Path\" \"<x@y>\";\n"
		  "addheader \"Auto-Submitted\" \"no\";\naddheader \"Received-SPF\" \"pass\";\n"
		  "addheader \"Delivered-To\" \"x@y\";", " !10" },
		{ "DKIM-Signature may be deleted, not added", "require \"editheader\";\n"
		  "addheader \"DKIM-Signature\" \"v=1; d=evil.example\";\ndeleteheader \"dkim-signature\";", " -7 !1" },
		{ "unfolded: CR LF in a value become spaces", "require \"editheader\";\naddheader \"X-Inj\" \"a\r\nBcc: victim@x\";",
		  " +X-Inj: a  Bcc: victim@x" },
		{ "8-bit value RFC 2047-encoded", "require \"editheader\";\naddheader \"X-U\" \"Gr\xc3\xbc\xc3\x9f\x65\";",
		  " +X-U: =?UTF-8?b?R3LDvMOfZQ==?=" },
		{ "not UTF-8: run-time error", "require \"editheader\";\naddheader \"X-U\" \"\xff\xfe\";",
		  "FAIL@0:addheader value is not UTF-8" },
		{ "long value folded at 78", "require \"editheader\";\naddheader \"X-Long\" \"aaaaaaaaaa bbbbbbbbbb cccccccccc "
		  "dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh\";",
		  " +X-Long: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff/ gggggggggg hhhhhhhhhh" },
		{ "invalid field name: parse error", "require \"editheader\";\naddheader \"X Bad\" \"v\";",
		  "FAIL@2:header 'X Bad': not a valid header" },
		{ "invalid field name from a variable: run-time error", "require [\"editheader\", \"variables\"];\n"
		  "set \"n\" \"a:b\";\naddheader \"${n}\" \"v\";", "FAIL@0:addheader: invalid field name \"a:b\"" },
		{ "deleteheader :count: error", "require [\"editheader\", \"relational\"];\ndeleteheader :count \"eq\" \"X-A\" \"1\";",
		  "FAIL@2:deleteheader: :count is not allowed" },
		{ "deleteheader :last without :index: error", "require \"editheader\";\ndeleteheader :last \"X-A\";",
		  "FAIL@2:deleteheader: :last needs :index" },
		{ "editheader must be required", "addheader \"X-1\" \"a\";", "FAIL@1:editheader not required" },
		{ "spamtest reads the edited header", "require [\"editheader\", \"spamtest\", \"fileinto\"];\n"
		  "addheader \"X-Spam-Score\" \"9.5\";\nif spamtest \"9\" { fileinto \"nine\"; }", "nine +X-Spam-Score: 9.5" },
		{ "deleteheader :regex with a variable (patch 0012)", "require [\"editheader\", \"regex\", \"variables\"];\n"
		  "set \"x\" \"hr\";\ndeleteheader :regex \"X-A\" \"^t${x}\";", " -6" },
		{ "deleteheader :comparator i;octet is case-sensitive", "require \"editheader\";\n"
		  "deleteheader :comparator \"i;octet\" :is \"X-A\" [\"One\", \"two\"];", " -4" },
		{ "deleteheader default comparator is i;ascii-casemap", "require \"editheader\";\n"
		  "deleteheader :is \"X-A\" \"ONE\";", " -2" },
		/* the two examples of RFC 5293 section 7 */
		{ "RFC 5293 7: add then delete :index 1 leaves the header unchanged",
		  "require \"editheader\";\naddheader \"X-Hello\" \"World\";\ndeleteheader :index 1 \"X-Hello\";", "" },
		{ "RFC 5293 7: :index 1 then :index 2 deletes the first and the third",
		  "require \"editheader\";\ndeleteheader :index 1 \"X-A\";\ndeleteheader :index 2 \"X-A\";", " -2 -6" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_STR(eh_run(t[i].script, m, NULL), t[i].want, t[i].name);

	/* limits: 64 edits per script, a value of 1 KB, 16 KB added */
	char big[40000];
	size_t o = (size_t)snprintf(big, sizeof(big), "require \"editheader\";\n");
	for (int i = 0; i < 65; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "addheader \"X-%d\" \"v\";\n", i);
	T_STR(eh_run(big, m, NULL), "FAIL@0:more than 64 addheader/deleteheader (editheader limit)", "65 edits fail");
	char val[1100];
	memset(val, 'a', 1025);
	val[1025] = 0;
	snprintf(big, sizeof(big), "require \"editheader\";\naddheader \"X-V\" \"%s\";\n", val);
	T_STR(eh_run(big, m, NULL), "FAIL@0:addheader: value longer than 1024 bytes", "value over 1 KB fails");
	memset(val, 'a', 1000);
	val[1000] = 0;
	snprintf(big, sizeof(big), "require \"editheader\";\naddheader \"X-V\" \"%s\";\n", val);
	T_STR(eh_run(big, m, NULL), "FAIL@0:addheader value has a word too long to fold",
	      "a word that cannot fit a 998-byte line fails");
	val[100] = ' ';
	snprintf(big, sizeof(big), "require \"editheader\";\naddheader \"X-V\" \"%s\";\n", val);
	T_OK(strstr(eh_run(big, m, NULL), "/ aaaa") != NULL && strlen(eh_out) < 1100,
	     "a long word after a space goes on a continuation line: %.40s", eh_out);
	for (int i = 0; i < 1000; i++)
		val[i] = i % 10 == 9 ? ' ' : 'a';
	val[1000] = 0;
	o = (size_t)snprintf(big, sizeof(big), "require \"editheader\";\n");
	for (int i = 0; i < 17; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "addheader \"X-%d\" \"%s\";\n", i, val);
	T_STR(eh_run(big, m, NULL), "FAIL@0:addheader: added fields larger than 16384 bytes", "16 KB added fails");

	/* an earlier script's edits are seen and kept */
	char *top[1] = { "X-Prior: 1\r\n" };
	size_t del[1] = { 3 };
	struct sieve_edits prior = { .top = top, .ntop = 1, .deleted = del, .ndeleted = 1, .added_bytes = 12 };
	T_STR(eh_run("require [\"editheader\", \"fileinto\"];\nif allof (exists \"X-Prior\", not exists \"Subject\") "
		     "{ fileinto \"p\"; }\naddheader :last \"X-Now\" \"2\";", m, &prior),
	      "p +X-Prior: 1 +last:X-Now: 2 -3", "earlier edits seen, kept, extended");
	T_STR(eh_run("require \"fileinto\";\nif exists \"X-Prior\" { fileinto \"p\"; }", m, &prior), "p",
	      "earlier edits seen without editheader required");

	/* what the session accepts from a worker */
	T_OK(sieve_edits_valid(&prior, m), "valid edits accepted");
	char *forged[1] = { "Authentication-Results: mx.test.example; dmarc=pass\r\n" };
	struct sieve_edits bad = { .top = forged, .ntop = 1, .added_bytes = strlen(forged[0]) };
	T_OK(!sieve_edits_valid(&bad, m), "a forged A-R from a worker is refused");
	char *inj[1] = { "X-A: a\r\nBcc: x\r\n" };
	bad = (struct sieve_edits){ .bottom = inj, .nbottom = 1, .added_bytes = strlen(inj[0]) };
	T_OK(!sieve_edits_valid(&bad, m), "a second field smuggled into one is refused");
	char *bare[1] = { "X-A: a\nb\r\n" };
	bad = (struct sieve_edits){ .top = bare, .ntop = 1, .added_bytes = strlen(bare[0]) };
	T_OK(!sieve_edits_valid(&bad, m), "a bare LF is refused");
	size_t d0[1] = { 0 }, d5[1] = { 5 }, d99[1] = { 99 }, d22[2] = { 2, 2 };
	bad = (struct sieve_edits){ .deleted = d0, .ndeleted = 1 };
	T_OK(!sieve_edits_valid(&bad, m), "deleting Received is refused");
	bad = (struct sieve_edits){ .deleted = d5, .ndeleted = 1 };
	T_OK(!sieve_edits_valid(&bad, m), "deleting an A-R is refused");
	bad = (struct sieve_edits){ .deleted = d99, .ndeleted = 1 };
	T_OK(!sieve_edits_valid(&bad, m), "a deleted index past the header is refused");
	bad = (struct sieve_edits){ .deleted = d22, .ndeleted = 2 };
	T_OK(!sieve_edits_valid(&bad, m), "deleted indexes not ascending are refused");
	msg_clear(m);

	/* sieve-check accepts it */
	const char *ok = "require \"editheader\";\naddheader :last \"X-1\" \"a\";\n"
			 "deleteheader :index 1 :last :comparator \"i;octet\" :is \"X-1\" \"a\";\n";
	T_INT(sieve_check(ok, strlen(ok), 1000, report, NULL), 0, "check: editheader is supported");
}

/* editheader through the worker processes: before, personal and after
 * scripts edit in order, each sees the earlier edits, the plan has them. */
static void test_editheader_evaluate(void)
{
	char conftext[4096];
	snprintf(conftext, sizeof(conftext),
		 "sieve_before = %s/eh-before.sieve\nsieve_user = ~/eh-user.sieve\n"
		 "sieve_after = %s/eh-after.sieve\n", tmp, tmp);
	const char *err = NULL;
	struct conf *c = conf_parse_string(conftext, "t", &err);
	T_OK(c != NULL, "editheader evaluate config parses %s", err ? err : "");
	struct mailbox mb = { .address = "user@d.example", .local = "user", .domain = "d.example",
			      .home = tmp, .uid = getuid(), .gid = getgid() };
	struct sieve_facts none = { .disposition = "none", .folder = "INBOX" };
	writefile("eh-before.sieve", "require \"editheader\";\naddheader \"X-Before\" \"1\";\ndeleteheader \"X-Junk\";\n");
	writefile("eh-user.sieve", "require [\"editheader\", \"fileinto\"];\n"
		  "if allof (exists \"X-Before\", not exists \"X-Junk\") { fileinto \"Seen\"; }\n"
		  "deleteheader \"X-Before\";\naddheader :last \"X-User\" \"2\";\n");
	writefile("eh-after.sieve", "require [\"editheader\", \"imap4flags\"];\n"
		  "if header :is \"X-User\" \"2\" { addheader \"X-After\" \"3\"; addflag \"\\\\Flagged\"; }\n");
	struct msg *m = mkmsg("From: a@b.example\nX-Junk: 1\nSubject: s\nX-Junk: 2\n\nbody\n");
	struct sieve_plan plan;
	int rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_INT(rc, 0, "editheader evaluate");
	T_STR(plan_str(&plan), "Seen", "the personal script saw the before-script's edits");
	T_INT((long)plan.edits.ntop, 1, "one field added at the top (X-Before was deleted again)");
	T_STR(plan.edits.ntop ? plan.edits.top[0] : "", "X-After: 3\r\n", "the after-script's field");
	T_STR(plan.edits.nbottom ? plan.edits.bottom[0] : "", "X-User: 2\r\n", "the personal script's :last field");
	T_INT((long)plan.edits.ndeleted, 2, "both X-Junk deleted");
	T_OK(strstr(plan.summary, "editheader") != NULL, "summary says editheader: %s", plan.summary);
	sieve_plan_clear(&plan);

	/* each store and redirect has the header as when it ran (RFC 5293
	 * section 7), the implicit keep the final one */
	writefile("eh-user.sieve", "require [\"editheader\", \"fileinto\", \"copy\"];\n"
		  "fileinto :copy \"First\";\naddheader \"X-1\" \"a\";\nfileinto :copy \"Second\";\n"
		  "redirect :copy \"x@y.example\";\naddheader \"X-2\" \"b\";\n");
	writefile("eh-after.sieve", "keep;\n");
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "First Second INBOX REDIRECT", "snapshots: three copies and a redirect");
	if (plan.ntargets == 3 && plan.nredirects == 1) {
		T_INT((long)plan.targets[0].edits.ntop, 1, "First: only the before-script's field");
		T_INT((long)plan.targets[1].edits.ntop, 2, "Second: and X-1");
		T_STR(plan.targets[1].edits.top[0], "X-1: a\r\n", "Second: X-1 on top");
		T_INT((long)plan.targets[2].edits.ntop, 3, "INBOX (keep in the after-script): X-2 too");
		T_INT((long)plan.redirect_edits[0].ntop, 2, "the redirect: the header when it ran");
		T_INT((long)plan.targets[0].edits.ndeleted, 2, "every copy: X-Junk deleted by the before-script");
	}
	sieve_plan_clear(&plan);

	/* a failing personal script: its edits are void, the others stay */
	writefile("eh-user.sieve", "require \"editheader\";\naddheader \"X-User\" \"2\";\naddheader \"X Bad\" \"v\";\n");
	rc = sieve_evaluate(c, &mb, m, &none, "a@b.example", "user@d.example", &plan, &err);
	T_STR(plan_str(&plan), "INBOX", "failed personal script: INBOX");
	T_INT((long)plan.edits.ntop, 1, "only the before-script's field");
	T_STR(plan.edits.ntop ? plan.edits.top[0] : "", "X-Before: 1\r\n", "the before-script's field stays");
	sieve_plan_clear(&plan);
	msg_clear(m);
	conf_free(c);
}

/* sieve_spamtest_header/_type/_max and the virustest ones (Pigeonhole's
 * sieve_spamtest_status_header/_type/_max_value; the expected values are
 * what its sieve-test gives for the same settings). */
static void test_score_config(void)
{
	const char *err = NULL;
	struct conf *c = conf_parse_string("sieve_spamtest_header = X-Spam-Level\n"
					   "sieve_spamtest_type = strlen\nsieve_spamtest_max = 10\n"
					   "sieve_virustest_header = X-Virus-Status\n"
					   "sieve_virustest_max = 100\n", "t", &err);
	if (!c) {
		T_OK(0, "score config: %s", err);
		return;
	}
	const struct conf *saved = cf;
	cf = c;
	static struct sieve_facts none = { .disposition = "none", .folder = "INBOX" };
	struct msg *m = mkmsg("From: a@b.example\nX-Spam-Score: 9.9\nX-Spam-Level: *****\n"
			      "X-Virus-Status: infected, score=100\nSubject: s\n\nx\n");
	T_STR(run("require [\"spamtest\",\"relational\",\"comparator-i;ascii-numeric\",\"fileinto\"];\n"
		  "if spamtest :value \"eq\" :comparator \"i;ascii-numeric\" \"5\" { fileinto \"five\"; }", &none, m),
	      "fileinto:five", "spamtest strlen: ***** of 10 is 5 (the configured field, not X-Spam-Score)");
	T_STR(run("require [\"spamtestplus\",\"fileinto\"];\nif spamtest :percent :is \"50\" { fileinto \"p\"; }",
		  &none, m), "fileinto:p", "spamtest strlen :percent 50");
	T_STR(run("require [\"virustest\",\"fileinto\"];\nif virustest \"5\" { fileinto \"virus\"; }", &none, m),
	      "fileinto:virus", "virustest from the configured field and maximum");
	msg_clear(m);
	m = mkmsg("From: a@b.example\nSubject: s\n\nx\n");
	T_STR(run("require [\"spamtest\",\"fileinto\"];\nif spamtest \"0\" { fileinto \"untested\"; }", &none, m),
	      "fileinto:untested", "spamtest without the field is 0 (not tested)");
	msg_clear(m);
	cf = saved;
	conf_free(c);
}

int main(void)
{
	const char *err = NULL;
	log_set_stderr(1);
	struct conf *c = conf_parse_string("junk_folder = Spam\nsieve_max_actions = 4\nsieve_max_redirects = 2\n",
					   "t", &err);
	if (!c) {
		printf("not ok - config: %s\n", err);
		return 1;
	}
	cf = c;
	const char *t = getenv("T_TMP");
	snprintf(tmp, sizeof(tmp), "%s", t && *t ? t : "/tmp");
	if (!t || !*t) {
		snprintf(tmp, sizeof(tmp), "/tmp/test_sieve.%d", (int)getpid());
		mkdir(tmp, 0700);
	}
	test_flags();
	test_callbacks();
	test_extensions();
	test_score_config();
	test_user_path();
	test_merge();
	test_check();
	test_editheader();
	test_editheader_evaluate();
	test_evaluate();
	test_actions();
	conf_free(c);
	T_DONE();
}
