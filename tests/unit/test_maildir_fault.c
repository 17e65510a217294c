/* test_maildir_fault.c - make delivery fail for real and check the
 * contract: -1, the right errno, a reason, nothing left in tmp/ or new/.
 *
 *   ENOSPC  a 64 KiB tmpfs filled by the message (needs mount(2): root
 *           with CAP_SYS_ADMIN; skipped otherwise)
 *   EROFS   a read-only bind mount of an existing Maildir (same)
 *   EACCES  a Maildir the delivering uid cannot write (as root: a forked
 *           child that setuid()s to nobody, since root ignores mode bits)
 *   ENOENT  new/ removed between stage and commit
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[1024];

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
	T_INT(maildir_deliver(&tx, &mb, NULL, NULL, &src, &err, &e), -1, "enospc: delivery fails");
	T_INT(e, ENOSPC, "enospc: errno ENOSPC");
	T_OK(err && !strncmp(err, "write ", 6) && strstr(err, "/full/tmp/"), "enospc: reason names the write in tmp/ (%s)", err ? err : "");
	T_INT(count(dir, "tmp"), 0, "enospc: nothing left in tmp/");
	T_INT(count(dir, "new"), 0, "enospc: nothing in new/");
	/* the space came back with the removed file */
	T_INT(maildir_deliver(&tx, &mb, NULL, NULL, &small, &err, &e), 0, "enospc: small message fits afterwards");
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
	if (maildir_deliver(&tx, &mb, NULL, NULL, &small, &err, &e) < 0) {
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
	T_INT(maildir_deliver(&tx, &mb, NULL, NULL, &small, &err, &e), -1, "erofs: delivery fails");
	T_INT(e, EROFS, "erofs: errno EROFS");
	T_INT(maildir_deliver(&tx, &mb, "Junk", NULL, &small, &err, &e), -1, "erofs: folder creation fails");
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
	T_INT(maildir_deliver(&tx, &mb, NULL, NULL, &small, &err, &e), -1, "eacces: delivery fails");
	T_INT(e, EACCES, "eacces: errno EACCES");
	T_OK(err && strstr(err, "/noperm/tmp") != NULL, "eacces: reason names tmp/ (%s)", err ? err : "");
	T_INT(maildir_deliver(&tx, &mb, "Junk", NULL, &small, &err, &e), -1, "eacces: folder creation fails");
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
	if (maildir_deliver(&tx, &mb, NULL, NULL, &small, &err, &e) < 0) {
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
	T_INT(maildir_stage(&tx, &mb, NULL, NULL, &small, &err, &e), 0, "commit fault: staged");
	T_INT(count(dir, "tmp"), 1, "commit fault: one file in tmp/");
	snprintf(p, sizeof(p), "%s/new", dir);
	rmdir(p);
	T_INT(maildir_commit(&tx, &err, &e), -1, "commit fault: commit fails without new/");
	T_INT(e, ENOENT, "commit fault: errno ENOENT");
	T_INT(count(dir, "tmp"), 0, "commit fault: tmp/ cleaned");
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
	T_DONE();
}
