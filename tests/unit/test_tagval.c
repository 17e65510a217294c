/* test_tagval.c - tag=value lists (RFC 6376 §3.2): table of inputs, the
 * tags or the error we want. */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "tagval.h"

static const struct {
	const char *in;
	const char *want;	/* "name=value|..." or "!error" */
} cases[] = {
	{ "v=1; a=rsa-sha256", "v=1|a=rsa-sha256|" },
	{ "v=1;a=rsa-sha256;", "v=1|a=rsa-sha256|" },
	{ "  v = 1 ;\r\n\ta =\r\n rsa-sha256 ; ", "v=1|a=rsa-sha256|" },
	{ "h=From:To:\r\n\tSubject; b=abc\r\n def", "h=From:To:\r\n\tSubject|b=abc\r\n def|" },
	{ "p=", "p=|" },
	{ "p=; k=rsa", "p=|k=rsa|" },
	{ "", "" },
	{ " \t ", "" },
	{ "a=1;;b=2", "a=1|b=2|" },
	{ "x_y9=z", "x_y9=z|" },
	{ "n=caf\xc3\xa9", "n=caf\xc3\xa9|" },
	{ "v=1\r\n", "v=1|" },
	{ "a=1; a=2", "!duplicate tag" },
	{ "a=1; A=2", "a=1|A=2|" },	/* tag names are case-sensitive */
	{ "1a=2", "!bad tag name" },
	{ "a", "!tag without \"=\"" },
	{ "a b=1", "!tag without \"=\"" },
	{ "a=1 ; =2", "!bad tag name" },
	{ "a=x\x01y", "!bad character in tag value" },
	{ "a=x\r\ny", "!bad character in tag value" },	/* CRLF without WSP */
	{ "a=x\ny", "!bad character in tag value" },
};

static int count(const char *it, size_t len, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

int main(void)
{
	char got[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tagval_list l;
		const char *err = NULL;
		char name[64];
		snprintf(name, sizeof(name), "tagval case %zu", i);
		if (tagval_parse(&l, cases[i].in, strlen(cases[i].in), 64, 4096,
				 &err) < 0) {
			snprintf(got, sizeof(got), "!%s", err);
		} else {
			got[0] = 0;
			for (size_t k = 0; k < l.n; k++) {
				size_t o = strlen(got);
				snprintf(got + o, sizeof(got) - o, "%.*s=%.*s|",
					 (int)l.tags[k].name_len, l.tags[k].name,
					 (int)l.tags[k].value_len, l.tags[k].value);
			}
			tagval_clear(&l);
		}
		T_STR(got, cases[i].want, name);
	}

	/* raw span of b=: everything between "=" and ";" */
	const char *s = "a=1; b= ab\r\n cd ;c=2";
	struct tagval_list l;
	const char *err;
	T_INT(tagval_parse(&l, s, strlen(s), 64, 4096, &err), 0, "raw: parses");
	const struct tagval_tag *b = tagval_get(&l, "b");
	T_OK(b && b->raw == s + 7 && b->raw_len == 9, "raw: b= raw span covers surrounding FWS");
	char buf[16];
	T_INT(tagval_copy_nows(b, buf, sizeof(buf)), 4, "copy_nows length");
	T_STR(buf, "abcd", "copy_nows drops FWS");
	T_INT(tagval_copy_nows(b, buf, 4), -1, "copy_nows too small");
	T_OK(tagval_is(tagval_get(&l, "c"), "2"), "tagval_is");
	T_OK(!tagval_get(&l, "d"), "absent tag");
	tagval_clear(&l);

	/* caps */
	T_INT(tagval_parse(&l, "a=1;b=2;c=3", 11, 2, 4096, &err), -1, "max tags");
	T_STR(err, "too many tags", "max tags reason");
	T_INT(tagval_parse(&l, "a=1;b=2;c=3", 11, 64, 10, &err), -1, "max length");
	T_STR(err, "tag list too long", "max length reason");

	/* split */
	int n = 0;
	T_INT(tagval_split("From : To:\r\n Subject", 20, ':', 10, count, &n), 0, "split ok");
	T_INT(n, 3, "split count");
	T_INT(tagval_split("a:b:c", 5, ':', 2, count, &n), -1, "split cap");
	T_DONE();
}
