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
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host)) {
			*err = "expected [address]:port";
			return -1;
		}
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = 0;
		port = rb + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
			*err = "expected address:port";
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
		port = colon + 1;
	}
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
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		fprintf(stderr, "authdeliver stats: %s: %s\n", c->metrics_listen, strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	/* the reply, at most 1 MiB; print the body */
	size_t cap = 65536, n = 0;
	char *b = malloc(cap + 1);
	for (ssize_t r; b;) {
		if (n == cap) {
			if (cap >= 1048576)
				break;
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!b) {
		fprintf(stderr, "authdeliver stats: out of memory\n");
		return EX_SOFTWARE;
	}
	b[n] = 0;
	char *body = strstr(b, "\r\n\r\n");
	if (strncmp(b, "HTTP/1.0 200", 12) || !body) {
		fprintf(stderr, "authdeliver stats: %s: unexpected reply: %.60s\n", c->metrics_listen, b);
		free(b);
		return EX_UNAVAILABLE;
	}
	fputs(body + 4, stdout);
	free(b);
	return 0;
}
