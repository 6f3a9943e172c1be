/*
 * router.c — path routing (see router.h).
 */
#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "http/router.h"

/* Splits path into at most max segments (modifies buf). Returns the count. */
static int split(char *buf, char **seg, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return max + 1;
		seg[n++] = t;
	}
	return n;
}

static enum route pick(enum method m, enum method want, enum route r)
{
	return m == want ? r : R_BAD_METHOD;
}

static int copy(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -1;
	strcpy(dst, src);
	return 0;
}

/* /api/... with seg[0] == "api". */
static enum route api_route(enum method m, char **seg, int n,
			    struct route_match *out)
{
	if (n < 2 || strcmp(seg[1], "blogs") || n > 6)
		return R_NOT_FOUND;
	if (n == 2)
		return m == M_GET ? R_BLOGS_LIST : m == M_POST ? R_BLOGS_CREATE :
		       R_BAD_METHOD;
	if (!text_slug_valid(seg[2]) || copy(out->blog, sizeof(out->blog), seg[2]))
		return R_NOT_FOUND;
	if (n == 3)
		return m == M_GET ? R_BLOG_GET : m == M_PATCH ? R_BLOG_PATCH : R_BAD_METHOD;
	if (n == 4 && !strcmp(seg[3], "events"))
		return pick(m, M_GET, R_EVENTS);
	if (n == 4 && !strcmp(seg[3], "end"))
		return pick(m, M_POST, R_BLOG_END);
	if (n == 4 && !strcmp(seg[3], "entries"))
		return m == M_POST ? R_ENTRY_POST : m == M_GET ? R_ENTRIES_LIST : R_BAD_METHOD;
	if (n == 4 && !strcmp(seg[3], "media"))
		return pick(m, M_POST, R_MEDIA_POST);
	if (n >= 5 && !strcmp(seg[3], "entries")) {
		if (!text_uuid_valid(seg[4]))
			return R_NOT_FOUND;
		copy(out->entry, sizeof(out->entry), seg[4]);
		for (char *p = out->entry; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p + 32);
		if (n == 6)
			return strcmp(seg[5], "redact") ? R_NOT_FOUND :
			       pick(m, M_POST, R_ENTRY_REDACT);
		return m == M_PATCH ? R_ENTRY_PATCH : m == M_DELETE ? R_ENTRY_DELETE :
		       R_BAD_METHOD;
	}
	return R_NOT_FOUND;
}

static bool plain_file(const char *name)
{
	size_t len = strlen(name);

	if (!len || name[0] == '.' || len >= 128)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* An entry id of a path: a UUID, kept lower case. */
static bool entry_id(const char *seg, struct route_match *out)
{
	if (!text_uuid_valid(seg) || copy(out->entry, sizeof(out->entry), seg))
		return false;
	for (char *p = out->entry; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p + 32);
	return true;
}

/* /blogs/{id}/entries/{entry} (the blog id is copied already). */
static enum route blog_page4(enum method m, char **seg, struct route_match *out)
{
	if (!strcmp(seg[2], "entries") && entry_id(seg[3], out))
		return pick(m, M_GET, R_PAGE_ENTRY);
	return R_NOT_FOUND;
}

static enum route page_route(enum method m, char **seg, int n,
			     struct route_match *out)
{
	if (n == 0)
		return pick(m, M_GET, R_PAGE_INDEX);
	if (!strcmp(seg[0], "blogs") && n == 4) {
		if (!text_slug_valid(seg[1]) || copy(out->blog, sizeof(out->blog), seg[1]))
			return R_NOT_FOUND;
		return blog_page4(m, seg, out);
	}
	if (!strcmp(seg[0], "blogs") && (n == 2 || n == 3)) {
		if (!text_slug_valid(seg[1]) || copy(out->blog, sizeof(out->blog), seg[1]))
			return R_NOT_FOUND;
		if (n == 2)
			return pick(m, M_GET, R_PAGE_BLOG);
		if (!strcmp(seg[2], "feed.atom"))
			return pick(m, M_GET, R_FEED_ATOM);
		if (!strcmp(seg[2], "feed.json"))
			return pick(m, M_GET, R_FEED_JSON);
		if (!strcmp(seg[2], "embed"))
			return pick(m, M_GET, R_PAGE_EMBED);
		if (!strcmp(seg[2], "fragment"))
			return pick(m, M_GET, R_FRAGMENT);
		return strcmp(seg[2], "edit") ? R_NOT_FOUND : pick(m, M_GET, R_PAGE_EDIT);
	}
	if (n == 1 && plain_file(seg[0]) && !copy(out->file, sizeof(out->file), seg[0]))
		return pick(m, M_GET, R_STATIC);
	/* the message catalogs, www/i18n/<lang>.json */
	if (n == 2 && !strcmp(seg[0], "i18n") && plain_file(seg[1]) &&
	    strlen(seg[1]) + 5 < sizeof(out->file)) {
		snprintf(out->file, sizeof(out->file), "i18n/%s", seg[1]);
		return pick(m, M_GET, R_STATIC);
	}
	return R_NOT_FOUND;
}

/* /media/{sha256}: 64 hex digits, kept lower-case. */
static enum route media_route(enum method m, const char *id, struct route_match *out)
{
	size_t n = strspn(id, "0123456789abcdefABCDEF");

	if (n != 64 || id[n])
		return R_NOT_FOUND;
	for (size_t i = 0; i < n; i++)
		out->media[i] = (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] + 32 : id[i]);
	out->media[n] = '\0';
	return pick(m, M_GET, R_MEDIA);
}

void router_match(enum method m, const char *path, struct route_match *out)
{
	char buf[512], *seg[8];
	int n;

	memset(out, 0, sizeof(*out));
	out->route = R_NOT_FOUND;
	if (!path || path[0] != '/' || strlen(path) >= sizeof(buf) ||
	    strstr(path, "..") || strchr(path, '\\'))
		return;
	strcpy(buf, path);
	n = split(buf, seg, 6);
	if (n > 6)
		return;
	if (n == 1 && !strcmp(seg[0], "healthz"))
		out->route = pick(m, M_GET, R_HEALTH);
	else if (n == 1 && !strcmp(seg[0], "metrics"))
		out->route = pick(m, M_GET, R_METRICS);
	else if (n == 3 && !strcmp(seg[0], "sse") && !strcmp(seg[1], "blogs"))
		out->route = text_slug_valid(seg[2]) &&
			     !copy(out->blog, sizeof(out->blog), seg[2]) ?
			     pick(m, M_GET, R_SSE) : R_NOT_FOUND;
	else if (n == 2 && !strcmp(seg[0], "media"))
		out->route = media_route(m, seg[1], out);
	else if (n >= 1 && !strcmp(seg[0], "api"))
		out->route = api_route(m, seg, n, out);
	else
		out->route = page_route(m, seg, n, out);
}

int router_has_body(enum route r)
{
	return r == R_BLOGS_CREATE || r == R_ENTRY_POST || r == R_ENTRY_PATCH ||
	       r == R_BLOG_PATCH || r == R_ENTRY_REDACT || r == R_MEDIA_POST;
}

int router_is_stream(const char *head, size_t len)
{
	static const char *const starts[] = { "GET /ws/", "GET /sse/" };

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		size_t n = strlen(starts[i]);

		if (len >= n && !memcmp(head, starts[i], n))
			return 1;
	}
	return 0;
}
