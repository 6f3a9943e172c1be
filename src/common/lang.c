/*
 * lang.c — BCP 47 language tags (see lang.h).
 */
#include <string.h>

#include "common/lang.h"

/* Where the subtags read so far leave the tag (RFC 5646 2.1, in order). */
enum part {
	P_LANG, P_EXTLANG, P_SCRIPT, P_REGION, P_VARIANT,
	P_EXT_SINGLETON, P_EXT, P_PRIVATE_SINGLETON, P_PRIVATE,
	P_BAD
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool all(const char *s, size_t n, bool (*ok)(char))
{
	for (size_t i = 0; i < n; i++)
		if (!ok(s[i]))
			return false;
	return true;
}

/* A singleton: "x" opens the private use, any other an extension. */
static enum part singleton(char c)
{
	return c == 'x' || c == 'X' ? P_PRIVATE_SINGLETON : P_EXT_SINGLETON;
}

/*
 * The part of subtag s[0..n) (1..8 characters) after part `at`, or P_BAD.
 * short_lang: the language subtag had 2-3 letters (extlangs may follow).
 */
static enum part next(enum part at, const char *s, size_t n, bool short_lang,
		      int *extlangs)
{
	bool alpha = all(s, n, is_alpha), alnum = all(s, n, is_alnum);

	if (!alnum)
		return P_BAD;
	if (at == P_PRIVATE_SINGLETON || at == P_PRIVATE)
		return P_PRIVATE;
	if (at == P_EXT_SINGLETON)
		return n >= 2 ? P_EXT : P_BAD;
	if (n == 1)
		return at == P_EXT || at <= P_VARIANT ? singleton(s[0]) : P_BAD;
	if (at == P_EXT)
		return P_EXT;
	if (n == 3 && alpha && at <= P_EXTLANG && short_lang && *extlangs < 3) {
		(*extlangs)++;
		return P_EXTLANG;
	}
	if (n == 4 && alpha && at <= P_EXTLANG)
		return P_SCRIPT;
	if (((n == 2 && alpha) || (n == 3 && all(s, n, is_digit))) && at <= P_SCRIPT)
		return P_REGION;
	if (n >= 5 || (n == 4 && is_digit(s[0])))
		return P_VARIANT;
	return P_BAD;
}

/* Writes subtag s[0..n) in the case of its part. */
static void put_case(char *out, const char *s, size_t n, enum part p)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool upper = p == P_REGION || (p == P_SCRIPT && i == 0);

		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		out[i] = c;
	}
}

bool lang_parse(const char *s, size_t len, char out[LANG_MAX])
{
	enum part at = P_LANG;
	bool short_lang = false;
	int extlangs = 0;

	out[0] = '\0';
	if (!s || !len || len >= LANG_MAX)
		return false;
	for (size_t pos = 0; pos < len + 1; ) {
		const char *sub = s + pos, *dash = memchr(sub, '-', len - pos);
		size_t n = dash ? (size_t)(dash - sub) : len - pos;

		if (!n || n > 8)
			goto out_bad;
		if (!pos && (n < 2 || !all(sub, n, is_alpha)))
			goto out_bad;
		if (!pos)
			short_lang = n <= 3;
		else if ((at = next(at, sub, n, short_lang, &extlangs)) == P_BAD)
			goto out_bad;
		put_case(out + pos, sub, n, at);
		out[pos + n] = dash ? '-' : '\0';
		pos += n + 1;
	}
	if (at == P_EXT_SINGLETON || at == P_PRIVATE_SINGLETON)
		goto out_bad;
	return true;
out_bad:
	out[0] = '\0';
	return false;
}

bool lang_primary(const char *tag, char out[LANG_MAX])
{
	size_t n = strcspn(tag, "-");

	if (!tag[n] || n >= LANG_MAX)
		return false;
	memcpy(out, tag, n);
	out[n] = '\0';
	return true;
}
