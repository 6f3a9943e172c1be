/*
 * test_linkify.c — links in entry text (src/common/linkify.c) and their
 * markup in the server's pages (page_text, page_text_line). The cases of
 * tests/unit/links.json are the ones www/render.js is checked against too
 * (tests/browser/links.test.mjs): the same text gives the same links.
 * Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/linkify.h"
#include "http/page.h"

#define CASES "tests/unit/links.json"

/* The links of one line, joined by "\n" into out. */
static void links_of(const char *s, char *out, size_t outlen)
{
	size_t at = 0, a, b, n = 0;

	out[0] = '\0';
	while (linkify_next(s, strlen(s), at, &a, &b)) {
		assert_true(a >= at && b > a && b <= strlen(s));
		n += (size_t)snprintf(out + n, outlen - n, "%s%.*s", n ? "\n" : "", (int)(b - a), s + a);
		assert_true(n < outlen);
		at = b;
	}
}

static void test_shared_cases(void **state)
{
	json_error_t err;
	json_t *cases = json_load_file(CASES, 0, &err), *c, *l;
	static char got[8192], want[8192];
	size_t i, k, n;

	(void)state;
	if (!cases)
		fail_msg("%s: %s (run from the repository root)", CASES, err.text);
	assert_true(json_array_size(cases) >= 40);
	json_array_foreach(cases, i, c) {
		const char *text = json_string_value(json_object_get(c, "text"));

		n = 0;
		want[0] = '\0';
		json_array_foreach(json_object_get(c, "links"), k, l)
			n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s", n ? "\n" : "",
					      json_string_value(l));
		links_of(text, got, sizeof(got));
		if (strcmp(got, want))
			fail_msg("case %zu %.80s: links\n[%s]\nwant\n[%s]", i, text, got, want);
	}
	json_decref(cases);
}

/* page_text(text) as a string. */
static char *html(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	page_text(f, text);
	fclose(f);
	return buf;
}

static void expect_html(const char *text, const char *want)
{
	char *got = html(text);

	if (strcmp(got, want))
		fail_msg("%s\n got: %s\nwant: %s", text, got, want);
	free(got);
}

static void test_markup(void **state)
{
	(void)state;
	expect_html("see https://example.com/a?b=1&c=2.",
		    "<p>see <a href=\"https://example.com/a?b=1&amp;c=2\" "
		    "rel=\"nofollow noopener noreferrer\">https://example.com/a?b=1&amp;c=2</a>.</p>");
	expect_html("* http://a.org\n* none\nhttp://b.org and http://c.org",
		    "<ul><li><a href=\"http://a.org\" rel=\"nofollow noopener noreferrer\">"
		    "http://a.org</a></li><li>none</li></ul><p><a href=\"http://b.org\" "
		    "rel=\"nofollow noopener noreferrer\">http://b.org</a> and <a href=\"http://c.org\" "
		    "rel=\"nofollow noopener noreferrer\">http://c.org</a></p>");
	expect_html("https://x.org/'q'", "<p><a href=\"https://x.org/&#39;q\" "
		    "rel=\"nofollow noopener noreferrer\">https://x.org/&#39;q</a>&#39;</p>");
}

/* Nothing but the links becomes markup: HTML and other schemes stay text. */
static void test_nothing_else_is_markup(void **state)
{
	(void)state;
	expect_html("<a href=\"javascript:alert(1)\">x</a> data:text/html,<b>",
		    "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt; "
		    "data:text/html,&lt;b&gt;</p>");
	expect_html("<img src=\"http://e.example/x.png\" onerror=alert(1)>",
		    "<p>&lt;img src=&quot;<a href=\"http://e.example/x.png\" "
		    "rel=\"nofollow noopener noreferrer\">http://e.example/x.png</a>&quot; "
		    "onerror=alert(1)&gt;</p>");
}

/* The scan never reads past len: s need not be terminated. */
static void test_respects_length(void **state)
{
	char buf[32];
	size_t a, b;

	(void)state;
	memcpy(buf, "http://abc.example", 18);
	memset(buf + 18, 'z', sizeof(buf) - 18);
	assert_true(linkify_next(buf, 10, 0, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 10);
	assert_false(linkify_next(buf, 7, 0, &a, &b));
	assert_false(linkify_next(buf, 18, 1, &a, &b));
	assert_false(linkify_next("", 0, 0, &a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_cases),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_nothing_else_is_markup),
		cmocka_unit_test(test_respects_length),
	};

	return cmocka_run_group_tests_name("linkify", tests, NULL, NULL);
}
