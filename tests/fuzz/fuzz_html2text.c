/* fuzz_html2text.c - html2text() (Sieve body :text on HTML parts) on any
 * bytes: no crash, no read past the input, the result never longer than
 * the input and NUL-terminated at its length. */
#include "html2text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = (size_t)-1;
	char *t = html2text((const char *)data, size, &len);
	if (!t)
		return 0;
	if (len > size || t[len] != 0)
		abort();
	free(t);
	return 0;
}
