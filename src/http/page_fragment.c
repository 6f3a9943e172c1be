/*
 * page_fragment.c — GET /blogs/{id}/fragment: the blog's current state as
 * an HTML fragment for another site's page (see page.h). Its markup is
 * documented at the top of www/embed-app.js, which takes it over; the
 * entries are in render.js's markup, every link is absolute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/page.h"

static void esc(FILE *f, const char *s)
{
	page_escape(f, s, strlen(s));
}

/* An element holding the catalog's words for key, hidden when asked. */
static void words(FILE *f, const struct page_view *v, const char *tag, const char *cls,
		  bool hidden, const char *key, const char *fallback)
{
	fprintf(f, "<%s class=\"%s\"%s>", tag, cls, hidden ? " hidden" : "");
	esc(f, page_str(v, key, fallback));
	fprintf(f, "</%s>\n", tag);
}

/* The root element's opening tag: what embed-app.js resumes from. */
static void root_open(FILE *f, const struct page_view *v)
{
	const struct lb_blog *b = v->blog;

	fputs("<div class=\"lb-root\" data-liveblog-root=\"\" data-blog=\"", f);
	esc(f, b->id);
	fprintf(f, "\" data-seq=\"%s\" data-state=\"%s\" data-base=\"", v->seq,
		b->ended ? "ended" : "live");
	esc(f, v->base ? v->base : "");
	fputs("\" lang=\"", f);
	esc(f, codec_blog_lang(b));
	fputs("\"", f);
	if (v->limit)
		fprintf(f, " data-limit=\"%ld\"", v->limit);
	fputs(">\n", f);
}

static void head(FILE *f, const struct page_view *v, const char *page_url)
{
	const struct lb_blog *b = v->blog;

	fputs("<header class=\"lb-head\"><h2 class=\"lb-title\"><a href=\"", f);
	esc(f, page_url);
	fputs("\">", f);
	esc(f, b->title);
	fprintf(f, "</a></h2>\n<p class=\"lb-status\"><span class=\"lb-badge %s\">",
		b->ended ? "lb-badge-ended" : "lb-badge-live");
	esc(f, b->ended ? page_str(v, "ended_badge", "ENDED") : page_str(v, "live", "LIVE"));
	fputs("</span> <span class=\"lb-conn\" role=\"status\"></span></p></header>\n", f);
	words(f, v, "p", "lb-ended", !b->ended, "ended", "The liveblog has ended.");
}

/* The pinned and key events' places (the script fills the pinned one). */
static void summary(FILE *f, const struct page_view *v)
{
	bool keys = json_array_size(v->keys) > 0;

	fputs("<section class=\"lb-pinned\" hidden>", f);
	words(f, v, "h3", "lb-heading", false, "pinned", "Pinned");
	fputs("<div class=\"lb-pinned-entry\"></div></section>\n", f);
	fprintf(f, "<nav class=\"lb-keys\"%s>", keys ? "" : " hidden");
	words(f, v, "h3", "lb-heading", false, "key_events", "Key events");
	fputs("<ol class=\"lb-key-list\">", f);
	page_key_events_html(f, v);
	fputs("</ol></nav>\n", f);
}

static void stream(FILE *f, const struct page_view *v, const char *page_url)
{
	size_t n = json_array_size(v->entries), shown = v->limit > 0 &&
		   (size_t)v->limit < n ? (size_t)v->limit : n;

	fputs("<button class=\"lb-new\" type=\"button\" hidden></button>\n", f);
	words(f, v, "p", "lb-empty", n > 0, "empty", "No liveblog updates yet.");
	fputs("<ol class=\"entries\">\n", f);
	for (size_t i = 0; i < shown; i++)
		page_entry_html(f, v, json_array_get(v->entries, i));
	fputs("</ol>\n<p class=\"lb-more\"><a href=\"", f);
	esc(f, page_url);
	fputs("\">", f);
	esc(f, page_str(v, "full_liveblog", "Read the full liveblog"));
	fputs("</a></p>\n", f);
}

char *page_render_fragment(const struct page_view *v, size_t *out_len)
{
	char *buf = NULL, page_url[600];
	FILE *f = open_memstream(&buf, out_len);

	if (!f)
		return NULL;
	snprintf(page_url, sizeof(page_url), "%s/blogs/%s", v->base ? v->base : "",
		 v->blog->id);
	root_open(f, v);
	head(f, v, page_url);
	summary(f, v);
	stream(f, v, page_url);
	page_json_ld(f, v);
	if (v->strings)
		page_script_json(f, "application/json", "lb-i18n", v->strings);
	fputs("</div>\n", f);
	fclose(f);
	return buf;
}
