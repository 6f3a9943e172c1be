/*
 * test_lang.c — src/common/lang.c: a blog's "lang" is a well-formed BCP 47
 * tag (RFC 5646 "langtag"), kept in its canonical case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/lang.h"

static void expect(const char *in, const char *want)
{
	char out[LANG_MAX];
	bool ok = lang_parse(in, strlen(in), out);

	if (want && (!ok || strcmp(out, want)))
		fail_msg("lang_parse(\"%s\") = %s \"%s\", want \"%s\"", in,
			 ok ? "ok" : "refused", out, want);
	if (!want && (ok || out[0]))
		fail_msg("lang_parse(\"%s\") accepted \"%s\"", in, out);
}

/* RFC 5646 appendix A's examples and the tags newsrooms use. */
static void test_well_formed(void **state)
{
	(void)state;
	expect("en", "en");
	expect("fr", "fr");
	expect("de", "de");
	expect("en-GB", "en-GB");
	expect("fr-CA", "fr-CA");
	expect("zh-Hant", "zh-Hant");
	expect("zh-Hans-CN", "zh-Hans-CN");
	expect("sr-Latn-RS", "sr-Latn-RS");
	expect("sl-rozaj", "sl-rozaj");
	expect("sl-rozaj-biske", "sl-rozaj-biske");
	expect("de-CH-1901", "de-CH-1901");
	expect("hy-Latn-IT-arevela", "hy-Latn-IT-arevela");
	expect("es-419", "es-419");
	expect("zh-yue-HK", "zh-yue-HK");       /* extlang */
	expect("de-DE-u-co-phonebk", "de-DE-u-co-phonebk");
	expect("en-US-x-twain", "en-US-x-twain");
	expect("en-a-bbb-x-a-ccc", "en-a-bbb-x-a-ccc");
	expect("qaa-Qaaa-QM-x-southern", "qaa-Qaaa-QM-x-southern");
}

/* Case does not matter in a tag; the canonical form has one. */
static void test_canonical_case(void **state)
{
	(void)state;
	expect("EN", "en");
	expect("EN-gb", "en-GB");
	expect("zh-hant-tw", "zh-Hant-TW");
	expect("SR-LATN-rs", "sr-Latn-RS");
	expect("DE-ch-1901", "de-CH-1901");
	expect("En-Us-X-TWAIN", "en-US-x-twain");
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "e", "-", "en-", "-en", "en--GB", "en_GB", "fr FR", " fr", "fr ",
		"123", "1en", "en-GB-a", "en-x", "x-private", "i-klingon",
		"toolonglang", "en-toolongsubtag", "en-ÿ", "fr\t", "en-GB-", "de-a-b",
		"en-US-u", "abcdefghijklmnopqrstuvwxyz-abcdefghij",   /* 36 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(bad[i], NULL);
}

/* Exactly the bytes given: no reading past len, no NUL needed. */
static void test_length_bounds(void **state)
{
	char out[LANG_MAX];

	(void)state;
	assert_true(lang_parse("en-GBxxxx", 5, out));
	assert_string_equal(out, "en-GB");
	assert_false(lang_parse("fr\0x", 4, out));
	assert_true(lang_parse("abcdefgh-abcdefgh-abcdefgh-abcdefg", 34, out));
	assert_true(lang_parse("abcdefgh-abcdefgh-abcdefgh-abcdefgh", 35, out));
	assert_false(lang_parse(NULL, 2, out));
}

static void test_primary(void **state)
{
	char out[LANG_MAX];

	(void)state;
	assert_true(lang_primary("fr-CA", out));
	assert_string_equal(out, "fr");
	assert_true(lang_primary("zh-Hant-TW", out));
	assert_string_equal(out, "zh");
	assert_false(lang_primary("en", out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_canonical_case),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_length_bounds),
		cmocka_unit_test(test_primary),
	};

	return cmocka_run_group_tests_name("lang", tests, NULL, NULL);
}
