/* fuzz_keyrec.c - keyrec_parse() on arbitrary TXT data: either a usable
 * key or a permerror with a reason, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "keyrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *c;
	if (!c) {
		const char *err;
		c = conf_parse(NULL, &err);
		if (!c)
			abort();
	}
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct keyrec k;
	char reason[128];
	keyrec_init(&k);
	enum auth_code rc = keyrec_parse(&k, s, size, c, reason, sizeof(reason));
	if (rc == AUTH_PASS && (!k.key || k.bits <= 0))
		abort();
	if (rc != AUTH_PASS && (k.key || !reason[0]))
		abort();
	keyrec_clear(&k);
	free(s);
	return 0;
}
