/* sieve_bench.c - Sieve evaluation cost per message, in process and
 * through the kept worker (what delivery pays).
 *
 *   make build/sieve_bench && build/sieve_bench [N]
 *
 * Scripts: "junk" (the default.sieve-like rule), "roundcube" (ten rules of
 * the forms Roundcube writes, only base extensions, so that an older
 * build can run it too), "extensions" (variables, body, date; skipped by
 * a build without them).  Prints the median of 5 batches of N evaluations
 * (default 2000) in microseconds per evaluation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "recipient.h"
#include "msg.h"
#include "sieve.h"

static const char *msgtext =
	"Return-Path: <news@lists.example>\n"
	"Received: from mx.d.example by mailhost.d.example; Tue, 01 Dec 2026 14:00:05 +0000\n"
	"From: Acme News <news@lists.example>\n"
	"To: u@d.example\n"
	"Subject: [acme-users] [fwd] version 1.0 is out\n"
	"List-ID: Acme users <acme-users.lists.example>\n"
	"Message-ID: <n1@lists.example>\n"
	"Date: Tue, 01 Dec 2026 10:00:00 +0000\n"
	"\n"
	"Version 1.0 is out.  To unsubscribe, reply.\n";

static const char *scripts[][2] = {
	{ "junk", "require [\"fileinto\"];\n"
		  "if header :is \"X-AuthDeliver-Disposition\" \"quarantine\" { fileinto \"Junk\"; stop; }\n" },
	{ "roundcube", "require [\"fileinto\",\"imap4flags\",\"envelope\",\"reject\"];\n"
		"# rule:[a]\nif header :contains \"subject\" \"WON\" { addflag \"\\\\Seen\"; fileinto \"Junk\"; stop; }\n"
		"# rule:[b]\nif anyof (header :contains \"from\" \"shop.example\", header :contains \"subject\" \"Invoice\") { fileinto \"Receipts\"; }\n"
		"# rule:[c]\nif allof (address :domain :is \"from\" \"friends.example\", not header :contains \"subject\" \"spam\") { fileinto \"Friends\"; stop; }\n"
		"# rule:[d]\nif envelope :domain :is \"from\" \"prize.example\" { discard; stop; }\n"
		"# rule:[e]\nif size :over 10M { reject \"too large\"; stop; }\n"
		"# rule:[f]\nif header :matches \"subject\" \"*make*money*fast*\" { fileinto \"Junk\"; stop; }\n"
		"# rule:[g]\nif exists \"x-spam-flag\" { fileinto \"Junk\"; stop; }\n"
		"# rule:[h]\nif address :is \"to\" \"boss@d.example\" { addflag \"\\\\Flagged\"; }\n"
		"# rule:[i]\nif header :contains \"list-id\" \"acme-users\" { fileinto \"Lists/Acme\"; stop; }\n"
		"# rule:[j]\nif true { keep; }\n" },
	{ "extensions", "require [\"fileinto\",\"variables\",\"body\",\"date\",\"relational\",\"copy\",\"mailbox\"];\n"
		"if header :matches \"List-ID\" \"*<*.*\" { set :lower \"list\" \"${2}\"; }\n"
		"if body :text :contains \"unsubscribe\" { set \"bulk\" \"yes\"; }\n"
		"if date :value \"ge\" :zone \"+0000\" \"date\" \"date\" \"2026-01-01\" { set \"year\" \"2026\"; }\n"
		"if string :is \"${bulk}\" \"yes\" { fileinto :create :copy \"Lists/${list}-${year}\"; }\n" },
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	char dir[] = "/tmp/sieve_bench.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char conftext[4400], spath[4200];
	snprintf(spath, sizeof(spath), "%s/user.sieve", dir);
	snprintf(conftext, sizeof(conftext), "sieve_user = %s\nlog = stderr\n", spath);
	const char *err = NULL;
	struct conf *c = conf_parse_string(conftext, "bench", &err);
	if (!c) {
		fprintf(stderr, "conf: %s\n", err);
		return 1;
	}
	size_t len;
	char *data = msg_lf_to_crlf(msgtext, strlen(msgtext), &len);
	struct msg m;
	if (msg_init(&m, data, len, 1000, &err) < 0)
		return 1;
	struct mailbox mb = { .address = "u@d.example", .local = "u", .domain = "d.example",
			      .user = "u", .home = dir, .maildir = dir,
			      .uid = getuid(), .gid = getgid() };
	struct sieve_facts facts = { .spf = "pass", .dmarc = "pass", .disposition = "none",
				     .folder = "INBOX" };
	for (size_t s = 0; s < sizeof(scripts) / sizeof(scripts[0]); s++) {
		struct sieve_env env = { .c = c, .mb = &mb, .m = &m, .facts = &facts,
					 .envelope_from = "news@lists.example",
					 .envelope_to = "u@d.example" };
		struct sieve_result res = { 0 };
		sieve_run_script(&env, scripts[s][1], strlen(scripts[s][1]), &res);
		if (res.failed) {
			printf("%-11s skipped: %s\n", scripts[s][0], res.error);
			sieve_result_clear(&res);
			continue;
		}
		sieve_result_clear(&res);
		double inproc[5], worker[5];
		for (int b = 0; b < 5; b++) {
			double t0 = now_us();
			for (int i = 0; i < n; i++) {
				struct sieve_result r = { 0 };
				sieve_run_script(&env, scripts[s][1], strlen(scripts[s][1]), &r);
				sieve_result_clear(&r);
			}
			inproc[b] = (now_us() - t0) / n;
		}
		FILE *f = fopen(spath, "w");
		fputs(scripts[s][1], f);
		fclose(f);
		for (int b = 0; b < 5; b++) {
			double t0 = now_us();
			for (int i = 0; i < n; i++) {
				struct sieve_plan plan;
				sieve_plan_init(&plan);
				if (sieve_evaluate(c, &mb, &m, &facts, "news@lists.example", "u@d.example",
						   &plan, &err) < 0 || plan.error) {
					fprintf(stderr, "evaluate: %s\n", plan.error ? plan.error : err);
					return 1;
				}
				sieve_plan_clear(&plan);
			}
			worker[b] = (now_us() - t0) / n;
		}
		qsort(inproc, 5, sizeof(double), cmp);
		qsort(worker, 5, sizeof(double), cmp);
		printf("%-11s in process %7.1f us/evaluation, through the worker %7.1f us/evaluation\n",
		       scripts[s][0], inproc[2], worker[2]);
	}
	unlink(spath);
	rmdir(dir);
	msg_clear(&m);
	conf_free(c);
	return 0;
}
