/* test_recipient.c - recipient splitting, virtual map lookup (delimiter, case,
 * catch-all, reload, errors) and system users through getpwnam. */
#include "conf.h"
#include "recipient.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];

static struct conf *mkconf(const char *text)
{
	const char *err = NULL;
	struct conf *c = conf_parse_string(text, "test", &err);

	if (!c) {
		printf("not ok - config: %s\n", err);
		exit(1);
	}
	return c;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
		printf("not ok - write %s\n", path);
		exit(1);
	}
}

static void test_split(void)
{
	static const struct {
		const char *rcpt, *delims, *local, *detail, *domain;
	} t[] = {
		{ "User+Tag@Example.COM", "+", "user", "Tag", "example.com" },
		{ "user@example.com", "+", "user", NULL, "example.com" },
		{ "user+@example.com", "+", "user", "", "example.com" },
		{ "a-b+c@x.org", "+-", "a", "b+c", "x.org" },
		{ "a+b-c@x.org", "+-", "a", "b-c", "x.org" },
		{ "+foo@x.org", "+", "+foo", NULL, "x.org" },
		{ "user+tag@x.org", "", "user+tag", NULL, "x.org" },
		{ "\"John Doe\"@x.org", "+", "john doe", NULL, "x.org" },
		{ "\"a\\\"b\"@x.org", "+", "a\"b", NULL, "x.org" },
		{ "local", "+", "local", NULL, "" },
		{ "<bob@X.org>", "+", "bob", NULL, "x.org" },
		{ "we@ird@x.org", "+", "we@ird", NULL, "x.org" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *l = NULL, *d = NULL, *dom = NULL, name[128];
		int r = recipient_split(t[i].rcpt, t[i].delims, &l, &d, &dom);

		snprintf(name, sizeof(name), "split %s", t[i].rcpt);
		T_INT(r, 0, name);
		if (r)
			continue;
		T_STR(l, t[i].local, name);
		if (t[i].detail)
			T_STR(d, t[i].detail, name);
		else
			T_OK(d == NULL, "%s: no detail (got %s)", name, d ? d : "");
		T_STR(dom, t[i].domain, name);
		free(l);
		free(d);
		free(dom);
	}
	static const char *const bad[] = { "", "@x.org", "user@", "a\r\nb@x.org",
					   "a\x01@x.org", "\"\"@x.org" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *l = NULL, *d = NULL, *dom = NULL;

		T_INT(recipient_split(bad[i], "+", &l, &d, &dom), -1, "split refuses a malformed address");
	}
	char big[700];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '@';
	char *l, *d, *dom;
	T_INT(recipient_split(big, "+", &l, &d, &dom), -1, "split refuses an address over 512 bytes");
}

static void test_virtual(void)
{
	char map[1200], cfg[4096], want[1200];
	struct mailbox mb;
	const char *err = NULL;

	snprintf(map, sizeof(map), "%s/vmap", tmp);
	write_file(map,
		   "# virtual mailboxes\n"
		   "\n"
		   "alice@example.com      alice/\n"
		   "Bob@Example.COM        /srv/mail/bob/Maildir/   1234:5678\n"
		   "carol+lists@example.com   lists/carol\n"
		   "   # indented comment\n"
		   "@catch.example         catch/%d/%u/     0:0\n"
		   "alice@example.com      shadowed/\n");
	snprintf(cfg, sizeof(cfg),
		 "user_lookup = virtual\nvirtual_mailbox_map = %s\n"
		 "virtual_base = %s/base\nvirtual_uid = 99:98\nrecipient_delimiter = +-\n",
		 map, tmp);
	struct conf *c = mkconf(cfg);

	T_INT(recipient_lookup(c, "alice@EXAMPLE.com", &mb, &err), RECIPIENT_OK, "virtual: domain case-insensitive");
	snprintf(want, sizeof(want), "%s/base/alice", tmp);
	T_STR(mb.maildir, want, "virtual: relative path against virtual_base, no trailing /");
	T_INT(mb.uid, 99, "virtual: default owner uid from virtual_uid");
	T_INT(mb.gid, 98, "virtual: default owner gid from virtual_uid");
	T_OK(!mb.system, "virtual: not a system user");
	T_STR(mb.address, "alice@EXAMPLE.com", "virtual: address kept as given");
	T_STR(mb.user, "alice@example.com", "virtual: user is the lower-case address");
	recipient_clear(&mb);

	T_INT(recipient_lookup(c, "ALICE+News@example.com", &mb, &err), RECIPIENT_OK, "virtual: delimiter + case");
	T_STR(mb.maildir, want, "virtual: user+tag -> user's mailbox");
	T_STR(mb.detail, "News", "virtual: detail kept");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "alice-x@example.com", &mb, &err), RECIPIENT_OK, "virtual: second delimiter character");
	recipient_clear(&mb);

	T_INT(recipient_lookup(c, "bob@example.com", &mb, &err), RECIPIENT_OK, "virtual: map key case-insensitive");
	T_STR(mb.maildir, "/srv/mail/bob/Maildir", "virtual: absolute path");
	T_INT(mb.uid, 1234, "virtual: owner column uid");
	T_INT(mb.gid, 5678, "virtual: owner column gid");
	recipient_clear(&mb);

	T_INT(recipient_lookup(c, "carol+lists@example.com", &mb, &err), RECIPIENT_OK, "virtual: exact user+ext key first");
	snprintf(want, sizeof(want), "%s/base/lists/carol", tmp);
	T_STR(mb.maildir, want, "virtual: user+ext key path");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "carol+other@example.com", &mb, &err), RECIPIENT_UNKNOWN,
	      "virtual: other extension without user@domain entry is unknown");

	T_INT(recipient_lookup(c, "Zed+x@Catch.Example", &mb, &err), RECIPIENT_OK, "virtual: catch-all @domain");
	snprintf(want, sizeof(want), "%s/base/catch/catch.example/zed", tmp);
	T_STR(mb.maildir, want, "virtual: catch-all expands %d/%u (lower case, no detail)");
	T_INT(mb.uid, 0, "virtual: catch-all owner column");
	T_STR(mb.user, "zed@catch.example", "virtual: catch-all user is the address");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "\"../../etc\"@catch.example", &mb, &err), RECIPIENT_UNKNOWN,
	      "virtual: %u that would escape is refused");
	T_INT(recipient_lookup(c, "\"a/b\"@catch.example", &mb, &err), RECIPIENT_UNKNOWN,
	      "virtual: %u with '/' is refused");
	T_INT(recipient_lookup(c, "dan@example.net", &mb, &err), RECIPIENT_UNKNOWN, "virtual: unknown domain");
	T_INT(recipient_lookup(c, "nobody@example.com", &mb, &err), RECIPIENT_UNKNOWN, "virtual: unknown user");
	T_INT(recipient_lookup(c, "@@", &mb, &err), RECIPIENT_UNKNOWN, "virtual: malformed address is unknown");

	/* a big map: lookups stay correct (sorted, first duplicate wins) */
	{
		FILE *fp = fopen(map, "w");
		for (int i = 0; i < 20000; i++)
			fprintf(fp, "u%d@big.example  big/u%d/\n", i, i);
		fprintf(fp, "u77@big.example  dup/\n");
		fclose(fp);
		struct timespec ts0[2] = { { time(NULL) + 2, 0 }, { time(NULL) + 2, 0 } };
		utimensat(AT_FDCWD, map, ts0, 0);
		int fails = 0;
		for (int i = 0; i < 20000; i += 997) {
			char a[64], w[1300];
			snprintf(a, sizeof(a), "U%d@Big.Example", i);
			snprintf(w, sizeof(w), "%s/base/big/u%d", tmp, i);
			if (recipient_lookup(c, a, &mb, &err) != RECIPIENT_OK || strcmp(mb.maildir, w))
				fails++;
			recipient_clear(&mb);
		}
		T_INT(fails, 0, "virtual: 20000-entry map lookups");
		T_INT(recipient_lookup(c, "u77@big.example", &mb, &err), RECIPIENT_OK, "virtual: duplicate key");
		snprintf(want, sizeof(want), "%s/base/big/u77", tmp);
		T_STR(mb.maildir, want, "virtual: first duplicate line wins");
		recipient_clear(&mb);
		T_INT(recipient_lookup(c, "u20000@big.example", &mb, &err), RECIPIENT_UNKNOWN, "virtual: big map miss");
	}

	/* reload when the file changes (new mtime and size) */
	write_file(map, "dan@example.net  dan/\n");
	struct timespec ts[2] = { { time(NULL) + 5, 0 }, { time(NULL) + 5, 0 } };
	utimensat(AT_FDCWD, map, ts, 0);
	T_INT(recipient_lookup(c, "dan@example.net", &mb, &err), RECIPIENT_OK, "virtual: map reloaded after change");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "alice@example.com", &mb, &err), RECIPIENT_UNKNOWN, "virtual: old entries gone after reload");

	/* broken map: temporary failure, never "unknown user" */
	write_file(map, "dan@example.net  dan/\njust-one-field\n");
	T_INT(recipient_lookup(c, "dan@example.net", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: malformed line -> tempfail");
	T_OK(strstr(err, ":2:") != NULL, "virtual: error names the line (%s)", err);
	write_file(map, "dan@example.net  dan/  not-a-user-xyz\n");
	T_INT(recipient_lookup(c, "dan@example.net", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: bad owner -> tempfail");
	unlink(map);
	T_INT(recipient_lookup(c, "dan@example.net", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: missing map -> tempfail");
	if (geteuid() != 0) {
		write_file(map, "dan@example.net  dan/\n");
		chmod(map, 0);
		T_INT(recipient_lookup(c, "x@example.net", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: unreadable map -> tempfail");
		unlink(map);
	} else
		printf("ok - virtual: unreadable map -> tempfail # SKIP root reads mode 000 files\n");
	conf_free(c);

	/* a map that opens but cannot be read (a directory: EISDIR) */
	snprintf(cfg, sizeof(cfg), "user_lookup = virtual\nvirtual_mailbox_map = %s\n", tmp);
	c = mkconf(cfg);
	T_INT(recipient_lookup(c, "a@b.c", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: read error -> tempfail");
	T_OK(strstr(err, "read") || strstr(err, "directory"), "virtual: read error reason (%s)", err);
	conf_free(c);

	c = mkconf("user_lookup = virtual\nvirtual_mailbox_map = /nonexistent/map\n");
	T_INT(recipient_lookup(c, "a@b.c", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: nonexistent map file -> tempfail");
	conf_free(c);
	write_file(map, "a@b.c  rel/\n");
	snprintf(cfg, sizeof(cfg), "user_lookup = virtual\nvirtual_mailbox_map = %s\n", map);
	c = mkconf(cfg);
	T_INT(recipient_lookup(c, "a@b.c", &mb, &err), RECIPIENT_TEMPFAIL, "virtual: relative path without virtual_base -> tempfail");
	conf_free(c);
}

static void test_system(void)
{
	struct mailbox mb;
	const char *err = NULL;
	struct conf *c = mkconf("user_lookup = system\n");

	/* Debian always has "nobody" (uid 65534, home /nonexistent) */
	T_INT(recipient_lookup(c, "NoBody@localhost", &mb, &err), RECIPIENT_OK, "system: case-folded local part");
	T_STR(mb.maildir, "/nonexistent/Maildir", "system: home/Maildir");
	T_INT(mb.uid, 65534, "system: uid from passwd");
	T_OK(mb.system, "system: flagged system");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "nobody+tag@localhost", &mb, &err), RECIPIENT_OK, "system: default delimiter +");
	T_STR(mb.detail, "tag", "system: detail");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "root@localhost", &mb, &err), RECIPIENT_UNKNOWN, "system: uid 0 is refused");
	T_INT(recipient_lookup(c, "no-such-user-4711@localhost", &mb, &err), RECIPIENT_UNKNOWN, "system: unknown user");
	conf_free(c);

	c = mkconf("user_lookup = system\nlocal_domains = example.org, example.net\nsystem_maildir = mail/box/\n");
	T_INT(recipient_lookup(c, "nobody@localhost", &mb, &err), RECIPIENT_UNKNOWN, "system: domain not in local_domains");
	T_INT(recipient_lookup(c, "nobody@EXAMPLE.net", &mb, &err), RECIPIENT_OK, "system: local_domains case-insensitive");
	T_STR(mb.maildir, "/nonexistent/mail/box", "system: system_maildir relative to home");
	recipient_clear(&mb);
	conf_free(c);

	c = mkconf("user_lookup = frobnicate\n");
	T_INT(recipient_lookup(c, "nobody@localhost", &mb, &err), RECIPIENT_TEMPFAIL, "unknown user_lookup method -> tempfail");
	conf_free(c);
}

static void test_order(void)
{
	char map[1200], cfg[4096];
	struct mailbox mb;
	const char *err = NULL;

	snprintf(map, sizeof(map), "%s/vmap2", tmp);
	write_file(map, "nobody@example.org  /srv/virtual/nobody/\n");
	snprintf(cfg, sizeof(cfg), "user_lookup = virtual system\nvirtual_mailbox_map = %s\n", map);
	struct conf *c = mkconf(cfg);
	T_INT(recipient_lookup(c, "nobody@example.org", &mb, &err), RECIPIENT_OK, "order: virtual first");
	T_STR(mb.maildir, "/srv/virtual/nobody", "order: virtual entry wins");
	recipient_clear(&mb);
	T_INT(recipient_lookup(c, "nobody@example.com", &mb, &err), RECIPIENT_OK, "order: falls through to system");
	T_OK(mb.system, "order: system user found second");
	recipient_clear(&mb);
	conf_free(c);
}

int main(void)
{
	const char *t = getenv("T_TMP");

	snprintf(tmp, sizeof(tmp), "%s", t && *t ? t : "/tmp");
	if (!t || !*t) {
		snprintf(tmp, sizeof(tmp), "/tmp/test_recipient.%d", (int)getpid());
		mkdir(tmp, 0700);
	}
	test_split();
	test_virtual();
	test_system();
	test_order();
	T_DONE();
}
