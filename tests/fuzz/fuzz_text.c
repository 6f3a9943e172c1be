/*
 * fuzz_text.c — the string helpers of src/common/text.c on arbitrary bytes,
 * each against an independent reference or a round trip:
 *   - text_utf8_valid against a decoder written from the Unicode table of
 *     well-formed byte sequences (Table 3-7), on the raw bytes;
 *   - text_slug_valid and text_uuid_valid against plain re-statements of
 *     [a-z0-9][a-z0-9-]{0,63} and 8-4-4-4-12 hex digits;
 *   - text_seq_parse: accepted ids format and re-parse to the same value,
 *     and agree with the CLI's own parser (reply_seq_valid, reply_seq_cmp);
 *   - text_rfc3339_parse: an accepted time formats (text_rfc3339) and
 *     re-parses to the same milliseconds (when its UTC year has 4 digits),
 *     and follows RFC 3339 section 5.6/5.7: a real calendar day, an
 *     offset of at most 23:59, at least one digit after a '.'; a rejected
 *     one leaves *ms unchanged;
 *   - text_rfc3339 of the first 8 bytes read as milliseconds re-parses.
 * Strings are NUL-terminated copies of the input (cut at its first NUL).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "common/text.h"
#include "reply.h"


/* 10000-01-01T00:00:00Z: the first time "YYYY-MM-DD..." cannot show. */
#define MS_YEAR_10000 UINT64_C(253402300800000)

/* ---- references ---- */

/*
 * Well-formed UTF-8 per The Unicode Standard, Table 3-7: for each lead byte
 * range, the number of bytes and the allowed range of the second byte (the
 * third and fourth are always 80..BF).
 */
static int ref_utf8_valid(const unsigned char *s, size_t len)
{
	static const struct { unsigned char lo, hi, n, lo2, hi2; } rows[] = {
		{ 0x00, 0x7f, 1, 0, 0 },       { 0xc2, 0xdf, 2, 0x80, 0xbf },
		{ 0xe0, 0xe0, 3, 0xa0, 0xbf }, { 0xe1, 0xec, 3, 0x80, 0xbf },
		{ 0xed, 0xed, 3, 0x80, 0x9f }, { 0xee, 0xef, 3, 0x80, 0xbf },
		{ 0xf0, 0xf0, 4, 0x90, 0xbf }, { 0xf1, 0xf3, 4, 0x80, 0xbf },
		{ 0xf4, 0xf4, 4, 0x80, 0x8f },
	};
	size_t i = 0;

	while (i < len) {
		size_t r, k;

		for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
			if (s[i] >= rows[r].lo && s[i] <= rows[r].hi)
				break;
		if (r == sizeof(rows) / sizeof(rows[0]) || len - i < rows[r].n)
			return 0;
		if (rows[r].n > 1 &&
		    (s[i + 1] < rows[r].lo2 || s[i + 1] > rows[r].hi2))
			return 0;
		for (k = 2; k < rows[r].n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += rows[r].n;
	}
	return 1;
}

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int ref_slug_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || !lower_alnum(s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int ref_uuid_valid(const char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	const char *p = s;

	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, p++)
			if (!hex_digit(*p))
				return 0;
		if (g < 4 && *p++ != '-')
			return 0;
	}
	return *p == '\0';
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* ---- checks ---- */

static void check_utf8(const uint8_t *data, size_t size, const char *s)
{
	CHECK(text_utf8_valid((const char *)data, size) ==
	      (ref_utf8_valid(data, size) != 0));
	CHECK(text_utf8_valid(s, strlen(s)) ==
	      (ref_utf8_valid((const unsigned char *)s, strlen(s)) != 0));
}

static void check_ids(const char *s)
{
	CHECK(text_slug_valid(s) == (ref_slug_valid(s) != 0));
	CHECK(text_uuid_valid(s) == (ref_uuid_valid(s) != 0));
}

static void check_seq(const char *s)
{
	struct lb_seq a, b;
	char out[44];

	memset(&a, 0, sizeof(a));
	if (!text_seq_parse(s, &a)) {
		CHECK(!reply_seq_valid(s));
		return;
	}
	CHECK(reply_seq_valid(s));
	text_seq_format(&a, out);
	CHECK(strlen(out) < sizeof(out) - 1);
	CHECK(text_seq_parse(out, &b));
	CHECK(a.ms == b.ms && a.n == b.n);
	CHECK(text_seq_cmp(&a, &b) == 0);
	CHECK(text_seq_cmp_str(s, out) == 0);
	CHECK(reply_seq_cmp(s, out) == 0);
}

/* Two ids split at the first space: both orders agree everywhere. */
static void check_seq_cmp(const char *s)
{
	const char *sp = strchr(s, ' ');
	char *a;
	const char *b;
	struct lb_seq x, y;
	int c;

	if (!sp)
		return;
	a = strndup(s, (size_t)(sp - s));
	CHECK(a != NULL);
	b = sp + 1;
	if (text_seq_parse(a, &x) && text_seq_parse(b, &y)) {
		c = text_seq_cmp(&x, &y);
		CHECK(c == -text_seq_cmp(&y, &x));
		CHECK(sign(text_seq_cmp_str(a, b)) == c);
		CHECK(sign(reply_seq_cmp(a, b)) == c);
		CHECK(sign(reply_seq_cmp(b, a)) == -c);
		CHECK((c == 0) == (x.ms == y.ms && x.n == y.n));
	}
	free(a);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static void check_rfc3339(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t ms = UINT64_C(0x5a5a5a5a5a5a5a5a), back = 0;
	char out[32];
	const char *tz;
	int y, mo;

	if (!text_rfc3339_parse(s, &ms)) {
		CHECK(ms == UINT64_C(0x5a5a5a5a5a5a5a5a)); /* "out unchanged" */
		return;
	}
	/* Accepted: "YYYY-MM-DDTHH:MM:SS", so these digits are there. */
	y = num(s, 4);
	mo = num(s + 5, 2);
	CHECK(mo >= 1 && mo <= 12);
	CHECK(num(s + 8, 2) >= 1 &&
	      num(s + 8, 2) <= mdays[mo - 1] + (mo == 2 && leap(y)));
	if (s[19] == '.')
		CHECK(s[20] >= '0' && s[20] <= '9'); /* time-secfrac: 1*DIGIT */
	tz = s + strlen(s) - 1;
	if (*tz != 'Z' && *tz != 'z') {
		tz = s + strlen(s) - 6;
		CHECK(num(tz + 1, 2) <= 23 && num(tz + 4, 2) <= 59);
	}
	if (ms >= MS_YEAR_10000)
		return; /* valid input whose UTC year has five digits */
	text_rfc3339(ms, out);
	CHECK(strlen(out) == 24);
	CHECK(text_rfc3339_parse(out, &back));
	CHECK(back == ms);
}

static void check_format(const uint8_t *data, size_t size)
{
	uint64_t ms = 0, back = 0;
	char out[32];

	if (size < 8)
		return;
	memcpy(&ms, data, 8);
	text_rfc3339(ms, out); /* any value: must not overflow out */
	CHECK(strlen(out) == 24);
	ms %= MS_YEAR_10000;
	text_rfc3339(ms, out);
	CHECK(text_rfc3339_parse(out, &back));
	CHECK(back == ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	check_utf8(data, size, s);
	check_ids(s);
	check_seq(s);
	check_seq_cmp(s);
	check_rfc3339(s);
	check_format(data, size);
	free(s);
	return 0;
}
