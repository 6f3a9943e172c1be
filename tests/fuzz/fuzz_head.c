/*
 * fuzz_head.c — head_scan and head_content_length on arbitrary bytes, as
 * the front loop peeks them off a new connection.
 *
 * Invariants:
 *   - a verdict is one of the four; a message comes with TOO_LARGE and
 *     BAD_FRAMING only;
 *   - INCOMPLETE only below HEAD_MAX bytes; a complete head (OK or
 *     BAD_FRAMING; but a folded line is refused as soon as it is seen) is at
 *     most HEAD_MAX bytes, ends with its blank line, has
 *     at most HEAD_MAX_FIELDS fields and HEAD_MAX_ARGS arguments (OK);
 *   - peeking is consistent: the head's own bytes give the same verdict and
 *     length, one byte fewer gives INCOMPLETE (what the front loop waits
 *     on), and more bytes after a complete head change nothing;
 *   - the Content-Length count matches a plain reference count of lines
 *     naming it, and head_content_length agrees with strtoull on the
 *     digits it accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

#include "http/head.h"

/* Lines of the head (after the request line) that start "content-length:". */
static unsigned reference_cl(const char *b, size_t len)
{
	unsigned n = 0;

	for (size_t i = 0; i + 1 < len; i++)
		if (b[i] == '\n' && len - (i + 1) >= 15 &&
		    !strncasecmp(b + i + 1, "content-length:", 15))
			n++;
	return n;
}

static void check_content_length(const uint8_t *data, size_t size)
{
	unsigned long long n = 12345, ref;
	char buf[32], *end;
	size_t d = 0, i = 0;

	if (head_content_length((const char *)data, size, &n)) {
		CHECK(n == 12345);
		return;
	}
	while (i < size && (data[i] == ' ' || data[i] == '\t'))
		i++;
	for (; i < size && data[i] >= '0' && data[i] <= '9'; i++)
		buf[d++] = (char)data[i];
	CHECK(d >= 1 && d <= 18);
	for (; i < size; i++)
		CHECK(data[i] == ' ' || data[i] == '\t');
	buf[d] = '\0';
	ref = strtoull(buf, &end, 10);
	CHECK(*end == '\0' && ref == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct head_info h, h2;
	enum head_verdict v = head_scan(b, size, &h), v2;

	check_content_length(data, size);
	CHECK(v == HEAD_INCOMPLETE || v == HEAD_OK || v == HEAD_TOO_LARGE ||
	      v == HEAD_BAD_FRAMING);
	CHECK((h.message != NULL) == (v == HEAD_TOO_LARGE || v == HEAD_BAD_FRAMING));
	CHECK(h.fields <= HEAD_MAX_FIELDS || (v == HEAD_TOO_LARGE && h.fields == HEAD_MAX_FIELDS + 1));
	if (v == HEAD_INCOMPLETE)
		CHECK(size < HEAD_MAX);
	if (v == HEAD_TOO_LARGE && h.len) {
		CHECK(h.args > HEAD_MAX_ARGS);
		CHECK(h.len <= HEAD_MAX);
	}
	if (v == HEAD_BAD_FRAMING && !h.len)   /* folding: refused before the end */
		CHECK(strstr(h.message, "folding") != NULL);
	if ((v != HEAD_OK && v != HEAD_BAD_FRAMING) || !h.len)
		return 0;
	CHECK(h.len >= 1 && h.len <= size && h.len <= HEAD_MAX);
	CHECK(b[h.len - 1] == '\n');
	CHECK(h.len <= 2 || b[h.len - 2] == '\n' ||
	      (b[h.len - 2] == '\r' && b[h.len - 3] == '\n'));
	if (v == HEAD_OK) {
		CHECK(h.args <= HEAD_MAX_ARGS);
		CHECK(!memchr(b, '\n', h.len - 1) || h.content_lengths == reference_cl(b, h.len));
	}
	/* the same head alone, and the head less its last byte */
	v2 = head_scan(b, h.len, &h2);
	CHECK(v2 == v && h2.len == h.len && h2.fields == h.fields && h2.args == h.args);
	CHECK(h2.content_lengths == h.content_lengths);
	v2 = head_scan(b, h.len - 1, &h2);
	CHECK(v2 == HEAD_INCOMPLETE);
	return 0;
}
