/* tagval.h - tag=value lists (RFC 6376 section 3.2): DKIM-Signature, DKIM
 * key records, ARC-Seal, ARC-Message-Signature, DMARC records.
 *
 * Takes the bytes of a list (a header value with its folding, or a TXT
 * record); returns the tags as slices into those bytes (borrowed: valid
 * while the input lives; nothing is copied or unfolded).  Never accepts a
 * duplicate tag, never reads past len, and stops at the caller's caps.
 */
#ifndef AUTHDELIVER_TAGVAL_H
#define AUTHDELIVER_TAGVAL_H

#include <stdbool.h>
#include <stddef.h>

struct tagval_tag {
	const char *name;	/* ALPHA *(ALPHA / DIGIT / "_"), case-sensitive */
	size_t name_len;
	const char *value;	/* tag-value without leading/trailing FWS; may
				 * hold inner FWS (h=, b= folded) */
	size_t value_len;
	const char *raw;	/* everything between "=" and the ";" (or the
				 * end), surrounding FWS included: the span a
				 * verifier deletes for "b=" (RFC 6376 §3.7) */
	size_t raw_len;
};

struct tagval_list {
	size_t n;
	struct tagval_tag *tags;	/* in the order written */
};

/* Parse s[0..len).  max_tags and max_len are the caller's caps (from conf).
 * Returns 0, or -1 with a static reason in error_r ("duplicate tag b=",
 * "tag list too long", "bad tag name", ...); the caller turns that into a
 * permerror.  On error the list is empty (no need to clear it, though
 * tagval_clear() is harmless). */
int tagval_parse(struct tagval_list *l, const char *s, size_t len,
		 size_t max_tags, size_t max_len, const char **error_r);
void tagval_clear(struct tagval_list *l);

/* The tag with this name, or NULL. */
const struct tagval_tag *tagval_get(const struct tagval_list *l,
				    const char *name);
/* Does the tag's value equal s exactly (case-sensitive / -insensitive)? */
bool tagval_is(const struct tagval_tag *t, const char *s);
bool tagval_is_ci(const struct tagval_tag *t, const char *s);
/* Copy the value into buf without any FWS (for b=, bh=, p=, h=), NUL-
 * terminated.  Returns the length, or -1 when it does not fit. */
long tagval_copy_nows(const struct tagval_tag *t, char *buf, size_t size);
/* The value of tag name (FWS removed) into buf: 0 when the tag is present
 * and fits, else -1 (absent, or too long).  An empty value is 0 with "". */
int tagval_get_copy(const struct tagval_list *l, const char *name, char *buf, size_t size);

/* Split a colon-separated list value (h=, s=, key h=) into items with FWS
 * around each item trimmed.  Calls fn(item, len, ctx) for each item,
 * stops early when fn returns non-zero and returns that value; returns -1
 * when more than max items (an empty item counts too), else 0. */
int tagval_split(const char *v, size_t len, char sep, size_t max,
		 int (*fn)(const char *item, size_t len, void *ctx), void *ctx);

#endif
