/* fuzz_msg.c - the header index (msg_init) and its accessors on arbitrary
 * bytes: every slice stays inside the message, errors are values with a
 * reason, and the LF-to-CRLF conversion of pipe mode round-trips. */
#include "msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t max = 1 + data[0] % 64;
	char *d = malloc(size);
	memcpy(d, data + 1, size - 1);
	size_t len;
	/* as pipe mode does: LF -> CRLF first, half of the time */
	char *wire = (data[0] & 0x80) ? msg_lf_to_crlf(d, size - 1, &len) : NULL;
	if (wire) {
		free(d);
	} else {
		wire = realloc(d, size);
		if (!wire)
			abort();
		len = size - 1;
		wire[len] = 0;
	}
	struct msg m;
	const char *err = (const char *)1;
	enum status_err se = msg_init(&m, wire, len, max, &err);
	if (se == SE_OK) {
		if (err != NULL)
			abort();
		if (m.body_off > m.len || m.nhdrs > max)
			abort();
		for (size_t i = 0; i < m.nhdrs; i++) {
			const struct msg_hdr *h = &m.hdrs[i];
			if (h->off + h->len > m.len || h->name_len == 0 || h->name_len >= h->len)
				abort();
			if (h->off + h->len > m.body_off)
				abort();
			size_t vl;
			const char *v = msg_hdr_raw_value(&m, i, &vl);
			if (v < m.data || v + vl > m.data + m.len)
				abort();
			char *val = msg_hdr_value(&m, i);
			if (val && strlen(val) > vl)
				abort();
			free(val);
			if (msg_hdr_find(&m, "from", 0) != MSG_NOT_FOUND &&
			    msg_hdr_count(&m, "FROM") == 0)
				abort();
		}
		char *id = msg_message_id(&m);
		if (id && strlen(id) > 200)
			abort();
		free(id);
	} else if ((se != SE_MALFORMED && se != SE_NOMEM) || !err || !*err) {
		abort();
	}
	msg_clear(&m);
	return 0;
}
