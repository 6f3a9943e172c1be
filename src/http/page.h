/*
 * page.h — server-side rendering of the reader page: the blog's current
 * entries written into www/blog.html with the markup of www/render.js, plus
 * schema.org LiveBlogPosting JSON-LD. Pure (no I/O), so it is unit-tested.
 */
#ifndef LB_PAGE_H
#define LB_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/codec.h"

/* What a page, a fragment or a feed of a blog shows (all borrowed). */
struct page_view {
	const struct lb_blog *blog;
	const json_t *entries;   /* wire entries, newest first, deleted left out */
	const char *seq;         /* the seq of the log's last event at render time */
	const json_t *strings;   /* the blog language's catalog (i18n.h); NULL: English */
	const char *base;        /* --public-url: absolute URLs start with it; NULL: "" */
	const char *publisher;   /* --publisher: the Organization of the JSON-LD */
	const char *entry;       /* a per-entry page: the entry in view, else NULL */
	const char *older;       /* entries older than this seq are not shown; NULL: all are */
	const json_t *keys;      /* key events, newest first, for their summary; NULL: none */
	bool embed;              /* the reader page made for an <iframe> (/embed) */
	bool fragment;           /* a fragment for another site's page: links absolute */
	long limit;              /* a fragment's teaser: its newest N entries; 0: all given */
};

/* The most key events a page shows besides the newest entries. */
#define PAGE_KEY_EVENTS_MAX 100

/* Longest update headline of the JSON-LD, in characters (SPEC). */
#define PAGE_HEADLINE_MAX 110

/*
 * Renders the template (blog.html) for the view: the title, the state, the
 * entries, JSON-LD, <html lang> of the blog's language, every element
 * marked data-i18n="KEY" (its text up to the next tag) in the catalog's
 * words, and the catalog itself as JSON for the page script
 * (<script type="application/json" id="lb-i18n">). Every text is
 * HTML-escaped. Returns a malloc'd NUL-terminated page and its length, or
 * NULL when out of memory.
 */
char *page_render_blog(const char *tpl, size_t tpl_len, const struct page_view *v,
		       size_t *out_len);

/* The catalog's string for key, else fallback (English). */
const char *page_str(const struct page_view *v, const char *key, const char *fallback);

/*
 * The permalink of entry (an absolute URL: base/blogs/BLOG/entries/ENTRY)
 * into out. Returns out.
 */
char *page_permalink(const struct page_view *v, const char *entry, char *out, size_t len);

/*
 * An entry's headline: its title, else the first words of its text (bullet
 * marks and line breaks dropped, runs of spaces made one), at most max
 * characters (UTF-8 code points) cut at a word with "…" (max 110: the
 * JSON-LD's). Written to out (outlen bytes, at least 4 * max + 4).
 */
void page_headline(const json_t *entry, size_t max, char *out, size_t outlen);

/*
 * Before </head>: <link rel="canonical">, og: tags, and the schema.org
 * LiveBlogPosting JSON-LD (every SPEC field; page_ld.c). The per-entry
 * page's canonical and og: tags are the entry's.
 */
void page_head_meta(FILE *f, const struct page_view *v);

/* The LiveBlogPosting JSON-LD script alone (for a fragment). */
void page_json_ld(FILE *f, const struct page_view *v);

/* One entry in the markup of render.js: <li class="entry-item"><article ...>. */
void page_entry_html(FILE *f, const struct page_view *v, const json_t *e);

/*
 * An entry's pictures, as they follow its text: each a <figure> whose <img
 * src="{base}/media/{id}"> (absolute under --public-url, so the same
 * markup serves the page, a fragment on another site and the feeds) has
 * its width and height (the browser keeps the room before the bytes come),
 * loading="lazy", and a <figcaption> with the caption and credit when it
 * has either (the markup of www/render.js). Nothing for an entry without.
 */
void page_figures_html(FILE *f, const struct page_view *v, const json_t *e);

/* The entry of the view with this id, or NULL. */
const json_t *page_entry_of(const struct page_view *v, const char *id);

/* The key events summary's <li> items (links absolute in a fragment). */
void page_key_events_html(FILE *f, const struct page_view *v);

/*
 * GET /blogs/{id}/fragment (page_fragment.c): the blog as an HTML fragment
 * for another site's page (no <html>): title, state, pinned and key events,
 * the entries in render.js's markup, the link to the full page, JSON-LD
 * and the catalog; its root element carries data-seq like the reader
 * page's <main>. embed.js takes it over. A malloc'd fragment, or NULL.
 */
char *page_render_fragment(const struct page_view *v, size_t *out_len);

/* v as JSON in <script type="TYPE"[ id="ID"]>, every "<" escaped. */
void page_script_json(FILE *f, const char *type, const char *id, const json_t *v);

/*
 * An entry's text as HTML (render.js's rules: blank lines separate blocks,
 * runs of "* " lines are a <ul>, other lines a <p> with <br>), escaped,
 * its http(s) URLs links (page_text_line).
 */
void page_text_html(FILE *f, const char *text);

/*
 * The blog's feeds (page_feed.c): the view's entries (the newest 50) as
 * Atom (RFC 4287) or JSON Feed 1.1, in the blog's language, with absolute
 * URLs. A malloc'd document and its length, or NULL when out of memory.
 */
char *page_feed_atom(const struct page_view *v, size_t *out_len);
char *page_feed_json(const struct page_view *v, size_t *out_len);

/* Appends s[0..len) HTML-escaped (& < > " ') to f. */
void page_escape(FILE *f, const char *s, size_t len);
/*
 * Appends one line of entry text: escaped, its http(s) URLs as
 * <a href="{url}" rel="nofollow noopener noreferrer">{url}</a> (the rules
 * of common/linkify.h, which www/render.js applies too).
 */
void page_text_line(FILE *f, const char *s, size_t len);
/*
 * Appends an entry's text as the pages show it: <p> and <ul> blocks with
 * their links (the rules at the top of www/render.js). For every place
 * that shows entry text as HTML, such as the feeds' content.
 */
void page_text(FILE *f, const char *text);

#endif
