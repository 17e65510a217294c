/* fuzz_sieve.c - feed Sieve scripts through sieve_run_script(): libsieve's
 * lex/yacc parser, our callbacks (headers, envelope, flags, fileinto
 * checks) and the action bookkeeping, against a fixed message, with an
 * earlier script's editheader edits (one added field, one deleted) so
 * that the edited-header view is exercised too.
 *
 * This runs libsieve in-process, on purpose: the fuzzer is here to find
 * where libsieve itself breaks.  Delivery never runs it in-process (see
 * sieve_worker.c: one worker per owner), so a crash found here costs a failed
 * script there, not a worker.  Findings go to doc/notes/sieve.md.
 * libsieve leaks on every parse error (suppressed for LSan in sieve.c);
 * run with -detect_leaks=0 for speed (3000 runs/s instead of 50).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "recipient.h"
#include "msg.h"
#include "sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] =
	"From: =?utf-8?q?J=C3=BCrgen?= <j@sender.example>\r\n"
	"To: user+tag@d.example, \"Other\" <o@d.example>\r\n"
	"Subject: =?utf-8?b?R3LDvMOfZQ==?= hello\r\n"
	"X-Spam-Score: 7\r\n"
	"Message-ID: <fuzz@sender.example>\r\n"
	"\r\n"
	"body\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *c;
	static struct msg m;
	if (!c) {
		const char *err;
		c = conf_parse_string("sieve_max_script_size = 65536\n", "fuzz", &err);
		char *d = malloc(sizeof(message));
		memcpy(d, message, sizeof(message));
		if (!c || msg_init(&m, d, sizeof(message) - 1, 100, &err) < 0)
			abort();
		log_set_stderr(1);
	}
	struct mailbox mb = { .address = "user+tag@d.example", .local = "user", .detail = "tag",
			      .domain = "d.example", .user = "user" };
	struct sieve_facts f = { .spf = "pass", .dkim = "fail", .dmarc = "fail",
				 .disposition = "quarantine", .folder = "Junk" };
	static char *top[1] = { "X-Prior: earlier script\r\n" };
	static size_t del[1] = { 3 };	/* X-Spam-Score */
	static const struct sieve_edits prior = { .top = top, .ntop = 1, .deleted = del, .ndeleted = 1,
						  .added_bytes = 25 };
	struct sieve_env env = { c, &mb, &m, &f, "a@b.example", "user+tag@d.example", 0, NULL, NULL, &prior };
	struct sieve_result res = { 0 };
	sieve_run_script(&env, (const char *)data, size, &res);
	sieve_result_clear(&res);
	return 0;
}
