/* fuzz_arc.c - ARC set collection and chain checks on arbitrary messages.
 *
 * The input is a whole message (CRLF or not); DNS is offline with one zone
 * that holds a key for the seed corpus's selector, so both the structural
 * checks and the canonicalization/hashing paths run.  Must never crash,
 * leak or read out of bounds; the result must be one of pass/fail/none.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arc.h"
#include "conf.h"
#include "dns.h"
#include "msg.h"

static struct conf *cf;
static struct dns *dns;

static void setup(void)
{
	const char *err = NULL;
	cf = conf_parse(NULL, &err);
	if (!cf)
		abort();
	char path[] = "/tmp/fuzz_arc_zoneXXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	static const char zone[] =
		"$TTL 300\n"
		"dummy._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n"
		"$SERVFAIL down._domainkey.example.org TXT\n";
	if (write(fd, zone, sizeof(zone) - 1) != (ssize_t)(sizeof(zone) - 1))
		abort();
	close(fd);
	dns = dns_new(cf, path, &err);
	unlink(path);
	if (!dns)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cf)
		setup();
	size_t len;
	char *crlf = msg_lf_to_crlf((const char *)data, size, &len);
	if (!crlf)
		return 0;
	struct msg m;
	const char *err;
	if (msg_init(&m, crlf, len, 5000, &err) < 0) {
		msg_clear(&m);
		return 0;
	}
	arc_prefetch(dns, &m, cf);
	struct arc_result r;
	arc_verify(cf, dns, &m, (time_t)1700000000, &r);
	if (r.code != AUTH_PASS && r.code != AUTH_FAIL && r.code != AUTH_NONE)
		abort();
	if (r.code == AUTH_PASS && (r.instances < 1 || r.nsets != (size_t)r.instances ||
				    r.oldest_pass < 1 || r.oldest_pass > r.instances))
		abort();
	char buf[512];
	arc_ar(&r, "192.0.2.1", buf, sizeof(buf));
	arc_result_clear(&r);
	msg_clear(&m);
	return 0;
}
