/* test_recorder.c - the DMARC report recorder (recorder.h) on a real
 * SQLite store in T_TMP, with session clients over real sockets: records
 * arrive once; the protocol (confirmation, garbage and overlong messages
 * drop the session); the recorder stopped, killed or never confirming
 * makes the sessions spool, and store + spool hold every record once. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "dmarc.h"
#include "recorder.h"
#include "report_rec.h"
#include "report_store.h"
#include "t.h"

static char uri[1100], spool[1100];

static struct report_rec *new_rec(const struct conf *c)
{
	struct dmarc_result d;
	memset(&d, 0, sizeof d);
	d.have_record = true;
	d.code = AUTH_PASS;
	snprintf(d.domain, sizeof d.domain, "example.com");
	snprintf(d.org_domain, sizeof d.org_domain, "example.com");
	snprintf(d.from_domain, sizeof d.from_domain, "example.com");
	snprintf(d.rua, sizeof d.rua, "mailto:dmarc@example.com");
	d.rec_p = DMARC_P_REJECT;
	d.policy = DMARC_P_REJECT;
	struct report_rec *r = calloc(1, sizeof *r);
	const char *why;
	if (r && report_rec_build(r, c, &d, NULL, NULL, "192.0.2.9", "a@example.com", "x@example.org",
				  time(NULL), &why) < 0) {
		free(r);
		r = NULL;
	}
	return r;
}

static int count_cb(void *arg, size_t n, const char *const *v)
{
	*(long *)arg = n ? atol(v[0]) : -1;
	return 1;
}

/* records in the store after loading the spool (the store ignores a uid
 * it has: duplicates count once) */
static long stored(bool load_spool)
{
	const char *err = NULL;
	struct report_store *s = report_store_open(uri, 2000, &err);
	if (!s)
		return -1;
	if (load_spool)
		report_spool_load(s, spool);
	long n = -1;
	report_store_exec(s, "SELECT count(*) FROM record", 0, NULL, count_cb, &n);
	report_store_exec(s, "DELETE FROM record", 0, NULL, NULL, NULL);
	report_store_close(s);
	return n;
}

static long spool_lines(void)
{
	FILE *fp = fopen(spool, "r");
	if (!fp)
		return 0;
	long n = 0;
	int ch;
	while ((ch = getc(fp)) != EOF)
		n += ch == '\n';
	fclose(fp);
	return n;
}

/* the recorder's exit, waiting at most ms */
static bool exited(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(10000);
	}
	return false;
}

/* EOF (or an error) on fd within ms */
static bool eof_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	if (poll(&p, 1, ms) <= 0)
		return false;
	char b[16];
	return recv(fd, b, sizeof b, MSG_DONTWAIT) <= 0;
}

static void test_once(const struct conf *c)
{
	struct recorder r;
	const char *err = NULL;
	T_INT(recorder_start(&r, c, NULL, 0, &err), 0, "start");
	struct recorder_client *cl[3];
	for (int i = 0; i < 3; i++)
		cl[i] = recorder_client_new(recorder_attach(&r));
	T_OK(cl[0] && cl[1] && cl[2], "three sessions attached");
	for (int k = 0; k < 100; k++)
		recorder_put(cl[k % 3], c, new_rec(c));
	for (int i = 0; i < 3; i++)
		recorder_flush(cl[i], c);
	T_OK(!recorder_lost(cl[0]) && !recorder_lost(cl[1]) && !recorder_lost(cl[2]),
	     "flush: every record confirmed, no session lost the recorder");
	T_INT(stored(false), 100, "100 records from 3 sessions: each once in the store");
	T_INT(spool_lines(), 0, "nothing spooled");

	/* released with sessions left: it serves them, exits after the last */
	pid_t pid = r.pid;
	recorder_release(&r);
	recorder_put(cl[0], c, new_rec(c));
	recorder_flush(cl[0], c);
	T_OK(!recorder_lost(cl[0]), "released: still serves the sessions it has");
	T_OK(!exited(pid, 100), "released: alive while sessions are left");
	for (int i = 0; i < 3; i++)
		recorder_client_free(cl[i], c);
	T_OK(exited(pid, 3000), "released: exits when the last session closed");
	T_INT(stored(false), 1, "the record sent after the release is stored");
}

static void test_protocol(const struct conf *c)
{
	struct recorder r;
	const char *err = NULL;
	T_INT(recorder_start(&r, c, NULL, 0, &err), 0, "protocol: start");
	int fd = recorder_attach(&r);
	struct report_rec *rec = new_rec(c);
	unsigned char m[40000];
	m[0] = 'R';
	uint32_t seq = 7;
	memcpy(m + 1, &seq, 4);
	size_t len = rec ? report_rec_encode(rec, (char *)m + 5, sizeof m - 5) : 0;
	free(rec);
	T_OK(len > 0 && send(fd, m, len + 5, 0) == (ssize_t)(len + 5), "protocol: one record sent");
	struct pollfd p = { fd, POLLIN, 0 };
	unsigned char a[16] = { 0 };
	ssize_t got = poll(&p, 1, 3000) == 1 ? recv(fd, a, sizeof a, 0) : -1;
	uint32_t cs = 0;
	memcpy(&cs, a + 1, 4);
	T_OK(got == 5 && a[0] == 'C' && cs == 7, "protocol: \"C\" and its seq back (got %zd '%c' %u)", got,
	     a[0], cs);
	T_INT(stored(false), 1, "protocol: stored");

	T_OK(send(fd, "X", 1, 0) == 1 && eof_within(fd, 3000), "protocol: garbage drops the session");
	close(fd);
	fd = recorder_attach(&r);
	m[0] = 'R';
	memset(m + 5, 'a', sizeof m - 5);
	T_OK(send(fd, m, sizeof m, 0) == (ssize_t)sizeof m && eof_within(fd, 3000),
	     "protocol: an overlong message drops the session");
	close(fd);
	fd = recorder_attach(&r);
	memcpy(m, "R\1\0\0\0R1\tdamaged\n", 16);
	T_OK(send(fd, m, 16, 0) == 16 && eof_within(fd, 3000),
	     "protocol: a damaged spool line drops the session");
	close(fd);
	pid_t pid = r.pid;
	recorder_release(&r);
	T_OK(exited(pid, 3000), "protocol: exits when let go and no session is left");
	T_INT(stored(false), 0, "protocol: nothing stored from the bad messages");
}

static void test_killed(const struct conf *c)
{
	struct recorder r;
	const char *err = NULL;
	T_INT(recorder_start(&r, c, NULL, 0, &err), 0, "killed: start");
	struct recorder_client *a = recorder_client_new(recorder_attach(&r));
	struct recorder_client *b = recorder_client_new(recorder_attach(&r));
	for (int k = 0; k < 10; k++)
		recorder_put(k % 2 ? a : b, c, new_rec(c));
	recorder_flush(a, c);
	recorder_flush(b, c);
	/* stopped: records are sent but never confirmed; then killed */
	kill(r.pid, SIGSTOP);
	for (int k = 0; k < 20; k++)
		recorder_put(k % 2 ? a : b, c, new_rec(c));
	T_OK(!recorder_lost(a) && !recorder_lost(b), "killed: sends do not wait for the recorder");
	kill(r.pid, SIGKILL);
	T_OK(exited(r.pid, 3000), "killed: gone");
	recorder_release(&r);
	recorder_put(a, c, new_rec(c)); /* a notices at its next record */
	T_OK(recorder_lost(a), "killed: a session notices at its next record");
	recorder_flush(b, c); /* b at its end */
	T_OK(recorder_lost(b), "killed: a session notices at its end");
	T_INT(spool_lines(), 21, "killed: the 21 unconfirmed records are in the spool");
	recorder_put(a, c, new_rec(c)); /* after the loss: the spool (deliver.c uses its sink) */
	T_INT(stored(true), 32, "killed: store + spool hold all 32 records once");
	recorder_client_free(a, c);
	recorder_client_free(b, c);
}

static void test_slow(const struct conf *c)
{
	/* a recorder that does not confirm in time: the session spools; the
	 * recorder, woken up, stores the same records: counted once */
	struct recorder r;
	const char *err = NULL;
	T_INT(recorder_start(&r, c, NULL, 0, &err), 0, "slow: start");
	struct recorder_client *a = recorder_client_new(recorder_attach(&r));
	kill(r.pid, SIGSTOP);
	for (int k = 0; k < 5; k++)
		recorder_put(a, c, new_rec(c));
	recorder_flush(a, c);
	T_OK(recorder_lost(a), "slow: no confirmation within the timeout: lost");
	T_INT(spool_lines(), 5, "slow: the 5 records spooled by the session");
	kill(r.pid, SIGCONT);
	pid_t pid = r.pid;
	recorder_release(&r);
	T_OK(exited(pid, 5000), "slow: the recorder writes what it read and exits");
	T_INT(stored(true), 5, "slow: stored twice (recorder and spool), counted once");
	recorder_client_free(a, c);
}

int main(void)
{
	const char *tmp = getenv("T_TMP");
	snprintf(uri, sizeof uri, "sqlite:%s/rec.db", tmp ? tmp : ".");
	snprintf(spool, sizeof spool, "%s/spool/rec.spool", tmp ? tmp : ".");
	char text[3000];
	snprintf(text, sizeof text,
		 "dmarc_report_store = %s\ndmarc_report_spool = %s\ndmarc_report_timeout = 300\n", uri,
		 spool);
	const char *err = NULL;
	struct conf *c = conf_parse_string(text, "t", &err);
	T_OK(c != NULL, "conf (%s)", err ? err : "");
	if (!c)
		T_DONE();
	signal(SIGPIPE, SIG_IGN);
	test_once(c);
	test_protocol(c);
	test_killed(c);
	test_slow(c);
	conf_free(c);
	T_DONE();
}
