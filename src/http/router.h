/*
 * router.h — maps a method and a path to a route and its parameters.
 * Pure: no lws, no I/O, so it is unit-tested and fuzzed alone.
 */
#ifndef LB_ROUTER_H
#define LB_ROUTER_H

#include <stddef.h>

enum method { M_GET, M_POST, M_PATCH, M_DELETE, M_PUT, M_OTHER };

enum route {
	R_NOT_FOUND,
	R_BAD_METHOD,      /* the path exists, the method does not */
	R_HEALTH,
	R_METRICS,
	R_BLOGS_LIST,
	R_BLOGS_CREATE,
	R_BLOG_GET,
	R_EVENTS,
	R_ENTRY_POST,
	R_ENTRY_PATCH,
	R_ENTRY_DELETE,
	R_BLOG_END,
	R_BLOG_PATCH,      /* PATCH /api/blogs/{id}: title, lang */
	R_ENTRIES_LIST,    /* GET /api/blogs/{id}/entries?before=SEQ&limit=N */
	R_ENTRY_REDACT,    /* POST .../entries/{entry}/redact (admin) */
	R_MEDIA_POST,      /* POST /api/blogs/{id}/media: a picture as the body */
	R_MEDIA,           /* GET or HEAD /media/{sha256} */
	R_SSE,             /* GET /sse/blogs/{id}: a stream, not a page */
	R_PAGE_INDEX,
	R_PAGE_BLOG,
	R_PAGE_EDIT,
	R_STATIC,
	/* after R_STATIC: rendered from the blog's state (api_pages.c) */
	R_PAGE_ENTRY,      /* GET /blogs/{id}/entries/{entry}: the permalink */
	R_FEED_ATOM,       /* GET /blogs/{id}/feed.atom */
	R_FEED_JSON,       /* GET /blogs/{id}/feed.json */
	R_PAGE_EMBED,      /* GET /blogs/{id}/embed: the reader for an <iframe> */
	R_FRAGMENT,        /* GET /blogs/{id}/fragment: HTML for a CMS to include */
};

/* True for the routes rendered from a blog's state (pages, feeds, fragment). */
#define ROUTER_IS_RENDERED(r) ((r) == R_PAGE_BLOG || (r) > R_STATIC)

struct route_match {
	enum route route;
	char blog[72];
	char entry[40];
	char file[128];     /* R_STATIC: a plain file name inside www, or i18n/NAME */
	char media[72];     /* R_MEDIA: 64 lower-case hex digits */
};

void router_match(enum method m, const char *path, struct route_match *out);
/* True when the route reads a request body. */
int router_has_body(enum route r);
/*
 * True when the first bytes of a connection (len of them, not terminated)
 * open a reader's stream: "GET /ws/..." or "GET /sse/...". A hint for
 * which loop takes the connection; every loop serves every route.
 */
int router_is_stream(const char *head, size_t len);

#endif
