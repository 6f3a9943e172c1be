/*
 * test_status.c — src/status.c: each outcome maps to the HTTP status and
 * JSON "error" code of SPEC.md "HTTP API".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "status.h"

static void expect_status(enum lb_status st, int http, const char *code)
{
	assert_int_equal(status_http(st), http);
	assert_string_equal(status_code(st), code);
}

static void test_spec_error_codes(void **state)
{
	(void)state;
	expect_status(LB_BAD_REQUEST, 400, "bad_request");
	expect_status(LB_UNAUTHORIZED, 401, "unauthorized");
	expect_status(LB_NOT_FOUND, 404, "not_found");
	expect_status(LB_ENDED, 409, "ended");
	expect_status(LB_CONFLICT, 409, "conflict");
	expect_status(LB_TOO_LARGE, 413, "too_large");
	expect_status(LB_UNAVAILABLE, 503, "unavailable");
}

static void test_other_statuses(void **state)
{
	(void)state;
	expect_status(LB_OK, 200, "ok");
	expect_status(LB_CREATED, 201, "created");
	expect_status(LB_METHOD_NOT_ALLOWED, 405, "method_not_allowed");
	expect_status(LB_LENGTH_REQUIRED, 411, "length_required");
	expect_status(LB_INTERNAL, 500, "internal");
}

static void test_messages(void **state)
{
	(void)state;
	assert_string_equal(status_message(LB_BAD_REQUEST), "The request is malformed.");
	assert_string_equal(status_message(LB_UNAUTHORIZED), "A valid bearer token is required.");
	assert_string_equal(status_message(LB_NOT_FOUND), "No such resource.");
	assert_string_equal(status_message(LB_ENDED),
			    "The liveblog has ended and accepts no more changes.");
	assert_string_equal(status_message(LB_CONFLICT),
			    "The resource exists with different content.");
	assert_string_equal(status_message(LB_TOO_LARGE), "The request is larger than the limit.");
	assert_string_equal(status_message(LB_UNAVAILABLE),
			    "Storage is unavailable; nothing was stored.");
}

/* Every entry of the table is filled: a code and a human sentence. */
static void test_table_complete(void **state)
{
	(void)state;
	for (int st = 0; st < LB_STATUS_COUNT; st++) {
		const char *code = status_code((enum lb_status)st);
		const char *msg = status_message((enum lb_status)st);
		int http = status_http((enum lb_status)st);

		assert_non_null(code);
		assert_non_null(msg);
		if (http < 200 || http > 599)
			fail_msg("status %d maps to HTTP %d", st, http);
		assert_true(strlen(code) > 0);
		assert_true(strlen(msg) > 1);
		assert_true(msg[0] >= 'A' && msg[0] <= 'Z');
		assert_int_equal(msg[strlen(msg) - 1], '.');
		assert_null(strchr(msg, '\n'));
		for (const char *p = code; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		/* Only LB_OK and LB_CREATED are successes. */
		assert_int_equal(http < 300, st == LB_OK || st == LB_CREATED);
	}
}

static void test_codes_are_distinct(void **state)
{
	(void)state;
	for (int a = 0; a < LB_STATUS_COUNT; a++)
		for (int b = a + 1; b < LB_STATUS_COUNT; b++)
			assert_string_not_equal(status_code((enum lb_status)a),
						status_code((enum lb_status)b));
}

static void test_out_of_range_is_internal(void **state)
{
	(void)state;
	expect_status(LB_STATUS_COUNT, 500, "internal");
	expect_status((enum lb_status)999, 500, "internal");
	assert_string_equal(status_message(LB_STATUS_COUNT), "Internal error.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_error_codes),
		cmocka_unit_test(test_other_statuses),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_codes_are_distinct),
		cmocka_unit_test(test_out_of_range_is_internal),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
