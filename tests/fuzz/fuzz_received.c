/* fuzz_received.c - client_parse_received() on arbitrary bytes, and the
 * same bytes as a Received header walked by client_find(). */
#include "client.h"
#include "conf.h"
#include "msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *c;
	if (!c) {
		const char *err;
		c = conf_parse_string("trusted_mtas = mx.our.example\n"
				      "internal_networks = 10.0.0.0/8 ::1/128\n", "fuzz", &err);
		if (!c)
			abort();
	}
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct received r;
	if (client_parse_received(s, &r) == 0) {
		/* every field is a NUL-terminated string inside its buffer */
		if (strlen(r.ip) >= sizeof(r.ip) || strlen(r.by) >= sizeof(r.by))
			abort();
	} else if (!r.error) {
		abort();
	}
	free(s);

	/* as a message: "Received: <data>\r\n" twice, then a body */
	size_t len = 2 * (size + 12) + 4;
	char *m = malloc(len + 1);
	size_t o = 0;
	for (int k = 0; k < 2; k++) {
		memcpy(m + o, "Received: ", 10); o += 10;
		memcpy(m + o, data, size); o += size;
		memcpy(m + o, "\r\n", 2); o += 2;
	}
	memcpy(m + o, "\r\nx", 3); o += 3;
	m[o] = 0;
	struct msg msg;
	const char *err;
	if (msg_init(&msg, m, o, 100, &err) == 0) {
		struct client cl;
		client_find(&cl, c, &msg, NULL, "a@b.example");
		msg_clear(&msg);
	} else {
		msg_clear(&msg);
	}
	return 0;
}
