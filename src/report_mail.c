/* report_mail.c - destinations (RFC 9990 section 4), the report email
 * (RFC 9990 3.5.2, GMime) and handing it to sendmail.
 *
 * Never speaks SMTP and never retries by itself: the MTA queues and
 * retries what sendmail accepted, and `report send` retries what
 * sendmail refused temporarily on its next run.
 */
#include "report_mail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "buf.h"
#include "dmarc.h"
#include "dns.h"
#include "report_xml.h"

extern char **environ;

static const char *host_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at ? at + 1 : addr;
}

enum report_dest report_dest_verify(struct dmarc *dm, struct dns *d,
				    const char *policy_domain, const char *addr,
				    char (*out_r)[REPORT_ADDR_MAX], size_t max,
				    size_t *nout_r, char *why_r, size_t why_size)
{
	const char *host = host_of(addr);
	char org_pol[DMARC_DOMAIN_MAX], org_host[DMARC_DOMAIN_MAX];
	*nout_r = 0;
	if (!max)
		return REPORT_DEST_SKIP;
	if (dmarc_org_domain(dm, policy_domain, org_pol, sizeof org_pol) < 0 ||
	    dmarc_org_domain(dm, host, org_host, sizeof org_host) < 0) {
		snprintf(why_r, why_size, "DNS temporary failure finding Organizational Domains");
		return REPORT_DEST_TEMP;
	}
	if (!strcasecmp(org_pol, org_host)) {
		snprintf(out_r[0], REPORT_ADDR_MAX, "%s", addr);
		*nout_r = 1;
		snprintf(why_r, why_size, "same Organizational Domain %s", org_pol);
		return REPORT_DEST_OK;
	}
	/* steps 1-4: <policy-domain>._report._dmarc.<destination host>,
	 * within DNS limits (253 octets, labels of 63) */
	char name[512];
	int nl = snprintf(name, sizeof name, "%s._report._dmarc.%s", policy_domain, host);
	if (nl < 0 || nl > 253 || !dns_name_valid(name)) {
		snprintf(why_r, why_size, "verification name for %s is too long", host);
		return REPORT_DEST_SKIP;
	}
	/* step 5: a temporary error may be retried later */
	const struct dns_answer *a = dns_lookup(d, name, DNS_T_TXT);
	if (a->status == DNS_TEMPFAIL) {
		snprintf(why_r, why_size, "DNS %s for %s", a->why ? a->why : "failure", name);
		dns_answer_free(a);
		return REPORT_DEST_TEMP;
	}
	bool found = false, other_host = false;
	size_t n = 0;
	char over[8][REPORT_ADDR_MAX];
	/* steps 6-8: v=DMARC1 first (dmarc_record_parse requires it) */
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++) {
		struct dmarc_record rec;
		if (a->rr[i].type != DNS_T_TXT ||
		    dmarc_record_parse(a->rr[i].data, a->rr[i].len, &rec) < 0)
			continue;
		found = true;
		/* step 9: a rua here replaces the address, same host only */
		size_t k = report_rua_parse(rec.rua, 8, over);
		for (size_t j = 0; j < k; j++) {
			if (strcasecmp(host_of(over[j]), host)) {
				other_host = true;
				continue;
			}
			if (n < max)
				memcpy(out_r[n++], over[j], REPORT_ADDR_MAX);
		}
	}
	dns_answer_free(a);
	if (!found) {
		snprintf(why_r, why_size, "%s has no v=DMARC1 record: %s does not accept reports for %s",
			 name, host, policy_domain);
		return REPORT_DEST_SKIP;
	}
	if (other_host) {
		/* RFC 9990 section 4: neither the original nor the override */
		snprintf(why_r, why_size, "%s names a rua on another host", name);
		*nout_r = 0;
		return REPORT_DEST_SKIP;
	}
	if (!n)
		snprintf(out_r[n++], REPORT_ADDR_MAX, "%s", addr);
	*nout_r = n;
	snprintf(why_r, why_size, "authorized by %s", name);
	return REPORT_DEST_OK;
}

int report_filename(char *buf, size_t size, const char *receiver, const struct report_meta *m)
{
	int n = snprintf(buf, size, "%s!%s!%lld!%lld!%s.xml.gz", receiver, m->policy_domain,
			 report_day_begin(m->day), report_day_end(m->day), m->report_id);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int report_subject(char *buf, size_t size, const char *submitter, const struct report_meta *m)
{
	int n = snprintf(buf, size, "Report Domain: %s Submitter: %s Report-ID: <%s>",
			 m->policy_domain, submitter, m->report_id);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

char *report_mail_build(const struct report_meta *m, const char *from, const char *to,
			const unsigned char *gz, size_t gz_len, size_t *len_r)
{
	const char *submitter = host_of(from);
	char subject[700], fname[700], mid[400], text[1200], day[16];
	if (report_subject(subject, sizeof subject, submitter, m) < 0 ||
	    report_filename(fname, sizeof fname, submitter, m) < 0)
		return NULL;
	/* RFC 9990 3.5.2: the same ridtxt may be part of the Message-Id */
	snprintf(mid, sizeof mid, "%s@%s", m->report_id, submitter);
	report_day_format(m->day, day, sizeof day);
	snprintf(text, sizeof text,
		 "This is a DMARC aggregate report (RFC 9990) from %s for %s,\n"
		 "covering %s 00:00:00 to 23:59:59 UTC.  Report-ID: %s\n",
		 m->org_name, m->policy_domain, day, m->report_id);

	GMimeMessage *msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, NULL, from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, to);
	g_mime_message_set_subject(msg, subject, NULL);
	g_mime_message_set_message_id(msg, mid);
	GDateTime *now = g_date_time_new_now_utc();
	g_mime_message_set_date(msg, now);
	g_date_time_unref(now);

	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(tp, text);
	g_mime_multipart_add(mp, GMIME_OBJECT(tp));
	g_object_unref(tp);

	GMimePart *att = g_mime_part_new_with_type("application", "gzip");
	g_mime_part_set_filename(att, fname);
	g_mime_part_set_content_encoding(att, GMIME_CONTENT_ENCODING_BASE64);
	GMimeStream *ms = g_mime_stream_mem_new_with_buffer((const char *)gz, gz_len);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(ms, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(att, dw);
	g_object_unref(dw);
	g_object_unref(ms);
	g_mime_multipart_add(mp, GMIME_OBJECT(att));
	g_object_unref(att);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(mp));
	g_object_unref(mp);

	GMimeStream *out = g_mime_stream_mem_new();
	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, out);
	g_mime_format_options_free(fo);
	GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	char *res = malloc(arr->len + 1);
	if (res) {
		memcpy(res, arr->data, arr->len);
		res[arr->len] = '\0';
		*len_r = arr->len;
	}
	g_object_unref(out);
	g_object_unref(msg);
	return res;
}

#define SENDMAIL_TIMEOUT 120

enum report_sent report_mail_send(const char *sendmail_path, const char *from,
				  const char *to, const char *msg, size_t len,
				  char *why_r, size_t why_size)
{
	char *cmd = strdup(sendmail_path ? sendmail_path : "");
	char *argv[40];
	size_t ac = 0;
	char *save = NULL;
	for (char *w = cmd ? strtok_r(cmd, " \t", &save) : NULL; w && ac < 32;
	     w = strtok_r(NULL, " \t", &save))
		argv[ac++] = w;
	if (!ac) {
		free(cmd);
		snprintf(why_r, why_size, "sendmail_path is empty");
		return REPORT_SEND_TEMP;
	}
	const char *tail[] = { "-i", "-f", from, "--", to, NULL };
	for (size_t i = 0; tail[i]; i++)
		argv[ac++] = (char *)tail[i];
	argv[ac] = NULL;

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(why_r, why_size, "pipe: %s", strerror(errno));
		free(cmd);
		return REPORT_SEND_TEMP;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[0]);
	if (e) {
		close(pfd[1]);
		snprintf(why_r, why_size, "%s: %s", argv[0], strerror(e));
		free(cmd);
		return REPORT_SEND_TEMP;
	}
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	bool short_write = write_full(pfd[1], msg, len) < 0;
	close(pfd[1]);
	signal(SIGPIPE, old);
	int status = 0;
	pid_t w;
	time_t end = time(NULL) + SENDMAIL_TIMEOUT;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && time(NULL) < end)
		poll(NULL, 0, 20);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(why_r, why_size, "%s did not finish in %ds", argv[0], SENDMAIL_TIMEOUT);
		free(cmd);
		return REPORT_SEND_TEMP;
	}
	enum report_sent rc = REPORT_SEND_TEMP;
	if (w > 0 && WIFEXITED(status)) {
		int x = WEXITSTATUS(status);
		if (x == 0 && !short_write) {
			rc = REPORT_SENT;
			snprintf(why_r, why_size, "accepted by %s", argv[0]);
		} else {
			/* the MTA refused for good: bad address, unknown host... */
			if (x == EX_USAGE || x == EX_DATAERR || x == EX_NOINPUT || x == EX_NOUSER ||
			    x == EX_NOHOST || x == EX_NOPERM)
				rc = REPORT_SEND_PERM;
			snprintf(why_r, why_size, "%s exited %d", argv[0], x);
		}
	} else {
		snprintf(why_r, why_size, "%s died (signal %d)", argv[0],
			 w > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : -1);
	}
	free(cmd);
	return rc;
}
