/*
 * fuzz_router.c — router_match for every method on arbitrary paths (a
 * NUL-terminated copy of the input, as lws hands the URI over).
 *
 * Invariants (SPEC.md rule 5, "path traversal in static files"):
 *   - a matched blog id passes text_slug_valid, a matched entry id passes
 *     text_uuid_valid and is lower-case;
 *   - an R_STATIC file name is a plain name: no '/', no "..", no leading
 *     '.', no '\\', and it is the path's only segment (a file name is only
 *     set for R_STATIC, or R_BAD_METHOD on the same path);
 *   - no route but R_NOT_FOUND for a path with "..", a backslash, or one
 *     that does not start with '/';
 *   - whether a path exists does not depend on the method: it is either
 *     R_NOT_FOUND for every method, or never, and the captured ids are the
 *     same whatever the method;
 *   - only POST and PATCH routes read a body;
 *   - an R_MEDIA id is 64 lower-case hex digits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "common/text.h"
#include "http/router.h"


#define NMETHODS (M_OTHER + 1)

/* Routes that carry a blog id, an entry id. */
static int has_blog(enum route r)
{
	return r == R_BLOG_GET || r == R_EVENTS || r == R_ENTRY_POST ||
	       r == R_ENTRY_PATCH || r == R_ENTRY_DELETE || r == R_BLOG_END ||
	       r == R_SSE || r == R_PAGE_BLOG || r == R_PAGE_EDIT ||
	       r == R_BLOG_PATCH || r == R_ENTRIES_LIST || r == R_PAGE_ENTRY ||
	       r == R_FEED_ATOM || r == R_FEED_JSON || r == R_PAGE_EMBED || r == R_FRAGMENT ||
	       r == R_MEDIA_POST;
}

static int has_entry(enum route r)
{
	return r == R_ENTRY_PATCH || r == R_ENTRY_DELETE || r == R_PAGE_ENTRY;
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void check_one(enum method m, const char *path,
		      const struct route_match *rm)
{
	CHECK((int)rm->route >= R_NOT_FOUND && rm->route <= R_FRAGMENT);
	CHECK(terminated(rm->blog, sizeof(rm->blog)));
	CHECK(terminated(rm->entry, sizeof(rm->entry)));
	CHECK(terminated(rm->file, sizeof(rm->file)));
	CHECK(terminated(rm->media, sizeof(rm->media)));
	/* a picture's id: 64 lower-case hex digits */
	if (rm->media[0] || rm->route == R_MEDIA)
		CHECK(strlen(rm->media) == 64 &&
		      strspn(rm->media, "0123456789abcdef") == 64);
	if (rm->route == R_MEDIA)
		CHECK(m == M_GET);

	if (rm->route != R_NOT_FOUND) {
		CHECK(path[0] == '/');
		CHECK(!strstr(path, ".."));
		CHECK(!strchr(path, '\\'));
	}
	if (rm->blog[0] || has_blog(rm->route))
		CHECK(text_slug_valid(rm->blog));
	if (rm->entry[0] || has_entry(rm->route)) {
		CHECK(text_uuid_valid(rm->entry));
		for (const char *p = rm->entry; *p; p++)
			CHECK(!(*p >= 'A' && *p <= 'F'));
	}
	if (rm->route == R_STATIC)
		CHECK(m == M_GET && rm->file[0] != '\0');
	if (rm->file[0]) {
		char *bare = malloc(strlen(path) + 1), *q = bare;

		CHECK(rm->route == R_STATIC || rm->route == R_BAD_METHOD);
		CHECK(rm->file[0] != '.');
		/* a plain name, or a message catalog "i18n/NAME" */
		CHECK(!strchr(rm->file + (strncmp(rm->file, "i18n/", 5) ? 0 : 5), '/'));
		CHECK(rm->file[strncmp(rm->file, "i18n/", 5) ? 0 : 5] != '.');
		CHECK(!strchr(rm->file, '\\'));
		CHECK(!strstr(rm->file, ".."));
		/* "/name" or "/i18n/name", perhaps with extra slashes */
		CHECK(bare != NULL);
		/* its segments, joined by one '/' ("/i18n//fr.json": "i18n/fr.json") */
		for (const char *p = path; *p; p++)
			if (*p != '/' || (q > bare && q[-1] != '/' && p[1] && p[1] != '/'))
				*q++ = *p;
		*q = '\0';
		CHECK(!strcmp(bare, rm->file));
		free(bare);
	}
	if (router_has_body(rm->route))
		CHECK(m == M_POST || m == M_PATCH);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1);
	struct route_match rm[NMETHODS];
	int found = 0;

	CHECK(path != NULL);
	memcpy(path, data, size);
	path[size] = '\0';

	for (int m = 0; m < NMETHODS; m++) {
		memset(&rm[m], 0xa5, sizeof(rm[m])); /* must be fully reset */
		router_match((enum method)m, path, &rm[m]);
		check_one((enum method)m, path, &rm[m]);
		found += rm[m].route != R_NOT_FOUND;
	}
	CHECK(found == 0 || found == NMETHODS);
	for (int m = 1; found && m < NMETHODS; m++) {
		CHECK(!strcmp(rm[m].blog, rm[0].blog));
		CHECK(!strcmp(rm[m].entry, rm[0].entry));
		CHECK(!strcmp(rm[m].file, rm[0].file));
	}

	/* Also without a path at all. */
	router_match(M_GET, NULL, &rm[0]);
	CHECK(rm[0].route == R_NOT_FOUND);
	free(path);
	return 0;
}
