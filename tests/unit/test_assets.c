/*
 * test_assets.c — src/http/assets.c and the table tools/embed-www.sh
 * generates: every file of www/ is in it, byte for byte, with the MIME type
 * assets_mime() gives and an ETag from its bytes; lookups and reads take
 * plain names only. Runs from the repository root (make unit-test).
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

#include "common/hash.h"
#include "http/assets.h"

/* Every entry: plain name, its MIME type, a NUL after the bytes, the ETag. */
static void test_table_entries(void **state)
{
	char hex[LB_SHA256_HEX], want[40];

	(void)state;
	assert_true(assets_count > 0);
	for (size_t i = 0; i < assets_count; i++) {
		const struct assets_file *a = &assets_table[i];

		assert_non_null(a->name);
		/* plain, or a catalog of www/i18n/ */
		assert_null(strchr(a->name + (strncmp(a->name, "i18n/", 5) ? 0 : 5), '/'));
		assert_int_not_equal(a->name[0], '.');
		assert_string_equal(a->mime, assets_mime(a->name));
		assert_int_equal(a->data[a->len], 0);
		hash_sha256_hex(a->data, a->len, hex);
		snprintf(want, sizeof(want), "\"%.32s\"", hex);
		assert_string_equal(a->etag, want);
		assert_ptr_equal(assets_find(a->name), a);
	}
}

/*
 * Checks that every file of www/<sub> (sub "" or "i18n/") is compiled in
 * with the same bytes; returns how many there are.
 */
static size_t same_as_dir(const char *sub)
{
	char path[64], name[300];
	DIR *d;
	struct dirent *e;
	size_t files = 0, len;
	char *disk;

	snprintf(path, sizeof(path), "www/%s", sub);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d))) {
		const struct assets_file *a;

		if (e->d_name[0] == '.' || (!*sub && !strcmp(e->d_name, "i18n")))
			continue;
		files++;
		snprintf(name, sizeof(name), "%s%s", sub, e->d_name);
		a = assets_find(name);
		if (!a)
			fail_msg("www/%s is not compiled in", name);
		disk = assets_read("www", name, &len);
		assert_non_null(disk);
		assert_int_equal(len, a->len);
		assert_memory_equal(disk, a->data, len);
		free(disk);
	}
	closedir(d);
	return files;
}

/* The table is www/ as it is now: the same names, the same bytes. */
static void test_table_is_www(void **state)
{
	(void)state;
	assert_int_equal(same_as_dir("") + same_as_dir("i18n/"), assets_count);
	assert_non_null(assets_find("i18n/en.json"));
	assert_non_null(assets_find("i18n/fr.json"));
}

static void test_find_exact_names_only(void **state)
{
	static const char *const bad[] = {
		"", "INDEX.HTML", "index.html/", "/index.html", "./index.html",
		"../www/index.html", "www/index.html", "index.htm", "index.html ",
	};

	(void)state;
	assert_non_null(assets_find("index.html"));
	assert_non_null(assets_find("blog.html"));
	assert_non_null(assets_find("404.html"));
	assert_null(assets_find(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (assets_find(bad[i]))
			fail_msg("assets_find(\"%s\") found a file", bad[i]);
}

static void test_mime(void **state)
{
	(void)state;
	assert_string_equal(assets_mime("a.html"), "text/html; charset=utf-8");
	assert_string_equal(assets_mime("a.js"), "text/javascript; charset=utf-8");
	assert_string_equal(assets_mime("a.css"), "text/css; charset=utf-8");
	assert_string_equal(assets_mime("a.svg"), "image/svg+xml");
	assert_string_equal(assets_mime("a.tar.gz"), "application/octet-stream");
	assert_string_equal(assets_mime("html"), "application/octet-stream");
	assert_string_equal(assets_mime("a.html.bak"), "application/octet-stream");
}

/* From memory: a NUL-terminated copy the caller owns. */
static void test_read_compiled_in(void **state)
{
	const struct assets_file *a = assets_find("blog.html");
	size_t len = 0;
	char *s;

	(void)state;
	s = assets_read(NULL, "blog.html", &len);
	assert_non_null(s);
	assert_int_equal(len, a->len);
	assert_memory_equal(s, a->data, len);
	assert_int_equal(s[len], '\0');
	assert_ptr_not_equal(s, (const char *)a->data);
	free(s);
	assert_null(assets_read(NULL, "nope.html", &len));
}

/* From a directory: the file as it is now; plain names only, regular files only. */
static void test_read_dir(void **state)
{
	char dir[] = "/tmp/liveblog-assets-XXXXXX", path[128];
	static const char *const bad[] = { "", ".hidden", "../x.html", "sub/x.html", "sub",
					   "i18n/", "i18n/.x.json", "i18n/a/x.json", "i18n" };
	size_t len = 0;
	char *s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.html", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("<p>edited</p>", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/.hidden", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	s = assets_read(dir, "x.html", &len);
	assert_non_null(s);
	assert_int_equal(len, 13);
	assert_string_equal(s, "<p>edited</p>");
	free(s);
	assert_null(assets_read(dir, "blog.html", &len));   /* no fallback to memory */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if ((s = assets_read(dir, bad[i], &len)))
			fail_msg("assets_read(dir, \"%s\") read a file", bad[i]);
	snprintf(path, sizeof(path), "%s/x.html", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.hidden", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_entries),
		cmocka_unit_test(test_table_is_www),
		cmocka_unit_test(test_find_exact_names_only),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_read_compiled_in),
		cmocka_unit_test(test_read_dir),
	};

	return cmocka_run_group_tests_name("assets", tests, NULL, NULL);
}
