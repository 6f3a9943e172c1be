/*
 * fuzz_pmd.c — src/push/pmd.c on arbitrary bytes. The first byte picks:
 *   0: the rest (cut at its first NUL) is a Sec-WebSocket-Extensions
 *      header: pmd_negotiate answers 0 with exactly our parameters (plus
 *      server_max_window_bits=15 only when the header names it) or -1 with
 *      "", and only takes a header that names permessage-deflate;
 *   1: the rest is what a reader sent compressed: pmd_inflate gives at
 *      most cap bytes (cap from the second byte) or -1 / -2, never more;
 *   2: the rest is a text: compressed (when that saves bytes) and inflated
 *      back it is the same text; with a cap one byte short it is -2.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "push/pmd.h"

static void negotiate(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), params[128];
	int r;

	CHECK(s);
	memcpy(s, data, size);
	s[size] = '\0';
	memset(params, 'x', sizeof(params));
	r = pmd_negotiate(s, params, sizeof(params));
	CHECK(r == 0 || r == -1);
	if (r) {
		CHECK(!params[0]);
	} else {
		CHECK(strstr(s, "permessage-deflate"));
		CHECK(!strcmp(params, PMD_PARAMS) ||
		      (!strcmp(params, PMD_PARAMS "; server_max_window_bits=15") &&
		       strstr(s, "server_max_window_bits")));
	}
	free(s);
}

static void inflate_any(const uint8_t *data, size_t size)
{
	size_t cap = size ? (size_t)data[0] * 16 : 0;
	long n;
	const unsigned char *t = pmd_inflate(size ? data + 1 : data, size ? size - 1 : 0, cap, &n);

	CHECK(n >= -2 && n <= (long)cap);
	CHECK((n >= 0) == (t != NULL));
}

static void round_trip(const uint8_t *data, size_t size)
{
	size_t zlen;
	const unsigned char *z = pmd_deflate(data, size, &zlen);
	unsigned char *copy;
	long n;
	const unsigned char *t;

	if (!z)
		return;
	CHECK(zlen < size);
	copy = malloc(zlen ? zlen : 1);
	CHECK(copy);
	memcpy(copy, z, zlen);   /* z is the deflater's buffer: keep it apart */
	t = pmd_inflate(copy, zlen, size, &n);
	CHECK(t && n == (long)size && !memcmp(t, data, size));
	t = pmd_inflate(copy, zlen, size - 1, &n);
	CHECK(!t && n == -2);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		negotiate(data + 1, strnlen((const char *)data + 1, size - 1));
		break;
	case 1:
		inflate_any(data + 1, size - 1);
		break;
	default:
		round_trip(data + 1, size - 1);
		break;
	}
	return 0;
}
