/*
 * text.c — UTF-8, slugs, UUIDs, stream ids and RFC 3339 times.
 */
#include "common/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Returns true when s[0..len) is well-formed UTF-8 (RFC 3629): no overlong
 * forms, no surrogates, nothing above U+10FFFF.
 */
bool text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p;
		size_t n;
		unsigned cp, min;

		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* Length of the valid UTF-8 sequence starting at p (0: none). */
static size_t utf8_seq_len(const char *p, size_t left)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		   (c & 0xf8) == 0xf0 ? 4 : 0;

	return n && n <= left && text_utf8_valid(p, n) ? n : 0;
}

void text_utf8_sanitize(char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len; ) {
		size_t n = utf8_seq_len(s + i, len - i);

		if (!n) {
			s[i++] = '?';
			continue;
		}
		i += n;
	}
}

/* A blog id: [a-z0-9][a-z0-9-]{0,63}. */
bool text_slug_valid(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 64 || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/* A lower- or upper-case UUID in its 36-character text form. */
bool text_uuid_valid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' : !((c >= '0' && c <= '9') ||
					(c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool text_seq_parse(const char *s, struct lb_seq *out)
{
	const char *dash = strchr(s, '-');

	if (!dash) {
		out->n = 0;
		return parse_u64(s, strlen(s), &out->ms);
	}
	return parse_u64(s, (size_t)(dash - s), &out->ms) &&
	       parse_u64(dash + 1, strlen(dash + 1), &out->n);
}

int text_seq_cmp(const struct lb_seq *a, const struct lb_seq *b)
{
	if (a->ms != b->ms)
		return a->ms < b->ms ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return 0;
}

int text_seq_cmp_str(const char *a, const char *b)
{
	struct lb_seq x = { 0, 0 }, y = { 0, 0 };

	text_seq_parse(a, &x);
	text_seq_parse(b, &y);
	return text_seq_cmp(&x, &y);
}

void text_seq_format(const struct lb_seq *s, char out[44])
{
	snprintf(out, 44, "%" PRIu64 "-%" PRIu64, s->ms, s->n);
}

void text_rfc3339(uint64_t ms, char out[32])
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	char buf[96];

	gmtime_r(&secs, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000));
	buf[24] = '\0'; /* years past 9999 are cut, never overflow */
	memcpy(out, buf, 25);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)" into ms since the
 * epoch. Returns false (out unchanged) on anything else.
 */
bool text_rfc3339_parse(const char *s, uint64_t *ms)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, sign = 0;
	const char *p = s + 19;
	time_t t;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &sec))
		return false;
	if (*p == '.') {
		int scale = 100;

		if (p[1] < '0' || p[1] > '9')
			return false;   /* a fraction needs a digit */
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += scale * (*p - '0');
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (strlen(p) != 6 || p[3] != ':' || !digits(p + 1, 2, &oh) ||
		    !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		p += 6;
	} else {
		return false;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || y < 1970)
		return false;
	tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
	/* a leap second (:60) is checked as :59, then counted */
	tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec == 60 ? 59 : sec;
	t = timegm(&tm) + (sec == 60);
	/* timegm() moves Feb 30 to March: a date that moved did not exist */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return false;
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0)
		return false;
	*ms = (uint64_t)t * 1000 + (uint64_t)(frac < 0 ? 0 : frac);
	return true;
}

void text_hex(const unsigned char *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * len] = '\0';
}
