/* test_html2text.c - the rules of html2text.h (measured against
 * Pigeonhole's body :text with its sieve-test). */
#include <stdlib.h>

#include "html2text.h"
#include "t.h"

static const struct { const char *in, *want; } cases[] = {
	{ "x<b>y</b>z", "x y z" },
	{ "Hello <b>bold</b>", "Hello bold " },
	{ "<p>A</p><p>B</p>", "A B " },
	{ "<html><head><style>p{}</style><script>var a=\"</p>\";</script></head>t", "t" },
	{ "a<!-- c -->b", "a b" },
	{ "a<!-- never closed", "a " },
	{ "&amp;&lt;&gt;&quot;&apos;", "&<>\"'" },
	{ "&#233;&#xE9;&#x263A;", "\xc3\xa9\xc3\xa9\xe2\x98\xba" },
	{ "b&nbsp;w", "b\xc2\xa0w" },
	{ "&bogus;x&amp", "x" },
	{ "& lone", "& lone" },
	{ "&#0;&#xD800;&#99999999999;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "&#;", "" },
	{ "l1\r\nl2", "l1\nl2" },
	{ "<a href=\"x>y\">p</a>", "p " },
	{ "a < b", "a < b" },
	{ "<![CDATA[<raw>]]>z", "<raw>z" },
	{ "<pre>  two   spaces</pre>", "  two   spaces " },
	{ "<img src='a'/>q<unclosed", "q " },
	{ "", "" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = 0;
		char *got = html2text(cases[i].in, strlen(cases[i].in), &len);
		char name[80];
		snprintf(name, sizeof(name), "html2text case %zu", i);
		T_STR(got, cases[i].want, name);
		T_OK(got && len == strlen(got) && len <= strlen(cases[i].in),
		     "html2text case %zu: never longer than the input", i);
		free(got);
	}
	T_DONE();
}
