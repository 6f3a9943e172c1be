/*
 * test_head.c — src/http/head.c: where a request head ends, its bounds
 * (8 KiB, 64 fields, 24 query arguments) and the framing rule of SPEC.md
 * "Safe on the open internet" (one numeric Content-Length, never with
 * Transfer-Encoding).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/head.h"

static enum head_verdict scan(const char *s, struct head_info *h)
{
	return head_scan(s, strlen(s), h);
}

static void test_complete_heads(void **state)
{
	static const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char lf[] = "GET / HTTP/1.1\nHost: x\n\nBODY";
	struct head_info h;

	(void)state;
	assert_int_equal(scan(get, &h), HEAD_OK);
	assert_int_equal(h.len, strlen(get));
	assert_int_equal(h.fields, 1);
	assert_int_equal(h.args, 0);
	assert_null(h.message);
	/* bare LF line ends (lws accepts them too); bytes after the head are not its */
	assert_int_equal(scan(lf, &h), HEAD_OK);
	assert_int_equal(h.len, strlen(lf) - 4);
	/* a body and a second request after the head change nothing */
	assert_int_equal(scan("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n"
			      "Content-Length: x\r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.content_lengths, 1);
	/* an empty first line ends the head at once: lws judges it */
	assert_int_equal(scan("\r\nGET / HTTP/1.1\r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.len, 2);
}

static void test_incomplete_heads(void **state)
{
	static const char *parts[] = { "", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n",
				       "GET / HTTP/1.1\r\nHost: x\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r",
				       "GET / HTTP/1.1\r\nX-Slow: " };
	struct head_info h;

	(void)state;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		assert_int_equal(scan(parts[i], &h), HEAD_INCOMPLETE);
}

/* A head of exactly n bytes: one padding header. */
static char *head_of(size_t n)
{
	static const char pre[] = "GET /healthz HTTP/1.1\r\nX-Pad: ";
	char *s = malloc(n + 1);

	assert_non_null(s);
	assert_true(n > sizeof(pre) + 4);
	memcpy(s, pre, sizeof(pre) - 1);
	memset(s + sizeof(pre) - 1, 'a', n - (sizeof(pre) - 1) - 4);
	memcpy(s + n - 4, "\r\n\r\n", 5);
	return s;
}

static void test_size_bound(void **state)
{
	struct head_info h;
	char *s;

	(void)state;
	s = head_of(HEAD_MAX);
	assert_int_equal(head_scan(s, HEAD_MAX, &h), HEAD_OK);
	assert_int_equal(h.len, HEAD_MAX);
	free(s);
	s = head_of(HEAD_MAX + 1);
	assert_int_equal(head_scan(s, HEAD_MAX + 1, &h), HEAD_TOO_LARGE);
	assert_string_equal(h.message, "The request head is larger than 8192 bytes.");
	/* the first 8192 bytes of it are enough to tell */
	assert_int_equal(head_scan(s, HEAD_MAX, &h), HEAD_TOO_LARGE);
	/* fewer: not yet */
	assert_int_equal(head_scan(s, HEAD_MAX - 1, &h), HEAD_INCOMPLETE);
	free(s);
}

static void test_field_and_argument_bounds(void **state)
{
	char buf[4096];
	struct head_info h;
	size_t n;

	(void)state;
	for (int fields = HEAD_MAX_FIELDS; fields <= HEAD_MAX_FIELDS + 1; fields++) {
		n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
		for (int i = 0; i < fields; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Accept: a\r\n");
		/* too many fields is known before the head ends */
		assert_int_equal(head_scan(buf, n, &h), fields > HEAD_MAX_FIELDS ?
				 HEAD_TOO_LARGE : HEAD_INCOMPLETE);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
		assert_int_equal(head_scan(buf, n, &h), fields > HEAD_MAX_FIELDS ?
				 HEAD_TOO_LARGE : HEAD_OK);
	}
	assert_string_equal(h.message, "The request has more than 64 header fields.");
	assert_int_equal(scan("GET /?a=1&b=2;c HTTP/1.1\r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.args, 3);
	assert_int_equal(scan("GET /? HTTP/1.1\r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.args, 1);
	/* '&' outside the query is no argument */
	assert_int_equal(scan("GET /a&b HTTP/1.1\r\nX: a&b&c\r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.args, 0);
	for (int args = HEAD_MAX_ARGS; args <= HEAD_MAX_ARGS + 1; args++) {
		n = (size_t)snprintf(buf, sizeof(buf), "GET /sse/blogs/a?x");
		for (int i = 1; i < args; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "&x");
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " HTTP/1.1\r\n\r\n");
		assert_int_equal(head_scan(buf, n, &h), args > HEAD_MAX_ARGS ?
				 HEAD_TOO_LARGE : HEAD_OK);
		assert_int_equal(h.args, args);
	}
	assert_string_equal(h.message, "The request line has more than 24 query arguments.");
}

static void expect_framing(const char *head, const char *msg)
{
	struct head_info h;

	assert_int_equal(scan(head, &h), HEAD_BAD_FRAMING);
	assert_string_equal(h.message, msg);
}

static void test_framing(void **state)
{
	static const char dup[] = "The request has more than one Content-Length header.";
	static const char nan[] = "The Content-Length header must be a decimal number of bytes.";
	static const char both[] = "The request has both Transfer-Encoding and Content-Length.";
	struct head_info h;

	(void)state;
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", dup);
	expect_framing("POST /a HTTP/1.1\r\ncontent-length: 5\r\nCONTENT-LENGTH:6\r\n\r\n", dup);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: abc\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: +5\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length:\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n", nan);
	expect_framing("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", both);
	expect_framing("POST /a HTTP/1.1\r\nContent-Length: 5\r\ntransfer-encoding: identity\r\n\r\n", both);
	expect_framing("GET / HTTP/1.1\r\nHost: x\r\n Content-Length: 5\r\n\r\n",
		       "A header line starts with white space (obsolete line folding).");
	/* alone, each is fine for this check (lws answers the chunked one: 411) */
	assert_int_equal(scan("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h), HEAD_OK);
	assert_true(h.transfer_encoding);
	assert_int_equal(scan("POST /a HTTP/1.1\r\nContent-Length:\t17 \r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.content_lengths, 1);
	assert_true(h.content_length_valid);
	/* not those headers */
	assert_int_equal(scan("POST /a HTTP/1.1\r\nX-Content-Length: a\r\nContent-Lengthy: b\r\n"
			      "Content-Length : 3\r\n\r\n", &h), HEAD_OK);
	assert_int_equal(h.content_lengths, 0);
}

static void test_content_length_values(void **state)
{
	unsigned long long n = 7;

	(void)state;
	assert_int_equal(head_content_length("0", 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(head_content_length(" 65536\t", 7, &n), 0);
	assert_int_equal(n, 65536);
	assert_int_equal(head_content_length("999999999999999999", 18, &n), 0);
	assert_int_equal(n, 999999999999999999ULL);
	n = 7;
	assert_int_equal(head_content_length("1000000000000000000", 19, &n), -1);
	assert_int_equal(head_content_length("", 0, &n), -1);
	assert_int_equal(head_content_length("  ", 2, &n), -1);
	assert_int_equal(head_content_length("12a", 3, &n), -1);
	assert_int_equal(head_content_length("1\0002", 3, &n), -1);
	assert_int_equal(n, 7);   /* unchanged on error */
	/* the length given, not the terminator */
	assert_int_equal(head_content_length("12345", 2, &n), 0);
	assert_int_equal(n, 12);
}

static void test_ah_bytes(void **state)
{
	static const char get[] = "GET /ws/blogs/a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n";
	struct head_info h;

	(void)state;
	assert_int_equal(scan(get, &h), HEAD_OK);
	assert_int_equal(head_ah_bytes(&h), strlen(get) + 2 * 6);
	/* the front loop's lws holds the largest head the door lets through */
	h.len = HEAD_MAX;
	h.fields = HEAD_MAX_FIELDS;
	assert_true(head_ah_bytes(&h) < HEAD_AH_FRONT);
}

static void test_framing_rule(void **state)
{
	(void)state;
	assert_null(head_framing(0, true, false));
	assert_null(head_framing(1, true, false));
	assert_null(head_framing(0, true, true));
	assert_non_null(head_framing(2, true, false));
	assert_non_null(head_framing(1, false, false));
	assert_non_null(head_framing(1, true, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_heads),
		cmocka_unit_test(test_incomplete_heads),
		cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_field_and_argument_bounds),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_content_length_values),
		cmocka_unit_test(test_ah_bytes),
		cmocka_unit_test(test_framing_rule),
	};

	return cmocka_run_group_tests_name("head", tests, NULL, NULL);
}
