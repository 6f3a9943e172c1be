/*
 * fuzz_linkify.c — the links of entry text (src/common/linkify.c) and the
 * HTML the pages make of it (page_text, src/http/page.c) on arbitrary bytes.
 *
 * Invariants of linkify_next over the input as one line:
 *   - links come in order, do not overlap and stay inside the input (it is
 *     not NUL-terminated: ASan sees any read past it);
 *   - each starts with http:// or https:// (any case), not after an ASCII
 *     letter or digit, is at most LINKIFY_MAX bytes, holds no ASCII space,
 *     control or < > " ` { } | \ ^, does not end in . , ; : ! ? ' * and
 *     has something after "://";
 *   - a link found from an offset inside another link's scheme or later is
 *     never one that starts before that offset.
 * Invariants of page_text over the input as a whole text:
 *   - with the markup it may write taken out (<p> </p> <ul> </ul> <li>
 *     </li> <br> </a> and <a href="..." rel="nofollow noopener noreferrer">),
 *     no '<', '>' or '"' is left: every other one was escaped, so nothing
 *     the text says becomes markup;
 *   - an href holds no '"', '<' or '>' and starts with http:// or https://.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

#include "common/linkify.h"
#include "http/page.h"

static const char *const markup[] = {
	"<p>", "</p>", "<ul>", "</ul>", "<li>", "</li>", "<br>", "</a>",
};

static void check_link(const char *s, size_t len, size_t a, size_t b)
{
	size_t n = !strncasecmp(s + a, "https://", 8) ? 8 : 7;

	CHECK(a < b && b <= len && b - a <= LINKIFY_MAX);
	CHECK(!strncasecmp(s + a, "http://", 7) || !strncasecmp(s + a, "https://", 8));
	CHECK(b - a > n);
	CHECK(!a || !((s[a - 1] >= '0' && s[a - 1] <= '9') || ((s[a - 1] | 0x20) >= 'a' &&
							       (s[a - 1] | 0x20) <= 'z')));
	for (size_t i = a; i < b; i++)
		CHECK((unsigned char)s[i] > 0x20 && s[i] != 0x7f && !memchr("<>\"`{}|\\^", s[i], 9));
	CHECK(!memchr(".,;:!?'*", s[b - 1], 8));
}

static void check_links(const char *s, size_t len)
{
	size_t at = 0, a, b, prev_end = 0;

	while (linkify_next(s, len, at, &a, &b)) {
		check_link(s, len, a, b);
		CHECK(a >= prev_end);
		prev_end = at = b;
	}
	/* from a later offset, never a link that started before it */
	for (size_t from = 1; from < len && from < 64; from += 7)
		if (linkify_next(s, len, from, &a, &b))
			CHECK(a >= from);
}

/* Length of the markup page_text may write at p, or 0. */
static size_t markup_at(const char *p)
{
	static const char open[] = "<a href=\"", rel[] = "\" rel=\"nofollow noopener noreferrer\">";
	const char *q;

	for (size_t i = 0; i < sizeof(markup) / sizeof(markup[0]); i++)
		if (!strncmp(p, markup[i], strlen(markup[i])))
			return strlen(markup[i]);
	if (strncmp(p, open, strlen(open)))
		return 0;
	q = p + strlen(open);
	CHECK(!strncasecmp(q, "http://", 7) || !strncasecmp(q, "https://", 8));
	q += strcspn(q, "\"<>");
	CHECK(!strncmp(q, rel, strlen(rel)));
	return (size_t)(q - p) + strlen(rel);
}

static void check_html(const char *text)
{
	char *buf = NULL;
	size_t len = 0, n;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	page_text(f, text);
	CHECK(!fclose(f));
	for (const char *p = buf; *p; p++) {
		if (*p == '<' && (n = markup_at(p))) {
			p += n - 1;
			continue;
		}
		CHECK(*p != '<' && *p != '>' && *p != '"');
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1), *text = malloc(size + 1);

	CHECK(line && text);
	memcpy(line, data, size);
	check_links(line, size);
	memcpy(text, data, size);
	text[size] = '\0';
	check_html(text);
	free(line);
	free(text);
	return 0;
}
