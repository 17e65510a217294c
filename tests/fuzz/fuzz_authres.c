/* fuzz_authres.c - the Authentication-Results reader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include "authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[64];
	struct authres_item items[4];
	authres_servid((const char *)data, size, id, sizeof id);
	authres_parse((const char *)data, size, items, 4);
	return 0;
}
