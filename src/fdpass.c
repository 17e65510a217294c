/* fdpass.c - descriptors over UNIX sockets (fdpass.h). */
#include "fdpass.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "log.h"

int fdpass_sendmsg(int sock, int fd, const void *data, size_t len, int flags)
{
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	ssize_t n;
	while ((n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n >= 0 && (size_t)n != len)
		errno = EMSGSIZE;
	return n >= 0 && (size_t)n == len ? 0 : -1;
}

ssize_t fdpass_recvmsg(int sock, int *fd_r, void *buf, size_t size, int flags)
{
	/* room for more than one: extra descriptors are closed, not leaked */
	union { struct cmsghdr h; char buf[CMSG_SPACE(4 * sizeof(int))]; } u;
	struct iovec iov = { buf, size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	*fd_r = -1;
	ssize_t n = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	int got = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (got++ == 0)
				*fd_r = fd;
			else
				close(fd);
		}
	}
	if (got > 1) {
		close(*fd_r);
		*fd_r = -1;
		errno = EBADMSG;
		return -1;
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		if (*fd_r >= 0)
			close(*fd_r);
		*fd_r = -1;
		errno = EBADMSG;
		return -1;
	}
	return n;
}

int fdpass_send(int sock, int fd, unsigned char byte)
{
	return fdpass_sendmsg(sock, fd, &byte, 1, 0);
}

int fdpass_recv(int sock, unsigned char *byte_r)
{
	int fd;
	ssize_t n = fdpass_recvmsg(sock, &fd, byte_r, 1, 0);
	if (n == 0)
		errno = 0;
	if (n == 1 && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	if (n == 1)
		errno = EBADMSG;
	return -1;
}

int fdpass_accept(int ctl, bool *gone_r)
{
	unsigned char byte;
	int fd = fdpass_recv(ctl, &byte);
	*gone_r = fd < 0 && errno != EINTR && errno != EAGAIN && errno != EBADMSG;
	return fd;
}

pid_t fdpass_spawn(const int *close_fds, size_t n, int *ctl_r, char *err, size_t errlen)
{
	int sv[2];
	*ctl_r = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);	/* no stdio buffer written twice */
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		for (size_t i = 0; i < n; i++)
			if (close_fds[i] >= 0)
				close(close_fds[i]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		*ctl_r = sv[1];
		return 0;
	}
	close(sv[1]);
	*ctl_r = sv[0];
	return pid;
}

int fdpass_attach(int ctl, int bufsize)
{
	if (ctl < 0)
		return -1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (bufsize > 0) {
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
		setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	}
	/* never wait: a helper stuck (a slow store, say) must not stop the
	 * master; that session does without it */
	if (fdpass_sendmsg(ctl, sv[1], "S", 1, MSG_DONTWAIT) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	return sv[0];
}

rlim_t fdpass_raise_nofile(const char *who, rlim_t need)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("%s: getrlimit(RLIMIT_NOFILE): %s", who, strerror(errno));
		return 0;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = { rl.rlim_max, rl.rlim_max };
		int rc = setrlimit(RLIMIT_NOFILE, &up);
		if (rc < 0 && rl.rlim_max == RLIM_INFINITY && need > rl.rlim_cur) {
			/* an unlimited hard limit: the kernel takes at most
			 * fs.nr_open (EPERM above it), so ask for what is needed */
			up.rlim_cur = need;
			rc = setrlimit(RLIMIT_NOFILE, &up);
		}
		if (rc < 0)
			log_warn("%s: cannot raise the open files limit from %llu: %s", who,
				 (unsigned long long)rl.rlim_cur, strerror(errno));
		else
			rl.rlim_cur = up.rlim_cur;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warn("%s: open files limit %llu, below the %llu that lmtp_max_connections "
			 "needs here; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=)", who,
			 (unsigned long long)rl.rlim_cur, (unsigned long long)need);
	return rl.rlim_cur;
}
