/* test_lmtp.c - LMTP command argument parsing and DATA decoding. */
#include <stdlib.h>

#include "lmtp.h"
#include "t.h"

static void path(const char *arg, const char *prefix, int want_rc, const char *want_addr,
		 const char *want_params)
{
	char *addr = NULL;
	const char *params = NULL;
	int rc = lmtp_parse_path(arg, prefix, &addr, &params);
	char name[256];
	snprintf(name, sizeof(name), "parse_path(%s) rc", arg);
	T_INT(rc, want_rc, name);
	if (rc == 0 && want_rc == 0) {
		snprintf(name, sizeof(name), "parse_path(%s) addr", arg);
		T_STR(addr, want_addr, name);
		snprintf(name, sizeof(name), "parse_path(%s) params", arg);
		T_STR(params, want_params, name);
	}
	free(addr);
}

/* Feed text split into lines, return the decoded message. */
static char *decode(const char *in, size_t max_line, int *ended, struct lmtp_data *d)
{
	memset(d, 0, sizeof(*d));
	d->max_size = 1 << 20;
	d->max_line = max_line;
	*ended = 0;
	const char *p = in;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (lmtp_data_line(d, p, l)) {
			*ended = 1;
			break;
		}
		p += l;
	}
	return d->buf ? d->buf : (char *)"";
}

int main(void)
{
	path("FROM:<a@b.example>", "FROM:", 0, "a@b.example", "");
	path("from:<a@b.example> SIZE=100 BODY=8BITMIME", "FROM:", 0, "a@b.example", "SIZE=100 BODY=8BITMIME");
	path("FROM:<>", "FROM:", 0, "", "");
	path("FROM: <a@b>", "FROM:", 0, "a@b", "");
	path("TO:<@relay.example:u@x.example>", "TO:", 0, "u@x.example", "");
	path("TO:<\"odd>name\"@x.example>", "TO:", 0, "\"odd>name\"@x.example", "");
	path("FROM:a@b", "FROM:", -1, NULL, NULL);
	path("FROM:<a@b", "FROM:", -1, NULL, NULL);
	path("TO:<a\x01@b>", "TO:", -1, NULL, NULL);
	path("FROM:<a@b>", "TO:", -1, NULL, NULL);

	struct lmtp_data d;
	int ended;
	char *out = decode("Subject: x\r\n\r\n..leading dot\r\n.\r\n", 1000, &ended, &d);
	T_INT(ended, 1, "CRLF.CRLF ends data");
	T_STR(out, "Subject: x\r\n\r\n.leading dot\r\n", "dot-unstuffing");
	free(d.buf);

	out = decode("a\nb\r\n.\n.\r\n", 1000, &ended, &d);
	T_INT(ended, 1, "ends at the CRLF dot line only");
	T_STR(out, "a\r\nb\r\n\r\n", "bare LF normalised; '.' LF is a data line, not the end");
	free(d.buf);

	out = decode("x\ry\r\n.\r\n", 1000, &ended, &d);
	T_STR(out, "x\ry\r\n", "bare CR kept as a byte");
	free(d.buf);

	out = decode("0123456789\r\n.\r\n", 5, &ended, &d);
	T_INT(d.line_too_long, 1, "line over the limit flagged");
	free(d.buf);

	memset(&d, 0, sizeof(d));
	d.max_size = 8;
	d.max_line = 1000;
	lmtp_data_line(&d, "0123456789\r\n", 12);
	T_INT(d.too_big, 1, "size limit flagged");
	T_INT(lmtp_data_line(&d, ".\r\n", 3), 1, "still finds the end after too big");
	free(d.buf);

	/* a long line arriving in chunks is one line */
	memset(&d, 0, sizeof(d));
	d.max_size = 1 << 20;
	d.max_line = 10;
	lmtp_data_line(&d, "123456", 6);
	lmtp_data_line(&d, "789012\r\n", 8);
	T_INT(d.line_too_long, 1, "chunked line length summed");
	T_STR(d.buf, "123456789012\r\n", "chunks joined");
	free(d.buf);
	T_DONE();
}
