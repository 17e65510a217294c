/* html2text.h - the text of an HTML part, for Sieve's body :text (RFC 5173
 * section 5.2: "Sophisticated implementations MAY strip mark-up from the
 * text prior to matching").
 *
 * The rules are those Pigeonhole's body :text applies (Dovecot's
 * html2text), measured with its sieve-test, so that a user's script
 * matches the same text with either:
 *   - every tag becomes one space, unless the text so far is empty or
 *     already ends in white space ("x<b>y" is "x y", "a <b>b" is "a b");
 *   - comments, <script> and <style> elements leave nothing;
 *   - character references are decoded to UTF-8 (named ones of a fixed
 *     table, &#N; and &#xH;), &nbsp; is U+00A0; an unknown or unfinished
 *     one leaves nothing;
 *   - CR is dropped (lines end in LF), other white space is kept as it is.
 * The result is never longer than the input: allocation is bounded by it.
 */
#ifndef AUTHDELIVER_HTML2TEXT_H
#define AUTHDELIVER_HTML2TEXT_H

#include <stddef.h>

/* malloc'd, NUL-terminated; *len_r its length; NULL when out of memory. */
char *html2text(const char *html, size_t len, size_t *len_r);

#endif
