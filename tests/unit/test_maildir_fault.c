/* test_maildir_fault.c - make delivery fail for real and check the
 * contract: -1, the right errno, a reason, nothing left in tmp/ or new/.
 *
 *   ENOSPC  a 64 KiB tmpfs filled by the message (needs mount(2): root
 *           with CAP_SYS_ADMIN; skipped otherwise)
 *   EROFS   a read-only bind mount of an existing Maildir (same)
 *   EACCES  a Maildir the delivering uid cannot write (as root: a forked
 *           child that setuid()s to nobody, since root ignores mode bits)
 *   ENOENT  new/ removed between stage and commit
 *
 * And, by replacing renameat2(), linkat() and fsync() in this program
 * (the library is linked in statically, so its calls come here; the real
 * ones are the raw system calls):
 *   a filesystem without RENAME_NOREPLACE (EINVAL, ENOSYS): link()+unlink()
 *   a name already taken in new/: a new name, the other file untouched
 *   a transaction's cached tmp/ descriptor of a folder removed by hand:
 *           the folder is made again and the delivery retried once
 *   more folders than the set holds: the oldest's descriptors closed,
 *           its commit walks the path; no descriptor left after clear
 *   ENOSPC at the file's or the directory's fsync: -1, nothing left
 *   the tmp/ sweep: at a folder's first delivery in a process, not at
 *           the next ones (at most every 10 minutes)
 */
#include "maildir.h"
#include "recipient.h"
#include "t.h"

#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];

/* Faults: 0 is the real call. */
static int fault_rename, fault_link, fault_fsync_file, fault_fsync_dir;
static int n_rename, n_link;

int renameat2(int a, const char *b, int c, const char *d, unsigned int f)
{
	n_rename++;
	if (fault_rename) {
		errno = fault_rename;
		return -1;
	}
	return (int)syscall(SYS_renameat2, a, b, c, d, f);
}

int linkat(int a, const char *b, int c, const char *d, int f)
{
	n_link++;
	if (fault_link) {
		errno = fault_link;
		return -1;
	}
	return (int)syscall(SYS_linkat, a, b, c, d, f);
}

int fsync(int fd)
{
	struct stat st;
	int f = fstat(fd, &st) < 0 ? 0 : S_ISDIR(st.st_mode) ? fault_fsync_dir : fault_fsync_file;

	if (f) {
		errno = f;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void rm_rf(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* not opendir's own */
}

static int is_dir(const char *root, const char *sub)
{
	char p[1400];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, sub);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int count(const char *root, const char *sub)
{
	char p[1400];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", root, sub);
	if (!(d = opendir(p)))
		return 0;	/* a directory that is not there holds nothing */
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static struct iovec small_iov = { (void *)"Subject: x\r\n\r\nbody\r\n", 20 };
static struct maildir_src small = { &small_iov, 1 };

static void test_enospc(void)
{
	char dir[1100];
	struct mailbox mb = { 0 };
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/full", tmp);
	mkdir(dir, 0700);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700") < 0) {
		printf("ok - enospc: full filesystem # SKIP cannot mount a tmpfs here: %s\n",
		       strerror(errno));
		return;
	}
	mb.maildir = dir;
	size_t big = 256 * 1024;
	char *b = malloc(big);
	memset(b, 'a', big);
	for (size_t i = 78; i < big; i += 80) {
		b[i] = '\r';
		b[i + 1] = '\n';
	}
	struct iovec iov = { b, big };
	struct maildir_src src = { &iov, 1 };
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &src, &err, &e), -1, "enospc: delivery fails");
	T_INT(e, ENOSPC, "enospc: errno ENOSPC");
	T_OK(err && !strncmp(err, "write ", 6) && strstr(err, "/full/tmp/"), "enospc: reason names the write in tmp/ (%s)", err ? err : "");
	T_INT(count(dir, "tmp"), 0, "enospc: nothing left in tmp/");
	T_INT(count(dir, "new"), 0, "enospc: nothing in new/");
	/* the space came back with the removed file */
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e), 0, "enospc: small message fits afterwards");
	T_INT(count(dir, "new"), 1, "enospc: exactly that one in new/");
	/* a folder that cannot be created either */
	free(b);
	umount2(dir, MNT_DETACH);
}

static void test_erofs(void)
{
	char dir[1100];
	struct mailbox mb = { 0 };
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/ro", tmp);
	mb.maildir = dir;
	if (maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e) < 0) {
		printf("not ok - erofs: setup delivery: %s\n", err);
		t_failed++;
		return;
	}
	if (mount(dir, dir, NULL, MS_BIND, NULL) < 0) {
		printf("ok - erofs: read-only Maildir # SKIP cannot bind-mount here: %s\n",
		       strerror(errno));
		return;
	}
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		printf("ok - erofs: read-only Maildir # SKIP cannot remount read-only: %s\n",
		       strerror(errno));
		umount2(dir, MNT_DETACH);
		return;
	}
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e), -1, "erofs: delivery fails");
	T_INT(e, EROFS, "erofs: errno EROFS");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Junk", NULL, &small, &err, &e), -1, "erofs: folder creation fails");
	T_INT(e, EROFS, "erofs: folder errno EROFS");
	T_INT(count(dir, "tmp"), 0, "erofs: nothing in tmp/");
	T_INT(count(dir, "new"), 1, "erofs: only the earlier message in new/");
	umount2(dir, MNT_DETACH);
}

static void eacces_check(const char *dir)
{
	struct mailbox mb = { 0 };
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	mb.maildir = (char *)dir;
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e), -1, "eacces: delivery fails");
	T_INT(e, EACCES, "eacces: errno EACCES");
	T_OK(err && strstr(err, "/noperm/tmp") != NULL, "eacces: reason names tmp/ (%s)", err ? err : "");
	T_INT(maildir_deliver(&tx, NULL, &mb, "Junk", NULL, &small, &err, &e), -1, "eacces: folder creation fails");
	T_INT(e, EACCES, "eacces: folder errno EACCES");
}

static void test_eacces(void)
{
	char dir[1100], p[1200];
	struct mailbox mb = { 0 };
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/noperm", tmp);
	mb.maildir = dir;
	if (maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e) < 0) {
		printf("not ok - eacces: setup delivery: %s\n", err);
		t_failed++;
		return;
	}
	snprintf(p, sizeof(p), "%s/tmp", dir);
	if (geteuid() != 0) {
		chmod(p, 0500);
		chmod(dir, 0500);
		eacces_check(dir);
		chmod(p, 0700);
		chmod(dir, 0700);
	} else {
		/* root ignores mode bits: deliver as nobody, as the LMTP
		 * server does after switching to the mailbox owner */
		chmod(tmp, 0711);
		static const char *const sub[] = { "", "/tmp", "/new", "/cur" };
		for (int i = 0; i < 4; i++) {
			snprintf(p, sizeof(p), "%s%s", dir, sub[i]);
			chmod(p, 0755);
		}
		fflush(stdout);
		pid_t pid = fork();

		if (pid == 0) {
			if (setgid(65534) < 0 || setuid(65534) < 0) {
				printf("not ok - eacces: setuid nobody: %s\n", strerror(errno));
				_exit(1);
			}
			eacces_check(dir);
			fflush(stdout);
			_exit(t_failed ? 1 : 0);
		}
		int st;
		T_OK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		     "eacces: child as nobody passed");
		chmod(tmp, 0700);
	}
	T_INT(count(dir, "tmp"), 0, "eacces: nothing in tmp/");
	T_INT(count(dir, "new"), 1, "eacces: only the earlier message in new/");
	T_INT(count(dir, ".Junk/new"), 0, "eacces: no folder message");
}

static void test_commit_fault(void)
{
	char dir[1100], p[1200];
	struct mailbox mb = { 0 };
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/vanish", tmp);
	mb.maildir = dir;
	T_INT(maildir_stage(&tx, NULL, &mb, NULL, NULL, &small, &err, &e), 0, "commit fault: staged");
	T_INT(count(dir, "tmp"), 1, "commit fault: one file in tmp/");
	snprintf(p, sizeof(p), "%s/new", dir);
	rmdir(p);
	T_INT(maildir_commit(&tx, &err, &e), -1, "commit fault: commit fails without new/");
	T_INT(e, ENOENT, "commit fault: errno ENOENT");
	T_INT(count(dir, "tmp"), 0, "commit fault: tmp/ cleaned");
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_rename(void)
{
	char dir[1100], p[1600], first[400];
	struct mailbox mb = { 0 };
	struct maildir_dirs dirs;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/rename", tmp);
	mb.maildir = dir;
	maildir_dirs_init(&dirs);
	n_rename = n_link = 0;
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "rename: delivered");
	T_OK(n_rename == 1 && n_link == 0, "rename: one renameat2, no link (%d, %d)", n_rename, n_link);

	/* a name taken in new/ (another writer, a restored backup) */
	T_INT(maildir_stage(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "rename: staged");
	snprintf(first, sizeof(first), "%s", tx.final_name);
	snprintf(p, sizeof(p), "%s/new/%s", dir, first);
	write_file(p, "theirs\n");
	T_INT(maildir_commit(&tx, &err, &e), 0, "rename: commit with the name taken succeeds");
	T_OK(strcmp(tx.final_name, first) != 0, "rename: under a new name (%s)", tx.final_name);
	T_OK(strstr(tx.final_name, ",S=17,W=20") != NULL, "rename: the new name keeps ,S= and ,W= (%s)", tx.final_name);
	T_INT(count(dir, "new"), 3, "rename: new/ has ours, theirs and the first");
	FILE *f = fopen(p, "r");
	char got[32] = "";
	if (f) {
		if (!fgets(got, sizeof(got), f))
			got[0] = '\0';
		fclose(f);
	}
	T_STR(got, "theirs\n", "rename: the other file untouched");
	T_INT(count(dir, "tmp"), 0, "rename: tmp/ empty");

	/* no RENAME_NOREPLACE on this filesystem: link() + unlink() */
	static const int nosup[] = { EINVAL, ENOSYS };
	for (int i = 0; i < 2; i++) {
		fault_rename = nosup[i];
		n_link = 0;
		T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0,
		      "rename fallback: delivered by link");
		T_INT(n_link, 1, "rename fallback: one link");
	}
	T_INT(count(dir, "new"), 5, "rename fallback: both in new/");
	T_INT(count(dir, "tmp"), 0, "rename fallback: tmp/ empty after the unlink");
	/* the fallback keeps the no-overwrite rule: a taken name, a new one */
	T_INT(maildir_stage(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "rename fallback: staged");
	snprintf(first, sizeof(first), "%s", tx.final_name);
	snprintf(p, sizeof(p), "%s/new/%s", dir, first);
	write_file(p, "theirs\n");
	T_INT(maildir_commit(&tx, &err, &e), 0, "rename fallback: name taken, commit succeeds");
	T_OK(strcmp(tx.final_name, first) != 0, "rename fallback: under a new name");
	T_INT(count(dir, "new"), 7, "rename fallback: theirs kept next to ours");
	/* neither RENAME_NOREPLACE nor hard links: refuse rather than risk
	 * replacing a file */
	fault_link = EPERM;
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), -1,
	      "rename fallback: no link either, the delivery fails");
	T_INT(e, EPERM, "rename fallback: errno EPERM");
	T_OK(err && !strncmp(err, "link into ", 10), "rename fallback: reason names the link (%s)", err ? err : "");
	fault_link = 0;
	fault_rename = EIO;
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), -1, "rename: EIO fails");
	T_OK(err && !strncmp(err, "rename into ", 12), "rename: reason names the rename (%s)", err ? err : "");
	fault_rename = 0;
	T_INT(count(dir, "new"), 7, "rename: nothing more in new/ after the failures");
	T_INT(count(dir, "tmp"), 0, "rename: nothing left in tmp/ after the failures");
	maildir_dirs_clear(&dirs);
}

static void test_stale_dirs(void)
{
	char dir[1100], p[1300];
	struct mailbox mb = { 0 };
	struct maildir_dirs dirs;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0, fds = open_fds();

	snprintf(dir, sizeof(dir), "%s/stale", tmp);
	mb.maildir = dir;
	maildir_dirs_init(&dirs);
	T_INT(maildir_deliver(&tx, &dirs, &mb, "Junk", NULL, &small, &err, &e), 0, "stale: into Junk");
	snprintf(p, sizeof(p), "%s/.Junk", dir);
	rm_rf(p);	/* by hand, while the transaction holds its descriptors */
	T_INT(maildir_deliver(&tx, &dirs, &mb, "Junk", NULL, &small, &err, &e), 0,
	      "stale: a removed folder is made again (cached descriptor)");
	T_INT(count(dir, ".Junk/new"), 1, "stale: the message is in the new folder");
	T_OK(is_dir(dir, ".Junk/cur") && is_dir(dir, ".Junk/tmp"), "stale: with cur/ and tmp/");
	T_INT(count(dir, ".Junk"), 4, "stale: and maildirfolder");
	maildir_dirs_clear(&dirs);
	/* removed between two messages: this process checked the folder a
	 * moment ago, so it opens it directly, finds it gone, walks */
	rm_rf(p);
	T_INT(maildir_deliver(&tx, NULL, &mb, "Junk", NULL, &small, &err, &e), 0,
	      "stale: removed between messages, made again");
	T_INT(count(dir, ".Junk/new"), 1, "stale: in new/ of the new folder");
	T_OK(is_dir(dir, ".Junk/cur"), "stale: cur/ made too");
	/* only tmp/ of INBOX removed, with a cached descriptor */
	maildir_dirs_init(&dirs);
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "stale: INBOX");
	snprintf(p, sizeof(p), "%s/tmp", dir);
	T_INT(rmdir(p), 0, "stale: tmp/ removed");
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "stale: tmp/ made again");
	T_INT(count(dir, "new"), 2, "stale: both in new/");
	/* new/ removed between stage and commit: no retry can make that
	 * delivery right (commit creates nothing): 4xx, nothing left */
	T_INT(maildir_stage(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "stale: staged");
	snprintf(p, sizeof(p), "%s/new", dir);
	rm_rf(p);
	T_INT(maildir_commit(&tx, &err, &e), -1, "stale: commit into a removed new/ fails");
	T_INT(e, ENOENT, "stale: errno ENOENT");
	T_INT(count(dir, "tmp"), 0, "stale: tmp/ cleaned");
	maildir_dirs_clear(&dirs);
	T_INT(open_fds(), fds, "stale: no descriptor left after clear");
}

static void test_dirs_many(void)
{
	char dir[1100], f[32], p[1200];
	struct mailbox mb = { 0 };
	struct maildir_dirs dirs;
	struct maildir_tx tx[MAILDIR_DIRS_MAX + 4];
	const char *err = NULL;
	int e = 0, ok = 1, fds = open_fds(), peak;
	size_t n = sizeof(tx) / sizeof(tx[0]);

	snprintf(dir, sizeof(dir), "%s/many", tmp);
	mb.maildir = dir;
	maildir_dirs_init(&dirs);
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "F%zu", i);
		ok &= maildir_stage(&tx[i], &dirs, &mb, f, NULL, &small, &err, &e) == 0;
	}
	T_OK(ok, "many: %zu folders staged", n);
	peak = open_fds();
	T_OK(peak - fds <= 2 * MAILDIR_DIRS_MAX, "many: at most 2 descriptors per kept folder (%d)", peak - fds);
	for (size_t i = 0; i < n; i++)
		ok &= maildir_commit(&tx[i], &err, &e) == 0;
	T_OK(ok, "many: all committed (the oldest by walking the path again)");
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), ".F%zu/new", i);
		ok &= count(dir, p) == 1;
	}
	T_OK(ok, "many: one message in each folder");
	maildir_dirs_clear(&dirs);
	T_INT(open_fds(), fds, "many: no descriptor left after clear");
}

static void test_fsync_enospc(void)
{
	char dir[1100];
	struct mailbox mb = { 0 };
	struct maildir_dirs dirs;
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/fsync", tmp);
	mb.maildir = dir;
	maildir_dirs_init(&dirs);
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), 0, "fsync: setup");
	fault_fsync_file = ENOSPC;
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), -1, "fsync: file fsync ENOSPC fails");
	T_INT(e, ENOSPC, "fsync: errno ENOSPC (452 4.3.1)");
	T_OK(err && !strncmp(err, "fsync ", 6), "fsync: reason names the fsync (%s)", err ? err : "");
	fault_fsync_file = 0;
	fault_fsync_dir = ENOSPC;
	T_INT(maildir_deliver(&tx, &dirs, &mb, NULL, NULL, &small, &err, &e), -1, "fsync: directory fsync ENOSPC fails");
	T_INT(e, ENOSPC, "fsync: directory errno ENOSPC");
	T_OK(err && !strncmp(err, "fsync directory of ", 19), "fsync: reason names the directory (%s)", err ? err : "");
	fault_fsync_dir = 0;
	T_INT(count(dir, "tmp"), 0, "fsync: nothing left in tmp/");
	T_INT(count(dir, "new"), 1, "fsync: only the first message in new/ (the other taken back)");
	maildir_dirs_clear(&dirs);
}

static void test_sweep_rate(void)
{
	char dir[1100], p[1300];
	struct mailbox mb = { 0 };
	struct maildir_tx tx;
	const char *err = NULL;
	int e = 0;
	struct timespec old[2] = { { time(NULL) - 37 * 3600, 0 }, { time(NULL) - 37 * 3600, 0 } };

	snprintf(dir, sizeof(dir), "%s/sweep", tmp);
	mkdir(dir, 0700);
	static const char *const sub[] = { "tmp", "new", "cur" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		mkdir(p, 0700);
	}
	snprintf(p, sizeof(p), "%s/tmp/killed.1", dir);
	write_file(p, "x");
	utimensat(AT_FDCWD, p, old, 0);
	mb.maildir = dir;
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e), 0, "sweep: first delivery");
	T_INT(count(dir, "tmp"), 0, "sweep: the process's first delivery removed the stale file");
	snprintf(p, sizeof(p), "%s/tmp/killed.2", dir);
	write_file(p, "x");
	utimensat(AT_FDCWD, p, old, 0);
	T_INT(maildir_deliver(&tx, NULL, &mb, NULL, NULL, &small, &err, &e), 0, "sweep: second delivery");
	T_INT(count(dir, "tmp"), 1, "sweep: not swept again within 10 minutes");
}

int main(void)
{
	const char *t = getenv("T_TMP");

	if (t && *t)
		snprintf(tmp, sizeof(tmp), "%s", t);
	else {
		snprintf(tmp, sizeof(tmp), "/tmp/test_maildir_fault.%d", (int)getpid());
		mkdir(tmp, 0700);
	}
	/* mounts in a private namespace vanish with this process, even if it
	 * dies half-way (where allowed; otherwise mount() fails and skips) */
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	test_enospc();
	test_erofs();
	test_eacces();
	test_commit_fault();
	test_rename();
	test_stale_dirs();
	test_dirs_many();
	test_fsync_enospc();
	test_sweep_rate();
	T_DONE();
}
