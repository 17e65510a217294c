/* test_msg.c - header index over wire bytes: folding, odd separators,
 * limits, and slices that point into the original bytes. */
#include <stdlib.h>

#include "msg.h"
#include "t.h"

static struct msg load(const char *text, size_t max, int *rc, const char **err)
{
	struct msg m;
	char *d = strdup(text);
	*rc = msg_init(&m, d, strlen(text), max, err);
	return m;
}

int main(void)
{
	int rc;
	const char *err = NULL;
	struct msg m = load("From: a@b\r\nSubject: one\r\n two\r\n\tthree\r\nX-Empty:\r\n\r\nbody\r\n", 100, &rc, &err);
	T_INT(rc, 0, "indexes a simple message");
	T_INT(m.nhdrs, 3, "three header fields");
	T_INT(msg_hdr_find(&m, "subject", 0), 1, "find is case-insensitive");
	char *v = msg_hdr_value(&m, 1);
	T_STR(v, "one two\tthree", "unfolded value");
	free(v);
	v = msg_hdr_value(&m, 2);
	T_STR(v, "", "empty value");
	free(v);
	T_STR(m.data + m.body_off, "body\r\n", "body offset after the blank line");
	size_t rl;
	const char *raw = msg_hdr_raw_value(&m, 1, &rl);
	T_INT(rl, strlen(" one\r\n two\r\n\tthree\r\n"), "raw value keeps folding and CRLF");
	T_OK(raw > m.data && raw < m.data + m.len, "raw value is a slice of the bytes");
	T_INT(msg_hdr_count(&m, "FROM"), 1, "count");
	msg_clear(&m);

	m = load("From : a@b\r\nNot a header line\r\nSubject: x\r\n\r\n", 100, &rc, &err);
	T_INT(m.nhdrs, 1, "WSP before colon accepted; a line without colon ends the header");
	T_STR(m.data + m.body_off, "Not a header line\r\nSubject: x\r\n\r\n", "the rest is body");
	msg_clear(&m);

	m = load("A: 1\r\nB: 2\r\nC: 3\r\n\r\n", 2, &rc, &err);
	T_INT(rc, SE_MALFORMED, "header count limit: malformed (a permanent kind)");
	T_STR(err, "too many header fields", "limit error text");
	msg_clear(&m);

	m = load("", 10, &rc, &err);
	T_INT(rc, 0, "empty message");
	T_INT(m.nhdrs, 0, "no headers");
	msg_clear(&m);

	m = load("Subject: no body, no blank line\r\n", 10, &rc, &err);
	T_INT(m.nhdrs, 1, "header without body");
	T_INT(m.has_body_sep, 0, "no separator");
	msg_clear(&m);

	m = load("Message-ID:  <abc@example.org> (comment)\r\n\r\n", 10, &rc, &err);
	v = msg_message_id(&m);
	T_STR(v, "abc@example.org", "message-id for the log");
	free(v);
	msg_clear(&m);

	/* the bytes are kept: the log escapes them (log.h), not the parser */
	m = load("Message-ID: <a\x01\x1b\xc3\xa9@x>\r\n\r\n", 10, &rc, &err);
	v = msg_message_id(&m);
	T_STR(v, "a\x01\x1b\xc3\xa9@x", "message-id bytes kept for log_escape");
	free(v);
	msg_clear(&m);

	size_t ol;
	char *o = msg_lf_to_crlf("a\nb\r\nc\rd\n", 9, &ol);
	T_STR(o, "a\r\nb\r\nc\rd\r\n", "LF to CRLF, CRLF and bare CR kept");
	free(o);
	T_DONE();
}
