/* test_buf.c - the shared primitives of src/buf.h: the capped buffer, the
 * escaping rules, scanning (host:port specs too), the read/write loops. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "t.h"

static void test_buffer(void)
{
	struct buf b;
	buf_init(&b, 8);
	T_INT(buf_str(&b, "abcd"), 0, "buf: append within the cap");
	T_INT(buf_printf(&b, "%d", 1234), 0, "buf: printf within the cap");
	T_STR(b.p, "abcd1234", "buf: contents");
	T_INT(buf_add(&b, "x", 1), -1, "buf: one byte past the cap fails");
	T_INT(buf_status(&b), -1, "buf: the failure is sticky");
	T_INT(b.len, 8, "buf: nothing appended past the cap");
	size_t len = 99;
	char *p = buf_steal(&b, &len);
	T_OK(p == NULL, "buf: steal of a failed buffer gives NULL");
	buf_clear(&b);

	buf_init(&b, 0);
	buf_str(&b, "hello");
	p = buf_steal(&b, &len);
	T_STR(p, "hello", "buf: steal hands the bytes over");
	T_INT(len, 5, "buf: steal length");
	T_OK(b.p == NULL && b.len == 0, "buf: steal resets");
	free(p);
}

static void test_escaping(void)
{
	char out[64];
	esc_comment(out, sizeof(out), "a (b) \\c \x01\xc3\xa9");
	T_STR(out, "a _b_ _c ___", "esc_comment: parens, backslash, controls, 8-bit");
	struct buf b;
	buf_init(&b, 0);
	buf_ar_value(&b, "user@example.com");
	buf_str(&b, " ");
	buf_ar_value(&b, "a b\"c");
	T_STR(b.p, "user@example.com \"a b\\\"c\"", "buf_ar_value: atom and quoted-string");
	buf_reset(&b);
	buf_json_str(&b, "q\"\\\n\x7f\xc3\xa9\xff");
	T_STR(b.p, "\"q\\\"\\\\\\u000a\\u007f\xc3\xa9\\ufffd\"", "buf_json_str: RFC 8259 rules");
	buf_clear(&b);
}

static void test_scan(void)
{
	const char *s = " \t x\r\n y";
	T_INT(scan_wsp(s, strlen(s), 0), 3, "scan_wsp");
	T_INT(scan_fws(s, strlen(s), 4), 7, "scan_fws folds CRLF + WSP");
	T_INT(scan_token("abc;d", 5, 0, ";"), 3, "scan_token stops at a stop byte");
}

static void test_io(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		T_OK(0, "socketpair");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* short writes: one byte at a time, then EOF */
		close(sv[0]);
		for (const char *p = "0123456789"; *p; p++) {
			if (write(sv[1], p, 1) != 1)
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	close(sv[1]);
	char got[8] = "";
	T_INT(read_exact(sv[0], got, 7), 0, "read_exact: 7 bytes over short reads");
	T_OK(!memcmp(got, "0123456", 7), "read_exact: the bytes in order");
	T_INT(read_exact(sv[0], got, 7), -1, "read_exact: EOF before 7 more bytes");
	T_INT(errno, 0, "read_exact: errno 0 at an early EOF");
	close(sv[0]);
	waitpid(pid, NULL, 0);

}

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

static void test_hostport(void)
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
}

/* The read end of a pipe that holds s and is closed (-1 on failure). */
static int pipe_with(const char *s)
{
	int fd[2];
	if (pipe(fd) < 0)
		return -1;
	T_INT(write_full(fd[1], s, strlen(s)), 0, "write_full");
	close(fd[1]);
	return fd[0];
}

/* read_full: to EOF, and EFBIG one byte past the cap */
static void test_read_full(void)
{
	struct buf b;
	int fd = pipe_with("hello world");
	if (fd < 0)
		return;
	buf_init(&b, 5);
	errno = 0;
	T_INT(read_full(fd, &b), -1, "read_full past the cap: -1");
	T_INT(errno, EFBIG, "read_full past the cap: EFBIG");
	T_INT(b.len, 6, "read_full keeps one byte past the cap");
	buf_clear(&b);
	close(fd);
	if ((fd = pipe_with("abc")) < 0)
		return;
	buf_init(&b, 5);
	T_INT(read_full(fd, &b), 0, "read_full under the cap: 0");
	T_STR(b.p, "abc", "read_full: the bytes, NUL-terminated");
	buf_clear(&b);
	close(fd);
}

/* self_pid(): the cached pid is the process's own, also in a forked
 * child (which must not see its parent's) */
static void test_self_pid(void)
{
	pid_t me = self_pid();

	T_INT(me, getpid(), "self_pid is getpid");
	T_INT(self_pid(), me, "self_pid again, the same");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(self_pid() == getpid() && self_pid() != me ? 0 : 1);
	int st = 0;
	T_OK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	     "self_pid in a forked child is the child's pid");
	T_INT(self_pid(), getpid(), "self_pid in the parent after the fork");
}

int main(void)
{
	test_self_pid();
	test_hostport();
	test_read_full();
	test_buffer();
	test_escaping();
	test_scan();
	test_io();
	long long t0 = mono_ms();
	usleep(20000);
	T_OK(mono_ms() - t0 >= 19, "mono_ms advances");
	T_DONE();
}
