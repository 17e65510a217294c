/* fuzz_recipient_split.c - RCPT TO addresses (network bytes) through recipient_split. */
#include "recipient.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *l, *d, *dom;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (recipient_split(s, "+-", &l, &d, &dom) == 0) {
		if (!l || !dom || strlen(l) > size || strlen(dom) > size)
			abort();
		free(l);
		free(d);
		free(dom);
	}
	free(s);
	return 0;
}
