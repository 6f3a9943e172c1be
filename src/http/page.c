/*
 * page.c — the reader page rendered on the server (see page.h). The entry
 * markup mirrors the comment at the top of www/render.js exactly, so the
 * page script adopts these entries as if it had built them.
 */
#include <stdlib.h>
#include <string.h>

#include "common/linkify.h"
#include "common/text.h"
#include "http/page.h"

void page_escape(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(s[i], f); break;
		}
	}
}

static void esc(FILE *f, const char *s)
{
	page_escape(f, s ? s : "", s ? strlen(s) : 0);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* "2026-11-29T07:32:42.123Z" → "07:32 UTC" (the script re-localises it). */
static void hhmm(FILE *f, const char *ts)
{
	if (strlen(ts) >= 16)
		fprintf(f, "%.5s UTC", ts + 11);
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

void page_text_line(FILE *f, const char *s, size_t len)
{
	size_t at = 0, a, b;

	while (linkify_next(s, len, at, &a, &b)) {
		page_escape(f, s + at, a - at);
		fputs("<a href=\"", f);
		page_escape(f, s + a, b - a);
		fputs("\" rel=\"nofollow noopener noreferrer\">", f);
		page_escape(f, s + a, b - a);
		fputs("</a>", f);
		at = b;
	}
	page_escape(f, s + at, len - at);
}

/*
 * The text rules of render.js: blank lines separate blocks; in a block a
 * run of "* " lines is a <ul>, a run of other lines one <p> with <br>;
 * links as page_text_line.
 */
static void text_blocks(FILE *f, const char *text)
{
	char open = 0;   /* 'p', 'u' or 0 */
	bool first = true;

	for (const char *line = text; line; ) {
		const char *nl = strpbrk(line, "\r\n");
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char type = len >= 2 && line[0] == '*' && line[1] == ' ' ? 'u' : 'p';

		if (is_blank(line, len)) {
			type = 0;
		} else if (type != open) {
			fputs(open == 'u' ? "</ul>" : open == 'p' ? "</p>" : "", f);
			fputs(type == 'u' ? "<ul>" : "<p>", f);
			first = true;
		}
		if (type && (open = type) == 'u') {
			fputs("<li>", f);
			page_text_line(f, line + 2, len - 2);
			fputs("</li>", f);
		} else if (type) {
			fputs(first ? "" : "<br>", f);
			page_text_line(f, line, len);
			first = false;
		} else {
			fputs(open == 'u' ? "</ul>" : open == 'p' ? "</p>" : "", f);
			open = 0;
		}
		line = !nl ? NULL : nl + (nl[0] == '\r' && nl[1] == '\n' ? 2 : 1);
	}
	fputs(open == 'u' ? "</ul>" : open == 'p' ? "</p>" : "", f);
}

void page_text(FILE *f, const char *text)
{
	text_blocks(f, text ? text : "");
}

/* A wire picture's size attribute: its positive integer, else 0. */
static long long dim(const json_t *m, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(m, k));

	return v > 0 ? (long long)v : 0;
}

/*
 * An entry's pictures, after its text: each a <figure> whose <img> has
 * its width and height (the browser keeps the room before the bytes
 * come), loading="lazy", and a <figcaption> with the caption and credit
 * when it has either (the markup of www/render.js).
 */
static void figures(FILE *f, const json_t *e)
{
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(e, "media"), i, m) {
		fputs("<figure class=\"entry-figure\"><img src=\"/media/", f);
		esc(f, str(m, "id"));
		fprintf(f, "\" width=\"%lld\" height=\"%lld\" alt=\"", dim(m, "width"),
			dim(m, "height"));
		esc(f, str(m, "alt"));
		fputs("\" loading=\"lazy\" decoding=\"async\">", f);
		if (*str(m, "caption") || *str(m, "credit")) {
			fputs("<figcaption>", f);
			if (*str(m, "caption")) {
				fputs("<span class=\"entry-caption\">", f);
				esc(f, str(m, "caption"));
				fputs("</span>", f);
			}
			if (*str(m, "credit")) {
				fputs("<span class=\"entry-credit\">", f);
				esc(f, str(m, "credit"));
				fputs("</span>", f);
			}
			fputs("</figcaption>", f);
		}
		fputs("</figure>", f);
	}
}

void page_ld_image(json_t *update, const json_t *entry, const char *base)
{
	json_t *images = json_array();
	const json_t *m;
	size_t i;
	char url[640];

	json_array_foreach(json_object_get(entry, "media"), i, m) {
		snprintf(url, sizeof(url), "%s/media/%.64s", base ? base : "", str(m, "id"));
		json_array_append_new(images, json_pack("{s:s,s:s,s:I,s:I,s:s}",
							"@type", "ImageObject", "url", url,
							"width", (json_int_t)dim(m, "width"),
							"height", (json_int_t)dim(m, "height"),
							"caption", str(m, "alt")));
	}
	if (json_array_size(images))
		json_object_set(update, "image", images);
	json_decref(images);
}

static void entry_html(FILE *f, const char *blog, const json_t *e)
{
	const char *id = str(e, "id"), *ts = str(e, "ts");
	bool key = json_is_true(json_object_get(e, "key"));

	fprintf(f, "<li class=\"entry-item\"><article class=\"entry%s\" id=\"entry-",
		key ? " entry-key" : "");
	esc(f, id);
	fputs("\" tabindex=\"-1\" data-entry-id=\"", f);
	esc(f, id);
	fputs("\" data-seq=\"", f);
	esc(f, str(e, "seq"));
	fputs("\" data-ts=\"", f);
	esc(f, ts);
	fprintf(f, "\" data-revision=\"%lld\"%s%s><header class=\"entry-meta\">"
		"<a class=\"entry-permalink\" href=\"/blogs/%s#entry-",
		(long long)json_integer_value(json_object_get(e, "revision")),
		key ? " data-key=\"\"" : "",
		json_is_true(json_object_get(e, "pinned")) ? " data-pinned=\"\"" : "", blog);
	esc(f, id);
	fputs("\" title=\"Permalink to this update\"><time datetime=\"", f);
	esc(f, ts);
	fputs("\">", f);
	hhmm(f, ts);
	fputs("</time></a>", f);
	if (*str(e, "author")) {
		fputs("<span class=\"entry-author\">", f);
		esc(f, str(e, "author"));
		fputs("</span>", f);
	}
	if (key)
		fputs("<span class=\"entry-key-badge\">Key event</span>", f);
	if (*str(e, "edited_ts")) {
		fputs("<span class=\"entry-updated\">updated <time datetime=\"", f);
		esc(f, str(e, "edited_ts"));
		fputs("\">", f);
		hhmm(f, str(e, "edited_ts"));
		fputs("</time></span>", f);
	}
	fputs("</header>", f);
	if (*str(e, "title")) {
		fputs("<h3 class=\"entry-title\">", f);
		esc(f, str(e, "title"));
		fputs("</h3>", f);
	}
	fputs("<div class=\"entry-body\">", f);
	text_blocks(f, str(e, "text"));
	fputs("</div>", f);
	figures(f, e);
	fputs("</article></li>\n", f);
}

/* schema.org LiveBlogPosting; "<" escaped so no text can end the script. */
static void json_ld(FILE *f, const struct lb_blog *b, const json_t *entries)
{
	json_t *blog = codec_blog_wire(b), *updates = json_array(), *ld;
	const json_t *e;
	size_t i;
	char *s;

	json_array_foreach(entries, i, e) {
		json_t *u = json_pack("{s:s,s:s,s:s,s:s,s:s}", "@type", "BlogPosting",
				      "headline", *str(e, "title") ? str(e, "title") : b->title,
				      "articleBody", str(e, "text"), "datePublished", str(e, "ts"),
				      "url", "");
		char url[160];

		snprintf(url, sizeof(url), "/blogs/%s#entry-%s", b->id, str(e, "id"));
		json_object_set_new(u, "url", json_string(url));
		if (*str(e, "edited_ts"))
			json_object_set_new(u, "dateModified", json_string(str(e, "edited_ts")));
		page_ld_image(u, e, "");
		json_array_append_new(updates, u);
	}
	ld = json_pack("{s:s,s:s,s:s,s:O,s:o}", "@context", "https://schema.org",
		       "@type", "LiveBlogPosting", "headline", b->title,
		       "coverageStartTime", json_object_get(blog, "created_at"),
		       "liveBlogUpdate", updates);
	if (b->ended)
		json_object_set(ld, "coverageEndTime", json_object_get(blog, "ended_at"));
	s = json_dumps(ld, JSON_COMPACT);
	fputs("<script type=\"application/ld+json\">", f);
	for (char *p = s; p && *p; p++)
		fputs(*p == '<' ? "\\u003c" : (char[]){ *p, 0 }, f);
	fputs("</script>\n", f);
	free(s);
	json_decref(ld);
	json_decref(blog);
}

/*
 * Copies the template from *pos up to `marker` (exclusive) and moves *pos
 * past it. Returns 0, or -1 (nothing copied) when the marker is missing.
 */
static int until(FILE *f, const char **pos, const char *marker)
{
	const char *at = strstr(*pos, marker);

	if (!at)
		return -1;
	fwrite(*pos, 1, (size_t)(at - *pos), f);
	*pos = at + strlen(marker);
	return 0;
}

char *page_render_blog(const char *tpl, size_t tpl_len, const struct lb_blog *b,
		       const json_t *entries, const char *seq, size_t *out_len)
{
	char *buf = NULL, *copy = strndup(tpl, tpl_len);
	const char *pos = copy;
	FILE *f = open_memstream(&buf, out_len);
	size_t n = json_array_size(entries), i;
	const json_t *e;

	if (!f || !copy) {
		free(copy);
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	if (!until(f, &pos, "<title>Liveblog</title>")) {
		fputs("<title>", f);
		esc(f, b->title);
		fputs(" · Liveblog</title>", f);
	}
	if (!until(f, &pos, "</head>")) {
		json_ld(f, b, entries);
		fputs("</head>", f);
	}
	if (!until(f, &pos, "<h1 id=\"blog-title\"></h1>")) {
		fputs("<h1 id=\"blog-title\">", f);
		esc(f, b->title);
		fputs("</h1>", f);
	}
	if (!until(f, &pos, "<span id=\"state-badge\" class=\"badge\" hidden></span>"))
		fputs(b->ended ? "<span id=\"state-badge\" class=\"badge badge-ended\">ENDED</span>" :
		      "<span id=\"state-badge\" class=\"badge badge-live\">LIVE</span>", f);
	if (!until(f, &pos, "<main id=\"main\" class=\"wrap\">"))
		fprintf(f, "<main id=\"main\" class=\"wrap\" data-seq=\"%s\" data-state=\"%s\">",
			seq, b->ended ? "ended" : "live");
	if (!until(f, &pos, "<p id=\"ended-banner\" class=\"ended-banner\" hidden>"))
		fprintf(f, "<p id=\"ended-banner\" class=\"ended-banner\"%s>", b->ended ? "" : " hidden");
	if (!until(f, &pos, "<p id=\"empty\" class=\"empty\" hidden>"))
		fprintf(f, "<p id=\"empty\" class=\"empty\"%s>", n ? " hidden" : "");
	if (!until(f, &pos, "<ol id=\"entries\" class=\"entries\"></ol>")) {
		fputs("<ol id=\"entries\" class=\"entries\">\n", f);
		json_array_foreach(entries, i, e)
			entry_html(f, b->id, e);
		fputs("</ol>", f);
	}
	fputs(pos, f);
	fclose(f);
	free(copy);
	return buf;
}
