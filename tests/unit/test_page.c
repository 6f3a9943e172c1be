/*
 * test_page.c — src/http/page.c: the reader page rendered on the server
 * (SPEC.md "Pages": entries readable with JavaScript off, schema.org
 * LiveBlogPosting JSON-LD with coverageStartTime, coverageEndTime once ended
 * and liveBlogUpdate). The entry markup must be exactly the one documented
 * at the top of www/render.js (the page script adopts it as its own), and
 * every text is plain text: never interpreted as HTML.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/codec.h"
#include "http/i18n.h"
#include "http/page.h"

/* The marker lines of www/blog.html, copied as they are there. */
static const char TPL[] =
	"<!doctype html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<title>Liveblog</title>\n"
	"<script type=\"module\" src=\"/reader.js\"></script>\n"
	"</head>\n"
	"<body class=\"page-reader\">\n"
	"    <h1 id=\"blog-title\"></h1>\n"
	"    <p class=\"blog-status\">\n"
	"      <span id=\"state-badge\" class=\"badge\" hidden></span>\n"
	"    </p>\n"
	"<main id=\"main\" class=\"wrap\">\n"
	"  <p id=\"ended-banner\" class=\"ended-banner\" hidden>The liveblog has ended.</p>\n"
	"  <section id=\"stream\" class=\"stream\">\n"
	"    <p id=\"empty\" class=\"empty\" hidden>No liveblog updates yet.</p>\n"
	"    <ol id=\"entries\" class=\"entries\"></ol>\n"
	"    <p id=\"older\" class=\"older\" hidden><button id=\"show-older\">Show older updates</button></p>\n"
	"  </section>\n"
	"</main>\n"
	"<footer class=\"site-footer\"><div class=\"wrap\"><a href=\"/\">All liveblogs</a></div></footer>\n"
	"</body>\n"
	"</html>\n";

#define CREATED_MS UINT64_C(1795937562123) /* 2026-11-29T07:32:42.123Z */
#define CREATED_TS "2026-11-29T07:32:42.123Z"
#define ENDED_MS   UINT64_C(1795944600500) /* 2026-11-29T09:30:00.500Z */
#define ENDED_TS   "2026-11-29T09:30:00.500Z"

#define U1 "0f8fad5b-d9cb-469f-a165-70867728950e"
#define U2 "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define U3 "16fd2706-8baf-433b-82eb-8c7fada847da"

/* A title with every character that HTML escaping must change. */
#define TITLE "Summit <live> & \"more\" 'now'"
#define TITLE_HTML "Summit &lt;live&gt; &amp; &quot;more&quot; &#39;now&#39;"

static void blog_init(struct lb_blog *b, bool ended)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%s", "summit");
	snprintf(b->title, sizeof(b->title), "%s", TITLE);
	b->ended = ended;
	b->created_ms = CREATED_MS;
	b->ended_ms = ended ? ENDED_MS : 0;
	b->entry_count = 3;
	snprintf(b->last_seq, sizeof(b->last_seq), "%s", "1795937990000-0");
}

/* Wire entries, newest first, as the caller passes them. */
static json_t *three_entries(void)
{
	json_t *list = json_array();

	/* newest: an edited key entry with an author and an attacking title */
	json_array_append_new(list, json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:i,s:s}",
		"id", U3, "seq", "1795937700000-1", "ts", "2026-11-29T07:35:00.000Z",
		"author", "Ana & \"Bo\"", "title", "<script>alert('t')</script>",
		"text", "Line one\r\nLine two <b>&amp;</b>\r\n\r\n* first bullet\r\n* second & last\r\nafter the list",
		"key", true, "pinned", false, "revision", 2,
		"edited_ts", "2026-11-29T07:40:12.345Z"));
	/* a plain entry whose text tries to leave the JSON-LD script */
	json_array_append_new(list, json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:i}",
		"id", U2, "seq", "1795937600000-0", "ts", "2026-11-29T07:33:20.000Z",
		"author", "", "title", "",
		"text", "</script><script>alert(1)</script><img src=x onerror=alert(2)>",
		"key", false, "pinned", true, "revision", 1));
	/* oldest: French UTF-8, blank lines made of spaces and tabs */
	json_array_append_new(list, json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:i}",
		"id", U1, "seq", "1795937562123-0", "ts", CREATED_TS,
		"author", "R\xc3\xa9" "daction", "title", "",
		"text", "\n\n\xc2\xab Bonjour \xc2\xbb, dit-il.\n \t \n\n*pas une puce\n * pas non plus\n* \n\n",
		"key", false, "pinned", false, "revision", 1));
	return list;
}

/* Renders template t (tlen bytes, copied without a NUL after them). */
static char *render_tpl(const char *t, size_t tlen, const struct page_view *v)
{
	size_t len = 0;
	/* exactly the template's bytes, no NUL after them (ASan sees overreads) */
	char *tpl = malloc(tlen);
	char *html;

	assert_non_null(tpl);
	memcpy(tpl, t, tlen);
	html = page_render_blog(tpl, tlen, v, &len);
	free(tpl);
	assert_non_null(html);
	assert_int_equal(strlen(html), len);
	return html;
}

static char *render(const struct lb_blog *b, const json_t *entries, const char *seq)
{
	struct page_view v = { .blog = b, .entries = entries, .seq = seq };

	return render_tpl(TPL, sizeof(TPL) - 1, &v);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect\n  %s\nin\n%s", needle, hay);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define LD_OPEN "<script type=\"application/ld+json\">"

/* The JSON-LD object of the page: exactly one such script, parsed. */
static json_t *json_ld(const char *html)
{
	const char *start, *end;
	json_error_t err;
	char *text;
	json_t *v;

	assert_int_equal(count(html, LD_OPEN), 1);
	start = strstr(html, LD_OPEN) + strlen(LD_OPEN);
	end = strstr(start, "</script>");
	assert_non_null(end);
	/* it sits in <head>, before the body */
	assert_true(end < strstr(html, "</head>"));
	text = strndup(start, (size_t)(end - start));
	assert_non_null(text);
	/* nothing inside may open a tag: every '<' is escaped */
	assert_null(strchr(text, '<'));
	v = json_loads(text, 0, &err);
	if (!v)
		fail_msg("JSON-LD does not parse (%s at %d): %s", err.text, err.position, text);
	free(text);
	return v;
}

static const char *sget(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s)
		fail_msg("\"%s\" is not a string", k);
	return s;
}

/* ---- page_escape ----------------------------------------------------- */

static char *escaped(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	page_escape(f, s, len);
	fclose(f);
	return buf;
}

static char *escaped_str(const char *s)
{
	return escaped(s, strlen(s));
}

static void test_escape_every_special_character(void **state)
{
	char *s;

	(void)state;
	s = escaped_str("<a href=\"x\" title='y'>Tom & Jerry</a>");
	assert_string_equal(s, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
	free(s);
	/* already-escaped text is escaped again: it is plain text */
	s = escaped_str("&amp; &lt;");
	assert_string_equal(s, "&amp;amp; &amp;lt;");
	free(s);
	/* UTF-8 and plain characters pass unchanged */
	s = escaped_str("\xc2\xab \xc3\xa9t\xc3\xa9 \xc2\xbb \xf0\x9f\x97\xb3 / = ;");
	assert_string_equal(s, "\xc2\xab \xc3\xa9t\xc3\xa9 \xc2\xbb \xf0\x9f\x97\xb3 / = ;");
	free(s);
}

static void test_escape_respects_length(void **state)
{
	char *s;

	(void)state;
	s = escaped("<b>&</b>", 4);
	assert_string_equal(s, "&lt;b&gt;&amp;");
	free(s);
	s = escaped("<", 0);
	assert_string_equal(s, "");
	free(s);
}

/* ---- the page -------------------------------------------------------- */

static void test_live_page_head_title_badge_main(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries();
	char *html;

	(void)state;
	blog_init(&b, false);
	html = render(&b, entries, "1795937990000-0");
	/* the title, escaped, in <title> and <h1> */
	assert_contains(html, "<title>" TITLE_HTML);
	assert_int_equal(count(html, "<title>"), 1);
	assert_int_equal(count(html, "</title>"), 1);
	assert_contains(html, "<h1 id=\"blog-title\">" TITLE_HTML "</h1>");
	assert_lacks(html, "<h1 id=\"blog-title\"></h1>");
	assert_lacks(html, "<live>");
	/* the LIVE badge, shown */
	assert_contains(html, "<span id=\"state-badge\" class=\"badge badge-live\">LIVE</span>");
	assert_lacks(html, "ENDED");
	/* main carries the cursor and the state */
	assert_contains(html, "<main id=\"main\" class=\"wrap\" data-seq=\"1795937990000-0\" data-state=\"live\">");
	assert_int_equal(count(html, "<main"), 1);
	/* banner hidden, "no updates" hidden */
	assert_contains(html, "<p id=\"ended-banner\" class=\"ended-banner\" hidden>The liveblog has ended.</p>");
	assert_contains(html, "<p id=\"empty\" class=\"empty\" hidden>No liveblog updates yet.</p>");
	/* the rest of the template is kept */
	assert_contains(html, "<script type=\"module\" src=\"/reader.js\"></script>\n");
	assert_contains(html, "<footer class=\"site-footer\"><div class=\"wrap\"><a href=\"/\">All liveblogs</a></div></footer>\n</body>\n</html>\n");
	assert_true(strncmp(html, "<!doctype html>\n<html lang=\"en\">\n<head>\n", 40) == 0);
	free(html);
	json_decref(entries);
}

/* The exact markup of render.js for each entry, newest first. */
static void test_entries_exact_markup(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries();
	char *html;
	const char *a3, *a2, *a1;

	(void)state;
	blog_init(&b, false);
	html = render(&b, entries, "1795937990000-0");

	static const char E3[] =
		"<li class=\"entry-item\"><article class=\"entry entry-key\" id=\"entry-" U3 "\" tabindex=\"-1\""
		" data-entry-id=\"" U3 "\" data-seq=\"1795937700000-1\" data-ts=\"2026-11-29T07:35:00.000Z\""
		" data-revision=\"2\" data-key=\"\">"
		"<header class=\"entry-meta\">"
		"<a class=\"entry-permalink\" href=\"/blogs/summit/entries/" U3 "\" title=\"Permalink to this update\">"
		"<time datetime=\"2026-11-29T07:35:00.000Z\">07:35 UTC</time></a>"
		"<span class=\"entry-author\">Ana &amp; &quot;Bo&quot;</span>"
		"<span class=\"entry-key-badge\">Key event</span>"
		"<span class=\"entry-updated\">updated <time datetime=\"2026-11-29T07:40:12.345Z\">07:40 UTC</time></span>"
		"</header>"
		"<h3 class=\"entry-title\">&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;</h3>"
		"<div class=\"entry-body\">"
		"<p>Line one<br>Line two &lt;b&gt;&amp;amp;&lt;/b&gt;</p>"
		"<ul><li>first bullet</li><li>second &amp; last</li></ul>"
		"<p>after the list</p>"
		"</div></article></li>";
	static const char E2[] =
		"<li class=\"entry-item\"><article class=\"entry\" id=\"entry-" U2 "\" tabindex=\"-1\""
		" data-entry-id=\"" U2 "\" data-seq=\"1795937600000-0\" data-ts=\"2026-11-29T07:33:20.000Z\""
		" data-revision=\"1\" data-pinned=\"\">"
		"<header class=\"entry-meta\">"
		"<a class=\"entry-permalink\" href=\"/blogs/summit/entries/" U2 "\" title=\"Permalink to this update\">"
		"<time datetime=\"2026-11-29T07:33:20.000Z\">07:33 UTC</time></a>"
		"</header>"
		"<div class=\"entry-body\">"
		"<p>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</p>"
		"</div></article></li>";
	static const char E1[] =
		"<li class=\"entry-item\"><article class=\"entry\" id=\"entry-" U1 "\" tabindex=\"-1\""
		" data-entry-id=\"" U1 "\" data-seq=\"1795937562123-0\" data-ts=\"" CREATED_TS "\""
		" data-revision=\"1\">"
		"<header class=\"entry-meta\">"
		"<a class=\"entry-permalink\" href=\"/blogs/summit/entries/" U1 "\" title=\"Permalink to this update\">"
		"<time datetime=\"" CREATED_TS "\">07:32 UTC</time></a>"
		"<span class=\"entry-author\">R\xc3\xa9" "daction</span>"
		"</header>"
		"<div class=\"entry-body\">"
		"<p>\xc2\xab Bonjour \xc2\xbb, dit-il.</p>"
		"<p>*pas une puce<br> * pas non plus</p>"
		"<ul><li></li></ul>"
		"</div></article></li>";

	a3 = strstr(html, E3);
	a2 = strstr(html, E2);
	a1 = strstr(html, E1);
	if (!a3 || !a2 || !a1)
		fail_msg("entry markup differs (found E3 %d, E2 %d, E1 %d); page:\n%s",
			 !!a3, !!a2, !!a1, html);
	/* newest first, all inside <ol id="entries"> */
	assert_true(a3 < a2 && a2 < a1);
	assert_true(strstr(html, "<ol id=\"entries\" class=\"entries\">") < a3);
	assert_true(strstr(a1, "</ol>") != NULL);
	assert_int_equal(count(html, "<article"), 3);
	assert_int_equal(count(html, "<li class=\"entry-item\">"), 3);
	/* no text became markup */
	assert_lacks(html, "<script>alert");
	assert_lacks(html, "<img");
	assert_lacks(html, "<b>");
	free(html);
	json_decref(entries);
}

/* The text rules of render.js, one text at a time. */
static void check_text(const char *text, const char *body)
{
	struct lb_blog b;
	json_t *entries = json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:i}]",
		"id", U1, "seq", "1795937562123-0", "ts", CREATED_TS, "author", "",
		"title", "", "text", text, "key", false, "pinned", false, "revision", 1);
	char want[4096], *html;

	blog_init(&b, false);
	html = render(&b, entries, "1795937562123-0");
	snprintf(want, sizeof(want), "<div class=\"entry-body\">%s</div></article></li>", body);
	if (!strstr(html, want))
		fail_msg("text %s: expected body\n  %s\nin\n%s", text, want, html);
	free(html);
	json_decref(entries);
}

static void test_text_paragraphs_and_bullets(void **state)
{
	(void)state;
	check_text("", "");
	check_text("one", "<p>one</p>");
	check_text("one\ntwo", "<p>one<br>two</p>");
	check_text("one\n\ntwo", "<p>one</p><p>two</p>");
	check_text("one\n\n\n\ntwo\n", "<p>one</p><p>two</p>");
	check_text("\n\n  \n\t\none", "<p>one</p>");
	check_text("* a\n* b", "<ul><li>a</li><li>b</li></ul>");
	check_text("intro:\n* a\n* b\noutro", "<p>intro:</p><ul><li>a</li><li>b</li></ul><p>outro</p>");
	check_text("* a\n\n* b", "<ul><li>a</li></ul><ul><li>b</li></ul>");
	check_text("*a\n -b\n *c", "<p>*a<br> -b<br> *c</p>");
	check_text("* * nested?", "<ul><li>* nested?</li></ul>");
	check_text("  keep  spaces  ", "<p>  keep  spaces  </p>");
}

static void test_text_crlf_and_cr(void **state)
{
	(void)state;
	check_text("one\r\ntwo", "<p>one<br>two</p>");
	check_text("one\r\n\r\ntwo\r\n", "<p>one</p><p>two</p>");
	check_text("one\rtwo", "<p>one<br>two</p>");
	check_text("one\r\rtwo", "<p>one</p><p>two</p>");
	check_text("one\r\r\ntwo", "<p>one</p><p>two</p>");
	check_text("* a\r\n* b\r\n\r\nc", "<ul><li>a</li><li>b</li></ul><p>c</p>");
	check_text("a\r\n \t\r\nb", "<p>a</p><p>b</p>");
}

static void test_text_is_never_html(void **state)
{
	(void)state;
	check_text("<script>alert(1)</script>",
		   "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	check_text("* <img src=x onerror=alert(1)>",
		   "<ul><li>&lt;img src=x onerror=alert(1)&gt;</li></ul>");
	check_text("Tom & Jerry's \"show\"", "<p>Tom &amp; Jerry&#39;s &quot;show&quot;</p>");
	check_text("&lt;b&gt;", "<p>&amp;lt;b&amp;gt;</p>");
	check_text("<br>", "<p>&lt;br&gt;</p>");
}

static void test_json_ld_live(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries(), *ld, *updates, *u;
	char *html;
	size_t i;

	(void)state;
	blog_init(&b, false);
	html = render(&b, entries, "1795937990000-0");
	ld = json_ld(html);
	assert_string_equal(sget(ld, "@context"), "https://schema.org");
	assert_string_equal(sget(ld, "@type"), "LiveBlogPosting");
	assert_string_equal(sget(ld, "headline"), TITLE);
	assert_string_equal(sget(ld, "coverageStartTime"), CREATED_TS);
	assert_null(json_object_get(ld, "coverageEndTime"));
	updates = json_object_get(ld, "liveBlogUpdate");
	assert_true(json_is_array(updates));
	assert_int_equal(json_array_size(updates), 3);
	/* one BlogPosting per entry, found by its permalink */
	for (i = 0; i < 3; i++) {
		const json_t *e = json_array_get(entries, i);
		const char *id = sget(e, "id");
		char url[160];
		json_t *found = NULL;
		size_t j;

		snprintf(url, sizeof(url), "/blogs/summit/entries/%s", id);
		json_array_foreach(updates, j, u) {
			const char *us = json_string_value(json_object_get(u, "url"));
			size_t ul = us ? strlen(us) : 0;

			/* relative or absolute, the url ends with the permalink */
			if (us && ul >= strlen(url) && !strcmp(us + ul - strlen(url), url))
				found = u;
		}
		if (!found)
			fail_msg("no liveBlogUpdate with url %s", url);
		assert_string_equal(sget(found, "@type"), "BlogPosting");
		assert_string_equal(sget(found, "articleBody"), sget(e, "text"));
		assert_string_equal(sget(found, "datePublished"), sget(e, "ts"));
		if (json_object_get(e, "edited_ts"))
			assert_string_equal(sget(found, "dateModified"), sget(e, "edited_ts"));
		else
			assert_null(json_object_get(found, "dateModified"));
		if (*sget(e, "title"))
			assert_string_equal(sget(found, "headline"), sget(e, "title"));
	}
	json_decref(ld);
	free(html);
	json_decref(entries);
}

#define PIC "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"

/* An entry with two pictures: one with caption and credit, one without. */
static json_t *pictured(void)
{
	json_t *list = json_array();

	json_array_append_new(list, json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:i,s:[{s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s},"
		"{s:s,s:s,s:i,s:i,s:s,s:s}]}",
		"id", U1, "seq", "1795937562123-0", "ts", CREATED_TS, "author", "", "title", "",
		"text", "see https://example.org.", "key", false, "pinned", false, "revision", 1,
		"media",
		"id", PIC, "type", "image/jpeg", "width", 1200, "height", 675,
		"url", "/media/" PIC, "alt", "A \"skyline\" <at> dusk",
		"caption", "Dusk & lights", "credit", "Photo: A. N. Other",
		"id", PIC, "type", "image/png", "width", 1, "height", 2,
		"url", "/media/" PIC, "alt", "x"));
	return list;
}

/* Pictures after the text, with their size (no layout shift), lazy, captioned. */
static void test_figures(void **state)
{
	struct lb_blog b;
	json_t *entries = pictured();
	char *html;

	(void)state;
	blog_init(&b, false);
	html = render(&b, entries, "1795937562123-0");
	assert_contains(html, "<div class=\"entry-body\"><p>see <a href=\"https://example.org\" "
			"rel=\"nofollow noopener noreferrer\">https://example.org</a>.</p></div>"
			"<figure class=\"entry-figure\"><img src=\"/media/" PIC "\" width=\"1200\" "
			"height=\"675\" alt=\"A &quot;skyline&quot; &lt;at&gt; dusk\" loading=\"lazy\" "
			"decoding=\"async\"><figcaption><span class=\"entry-caption\">Dusk &amp; lights"
			"</span><span class=\"entry-credit\">Photo: A. N. Other</span></figcaption></figure>"
			"<figure class=\"entry-figure\"><img src=\"/media/" PIC "\" width=\"1\" height=\"2\" "
			"alt=\"x\" loading=\"lazy\" decoding=\"async\"></figure></article></li>");
	free(html);
	json_decref(entries);
}

/* JSON-LD: "image" on updates that have pictures: their absolute URLs. */
static void test_json_ld_image(void **state)
{
	struct lb_blog b;
	json_t *entries = pictured(), *more = three_entries(), *ld, *img, *u;
	struct page_view v = { .blog = &b, .entries = entries, .seq = "1795937990000-0",
			       .base = "https://news.example/live" };
	char *html;

	(void)state;
	blog_init(&b, false);
	json_array_extend(entries, more);
	json_decref(more);
	html = render_tpl(TPL, sizeof(TPL) - 1, &v);
	ld = json_ld(html);
	u = json_array_get(json_object_get(ld, "liveBlogUpdate"), 0);
	img = json_object_get(u, "image");
	assert_int_equal(json_array_size(img), 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(json_string_value(json_array_get(img, i)),
				    "https://news.example/live/media/" PIC);
	for (size_t i = 1; i < 4; i++)
		assert_null(json_object_get(json_array_get(json_object_get(ld, "liveBlogUpdate"), i),
					    "image"));
	json_decref(ld);
	free(html);
	json_decref(entries);
}

static void test_ended_page(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries(), *ld;
	char *html;

	(void)state;
	blog_init(&b, true);
	html = render(&b, entries, "1795944600500-0");
	assert_contains(html, "<span id=\"state-badge\" class=\"badge badge-ended\">ENDED</span>");
	assert_lacks(html, ">LIVE<");
	assert_contains(html, "<main id=\"main\" class=\"wrap\" data-seq=\"1795944600500-0\" data-state=\"ended\">");
	assert_contains(html, "<p id=\"ended-banner\" class=\"ended-banner\">The liveblog has ended.</p>");
	assert_contains(html, "<p id=\"empty\" class=\"empty\" hidden>No liveblog updates yet.</p>");
	assert_int_equal(count(html, "<article"), 3);
	ld = json_ld(html);
	assert_string_equal(sget(ld, "@type"), "LiveBlogPosting");
	assert_string_equal(sget(ld, "coverageStartTime"), CREATED_TS);
	assert_string_equal(sget(ld, "coverageEndTime"), ENDED_TS);
	assert_int_equal(json_array_size(json_object_get(ld, "liveBlogUpdate")), 3);
	json_decref(ld);
	free(html);
	json_decref(entries);
}

static void test_empty_live_page(void **state)
{
	struct lb_blog b;
	json_t *entries = json_array(), *ld, *updates;
	char *html;
	const char *ol, *close;

	(void)state;
	blog_init(&b, false);
	b.entry_count = 0;
	html = render(&b, entries, "");
	assert_contains(html, "<p id=\"empty\" class=\"empty\">No liveblog updates yet.</p>");
	assert_contains(html, "<main id=\"main\" class=\"wrap\" data-seq=\"\" data-state=\"live\">");
	assert_int_equal(count(html, "<article"), 0);
	/* the list is there, with only whitespace inside */
	ol = strstr(html, "<ol id=\"entries\" class=\"entries\">");
	assert_non_null(ol);
	ol += strlen("<ol id=\"entries\" class=\"entries\">");
	close = strstr(ol, "</ol>");
	assert_non_null(close);
	for (const char *p = ol; p < close; p++)
		assert_true(*p == ' ' || *p == '\n' || *p == '\t');
	ld = json_ld(html);
	assert_string_equal(sget(ld, "coverageStartTime"), CREATED_TS);
	assert_null(json_object_get(ld, "coverageEndTime"));
	updates = json_object_get(ld, "liveBlogUpdate");
	assert_true(json_is_array(updates));
	assert_int_equal(json_array_size(updates), 0);
	json_decref(ld);
	free(html);
	json_decref(entries);
}

static void test_empty_ended_page(void **state)
{
	struct lb_blog b;
	json_t *entries = json_array(), *ld;
	char *html;

	(void)state;
	blog_init(&b, true);
	b.entry_count = 0;
	html = render(&b, entries, "1795944600500-0");
	assert_contains(html, "<p id=\"empty\" class=\"empty\">No liveblog updates yet.</p>");
	assert_contains(html, "<p id=\"ended-banner\" class=\"ended-banner\">The liveblog has ended.</p>");
	assert_contains(html, "<span id=\"state-badge\" class=\"badge badge-ended\">ENDED</span>");
	ld = json_ld(html);
	assert_string_equal(sget(ld, "coverageEndTime"), ENDED_TS);
	assert_int_equal(json_array_size(json_object_get(ld, "liveBlogUpdate")), 0);
	json_decref(ld);
	free(html);
	json_decref(entries);
}

/* A blog title cannot end the JSON-LD script or the <title>. */
static void test_hostile_blog_title(void **state)
{
	struct lb_blog b;
	json_t *entries = json_array(), *ld;
	char *html;

	(void)state;
	blog_init(&b, false);
	snprintf(b.title, sizeof(b.title), "%s", "</title></script><script>alert(1)</script>");
	html = render(&b, entries, "");
	assert_lacks(html, "<script>alert");
	assert_int_equal(count(html, "</title>"), 1);
	assert_contains(html, "<h1 id=\"blog-title\">&lt;/title&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
	ld = json_ld(html);
	assert_string_equal(sget(ld, "headline"), "</title></script><script>alert(1)</script>");
	json_decref(ld);
	free(html);
	json_decref(entries);
}

/* A template without the markers comes back unchanged. */
static void test_template_without_markers(void **state)
{
	static const char plain[] = "<!doctype html><p>nothing to fill</p>\n";
	struct lb_blog b;
	json_t *entries = three_entries();
	size_t len = 0;
	char *html;

	(void)state;
	blog_init(&b, false);
	html = page_render_blog(plain, sizeof(plain) - 1,
				&(struct page_view){ .blog = &b, .entries = entries, .seq = "1-0" }, &len);
	assert_non_null(html);
	assert_int_equal(len, sizeof(plain) - 1);
	assert_string_equal(html, plain);
	free(html);
	json_decref(entries);
}

/* ---- search and sharing: JSON-LD, canonical, og: (SPEC part two) ---- */

static void headline_of(const char *title, const char *text, char *out, size_t len)
{
	json_t *e = json_pack("{s:s,s:s}", "title", title, "text", text);

	page_headline(e, PAGE_HEADLINE_MAX, out, len);
	json_decref(e);
}

/* Characters (UTF-8 code points) of s. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* An update's headline: its title, else its first words, at most 110 characters. */
static void test_headline(void **state)
{
	char out[600], text[2000];

	(void)state;
	headline_of("Kick-off", "Ignored text", out, sizeof(out));
	assert_string_equal(out, "Kick-off");
	headline_of("", "* Premier point\n* second\r\n\r\nEt  puis\tla suite.", out, sizeof(out));
	assert_string_equal(out, "Premier point second Et puis la suite.");
	/* 130 characters of two-byte letters, words of 9 */
	text[0] = '\0';
	for (int i = 0; i < 13; i++)
		strcat(text, "\xc3\xa9t\xc3\xa9t\xc3\xa9t\xc3\xa9t\xc3\xa9 ");
	headline_of("", text, out, sizeof(out));
	assert_true(chars(out) <= PAGE_HEADLINE_MAX);
	assert_true(chars(out) >= 90);
	assert_non_null(strstr(out, "\xe2\x80\xa6"));        /* cut, with an ellipsis */
	assert_null(strstr(out, " \xe2\x80\xa6"));           /* at a word's end */
	assert_int_equal(strncmp(out, text, strlen(out) - 3), 0);
	/* exactly 110: kept whole */
	memset(text, 'a', 110);
	text[110] = '\0';
	headline_of("", text, out, sizeof(out));
	assert_string_equal(out, text);
	/* a long title is cut too; one long word is cut inside it */
	memset(text, 'b', 300);
	text[300] = '\0';
	headline_of(text, "x", out, sizeof(out));
	assert_int_equal(chars(out), PAGE_HEADLINE_MAX);
}

/* Renders the blog page of TPL with base, publisher and (maybe) a target entry. */
static char *render_shared(const struct lb_blog *b, const json_t *entries, const char *entry)
{
	struct page_view v = { .blog = b, .entries = entries, .seq = "1795937990000-0",
			       .base = "https://news.example/live", .publisher = "Le Quotidien",
			       .entry = entry };

	return render_tpl(TPL, sizeof(TPL) - 1, &v);
}

/* Every SPEC field of the LiveBlogPosting and of each BlogPosting, absolute URLs. */
static void test_json_ld_fields(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries(), *ld, *u, *pub;
	char *html;
	size_t i;

	(void)state;
	blog_init(&b, true);
	strcpy(b.lang, "fr");
	/* an entry with pictures: image, absolute */
	json_object_set_new(json_array_get(entries, 1), "media", json_pack("[{s:s,s:s},{s:s}]",
		"id", "ab", "url", "/media/ab", "alt", "no url here"));
	html = render_shared(&b, entries, NULL);
	ld = json_ld(html);
	assert_string_equal(sget(ld, "url"), "https://news.example/live/blogs/summit");
	assert_string_equal(sget(ld, "headline"), TITLE);
	assert_string_equal(sget(ld, "inLanguage"), "fr");
	assert_string_equal(sget(ld, "datePublished"), CREATED_TS);
	assert_string_equal(sget(ld, "coverageStartTime"), CREATED_TS);
	assert_string_equal(sget(ld, "coverageEndTime"), ENDED_TS);
	/* the last change: the seq of the blog's last event */
	assert_string_equal(sget(ld, "dateModified"), "2026-11-29T07:39:50.000Z");
	pub = json_object_get(ld, "publisher");
	assert_string_equal(sget(pub, "@type"), "Organization");
	assert_string_equal(sget(pub, "name"), "Le Quotidien");
	json_array_foreach(json_object_get(ld, "liveBlogUpdate"), i, u) {
		const json_t *e = json_array_get(entries, i);
		char url[200];

		snprintf(url, sizeof(url), "https://news.example/live/blogs/summit/entries/%s", sget(e, "id"));
		assert_string_equal(sget(u, "url"), url);
		assert_string_not_equal(sget(u, "headline"), TITLE);
		assert_true(chars(sget(u, "headline")) <= PAGE_HEADLINE_MAX);
		if (*sget(e, "author")) {
			assert_string_equal(sget(json_object_get(u, "author"), "@type"), "Person");
			assert_string_equal(sget(json_object_get(u, "author"), "name"), sget(e, "author"));
		} else {
			assert_null(json_object_get(u, "author"));
		}
	}
	u = json_array_get(json_object_get(ld, "liveBlogUpdate"), 1);
	assert_string_equal(sget(u, "headline"), "</script><script>alert(1)</script><img src=x onerror=alert(2)>");
	assert_int_equal(json_array_size(json_object_get(u, "image")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(u, "image"), 0)),
			    "https://news.example/live/media/ab");
	u = json_array_get(json_object_get(ld, "liveBlogUpdate"), 2);
	assert_string_equal(sget(u, "headline"), "\xc2\xab Bonjour \xc2\xbb, dit-il. *pas une puce * pas non plus");
	assert_null(json_object_get(u, "image"));
	/* canonical and og: */
	assert_contains(html, "<link rel=\"canonical\" href=\"https://news.example/live/blogs/summit\">");
	assert_contains(html, "<meta property=\"og:type\" content=\"article\">");
	assert_contains(html, "<meta property=\"og:title\" content=\"" TITLE_HTML "\">");
	assert_contains(html, "<meta property=\"og:url\" content=\"https://news.example/live/blogs/summit\">");
	assert_contains(html, "<meta property=\"og:description\" content=\"Line one Line two &lt;b&gt;&amp;amp;&lt;/b&gt; first bullet second &amp; last after the list\">");
	assert_contains(html, "<meta property=\"og:site_name\" content=\"Le Quotidien\">");
	assert_contains(html, "href=\"https://news.example/live/blogs/summit/entries/" U3 "\"");
	assert_lacks(html, "entry-target");
	json_decref(ld);
	free(html);
	json_decref(entries);
}

/* An entry's own page: its canonical and og: tags, the entry marked. */
static void test_entry_page(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries(), *ld;
	char *html;

	(void)state;
	blog_init(&b, false);
	html = render_shared(&b, entries, U1);
	assert_contains(html, "<link rel=\"canonical\" href=\"https://news.example/live/blogs/summit/entries/" U1 "\">");
	assert_contains(html, "<meta property=\"og:url\" content=\"https://news.example/live/blogs/summit/entries/" U1 "\">");
	assert_contains(html, "<meta property=\"og:title\" content=\"\xc2\xab Bonjour \xc2\xbb, dit-il. *pas une puce * pas non plus\">");
	assert_contains(html, "<article class=\"entry entry-target\" id=\"entry-" U1 "\"");
	assert_int_equal(count(html, "entry-target"), 1);
	/* the JSON-LD is still the whole blog's */
	ld = json_ld(html);
	assert_int_equal(json_array_size(json_object_get(ld, "liveBlogUpdate")), 3);
	json_decref(ld);
	free(html);
	json_decref(entries);
}

/* An empty blog: og:description says so, in the blog's language. */
static void test_empty_description(void **state)
{
	struct lb_blog b;
	json_t *entries = json_array();
	char *html;

	(void)state;
	blog_init(&b, false);
	html = render_shared(&b, entries, NULL);
	assert_contains(html, "<meta property=\"og:description\" content=\"No liveblog updates yet.\">");
	free(html);
	json_decref(entries);
}

/* A long blog: "Show older updates" reads before the oldest shown; the key
 * events summary links to the page's entries, or to older ones' own pages. */
static void test_long_blog(void **state)
{
	static const char tpl[] =
		"<main id=\"main\" class=\"wrap\">\n"
		"<nav id=\"key-events\" class=\"key-events\" aria-labelledby=\"key-heading\" hidden>\n"
		"<ol id=\"key-list\"></ol>\n</nav>\n"
		"<ol id=\"entries\" class=\"entries\"></ol>\n"
		"<p id=\"older\" class=\"older\" hidden>x</p>\n</main>\n";
	struct lb_blog b;
	json_t *all = three_entries(), *shown = json_array(), *keys = json_array();
	struct page_view v = { .blog = &b, .entries = shown, .seq = "1-0", .base = "http://h",
			       .keys = keys, .older = "1795937600000-0" };
	char *html;

	(void)state;
	blog_init(&b, false);
	json_array_append(shown, json_array_get(all, 0));
	json_array_append(keys, json_array_get(all, 0));
	json_array_append(keys, json_array_get(all, 2));
	json_object_set_new(json_array_get(all, 2), "key", json_true());
	html = render_tpl(tpl, sizeof(tpl) - 1, &v);
	assert_contains(html, "<p id=\"older\" class=\"older\" data-before=\"1795937600000-0\">x</p>");
	assert_contains(html, "<nav id=\"key-events\" class=\"key-events\" aria-labelledby=\"key-heading\">");
	assert_contains(html, "<li data-entry-id=\"" U3 "\" data-seq=\"1795937700000-1\">"
			"<time datetime=\"2026-11-29T07:35:00.000Z\">07:35 UTC</time>"
			"<a href=\"#entry-" U3 "\">&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;</a></li>");
	assert_contains(html, "<a href=\"http://h/blogs/summit/entries/" U1 "\">\xc2\xab Bonjour");
	assert_int_equal(count(html, "<article"), 1);
	free(html);
	/* nothing older, no key events: both stay hidden */
	v.older = NULL;
	v.keys = NULL;
	html = render_tpl(tpl, sizeof(tpl) - 1, &v);
	assert_contains(html, "<p id=\"older\" class=\"older\" hidden>x</p>");
	assert_contains(html, "aria-labelledby=\"key-heading\" hidden>");
	free(html);
	json_decref(keys);
	json_decref(shown);
	json_decref(all);
}

/* The feeds: XML escaped and without what XML 1.0 refuses; JSON Feed 1.1's shape. */
static void test_feeds(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries(), *fr = i18n_catalog(NULL, "fr"), *feed, *item;
	struct page_view v = { .blog = &b, .entries = entries, .seq = "1-0", .strings = fr,
			       .base = "https://n.example", .publisher = "P & Co" };
	char *doc;
	size_t len = 0;

	(void)state;
	blog_init(&b, true);
	strcpy(b.lang, "fr");
	json_object_set_new(json_array_get(entries, 2), "text", json_string("Bell\x07 \xef\xbf\xbe & </content>"));
	doc = page_feed_atom(&v, &len);
	assert_non_null(doc);
	assert_int_equal(strlen(doc), len);
	assert_contains(doc, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">");
	assert_contains(doc, "<title type=\"text\">" TITLE_HTML "</title>");
	assert_contains(doc, "<subtitle type=\"text\">Le direct est termin\xc3\xa9.</subtitle>");
	assert_contains(doc, "<id>urn:uuid:" U3 "</id>");
	assert_contains(doc, "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://n.example/blogs/summit/feed.atom\"/>");
	assert_contains(doc, "<author><name>P &amp; Co</name>");
	assert_contains(doc, "<content type=\"html\">&lt;p&gt;Bell  &amp;amp; &amp;lt;/content&amp;gt;&lt;/p&gt;</content>");
	assert_lacks(doc, "\x07");
	assert_lacks(doc, "\xef\xbf\xbe");
	assert_contains(doc, "<updated>2026-11-29T07:40:12.345Z</updated>");   /* edited */
	free(doc);
	doc = page_feed_json(&v, &len);
	feed = json_loads(doc, 0, NULL);
	assert_non_null(feed);
	assert_string_equal(sget(feed, "version"), "https://jsonfeed.org/version/1.1");
	assert_string_equal(sget(feed, "language"), "fr");
	assert_string_equal(sget(feed, "feed_url"), "https://n.example/blogs/summit/feed.json");
	item = json_array_get(json_object_get(feed, "items"), 0);
	assert_string_equal(sget(item, "id"), "urn:uuid:" U3);
	assert_string_equal(sget(item, "url"), "https://n.example/blogs/summit/entries/" U3);
	assert_string_equal(sget(item, "date_modified"), "2026-11-29T07:40:12.345Z");
	assert_non_null(strstr(sget(item, "content_html"), "<p>Line one<br>Line two &lt;b&gt;&amp;amp;&lt;/b&gt;</p><ul>"));
	json_decref(feed);
	free(doc);
	json_decref(fr);
	json_decref(entries);
}

/* www/blog.html's translated lines, as they are there. */
static const char TPL_I18N[] =
	"<!doctype html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<title>Liveblog</title>\n"
	"</head>\n"
	"<body>\n"
	"<a class=\"skip-link\" href=\"#stream\" data-i18n=\"skip\">Skip to updates</a>\n"
	"<h1 id=\"blog-title\"></h1>\n"
	"<span id=\"state-badge\" class=\"badge\" hidden></span>\n"
	"<main id=\"main\" class=\"wrap\">\n"
	"<p id=\"ended-banner\" class=\"ended-banner\" hidden>The liveblog has ended.</p>\n"
	"<h2 id=\"key-heading\" class=\"section-heading\" data-i18n=\"key_events\">Key events</h2>\n"
	"<h2 id=\"stream-heading\" class=\"section-heading\" data-i18n=\"latest\">Latest updates</h2>\n"
	"<p id=\"empty\" class=\"empty\" hidden>No liveblog updates yet.</p>\n"
	"<span data-i18n=\"no-such-key\">Kept as is</span><b data-i18n=\"x\" class=\"late\">Attribute not last</b>\n"
	"<ol id=\"entries\" class=\"entries\"></ol>\n"
	"</main>\n"
	"</body>\n"
	"</html>\n";

/* SPEC "Languages": a French blog's page speaks French, <html lang="fr">. */
static void test_french_page(void **state)
{
	struct lb_blog b;
	json_t *entries = three_entries(), *fr = i18n_catalog(NULL, "fr");
	struct page_view v = { .blog = &b, .entries = entries, .seq = "1-0", .strings = fr };
	char *html;

	(void)state;
	blog_init(&b, false);
	strcpy(b.lang, "fr");
	html = render_tpl(TPL_I18N, sizeof(TPL_I18N) - 1, &v);
	assert_non_null(strstr(html, "<html lang=\"fr\">"));
	assert_null(strstr(html, "lang=\"en\""));
	assert_non_null(strstr(html, "<span id=\"state-badge\" class=\"badge badge-live\">EN DIRECT</span>"));
	assert_non_null(strstr(html, "data-i18n=\"skip\">Aller aux mises \xc3\xa0 jour</a>"));
	assert_non_null(strstr(html, "data-i18n=\"key_events\">\xc3\x89v\xc3\xa9nements cl\xc3\xa9s</h2>"));
	assert_non_null(strstr(html, "data-i18n=\"latest\">Derni\xc3\xa8res mises \xc3\xa0 jour</h2>"));
	assert_non_null(strstr(html, "<p id=\"empty\" class=\"empty\" hidden>Aucune mise \xc3\xa0 jour pour le moment.</p>"));
	assert_non_null(strstr(html, "<p id=\"ended-banner\" class=\"ended-banner\" hidden>Le direct est termin\xc3\xa9.</p>"));
	assert_non_null(strstr(html, "data-i18n=\"no-such-key\">Kept as is</span>"));
	assert_non_null(strstr(html, "class=\"late\">Attribute not last</b>"));
	/* the entry markup's own words */
	assert_non_null(strstr(html, "<span class=\"entry-key-badge\">\xc3\x89v\xc3\xa9nement cl\xc3\xa9</span>"));
	assert_non_null(strstr(html, "<span class=\"entry-updated\">mis \xc3\xa0 jour <time"));
	assert_non_null(strstr(html, "title=\"Lien permanent vers cette mise \xc3\xa0 jour\">"));
	/* the catalog for the script, before </head> */
	assert_non_null(strstr(html, "<script type=\"application/json\" id=\"lb-i18n\">{"));
	assert_true(strstr(html, "id=\"lb-i18n\"") < strstr(html, "</head>"));
	free(html);
	blog_init(&b, true);
	strcpy(b.lang, "fr");
	html = render_tpl(TPL_I18N, sizeof(TPL_I18N) - 1, &v);
	assert_non_null(strstr(html, "<span id=\"state-badge\" class=\"badge badge-ended\">TERMIN\xc3\x89</span>"));
	assert_non_null(strstr(html, "<p id=\"ended-banner\" class=\"ended-banner\">Le direct est termin\xc3\xa9.</p>"));
	free(html);
	json_decref(fr);
	json_decref(entries);
}

/* A catalog's words are text: escaped in HTML, unable to end the JSON script. */
static void test_catalog_is_text(void **state)
{
	struct lb_blog b;
	json_t *entries = json_array();
	json_t *cat = json_pack("{s:s,s:s}", "latest", "<b>&</b>",
				"empty", "</script><script>alert(1)</script>");
	struct page_view v = { .blog = &b, .entries = entries, .seq = "", .strings = cat };
	char *html;

	(void)state;
	blog_init(&b, false);
	html = render_tpl(TPL_I18N, sizeof(TPL_I18N) - 1, &v);
	assert_non_null(strstr(html, ">&lt;b&gt;&amp;&lt;/b&gt;</h2>"));
	assert_non_null(strstr(html, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>"));
	assert_non_null(strstr(html, "\\u003c/script>\\u003cscript>"));
	assert_null(strstr(html, "<script>alert"));
	/* a blog older than lang: the default language */
	assert_non_null(strstr(html, "<html lang=\"en\">"));
	free(html);
	json_decref(cat);
	json_decref(entries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_special_character),
		cmocka_unit_test(test_escape_respects_length),
		cmocka_unit_test(test_live_page_head_title_badge_main),
		cmocka_unit_test(test_entries_exact_markup),
		cmocka_unit_test(test_text_paragraphs_and_bullets),
		cmocka_unit_test(test_text_crlf_and_cr),
		cmocka_unit_test(test_text_is_never_html),
		cmocka_unit_test(test_json_ld_live),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_json_ld_image),
		cmocka_unit_test(test_ended_page),
		cmocka_unit_test(test_empty_live_page),
		cmocka_unit_test(test_empty_ended_page),
		cmocka_unit_test(test_hostile_blog_title),
		cmocka_unit_test(test_template_without_markers),
		cmocka_unit_test(test_french_page),
		cmocka_unit_test(test_headline),
		cmocka_unit_test(test_long_blog),
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_json_ld_fields),
		cmocka_unit_test(test_entry_page),
		cmocka_unit_test(test_empty_description),
		cmocka_unit_test(test_catalog_is_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
