/* fuzz_spf.c - libFuzzer target for the SPF record parser, the macro
 * expander (all three modes, IPv4 and IPv6) and the Received-SPF / A-R
 * writers.  No DNS: %{p} comes from a fixed string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spf_record r;
	char err[96], out[600], small[40];
	const char *s = (const char *)data;

	spf_parse_record(s, size, &r, err, sizeof(err));

	struct spf_macro_env env;
	memset(&env, 0, sizeof(env));
	env.sender = "strong-bad@email.example.com";
	env.local = "strong-bad";
	env.sender_domain = env.domain = "email.example.com";
	env.helo = "mx.example.org";
	env.receiver = "rcv.example";
	env.validated = "mx.example.org";
	env.now = 1;
	for (int af = 4; af <= 6; af += 2) {
		env.af = af;
		memset(env.ip, af == 4 ? 0xc0 : 0x20, sizeof(env.ip));
		for (int m = SPF_MACRO_DOMAIN; m <= SPF_MACRO_EXPLAIN; m++) {
			int n = spf_expand_macro(&env, s, size, (enum spf_macro_mode)m,
						 out, sizeof(out), err, sizeof(err));
			if (n >= 0 && strlen(out) >= sizeof(out))
				abort();
			if (m == SPF_MACRO_DOMAIN && n > 253)
				abort();	/* RFC 7208 section 7.3 */
			spf_expand_macro(&env, s, size, (enum spf_macro_mode)m,
					 small, sizeof(small), NULL, 0);
		}
	}
	/* the input as the sender and helo of a Received-SPF header */
	char text[512];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = 0;
	struct spf_result res;
	memset(&res, 0, sizeof(res));
	res.code = size ? (enum auth_code)(data[0] % 8) : AUTH_NONE;
	strcpy(res.identity, "mailfrom");
	strncpy(res.sender, text, sizeof(res.sender) - 1);
	strncpy(res.domain, text, sizeof(res.domain) - 1);
	strncpy(res.problem, text, sizeof(res.problem) - 1);
	strncpy(res.mechanism, text, sizeof(res.mechanism) - 1);
	strncpy(res.reason, text, sizeof(res.reason) - 1);
	struct spf_request req = { text, text, text, text };
	char *h = spf_received_spf(&res, &req, NULL);
	free(h);
	char ar[300];
	spf_ar(&res, ar, sizeof(ar));
	return 0;
}
