/* test_log.c - the log escaping rule (log.h): controls, DEL and 8-bit
 * bytes as \xNN, a backslash as \\, never half an escape when cut; and a
 * per-recipient line with hostile values stays one ASCII line with its
 * fields in order. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "t.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "", "" },
	{ "plain <a@b.example>, x=1", "plain <a@b.example>, x=1" },
	{ "a\rb\nc", "a\\x0db\\x0ac" },
	{ "\x1b[31mred", "\\x1b[31mred" },
	{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
	{ "tab\there", "tab\\x09here" },
	{ "j\xc3\xb6rg", "j\\xc3\\xb6rg" },
	{ "\xff\x80", "\\xff\\x80" },
	{ "back\\slash", "back\\\\slash" },
	{ "\\x41", "\\\\x41" },	/* a literal "\x41" is not an escape */
	{ " ~", " ~" },
};

int main(void)
{
	char out[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "log_escape case %zu", i);
		size_t n = log_escape(out, sizeof(out), cases[i].in);
		T_STR(out, cases[i].want, name);
		T_INT(n, strlen(cases[i].want), "log_escape length");
	}

	/* cut: never half an escape, always NUL-terminated */
	T_INT(log_escape(out, 4, "\x1b"), 0, "no room for \\x1b: nothing");
	T_STR(out, "", "no room for \\x1b: empty");
	T_INT(log_escape(out, 5, "\x1b" "a"), 4, "room for \\x1b only");
	T_STR(out, "\\x1b", "room for \\x1b only: no 'a'");
	T_INT(log_escape(out, 3, "ab\\"), 2, "no room for \\\\: stops before it");
	T_STR(out, "ab", "no room for \\\\: text before it kept");
	out[0] = 'z';
	T_INT(log_escape(out, 0, "abc"), 0, "size 0 writes nothing");
	T_INT(out[0], 'z', "size 0: buffer untouched");

	/* log_rcpt over stderr: one line, escaped, the fields as before */
	FILE *tf = tmpfile();
	T_OK(tf != NULL, "temp file");
	if (!tf)
		T_DONE();
	int fd = fileno(tf);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_set_stderr(1);
	log_rcpt(&(struct log_rcpt){
		.queue_id = "Q1", .to = "j\xc3\xb6rg@example.org", .from = "a\x1b[2J@b.example",
		.msgid = "id\x01\x7f\xe2\x82\xac@x", .size = 42, .delay = 0.5,
		.folder = "Caf\xc3\xa9\nINBOX", .st = ST_DELIVERED, .text = "ok\r\nfake: line" });
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	char got[4096] = "";
	ssize_t n = pread(fd, got, sizeof(got) - 1, 0);
	fclose(tf);
	got[n > 0 ? n : 0] = '\0';
	char *nl = strchr(got, '\n');
	T_OK(nl && nl[1] == '\0', "log_rcpt: exactly one line");
	bool ascii = true;
	for (const char *p = got; *p; p++)
		if ((unsigned char)*p >= 0x7f || ((unsigned char)*p < 0x20 && *p != '\n'))
			ascii = false;
	T_OK(ascii, "log_rcpt: printable ASCII only");
	const char *want = "Q1: to=<j\\xc3\\xb6rg@example.org>, from=<a\\x1b[2J@b.example>, "
			   "message-id=<id\\x01\\x7f\\xe2\\x82\\xac@x>, size=42, delay=0.500, "
			   "folder=Caf\\xc3\\xa9\\x0aINBOX, result=delivered, status=250 2.0.0 "
			   "ok\\x0d\\x0afake: line\n";
	const char *body = strstr(got, "Q1: ");
	T_STR(body, want, "log_rcpt: fields escaped, format kept");
	T_DONE();
}
