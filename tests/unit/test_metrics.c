/* test_metrics.c - the shared counter table: no-op before metrics_init(),
 * sums across forked processes, outcome/folder/cause mapping, histogram
 * buckets (cumulative, _count = +Inf), and the text format's lines. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics.h"
#include "t.h"

/* the value of the line that starts with "name " in text, or -1 */
static double value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, series, n) && p[n] == ' ')
			return atof(p + n + 1);
	return -1;
}

int main(void)
{
	/* before init: every call is a no-op, render gives NULL */
	metrics_rcpt(ST_DELIVERED, "INBOX", "Junk");
	T_OK(metrics_render(NULL) == NULL, "render before metrics_init is NULL");
	T_INT(metrics_init(), 0, "metrics_init");

	/* 4 processes x 250 deliveries each, into one table */
	enum { KIDS = 4, EACH = 250 };
	for (int k = 0; k < KIDS; k++) {
		pid_t p = fork();
		if (p == 0) {
			for (int i = 0; i < EACH; i++) {
				metrics_rcpt(ST_DELIVERED, i % 5 ? "INBOX" : "Junk", "Junk");
				metrics_auth("spf", "pass");
				metrics_verdict_seconds(0.003);
				metrics_dns(METRICS_DNS_CACHE_HIT);
			}
			metrics_session(1);
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++)
		wait(NULL);
	metrics_rcpt(ST_DELIVERED, "Work,INBOX", "Junk");
	metrics_rcpt(ST_DISCARDED, "-", "Junk");
	metrics_rcpt(ST_UNKNOWN_USER, "", NULL);
	metrics_rcpt(ST_POLICY_REJECT, "-", "Junk");
	metrics_rcpt(ST_DISK_FULL, "INBOX", "Junk");
	metrics_rcpt(ST_VERDICT_TEMPFAIL, "", "Junk");
	metrics_auth("dkim", "policy");
	metrics_auth("dmarc", "bogus-word");
	metrics_auth("nosuch", "pass");
	metrics_verdict_seconds(0.5);
	metrics_verdict_seconds(100);
	metrics_processes(3, 2);

	size_t len = 0;
	char *t = metrics_render(&len);
	T_OK(t && len == strlen(t), "render gives text of its length");
	if (!t)
		T_DONE();
	T_INT(value(t, "authdeliver_deliveries_total{result=\"delivered\",folder=\"inbox\"}"),
	      KIDS * EACH * 4 / 5, "inbox deliveries summed over 4 processes");
	T_INT(value(t, "authdeliver_deliveries_total{result=\"delivered\",folder=\"junk\"}"),
	      KIDS * EACH / 5, "junk deliveries");
	T_INT(value(t, "authdeliver_deliveries_total{result=\"delivered\",folder=\"other\"}"), 1,
	      "several targets: other");
	T_INT(value(t, "authdeliver_deliveries_total{result=\"discarded\",folder=\"none\"}"), 1, "discarded");
	T_INT(value(t, "authdeliver_deliveries_total{result=\"bounced\",folder=\"none\"}"), 1, "bounced");
	T_INT(value(t, "authdeliver_deliveries_total{result=\"rejected\",folder=\"none\"}"), 1, "rejected");
	T_INT(value(t, "authdeliver_deliveries_total{result=\"deferred\",folder=\"none\"}"), 2,
	      "deferred: a tempfail has no folder");
	T_INT(value(t, "authdeliver_tempfails_total{cause=\"disk_full\"}"), 1, "tempfail cause disk_full");
	T_INT(value(t, "authdeliver_tempfails_total{cause=\"verdict_timeout\"}"), 1,
	      "tempfail cause verdict_timeout");
	T_INT(value(t, "authdeliver_auth_results_total{method=\"spf\",result=\"pass\"}"), KIDS * EACH,
	      "spf pass");
	T_INT(value(t, "authdeliver_auth_results_total{method=\"dkim\",result=\"policy\"}"), 1, "dkim policy");
	T_INT(value(t, "authdeliver_auth_results_total{method=\"dmarc\",result=\"other\"}"), 1,
	      "an unknown result word counts as other");
	T_OK(value(t, "authdeliver_auth_results_total{method=\"arc\",result=\"softfail\"}") < 0,
	     "no softfail series for ARC");
	T_INT(value(t, "authdeliver_verdict_duration_seconds_bucket{le=\"0.0025\"}"), 0, "bucket below 3 ms");
	T_INT(value(t, "authdeliver_verdict_duration_seconds_bucket{le=\"0.005\"}"), KIDS * EACH,
	      "bucket 5 ms holds the 3 ms observations");
	T_INT(value(t, "authdeliver_verdict_duration_seconds_bucket{le=\"0.5\"}"), KIDS * EACH + 1,
	      "le is inclusive (0.5 in the 0.5 bucket)");
	T_INT(value(t, "authdeliver_verdict_duration_seconds_bucket{le=\"30\"}"), KIDS * EACH + 1,
	      "100 s above the last finite bucket");
	T_INT(value(t, "authdeliver_verdict_duration_seconds_bucket{le=\"+Inf\"}"), KIDS * EACH + 2, "+Inf");
	T_INT(value(t, "authdeliver_verdict_duration_seconds_count"), KIDS * EACH + 2, "_count = +Inf");
	double sum = value(t, "authdeliver_verdict_duration_seconds_sum");
	T_OK(sum > 103.49 && sum < 103.51, "_sum in seconds: got %f, want 103.5", sum);
	T_INT(value(t, "authdeliver_dns_cache_hits_total"), KIDS * EACH, "dns cache hits");
	T_INT(value(t, "authdeliver_sessions_total"), KIDS, "sessions");
	T_INT(value(t, "authdeliver_session_processes{state=\"busy\"}"), 3, "busy processes");
	T_INT(value(t, "authdeliver_sessions_active"), 3, "active sessions");
	T_OK(strstr(t, "# TYPE authdeliver_verdict_duration_seconds histogram\n") != NULL,
	     "histogram TYPE line");
	T_OK(strstr(t, "# TYPE authdeliver_deliveries_total counter\n") != NULL, "counter TYPE line");
	T_OK(!strchr(t, '@'), "no address in the text");
	free(t);
	T_DONE();
}
