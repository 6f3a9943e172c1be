/*
 * fuzz_assets.c — the compiled-in file-serving path on arbitrary request
 * paths: router_match (GET) then assets_find on the file it names, as
 * server.c does, and assets_find/assets_read on the raw bytes as a name.
 *
 * Invariants (SPEC.md rule 5, "path traversal in static files"):
 *   - a file is served only for R_STATIC, and only one of the table's own
 *     entries (its exact name), never for a path with "..", a backslash
 *     or more than one segment;
 *   - assets_find on any name finds an entry only when the name equals it;
 *     assets_read(NULL, name) returns exactly its bytes, NUL-terminated;
 *   - assets_mime always answers a non-empty type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "http/assets.h"
#include "http/router.h"

static void check_route(const char *path)
{
	struct route_match rm;
	const struct assets_file *a;

	router_match(M_GET, path, &rm);
	if (rm.route != R_STATIC)
		return;
	a = assets_find(rm.file);
	if (!a)
		return;
	CHECK(!strcmp(a->name, rm.file));
	CHECK(a >= assets_table && a < assets_table + assets_count);
	CHECK(!strstr(path, ".."));
	CHECK(!strchr(path, '\\'));
	/* a plain name, or a message catalog "i18n/NAME" */
	CHECK(!strchr(rm.file + (strncmp(rm.file, "i18n/", 5) ? 0 : 5), '/'));
}

static void check_name(const char *name)
{
	const struct assets_file *a = assets_find(name);
	const char *mime = assets_mime(name);
	size_t len = 0;
	char *s = assets_read(NULL, name, &len);

	CHECK(mime && mime[0]);
	CHECK(!a || !strcmp(a->name, name));
	CHECK(!s == !a);
	if (s) {
		CHECK(len == a->len);
		CHECK(!memcmp(s, a->data, len) && s[len] == '\0');
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_route(s);
	check_name(s);
	free(s);
	return 0;
}
