/* fdpass.h - hand a descriptor to another process over a UNIX socket
 * (SCM_RIGHTS), with one byte of data beside it.
 *
 * The master gives accepted connections to session processes this way,
 * and new session sockets to its helper processes (the shared resolver,
 * the Sieve worker pool), which it starts with fdpass_spawn().
 */
#ifndef AUTHDELIVER_FDPASS_H
#define AUTHDELIVER_FDPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* One message of len bytes with descriptor fd beside it (fd -1: none);
 * flags as for send() (MSG_NOSIGNAL is always added).  0, or -1 with
 * errno (EINTR is retried; a short send is EMSGSIZE). */
int fdpass_sendmsg(int sock, int fd, const void *data, size_t len, int flags);
/* One message into buf: its length (0 at EOF), with *fd_r the descriptor
 * that came with it (close-on-exec) or -1.  -1 with errno on error, and
 * EBADMSG for a message with more than one descriptor or truncated
 * control data (whatever came with it is closed). */
ssize_t fdpass_recvmsg(int sock, int *fd_r, void *buf, size_t size, int flags);

/* One byte with one descriptor: 0, or -1 with errno. */
int fdpass_send(int sock, int fd, unsigned char byte);
/* The descriptor received (close-on-exec) and *byte_r; -1 at EOF (errno
 * 0), on error (errno; EINTR is not retried: the caller may want to look
 * at a flag first) or for a message without exactly one descriptor. */
int fdpass_recv(int sock, unsigned char *byte_r);

/* A helper's next client socket from the master's control socket ctl:
 * the descriptor, or -1 with *gone_r true when ctl is done (EOF: the
 * master let go, or broken) and false when only this one did not come
 * (EINTR, EAGAIN, or EBADMSG: out of descriptors, MSG_CTRUNC). */
int fdpass_accept(int ctl, bool *gone_r);

/* Start a helper process of the master, joined to it by a SOCK_SEQPACKET
 * control socket.  In the child: returns 0 with *ctl_r its end, every
 * descriptor of close_fds (n of them, -1 entries skipped) closed, SIGTERM
 * default, SIGINT/SIGHUP/SIGPIPE ignored (the master decides when it
 * stops), SIGCHLD default.  In the parent: the pid, with *ctl_r the
 * master's end.  -1 with err filled when the socket or fork failed. */
pid_t fdpass_spawn(const int *close_fds, size_t n, int *ctl_r, char *err, size_t errlen);
/* A new socket pair for one client of a helper: one end goes to the
 * helper over ctl (byte 'S', without waiting: a helper so far behind that
 * its control socket is full is not waited for), the other is returned;
 * -1 on failure.  bufsize > 0 sets the send buffer of the helper's end and the
 * receive buffer of ours. */
int fdpass_attach(int ctl, int bufsize);

/* In a helper process (after fdpass_spawn): raise the soft RLIMIT_NOFILE
 * to the hard limit, never above it.  A helper holds a socket per
 * session (lmtp_max_connections of them) and more, and the default soft
 * limit of 1,024 is below that; poll() has no FD_SETSIZE cap, so the
 * higher limit is safe to use.  need: descriptors the helper may hold by
 * the caller's estimate; a limit below it is logged (a warning naming
 * who).  Returns the soft limit now in force. */
rlim_t fdpass_raise_nofile(const char *who, rlim_t need);

#endif
