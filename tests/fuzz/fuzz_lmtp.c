/* fuzz_lmtp.c - a whole LMTP session's bytes against the real session
 * code (lmtp_session_with): commands, pipelining, XFORWARD, DATA (no BDAT:
 * not offered).  Delivery is a stub that checks the message invariants and
 * gives each recipient an outcome.  The first input byte picks how the
 * bytes are cut into writes (so reads end at odd places: between CR and
 * LF, inside a command). */
#include "conf.h"
#include "deliver.h"
#include "lmtp.h"
#include "lmtp_private.h"
#include "msg.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void stub_deliver(struct deliver_ctx *ctx, struct msg *m, struct deliver_env *env,
			 bool all_or_nothing)
{
	if (m->data[m->len] != 0 || m->body_off > m->len)
		abort();
	for (size_t i = 0; i < m->nhdrs; i++) {
		const struct msg_hdr *h = &m->hdrs[i];
		if (h->off + h->len > m->len || h->name_len == 0 || h->name_len > h->len)
			abort();
		size_t vl;
		msg_hdr_raw_value(m, i, &vl);
	}
	char *id = msg_message_id(m);
	free(id);
	for (size_t i = 0; i < env->nrcpt; i++) {
		struct deliver_rcpt *r = &env->rcpt[i];
		r->st = (m->len + i) % 3 == 0 ? ST_DELIVERED : (m->len + i) % 3 == 1 ? ST_IO_TEMPFAIL : ST_POLICY_REJECT;
		snprintf(r->text, sizeof(r->text), "stub %zu", m->len);
	}
}

struct feed {
	int fd;
	const uint8_t *p;
	size_t n, chunk;
};

/* Write the input in chunks while draining the replies; then half-close
 * and drain to EOF. */
static void *feeder(void *arg)
{
	struct feed *f = arg;
	char sink[65536];
	size_t off = 0;
	bool closed = false;
	for (;;) {
		struct pollfd pfd = { f->fd, POLLIN | (closed ? 0 : POLLOUT), 0 };
		if (poll(&pfd, 1, 5000) <= 0)
			break;
		if (pfd.revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(f->fd, sink, sizeof(sink));
			if (r <= 0)
				break;
		}
		if (!closed && (pfd.revents & POLLOUT)) {
			size_t k = f->n - off < f->chunk ? f->n - off : f->chunk;
			/* MSG_NOSIGNAL: the session may have hung up first
			 * (QUIT, a 421); SIGPIPE would end the fuzzer */
			ssize_t w = k ? send(f->fd, f->p + off, k, MSG_NOSIGNAL) : 0;
			if (w < 0)
				break;
			off += (size_t)w;
			if (off >= f->n) {
				shutdown(f->fd, SHUT_WR);
				closed = true;
			}
		}
	}
	return NULL;
}

static char mappath[512];
static void unlink_map(void)
{
	unlink(mappath);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	if (!init) {
		/* a catch-all map: every recipient of x.example resolves */
		char text[1024];
		const char *tmpdir = getenv("TMPDIR");
		char mapbuf[512];
		snprintf(mapbuf, sizeof(mapbuf), "%s/fuzz_lmtp.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
		int mfd = mkstemp(mapbuf);
		if (mfd < 0 || write(mfd, "@x.example /nonexistent/Maildir/\n", 33) != 33)
			abort();
		close(mfd);
		snprintf(mappath, sizeof(mappath), "%s", mapbuf);
		atexit(unlink_map);
		snprintf(text, sizeof(text), "hostname = mx.fuzz.example\n"
			 "message_size_limit = 200000\n"
			 "line_length_limit = 70000\n"
			 "command_length_limit = 600\n"
			 "header_count_limit = 50\n"
			 "lmtp_max_recipients = 5\n"
			 "user_lookup = virtual\n"
			 "virtual_mailbox_map = %s\n"
			 "timeout_idle = 5\ntimeout_data = 5\n", mapbuf);
		const char *err;
		struct conf *c = conf_parse_string(text, "fuzz", &err);
		if (!c)
			abort();
		conf_install(c);
		init = true;
	}
	if (size < 1 || size > 300000)
		return 0;
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 511, 4096, 65535, 65536, 65537, 1 << 20 };
	size_t chunk = chunks[data[0] % (sizeof(chunks) / sizeof(chunks[0]))];
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	struct feed f = { sv[1], data + 1, size - 1, chunk };
	pthread_t t;
	if (pthread_create(&t, NULL, feeder, &f))
		abort();
	struct lmtp_peer peer = { .addr = "127.0.0.1", .xforward_ok = (data[0] & 0x80) != 0 };
	struct deliver_ctx ctx = { 0 };
	volatile sig_atomic_t stop = 0;
	lmtp_session_with(sv[0], &peer, &ctx, &stop, stub_deliver);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
	return 0;
}
