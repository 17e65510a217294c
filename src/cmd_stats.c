/* cmd_stats.c - `authdeliver stats [-c FILE]`: print the running server's
 * counters (the same Prometheus text a scrape of metrics_listen gets).
 *
 * Connects to metrics_listen (unix:/path or a loopback host:port) and
 * sends GET /metrics.  Exit: 0 with the text on stdout; EX_CONFIG when
 * metrics_listen is not set; EX_UNAVAILABLE when the server does not
 * answer.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"

static int connect_to(const char *spec, const char **err)
{
	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		if (strlen(spec + 5) >= sizeof(sun.sun_path)) {
			*err = "socket path too long";
			return -1;
		}
		strcpy(sun.sun_path, spec + 5);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			*err = strerror(errno);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	char host[256];
	const char *port;
	if (scan_hostport(spec, host, sizeof(host), &port, err) < 0)
		return -1;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *ai;
	int gr = getaddrinfo(host, port, &hints, &ai);
	if (gr) {
		*err = gai_strerror(gr);
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		*err = strerror(errno);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int cmd_stats(int argc, char **argv)
{
	const char *file = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver stats [-c FILE]\n");
			return EX_USAGE;
		}
	}
	const struct conf *c = cmd_load_conf(file);
	if (!*c->metrics_listen) {
		fprintf(stderr, "authdeliver stats: metrics_listen is not set in %s\n", c->path);
		return EX_CONFIG;
	}
	const char *err = "";
	int fd = connect_to(c->metrics_listen, &err);
	if (fd < 0) {
		fprintf(stderr, "authdeliver stats: %s: %s (is the server running?)\n",
			c->metrics_listen, err);
		return EX_UNAVAILABLE;
	}
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	static const char req[] = "GET /metrics HTTP/1.0\r\nUser-Agent: authdeliver-stats\r\n\r\n";
	if (send_full(fd, req, sizeof(req) - 1) < 0) {
		fprintf(stderr, "authdeliver stats: %s: %s\n", c->metrics_listen, strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	/* the reply, at most 1 MiB; print the body */
	struct buf rb;
	buf_init(&rb, 1 << 20);
	int rr = read_full(fd, &rb), rerr = errno;
	close(fd);
	if (rr < 0) {
		fprintf(stderr, "authdeliver stats: %s: %s\n", c->metrics_listen,
			rerr == EFBIG ? "reply larger than 1 MiB" : strerror(rerr));
		buf_clear(&rb);
		return rerr == ENOMEM ? EX_SOFTWARE : EX_UNAVAILABLE;
	}
	const char *b = rb.p ? rb.p : "";
	const char *body = strstr(b, "\r\n\r\n");
	if (strncmp(b, "HTTP/1.0 200", 12) || !body) {
		fprintf(stderr, "authdeliver stats: %s: unexpected reply: %.60s\n", c->metrics_listen, b);
		buf_clear(&rb);
		return EX_UNAVAILABLE;
	}
	fputs(body + 4, stdout);
	buf_clear(&rb);
	return 0;
}
