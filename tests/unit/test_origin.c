/*
 * test_origin.c — src/http/origin.c: who may embed (--embed-origin), the
 * Access-Control-Allow-Origin of reads, the embed page's frame-ancestors
 * (SPEC part two, "Embedding in the newsroom's own pages").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/origin.h"

#define PUB "http://live.example:8080"

static const struct config_list NONE = { 0, { NULL } };
static const struct config_list TWO = { 2, { "https://news.example", "http://127.0.0.2:5000" } };
static const struct config_list ANY = { 1, { "*" } };

static void test_valid(void **state)
{
	static const char *const good[] = {
		"http://a", "https://news.example", "http://127.0.0.2:5000", "http://[::1]:8080",
		"https://x-y.example.org:443",
	};
	static const char *const bad[] = {
		"", "*", "news.example", "ftp://x", "http://", "http://x/", "http://x/path",
		"http://x:", "http://x:123456", "http://x:80a", "http://u@x", "http://x?q",
		"http://x#f", "http:// x", "http://[]", "http://[zz]", "null",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!origin_valid(good[i]))
			fail_msg("\"%s\" refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (origin_valid(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
}

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(origin_check(&TWO, PUB, NULL, "x"), ORIGIN_NONE);
	assert_int_equal(origin_check(&TWO, PUB, "", "x"), ORIGIN_NONE);
	/* own: --public-url's origin, or the Host it was reached by */
	assert_int_equal(origin_check(&NONE, PUB, "http://live.example:8080", "other:1"), ORIGIN_SAME);
	assert_int_equal(origin_check(&NONE, PUB "/live", "HTTP://LIVE.example:8080", NULL), ORIGIN_SAME);
	assert_int_equal(origin_check(&NONE, PUB, "http://127.0.0.1:9000", "127.0.0.1:9000"), ORIGIN_SAME);
	assert_int_equal(origin_check(&NONE, PUB, "http://127.0.0.1:9001", "127.0.0.1:9000"), ORIGIN_REFUSED);
	/* allowed ones, exactly */
	assert_int_equal(origin_check(&TWO, PUB, "https://news.example", "x"), ORIGIN_ALLOWED);
	assert_int_equal(origin_check(&TWO, PUB, "http://news.example", "x"), ORIGIN_REFUSED);
	assert_int_equal(origin_check(&TWO, PUB, "https://news.example:8443", "x"), ORIGIN_REFUSED);
	assert_int_equal(origin_check(&TWO, PUB, "https://evil.news.example", "x"), ORIGIN_REFUSED);
	assert_int_equal(origin_check(&TWO, PUB, "null", "x"), ORIGIN_REFUSED);
	assert_int_equal(origin_check(&NONE, PUB, "https://news.example", "x"), ORIGIN_REFUSED);
	assert_int_equal(origin_check(&ANY, PUB, "https://anyone.example", "x"), ORIGIN_ALLOWED);
}

static void test_cors(void **state)
{
	(void)state;
	assert_string_equal(origin_cors(&TWO, ORIGIN_ALLOWED, "https://news.example"),
			    "https://news.example");
	assert_string_equal(origin_cors(&NONE, ORIGIN_SAME, PUB), PUB);
	assert_null(origin_cors(&TWO, ORIGIN_REFUSED, "https://evil.example"));
	assert_null(origin_cors(&TWO, ORIGIN_NONE, NULL));
	/* '*' only when '*' was given */
	assert_string_equal(origin_cors(&ANY, ORIGIN_ALLOWED, "https://a.example"), "*");
}

static void test_frame_ancestors(void **state)
{
	char out[256];

	(void)state;
	origin_frame_ancestors(&NONE, out, sizeof(out));
	assert_string_equal(out, "'self'");
	origin_frame_ancestors(&TWO, out, sizeof(out));
	assert_string_equal(out, "'self' https://news.example http://127.0.0.2:5000");
	origin_frame_ancestors(&ANY, out, sizeof(out));
	assert_string_equal(out, "*");
	origin_frame_ancestors(&TWO, out, 12);
	assert_int_equal(strlen(out), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_cors),
		cmocka_unit_test(test_frame_ancestors),
	};

	return cmocka_run_group_tests_name("origin", tests, NULL, NULL);
}
