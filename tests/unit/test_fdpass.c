/* test_fdpass.c - descriptors with data over UNIX sockets (fdpass.h):
 * a message with one descriptor, without one, with two (refused, none
 * leaked), EOF, and the one-byte forms the master and helpers use. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdpass.h"
#include "t.h"

static int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* two descriptors in one message (no helper of ours sends that) */
static int send_two(int sock, int a, int b)
{
	union { struct cmsghdr h; char buf[CMSG_SPACE(2 * sizeof(int))]; } u;
	memset(&u, 0, sizeof(u));
	char byte = 'X';
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	int fds[2] = { a, b };
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

int main(void)
{
	int sv[2], p[2];
	T_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair");
	T_OK(pipe(p) == 0, "pipe");
	int base = open_fds();

	/* data and a descriptor: the same pipe arrives */
	unsigned char m[21] = { 'R', 1, 2, 3 };
	T_INT(fdpass_sendmsg(sv[0], p[1], m, sizeof(m), MSG_DONTWAIT), 0, "sendmsg with a descriptor");
	unsigned char got[32];
	int fd = -2;
	T_INT(fdpass_recvmsg(sv[1], &fd, got, sizeof(got), 0), 21, "recvmsg: all 21 bytes");
	T_OK(fd >= 0 && !memcmp(got, m, sizeof(m)), "recvmsg: the data and a descriptor");
	T_OK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "the received descriptor is close-on-exec");
	if (fd >= 0) {
		struct stat a, b;
		fstat(fd, &a);
		fstat(p[1], &b);
		T_OK(a.st_ino == b.st_ino, "the received descriptor is the pipe sent");
		close(fd);
	}

	/* data only */
	T_INT(fdpass_sendmsg(sv[0], -1, "K1234", 5, 0), 0, "sendmsg without a descriptor");
	T_INT(fdpass_recvmsg(sv[1], &fd, got, sizeof(got), 0), 5, "recvmsg: 5 bytes");
	T_INT(fd, -1, "recvmsg: no descriptor came, *fd_r is -1");

	/* two descriptors: refused, both closed */
	T_INT(send_two(sv[0], p[0], p[1]), 0, "a message with two descriptors sent");
	errno = 0;
	T_INT(fdpass_recvmsg(sv[1], &fd, got, sizeof(got), 0), -1, "two descriptors: refused");
	T_INT(errno, EBADMSG, "two descriptors: EBADMSG");
	T_INT(fd, -1, "two descriptors: none handed out");
	T_INT(open_fds(), base, "two descriptors: none leaked");

	/* one-byte forms */
	T_INT(fdpass_send(sv[0], p[0], 'S'), 0, "fdpass_send");
	unsigned char b = 0;
	fd = fdpass_recv(sv[1], &b);
	T_OK(fd >= 0 && b == 'S', "fdpass_recv: the byte and a descriptor");
	if (fd >= 0)
		close(fd);
	T_INT(fdpass_sendmsg(sv[0], -1, "N", 1, 0), 0, "a byte without a descriptor");
	errno = 0;
	T_INT(fdpass_recv(sv[1], &b), -1, "fdpass_recv without a descriptor: -1");
	T_INT(errno, EBADMSG, "fdpass_recv without a descriptor: EBADMSG");
	T_INT(open_fds(), base, "nothing leaked by the one-byte forms");

	/* EOF */
	close(sv[0]);
	T_INT(fdpass_recvmsg(sv[1], &fd, got, sizeof(got), 0), 0, "EOF: 0");
	errno = 1;
	T_INT(fdpass_recv(sv[1], &b), -1, "fdpass_recv at EOF: -1");
	T_INT(errno, 0, "fdpass_recv at EOF: errno 0");
	/* the peer gone: a send is an error, never SIGPIPE */
	int sv2[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv2);
	close(sv2[1]);
	T_INT(fdpass_sendmsg(sv2[0], -1, "x", 1, 0), -1, "send to a closed peer: -1, no SIGPIPE");
	close(sv2[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);

	/* a helper's open files limit: soft raised to hard, never above */
	struct rlimit was, rl;
	getrlimit(RLIMIT_NOFILE, &was);
	rlim_t hard = was.rlim_max == RLIM_INFINITY || was.rlim_max > 4096 ? 4096 : was.rlim_max;
	if (hard >= 128 && setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 64, hard }) == 0) {
		T_INT((long)fdpass_raise_nofile("test", 100), (long)hard, "nofile: soft raised to hard");
		getrlimit(RLIMIT_NOFILE, &rl);
		T_INT((long)rl.rlim_cur, (long)hard, "nofile: getrlimit says so");
		T_INT((long)rl.rlim_max, (long)hard, "nofile: hard unchanged");
		/* more needed than the hard limit: the hard limit, and a warning */
		T_INT((long)fdpass_raise_nofile("test", hard + 1000), (long)hard,
		      "nofile: need above hard: hard, not more");
		setrlimit(RLIMIT_NOFILE, &was);	/* back (root may raise hard again) */
	} else
		T_OK(0, "nofile: cannot set a soft limit of 64 (hard %ld)", (long)was.rlim_max);
	T_DONE();
}
