/*
 * page_feed.c — a blog's feeds: Atom (RFC 4287) and JSON Feed 1.1, the
 * newest entries each with id urn:uuid:ENTRY, its headline as title, its
 * text as escaped HTML paragraphs with their links and its pictures as
 * figures (the page's markup), its times and its permalink; its pictures
 * also as Atom enclosures and JSON Feed image/attachments; in the blog's
 * language; every URL under --public-url.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "http/page.h"

/* A picture's absolute URL into out. Returns out. */
static char *media_url(const struct page_view *v, const struct codec_media_view *m,
		       char *out, size_t len)
{
	snprintf(out, len, "%s/media/%s", v->base ? v->base : "", m->id);
	return out;
}

/* A picture's type, for a feed; when the item does not say, any image. */
static const char *media_type(const struct codec_media_view *m)
{
	return *m->type ? m->type : "image/*";
}

/*
 * An entry's text and pictures as HTML (malloc'd), as the page shows them,
 * or NULL when out of memory.
 */
static char *content_html(const struct page_view *v, const json_t *e)
{
	struct codec_entry_view ev;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	codec_entry_view(e, &ev);
	page_text_html(f, ev.text);
	page_figures_html(f, v, e);
	fclose(f);
	return buf;
}

/*
 * s escaped for XML character data or an attribute, without the
 * characters XML 1.0 refuses (C0 controls but tab and line ends; U+FFFE,
 * U+FFFF): a text may hold them, a feed may not.
 */
static void xml_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			continue;
		if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
			p += 2;
			continue;
		}
		page_escape(f, (const char *)p, 1);
	}
}

static void xml_element(FILE *f, const char *name, const char *value)
{
	fprintf(f, "<%s>", name);
	xml_text(f, value);
	fprintf(f, "</%s>\n", name);
}

/* The time of the blog's last change: its last event, else its creation. */
static void last_change(const struct lb_blog *b, char out[32])
{
	struct lb_seq s;

	if (text_seq_parse(b->last_seq, &s) && s.ms)
		text_rfc3339(s.ms, out);
	else
		text_rfc3339(b->created_ms, out);
}

static void atom_link(FILE *f, const char *rel, const char *type, const char *href)
{
	fprintf(f, "<link rel=\"%s\" type=\"%s\" href=\"", rel, type);
	xml_text(f, href);
	fputs("\"/>\n", f);
}

/* An entry's pictures as enclosure links (RFC 4287 4.2.7.2). */
static void atom_enclosures(FILE *f, const struct page_view *v, const json_t *media)
{
	struct codec_media_view m;
	const json_t *item;
	char url[700];
	size_t i;

	json_array_foreach(media, i, item) {
		codec_media_view(item, &m);
		atom_link(f, "enclosure", media_type(&m), media_url(v, &m, url, sizeof(url)));
	}
}

static void atom_entry(FILE *f, const struct page_view *v, const json_t *entry)
{
	char headline[4 * PAGE_HEADLINE_MAX + 8], url[600];
	char *html = content_html(v, entry);
	struct codec_entry_view e;

	codec_entry_view(entry, &e);
	page_headline(entry, PAGE_HEADLINE_MAX, headline, sizeof(headline));
	fputs("<entry>\n", f);
	fprintf(f, "<id>urn:uuid:%s</id>\n", e.id);
	fputs("<title type=\"text\">", f);
	xml_text(f, *headline ? headline : page_str(v, "update", "Update"));
	fputs("</title>\n", f);
	xml_element(f, "published", e.ts);
	xml_element(f, "updated", *e.edited_ts ? e.edited_ts : e.ts);
	atom_link(f, "alternate", "text/html", page_permalink(v, e.id, url, sizeof(url)));
	atom_enclosures(f, v, e.media);
	if (*e.author) {
		fputs("<author>", f);
		xml_element(f, "name", e.author);
		fputs("</author>\n", f);
	}
	fputs("<content type=\"html\">", f);
	xml_text(f, html ? html : "");
	fputs("</content>\n</entry>\n", f);
	free(html);
}

char *page_feed_atom(const struct page_view *v, size_t *out_len)
{
	const struct lb_blog *b = v->blog;
	char *buf = NULL, page[600], self[640], updated[32];
	FILE *f = open_memstream(&buf, out_len);
	const json_t *e;
	size_t i;

	if (!f)
		return NULL;
	snprintf(page, sizeof(page), "%s/blogs/%s", v->base ? v->base : "", b->id);
	snprintf(self, sizeof(self), "%s/feed.atom", page);
	last_change(b, updated);
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"", f);
	xml_text(f, codec_blog_lang(b));
	fputs("\">\n", f);
	xml_element(f, "id", page);
	fputs("<title type=\"text\">", f);
	xml_text(f, b->title);
	fputs("</title>\n<subtitle type=\"text\">", f);
	xml_text(f, b->ended ? page_str(v, "ended", "The liveblog has ended.") :
		 page_str(v, "live", "LIVE"));
	fputs("</subtitle>\n", f);
	xml_element(f, "updated", updated);
	atom_link(f, "alternate", "text/html", page);
	atom_link(f, "self", "application/atom+xml", self);
	fputs("<author>", f);
	xml_element(f, "name", v->publisher ? v->publisher : "");
	fputs("</author>\n<generator>liveblog</generator>\n", f);
	json_array_foreach(v->entries, i, e)
		atom_entry(f, v, e);
	fputs("</feed>\n", f);
	fclose(f);
	return buf;
}

/*
 * A JSON Feed item's pictures: "image" the first one's URL, "attachments"
 * each one's {url, mime_type} (no title: two attachments with the same
 * title would be alternates of one thing).
 */
static void json_pictures(json_t *item, const struct page_view *v, const json_t *media)
{
	json_t *list = json_array();
	struct codec_media_view m;
	const json_t *pic;
	char url[700];
	size_t i;

	json_array_foreach(media, i, pic) {
		codec_media_view(pic, &m);
		media_url(v, &m, url, sizeof(url));
		if (!i)
			json_object_set_new(item, "image", json_string(url));
		json_array_append_new(list, json_pack("{s:s,s:s}", "url", url,
						      "mime_type", media_type(&m)));
	}
	if (json_array_size(list))
		json_object_set(item, "attachments", list);
	json_decref(list);
}

/* One entry as a JSON Feed 1.1 item. */
static json_t *json_item(const struct page_view *v, const json_t *entry)
{
	char headline[4 * PAGE_HEADLINE_MAX + 8], url[600], id[64];
	char *html = content_html(v, entry);
	struct codec_entry_view e;
	json_t *item;

	codec_entry_view(entry, &e);
	page_headline(entry, PAGE_HEADLINE_MAX, headline, sizeof(headline));
	snprintf(id, sizeof(id), "urn:uuid:%s", e.id);
	item = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id,
			 "url", page_permalink(v, e.id, url, sizeof(url)),
			 "title", *headline ? headline : page_str(v, "update", "Update"),
			 "content_html", html ? html : "", "date_published", e.ts);
	if (*e.edited_ts)
		json_object_set_new(item, "date_modified", json_string(e.edited_ts));
	if (*e.author)
		json_object_set_new(item, "authors", json_pack("[{s:s}]", "name", e.author));
	json_pictures(item, v, e.media);
	free(html);
	return item;
}

char *page_feed_json(const struct page_view *v, size_t *out_len)
{
	const struct lb_blog *b = v->blog;
	char page[600], self[640], *s;
	json_t *feed, *items = json_array();
	const json_t *e;
	size_t i;

	snprintf(page, sizeof(page), "%s/blogs/%s", v->base ? v->base : "", b->id);
	snprintf(self, sizeof(self), "%s/feed.json", page);
	json_array_foreach(v->entries, i, e)
		json_array_append_new(items, json_item(v, e));
	feed = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s}],s:o}",
			 "version", "https://jsonfeed.org/version/1.1", "title", b->title,
			 "home_page_url", page, "feed_url", self,
			 "description", b->ended ? page_str(v, "ended", "The liveblog has ended.") :
			 page_str(v, "live", "LIVE"),
			 "language", codec_blog_lang(b),
			 "authors", "name", v->publisher ? v->publisher : "", "items", items);
	s = feed ? json_dumps(feed, JSON_COMPACT) : NULL;
	json_decref(feed);
	*out_len = s ? strlen(s) : 0;
	return s;
}
