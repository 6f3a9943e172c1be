/*
 * test_codec.c — src/common/codec.c: request validation, the wire objects
 * of SPEC.md "Wire format" and the stored payloads.
 *
 * Besides the tests below, every folder tests/unit/cases/<kind>/<case>/
 * becomes one test (jansson's test/suites style; see cases/README): its
 * `input` goes through the codec function of <kind> and the result must
 * equal `expected`. Tests are run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/text.h"
#include "status.h"

#define CASES_DIR "tests/unit/cases"
#define U "0f8fad5b-d9cb-469f-a165-70867728950e"
#define SPEC_MS UINT64_C(1795937562123) /* 2026-11-29T07:32:42.123Z */

/* SPEC.md "Default limits": entry text 16 KiB, title 300 bytes. */
static const struct lb_limits LIMITS = { 16384, 300 };

/* Stands for "not written": error paths must leave *out alone. */
static json_t *const UNTOUCHED = (json_t *)&LIMITS;

typedef enum lb_status (*request_fn)(const char *, size_t, const struct lb_limits *,
				     json_t **, char *, size_t);

/* A copy of s[0..len) in a buffer of exactly len bytes, with no NUL after it,
 * so that ASan catches any read past the length the codec was given. */
static char *exact(const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);

	assert_non_null(b);
	memcpy(b, s, len);
	return b;
}

static char *dump_sorted(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	assert_non_null(s);
	return s;
}

/* Runs a request decoder on s and checks status and message exactly. */
static json_t *request(request_fn fn, const struct lb_limits *lim, const char *s,
		       size_t len, enum lb_status want, const char *want_msg)
{
	json_t *out = UNTOUCHED;
	char msg[256] = "";
	char *b = exact(s, len);
	enum lb_status st = fn(b, len, lim, &out, msg, sizeof(msg));

	free(b);
	assert_string_equal(status_code(st), status_code(want));
	if (want != LB_OK) {
		assert_ptr_equal(out, UNTOUCHED);
		if (want_msg)
			assert_string_equal(msg, want_msg);
		return NULL;
	}
	assert_ptr_not_equal(out, UNTOUCHED);
	assert_non_null(out);
	return out;
}

static char *repeat(const char *unit, size_t times, const char *before,
		    const char *after)
{
	size_t ul = strlen(unit), bl = strlen(before), al = strlen(after);
	char *s = malloc(bl + ul * times + al + 1), *p = s;

	assert_non_null(s);
	memcpy(p, before, bl);
	p += bl;
	for (size_t i = 0; i < times; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, after, al + 1);
	return s;
}

/* ---- limits ----------------------------------------------------------- */

/* A body whose text is `times` copies of unit, each decoding to ulen bytes. */
static void check_text_len(request_fn fn, const char *unit, size_t ulen,
			   size_t times, enum lb_status want)
{
	char *body = repeat(unit, times, "{\"text\":\"", "\"}");
	json_t *out = request(fn, &LIMITS, body, strlen(body), want,
			      want == LB_TOO_LARGE ? "\"text\" is longer than the limit." : NULL);

	if (out)
		assert_int_equal(strlen(json_string_value(json_object_get(out, "text"))),
				 ulen * times);
	json_decref(out);
	free(body);
}

static void test_entry_text_limit_is_16k_bytes(void **state)
{
	(void)state;
	check_text_len(codec_entry_create, "a", 1, 16384, LB_OK);
	check_text_len(codec_entry_create, "a", 1, 16385, LB_TOO_LARGE);
	/* The limit counts bytes, not characters: é is two. */
	check_text_len(codec_entry_create, "\xc3\xa9", 2, 8192, LB_OK);
	check_text_len(codec_entry_create, "\xc3\xa9", 2, 8193, LB_TOO_LARGE);
	/* An escape counts as the byte it stands for. */
	check_text_len(codec_entry_create, "\\n", 1, 16384, LB_OK);
	check_text_len(codec_entry_create, "\\n", 1, 16385, LB_TOO_LARGE);
}

static void test_patch_text_limit_is_16k_bytes(void **state)
{
	(void)state;
	check_text_len(codec_entry_patch, "a", 1, 16384, LB_OK);
	check_text_len(codec_entry_patch, "a", 1, 16385, LB_TOO_LARGE);
}

#define REQ(fn, lim, body, want, msg) request(fn, lim, body, strlen(body), want, msg)

static void test_limits_come_from_the_struct(void **state)
{
	const struct lb_limits small = { 10, 5 };

	(void)state;
	json_decref(REQ(codec_entry_create, &small,
			"{\"text\":\"0123456789\",\"title\":\"01234\"}", LB_OK, NULL));
	REQ(codec_entry_create, &small, "{\"text\":\"0123456789a\"}",
	    LB_TOO_LARGE, "\"text\" is longer than the limit.");
	REQ(codec_entry_create, &small, "{\"text\":\"x\",\"title\":\"012345\"}",
	    LB_TOO_LARGE, "\"title\" is longer than the limit.");
	REQ(codec_entry_patch, &small, "{\"title\":\"012345\"}",
	    LB_TOO_LARGE, "\"title\" is longer than the limit.");
	REQ(codec_entry_patch, &small, "{\"text\":\"0123456789a\"}",
	    LB_TOO_LARGE, "\"text\" is longer than the limit.");
	REQ(codec_blog_create, &small, "{\"title\":\"012345\"}",
	    LB_TOO_LARGE, "\"title\" is longer than the limit.");
	json_decref(REQ(codec_blog_create, &small, "{\"title\":\"01234\"}", LB_OK, NULL));
}

/* PATCH /api/blogs/{id}: {"title"?,"lang"?}, at least one of them. */
static void test_blog_patch(void **state)
{
	const struct lb_limits small = { 10, 5 };
	json_t *v;

	(void)state;
	v = REQ(codec_blog_patch, &LIMITS, "{\"title\":\"New\",\"lang\":\"FR-ca\",\"x\":1}", LB_OK, NULL);
	assert_string_equal(codec_request_title(v), "New");
	assert_string_equal(codec_request_lang(v), "fr-CA");
	assert_int_equal(json_object_size(v), 2);
	json_decref(v);
	v = REQ(codec_blog_patch, &LIMITS, "{\"lang\":\"de\"}", LB_OK, NULL);
	assert_null(codec_request_title(v));
	json_decref(v);
	REQ(codec_blog_patch, &LIMITS, "{}", LB_BAD_REQUEST,
	    "Nothing to change: give title or lang.");
	REQ(codec_blog_patch, &LIMITS, "{\"title\":\"\"}", LB_BAD_REQUEST,
	    "\"title\" must not be empty.");
	REQ(codec_blog_patch, &LIMITS, "{\"lang\":\"abcdefgh-abcdefgh-abcdefgh-abcdefgh-x\"}",
	    LB_BAD_REQUEST, "\"lang\" must be a BCP 47 language tag such as fr or en-GB.");
	REQ(codec_blog_patch, &LIMITS, "{\"lang\":\"en GB\"}", LB_BAD_REQUEST,
	    "\"lang\" must be a BCP 47 language tag such as fr or en-GB.");
	REQ(codec_blog_patch, &small, "{\"title\":\"012345\"}", LB_TOO_LARGE,
	    "\"title\" is longer than the limit.");
	REQ(codec_blog_patch, &LIMITS, "[]", LB_BAD_REQUEST, "The body must be a JSON object.");
}

/* The feed's note of a changed title or lang, applied to a hub's blog. */
static void test_blog_meta_apply(void **state)
{
	struct lb_blog b;
	static const char ok[] = "{\"title\":\"T2\",\"lang\":\"fr\"}",
			  old[] = "{\"title\":\"T3\",\"lang\":\"\"}",
			  bad[] = "{\"title\":\"T4\",\"lang\":\"f r\"}";

	(void)state;
	memset(&b, 0, sizeof(b));
	strcpy(b.title, "T1");
	assert_true(codec_blog_meta_apply(&b, ok, strlen(ok)));
	assert_string_equal(b.title, "T2");
	assert_string_equal(b.lang, "fr");
	assert_true(codec_blog_meta_apply(&b, old, strlen(old)));
	assert_string_equal(b.lang, "");
	assert_false(codec_blog_meta_apply(&b, bad, strlen(bad)));
	assert_false(codec_blog_meta_apply(&b, "nope", 4));
	assert_string_equal(b.title, "T3");
}

static void test_author_limit(void **state)
{
	char *ok = repeat("a", 200, "{\"text\":\"x\",\"author\":\"", "\"}");
	char *big = repeat("a", 201, "{\"text\":\"x\",\"author\":\"", "\"}");

	(void)state;
	json_decref(request(codec_entry_create, &LIMITS, ok, strlen(ok), LB_OK, NULL));
	request(codec_entry_create, &LIMITS, big, strlen(big), LB_TOO_LARGE,
		"\"author\" is longer than the limit.");
	free(ok);
	free(big);
}

static void test_error_message_fits_small_buffer(void **state)
{
	json_t *out = UNTOUCHED;
	char msg[8];

	(void)state;
	memset(msg, 'x', sizeof(msg));
	assert_int_equal(codec_entry_create("{}", 2, &LIMITS, &out, msg, sizeof(msg)),
			 LB_BAD_REQUEST);
	assert_int_equal(strlen(msg), sizeof(msg) - 1);
	assert_ptr_equal(out, UNTOUCHED);
}

static void test_generated_ids_are_fresh_lowercase_uuids(void **state)
{
	json_t *a, *b;
	const char *ia, *ib;

	(void)state;
	a = REQ(codec_entry_create, &LIMITS, "{\"text\":\"x\"}", LB_OK, NULL);
	b = REQ(codec_entry_create, &LIMITS, "{\"text\":\"x\"}", LB_OK, NULL);
	ia = json_string_value(json_object_get(a, "id"));
	ib = json_string_value(json_object_get(b, "id"));
	assert_non_null(ia);
	assert_non_null(ib);
	assert_true(text_uuid_valid(ia));
	assert_true(text_uuid_valid(ib));
	for (const char *p = ia; *p; p++)
		assert_false(*p >= 'A' && *p <= 'F');
	assert_string_not_equal(ia, ib);
	json_decref(a);
	json_decref(b);
}

/* ---- wire objects -------------------------------------------------------- */

static json_t *payload(int revision)
{
	json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:i}", "id", U,
			      "author", "Anne", "title", "Opening",
			      "text", "The summit opens.", "key", 1, "pinned", 0,
			      "revision", revision);

	assert_non_null(p);
	return p;
}

static void expect_dump(json_t *v, const char *want)
{
	char *s;

	assert_non_null(v);
	s = codec_dump(v);
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
	json_decref(v);
}

static void test_entry_wire_spec_order(void **state)
{
	json_t *p = payload(1);

	(void)state;
	expect_dump(codec_entry_wire(p, "1795937562123-0", "1795937562123-0"),
		    "{\"id\":\"" U "\",\"seq\":\"1795937562123-0\","
		    "\"ts\":\"2026-11-29T07:32:42.123Z\",\"author\":\"Anne\","
		    "\"title\":\"Opening\",\"text\":\"The summit opens.\","
		    "\"key\":true,\"pinned\":false,\"revision\":1}");
	json_decref(p);
}

static void test_entry_wire_edited_ts_after_edit(void **state)
{
	json_t *p = payload(2);

	(void)state;
	expect_dump(codec_entry_wire(p, "1795937562123-0", "1795937622456-1"),
		    "{\"id\":\"" U "\",\"seq\":\"1795937562123-0\","
		    "\"ts\":\"2026-11-29T07:32:42.123Z\",\"author\":\"Anne\","
		    "\"title\":\"Opening\",\"text\":\"The summit opens.\","
		    "\"key\":true,\"pinned\":false,\"revision\":2,"
		    "\"edited_ts\":\"2026-11-29T07:33:42.456Z\"}");
	json_decref(p);
}

static void test_entry_wire_no_edited_ts_at_revision_1(void **state)
{
	json_t *p = payload(1), *e;

	(void)state;
	/* Even with a later event seq, revision 1 has no edited_ts. */
	e = codec_entry_wire(p, "1795937562123-0", "1795937622456-1");
	assert_non_null(e);
	assert_null(json_object_get(e, "edited_ts"));
	assert_null(json_object_get(e, "deleted"));
	assert_int_equal(json_object_size(e), 9);
	json_decref(e);
	json_decref(p);
}

static void test_entry_wire_rejects_bad_payload(void **state)
{
	json_t *arr = json_array(), *noid = json_pack("{s:s}", "text", "x"),
	       *numid = json_pack("{s:i,s:s}", "id", 1, "text", "x");

	(void)state;
	assert_null(codec_entry_wire(NULL, "1-0", "1-0"));
	assert_null(codec_entry_wire(arr, "1-0", "1-0"));
	assert_null(codec_entry_wire(noid, "1-0", "1-0"));
	assert_null(codec_entry_wire(numid, "1-0", "1-0"));
	json_decref(arr);
	json_decref(noid);
	json_decref(numid);
}

static void test_entry_wire_of_created_payload(void **state)
{
	json_t *p = REQ(codec_entry_create, &LIMITS,
			"{\"id\":\"" U "\",\"text\":\"Hi\",\"pinned\":true}", LB_OK, NULL);

	(void)state;
	expect_dump(codec_entry_wire(p, "1795937562123-0", "1795937562123-0"),
		    "{\"id\":\"" U "\",\"seq\":\"1795937562123-0\","
		    "\"ts\":\"2026-11-29T07:32:42.123Z\",\"author\":\"\","
		    "\"title\":\"\",\"text\":\"Hi\",\"key\":false,\"pinned\":true,"
		    "\"revision\":1}");
	json_decref(p);
}

static void test_entry_stored_does_not_read_past_len(void **state)
{
	const char *v = "1795937562123-0 1795937562123-0 {\"id\":\"" U "\",\"text\":\"x\"}";
	size_t len = strlen(v);
	char *b = exact(v, len);

	(void)state;
	expect_dump(codec_entry_stored(b, len),
		    "{\"id\":\"" U "\",\"seq\":\"1795937562123-0\","
		    "\"ts\":\"2026-11-29T07:32:42.123Z\",\"author\":\"\","
		    "\"title\":\"\",\"text\":\"x\",\"key\":false,\"pinned\":false,"
		    "\"revision\":1}");
	/* The same bytes cut before the payload's end are not an entry. */
	assert_null(codec_entry_stored(b, len - 1));
	assert_null(codec_entry_stored(b, 16));
	free(b);
}

static void test_blog_wire_live(void **state)
{
	struct lb_blog b;

	(void)state;
	memset(&b, 0, sizeof(b));
	strcpy(b.id, "summit");
	strcpy(b.title, "Summit");
	b.created_ms = SPEC_MS;
	b.ended_ms = SPEC_MS + 1000; /* ignored while live */
	b.entry_count = 3;
	/* no stored lang (a blog older than lang): the default language */
	expect_dump(codec_blog_wire(&b),
		    "{\"id\":\"summit\",\"title\":\"Summit\",\"lang\":\"en\",\"state\":\"live\","
		    "\"created_at\":\"2026-11-29T07:32:42.123Z\",\"ended_at\":null,"
		    "\"entry_count\":3}");
}

static void test_blog_wire_ended(void **state)
{
	struct lb_blog b;

	(void)state;
	memset(&b, 0, sizeof(b));
	strcpy(b.id, "summit-2026");
	strcpy(b.title, "\xc2\xab Sommet \xc2\xbb \xe2\x80\x93 \"direct\"");
	b.ended = true;
	b.created_ms = SPEC_MS;
	b.ended_ms = SPEC_MS + 3600000;
	b.entry_count = 0;
	strcpy(b.lang, "fr-CA");
	expect_dump(codec_blog_wire(&b),
		    "{\"id\":\"summit-2026\",\"title\":\"\xc2\xab Sommet \xc2\xbb \xe2\x80\x93 \\\"direct\\\"\","
		    "\"lang\":\"fr-CA\",\"state\":\"ended\",\"created_at\":\"2026-11-29T07:32:42.123Z\","
		    "\"ended_at\":\"2026-11-29T08:32:42.123Z\",\"entry_count\":0}");
}

static void test_event_types(void **state)
{
	const char *del = U;

	(void)state;
	expect_dump(codec_event("1795937562123-0", "delete", del, strlen(del)),
		    "{\"type\":\"delete\",\"seq\":\"1795937562123-0\",\"entry_id\":\"" U "\"}");
	expect_dump(codec_event("1795937562123-0", "ended", "", 0),
		    "{\"type\":\"ended\",\"seq\":\"1795937562123-0\","
		    "\"ended_at\":\"2026-11-29T07:32:42.123Z\"}");
	assert_null(codec_event("1795937562123-0", "hello", "{}", 2));
	assert_null(codec_event("1795937562123-0", "", "{}", 2));
	assert_null(codec_event("1795937562123-0", "Entry", "{}", 2));
}

/* ---- payload helpers ------------------------------------------------------ */

static void test_entry_apply_bumps_revision_and_patches_only_given(void **state)
{
	json_t *cur = payload(1), *patch = json_pack("{s:s}", "text", "Corrected."),
	       *next;
	char *before = dump_sorted(cur), *after, *got;

	(void)state;
	next = codec_entry_apply(cur, patch);
	assert_non_null(next);
	got = dump_sorted(next);
	assert_string_equal(got,
			    "{\"author\":\"Anne\",\"id\":\"" U "\",\"key\":true,"
			    "\"pinned\":false,\"revision\":2,\"text\":\"Corrected.\","
			    "\"title\":\"Opening\"}");
	after = dump_sorted(cur);
	assert_string_equal(after, before); /* current is not modified */
	free(got);
	free(after);
	free(before);
	json_decref(next);
	json_decref(patch);
	json_decref(cur);
}

static void test_entry_apply_pin_and_revision_chain(void **state)
{
	json_t *cur = payload(4), *patch = json_pack("{s:b}", "pinned", 1), *next;
	char *got;

	(void)state;
	next = codec_entry_apply(cur, patch);
	got = dump_sorted(next);
	assert_string_equal(got,
			    "{\"author\":\"Anne\",\"id\":\"" U "\",\"key\":true,"
			    "\"pinned\":true,\"revision\":5,\"text\":\"The summit opens.\","
			    "\"title\":\"Opening\"}");
	free(got);
	json_decref(next);
	json_decref(patch);
	json_decref(cur);
}

static void test_entry_apply_from_patch_decoder(void **state)
{
	json_t *cur = payload(1), *patch, *next;
	char *got;

	(void)state;
	/* The id and revision a client sends never reach the payload. */
	patch = REQ(codec_entry_patch, &LIMITS,
		    "{\"title\":\"\",\"key\":false,\"id\":\"x\",\"revision\":99}", LB_OK, NULL);
	next = codec_entry_apply(cur, patch);
	got = dump_sorted(next);
	assert_string_equal(got,
			    "{\"author\":\"Anne\",\"id\":\"" U "\",\"key\":false,"
			    "\"pinned\":false,\"revision\":2,\"text\":\"The summit opens.\","
			    "\"title\":\"\"}");
	free(got);
	json_decref(next);
	json_decref(patch);
	json_decref(cur);
}

static void test_payload_accessors(void **state)
{
	json_t *p = payload(3), *empty = json_object(),
	       *odd = json_pack("{s:s,s:i}", "revision", "2", "pinned", 1);

	(void)state;
	assert_string_equal(codec_payload_id(p), U);
	assert_string_equal(codec_payload_id(empty), "");
	assert_int_equal(codec_payload_revision(p), 3);
	assert_int_equal(codec_payload_revision(empty), 1);
	assert_int_equal(codec_payload_revision(odd), 1);
	assert_false(codec_payload_pinned(p));
	assert_false(codec_payload_pinned(odd)); /* 1 is not true */
	json_object_set_new(p, "pinned", json_true());
	assert_true(codec_payload_pinned(p));
	json_decref(p);
	json_decref(empty);
	json_decref(odd);
}

/* ---- fingerprints ---------------------------------------------------------- */

static void fingerprint_of(const char *body, char out[72])
{
	json_t *p = REQ(codec_entry_create, &LIMITS, body, LB_OK, NULL);

	codec_fingerprint(p, out);
	json_decref(p);
}

#define BASE "\"author\":\"Anne\",\"title\":\"Opening\",\"text\":\"The summit opens.\",\"key\":true"

static void test_fingerprint_value_is_stable(void **state)
{
	char fp[72];

	(void)state;
	/* SHA-256 of the sorted content without id and revision: a stored
	 * fingerprint must still match after an upgrade. */
	fingerprint_of("{\"id\":\"" U "\"," BASE "}", fp);
	assert_string_equal(fp, "7720234cda6ff5b5b15a8e79966051547dcd2ab0169e0264998abe423d3a488c");
}

static void test_fingerprint_ignores_id_revision_and_order(void **state)
{
	json_t *p = payload(1), *q = payload(7);
	char a[72], b[72], c[72], d[72];

	(void)state;
	fingerprint_of("{\"id\":\"" U "\"," BASE "}", a);
	fingerprint_of("{\"id\":\"11111111-2222-3333-4444-555555555555\"," BASE "}", b);
	assert_string_equal(a, b);
	fingerprint_of("{\"key\":true,\"text\":\"The summit opens.\",\"title\":\"Opening\","
		       "\"author\":\"Anne\",\"pinned\":false}", b);
	assert_string_equal(a, b);
	json_object_set_new(q, "id", json_string("aaaaaaaa-2222-3333-4444-555555555555"));
	codec_fingerprint(p, c);
	codec_fingerprint(q, d);
	assert_string_equal(c, d);
	assert_string_equal(a, c);
	json_decref(p);
	json_decref(q);
}

static void test_fingerprint_changes_with_each_content_field(void **state)
{
	static const char *variants[] = {
		"{\"author\":\"Bob\",\"title\":\"Opening\",\"text\":\"The summit opens.\",\"key\":true}",
		"{\"author\":\"Anne\",\"title\":\"Opening!\",\"text\":\"The summit opens.\",\"key\":true}",
		"{\"author\":\"Anne\",\"title\":\"Opening\",\"text\":\"The summit opens\",\"key\":true}",
		"{\"author\":\"Anne\",\"title\":\"Opening\",\"text\":\"The summit opens.\",\"key\":false}",
		"{" BASE ",\"pinned\":true}",
		"{" BASE ",\"original_ts\":\"2024-06-01T10:00:00Z\"}",
	};
	char base[72], fp[72];

	(void)state;
	fingerprint_of("{" BASE "}", base);
	assert_int_equal(strlen(base), 64);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		fingerprint_of(variants[i], fp);
		assert_int_equal(strlen(fp), 64);
		if (!strcmp(fp, base))
			fail_msg("same fingerprint for %s", variants[i]);
	}
}

/* ---- error bodies and ids ---------------------------------------------------- */

static void expect_text(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_error_body(void **state)
{
	(void)state;
	expect_text(codec_error_body(LB_BAD_REQUEST, NULL),
		      "{\"error\":\"bad_request\",\"message\":\"The request is malformed.\"}");
	expect_text(codec_error_body(LB_UNAUTHORIZED, NULL),
		      "{\"error\":\"unauthorized\",\"message\":\"A valid bearer token is required.\"}");
	expect_text(codec_error_body(LB_NOT_FOUND, ""),
		      "{\"error\":\"not_found\",\"message\":\"No such resource.\"}");
	expect_text(codec_error_body(LB_ENDED, NULL),
		      "{\"error\":\"ended\",\"message\":\"The liveblog has ended and accepts no more changes.\"}");
	expect_text(codec_error_body(LB_CONFLICT, "An entry with this id exists with different content."),
		      "{\"error\":\"conflict\",\"message\":\"An entry with this id exists with different content.\"}");
	expect_text(codec_error_body(LB_TOO_LARGE, "\"text\" is longer than the limit."),
		      "{\"error\":\"too_large\",\"message\":\"\\\"text\\\" is longer than the limit.\"}");
	expect_text(codec_error_body(LB_UNAVAILABLE, NULL),
		      "{\"error\":\"unavailable\",\"message\":\"Storage is unavailable; nothing was stored.\"}");
	expect_text(codec_error_body(LB_BAD_REQUEST, "\xc2\xab bad \xc2\xbb\n"),
		      "{\"error\":\"bad_request\",\"message\":\"\xc2\xab bad \xc2\xbb\\n\"}");
}

static void test_error_body_every_status_is_json(void **state)
{
	(void)state;
	for (int st = 0; st < LB_STATUS_COUNT; st++) {
		char *s = codec_error_body((enum lb_status)st, NULL);
		json_t *v = json_loads(s, 0, NULL);

		assert_non_null(v);
		assert_int_equal(json_object_size(v), 2);
		assert_string_equal(json_string_value(json_object_get(v, "error")),
				    status_code((enum lb_status)st));
		assert_string_equal(json_string_value(json_object_get(v, "message")),
				    status_message((enum lb_status)st));
		json_decref(v);
		free(s);
	}
}

static void test_blog_id_from_title(void **state)
{
	static const struct { const char *title, *prefix; } t[] = {
		{ "Summit in Paris!", "summit-in-paris-" },
		{ "  -- Election Night 2026 --  ", "election-night-2026-" },
		{ "\xc2\xab \xc3\xa9t\xc3\xa9 \xc2\xbb", "ete-" },
		{ "\xc3\x89lection pr\xc3\xa9sidentielle", "election-presidentielle-" },
		{ "\xc3\x87" "a \xc3\xa0 Z\xc3\xbcrich \xe2\x80\x93 vite", "ca-a-zurich-vite-" },
		{ "\xc2\xab\xc2\xbb", "blog-" },
		{ "", "blog-" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-" },
	};
	char id[72], other[72];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t pl = strlen(t[i].prefix);

		codec_blog_id_from_title(t[i].title, id);
		if (!text_slug_valid(id))
			fail_msg("\"%s\" gave the invalid id \"%s\"", t[i].title, id);
		assert_int_equal(strlen(id), pl + 6);
		assert_memory_equal(id, t[i].prefix, pl);
		for (size_t j = pl; j < pl + 6; j++)
			assert_non_null(strchr("0123456789abcdef", id[j]));
	}
	codec_blog_id_from_title("Summit", id);
	codec_blog_id_from_title("Summit", other);
	assert_string_not_equal(id, other);
}

static void test_dump_is_compact(void **state)
{
	json_t *v = json_pack("{s:i,s:[s,b]}", "a", 1, "b", "x", 0);
	json_t *s = json_string("\xc3\xa9");

	(void)state;
	expect_dump(v, "{\"a\":1,\"b\":[\"x\",false]}");
	expect_dump(s, "\"\xc3\xa9\"");
}

/* ---- data-driven cases ------------------------------------------------------ */

/* One case folder. What a run allocates hangs here so that the teardown
 * frees it even when an assertion jumps out of the test. */
struct kase {
	const char *kind;
	char name[320];
	char dir[640];
	char *in, *exp, *buf, *got;
	json_t *v;
};

static const char *const KINDS[] = {
	"blog_create", "entry_create", "entry_patch", "entry_stored", "event",
};

/* Reads a whole file; *len excludes the NUL added after it. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		fail_msg("cannot open %s", path);
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static char *case_file(const struct kase *k, const char *file, size_t *len)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", k->dir, file);
	return slurp(path, len);
}

/* A message ending in '*' matches any message with that prefix. */
static void expect_message(const char *got, const char *want)
{
	size_t wl = strlen(want);

	if (wl && want[wl - 1] == '*') {
		if (strncmp(got, want, wl - 1))
			fail_msg("message \"%s\" does not start with \"%.*s\"", got,
				 (int)wl - 1, want);
		return;
	}
	assert_string_equal(got, want);
}

static void run_request_case(struct kase *k, request_fn fn, size_t len,
			     const char *want_code, const char *want_rest)
{
	json_t *out = UNTOUCHED;
	char msg[256] = "";
	enum lb_status st;
	const char *id;

	k->buf = exact(k->in, len);
	st = fn(k->buf, len, &LIMITS, &out, msg, sizeof(msg));
	if (out != UNTOUCHED)
		k->v = out;
	assert_string_equal(status_code(st), want_code);
	if (st != LB_OK) {
		assert_ptr_equal(out, UNTOUCHED);
		expect_message(msg, want_rest);
		return;
	}
	assert_non_null(k->v);
	id = json_string_value(json_object_get(k->v, "id"));
	/* "id":"*" in expected: a generated id, checked then masked. */
	if (id && strstr(want_rest, "\"id\":\"*\"")) {
		assert_true(text_uuid_valid(id));
		for (const char *p = id; *p; p++)
			assert_false(*p >= 'A' && *p <= 'F');
		json_object_set_new(k->v, "id", json_string("*"));
	}
	k->got = dump_sorted(k->v);
	assert_string_equal(k->got, want_rest);
}

/* want is the compact wire JSON, or NULL when the codec must refuse. */
static void expect_wire(struct kase *k, const char *want)
{
	if (k->v)
		k->got = codec_dump(k->v);
	if (!strcmp(want, "NULL")) {
		if (k->v)
			fail_msg("expected NULL, got %s", k->got);
		return;
	}
	if (!k->v)
		fail_msg("expected %s, got NULL", want);
	assert_string_equal(k->got, want);
}

static void run_event_case(struct kase *k, size_t len)
{
	const char *nl = memchr(k->in, '\n', len), *sp;
	char head[128];
	size_t dlen;

	if (!nl || (size_t)(nl - k->in) >= sizeof(head))
		fail_msg("event input must start with a line \"<seq> <type>\"");
	memcpy(head, k->in, (size_t)(nl - k->in));
	head[nl - k->in] = '\0';
	sp = strchr(head, ' ');
	assert_non_null(sp);
	head[sp - head] = '\0';
	dlen = len - (size_t)(nl + 1 - k->in);
	k->buf = exact(nl + 1, dlen);
	k->v = codec_event(head, sp + 1, k->buf, dlen);
	expect_wire(k, k->exp);
}

static void run_case(void **state)
{
	struct kase *k = *state;
	size_t ilen, elen;
	char *rest;

	k->in = case_file(k, "input", &ilen);
	k->exp = case_file(k, "expected", &elen);
	/* Files end with one newline that is not part of the value. */
	if (ilen && k->in[ilen - 1] == '\n')
		k->in[--ilen] = '\0';
	while (elen && k->exp[elen - 1] == '\n')
		k->exp[--elen] = '\0';
	if (!strcmp(k->kind, "entry_stored")) {
		k->buf = exact(k->in, ilen);
		k->v = codec_entry_stored(k->buf, ilen);
		expect_wire(k, k->exp);
	} else if (!strcmp(k->kind, "event")) {
		run_event_case(k, ilen);
	} else {
		rest = strchr(k->exp, '\n');
		if (!rest)
			fail_msg("expected needs two lines: status code, then output or message");
		*rest++ = '\0';
		run_request_case(k, !strcmp(k->kind, "blog_create") ? codec_blog_create :
				 !strcmp(k->kind, "entry_create") ? codec_entry_create :
				 codec_entry_patch, ilen, k->exp, rest);
	}
}

static int case_teardown(void **state)
{
	struct kase *k = *state;

	free(k->in);
	free(k->exp);
	free(k->buf);
	free(k->got);
	json_decref(k->v);
	k->in = k->exp = k->buf = k->got = NULL;
	k->v = NULL;
	return 0;
}

static void test_cases_present(void **state)
{
	const size_t *counts = *state;

	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
		if (counts[i] == 0)
			fail_msg("no cases under %s/%s (run from the repository root)",
				 CASES_DIR, KINDS[i]);
}

static int only_dirs(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Appends one test per case folder; returns the new count. */
static size_t add_cases(struct CMUnitTest **tests, size_t n, size_t *counts)
{
	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++) {
		char dir[64];
		struct dirent **names;
		int m;

		snprintf(dir, sizeof(dir), "%s/%s", CASES_DIR, KINDS[i]);
		m = scandir(dir, &names, only_dirs, alphasort);
		for (int j = 0; j < m; j++) {
			struct kase *k = calloc(1, sizeof(*k));

			*tests = realloc(*tests, (n + 1) * sizeof(**tests));
			if (!k || !*tests)
				abort();
			k->kind = KINDS[i];
			snprintf(k->name, sizeof(k->name), "%s/%s", KINDS[i], names[j]->d_name);
			snprintf(k->dir, sizeof(k->dir), "%s/%s", dir, names[j]->d_name);
			(*tests)[n++] = (struct CMUnitTest){
				.name = k->name, .test_func = run_case,
				.teardown_func = case_teardown, .initial_state = k,
			};
			counts[i]++;
			free(names[j]);
		}
		if (m >= 0)
			free(names);
	}
	return n;
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_entry_text_limit_is_16k_bytes),
		cmocka_unit_test(test_patch_text_limit_is_16k_bytes),
		cmocka_unit_test(test_limits_come_from_the_struct),
		cmocka_unit_test(test_author_limit),
		cmocka_unit_test(test_error_message_fits_small_buffer),
		cmocka_unit_test(test_generated_ids_are_fresh_lowercase_uuids),
		cmocka_unit_test(test_entry_wire_spec_order),
		cmocka_unit_test(test_entry_wire_edited_ts_after_edit),
		cmocka_unit_test(test_entry_wire_no_edited_ts_at_revision_1),
		cmocka_unit_test(test_entry_wire_rejects_bad_payload),
		cmocka_unit_test(test_entry_wire_of_created_payload),
		cmocka_unit_test(test_entry_stored_does_not_read_past_len),
		cmocka_unit_test(test_blog_patch),
		cmocka_unit_test(test_blog_meta_apply),
		cmocka_unit_test(test_blog_wire_live),
		cmocka_unit_test(test_blog_wire_ended),
		cmocka_unit_test(test_event_types),
		cmocka_unit_test(test_entry_apply_bumps_revision_and_patches_only_given),
		cmocka_unit_test(test_entry_apply_pin_and_revision_chain),
		cmocka_unit_test(test_entry_apply_from_patch_decoder),
		cmocka_unit_test(test_payload_accessors),
		cmocka_unit_test(test_fingerprint_value_is_stable),
		cmocka_unit_test(test_fingerprint_ignores_id_revision_and_order),
		cmocka_unit_test(test_fingerprint_changes_with_each_content_field),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_error_body_every_status_is_json),
		cmocka_unit_test(test_blog_id_from_title),
		cmocka_unit_test(test_dump_is_compact),
	};
	size_t counts[sizeof(KINDS) / sizeof(KINDS[0])] = { 0 };
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n;
	struct CMUnitTest *tests = malloc((nfixed + 1) * sizeof(*tests));
	int failed;

	if (!tests)
		abort();
	memcpy(tests, fixed, sizeof(fixed));
	tests[nfixed] = (struct CMUnitTest){
		.name = "cases_present", .test_func = test_cases_present,
		.initial_state = counts,
	};
	n = add_cases(&tests, nfixed + 1, counts);
	/* One group per binary: tests/unit/run.sh reads one summary. */
	failed = _cmocka_run_group_tests("codec", tests, n, NULL, NULL);
	for (size_t i = nfixed + 1; i < n; i++)
		free((void *)tests[i].initial_state);
	free(tests);
	return failed;
}
