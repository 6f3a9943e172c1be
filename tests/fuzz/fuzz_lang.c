/*
 * fuzz_lang.c — lang_parse (src/common/lang.c), the BCP 47 check of a
 * blog's "lang", on arbitrary bytes. Invariants:
 *   - refused: out is the empty string;
 *   - accepted: the input had 2..35 bytes of letters, digits and '-', out
 *     has the same length and the same letters ignoring case, and parsing
 *     out again gives out (the canonical case is a fixed point);
 *   - lang_primary of an accepted tag is its first subtag, letters only.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

#include "common/lang.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char out[LANG_MAX], again[LANG_MAX], primary[LANG_MAX];

	memset(out, 'Z', sizeof(out));
	if (!lang_parse(s, size, out)) {
		CHECK(out[0] == '\0');
		return 0;
	}
	CHECK(size >= 2 && size < LANG_MAX);
	CHECK(strlen(out) == size);
	for (size_t i = 0; i < size; i++) {
		CHECK(lower((unsigned char)s[i]) == lower((unsigned char)out[i]));
		CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			     "0123456789-", out[i]) != NULL);
	}
	CHECK(lang_parse(out, size, again));
	CHECK(!strcmp(again, out));
	if (lang_primary(out, primary)) {
		CHECK(strlen(primary) >= 2 && strlen(primary) <= 8);
		CHECK(!strncmp(primary, out, strlen(primary)) && out[strlen(primary)] == '-');
	} else {
		CHECK(!strchr(out, '-'));
	}
	return 0;
}
