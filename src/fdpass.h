/* fdpass.h - hand a descriptor to another process over a UNIX socket
 * (SCM_RIGHTS), with one byte of data beside it.
 *
 * The master gives accepted connections to session processes this way,
 * and new session sockets to the shared resolver.
 */
#ifndef AUTHDELIVER_FDPASS_H
#define AUTHDELIVER_FDPASS_H

/* 0, or -1 with errno (EINTR is retried) */
int fdpass_send(int sock, int fd, unsigned char byte);
/* The descriptor received (close-on-exec) and *byte_r; -1 at EOF (errno
 * 0), on error (errno; EINTR is not retried: the caller may want to look
 * at a flag first) or for a message without exactly one descriptor. */
int fdpass_recv(int sock, unsigned char *byte_r);

#endif
