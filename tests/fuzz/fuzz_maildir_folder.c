/* fuzz_maildir_folder.c - folder names (Sieve fileinto, user scripts)
 * through maildir_folder_dir: an accepted name must be one safe directory
 * name ("" or "." followed by printable ASCII, no '/', no empty level). */
#include "maildir.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[300];
	const char *err;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (maildir_folder_dir(s, out, sizeof(out), &err) == 0 && out[0]) {
		size_t n = strlen(out);

		if (out[0] != '.' || n > 255 || strchr(out, '/') || strstr(out, "..") ||
		    out[n - 1] == '.')
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
				abort();
	}
	free(s);
	return 0;
}
