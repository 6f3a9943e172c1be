/*
 * b64.c — base64 of pictures (see b64.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "b64.h"

char *b64_encode(const void *data, size_t len)
{
	/* lws wants room past the padded text and its NUL */
	size_t size = (len + 2) / 3 * 4 + 4;
	char *out = len <= INT_MAX / 2 ? malloc(size) : NULL;

	if (out && lws_b64_encode_string(data, (int)len, out, (int)size) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

unsigned char *b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), size = n / 4 * 3 + 4;   /* lws wants room past the bytes */
	char *out = n % 4 || n > INT_MAX / 2 ? NULL : malloc(size), *again = NULL;
	int got = out ? lws_b64_decode_string_len(s, (int)n, out, (int)size) : -1;

	/* lws skips what it does not know: only what encodes back to s */
	if (got < 0 || !(again = b64_encode(out, (size_t)got)) || strcmp(again, s)) {
		free(out);
		out = NULL;
	}
	free(again);
	*len = out ? (size_t)got : 0;
	return (unsigned char *)out;
}
