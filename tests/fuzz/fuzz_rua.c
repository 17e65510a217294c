/* fuzz_rua.c - report_rua_parse() on arbitrary bytes (a DMARC record's rua,
 * or one from a _report._dmarc record): at most max addresses, each
 * "local@domain" in printable ASCII with a lower-case domain, no
 * duplicates; and a whole DMARC record through dmarc_record_parse()
 * first, whose rua must never end in a partial URI. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "report_rec.h"

static void check(const char *rua, size_t max)
{
	char a[8][REPORT_ADDR_MAX];
	size_t n = report_rua_parse(rua, max, a);
	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *at = strrchr(a[i], '@');
		if (!at || at == a[i] || !at[1] || strlen(a[i]) >= REPORT_ADDR_MAX)
			abort();
		for (const char *p = a[i]; *p; p++)
			if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
			    (p > at && isupper((unsigned char)*p)))
				abort();
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(a[i], a[j]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	check(s, 8);
	check(s, 1);
	struct dmarc_record r;
	if (dmarc_record_parse(s, size, &r) == 0) {
		if (strlen(r.rua) >= sizeof r.rua)
			abort();
		check(r.rua, 8);
	}
	free(s);
	return 0;
}
