/* fuzz_tagval.c - tagval_parse() on arbitrary bytes: every slice stays
 * inside the input, names are never empty, no duplicates survive. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tagval.h"

static int item(const char *s, size_t n, void *ctx)
{
	(void)s;
	*(size_t *)ctx += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	memcpy(s, data, size);
	struct tagval_list l;
	const char *err = NULL;
	if (tagval_parse(&l, s, size, 64, 65536, &err) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			const struct tagval_tag *t = &l.tags[i];
			if (t->name_len == 0 || t->name < s || t->name + t->name_len > s + size ||
			    t->value < s || t->value + t->value_len > s + size ||
			    t->raw < s || t->raw + t->raw_len > s + size ||
			    t->value < t->raw || t->value + t->value_len > t->raw + t->raw_len)
				abort();
			for (size_t j = 0; j < i; j++)
				if (l.tags[j].name_len == t->name_len &&
				    !memcmp(l.tags[j].name, t->name, t->name_len))
					abort();
			size_t total = 0;
			if (tagval_split(t->value, t->value_len, ':', 1000, item, &total) == 0 &&
			    total > t->value_len)
				abort();
			char buf[64];
			tagval_copy_nows(t, buf, sizeof(buf));
		}
		tagval_clear(&l);
	} else if (!err || l.n != 0) {
		abort();
	}
	free(s);
	return 0;
}
