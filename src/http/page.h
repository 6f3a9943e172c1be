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

#endif
