/* fuzz_dmarc.c - the DMARC record parser and the From author extraction
 * (GMime address parser + the fallback scan) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct dmarc_record r;
	struct dmarc_authors a;
	char t[DMARC_WALK_MAX][DMARC_DOMAIN_MAX];
	if (!init++)
		g_mime_init();
	dmarc_record_parse((const char *)data, size, &r);
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	dmarc_authors_parse(s, &a);
	if (size < 300)
		dmarc_walk_targets(s, t);
	free(s);
	return 0;
}
