/* fuzz_zone.c - the offline zone-file loader (tokenizer, directives,
 * owner/TTL/class/type fields) on arbitrary bytes, then one lookup. */
#include "dns.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(path, sizeof(path), "%s/fuzz_zone.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	const char *err;
	struct dns *d = dns_new(NULL, path, &err);
	unlink(path);
	if (d) {
		dns_answer_free(dns_lookup(d, "example.com", DNS_T_TXT));
		dns_free(d);
	}
	return 0;
}
