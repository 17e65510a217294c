/* test_lmtp.c - LMTP command argument parsing and DATA decoding. */
#include <stdlib.h>

#include "lmtp.h"
#include "t.h"

static void path(const char *arg, const char *prefix, int want_rc, const char *want_addr,
		 const char *want_params)
{
	char *addr = (char *)"unset";
	const char *params = NULL;
	char name[256];
	int rc = lmtp_parse_path(arg, prefix, &addr, &params);
	if (rc != 0) {
		snprintf(name, sizeof(name), "parse_path(%s) sets addr_r NULL on failure", arg);
		T_OK(addr == NULL && params && !*params, "%s", name);
		rc = -1;
	}
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
	lmtp_data_init(d, 1 << 20, max_line);
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
	return d->buf.p ? d->buf.p : (char *)"";
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
	buf_clear(&d.buf);

	out = decode("a\nb\r\n.\n.\r\n", 1000, &ended, &d);
	T_INT(ended, 1, "ends at the CRLF dot line only");
	T_STR(out, "a\r\nb\r\n\r\n", "bare LF normalised; '.' LF is a data line, not the end");
	buf_clear(&d.buf);

	out = decode("x\ry\r\n.\r\n", 1000, &ended, &d);
	T_STR(out, "x\ry\r\n", "bare CR kept as a byte");
	buf_clear(&d.buf);

	out = decode("0123456789\r\n.\r\n", 5, &ended, &d);
	T_INT(d.line_too_long, 1, "line over the limit flagged");
	buf_clear(&d.buf);

	lmtp_data_init(&d, 8, 1000);
	lmtp_data_line(&d, "0123456789\r\n", 12);
	T_INT(lmtp_data_status(&d), SE_TOO_BIG, "size limit flagged");
	T_INT(lmtp_data_line(&d, ".\r\n", 3), 1, "still finds the end after too big");
	buf_clear(&d.buf);

	/* a long line arriving in chunks is one line */
	lmtp_data_init(&d, 1 << 20, 10);
	lmtp_data_line(&d, "123456", 6);
	lmtp_data_line(&d, "789012\r\n", 8);
	T_INT(d.line_too_long, 1, "chunked line length summed");
	T_STR(d.buf.p, "123456789012\r\n", "chunks joined");
	buf_clear(&d.buf);

	/* a chunk that ends between CR and LF (a long line and a pause) */
	static const struct { const char *a, *b, *want; const char *name; } split[] = {
		{ "abc\r", "\n", "abc\r\n", "CR | LF is one line end" },
		{ "abc\r", "x\r\n", "abc\rx\r\n", "CR | x: the CR was a bare CR byte" },
		{ "abc\r", "\r\n", "abc\r\r\n", "CR | CRLF: bare CR then the line end" },
		{ "abc\r", "\r", "abc\r", "CR | CR: first CR kept, second held" },
		{ "\r", "\n", "\r\n", "a chunk of one CR, then LF" },
	};
	for (size_t k = 0; k < sizeof(split) / sizeof(split[0]); k++) {
		lmtp_data_init(&d, 1 << 20, 1000);
		d.in_line = true;	/* inside a long line */
		lmtp_data_line(&d, split[k].a, strlen(split[k].a));
		lmtp_data_line(&d, split[k].b, strlen(split[k].b));
		T_STR(d.buf.p ? d.buf.p : "", split[k].want, split[k].name);
		buf_clear(&d.buf);
	}
	lmtp_data_init(&d, 1 << 20, 4);
	d.in_line = true;
	lmtp_data_line(&d, "abc\r", 4);
	lmtp_data_line(&d, "\n", 1);
	T_INT(d.line_too_long, 0, "a held CR that ends the line does not count in its length");
	buf_clear(&d.buf);
	T_DONE();
}
