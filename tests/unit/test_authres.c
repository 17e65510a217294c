/* test_authres.c - the Authentication-Results reader: authserv-id behind
 * CFWS and comments, versions, no-result, methods and properties, reason,
 * comments that look like results, hostile nesting and truncation. */
#include "authres.h"
#include "t.h"

static void test_servid(void)
{
	static const struct { const char *v, *want; } t[] = {
		{ " mx.example.org; spf=pass", "mx.example.org" },
		{ "mx.example.org 1; none", "mx.example.org" },
		{ " (comment (nested)) mx.example.org; dmarc=pass", "mx.example.org" },
		{ "\r\n\tMX.Example.ORG\r\n ;dkim=pass", "MX.Example.ORG" },
		{ "\"quoted.example\"; none", "quoted.example" },
		{ "mx.example.org(c);spf=pass", "mx.example.org" },
		{ "", NULL },
		{ " (unterminated mx.example.org; dmarc=pass", NULL },
		{ "((((((((((deep))))))))) mx.example.org; x=y", NULL },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char id[64], n[100];
		int rc = authres_servid(t[i].v, strlen(t[i].v), id, sizeof id);
		snprintf(n, sizeof n, "servid %zu", i);
		if (t[i].want)
			T_STR(rc >= 0 ? id : "(none)", t[i].want, n);
		else
			T_INT(rc, -1, n);
	}
	char small[4];
	T_INT(authres_servid("mx.example.org;", 15, small, sizeof small), -1, "servid too long for buffer");
}

static void test_parse(void)
{
	struct authres_item it[4];
	const char *v = "mx.example.org; spf=pass (sender ok) smtp.mailfrom=example.com;\r\n"
			"\tdkim=pass (2048-bit key; secure) header.d=example.com header.i=@example.com"
			" header.b=AbCdEfGh; dmarc=fail reason=\"p=reject\" header.from=example.com;"
			" arc=pass (i=1; dmarc=pass) header.oldest-pass=1";
	int n = authres_parse(v, strlen(v), it, 4);
	T_INT(n, 4, "parse four methods");
	T_STR(it[0].method, "spf", "parse method 0");
	T_STR(authres_prop(&it[0], "smtp", "mailfrom"), "example.com", "parse smtp.mailfrom");
	T_STR(it[1].result, "pass", "parse dkim result");
	T_STR(authres_prop(&it[1], "header", "i"), "@example.com", "parse header.i with @");
	T_STR(authres_prop(&it[1], "header", "b"), "AbCdEfGh", "parse header.b");
	T_STR(it[2].result, "fail", "parse result after comment-free reason");
	T_STR(it[2].reason, "p=reject", "parse reason quoted");
	T_STR(authres_prop(&it[3], "header", "oldest-pass"), "1", "parse property with dash");
	T_OK(authres_prop(&it[3], "header", "dmarc") == NULL, "comment text is not a property");

	T_INT(authres_parse("mx.example.org; none", 20, it, 4), 0, "parse no-result");
	T_INT(authres_parse("mx.example.org none", 19, it, 4), 0, "parse RFC 7001 bare none");
	T_INT(authres_parse("mx.example.org junk", 19, it, 4), -1, "parse junk after id");
	T_INT(authres_parse("mx.example.org; spf/1 = PASS smtp.helo=h", 40, it, 4), 1, "parse method version");
	T_STR(it[0].result, "pass", "parse result lower-cased");
	T_INT(authres_parse("mx.example.org; spf=pass; =; dkim=pass", 38, it, 4), 1,
	      "parse stops at a syntax error, keeps earlier items");
	const char *many = "x; a=pass; b=pass; c=pass; d=pass; e=pass; f=pass";
	T_INT(authres_parse(many, strlen(many), it, 4), 4, "parse bounded by max");
	char props[2048];
	size_t k = (size_t)snprintf(props, sizeof props, "x; dkim=pass");
	for (int i = 0; i < 20; i++)
		k += (size_t)snprintf(props + k, sizeof props - k, " header.p%d=v", i);
	T_INT(authres_parse(props, k, it, 4), 1, "parse many properties");
	T_INT(it[0].nprops, AUTHRES_MAX_PROPS, "properties capped");
}

int main(void)
{
	test_servid();
	test_parse();
	T_DONE();
}
