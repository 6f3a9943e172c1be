/*
 * page_ld.c — what search engines and link previews read in a blog's
 * page: the canonical link, og: tags and schema.org LiveBlogPosting
 * JSON-LD (SPEC "Search, sharing, feeds, long blogs"). Every URL is
 * absolute, under --public-url; each update's headline is its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "http/page.h"

#define DESCRIPTION_MAX 200

char *page_permalink(const struct page_view *v, const char *entry, char *out, size_t len)
{
	snprintf(out, len, "%s/blogs/%s/entries/%s", v->base ? v->base : "",
		 v->blog->id, entry);
	return out;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The words of text as one line into out (outlen bytes): runs of blanks
 * become one space, a bullet mark "* " at a line's start is dropped.
 */
static void one_line(const char *text, char *out, size_t outlen)
{
	size_t n = 0;
	bool space = true, line_start = true;

	for (const char *p = text; *p && n + 2 < outlen; p++) {
		if (line_start && p[0] == '*' && p[1] == ' ') {
			p++;
			continue;
		}
		line_start = *p == '\n' || *p == '\r';
		if (is_space(*p)) {
			if (!space)
				out[n++] = ' ';
			space = true;
			continue;
		}
		out[n++] = *p;
		space = false;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Bytes of s holding its first max UTF-8 characters. */
static size_t chars_prefix(const char *s, size_t max, size_t *chars)
{
	size_t i = 0, n = 0;

	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (n == max)
			break;
		n++;
	}
	*chars = n;
	return i;
}

void page_headline(const json_t *entry, size_t max, char *out, size_t outlen)
{
	struct codec_entry_view e;
	char *line = malloc(outlen * 2 + 64);
	size_t n, chars, cut;

	out[0] = '\0';
	if (!line)
		return;
	codec_entry_view(entry, &e);
	one_line(*e.title ? e.title : e.text, line, outlen * 2 + 64);
	n = chars_prefix(line, max, &chars);
	if (!line[n] || max < 2) {
		snprintf(out, outlen, "%.*s", (int)n, line);
		goto out_free;
	}
	/* too long: max - 1 characters, back to a word's end, then "…" */
	cut = chars_prefix(line, max - 1, &chars);
	for (size_t i = cut; i > cut / 2; i--)
		if (line[i] == ' ') {
			cut = i;
			break;
		}
	while (cut && strchr(" ,;:.-", line[cut - 1]))
		cut--;
	snprintf(out, outlen, "%.*s\xe2\x80\xa6", (int)cut, line);
out_free:
	free(line);
}

/* {"@type":T,"name":name} */
static json_t *named(const char *type, const char *name)
{
	return json_pack("{s:s,s:s}", "@type", type, "name", name);
}

/* The absolute URLs of an entry's pictures, or NULL. */
static json_t *images(const struct page_view *v, const json_t *media)
{
	json_t *list = json_array(), *item;
	struct codec_media_view m;
	size_t i;
	char url[1024];

	json_array_foreach(media, i, item) {
		codec_media_view(item, &m);
		if (!*m.url)
			continue;
		snprintf(url, sizeof(url), "%s%s", *m.url == '/' && v->base ? v->base : "", m.url);
		json_array_append_new(list, json_string(url));
	}
	if (!json_array_size(list)) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* One current entry as a schema.org BlogPosting. */
static json_t *update(const struct page_view *v, const json_t *entry)
{
	char headline[4 * PAGE_HEADLINE_MAX + 8], url[600];
	struct codec_entry_view e;
	json_t *u, *img;

	codec_entry_view(entry, &e);
	page_headline(entry, PAGE_HEADLINE_MAX, headline, sizeof(headline));
	u = json_pack("{s:s,s:s,s:s,s:s,s:s}", "@type", "BlogPosting",
		      "headline", headline, "articleBody", e.text,
		      "datePublished", e.ts,
		      "url", page_permalink(v, e.id, url, sizeof(url)));
	if (*e.edited_ts)
		json_object_set_new(u, "dateModified", json_string(e.edited_ts));
	if (*e.author)
		json_object_set_new(u, "author", named("Person", e.author));
	if ((img = images(v, e.media)))
		json_object_set_new(u, "image", img);
	return u;
}

/* The time of the blog's last change: its last event, else its creation. */
static json_t *modified(const struct lb_blog *b)
{
	struct lb_seq s;
	char ts[32];

	text_rfc3339(text_seq_parse(b->last_seq, &s) && s.ms ? s.ms : b->created_ms, ts);
	return json_string(ts);
}

/* schema.org LiveBlogPosting of the view's blog and entries. */
static json_t *live_blog_posting(const struct page_view *v, const char *url)
{
	const struct lb_blog *b = v->blog;
	json_t *updates = json_array(), *ld, *org;
	json_t *title = codec_entry_of_text(b->title);
	char headline[4 * PAGE_HEADLINE_MAX + 8], created[32], ended[32];
	const json_t *e;
	size_t i;

	json_array_foreach(v->entries, i, e)
		json_array_append_new(updates, update(v, e));
	page_headline(title, PAGE_HEADLINE_MAX, headline, sizeof(headline));
	json_decref(title);
	text_rfc3339(b->created_ms, created);
	text_rfc3339(b->ended_ms, ended);
	org = named("Organization", v->publisher ? v->publisher : "");
	json_object_set_new(org, "url", json_string(v->base ? v->base : ""));
	ld = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:O,s:o}",
		       "@context", "https://schema.org", "@type", "LiveBlogPosting",
		       "url", url, "headline", headline, "inLanguage", codec_blog_lang(b),
		       "datePublished", created, "dateModified", modified(b),
		       "coverageStartTime", created,
		       "publisher", org, "author", org, "liveBlogUpdate", updates);
	if (b->ended)
		json_object_set_new(ld, "coverageEndTime", json_string(ended));
	return ld;
}

static void meta(FILE *f, const char *attr, const char *name, const char *content)
{
	fprintf(f, "<meta %s=\"%s\" content=\"", attr, name);
	page_escape(f, content, strlen(content));
	fputs("\">\n", f);
}

/*
 * og:title and og:description: the entry's (per-entry page), else the
 * blog's title and its newest update's first words (or its state).
 */
static void share_text(const struct page_view *v, char *title, char *desc, size_t len)
{
	const json_t *target = v->entry ? page_entry_of(v, v->entry) : NULL;
	const json_t *newest = json_array_get(v->entries, 0);
	json_t *text;

	snprintf(title, len, "%s", v->blog->title);
	if (target)
		page_headline(target, PAGE_HEADLINE_MAX, title, len);
	if (target || newest) {
		struct codec_entry_view ev;

		codec_entry_view(target ? target : newest, &ev);
		text = codec_entry_of_text(ev.text);
		page_headline(text, DESCRIPTION_MAX, desc, len);
		json_decref(text);
	} else {
		snprintf(desc, len, "%s", v->blog->ended ?
			 page_str(v, "ended", "The liveblog has ended.") :
			 page_str(v, "empty", "No liveblog updates yet."));
	}
}

/* <link rel="alternate"> to one of the blog's feeds, titled in its language. */
static void feed_link(FILE *f, const struct page_view *v, const char *page_url,
		      const char *type, const char *file, const char *key, const char *title)
{
	char href[700];

	snprintf(href, sizeof(href), "%s/%s", page_url, file);
	fprintf(f, "<link rel=\"alternate\" type=\"%s\" title=\"", type);
	title = page_str(v, key, title);
	page_escape(f, title, strlen(title));
	fputs("\" href=\"", f);
	page_escape(f, href, strlen(href));
	fputs("\">\n", f);
}

void page_head_meta(FILE *f, const struct page_view *v)
{
	char page_url[600], url[600], title[1100], desc[1100], locale[LANG_MAX];

	snprintf(page_url, sizeof(page_url), "%s/blogs/%s", v->base ? v->base : "",
		 v->blog->id);
	if (v->entry)
		page_permalink(v, v->entry, url, sizeof(url));
	else
		snprintf(url, sizeof(url), "%s", page_url);
	share_text(v, title, desc, sizeof(title));
	fputs("<link rel=\"canonical\" href=\"", f);
	page_escape(f, url, strlen(url));
	fputs("\">\n", f);
	feed_link(f, v, page_url, "application/atom+xml", "feed.atom", "feed_atom", "Atom feed");
	feed_link(f, v, page_url, "application/feed+json", "feed.json", "feed_json", "JSON Feed");
	meta(f, "name", "description", desc);
	meta(f, "property", "og:type", "article");
	meta(f, "property", "og:title", title);
	meta(f, "property", "og:description", desc);
	meta(f, "property", "og:url", url);
	/* og:locale is language_TERRITORY */
	snprintf(locale, sizeof(locale), "%s", codec_blog_lang(v->blog));
	for (char *p = locale; *p; p++)
		*p = *p == '-' ? '_' : *p;
	meta(f, "property", "og:locale", locale);
	if (v->publisher)
		meta(f, "property", "og:site_name", v->publisher);
	page_json_ld(f, v);
}

void page_json_ld(FILE *f, const struct page_view *v)
{
	char page_url[600];
	json_t *ld;

	snprintf(page_url, sizeof(page_url), "%s/blogs/%s", v->base ? v->base : "",
		 v->blog->id);
	ld = live_blog_posting(v, page_url);
	page_script_json(f, "application/ld+json", NULL, ld);
	json_decref(ld);
}
