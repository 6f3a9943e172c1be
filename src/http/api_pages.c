/*
 * api_pages.c — what a blog looks like to people and to other sites,
 * rendered on the server: the reader page, an entry's own page (its
 * permalink, /blogs/{id}/entries/{entry}), the blog's feeds (Atom, JSON
 * Feed: the newest FEED_ENTRIES), the reader page made for an <iframe>
 * (/embed) and the fragment another site includes (/fragment, ?limit=N
 * for a teaser of the newest N). Each is rendered from one
 * atomic read of the blog's state, in the blog's language (i18n.h); an
 * ended blog never changes, so its renderings are kept per loop within
 * the byte budget (cache.h) and served with an ETag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "http/api_internal.h"
#include "http/assets.h"
#include "http/i18n.h"
#include "http/page.h"
#include "http/request.h"
#include "push/hub.h"

#define HTML "text/html; charset=utf-8"
#define ATOM "application/atom+xml; charset=utf-8"
#define JSON_FEED "application/feed+json; charset=utf-8"
#define FEED_ENTRIES 50

/*
 * Rendered pages of ended blogs: built once per loop, served to all, kept
 * within the loop's byte budget (cache.h), least recently used first.
 * key: what was rendered ("page/<blog>").
 */
struct cached_page {
	struct cache_item ci;
	struct lws_dll2 link;
	char key[128];
	char etag[192];
	const char *ctype;
	size_t len;
	char html[];
};

static _Thread_local lws_dll2_owner_t rendered;

static void cached_drop(struct cached_page *c)
{
	cache_remove(&c->ci);
	lws_dll2_remove(&c->link);
	free(c);
}

static bool cached_evict(struct cache_item *it)
{
	cached_drop(lws_container_of(it, struct cached_page, ci));
	return true;
}

static struct cached_page *cached(const char *key)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&rendered)) {
		struct cached_page *c = lws_container_of(d, struct cached_page, link);

		if (!strcmp(c->key, key)) {
			cache_touch(&c->ci);
			return c;
		}
	} lws_end_foreach_dll(d);
	return NULL;
}

/*
 * Keeps a rendering (key, of ended blog b) when the budget has room for
 * it. Returns it, or NULL (then nothing is kept).
 */
static struct cached_page *cache_page(const char *key, const struct lb_blog *b,
				      const char *ctype, const char *html, size_t len)
{
	struct cached_page *c = cached(key);

	if (c)
		cached_drop(c);
	if (!cache_make_room(sizeof(*c) + len) || !(c = malloc(sizeof(*c) + len)))
		return NULL;
	memset(c, 0, sizeof(*c));
	memcpy(c->html, html, len);
	c->len = len;
	c->ctype = ctype;
	c->ci.evict = cached_evict;
	snprintf(c->key, sizeof(c->key), "%s", key);
	/* a redaction changes an ended blog: its count is in the ETag */
	snprintf(c->etag, sizeof(c->etag), "\"%s-%s-%ld\"", key, b->last_seq, b->redactions);
	for (char *p = c->etag; *p; p++)
		*p = *p == '/' ? '-' : *p;
	lws_dll2_add_tail(&c->link, &rendered);
	cache_add(&c->ci, sizeof(*c) + len);
	return c;
}

/* The blog a cache key is of: "<kind>/<blog>[/<entry>]". */
static bool key_of_blog(const char *key, const char *blog)
{
	const char *b = strchr(key, '/');
	size_t n = strlen(blog);

	return b && !strncmp(b + 1, blog, n) && (!b[1 + n] || b[1 + n] == '/');
}

void api_page_forget(const char *blog)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&rendered)) {
		struct cached_page *c = lws_container_of(d, struct cached_page, link);

		if (key_of_blog(c->key, blog))
			cached_drop(c);
	} lws_end_foreach_dll_safe(d, d1);
}

void api_page_cache_free(void)
{
	struct lws_dll2 *d;

	while ((d = lws_dll2_get_head(&rendered)))
		cached_drop(lws_container_of(d, struct cached_page, link));
}

static void respond_cached(struct req *q, const struct cached_page *c)
{
	char *copy = malloc(c->len);

	if (copy)
		memcpy(copy, c->html, c->len);
	req_ended(q, c->etag, c->ctype, copy, c->len);
}

/*
 * Answers with a rendering (body, malloc'd, taken) of blog b: kept and
 * served with an ETag when b has ended, else fresh each time.
 */
static void respond_rendered(struct req *q, const char *key, const struct lb_blog *b,
			     const char *ctype, char *body, size_t len)
{
	struct cached_page *c;

	if (!body) {
		req_error(q, LB_INTERNAL, "The page could not be rendered.");
	} else if (b->ended && (c = cache_page(key, b, ctype, body, len))) {
		respond_cached(q, c);
		free(body);
	} else if (b->ended) {
		req_ended(q, "", ctype, body, len);
	} else {
		req_respond(q, 200, ctype, body, len);
	}
}

/*
 * A fragment's ?limit= (a teaser of the newest N, at most --page-entries),
 * 0 when none; -1 when it is not a number from 1 to 10000.
 */
static long teaser(const struct req *q)
{
	char *end;
	long n;

	if (q->rm.route != R_FRAGMENT || !q->has_limit)
		return 0;
	n = strtol(q->limit, &end, 10);
	if (*end || end == q->limit || n < 1 || n > 10000)
		return -1;
	return n < app.cfg.page_entries ? n : app.cfg.page_entries;
}

/* The cache key of the request's rendering. */
static void page_key(const struct req *q, char *out, size_t len)
{
	switch (q->rm.route) {
	case R_PAGE_ENTRY:
		snprintf(out, len, "entry/%s/%s", q->rm.blog, q->rm.entry);
		break;
	case R_FEED_ATOM:
		snprintf(out, len, "atom/%s", q->rm.blog);
		break;
	case R_FEED_JSON:
		snprintf(out, len, "json/%s", q->rm.blog);
		break;
	case R_PAGE_EMBED:
		snprintf(out, len, "embed/%s", q->rm.blog);
		break;
	case R_FRAGMENT:
		snprintf(out, len, "frag/%s/%ld", q->rm.blog, teaser(q));
		break;
	default:
		snprintf(out, len, "page/%s", q->rm.blog);
		break;
	}
}

/* What the request's rendering reads of the blog. */
static struct store_page_req page_req(const struct req *q)
{
	bool feed = q->rm.route == R_FEED_ATOM || q->rm.route == R_FEED_JSON;
	long limit = teaser(q);

	return (struct store_page_req){
		.newest = feed ? FEED_ENTRIES : limit > 0 ? limit : app.cfg.page_entries,
		.keys = feed || limit > 0 ? 0 : PAGE_KEY_EVENTS_MAX,
		.entry = q->rm.route == R_PAGE_ENTRY ? q->rm.entry : NULL,
	};
}

/* Renders the request's document of view v; its Content-Type in *ctype. */
static char *render(const struct req *q, const struct page_view *v, const char **ctype,
		    size_t *len)
{
	char *tpl, *html = NULL;
	size_t tlen = 0;

	switch (q->rm.route) {
	case R_FEED_ATOM:
		*ctype = ATOM;
		return page_feed_atom(v, len);
	case R_FEED_JSON:
		*ctype = JSON_FEED;
		return page_feed_json(v, len);
	case R_FRAGMENT:
		*ctype = HTML;
		return page_render_fragment(v, len);
	default:
		*ctype = HTML;
		tpl = assets_read(app.cfg.www, "blog.html", &tlen);
		if (tpl)
			html = page_render_blog(tpl, tlen, v, len);
		free(tpl);
		return html;
	}
}

/* --publisher, else the host of --public-url. */
static const char *publisher(void)
{
	static _Thread_local char host[256];
	const char *h = strstr(app.cfg.public_url, "://");

	if (app.cfg.publisher)
		return app.cfg.publisher;
	h = h ? h + 3 : app.cfg.public_url;
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(h, "/"), h);
	return host;
}

/*
 * A redacted entry (its payload says "redacted": true) is shown nowhere:
 * the entries without them, a new array.
 */
static json_t *shown_entries(const json_t *entries)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(entries, i, e)
		if (!codec_payload_redacted(e))
			json_array_append(out, e);
	return out;
}

static bool has_entry(const json_t *entries, const char *id)
{
	json_t *e;
	size_t i;

	json_array_foreach(entries, i, e)
		if (!strcmp(codec_payload_id(e), id))
			return true;
	return false;
}

static void on_page_state(void *arg, enum lb_status st, const struct store_page *p)
{
	struct req *q = arg;
	const struct lb_blog *b = p ? p->blog : NULL;
	struct page_view v = { .blog = b, .base = app.cfg.public_url,
			       .publisher = publisher() };
	char key[128], *doc;
	const char *ctype = HTML;
	size_t len = 0;
	json_t *strings = NULL, *shown = NULL, *keys = NULL;

	if (st != LB_OK) {
		req_error(q, st, st == LB_NOT_FOUND ? "No such blog." : NULL);
		goto out_unref;
	}
	v.entries = shown = shown_entries(p->entries);
	v.older = p->older[0] ? p->older : NULL;
	v.keys = keys = shown_entries(p->keys);
	if (q->rm.route == R_PAGE_ENTRY && !has_entry(shown, q->rm.entry)) {
		api_page_404(q);   /* never posted, deleted or redacted */
		goto out_unref;
	}
	v.entry = q->rm.route == R_PAGE_ENTRY ? q->rm.entry : NULL;
	v.embed = q->rm.route == R_PAGE_EMBED;
	v.fragment = q->rm.route == R_FRAGMENT;
	v.limit = teaser(q);
	v.seq = b->last_seq[0] ? b->last_seq : "0-0";
	v.strings = strings = i18n_catalog(app.cfg.www, codec_blog_lang(b));
	doc = render(q, &v, &ctype, &len);
	page_key(q, key, sizeof(key));
	respond_rendered(q, key, b, ctype, doc, len);
	json_decref(strings);
out_unref:
	json_decref(shown);
	json_decref(keys);
	req_unref(q);
}

void api_page_404(struct req *q)
{
	size_t len = 0;
	char *body = assets_read(app.cfg.www, "404.html", &len);

	if (body)
		req_respond(q, 404, HTML, body, len);
	else
		req_error(q, LB_NOT_FOUND, NULL);
}

void api_page_blog(struct req *q)
{
	struct store_page_req req = page_req(q);
	char key[128];
	struct cached_page *c;

	if (teaser(q) < 0) {
		req_error(q, LB_BAD_REQUEST, "\"limit\" must be a number from 1 to 10000.");
		return;
	}
	page_key(q, key, sizeof(key));
	if ((c = cached(key))) {
		respond_cached(q, c);
		return;
	}
	if (!known_has(q->rm.blog)) {
		api_page_404(q);
		return;
	}
	api_call(q, store_page_state(app.store, q->rm.blog, &req, on_page_state, q));
}
