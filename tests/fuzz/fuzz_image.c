/*
 * fuzz_image.c — image_probe (src/common/image.c) on arbitrary bytes. The
 * input is the whole file, as an upload's body is; ASan sees any read past
 * its end. Invariants:
 *   - a failure gives a status other than IMAGE_OK, one sentence ending in
 *     '.', and leaves *out as it was;
 *   - a success gives one of the four types, the one whose magic the input
 *     starts with, 1..30000 pixels a side, at most 100 megapixels, an
 *     orientation of 1..8 (other than 1 only for JPEG), and the sizes the
 *     header fields say where they sit at fixed offsets (PNG IHDR, GIF
 *     screen, WebP VP8/VP8L/VP8X), swapped only by a JPEG orientation 5..8;
 *   - bytes appended after a file that succeeds change nothing (the header
 *     is all that is read), and the same input gives the same answer.
 * A PNG input is also tried with its IHDR CRC set right (see below).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz.h"

#include "common/image.h"

static const struct image_info untouched = { "untouched", 7, 8, 9 };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const uint8_t *p)
{
	return (uint32_t)p[2] << 16 | le16(p);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | le24(p);
}

static int same(const struct image_info *a, const struct image_info *b)
{
	return a->type == b->type && a->width == b->width &&
	       a->height == b->height && a->orientation == b->orientation;
}

/* The type named by the input's first bytes, or NULL. */
static const char *magic_type(const uint8_t *d, size_t n)
{
	if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
		return "image/gif";
	return NULL;
}

/* The sizes at fixed offsets of the formats that have them. */
static void check_fields(const uint8_t *d, size_t n, const struct image_info *in)
{
	uint32_t w = in->width, h = in->height;

	if (strcmp(in->type, "image/png") == 0) {
		CHECK(n >= 33 && w == be32(d + 16) && h == be32(d + 20));
	} else if (strcmp(in->type, "image/gif") == 0) {
		CHECK(n >= 13 && w == le16(d + 6) && h == le16(d + 8));
	} else if (strcmp(in->type, "image/webp") == 0) {
		CHECK(n >= 25 && 8 + (size_t)le32(d + 4) <= n);
		if (memcmp(d + 12, "VP8 ", 4) == 0)
			CHECK(n >= 30 && w == (le16(d + 26) & 0x3fff) &&
			      h == (le16(d + 28) & 0x3fff));
		else if (memcmp(d + 12, "VP8L", 4) == 0)
			CHECK(w == (le16(d + 21) & 0x3fff) + 1 &&
			      h == ((le24(d + 22) >> 6) & 0x3fff) + 1);
		else
			CHECK(memcmp(d + 12, "VP8X", 4) == 0 && n >= 30 &&
			      w == le24(d + 24) + 1 && h == le24(d + 27) + 1);
	}
}

static void check_ok(const uint8_t *d, size_t n, const struct image_info *in)
{
	const char *t = magic_type(d, n);

	CHECK(t != NULL && strcmp(in->type, t) == 0);
	CHECK(in->width >= 1 && in->width <= IMAGE_MAX_SIDE);
	CHECK(in->height >= 1 && in->height <= IMAGE_MAX_SIDE);
	CHECK((uint64_t)in->width * in->height <= IMAGE_MAX_PIXELS);
	CHECK(in->orientation >= 1 && in->orientation <= 8);
	CHECK(in->orientation == 1 || strcmp(in->type, "image/jpeg") == 0);
	check_fields(d, n, in);
}

/* The same bytes with 64 more after them: the same answer. */
static void check_appended(const uint8_t *d, size_t n, const struct image_info *in)
{
	uint8_t *more = malloc(n + 64);
	struct image_info again = untouched;
	const char *why = NULL;

	CHECK(more != NULL);
	memcpy(more, d, n);
	memset(more + n, n & 1 ? 0xff : 0x00, 64);
	CHECK(image_probe(more, n + 64, &again, &why) == IMAGE_OK);
	CHECK(same(&again, in));
	free(more);
}

/* All the invariants on one input. */
static void check_one(const uint8_t *data, size_t size)
{
	struct image_info info = untouched, twice = untouched;
	const char *why = NULL, *why2 = NULL;
	enum image_status st = image_probe(data, size, &info, &why);

	CHECK(image_probe(data, size, &twice, &why2) == st);
	CHECK(same(&info, &twice) && why == why2);
	if (st != IMAGE_OK) {
		CHECK(st >= IMAGE_UNKNOWN && st <= IMAGE_TOO_LARGE);
		CHECK(why != NULL && strlen(why) > 10 && why[strlen(why) - 1] == '.');
		CHECK(same(&info, &untouched));
		return;
	}
	check_ok(data, size, &info);
	check_appended(data, size, &info);
}

/*
 * A PNG input runs a second time with its IHDR CRC made right, so that the
 * checks behind the CRC (sizes, depth, colour type, methods) get reached.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uLong crc;

	check_one(data, size);
	if (size < 33 || memcmp(data, "\x89PNG\r\n\x1a\n", 8) != 0)
		return 0;
	fixed = malloc(size);
	CHECK(fixed != NULL);
	memcpy(fixed, data, size);
	crc = crc32(crc32(0L, Z_NULL, 0), fixed + 12, 17);
	fixed[29] = (uint8_t)(crc >> 24);
	fixed[30] = (uint8_t)(crc >> 16);
	fixed[31] = (uint8_t)(crc >> 8);
	fixed[32] = (uint8_t)crc;
	check_one(fixed, size);
	free(fixed);
	return 0;
}
