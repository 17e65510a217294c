/* test_maildir.c - folder mapping, CRLF->LF byte-exactness, unique names,
 * flags, folder creation + subscriptions, symlink refusal, two-phase. */
#include "conf.h"
#include "maildir.h"
#include "recipient.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];

static void test_folders(void)
{
	static const struct { const char *in, *want; } ok[] = {
		{ NULL, "" }, { "", "" }, { "INBOX", "" }, { "inbox", "" },
		{ "Junk", ".Junk" }, { "a/b", ".a.b" }, { "a.b", ".a.b" },
		{ "a/b.c", ".a.b.c" }, { "INBOX/x", ".INBOX.x" },
		{ "Tom & Jerry", ".Tom &- Jerry" },
		{ "Entw\xc3\xbcrfe", ".Entw&APw-rfe" },
		/* RFC 3501 §5.1.3 example: 台北/日本語 */
		{ "\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", ".&U,BTFw-.&ZeVnLIqe-" },
		{ "\xf0\x9f\x98\x80", ".&2D3eAA-" },	/* U+1F600: surrogate pair */
		{ "a~b", ".a~b" }, { "50%", ".50%" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char out[300], name[128];
		const char *err = NULL;

		snprintf(name, sizeof(name), "folder map %s", ok[i].in ? ok[i].in : "(null)");
		T_INT(maildir_folder_dir(ok[i].in, out, sizeof(out), &err), 0, name);
		T_STR(out, ok[i].want, name);
	}
	char longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	const char *bad[] = { "..", ".", "/etc", "a//b", "a/", ".hidden", "a/../b",
			      "a..b", "x\x01y", "x\x7fy", "tab\there", "~root", "a/~b",
			      "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe6\x97", longname };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[300];
		const char *err = NULL;

		T_INT(maildir_folder_dir(bad[i], out, sizeof(out), &err), -1, "folder refused");
		T_OK(err != NULL && *err, "folder refusal has a reason (%s)", err ? err : "");
	}
}

static void test_envelope(void)
{
	char buf[2100];
	static const struct { const char *sender, *rcpt; int dt; const char *want; } t[] = {
		{ "a@example.org", "Bob+x@Example.COM", 1,
		  "Return-Path: <a@example.org>\r\nDelivered-To: Bob+x@Example.COM\r\n" },
		{ "", "b@x", 1, "Return-Path: <>\r\nDelivered-To: b@x\r\n" },
		{ "<>", "b@x", 0, "Return-Path: <>\r\n" },
		{ "<a@x>", "b@x", 0, "Return-Path: <a@x>\r\n" },
		{ "\"odd one\"@x", "b@x", 0, "Return-Path: <\"odd one\"@x>\r\n" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = maildir_envelope(buf, sizeof(buf), t[i].sender, t[i].rcpt, t[i].dt);

		T_INT(n, (int)strlen(t[i].want), "envelope length");
		T_STR(n >= 0 ? buf : "", t[i].want, "envelope lines");
	}
	T_INT(maildir_envelope(buf, sizeof(buf), "a@x\r\nX-Evil: 1", "b@x", 1), -1,
	      "envelope: CRLF in sender refused");
	T_INT(maildir_envelope(buf, sizeof(buf), "a@x", "b@x\n", 1), -1, "envelope: LF in rcpt refused");
	T_INT(maildir_envelope(buf, 20, "a@example.org", "b@x", 1), -1, "envelope: small buffer refused");
	char big[1100];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_INT(maildir_envelope(buf, sizeof(buf), big, "b@x", 1), -1, "envelope: over 998 refused");
}

static int count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 20);
	size_t n = fp ? fread(buf, 1, 1 << 20, fp) : 0;

	if (fp)
		fclose(fp);
	*len_r = n;
	return buf;
}

static void mkmb(struct mailbox *mb, const char *sub)
{
	static char path[1200];

	snprintf(path, sizeof(path), "%s/%s", tmp, sub);
	memset(mb, 0, sizeof(*mb));
	mb->maildir = path;
}

static void test_crlf(void)
{
	/* CRLF pairs (one split across pieces) become LF; bare CR, bare LF,
	 * NUL, 8-bit bytes, "\r\r\n" and a trailing CR are kept */
	static const char p1[] = "Subject: t\r\nX: a\rb\r";
	static const char p2[] = "\nBody \0nul \xff\xfe\r\r\nbare\nend\r";
	static const char want[] = "Subject: t\nX: a\rb\nBody \0nul \xff\xfe\r\nbare\nend\r";
	struct iovec iov[2] = { { (void *)p1, sizeof(p1) - 1 }, { (void *)p2, sizeof(p2) - 1 } };
	struct maildir_src src = { iov, 2 };
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	mkmb(&mb, "crlf/Maildir");
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "crlf: delivered");
	size_t len;
	char *got = slurp(tx.final_path, &len);
	T_INT(len, sizeof(want) - 1, "crlf: length");
	T_OK(len == sizeof(want) - 1 && !memcmp(got, want, len), "crlf: bytes exact");
	T_INT(tx.size, sizeof(want) - 1, "crlf: tx.size is the LF size");
	char s[64];
	snprintf(s, sizeof(s), ",S=%zu,", sizeof(want) - 1);
	T_OK(strstr(tx.final_name, s) != NULL, "crlf: name has %s (%s)", s, tx.final_name);
	/* virtual size: every LF not preceded by CR counts 2: 3 such LFs
	 * (the "\r\n" left from "\r\r\n" counts as it is) */
	snprintf(s, sizeof(s), ",W=%zu", sizeof(want) - 1 + 3);
	T_OK(strstr(tx.final_name, s) != NULL, "crlf: name has %s (%s)", s, tx.final_name);
	T_OK(strstr(tx.final_path, "/crlf/Maildir/new/") != NULL, "crlf: in new/");
	T_INT(count(strcat(strcpy((char[1300]){ 0 }, mb.maildir), "/tmp")), 0, "crlf: tmp/ empty");
	struct stat st;
	stat(tx.final_path, &st);
	T_INT(st.st_mode & 0777, 0600, "crlf: file mode 0600");
	stat(mb.maildir, &st);
	T_INT(st.st_mode & 0777, 0700, "crlf: created Maildir mode 0700");
	free(got);

	/* the envelope lines as a first piece: prepended, never re-serialized */
	char env[256];
	int elen = maildir_envelope(env, sizeof(env), "s@x.org", "r@y.org", 1);
	struct iovec iov3[3] = { { env, (size_t)elen }, iov[0], iov[1] };
	struct maildir_src src3 = { iov3, 3 };
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src3, &err, &e), 0, "crlf: with envelope delivered");
	got = slurp(tx.final_path, &len);
	static const char ehdr[] = "Return-Path: <s@x.org>\nDelivered-To: r@y.org\n";
	T_OK(len == sizeof(ehdr) - 1 + sizeof(want) - 1 && !memcmp(got, ehdr, sizeof(ehdr) - 1) &&
	     !memcmp(got + sizeof(ehdr) - 1, want, sizeof(want) - 1),
	     "crlf: envelope lines + message byte exact");
	free(got);

	/* empty message and one piece of only CRLFs */
	struct iovec e1 = { (void *)"\r\n\r\n", 4 };
	struct maildir_src s1 = { &e1, 1 };
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &s1, &err, &e), 0, "crlf: CRLF-only delivered");
	got = slurp(tx.final_path, &len);
	T_OK(len == 2 && !memcmp(got, "\n\n", 2), "crlf: CRLF CRLF -> LF LF");
	free(got);
	struct maildir_src s0 = { NULL, 0 };
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &s0, &err, &e), 0, "crlf: empty message delivered");
	T_OK(strstr(tx.final_name, ",S=0,W=0") != NULL, "crlf: empty has S=0");

	/* a large message crosses the writer's buffer many times */
	size_t big = 3 * 65536 + 17;
	char *b = malloc(big);
	for (size_t i = 0; i < big; i++)
		b[i] = (i % 10 == 8) ? '\r' : (i % 10 == 9) ? '\n' : (char)('a' + i % 7);
	struct iovec bi = { b, big };
	struct maildir_src sb = { &bi, 1 };
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &sb, &err, &e), 0, "crlf: large delivered");
	got = slurp(tx.final_path, &len);
	size_t o = 0, ok = 1;
	for (size_t i = 0; i < big; i++) {
		if (b[i] == '\r' && i + 1 < big && b[i + 1] == '\n')
			continue;
		if (o >= len || got[o++] != b[i])
			ok = 0;
	}
	T_OK(ok && o == len, "crlf: large message byte exact (%zu bytes)", len);
	free(got);
	free(b);
}

/* Reference CRLF -> LF, byte by byte, straight from the rule. */
static size_t ref_conv(const unsigned char *in, size_t n, unsigned char *out, size_t *vsize_r)
{
	size_t o = 0, v = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
			continue;	/* the pair's CR goes */
		out[o] = in[i];
		v += (in[i] == '\n' && !(o > 0 && out[o - 1] == '\r')) ? 2 : 1;
		o++;
	}
	*vsize_r = v;
	return o;
}

static void test_crlf_random(void)
{
	static const unsigned char alphabet[] = { '\r', '\n', 'a', '\0', 0xff, '\r', '\n' };
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0, bad = 0, badname = 0;
	unsigned seed = 4711;

	mkmb(&mb, "random");
	for (int round = 0; round < 200; round++) {
		unsigned char in[400], want[400];
		size_t n = (size_t)(rand_r(&seed) % 400), vsize, wlen;
		struct iovec iov[4];
		size_t cuts[5] = { 0 }, np = 1 + (size_t)(rand_r(&seed) % 4);

		for (size_t i = 0; i < n; i++)
			in[i] = alphabet[rand_r(&seed) % sizeof(alphabet)];
		for (size_t k = 1; k < np; k++)
			cuts[k] = n ? (size_t)(rand_r(&seed) % (n + 1)) : 0;
		cuts[np] = n;
		for (size_t k = 1; k < np; k++)	/* sort the cut points */
			for (size_t j = k; j > 1 && cuts[j - 1] > cuts[j]; j--) {
				size_t t = cuts[j];
				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
			}
		for (size_t k = 0; k < np; k++) {
			iov[k].iov_base = in + cuts[k];
			iov[k].iov_len = cuts[k + 1] - cuts[k];
		}
		struct maildir_src src = { iov, np };
		wlen = ref_conv(in, n, want, &vsize);
		if (maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e) < 0) {
			bad++;
			continue;
		}
		size_t len;
		char *got = slurp(tx.final_path, &len);
		if (len != wlen || memcmp(got, want, len))
			bad++;
		char sw[64];
		snprintf(sw, sizeof(sw), ",S=%zu,W=%zu", wlen, vsize);
		if (!strstr(tx.final_name, sw))
			badname++;
		free(got);
		unlink(tx.final_path);
	}
	T_INT(bad, 0, "crlf random: 200 messages in 1-4 pieces match the reference bytes");
	T_INT(badname, 0, "crlf random: ,S= and ,W= match the reference");
}

static void test_unique(void)
{
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0, fails = 0;
	struct iovec iov = { (void *)"x\r\n", 3 };
	struct maildir_src src = { &iov, 1 };
	enum { N = 500, KIDS = 4, PER = 150 };

	mkmb(&mb, "uniq");
	for (int i = 0; i < N; i++)
		if (maildir_deliver(&tx, NULL, &mb, "Many", NULL, &src, &err, &e) < 0)
			fails++;
	T_INT(fails, 0, "unique: 500 deliveries in one process");
	char d[1400];
	snprintf(d, sizeof(d), "%s/.Many/new", mb.maildir);
	T_INT(count(d), N, "unique: 500 distinct files in new/");
	/* several processes at once (same second, different pid) */
	for (int k = 0; k < KIDS; k++)
		if (fork() == 0) {
			int f = 0;

			for (int i = 0; i < PER; i++)
				if (maildir_deliver(&tx, NULL, &mb, "Many", NULL, &src, &err, &e) < 0)
					f++;
			_exit(f ? 1 : 0);
		}
	int bad = 0, st;
	for (int k = 0; k < KIDS; k++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	T_INT(bad, 0, "unique: 4 processes delivered without error");
	T_INT(count(d), N + KIDS * PER, "unique: every file distinct across processes");
	snprintf(d, sizeof(d), "%s/.Many/tmp", mb.maildir);
	T_INT(count(d), 0, "unique: tmp/ empty");
	/* name format: SECS.M<usec>P<pid>Q<n>R<hex>.HOST,S=2,W=3 */
	T_OK(strstr(tx.name, ".M") && strstr(tx.name, "P") && strstr(tx.name, "Q") &&
	     strstr(tx.name, "R") && strstr(tx.name, ",S=2,W=3") && !strchr(tx.name, '/') &&
	     !strchr(tx.name, ':'), "unique: name format %s", tx.name);
}

static void test_hostname_escape(void)
{
	const char *err = NULL;
	struct conf *c = conf_parse_string("hostname = a/b:c,d\nmaildir_fsync = no\n", "t", &err);
	conf_install(c);	/* frees the previous one */
	struct mailbox mb;
	struct maildir_tx tx;
	int e;
	struct iovec iov = { (void *)"x", 1 };
	struct maildir_src src = { &iov, 1 };

	mkmb(&mb, "host");
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "hostname: delivered");
	T_OK(strstr(tx.name, ".a\\057b\\072c\\054d,S=1") != NULL,
	     "hostname: '/' ':' ',' escaped as \\057 \\072 \\054 (%s)", tx.name);
	conf_install(conf_parse_string("maildir_fsync = no\n", "t", &err));
}

static void test_revoke(void)
{
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;
	struct iovec iov = { (void *)"m\r\n", 3 };
	struct maildir_src src = { &iov, 1 };
	char p[1400], from[1800], to[1800];

	mkmb(&mb, "revoke");
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "revoke: delivered");
	snprintf(p, sizeof(p), "%s/new", mb.maildir);
	T_INT(count(p), 1, "revoke: one in new/");
	T_INT(maildir_revoke(&tx), 0, "revoke: taken back from new/");
	T_INT(count(p), 0, "revoke: new/ empty");
	T_INT(maildir_revoke(&tx), -1, "revoke: twice is -1 (nothing there)");

	/* a reader moved it to cur/ with flags before we took it back */
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "revoke: delivered again");
	snprintf(from, sizeof(from), "%s/new/%s", mb.maildir, tx.final_name);
	snprintf(to, sizeof(to), "%s/cur/%s:2,S", mb.maildir, tx.final_name);
	T_INT(rename(from, to), 0, "revoke: moved to cur/ as a reader would");
	T_INT(maildir_revoke(&tx), 0, "revoke: found in cur/ as NAME:2,S");
	snprintf(p, sizeof(p), "%s/cur", mb.maildir);
	T_INT(count(p), 0, "revoke: cur/ empty");

	/* flags given at delivery: committed into cur/ directly */
	T_INT(maildir_deliver(&tx, NULL, &mb, "Archive", "S", &src, &err, &e), 0, "revoke: flagged delivered");
	T_INT(maildir_revoke(&tx), 0, "revoke: flagged taken back from cur/");
	snprintf(p, sizeof(p), "%s/.Archive/cur", mb.maildir);
	T_INT(count(p), 0, "revoke: .Archive/cur/ empty");
}

static void test_flags_folders(void)
{
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;
	struct iovec iov = { (void *)"m\r\n", 3 };
	struct maildir_src src = { &iov, 1 };
	char p[1400];
	struct stat st;

	mkmb(&mb, "flags");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Archive", "SFS", &src, &err, &e), 0, "flags: delivered");
	T_OK(strstr(tx.final_path, "/.Archive/cur/") != NULL, "flags: into cur/");
	T_OK(strlen(tx.final_name) > 5 && !strcmp(tx.final_name + strlen(tx.final_name) - 5, ":2,FS"),
	     "flags: \":2,FS\" sorted, once (%s)", tx.final_name);
	T_INT(maildir_deliver(&tx, NULL, &mb, "Archive", "S1", &src, &err, &e), -1, "flags: non-letter refused");
	T_INT(e, EINVAL, "flags: EINVAL");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Archive", "Sa", &src, &err, &e), -1,
	      "flags: lower-case keyword letter refused");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Archive", "X", &src, &err, &e), -1, "flags: unknown letter refused");
	snprintf(p, sizeof(p), "%s/.Archive/tmp", mb.maildir);
	T_INT(count(p), 0, "flags: refused flags leave nothing in tmp/");

	static const struct { const char *imap, *want; int ignored; } fl[] = {
		{ "\\Seen", "S", 0 },
		{ "\\Flagged \\seen", "FS", 0 },
		{ "  \\Answered\t\\Draft  \\Deleted $Forwarded ", "DPRT", 0 },
		{ "\\Seen $Junk NonJunk \\Seen", "S", 2 },
		{ "", "", 0 }, { NULL, "", 0 },
		{ "\\Recent", "", 1 },
	};
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		char out[16], name[96];

		snprintf(name, sizeof(name), "imap flags \"%s\"", fl[i].imap ? fl[i].imap : "(null)");
		T_INT(maildir_flags_imap(fl[i].imap, out, sizeof(out)), fl[i].ignored, name);
		T_STR(out, fl[i].want, name);
	}

	mkmb(&mb, "folders");
	T_INT(maildir_deliver(&tx, NULL, &mb, "a/b", NULL, &src, &err, &e), 0, "folders: a/b delivered");
	snprintf(p, sizeof(p), "%s/.a.b/maildirfolder", mb.maildir);
	T_INT(stat(p, &st), 0, "folders: maildirfolder created");
	snprintf(p, sizeof(p), "%s/.a.b/cur", mb.maildir);
	T_INT(stat(p, &st), 0, "folders: cur/ created");
	snprintf(p, sizeof(p), "%s/cur", mb.maildir);
	T_INT(stat(p, &st), 0, "folders: root Maildir has cur/ too");
	T_INT(maildir_deliver(&tx, NULL, &mb, "a.b", NULL, &src, &err, &e), 0, "folders: a.b same folder");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Junk", NULL, &src, &err, &e), 0, "folders: Junk delivered");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Entw\xc3\xbcrfe", NULL, &src, &err, &e), 0, "folders: UTF-8 delivered");
	snprintf(p, sizeof(p), "%s/.Entw&APw-rfe/new", mb.maildir);
	T_INT(count(p), 1, "folders: UTF-8 folder in modified UTF-7");
	snprintf(p, sizeof(p), "%s/subscriptions", mb.maildir);
	size_t len;
	char *s = slurp(p, &len);
	s[len] = '\0';
	T_STR(s, "a.b\nJunk\nEntw&APw-rfe\n", "folders: subscriptions once each, in creation order");
	free(s);
	T_INT(maildir_deliver(&tx, NULL, &mb, "../x", NULL, &src, &err, &e), -1, "folders: escape refused");
	T_INT(e, EINVAL, "folders: escape is EINVAL");

	/* Dovecot v2 subscriptions file: levels separated by TAB */
	mkmb(&mb, "subs2");
	mkdir(mb.maildir, 0700);
	snprintf(p, sizeof(p), "%s/subscriptions", mb.maildir);
	FILE *fp = fopen(p, "w");
	fputs("V\t2\n\nold\tone\n", fp);
	fclose(fp);
	T_INT(maildir_deliver(&tx, NULL, &mb, "x/y", NULL, &src, &err, &e), 0, "subs v2: delivered");
	T_INT(maildir_deliver(&tx, NULL, &mb, "old.one", NULL, &src, &err, &e), 0, "subs v2: existing subscribed");
	s = slurp(p, &len);
	s[len] = '\0';
	T_STR(s, "V\t2\n\nold\tone\nx\ty\n", "subs v2: TAB-separated, no duplicate");
	free(s);
}

static void test_subs_concurrent(void)
{
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0, st, bad = 0;
	struct iovec iov = { (void *)"m\r\n", 3 };
	struct maildir_src src = { &iov, 1 };
	char p[1400], name[32];
	enum { KIDS = 4, PER = 10 };

	mkmb(&mb, "subsrace");
	/* a stale lock (older than 30 s) left by a crashed writer is broken */
	mkdir(mb.maildir, 0700);
	snprintf(p, sizeof(p), "%s/subscriptions.lock", mb.maildir);
	fclose(fopen(p, "w"));
	struct timespec old[2] = { { time(NULL) - 60, 0 }, { time(NULL) - 60, 0 } };
	utimensat(AT_FDCWD, p, old, 0);
	fflush(stdout);
	for (int k = 0; k < KIDS; k++)
		if (fork() == 0) {
			for (int i = 0; i < PER; i++) {
				snprintf(name, sizeof(name), "k%d/f%d", k, i);
				if (maildir_deliver(&tx, NULL, &mb, name, NULL, &src, &err, &e) < 0)
					_exit(1);
				/* and one folder that every process creates */
				if (maildir_deliver(&tx, NULL, &mb, "Shared", NULL, &src, &err, &e) < 0)
					_exit(1);
			}
			_exit(0);
		}
	for (int k = 0; k < KIDS; k++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	T_INT(bad, 0, "subs race: 4 processes delivered into new folders");
	snprintf(p, sizeof(p), "%s/subscriptions", mb.maildir);
	size_t len;
	char *s = slurp(p, &len);
	int lines = 0, shared = 0, missing = 0;
	for (size_t i = 0; i < len; i++)
		lines += s[i] == '\n';
	s[len] = '\0';
	for (char *q = s; (q = strstr(q, "Shared\n")); q++)
		shared++;
	for (int k = 0; k < KIDS; k++)
		for (int i = 0; i < PER; i++) {
			snprintf(name, sizeof(name), "k%d.f%d\n", k, i);
			if (!strstr(s, name))
				missing++;
		}
	T_INT(lines, KIDS * PER + 1, "subs race: one line per folder");
	T_INT(shared, 1, "subs race: shared folder subscribed once");
	T_INT(missing, 0, "subs race: no subscription lost");
	snprintf(p, sizeof(p), "%s/subscriptions.lock", mb.maildir);
	T_INT(access(p, F_OK), -1, "subs race: no lock left behind");
	free(s);

	/* subscribing is best effort: a lock held by a live writer (fresh)
	 * makes us give up after 2 s, the message is still delivered */
	mkmb(&mb, "subslocked");
	mkdir(mb.maildir, 0700);
	snprintf(p, sizeof(p), "%s/subscriptions.lock", mb.maildir);
	fclose(fopen(p, "w"));
	T_INT(maildir_deliver(&tx, NULL, &mb, "Locked", NULL, &src, &err, &e), 0,
	      "subs locked: delivery succeeds without the subscription");
	T_INT(access(p, F_OK), 0, "subs locked: the other writer's lock is left alone");
	snprintf(p, sizeof(p), "%s/subscriptions", mb.maildir);
	T_INT(access(p, F_OK), -1, "subs locked: nothing written");

	/* a symlinked subscriptions file is not followed */
	mkmb(&mb, "subslink");
	mkdir(mb.maildir, 0700);
	snprintf(p, sizeof(p), "%s/target", tmp);
	fclose(fopen(p, "w"));
	char l[1400];
	snprintf(l, sizeof(l), "%s/subscriptions", mb.maildir);
	symlink(p, l);
	T_INT(maildir_deliver(&tx, NULL, &mb, "X", NULL, &src, &err, &e), 0, "subs symlink: delivered");
	struct stat sst;
	T_INT(stat(p, &sst) == 0 ? sst.st_size : -1, 0, "subs symlink: target untouched");
}

static void test_symlinks(void)
{
	struct mailbox mb;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;
	struct iovec iov = { (void *)"m\r\n", 3 };
	struct maildir_src src = { &iov, 1 };
	char p[1400], t[1400];

	mkmb(&mb, "sym");
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "symlink: setup");
	snprintf(t, sizeof(t), "%s/elsewhere", tmp);
	mkdir(t, 0700);
	snprintf(p, sizeof(p), "%s/.Evil", mb.maildir);
	symlink(t, p);
	T_INT(maildir_deliver(&tx, NULL, &mb, "Evil", NULL, &src, &err, &e), -1, "symlink: folder symlink refused");
	T_OK(e == ELOOP || e == ENOTDIR, "symlink: errno ELOOP/ENOTDIR (%d: %s)", e, err);
	T_INT(count(t), 0, "symlink: nothing created in the target");

	mkmb(&mb, "sym2");
	snprintf(p, sizeof(p), "%s/sym2", tmp);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sym2/new", tmp);
	symlink(t, p);
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), -1, "symlink: new/ symlink refused");
	T_INT(count(t), 0, "symlink: nothing in new/'s target");
	snprintf(p, sizeof(p), "%s/sym2/tmp", tmp);
	T_OK(count(p) <= 0, "symlink: nothing left in tmp/");

	mkmb(&mb, "sym3");
	snprintf(p, sizeof(p), "%s/sym3/.F", tmp);
	mkdir(mb.maildir, 0700);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sym3/.F/tmp", tmp);
	symlink(t, p);
	T_INT(maildir_deliver(&tx, NULL, &mb, "F", NULL, &src, &err, &e), -1, "symlink: folder tmp/ symlink refused");
	T_INT(count(t), 0, "symlink: nothing in tmp/'s target");

	/* the root itself may be a symlink (configured path, e.g. a home on
	 * another disk) */
	snprintf(p, sizeof(p), "%s/linkroot", tmp);
	symlink(t, p);
	mkmb(&mb, "linkroot");
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "symlink: root symlink followed");
}

static void test_two_phase(void)
{
	struct mailbox mb;
	struct maildir_tx a, b;
	const char *err = NULL;
	int e = 0;
	struct iovec iov = { (void *)"m\r\n", 3 };
	struct maildir_src src = { &iov, 1 };
	char p[1400];

	mkmb(&mb, "phase");
	T_INT(maildir_stage(&a, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "phase: stage a");
	T_INT(maildir_stage(&b, NULL, &mb, NULL, NULL, &src, &err, &e), 0, "phase: stage b");
	snprintf(p, sizeof(p), "%s/tmp", mb.maildir);
	T_INT(count(p), 2, "phase: two files in tmp/");
	snprintf(p, sizeof(p), "%s/new", mb.maildir);
	T_INT(count(p), 0, "phase: nothing in new/ before commit");
	T_INT(maildir_commit(&a, &err, &e), 0, "phase: commit a");
	maildir_abort(&b);
	maildir_abort(&b);	/* twice is harmless */
	T_INT(count(p), 1, "phase: one in new/");
	snprintf(p, sizeof(p), "%s/tmp", mb.maildir);
	T_INT(count(p), 0, "phase: aborted one removed from tmp/");
	T_INT(maildir_commit(&b, &err, &e), -1, "phase: commit after abort fails");

	/* a long path: the reason keeps its tail and fits */
	static char longroot[3100];
	longroot[0] = '/';
	memset(longroot + 1, 'a', sizeof(longroot) - 2);
	struct mailbox lm = { 0 };
	lm.maildir = longroot;
	T_INT(maildir_deliver(&a, NULL, &lm, NULL, NULL, &src, &err, &e), -1, "phase: over-long path fails");
	T_INT(e, ENAMETOOLONG, "phase: ENAMETOOLONG");
	T_OK(err && strlen(err) < sizeof(a.error) && strstr(err, " ...aaa"),
	     "phase: reason truncated in the middle (%zu bytes)", err ? strlen(err) : 0);

	struct mailbox rel = { 0 };
	rel.maildir = "relative/Maildir";
	T_INT(maildir_deliver(&a, NULL, &rel, NULL, NULL, &src, &err, &e), -1, "phase: relative root refused");
}

/* maildir_retarget: a copy staged before its folder was known (Sieve still
 * running) goes where the plan says, by rename, with the same bytes */
static void test_retarget(void)
{
	struct mailbox mb;
	struct maildir_tx a, b, c;
	struct maildir_dirs dirs;
	const char *err = NULL;
	int e = 0;
	struct iovec iov = { (void *)"Subject: r\r\n\r\nbody\r\n", 20 };
	struct maildir_src src = { &iov, 1 };
	char p[1400];
	size_t n;

	mkmb(&mb, "retarget");
	maildir_dirs_init(&dirs);
	T_INT(maildir_stage(&a, &dirs, &mb, "INBOX", NULL, &src, &err, &e), 0, "retarget: stage in INBOX");
	T_INT(maildir_retarget(&a, "Work/Sub", NULL, &err, &e), 0, "retarget: to a folder not made yet");
	snprintf(p, sizeof(p), "%s/tmp", mb.maildir);
	T_INT(count(p), 0, "retarget: the file left INBOX's tmp/");
	snprintf(p, sizeof(p), "%s/.Work.Sub/tmp", mb.maildir);
	T_INT(count(p), 1, "retarget: and is in the folder's tmp/");
	T_INT(maildir_commit(&a, &err, &e), 0, "retarget: commit");
	snprintf(p, sizeof(p), "%s/.Work.Sub/new", mb.maildir);
	T_INT(count(p), 1, "retarget: in the folder's new/");
	snprintf(p, sizeof(p), "%s/.Work.Sub/maildirfolder", mb.maildir);
	T_OK(access(p, F_OK) == 0, "retarget: the folder was made as stage makes it");
	char *data = slurp(a.final_path, &n);
	T_OK(n == 17 && !memcmp(data, "Subject: r\n\nbody\n", 17), "retarget: same bytes (%zu)", n);
	free(data);

	/* the same folder, flags now: cur/ with :2,S */
	T_INT(maildir_stage(&b, &dirs, &mb, "INBOX", NULL, &src, &err, &e), 0, "retarget: stage b");
	T_INT(maildir_retarget(&b, "INBOX", "S", &err, &e), 0, "retarget: flags only");
	T_INT(maildir_commit(&b, &err, &e), 0, "retarget: commit b");
	T_OK(strstr(b.final_path, "/cur/") && strstr(b.final_path, ":2,S"), "retarget: into cur/ with :2,S (%s)",
	     b.final_path);
	snprintf(p, sizeof(p), "%s/cur", mb.maildir);
	T_INT(count(p), 1, "retarget: one in cur/");

	/* refused folder or flags: still staged where it was */
	T_INT(maildir_stage(&c, &dirs, &mb, "INBOX", NULL, &src, &err, &e), 0, "retarget: stage c");
	T_INT(maildir_retarget(&c, "../x", NULL, &err, &e), -1, "retarget: a bad folder is refused");
	T_INT(maildir_retarget(&c, "INBOX", "S!", &err, &e), -1, "retarget: bad flags are refused");
	T_INT(c.staged, 1, "retarget: still staged after a refusal");
	/* a folder that cannot be made (a file where its directory goes) */
	snprintf(p, sizeof(p), "%s/.Blocked", mb.maildir);
	int bfd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_OK(bfd >= 0, "retarget: a file at %s", p);
	if (bfd >= 0)
		close(bfd);
	T_INT(maildir_retarget(&c, "Blocked", NULL, &err, &e), -1,
	      "retarget: a folder that cannot be made is refused");
	T_OK(err && strstr(err, ".Blocked"), "retarget: the error names it (%s)", err ? err : "-");
	T_INT(c.staged, 1, "retarget: still staged after that");
	snprintf(p, sizeof(p), "%s/tmp", mb.maildir);
	T_INT(count(p), 1, "retarget: still in INBOX's tmp/");
	maildir_abort(&c);
	T_INT(count(p), 0, "retarget: abort removes it");
	T_INT(maildir_retarget(&c, "INBOX", NULL, &err, &e), -1, "retarget: nothing staged");
	maildir_dirs_clear(&dirs);
}

int main(void)
{
	const char *t = getenv("T_TMP");
	const char *err = NULL;

	if (t && *t)
		snprintf(tmp, sizeof(tmp), "%s", t);
	else {
		snprintf(tmp, sizeof(tmp), "/tmp/test_maildir.%d", (int)getpid());
		mkdir(tmp, 0700);
	}
	test_folders();
	test_envelope();
	test_crlf();	/* with fsync (no global conf: defaults) */
	struct conf *c = conf_parse_string("maildir_fsync = no\n", "t", &err);
	conf_install(c);	/* speed: the many-delivery tests skip fsync */
	test_crlf_random();
	test_unique();
	test_hostname_escape();
	test_flags_folders();
	test_revoke();
	test_subs_concurrent();
	test_symlinks();
	test_two_phase();
	test_retarget();
	conf_shutdown();
	T_DONE();
}
