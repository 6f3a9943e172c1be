/*
 * linkify.c — links in a line of entry text (see linkify.h for the rules).
 */
#include <string.h>
#include <strings.h>

#include "common/linkify.h"

static bool ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Rule 1: bytes of "http://" or "https://" at s[i] (any case), else 0. */
static size_t scheme_at(const char *s, size_t len, size_t i)
{
	static const char *const schemes[] = { "https://", "http://" };

	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(schemes[k]);

		if (len - i >= n && !strncasecmp(s + i, schemes[k], n))
			return n;
	}
	return 0;
}

/* Rule 2's non-ASCII stops: spaces and quotation marks. */
static bool stop_cp(unsigned cp)
{
	return cp == 0xa0 || cp == 0xab || cp == 0xbb || (cp >= 0x2000 && cp <= 0x200b) ||
	       (cp >= 0x2018 && cp <= 0x201f) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
}

/* True when s[i] begins a character that ends a link (rule 2). */
static bool stop_at(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i];

	if (c <= 0x20 || c == 0x7f)
		return true;
	if (c < 0x80)
		return memchr("<>\"`{}|\\^", c, 9) != NULL;
	/* every stop is U+00A0..U+FEFF: a two- or three-byte sequence */
	if (c >= 0xc2 && c <= 0xdf && len - i >= 2 && (s[i + 1] & 0xc0) == 0x80)
		return stop_cp((unsigned)(c & 0x1f) << 6 | (s[i + 1] & 0x3f));
	if (c >= 0xe0 && c <= 0xef && len - i >= 3 && (s[i + 1] & 0xc0) == 0x80 &&
	    (s[i + 2] & 0xc0) == 0x80)
		return stop_cp((unsigned)(c & 0x0f) << 12 | (unsigned)(s[i + 1] & 0x3f) << 6 |
			       (s[i + 2] & 0x3f));
	return false;
}

/* How many of s[start..end) are c. */
static size_t count(const char *s, size_t start, size_t end, char c)
{
	size_t n = 0;

	for (size_t i = start; i < end; i++)
		n += s[i] == c;
	return n;
}

/* Rule 3: the end of s[start..end) without its trailing punctuation. */
static size_t trim(const char *s, size_t start, size_t end)
{
	while (end > start) {
		char c = s[end - 1];

		if (memchr(".,;:!?'*", c, 8))
			end--;
		else if ((c == ')' && count(s, start, end, ')') > count(s, start, end, '(')) ||
			 (c == ']' && count(s, start, end, ']') > count(s, start, end, '[')))
			end--;
		else
			break;
	}
	return end;
}

bool linkify_next(const char *s, size_t len, size_t from, size_t *start,
		  size_t *end)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = from; i < len; i++) {
		size_t n, e;

		if ((u[i] | 0x20) != 'h' || (i && ascii_alnum(u[i - 1])) ||
		    !(n = scheme_at(s, len, i)))
			continue;
		for (e = i + n; e < len && !stop_at(u, len, e); e++)
			;
		if (e - i > LINKIFY_MAX) {   /* rule 4: no link; go on after it */
			i = e - 1;
			continue;
		}
		e = trim(s, i, e);
		if (e > i + n && (ascii_alnum(u[i + n]) || u[i + n] == '[' || u[i + n] >= 0x80)) {
			*start = i;
			*end = e;
			return true;
		}
	}
	return false;
}
