/*
 * page.h — server-side rendering of the reader page: the blog's current
 * entries written into www/blog.html with the markup of www/render.js, plus
 * schema.org LiveBlogPosting JSON-LD. Pure (no I/O), so it is unit-tested.
 */
#ifndef LB_PAGE_H
#define LB_PAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "common/codec.h"

/*
 * Renders the template (blog.html) for blog b with entries (wire entries,
 * current state, deleted ones left out, newest first) as of the event seq.
 * Every text is HTML-escaped. Returns a malloc'd NUL-terminated page and
 * its length, or NULL when out of memory.
 */
char *page_render_blog(const char *tpl, size_t tpl_len, const struct lb_blog *b,
		       const json_t *entries, const char *seq, size_t *out_len);

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
/*
 * Sets the schema.org "image" of a JSON-LD update (a BlogPosting) from a
 * wire entry's pictures: [{"@type":"ImageObject","url":base+"/media/{id}",
 * "width","height","caption":alt}]; leaves it out when it has none. base
 * is the public URL prefix ("" for a path).
 */
void page_ld_image(json_t *update, const json_t *entry, const char *base);

#endif
