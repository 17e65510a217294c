/* lmtp_load.c - LMTP load generator, and the raw Maildir rate of the disk.
 *
 *   lmtp_load lmtp HOST PORT CONNS TOTAL CORPUS_DIR
 *   lmtp_load disk DIR WRITERS TOTAL CORPUS_DIR
 *
 * CORPUS_DIR/index.tsv has lines "file<TAB>mail_from<TAB>rcpt<TAB>ip<TAB>helo";
 * each file holds one message in wire form (CRLF, dot-stuffed, ending with
 * ".\r\n").  Messages are taken round robin.
 *
 * lmtp: CONNS threads, one connection each; per message the client sends
 * [XFORWARD ADDR= HELO=] MAIL RCPT DATA in one write (RFC 2920 pipelining;
 * XFORWARD only when the server advertises it), waits for 354, sends the
 * data and waits for the one reply of the one recipient.  Latency: first
 * byte of the transaction to the final reply.
 * disk: WRITERS threads write each message into DIR/tmp, fsync, rename into
 * DIR/new: the physical limit of Maildir delivery on this disk.
 *
 * Prints one line: "msgs=N ok=N failed=N seconds=S rate=R p50_ms=X
 * p99_ms=Y self_cpu_ms_per_msg=C" (C: this process's CPU; in disk mode the
 * kernel's cost of write+fsync+rename, after reading the corpus).  A benchmark tool, not part of authdeliver.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct corpus_msg {
	char *data, *from, *rcpt, *ip, *helo;
	size_t len;
};

static struct corpus_msg *msgs;
static size_t nmsgs;
static long total;
static atomic_long next_msg, n_ok, n_failed;
static double *lat_ms;
static const char *host, *dir;
static int port;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		free(b);
		return NULL;
	}
	fclose(fp);
	b[n] = 0;
	*len_r = (size_t)n;
	return b;
}

static int load_corpus(const char *cdir)
{
	char path[4096], line[4096];
	snprintf(path, sizeof(path), "%s/index.tsv", cdir);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	size_t cap = 0;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		char *f[5], *s = line;
		int k;
		for (k = 0; k < 5 && s; k++) {
			f[k] = s;
			s = strchr(s, '\t');
			if (s)
				*s++ = 0;
		}
		if (k < 5)
			continue;
		if (nmsgs == cap) {
			cap = cap ? cap * 2 : 256;
			msgs = realloc(msgs, cap * sizeof(*msgs));
			if (!msgs)
				return -1;
		}
		struct corpus_msg *m = &msgs[nmsgs];
		snprintf(path, sizeof(path), "%s/%s", cdir, f[0]);
		if (!(m->data = slurp(path, &m->len)))
			return -1;
		m->from = strdup(f[1]);
		m->rcpt = strdup(f[2]);
		m->ip = strdup(f[3]);
		m->helo = strdup(f[4]);
		nmsgs++;
	}
	fclose(fp);
	return nmsgs ? 0 : -1;
}

struct conn {
	int fd;
	char buf[65536];
	size_t off, len;
};

/* Read one reply (possibly multi-line); returns the code, copies the
 * text of all lines into out (if given). */
static int read_reply(struct conn *c, char *out, size_t outlen)
{
	char line[1024];
	size_t ll = 0;
	if (out && outlen)
		out[0] = 0;
	for (;;) {
		if (c->off == c->len) {
			ssize_t n = read(c->fd, c->buf, sizeof(c->buf));
			if (n <= 0)
				return -1;
			c->off = 0;
			c->len = (size_t)n;
		}
		char ch = c->buf[c->off++];
		if (ll < sizeof(line) - 1)
			line[ll++] = ch;
		if (ch != '\n')
			continue;
		line[ll] = 0;
		if (out)
			strncat(out, line, outlen - strlen(out) - 1);
		if (ll >= 4 && line[3] == ' ')
			return atoi(line);
		if (ll < 4 || line[3] != '-')
			return -1;
		ll = 0;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *lmtp_worker(void *arg)
{
	(void)arg;
	struct conn *c = calloc(1, sizeof(*c));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	inet_pton(AF_INET, host, &sa.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	char reply[4096], cmd[2048];
	if (read_reply(c, NULL, 0) != 220)
		exit(1);
	write_all(c->fd, "LHLO bench.client\r\n", 19);
	if (read_reply(c, reply, sizeof(reply)) != 250)
		exit(1);
	int xforward = strstr(reply, "XFORWARD") != NULL;
	for (;;) {
		long i = atomic_fetch_add(&next_msg, 1);
		if (i >= total)
			break;
		struct corpus_msg *m = &msgs[(size_t)i % nmsgs];
		double t0 = now();
		int n = 0;
		if (xforward)
			n = snprintf(cmd, sizeof(cmd), "XFORWARD ADDR=%s HELO=%s\r\n", m->ip, m->helo);
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n,
			      "MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n", m->from, m->rcpt);
		int ok = write_all(c->fd, cmd, (size_t)n) == 0;
		if (xforward && ok)
			ok = read_reply(c, NULL, 0) == 250;
		int rm = ok ? read_reply(c, NULL, 0) : -1;
		int rr = ok ? read_reply(c, NULL, 0) : -1;
		int rd = ok ? read_reply(c, NULL, 0) : -1;
		if (rm != 250 || rr != 250 || rd != 354) {
			atomic_fetch_add(&n_failed, 1);
			if (rd == 354)	/* cannot happen without a recipient */
				write_all(c->fd, ".\r\n", 3), read_reply(c, NULL, 0);
			write_all(c->fd, "RSET\r\n", 6);
			if (read_reply(c, NULL, 0) < 0)
				break;
			continue;
		}
		if (write_all(c->fd, m->data, m->len) < 0)
			break;
		int fin = read_reply(c, reply, sizeof(reply));
		lat_ms[i] = (now() - t0) * 1000.0;
		if (fin == 250)
			atomic_fetch_add(&n_ok, 1);
		else {
			atomic_fetch_add(&n_failed, 1);
			if (atomic_load(&n_failed) < 5)
				fprintf(stderr, "lmtp_load: %s", reply);
		}
	}
	write_all(c->fd, "QUIT\r\n", 6);
	read_reply(c, NULL, 0);
	close(c->fd);
	free(c);
	return NULL;
}

/* The raw rate: write the message (LF form is what Maildir stores; the
 * byte count is what matters) into tmp/, fsync, rename into new/. */
static void *disk_worker(void *arg)
{
	long w = (long)(intptr_t)arg;
	char tmp[4096], fin[4096];
	for (long k = 0;; k++) {
		long i = atomic_fetch_add(&next_msg, 1);
		if (i >= total)
			break;
		struct corpus_msg *m = &msgs[(size_t)i % nmsgs];
		double t0 = now();
		snprintf(tmp, sizeof(tmp), "%s/tmp/%ld.%ld.%ld", dir, (long)time(NULL), w, k);
		snprintf(fin, sizeof(fin), "%s/new/%ld.%ld.%ld", dir, (long)time(NULL), w, k);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
		int bad = fd < 0 || write_all(fd, m->data, m->len) < 0 || fsync(fd) < 0;
		if (fd >= 0 && close(fd) < 0)
			bad = 1;
		if (!bad && rename(tmp, fin) < 0)
			bad = 1;
		lat_ms[i] = (now() - t0) * 1000.0;
		atomic_fetch_add(bad ? &n_failed : &n_ok, 1);
	}
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: lmtp_load lmtp HOST PORT CONNS TOTAL CORPUS\n"
				"       lmtp_load disk DIR WRITERS TOTAL CORPUS -\n");
		return 64;
	}
	int disk = !strcmp(argv[1], "disk");
	int nthr;
	const char *cdir;
	if (disk) {
		dir = argv[2];
		nthr = atoi(argv[3]);
		total = atol(argv[4]);
		cdir = argv[5];
		char p[4096];
		snprintf(p, sizeof(p), "%s/tmp", dir);
		mkdir(dir, 0700);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/new", dir);
		mkdir(p, 0700);
	} else {
		host = argv[2];
		port = atoi(argv[3]);
		nthr = atoi(argv[4]);
		total = atol(argv[5]);
		cdir = argv[6];
	}
	if (nthr < 1 || total < 1 || load_corpus(cdir) < 0) {
		fprintf(stderr, "lmtp_load: bad arguments or corpus %s\n", cdir);
		return 1;
	}
	lat_ms = calloc((size_t)total, sizeof(double));
	pthread_t *t = calloc((size_t)nthr, sizeof(*t));
	double t0 = now();
	for (long i = 0; i < nthr; i++)
		pthread_create(&t[i], NULL, disk ? disk_worker : lmtp_worker, (void *)(intptr_t)i);
	for (int i = 0; i < nthr; i++)
		pthread_join(t[i], NULL);
	double secs = now() - t0;
	long ok = atomic_load(&n_ok), failed = atomic_load(&n_failed);
	size_t nl = 0;
	for (long i = 0; i < total; i++)
		if (lat_ms[i] > 0)
			lat_ms[nl++] = lat_ms[i];
	qsort(lat_ms, nl, sizeof(double), cmp_d);
	double p50 = nl ? lat_ms[nl / 2] : 0, p99 = nl ? lat_ms[(nl * 99) / 100 < nl ? (nl * 99) / 100 : nl - 1] : 0;
	/* disk mode: our own CPU is the kernel's cost of the Maildir writes */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("msgs=%ld ok=%ld failed=%ld seconds=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f "
	       "self_cpu_ms_per_msg=%.3f\n",
	       total, ok, failed, secs, (double)ok / secs, p50, p99,
	       ok ? cpu * 1000.0 / (double)ok : 0.0);
	return failed ? 2 : 0;
}
