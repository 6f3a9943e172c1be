/*
 * test_i18n.c — src/http/i18n.c and the catalogs of www/i18n/: SPEC's
 * French strings exactly, every catalog holding every string, a language
 * or a string missing falling back (region → language → English), and a
 * language added by dropping one file into a --www directory.
 * Runs from the repository root (make unit-test).
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
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "http/assets.h"
#include "http/i18n.h"

static void expect_str(const json_t *cat, const char *key, const char *want)
{
	const char *got = i18n_str(cat, key, NULL);

	if (!got || strcmp(got, want))
		fail_msg("%s: \"%s\", want \"%s\"", key, got ? got : "(none)", want);
}

/* SPEC "Languages": the fr strings, as given. */
static void test_spec_french_strings(void **state)
{
	json_t *fr = i18n_catalog(NULL, "fr");

	(void)state;
	expect_str(fr, "live", "EN DIRECT");
	expect_str(fr, "ended_badge", "TERMIN\xc3\x89");
	expect_str(fr, "ended", "Le direct est termin\xc3\xa9.");
	expect_str(fr, "empty", "Aucune mise \xc3\xa0 jour pour le moment.");
	expect_str(fr, "key_events", "\xc3\x89v\xc3\xa9nements cl\xc3\xa9s");
	expect_str(fr, "latest", "Derni\xc3\xa8res mises \xc3\xa0 jour");
	expect_str(fr, "reconnecting", "Reconnexion\xe2\x80\xa6");
	json_decref(fr);
}

/* The compiled-in file name as a JSON object, or fail. */
static json_t *file(const char *name)
{
	const struct assets_file *a = assets_find(name);
	json_t *v = a ? json_loadb((const char *)a->data, a->len, JSON_REJECT_DUPLICATES, NULL) : NULL;

	if (!json_is_object(v))
		fail_msg("%s is not a JSON object", name);
	return v;
}

/* Every shipped catalog has exactly English's strings, all of them strings. */
static void test_every_catalog_complete(void **state)
{
	json_t *en = file("i18n/en.json"), *other, *v;
	const char *k;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < assets_count; i++) {
		if (strncmp(assets_table[i].name, "i18n/", 5))
			continue;
		n++;
		other = file(assets_table[i].name);
		json_object_foreach(en, k, v)
			if (!json_is_string(json_object_get(other, k)))
				fail_msg("%s lacks \"%s\"", assets_table[i].name, k);
		json_object_foreach(other, k, v)
			if (!json_object_get(en, k) || !json_is_string(v))
				fail_msg("%s: \"%s\" is not one of en.json's strings",
					 assets_table[i].name, k);
		json_decref(other);
	}
	assert_true(n >= 2);
	json_decref(en);
}

/* A region falls back to its language, a language without a file to English. */
static void test_fallback(void **state)
{
	json_t *c;

	(void)state;
	c = i18n_catalog(NULL, "fr-CA");
	expect_str(c, "live", "EN DIRECT");
	json_decref(c);
	c = i18n_catalog(NULL, "de");
	expect_str(c, "live", "LIVE");
	json_decref(c);
	c = i18n_catalog(NULL, "en-GB");
	expect_str(c, "empty", "No liveblog updates yet.");
	json_decref(c);
	c = i18n_catalog(NULL, NULL);
	expect_str(c, "latest", "Latest updates");
	assert_string_equal(i18n_str(c, "no-such-key", "fallback"), "fallback");
	json_decref(c);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Adding a language is adding one file: a --www directory with a de.json
 * nobody compiled in is used at once; a region's file overlays its
 * language's, which overlays English; a broken file is skipped.
 */
static void test_language_added_by_one_file(void **state)
{
	char dir[] = "/tmp/liveblog-i18n-XXXXXX", sub[300];
	json_t *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/i18n", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(sub, "en.json", "{\"live\":\"LIVE\",\"empty\":\"Nothing yet.\",\"ended\":\"Over.\"}");
	put(sub, "de.json", "{\"live\":\"LIVE-TICKER\",\"empty\":\"Noch keine Beitr\xc3\xa4ge.\"}");
	put(sub, "de-AT.json", "{\"empty\":\"Noch nix.\",\"odd\":42}");
	put(sub, "xx.json", "{not json");
	c = i18n_catalog(dir, "de");
	expect_str(c, "live", "LIVE-TICKER");
	expect_str(c, "ended", "Over.");
	json_decref(c);
	c = i18n_catalog(dir, "de-AT");
	expect_str(c, "empty", "Noch nix.");
	expect_str(c, "live", "LIVE-TICKER");
	assert_null(json_object_get(c, "odd"));
	json_decref(c);
	c = i18n_catalog(dir, "xx");
	expect_str(c, "empty", "Nothing yet.");
	json_decref(c);
	c = i18n_catalog(NULL, "de");   /* not compiled in */
	expect_str(c, "live", "LIVE");
	json_decref(c);
	for (const char *const *n = (const char *const[]){ "en.json", "de.json",
	     "de-AT.json", "xx.json", NULL }; *n; n++) {
		char path[400];

		snprintf(path, sizeof(path), "%s/%s", sub, *n);
		unlink(path);
	}
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_french_strings),
		cmocka_unit_test(test_every_catalog_complete),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_language_added_by_one_file),
	};

	return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}
