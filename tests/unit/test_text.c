/*
 * test_text.c — src/common/text.c: UTF-8, slugs, UUIDs, stream ids (seq)
 * and RFC 3339 times (SPEC.md "Objects" and "Wire format").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"

/* The SPEC's example time and its value in ms since the epoch. */
#define SPEC_TS "2026-11-29T07:32:42.123Z"
#define SPEC_MS UINT64_C(1795937562123)

static bool utf8(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

/* ---- UTF-8 ---------------------------------------------------------- */

static void test_utf8_valid_ascii_and_multibyte(void **state)
{
	(void)state;
	assert_true(utf8(""));
	assert_true(utf8("plain ascii, 0-9 ~"));
	assert_true(utf8("\xc3\xa9"));                 /* é U+00E9 */
	assert_true(utf8("\xc2\xab Bonjour \xc2\xbb")); /* « » */
	assert_true(utf8("\xe2\x80\x93"));             /* – U+2013 */
	assert_true(utf8("\xf0\x9f\x98\x80"));         /* 😀 U+1F600 */
	assert_true(utf8("\xc2\x80"));                 /* U+0080, smallest 2-byte */
	assert_true(utf8("\xdf\xbf"));                 /* U+07FF */
	assert_true(utf8("\xe0\xa0\x80"));             /* U+0800, smallest 3-byte */
	assert_true(utf8("\xed\x9f\xbf"));             /* U+D7FF, before surrogates */
	assert_true(utf8("\xee\x80\x80"));             /* U+E000, after surrogates */
	assert_true(utf8("\xef\xbf\xbf"));             /* U+FFFF */
	assert_true(utf8("\xf0\x90\x80\x80"));         /* U+10000, smallest 4-byte */
	assert_true(utf8("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the last */
	assert_true(utf8("L'\xc3\xa9lection \xc2\xab en direct \xc2\xbb \xe2\x80\x93 \xf0\x9f\x97\xb3"));
}

static void test_utf8_nul_byte_is_valid_utf8(void **state)
{
	(void)state;
	/* U+0000 is well-formed UTF-8; the JSON layer decides about it. */
	assert_true(text_utf8_valid("a\0b", 3));
}

static void test_utf8_overlong_rejected(void **state)
{
	(void)state;
	assert_false(utf8("\xc0\x80"));             /* NUL in 2 bytes */
	assert_false(utf8("\xc0\xaf"));             /* '/' in 2 bytes */
	assert_false(utf8("\xc1\xbf"));             /* U+007F in 2 bytes */
	assert_false(utf8("\xe0\x80\x80"));
	assert_false(utf8("\xe0\x80\xaf"));         /* '/' in 3 bytes */
	assert_false(utf8("\xe0\x9f\xbf"));         /* U+07FF in 3 bytes */
	assert_false(utf8("\xf0\x80\x80\x80"));
	assert_false(utf8("\xf0\x80\x80\xaf"));     /* '/' in 4 bytes */
	assert_false(utf8("\xf0\x8f\xbf\xbf"));     /* U+FFFF in 4 bytes */
}

static void test_utf8_surrogates_rejected(void **state)
{
	(void)state;
	assert_false(utf8("\xed\xa0\x80"));         /* U+D800 */
	assert_false(utf8("\xed\xad\xbf"));         /* U+DB7F */
	assert_false(utf8("\xed\xb0\x80"));         /* U+DC00 */
	assert_false(utf8("\xed\xbf\xbf"));         /* U+DFFF */
	assert_false(utf8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair for 😀 */
}

static void test_utf8_above_max_rejected(void **state)
{
	(void)state;
	assert_false(utf8("\xf4\x90\x80\x80"));     /* U+110000 */
	assert_false(utf8("\xf5\x80\x80\x80"));
	assert_false(utf8("\xf7\xbf\xbf\xbf"));
	assert_false(utf8("\xf8\x88\x80\x80\x80")); /* old 5-byte form */
	assert_false(utf8("\xfc\x84\x80\x80\x80\x80"));
	assert_false(utf8("\xfe"));
	assert_false(utf8("\xff"));
}

static void test_utf8_truncated_and_stray_rejected(void **state)
{
	(void)state;
	assert_false(utf8("\x80"));                 /* lone continuation */
	assert_false(utf8("a\xbf" "b"));
	assert_false(utf8("\xc3"));                 /* é cut */
	assert_false(utf8("\xe2\x80"));             /* – cut */
	assert_false(utf8("\xf0\x9f\x98"));         /* 😀 cut */
	assert_false(utf8("abc\xf0\x9f"));
	assert_false(utf8("\xc3(")); /* bad continuation */
	assert_false(utf8("\xe2(\xa1"));
	assert_false(utf8("\xe2\x82("));
	assert_false(utf8("\xf0(\x8c\xbc"));
	assert_false(utf8("\xc3\xa9\xc3"));         /* valid, then cut */
}

static void test_utf8_respects_len(void **state)
{
	/* Exact-size buffers: a read past len is caught by ASan. */
	char one[1] = { (char)0xc3 };
	char three[3] = { 'a', (char)0xf0, (char)0x9f };
	char ok[2] = { (char)0xc3, (char)0xa9 };

	(void)state;
	assert_false(text_utf8_valid(one, sizeof(one)));
	assert_false(text_utf8_valid(three, sizeof(three)));
	assert_true(text_utf8_valid(ok, sizeof(ok)));
	assert_false(text_utf8_valid(ok, 1));
	assert_true(text_utf8_valid(ok, 0));
}

/* ---- slugs ---------------------------------------------------------- */

static void test_slug_valid(void **state)
{
	char s64[65], s65[66];

	(void)state;
	memset(s64, 'a', 64);
	s64[64] = '\0';
	memset(s65, 'a', 65);
	s65[65] = '\0';
	assert_true(text_slug_valid("a"));
	assert_true(text_slug_valid("0"));
	assert_true(text_slug_valid("summit"));
	assert_true(text_slug_valid("summit-2026"));
	assert_true(text_slug_valid("2026-election-night"));
	assert_true(text_slug_valid("a-"));  /* [a-z0-9-]{0,63} allows it */
	assert_true(text_slug_valid("a--b"));
	assert_true(text_slug_valid(s64));
	assert_false(text_slug_valid(s65));
	s64[0] = '9';
	assert_true(text_slug_valid(s64));
}

static void test_slug_invalid(void **state)
{
	(void)state;
	assert_false(text_slug_valid(""));
	assert_false(text_slug_valid("-"));
	assert_false(text_slug_valid("-summit"));
	assert_false(text_slug_valid("Summit"));
	assert_false(text_slug_valid("summiT"));
	assert_false(text_slug_valid("sum_mit"));
	assert_false(text_slug_valid("sum mit"));
	assert_false(text_slug_valid("sum.mit"));
	assert_false(text_slug_valid("sum/mit"));
	assert_false(text_slug_valid(".."));
	assert_false(text_slug_valid("\xc3\xa9t\xc3\xa9"));
	assert_false(text_slug_valid("summit\n"));
}

/* ---- UUIDs ---------------------------------------------------------- */

static void test_uuid_valid(void **state)
{
	(void)state;
	assert_true(text_uuid_valid("0f8fad5b-d9cb-469f-a165-70867728950e"));
	assert_true(text_uuid_valid("0F8FAD5B-D9CB-469F-A165-70867728950E"));
	assert_true(text_uuid_valid("00000000-0000-0000-0000-000000000000"));
	assert_true(text_uuid_valid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}

static void test_uuid_invalid(void **state)
{
	(void)state;
	assert_false(text_uuid_valid(""));
	assert_false(text_uuid_valid("0f8fad5b-d9cb-469f-a165-70867728950"));   /* 35 */
	assert_false(text_uuid_valid("0f8fad5b-d9cb-469f-a165-70867728950e0")); /* 37 */
	assert_false(text_uuid_valid("0f8fad5bd9cb469fa16570867728950e"));      /* no dashes */
	assert_false(text_uuid_valid("0f8fad5b-d9cb-469f-a165-70867728950g"));
	assert_false(text_uuid_valid("0f8fad5bd-9cb-469f-a165-70867728950e"));  /* dash moved */
	assert_false(text_uuid_valid("0f8fad5b-d9cb-469f-a165_70867728950e"));
	assert_false(text_uuid_valid("{f8fad5b-d9cb-469f-a165-70867728950}"));
	assert_false(text_uuid_valid("0f8fad5b-d9cb-469f-a165-7086772895 e"));
	assert_false(text_uuid_valid("------------------------------------"));
}

/* ---- seq ------------------------------------------------------------ */

static void test_seq_parse_valid(void **state)
{
	struct lb_seq s;

	(void)state;
	assert_true(text_seq_parse("1764401562123-0", &s));
	assert_int_equal(s.ms, UINT64_C(1764401562123));
	assert_int_equal(s.n, 0);
	assert_true(text_seq_parse("1764401562123-42", &s));
	assert_int_equal(s.ms, UINT64_C(1764401562123));
	assert_int_equal(s.n, 42);
	s.n = 99;
	assert_true(text_seq_parse("5", &s));
	assert_int_equal(s.ms, 5);
	assert_int_equal(s.n, 0);
	assert_true(text_seq_parse("0-0", &s));
	assert_int_equal(s.ms, 0);
	assert_int_equal(s.n, 0);
	assert_true(text_seq_parse("18446744073709551615-18446744073709551615", &s));
	assert_true(s.ms == UINT64_MAX);
	assert_true(s.n == UINT64_MAX);
}

static void test_seq_parse_invalid(void **state)
{
	static const char *bad[] = {
		"", "-", "-1", "1-", "a-b", "a", "1-a", "a-1", "1-2-3", "1--2",
		" 1", "1 ", "1 -0", "+1", "1-+0", "1.5", "0x10", "1e3", "\xd9\xa1",
		"18446744073709551616",          /* UINT64_MAX + 1 */
		"18446744073709551616-0",
		"0-18446744073709551616",
		"99999999999999999999",          /* 20 digits, > UINT64_MAX */
		"100000000000000000000",         /* 21 digits */
	};
	struct lb_seq s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (text_seq_parse(bad[i], &s))
			fail_msg("text_seq_parse accepted \"%s\"", bad[i]);
	}
}

static void test_seq_cmp(void **state)
{
	struct lb_seq a = { 1, 0 }, b = { 1, 1 }, c = { 2, 0 }, d = { 1, 0 };

	(void)state;
	assert_int_equal(text_seq_cmp(&a, &b), -1);
	assert_int_equal(text_seq_cmp(&b, &a), 1);
	assert_int_equal(text_seq_cmp(&b, &c), -1);
	assert_int_equal(text_seq_cmp(&c, &b), 1);
	assert_int_equal(text_seq_cmp(&a, &d), 0);
}

static void test_seq_cmp_str_is_numeric(void **state)
{
	(void)state;
	assert_int_equal(text_seq_cmp_str("1-0", "1-1"), -1);
	assert_int_equal(text_seq_cmp_str("1-1", "2-0"), -1);
	assert_int_equal(text_seq_cmp_str("2-0", "1-9"), 1);
	/* Numbers, not strings: "10" sorts after "9". */
	assert_int_equal(text_seq_cmp_str("10-0", "9-0"), 1);
	assert_int_equal(text_seq_cmp_str("1-10", "1-9"), 1);
	assert_int_equal(text_seq_cmp_str("1764401562123-0", "1764401562123-0"), 0);
	assert_int_equal(text_seq_cmp_str("5", "5-0"), 0);
	assert_int_equal(text_seq_cmp_str("5", "5-1"), -1);
	assert_int_equal(text_seq_cmp_str("0-0", "1764401562123-0"), -1);
}

static void test_seq_format(void **state)
{
	struct lb_seq s = { UINT64_C(1764401562123), 0 };
	char out[44];

	(void)state;
	text_seq_format(&s, out);
	assert_string_equal(out, "1764401562123-0");
	s.n = 7;
	text_seq_format(&s, out);
	assert_string_equal(out, "1764401562123-7");
	s.ms = 0;
	s.n = 0;
	text_seq_format(&s, out);
	assert_string_equal(out, "0-0");
	s.ms = UINT64_MAX;
	s.n = UINT64_MAX;
	text_seq_format(&s, out);
	assert_string_equal(out, "18446744073709551615-18446744073709551615");
}

static void test_seq_round_trip(void **state)
{
	static const char *ids[] = { "0-0", "1-0", "1764401562123-0",
				     "1764401562123-65535", "9-18446744073709551615" };
	struct lb_seq s;
	char out[44];

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_true(text_seq_parse(ids[i], &s));
		text_seq_format(&s, out);
		assert_string_equal(out, ids[i]);
	}
}

/* ---- RFC 3339 formatting ---------------------------------------------- */

static void test_rfc3339_format_spec_example(void **state)
{
	char out[32];

	(void)state;
	memset(out, 'x', sizeof(out));
	text_rfc3339(SPEC_MS, out);
	assert_string_equal(out, SPEC_TS);
	assert_int_equal(strlen(out), 24);
}

static void test_rfc3339_format_values(void **state)
{
	char out[32];

	(void)state;
	text_rfc3339(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	text_rfc3339(1, out);
	assert_string_equal(out, "1970-01-01T00:00:00.001Z");
	text_rfc3339(999, out);
	assert_string_equal(out, "1970-01-01T00:00:00.999Z");
	text_rfc3339(1000, out);
	assert_string_equal(out, "1970-01-01T00:00:01.000Z");
	text_rfc3339(UINT64_C(1764401562123), out);
	assert_string_equal(out, "2025-11-29T07:32:42.123Z");
	text_rfc3339(UINT64_C(1709164800000), out);
	assert_string_equal(out, "2024-02-29T00:00:00.000Z");
	text_rfc3339(UINT64_C(253402300799999), out);
	assert_string_equal(out, "9999-12-31T23:59:59.999Z");
}

static void test_rfc3339_format_ms_not_rounded(void **state)
{
	char out[32];

	(void)state;
	/* .999 stays .999: never rounded up into the next second. */
	text_rfc3339(SPEC_MS - 123 + 999, out);
	assert_string_equal(out, "2026-11-29T07:32:42.999Z");
	text_rfc3339(SPEC_MS - 123 + 1000, out);
	assert_string_equal(out, "2026-11-29T07:32:43.000Z");
	text_rfc3339(SPEC_MS - 123 + 5, out);
	assert_string_equal(out, "2026-11-29T07:32:42.005Z");
	text_rfc3339(SPEC_MS - 123 + 50, out);
	assert_string_equal(out, "2026-11-29T07:32:42.050Z");
}

/* ---- RFC 3339 parsing ------------------------------------------------ */

static uint64_t parse_ok(const char *s)
{
	uint64_t ms = 0;

	if (!text_rfc3339_parse(s, &ms))
		fail_msg("text_rfc3339_parse rejected \"%s\"", s);
	return ms;
}

static void expect_parse_fails(const char *s)
{
	uint64_t ms = 4242;

	if (text_rfc3339_parse(s, &ms))
		fail_msg("text_rfc3339_parse accepted \"%s\" as %llu ms", s,
			 (unsigned long long)ms);
	assert_int_equal(ms, 4242); /* out unchanged on error */
}

static void test_rfc3339_parse_utc(void **state)
{
	(void)state;
	assert_int_equal(parse_ok(SPEC_TS), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-29t07:32:42.123z"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-29T07:32:42Z"), SPEC_MS - 123);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.001Z"), 1);
	assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), UINT64_C(1709164800000));
	assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"), UINT64_C(253402300799999));
}

static void test_rfc3339_parse_fractions(void **state)
{
	uint64_t base = SPEC_MS - 123;

	(void)state;
	assert_int_equal(parse_ok("2026-11-29T07:32:42.1Z"), base + 100);
	assert_int_equal(parse_ok("2026-11-29T07:32:42.12Z"), base + 120);
	assert_int_equal(parse_ok("2026-11-29T07:32:42.000Z"), base);
	assert_int_equal(parse_ok("2026-11-29T07:32:42.007Z"), base + 7);
	/* Digits past the millisecond are dropped. */
	assert_int_equal(parse_ok("2026-11-29T07:32:42.123456Z"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-29T07:32:42.123999999Z"), SPEC_MS);
}

static void test_rfc3339_parse_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-29T08:32:42.123+01:00"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-29T02:02:42.123-05:30"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-29T07:32:42.123+00:00"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-29T07:32:42.123-00:00"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-30T00:02:42.123+16:30"), SPEC_MS);
	assert_int_equal(parse_ok("2026-11-28T21:32:42.123-10:00"), SPEC_MS);
}

static void test_rfc3339_parse_round_trip(void **state)
{
	static const uint64_t v[] = { 0, 1, 999, UINT64_C(1764401562123), SPEC_MS,
				      UINT64_C(253402300799999) };
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		text_rfc3339(v[i], out);
		assert_int_equal(parse_ok(out), v[i]);
	}
}

static void test_rfc3339_parse_invalid(void **state)
{
	static const char *bad[] = {
		"", "now", "2026-11-29", "2026-11-29T07:32", "2026-11-29T07:32:42",
		"2026-11-29T07:32:42.123", "2026-11-29 07:32:42Z",
		"2026/11/29T07:32:42Z", "2026-11-29T07.32.42Z",
		"26-11-29T07:32:42.123Z", "2026-1-29T07:32:42.123Z",
		"2026-11-29T7:32:42.123Z", "2026-11-29T07:32:42.123ZZ",
		"2026-11-29T07:32:42.123Z ", " 2026-11-29T07:32:42.123Z",
		"2026-11-29T07:32:42.123+0100", "2026-11-29T07:32:42.123+01",
		"2026-11-29T07:32:42.123+01:00:00", "2026-11-29T07:32:42.123UTC",
		"2026-11-29T07:32:42.12aZ", "2026-11-29T07:32:42,123Z",
		"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z",
		"2026-11-29T24:00:00Z", "2026-11-29T07:60:00Z",
		"2026-11-29T07:32:61Z", "2026-11-29T-7:32:42Z",
		"abcd-11-29T07:32:42Z", "1969-12-31T23:59:59Z",
		"1970-01-01T00:30:00+01:00", /* before the epoch */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse_fails(bad[i]);
}

/* Days that do not exist in their month are not RFC 3339 dates (§5.7). */
static void test_rfc3339_parse_rejects_impossible_dates(void **state)
{
	(void)state;
	expect_parse_fails("2026-02-30T00:00:00Z");
	expect_parse_fails("2026-04-31T00:00:00Z");
	expect_parse_fails("2025-02-29T00:00:00Z"); /* not a leap year */
	expect_parse_fails("2100-02-29T00:00:00Z"); /* not a leap year */
	assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), UINT64_C(951782400000));
}

/* time-secfrac = "." 1*DIGIT: a dot needs at least one digit. */
static void test_rfc3339_parse_rejects_empty_fraction(void **state)
{
	(void)state;
	expect_parse_fails("2026-11-29T07:32:42.Z");
	expect_parse_fails("2026-11-29T07:32:42.+01:00");
}

/* time-numoffset hours are 00-23 and minutes 00-59 (RFC 3339 §5.6). */
static void test_rfc3339_parse_rejects_offset_out_of_range(void **state)
{
	(void)state;
	expect_parse_fails("2026-11-29T07:32:42.123+24:00");
	expect_parse_fails("2026-11-29T07:32:42.123+99:00");
	expect_parse_fails("2026-11-29T07:32:42.123+01:60");
	expect_parse_fails("2026-11-29T07:32:42.123-00:99");
}

/* ---- hex -------------------------------------------------------------- */

static void test_hex(void **state)
{
	static const unsigned char in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 1];

	(void)state;
	text_hex(in, sizeof(in), out);
	assert_string_equal(out, "00017f80abff");
	text_hex(in, 0, out);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_ascii_and_multibyte),
		cmocka_unit_test(test_utf8_nul_byte_is_valid_utf8),
		cmocka_unit_test(test_utf8_overlong_rejected),
		cmocka_unit_test(test_utf8_surrogates_rejected),
		cmocka_unit_test(test_utf8_above_max_rejected),
		cmocka_unit_test(test_utf8_truncated_and_stray_rejected),
		cmocka_unit_test(test_utf8_respects_len),
		cmocka_unit_test(test_slug_valid),
		cmocka_unit_test(test_slug_invalid),
		cmocka_unit_test(test_uuid_valid),
		cmocka_unit_test(test_uuid_invalid),
		cmocka_unit_test(test_seq_parse_valid),
		cmocka_unit_test(test_seq_parse_invalid),
		cmocka_unit_test(test_seq_cmp),
		cmocka_unit_test(test_seq_cmp_str_is_numeric),
		cmocka_unit_test(test_seq_format),
		cmocka_unit_test(test_seq_round_trip),
		cmocka_unit_test(test_rfc3339_format_spec_example),
		cmocka_unit_test(test_rfc3339_format_values),
		cmocka_unit_test(test_rfc3339_format_ms_not_rounded),
		cmocka_unit_test(test_rfc3339_parse_utc),
		cmocka_unit_test(test_rfc3339_parse_fractions),
		cmocka_unit_test(test_rfc3339_parse_offsets),
		cmocka_unit_test(test_rfc3339_parse_round_trip),
		cmocka_unit_test(test_rfc3339_parse_invalid),
		cmocka_unit_test(test_rfc3339_parse_rejects_impossible_dates),
		cmocka_unit_test(test_rfc3339_parse_rejects_empty_fraction),
		cmocka_unit_test(test_rfc3339_parse_rejects_offset_out_of_range),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
