/*
 * test_router.c — src/http/router.c: every route of SPEC.md ("HTTP API",
 * "Live push", "Pages") with every method, ids, static files and traversal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/router.h"

#define U "0f8fad5b-d9cb-469f-a165-70867728950e"
#define UU "0F8FAD5B-D9CB-469F-A165-70867728950E"

#define SHA_63 "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae"
#define SHA SHA_63 "3"
#define SHA_UPPER "A665A45920422F9D417E4867EFDC4FB8A04A1F3FFF1FA07E998E86F7F7A27AE3"

static const enum method METHODS[] = { M_GET, M_POST, M_PATCH, M_DELETE, M_PUT, M_OTHER };
static const char *const METHOD_NAMES[] = { "GET", "POST", "PATCH", "DELETE", "PUT", "OTHER" };
#define N_METHODS (sizeof(METHODS) / sizeof(METHODS[0]))

static const char *route_name(enum route r)
{
#define NAME(x) case x: return #x
	switch (r) {
	NAME(R_NOT_FOUND); NAME(R_BAD_METHOD); NAME(R_HEALTH); NAME(R_METRICS);
	NAME(R_BLOGS_LIST); NAME(R_BLOGS_CREATE); NAME(R_BLOG_GET); NAME(R_EVENTS);
	NAME(R_ENTRY_POST); NAME(R_ENTRY_PATCH); NAME(R_ENTRY_DELETE); NAME(R_BLOG_END);
	NAME(R_ENTRY_REDACT); NAME(R_MEDIA_POST); NAME(R_MEDIA); NAME(R_SSE); NAME(R_PAGE_INDEX); NAME(R_PAGE_BLOG);
	NAME(R_PAGE_EDIT); NAME(R_STATIC);
	NAME(R_BLOG_PATCH); NAME(R_ENTRIES_LIST); NAME(R_PAGE_ENTRY);
	NAME(R_FEED_ATOM); NAME(R_FEED_JSON);
	default: return "?";
	}
#undef NAME
}

static void expect_route(enum method m, const char *path, enum route want)
{
	struct route_match rm;

	router_match(m, path, &rm);
	if (rm.route != want)
		fail_msg("%s %s: got %s, want %s", METHOD_NAMES[m], path ? path : "(null)",
			 route_name(rm.route), route_name(want));
}

/* One path of the SPEC: the route for each method that exists on it. */
struct spec_route {
	const char *path;
	enum route by_method[N_METHODS]; /* 0 (R_NOT_FOUND): 405 expected */
	const char *blog, *entry, *file;
};

static const struct spec_route ROUTES[] = {
	{ "/healthz", { [M_GET] = R_HEALTH }, "", "", "" },
	{ "/metrics", { [M_GET] = R_METRICS }, "", "", "" },
	{ "/api/blogs", { [M_GET] = R_BLOGS_LIST, [M_POST] = R_BLOGS_CREATE }, "", "", "" },
	{ "/api/blogs/summit", { [M_GET] = R_BLOG_GET, [M_PATCH] = R_BLOG_PATCH }, "summit", "", "" },
	{ "/api/blogs/summit/events", { [M_GET] = R_EVENTS }, "summit", "", "" },
	{ "/api/blogs/summit/entries", { [M_POST] = R_ENTRY_POST, [M_GET] = R_ENTRIES_LIST }, "summit", "", "" },
	{ "/api/blogs/summit/entries/" U,
	  { [M_PATCH] = R_ENTRY_PATCH, [M_DELETE] = R_ENTRY_DELETE }, "summit", U, "" },
	{ "/api/blogs/summit/entries/" U "/redact", { [M_POST] = R_ENTRY_REDACT }, "summit", U, "" },
	{ "/api/blogs/summit/end", { [M_POST] = R_BLOG_END }, "summit", "", "" },
	{ "/api/blogs/summit/media", { [M_POST] = R_MEDIA_POST }, "summit", "", "" },
	{ "/media/" SHA, { [M_GET] = R_MEDIA }, "", "", "" },
	{ "/sse/blogs/summit", { [M_GET] = R_SSE }, "summit", "", "" },
	{ "/", { [M_GET] = R_PAGE_INDEX }, "", "", "" },
	{ "/blogs/summit", { [M_GET] = R_PAGE_BLOG }, "summit", "", "" },
	{ "/blogs/summit/edit", { [M_GET] = R_PAGE_EDIT }, "summit", "", "" },
	{ "/blogs/summit/entries/" U, { [M_GET] = R_PAGE_ENTRY }, "summit", U, "" },
	{ "/blogs/summit/feed.atom", { [M_GET] = R_FEED_ATOM }, "summit", "", "" },
	{ "/blogs/summit/feed.json", { [M_GET] = R_FEED_JSON }, "summit", "", "" },
	{ "/style.css", { [M_GET] = R_STATIC }, "", "", "style.css" },
	{ "/reader.js", { [M_GET] = R_STATIC }, "", "", "reader.js" },
	{ "/favicon.svg", { [M_GET] = R_STATIC }, "", "", "favicon.svg" },
	{ "/index.html", { [M_GET] = R_STATIC }, "", "", "index.html" },
	{ "/i18n/fr.json", { [M_GET] = R_STATIC }, "", "", "i18n/fr.json" },
};

static void test_every_spec_route_and_method(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
		const struct spec_route *r = &ROUTES[i];

		for (size_t m = 0; m < N_METHODS; m++) {
			enum route want = r->by_method[m] ? r->by_method[m] : R_BAD_METHOD;
			struct route_match rm;

			expect_route(METHODS[m], r->path, want);
			router_match(METHODS[m], r->path, &rm);
			if (want == R_BAD_METHOD)
				continue;
			assert_string_equal(rm.blog, r->blog);
			assert_string_equal(rm.entry, r->entry);
			assert_string_equal(rm.file, r->file);
		}
	}
}

static void test_other_blog_ids(void **state)
{
	struct route_match rm;
	char path[200];

	(void)state;
	router_match(M_GET, "/api/blogs/0", &rm);
	assert_int_equal(rm.route, R_BLOG_GET);
	assert_string_equal(rm.blog, "0");
	router_match(M_POST, "/api/blogs/election-2026/entries", &rm);
	assert_int_equal(rm.route, R_ENTRY_POST);
	assert_string_equal(rm.blog, "election-2026");
	snprintf(path, sizeof(path), "/api/blogs/%064d", 7);
	router_match(M_GET, path, &rm);
	assert_int_equal(rm.route, R_BLOG_GET);
	assert_int_equal(strlen(rm.blog), 64);
	assert_string_equal(rm.blog, path + strlen("/api/blogs/"));
	snprintf(path, sizeof(path), "/blogs/%064d/edit", 7);
	router_match(M_GET, path, &rm);
	assert_int_equal(rm.route, R_PAGE_EDIT);
	assert_int_equal(strlen(rm.blog), 64);
}

static void test_bad_blog_ids_not_found(void **state)
{
	static const char *ids[] = { "Summit", "-summit", "sum_mit", "sum.mit",
				     "%73ummit", "\xc3\xa9t\xc3\xa9", "sum%20mit" };
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		for (size_t m = 0; m < N_METHODS; m++) {
			snprintf(path, sizeof(path), "/api/blogs/%s", ids[i]);
			expect_route(METHODS[m], path, R_NOT_FOUND);
			snprintf(path, sizeof(path), "/api/blogs/%s/entries", ids[i]);
			expect_route(METHODS[m], path, R_NOT_FOUND);
			snprintf(path, sizeof(path), "/api/blogs/%s/entries/" U, ids[i]);
			expect_route(METHODS[m], path, R_NOT_FOUND);
			snprintf(path, sizeof(path), "/blogs/%s", ids[i]);
			expect_route(METHODS[m], path, R_NOT_FOUND);
			snprintf(path, sizeof(path), "/sse/blogs/%s", ids[i]);
			expect_route(METHODS[m], path, R_NOT_FOUND);
		}
	}
	snprintf(path, sizeof(path), "/api/blogs/%065d", 7); /* 65 characters */
	expect_route(M_GET, path, R_NOT_FOUND);
	snprintf(path, sizeof(path), "/blogs/%065d", 7);
	expect_route(M_GET, path, R_NOT_FOUND);
	snprintf(path, sizeof(path), "/sse/blogs/%065d", 7);
	expect_route(M_GET, path, R_NOT_FOUND);
}

static void test_entry_ids(void **state)
{
	static const char *bad[] = {
		"entry-1", "0f8fad5bd9cb469fa16570867728950e",
		"0f8fad5b-d9cb-469f-a165-70867728950", U "0",
		"0f8fad5b-d9cb-469f-a165-70867728950g", "",
	};
	struct route_match rm;
	char path[256];

	(void)state;
	router_match(M_DELETE, "/api/blogs/summit/entries/" UU, &rm);
	assert_int_equal(rm.route, R_ENTRY_DELETE);
	assert_string_equal(rm.entry, U); /* normalised to lower case */
	router_match(M_PATCH, "/api/blogs/summit/entries/" UU, &rm);
	assert_int_equal(rm.route, R_ENTRY_PATCH);
	assert_string_equal(rm.entry, U);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/api/blogs/summit/entries/%s/x", bad[i]);
		expect_route(M_PATCH, path, R_NOT_FOUND);
		if (!*bad[i])
			continue;
		snprintf(path, sizeof(path), "/api/blogs/summit/entries/%s", bad[i]);
		expect_route(M_PATCH, path, R_NOT_FOUND);
		expect_route(M_DELETE, path, R_NOT_FOUND);
	}
}

static void test_unknown_paths_not_found_for_every_method(void **state)
{
	static const char *paths[] = {
		"/api", "/api/", "/api/blog", "/api/nope", "/api/v1/blogs",
		"/api/blogs/summit/nope", "/api/blogs/summit/events/x",
		"/api/blogs/summit/end/x", "/api/blogs/summit/entries/" U "/x",
		"/api/blogs/summit/entries/" U "/x/y",
		"/api/healthz", "/healthz/x", "/metrics/x",
		"/blogs/summit/nope", "/blogs/summit/edit/x", "/blogs/summit/x/y",
		"/sse/blogs", "/sse/blogs/summit/x", "/sse/summit",
		"/nope/x", "/a/b/c/d/e/f/g", "/a/b/c/d/e/f/g/h/i/j",
		"", "healthz", "api/blogs", "*",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (size_t m = 0; m < N_METHODS; m++)
			expect_route(METHODS[m], paths[i], R_NOT_FOUND);
	expect_route(M_GET, NULL, R_NOT_FOUND);
}

static void test_path_traversal_not_found(void **state)
{
	static const char *paths[] = {
		"/..", "/../", "/../etc/passwd", "/../../../../etc/passwd",
		"/..%2f", "/..%2fetc%2fpasswd", "/..%2F..%2Fetc%2Fpasswd",
		"/%2e%2e/etc/passwd", "/%2e%2e%2fetc%2fpasswd", "/%2E%2E/",
		"/a/../b", "/a/..", "/style.css/..", "/blogs/../../etc/passwd",
		"/blogs/summit/../../../etc/passwd", "/api/blogs/../blogs",
		"/api/blogs/summit/../../../etc/passwd", "/.../etc",
		"/..\\etc\\passwd", "/\\etc\\passwd", "/a\\b", "/style.css\\",
		"/..\\..\\..\\windows\\win.ini", "\\..\\etc",
		"/etc/passwd", "/.env", "/.git", "/.git/config", "/.htaccess",
		"/.", "/./style.css", "/style.css%00.js", "/style css",
		"/~root", "/*.js", "/%00", "/reader.js..", "/a..b",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		for (size_t m = 0; m < N_METHODS; m++) {
			struct route_match rm;

			expect_route(METHODS[m], paths[i], R_NOT_FOUND);
			router_match(METHODS[m], paths[i], &rm);
			assert_string_equal(rm.file, "");
		}
	}
}

static void test_static_file_names(void **state)
{
	static const char *ok[] = { "edit.js", "render.js", "feed.js", "blog.html",
				    "Read_Me-1.txt", "a", "a.b.c", "robots.txt" };
	struct route_match rm;
	char path[200], name[130];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(path, sizeof(path), "/%s", ok[i]);
		router_match(M_GET, path, &rm);
		assert_int_equal(rm.route, R_STATIC);
		assert_string_equal(rm.file, ok[i]);
		expect_route(M_POST, path, R_BAD_METHOD);
	}
	memset(name, 'f', 127);
	name[127] = '\0';
	snprintf(path, sizeof(path), "/%s", name);
	router_match(M_GET, path, &rm);
	assert_int_equal(rm.route, R_STATIC);
	assert_string_equal(rm.file, name);
	memset(name, 'f', 128);
	name[128] = '\0';
	snprintf(path, sizeof(path), "/%s", name);
	expect_route(M_GET, path, R_NOT_FOUND);
	/* A file under a folder is not a plain name inside www. */
	expect_route(M_GET, "/js/reader.js", R_NOT_FOUND);
}

static void test_long_paths_not_found(void **state)
{
	char path[1024];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	expect_route(M_GET, path, R_NOT_FOUND);
	snprintf(path, sizeof(path), "/api/blogs/summit/entries/" U "%0480d", 0);
	expect_route(M_PATCH, path, R_NOT_FOUND);
}

/* Empty segments are ignored: "/api/blogs/" is "/api/blogs". */
static void test_trailing_and_doubled_slashes(void **state)
{
	struct route_match rm;

	(void)state;
	expect_route(M_GET, "/api/blogs/", R_BLOGS_LIST);
	expect_route(M_POST, "/api/blogs/", R_BLOGS_CREATE);
	expect_route(M_GET, "//api//blogs", R_BLOGS_LIST);
	expect_route(M_GET, "/healthz/", R_HEALTH);
	expect_route(M_GET, "/metrics/", R_METRICS);
	expect_route(M_POST, "/api/blogs/summit/end/", R_BLOG_END);
	expect_route(M_GET, "/api/blogs/summit/events/", R_EVENTS);
	expect_route(M_DELETE, "/api/blogs/summit/entries/" U "/", R_ENTRY_DELETE);
	expect_route(M_GET, "//", R_PAGE_INDEX);
	router_match(M_GET, "/blogs/summit/", &rm);
	assert_int_equal(rm.route, R_PAGE_BLOG);
	assert_string_equal(rm.blog, "summit");
	router_match(M_GET, "/api/blogs//summit", &rm);
	assert_int_equal(rm.route, R_BLOG_GET);
	assert_string_equal(rm.blog, "summit");
	expect_route(M_PUT, "/api/blogs/summit/", R_BAD_METHOD);
}

static void test_match_clears_previous_result(void **state)
{
	struct route_match rm;

	(void)state;
	router_match(M_PATCH, "/api/blogs/summit/entries/" U, &rm);
	assert_int_equal(rm.route, R_ENTRY_PATCH);
	router_match(M_GET, "/../etc/passwd", &rm);
	assert_int_equal(rm.route, R_NOT_FOUND);
	assert_string_equal(rm.blog, "");
	assert_string_equal(rm.entry, "");
	assert_string_equal(rm.file, "");
	router_match(M_GET, "/style.css", &rm);
	router_match(M_GET, "/api/blogs", &rm);
	assert_int_equal(rm.route, R_BLOGS_LIST);
	assert_string_equal(rm.file, "");
}

/* /media/{sha256}: 64 hex digits, kept lower-case; anything else is not found. */
static void test_media(void **state)
{
	static const char *bad[] = {
		"/media/abc", "/media/" SHA "0", "/media/" SHA "/x",
		"/media/" SHA ".jpg", "/media/g" SHA_63, "/media/%30" SHA_63,
		"/media/.." , "/api/media/" SHA,
	};
	struct route_match rm;

	(void)state;
	router_match(M_GET, "/media/" SHA, &rm);
	assert_int_equal(rm.route, R_MEDIA);
	assert_string_equal(rm.media, SHA);
	router_match(M_GET, "/media/" SHA_UPPER, &rm);
	assert_int_equal(rm.route, R_MEDIA);
	assert_string_equal(rm.media, SHA);
	router_match(M_DELETE, "/media/" SHA, &rm);
	assert_int_equal(rm.route, R_BAD_METHOD);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_route(M_GET, bad[i], R_NOT_FOUND);
	router_match(M_POST, "/api/blogs/summit/media/" SHA, &rm);
	assert_int_equal(rm.route, R_NOT_FOUND);
}

static void test_has_body(void **state)
{
	(void)state;
	for (int r = R_NOT_FOUND; r <= R_FEED_JSON; r++) {
		int want = r == R_BLOGS_CREATE || r == R_ENTRY_POST || r == R_ENTRY_PATCH ||
			   r == R_BLOG_PATCH || r == R_ENTRY_REDACT || r == R_MEDIA_POST;

		if (!router_has_body((enum route)r) != !want)
			fail_msg("router_has_body(%s) = %d", route_name((enum route)r),
				 router_has_body((enum route)r));
	}
}

static void test_is_stream(void **state)
{
	static const char ws[] = "GET /ws/blogs/a HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char sse[] = "GET /sse/blogs/a HTTP/1.1\r\n";

	(void)state;
	assert_true(router_is_stream(ws, sizeof(ws) - 1));
	assert_true(router_is_stream(sse, sizeof(sse) - 1));
	assert_true(router_is_stream("GET /ws/", 8));
	/* too few bytes to tell, so not a stream */
	assert_false(router_is_stream("GET /ws", 7));
	assert_false(router_is_stream("", 0));
	assert_false(router_is_stream("POST /ws/blogs/a HTTP/1.1\r\n", 27));
	assert_false(router_is_stream("GET /api/blogs HTTP/1.1\r\n", 25));
	assert_false(router_is_stream("GET /blogs/a HTTP/1.1\r\n", 23));
	assert_false(router_is_stream("get /ws/blogs/a HTTP/1.1\r\n", 26));
	assert_false(router_is_stream("GET /wss/a", 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_spec_route_and_method),
		cmocka_unit_test(test_other_blog_ids),
		cmocka_unit_test(test_bad_blog_ids_not_found),
		cmocka_unit_test(test_entry_ids),
		cmocka_unit_test(test_unknown_paths_not_found_for_every_method),
		cmocka_unit_test(test_path_traversal_not_found),
		cmocka_unit_test(test_static_file_names),
		cmocka_unit_test(test_long_paths_not_found),
		cmocka_unit_test(test_trailing_and_doubled_slashes),
		cmocka_unit_test(test_match_clears_previous_result),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_has_body),
		cmocka_unit_test(test_is_stream),
	};

	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
