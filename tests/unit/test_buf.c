/* test_buf.c - the shared primitives that other tests do not reach
 * through their modules: host:port specs, read_full() with its cap,
 * write_full() over a pipe. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "t.h"

static const struct {
	const char *spec, *host, *port;	/* host NULL: an error */
} hp[] = {
	{ "127.0.0.1:24", "127.0.0.1", "24" },
	{ "*:24", "*", "24" },
	{ ":24", "", "24" },
	{ "[::1]:24", "::1", "24" },
	{ "[2001:db8::1]:9100", "2001:db8::1", "9100" },
	{ "2001:db8::1:24", "2001:db8::1", "24" },	/* the last colon */
	{ "localhost", NULL, NULL },
	{ "[::1]", NULL, NULL },
	{ "[::1]24", NULL, NULL },
	{ "[::1:24", NULL, NULL },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(hp) / sizeof(hp[0]); i++) {
		char host[64] = "x", name[80];
		const char *port = NULL, *err = NULL;
		int rc = scan_hostport(hp[i].spec, host, sizeof(host), &port, &err);
		snprintf(name, sizeof(name), "scan_hostport %s", hp[i].spec);
		if (!hp[i].host) {
			T_OK(rc < 0 && err && strstr(err, "port"), "%s: error (%s)", name, err ? err : "none");
			continue;
		}
		T_INT(rc, 0, name);
		T_STR(host, hp[i].host, name);
		T_STR(port, hp[i].port, name);
	}
	char small[4];
	const char *port, *err = NULL;
	T_INT(scan_hostport("1.2.3.4:5", small, sizeof(small), &port, &err), -1, "host longer than its buffer");

	/* read_full: to EOF, and EFBIG one byte past the cap */
	int fd[2];
	if (pipe(fd) < 0)
		return 1;
	T_INT(write_full(fd[1], "hello world", 11), 0, "write_full");
	close(fd[1]);
	struct buf b;
	buf_init(&b, 5);
	errno = 0;
	T_INT(read_full(fd[0], &b), -1, "read_full past the cap: -1");
	T_INT(errno, EFBIG, "read_full past the cap: EFBIG");
	T_INT(b.len, 6, "read_full keeps one byte past the cap");
	buf_clear(&b);
	close(fd[0]);
	if (pipe(fd) < 0)
		return 1;
	write_full(fd[1], "abc", 3);
	close(fd[1]);
	buf_init(&b, 5);
	T_INT(read_full(fd[0], &b), 0, "read_full under the cap: 0");
	T_STR(b.p, "abc", "read_full: the bytes, NUL-terminated");
	buf_clear(&b);
	close(fd[0]);
	T_DONE();
}
