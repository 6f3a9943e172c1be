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

const char *page_str(const struct page_view *v, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(v->strings, key));

	return s ? s : fallback;
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
void page_text_html(FILE *f, const char *text)
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
	page_text_html(f, text ? text : "");
}

/* <span class="cls">text</span>, escaped; nothing when text is empty. */
static void span_html(FILE *f, const char *cls, const char *text)
{
	if (!*text)
		return;
	fprintf(f, "<span class=\"%s\">", cls);
	esc(f, text);
	fputs("</span>", f);
}

/* One <figure>: the picture at base/media/id, its size, alt, caption, credit. */
static void figure_html(FILE *f, const struct page_view *v, const struct codec_media_view *m)
{
	fputs("<figure class=\"entry-figure\"><img src=\"", f);
	esc(f, v->base);
	fputs("/media/", f);
	esc(f, m->id);
	fprintf(f, "\" width=\"%lld\" height=\"%lld\" alt=\"", m->width, m->height);
	esc(f, m->alt);
	fputs("\" loading=\"lazy\" decoding=\"async\">", f);
	if (*m->caption || *m->credit) {
		fputs("<figcaption>", f);
		span_html(f, "entry-caption", m->caption);
		span_html(f, "entry-credit", m->credit);
		fputs("</figcaption>", f);
	}
	fputs("</figure>", f);
}

void page_figures_html(FILE *f, const struct page_view *v, const json_t *e)
{
	struct codec_entry_view ev;
	struct codec_media_view m;
	const json_t *item;
	size_t i;

	codec_entry_view(e, &ev);
	json_array_foreach(ev.media, i, item) {
		codec_media_view(item, &m);
		figure_html(f, v, &m);
	}
}

/* An entry's <header>: permalinked time, author, key badge, edit time. */
static void entry_meta_html(FILE *f, const struct page_view *v, const struct codec_entry_view *e)
{
	char url[600];

	fputs("<header class=\"entry-meta\"><a class=\"entry-permalink\" href=\"", f);
	esc(f, page_permalink(v, e->id, url, sizeof(url)));
	fputs("\" title=\"", f);
	esc(f, page_str(v, "permalink", "Permalink to this update"));
	fputs("\"><time datetime=\"", f);
	esc(f, e->ts);
	fputs("\">", f);
	hhmm(f, e->ts);
	fputs("</time></a>", f);
	span_html(f, "entry-author", e->author);
	if (e->key)
		span_html(f, "entry-key-badge", page_str(v, "key_event", "Key event"));
	if (*e->edited_ts) {
		fputs("<span class=\"entry-updated\">", f);
		esc(f, page_str(v, "updated", "updated"));
		fputs(" <time datetime=\"", f);
		esc(f, e->edited_ts);
		fputs("\">", f);
		hhmm(f, e->edited_ts);
		fputs("</time></span>", f);
	}
	fputs("</header>", f);
}

void page_entry_html(FILE *f, const struct page_view *v, const json_t *entry)
{
	struct codec_entry_view e;

	codec_entry_view(entry, &e);
	fprintf(f, "<li class=\"entry-item\"><article class=\"entry%s%s\" id=\"entry-",
		e.key ? " entry-key" : "", v->entry && !strcmp(v->entry, e.id) ? " entry-target" : "");
	esc(f, e.id);
	fputs("\" tabindex=\"-1\" data-entry-id=\"", f);
	esc(f, e.id);
	fputs("\" data-seq=\"", f);
	esc(f, e.seq);
	fputs("\" data-ts=\"", f);
	esc(f, e.ts);
	fprintf(f, "\" data-revision=\"%lld\"%s%s>", e.revision,
		e.key ? " data-key=\"\"" : "", e.pinned ? " data-pinned=\"\"" : "");
	entry_meta_html(f, v, &e);
	if (*e.title) {
		fputs("<h3 class=\"entry-title\">", f);
		esc(f, e.title);
		fputs("</h3>", f);
	}
	fputs("<div class=\"entry-body\">", f);
	page_text_html(f, e.text);
	fputs("</div>", f);
	page_figures_html(f, v, entry);
	fputs("</article></li>\n", f);
}

/*
 * Writes v as JSON inside <script type="TYPE"[ id="ID"]>, with every "<"
 * escaped so that no text in it can end the script element.
 */
void page_script_json(FILE *f, const char *type, const char *id, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);

	fprintf(f, "<script type=\"%s\"%s%s%s>", type, id ? " id=\"" : "",
		id ? id : "", id ? "\"" : "");
	for (char *p = s; p && *p; p++)
		fputs(*p == '<' ? "\\u003c" : (char[]){ *p, 0 }, f);
	fputs("</script>\n", f);
	free(s);
}

const json_t *page_entry_of(const struct page_view *v, const char *id)
{
	const json_t *e;
	size_t i;

	json_array_foreach(v->entries, i, e) {
		struct codec_entry_view ev;

		codec_entry_view(e, &ev);
		if (!strcmp(ev.id, id))
			return e;
	}
	return NULL;
}

/*
 * The key events summary's items, as the page script builds them: the
 * time and the headline, linking to the entry in the page, or to its own
 * page when it is older than what the page shows (long blogs).
 */
void page_key_events_html(FILE *f, const struct page_view *v)
{
	char label[4 * 90 + 8], url[600];
	const json_t *e;
	size_t i;

	json_array_foreach(v->keys, i, e) {
		struct codec_entry_view ev;
		const char *id;

		codec_entry_view(e, &ev);
		id = ev.id;
		page_headline(e, 90, label, sizeof(label));
		fputs("<li data-entry-id=\"", f);
		esc(f, id);
		fputs("\" data-seq=\"", f);
		esc(f, ev.seq);
		fputs("\"><time datetime=\"", f);
		esc(f, ev.ts);
		fputs("\">", f);
		hhmm(f, ev.ts);
		fputs("</time><a href=\"", f);
		if (!v->fragment && page_entry_of(v, id)) {
			fputs("#entry-", f);
			esc(f, id);
			if (v->embed)   /* the iframe page's <base target="_top"> is for leaving it */
				fputs("\" target=\"_self", f);
		} else {
			esc(f, page_permalink(v, id, url, sizeof(url)));
		}
		fputs("\">", f);
		esc(f, *label ? label : page_str(v, "update", "Update"));
		fputs("</a></li>", f);
	}
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

/*
 * The template's text at *pos (up to the next tag) in the catalog's words
 * for key, when it has them; *pos moves past it either way.
 */
static void words(FILE *f, const char **pos, const struct page_view *v, const char *key)
{
	size_t n = strcspn(*pos, "<");
	const char *s = page_str(v, key, NULL);

	if (s)
		esc(f, s);
	else
		fwrite(*pos, 1, n, f);
	*pos += n;
}

/*
 * Copies tpl to f with the text of each element marked data-i18n="KEY"
 * (the attribute last in its tag; its text runs to the next '<') in the
 * catalog's words, when the catalog has KEY.
 */
static void localize(FILE *f, const char *tpl, const struct page_view *v)
{
	static const char mark[] = " data-i18n=\"";
	const char *p = tpl, *at;
	char key[64];

	while ((at = strstr(p, mark))) {
		const char *k = at + sizeof(mark) - 1, *q = strchr(k, '"'), *text, *end, *s;

		if (!q || q[1] != '>' || (size_t)(q - k) >= sizeof(key)) {
			fwrite(p, 1, (size_t)(k - p), f);
			p = k;
			continue;
		}
		memcpy(key, k, (size_t)(q - k));
		key[q - k] = '\0';
		text = q + 2;
		end = text + strcspn(text, "<");
		fwrite(p, 1, (size_t)(text - p), f);
		if ((s = page_str(v, key, NULL)))
			esc(f, s);
		else
			fwrite(text, 1, (size_t)(end - text), f);
		p = end;
	}
	fputs(p, f);
}

/*
 * Sets *out to the template with its words in the view's language
 * (malloc'd; NULL when out of memory), its length in *len.
 */
static void localized(const char *tpl, size_t tpl_len, const struct page_view *v,
		      char **out, size_t *len)
{
	char *copy = strndup(tpl, tpl_len);
	FILE *f = copy ? open_memstream(out, len) : NULL;

	*out = NULL;
	if (f) {
		localize(f, copy, v);
		fclose(f);
	}
	free(copy);
}

/* Up to </head>: the language, the title, JSON-LD and the catalog. */
static void render_head(FILE *f, const char **pos, const struct page_view *v)
{
	const struct lb_blog *b = v->blog;

	if (!until(f, pos, "<html lang=\"en\">")) {
		fputs("<html lang=\"", f);
		esc(f, codec_blog_lang(b));
		fputs("\">", f);
	}
	if (!until(f, pos, "<title>Liveblog</title>")) {
		fputs("<title>", f);
		esc(f, b->title);
		fputs(" · Liveblog</title>", f);
	}
	if (!until(f, pos, "</head>")) {
		if (v->embed)   /* made for an <iframe>: links leave it, search engines skip it */
			fputs("<base target=\"_top\">\n<meta name=\"robots\" content=\"noindex\">\n"
			      "<script type=\"module\" src=\"/embed-frame.js\"></script>\n", f);
		page_head_meta(f, v);
		if (v->strings)
			page_script_json(f, "application/json", "lb-i18n", v->strings);
		fputs("</head>", f);
	}
}

char *page_render_blog(const char *tpl, size_t tpl_len, const struct page_view *v,
		       size_t *out_len)
{
	const struct lb_blog *b = v->blog;
	char *buf = NULL, *copy = NULL;
	size_t n = json_array_size(v->entries), i, clen = 0;
	const char *pos;
	const json_t *e;
	FILE *f;

	localized(tpl, tpl_len, v, &copy, &clen);
	pos = copy;
	f = copy ? open_memstream(&buf, out_len) : NULL;
	if (!f) {
		free(copy);
		return NULL;
	}
	render_head(f, &pos, v);
	if (v->embed && !until(f, &pos, "<body class=\"page-reader\">"))
		fputs("<body class=\"page-reader page-embed\">", f);
	if (!until(f, &pos, "<h1 id=\"blog-title\"></h1>")) {
		fputs("<h1 id=\"blog-title\">", f);
		esc(f, b->title);
		fputs("</h1>", f);
	}
	if (!until(f, &pos, "<span id=\"state-badge\" class=\"badge\" hidden></span>")) {
		fprintf(f, "<span id=\"state-badge\" class=\"badge %s\">",
			b->ended ? "badge-ended" : "badge-live");
		esc(f, b->ended ? page_str(v, "ended_badge", "ENDED") : page_str(v, "live", "LIVE"));
		fputs("</span>", f);
	}
	if (!until(f, &pos, "<main id=\"main\" class=\"wrap\">"))
		fprintf(f, "<main id=\"main\" class=\"wrap\" data-seq=\"%s\" data-state=\"%s\">",
			v->seq, b->ended ? "ended" : "live");
	if (!until(f, &pos, "<p id=\"ended-banner\" class=\"ended-banner\" hidden>")) {
		fprintf(f, "<p id=\"ended-banner\" class=\"ended-banner\"%s>", b->ended ? "" : " hidden");
		words(f, &pos, v, "ended");
	}
	if (json_array_size(v->keys) &&
	    !until(f, &pos, "<nav id=\"key-events\" class=\"key-events\" aria-labelledby=\"key-heading\" hidden>"))
		fputs("<nav id=\"key-events\" class=\"key-events\" aria-labelledby=\"key-heading\">", f);
	if (json_array_size(v->keys) && !until(f, &pos, "<ol id=\"key-list\"></ol>")) {
		fputs("<ol id=\"key-list\">", f);
		page_key_events_html(f, v);
		fputs("</ol>", f);
	}
	if (!until(f, &pos, "<p id=\"empty\" class=\"empty\" hidden>")) {
		fprintf(f, "<p id=\"empty\" class=\"empty\"%s>", n ? " hidden" : "");
		words(f, &pos, v, "empty");
	}
	if (!until(f, &pos, "<ol id=\"entries\" class=\"entries\"></ol>")) {
		fputs("<ol id=\"entries\" class=\"entries\">\n", f);
		json_array_foreach(v->entries, i, e)
			page_entry_html(f, v, e);
		fputs("</ol>", f);
	}
	if (v->older && !until(f, &pos, "<p id=\"older\" class=\"older\" hidden>"))
		fprintf(f, "<p id=\"older\" class=\"older\" data-before=\"%s\">", v->older);
	fputs(pos, f);
	fclose(f);
	free(copy);
	return buf;
}
