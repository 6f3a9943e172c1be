/*
 * test_image.c — src/common/image.c: type, width and height from the bytes
 * of JPEG, PNG, WebP and GIF headers built here byte by byte (each valid
 * form, each error, each prefix of a valid header), then real files made
 * by Debian's netpbm and webp tools (tests/media/make-images.sh), checked
 * against the sizes the script asked the tools for, whole and cut short at
 * every offset of their headers.
 *
 * Every probe runs on an exact-size heap copy, so an AddressSanitizer build
 * (make test) reports any read past the end.
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
#include <sys/stat.h>
#include <zlib.h>

#include "common/image.h"

/* ---- a byte builder ------------------------------------------------- */

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

#define PUT(b, lit) put((b), (lit), sizeof(lit) - 1)

static void put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

static void put_be16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put_be32(struct buf *b, uint32_t v)
{
	put_be16(b, v >> 16);
	put_be16(b, v & 0xffff);
}

static void put_le16(struct buf *b, unsigned v)
{
	put8(b, v);
	put8(b, v >> 8);
}

static void put_le24(struct buf *b, uint32_t v)
{
	put_le16(b, v & 0xffff);
	put8(b, v >> 16);
}

static void put_le32(struct buf *b, uint32_t v)
{
	put_le16(b, v & 0xffff);
	put_le16(b, v >> 16);
}

/* ---- probing -------------------------------------------------------- */

static const struct image_info sentinel = { "untouched", 77, 88, 99 };

/* *info is as probe() set it before the call. */
static void assert_untouched(const struct image_info *info)
{
	assert_ptr_equal(info->type, sentinel.type);
	assert_int_equal(info->width, sentinel.width);
	assert_int_equal(info->height, sentinel.height);
	assert_int_equal(info->orientation, sentinel.orientation);
}

/* Probes an exact-size heap copy of p[0..n); returns status, *out, *why. */
static enum image_status probe(const void *p, size_t n, struct image_info *out,
			       const char **why)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum image_status st;

	assert_non_null(copy);
	if (n)
		memcpy(copy, p, n);
	*out = sentinel;
	*why = NULL;
	st = image_probe(copy, n, out, why);
	free(copy);
	return st;
}

static void expect_ok(const struct buf *b, const char *type, uint32_t w, uint32_t h)
{
	struct image_info info;
	const char *why;
	enum image_status st = probe(b->b, b->n, &info, &why);

	if (st != IMAGE_OK)
		fail_msg("expected %s %ux%u, got status %d: %s", type, w, h, st, why);
	assert_string_equal(info.type, type);
	assert_int_equal(info.width, w);
	assert_int_equal(info.height, h);
}

/* A failure: the status, the sentence, and *out left as it was. */
static void expect_err(const struct buf *b, enum image_status want, const char *msg)
{
	struct image_info info;
	const char *why;
	enum image_status st = probe(b->b, b->n, &info, &why);

	if (st == IMAGE_OK)
		fail_msg("expected \"%s\", got %s %ux%u", msg, info.type,
			 info.width, info.height);
	assert_int_equal(st, want);
	assert_non_null(why);
	assert_string_equal(why, msg);
	assert_untouched(&info);
}

/* Every strict prefix of b fails with a sentence and leaves *out alone. */
static void expect_prefixes_fail(const struct buf *b)
{
	for (size_t n = 0; n < b->n; n++) {
		struct image_info info;
		const char *why;
		enum image_status st = probe(b->b, n, &info, &why);

		if (st == IMAGE_OK)
			fail_msg("prefix of %zu of %zu bytes accepted as %s %ux%u",
				 n, b->n, info.type, info.width, info.height);
		assert_non_null(why);
		assert_true(strlen(why) > 10 && why[strlen(why) - 1] == '.');
		assert_untouched(&info);
	}
}

/* ---- JPEG ----------------------------------------------------------- */

#define JPEG_SHORT "The JPEG header is truncated."
#define JPEG_NO_SOF "The JPEG has no frame header (SOF) before its image data."

static void jpeg_start(struct buf *b)
{
	b->n = 0;
	PUT(b, "\xff\xd8");
	/* APP0 JFIF, 16 bytes */
	PUT(b, "\xff\xe0\x00\x10JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
}

/* SOFn with three components. */
static void jpeg_sof(struct buf *b, unsigned marker, unsigned w, unsigned h)
{
	put8(b, 0xff);
	put8(b, marker);
	put_be16(b, 8 + 3 * 3);
	put8(b, 8);
	put_be16(b, h);
	put_be16(b, w);
	put8(b, 3);
	PUT(b, "\x01\x22\x00\x02\x11\x01\x03\x11\x01");
}

/* APP1 with an EXIF IFD0 of one entry: tag, type, count, value. */
static void jpeg_exif(struct buf *b, bool le, unsigned tag, unsigned type,
		      uint32_t count, unsigned value)
{
	void (*p16)(struct buf *, unsigned) = le ? put_le16 : put_be16;
	void (*p32)(struct buf *, uint32_t) = le ? put_le32 : put_be32;

	PUT(b, "\xff\xe1");
	put_be16(b, 2 + 6 + 8 + 2 + 12 + 4);
	PUT(b, "Exif\0\0");
	if (le)
		PUT(b, "II\x2a\0");
	else
		PUT(b, "MM\0\x2a");
	p32(b, 8);
	p16(b, 1);
	p16(b, tag);
	p16(b, type);
	p32(b, count);
	p16(b, value);
	p16(b, 0);
	p32(b, 0);
}

static void test_jpeg_baseline(void **state)
{
	struct buf b;

	(void)state;
	jpeg_start(&b);
	PUT(&b, "\xff\xfe\x00\x04hi");                 /* COM */
	PUT(&b, "\xff\xdb\x00\x05\x00\x01\x02");       /* a (short) DQT */
	jpeg_sof(&b, 0xc0, 640, 360);
	expect_ok(&b, "image/jpeg", 640, 360);
	expect_prefixes_fail(&b);
	/* What follows the frame header is not read. */
	PUT(&b, "\xff\xda\x00\x02garbage");
	expect_ok(&b, "image/jpeg", 640, 360);
}

/* SOF0..SOF15 but C4 (DHT), C8 (JPG) and CC (DAC), which are segments. */
static void test_jpeg_sof_markers(void **state)
{
	struct buf b;

	(void)state;
	for (unsigned m = 0xc0; m <= 0xcf; m++) {
		jpeg_start(&b);
		jpeg_sof(&b, m, 100 + m, 7);
		if (m == 0xc4 || m == 0xc8 || m == 0xcc) {
			/* skipped by its length; the real SOF comes after it */
			jpeg_sof(&b, 0xc2, 3, 4);
			expect_ok(&b, "image/jpeg", 3, 4);
		} else {
			expect_ok(&b, "image/jpeg", 100 + m, 7);
		}
	}
}

static void test_jpeg_fill_and_standalone_markers(void **state)
{
	struct buf b;

	(void)state;
	b.n = 0;
	PUT(&b, "\xff\xd8\xff\xff\xff\xd0\xff\x01\xff\xd7");  /* fill, RST0, TEM, RST7 */
	PUT(&b, "\xff\xff\xff\xee\x00\x02");                 /* fill, empty APP14 */
	PUT(&b, "\xff\xc4\x00\x03\x00");                     /* DHT */
	PUT(&b, "\xff\xdd\x00\x04\x00\x10");                 /* DRI */
	jpeg_sof(&b, 0xc1, 1, 1);
	expect_ok(&b, "image/jpeg", 1, 1);
	expect_prefixes_fail(&b);
}

static void test_jpeg_errors(void **state)
{
	struct buf b;

	(void)state;
	jpeg_start(&b);
	PUT(&b, "\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00");
	expect_err(&b, IMAGE_MALFORMED, JPEG_NO_SOF);

	jpeg_start(&b);
	PUT(&b, "\xff\xd9");
	expect_err(&b, IMAGE_MALFORMED, "The JPEG ends before its frame header (SOF).");

	for (unsigned m = 0; m <= 0xd8; m++) {
		if (m != 0x00 && m != 0x02 && m != 0x7f && m != 0xbf && m != 0xd8)
			continue;
		jpeg_start(&b);
		put8(&b, 0xff);
		put8(&b, m);
		PUT(&b, "\x00\x04\x00\x00");
		jpeg_sof(&b, 0xc0, 8, 8);
		expect_err(&b, IMAGE_MALFORMED,
			   "The JPEG has an invalid marker before its frame header (SOF).");
	}

	jpeg_start(&b);
	PUT(&b, "\xff\xe1\x00\x01");
	jpeg_sof(&b, 0xc0, 8, 8);
	expect_err(&b, IMAGE_MALFORMED, "The JPEG has a segment with an invalid length.");

	jpeg_start(&b);
	PUT(&b, "\xff\xe1\xff\xff" "abc");
	expect_err(&b, IMAGE_TRUNCATED, JPEG_SHORT);

	jpeg_start(&b);
	PUT(&b, "\xff\xfe\x00\x04hi!");   /* a COM one byte longer than it says */
	jpeg_sof(&b, 0xc0, 8, 8);
	expect_err(&b, IMAGE_MALFORMED,
		   "The JPEG has data where a marker should be, before its frame header (SOF).");

	jpeg_start(&b);
	expect_err(&b, IMAGE_TRUNCATED, JPEG_SHORT);
	PUT(&b, "\xff\xff\xff");
	expect_err(&b, IMAGE_TRUNCATED, JPEG_SHORT);
}

static void test_jpeg_sof_errors(void **state)
{
	struct buf b;

	(void)state;
	jpeg_start(&b);
	PUT(&b, "\xff\xc0\x00\x0a\x08\x00\x10\x00\x10\x01\x01\x11"); /* Nf 1, length 10 */
	expect_err(&b, IMAGE_MALFORMED, "The JPEG frame header (SOF) is malformed.");

	jpeg_start(&b);
	PUT(&b, "\xff\xc0\x00\x08\x08\x00\x10\x00\x10\x00");         /* Nf 0 */
	expect_err(&b, IMAGE_MALFORMED, "The JPEG frame header (SOF) is malformed.");

	jpeg_start(&b);
	PUT(&b, "\xff\xc0\x00\x07\x08\x00\x10\x00\x10");             /* too short for Nf */
	expect_err(&b, IMAGE_MALFORMED, "The JPEG frame header (SOF) is malformed.");

	jpeg_start(&b);
	PUT(&b, "\xff\xc0\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00"); /* Nf 1: valid */
	expect_ok(&b, "image/jpeg", 16, 16);
	b.n--;
	expect_err(&b, IMAGE_TRUNCATED, JPEG_SHORT);

	jpeg_start(&b);
	jpeg_sof(&b, 0xc0, 0, 10);
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels wide.");
	jpeg_start(&b);
	jpeg_sof(&b, 0xc0, 10, 0);   /* height from a DNL marker: not supported */
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels high.");
	jpeg_start(&b);
	jpeg_sof(&b, 0xc0, 65535, 1);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 30000 on a side.");
}

/* Orientations 5..8 turn the picture a quarter: width and height swap. */
static void test_jpeg_exif_orientation(void **state)
{
	struct image_info info;
	const char *why;
	struct buf b;

	(void)state;
	for (unsigned o = 1; o <= 8; o++) {
		for (int le = 0; le <= 1; le++) {
			jpeg_start(&b);
			jpeg_exif(&b, le, 0x0112, 3, 1, o);
			jpeg_sof(&b, 0xc0, 640, 360);
			assert_int_equal(probe(b.b, b.n, &info, &why), IMAGE_OK);
			assert_int_equal(info.orientation, o);
			assert_int_equal(info.width, o >= 5 ? 360 : 640);
			assert_int_equal(info.height, o >= 5 ? 640 : 360);
			expect_prefixes_fail(&b);
		}
	}
}

/* A broken EXIF block is ignored (orientation 1), never an error. */
static void test_jpeg_exif_ignored(void **state)
{
	static const struct { unsigned tag, type; uint32_t count; unsigned v; } bad[] = {
		{ 0x0112, 3, 1, 9 }, { 0x0112, 3, 1, 0 }, { 0x0112, 4, 1, 6 },
		{ 0x0112, 3, 2, 6 }, { 0x0113, 3, 1, 6 },
	};
	struct image_info info;
	const char *why;
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		jpeg_start(&b);
		jpeg_exif(&b, true, bad[i].tag, bad[i].type, bad[i].count, bad[i].v);
		jpeg_sof(&b, 0xc0, 640, 360);
		assert_int_equal(probe(b.b, b.n, &info, &why), IMAGE_OK);
		assert_int_equal(info.orientation, 1);
		assert_int_equal(info.width, 640);
	}
	/* IFD0 offset past the block; an entry count far beyond it. */
	jpeg_start(&b);
	PUT(&b, "\xff\xe1\x00\x12" "Exif\0\0" "MM\0\x2a\xff\xff\xff\xf0" "\x00\x01");
	jpeg_sof(&b, 0xc0, 640, 360);
	expect_ok(&b, "image/jpeg", 640, 360);
	jpeg_start(&b);
	PUT(&b, "\xff\xe1\x00\x16" "Exif\0\0" "II\x2a\0\x08\0\0\0" "\xff\xff\x12\x01\x03\0");
	jpeg_sof(&b, 0xc0, 640, 360);
	expect_ok(&b, "image/jpeg", 640, 360);
	/*
	 * Two entries declared, the second cut by the end of the block, which
	 * is the end of the file: the entry is not read (ASan would see it).
	 */
	jpeg_start(&b);
	PUT(&b, "\xff\xe1\x00\x22" "Exif\0\0" "II\x2a\0\x08\0\0\0" "\x02\0"
		"\x00\x01\x03\0\x01\0\0\0\x05\0\0\0" "\x12\x01\x03\0");
	expect_err(&b, IMAGE_TRUNCATED, JPEG_SHORT);
	/* Not "Exif\0\0" (an XMP APP1): ignored. */
	jpeg_start(&b);
	PUT(&b, "\xff\xe1\x00\x20" "http://ns.adobe.com/xap/1.0/\0\0");
	jpeg_sof(&b, 0xc0, 640, 360);
	expect_ok(&b, "image/jpeg", 640, 360);
}

/* ---- PNG ------------------------------------------------------------ */

#define PNG_SHORT "The PNG header is truncated."

/* Signature and IHDR; crc_delta != 0 spoils the checksum. */
static void png_header(struct buf *b, uint32_t w, uint32_t h, unsigned depth,
		       unsigned colour, const uint8_t methods[3], uint32_t crc_delta)
{
	b->n = 0;
	PUT(b, "\x89PNG\r\n\x1a\n");
	put_be32(b, 13);
	PUT(b, "IHDR");
	put_be32(b, w);
	put_be32(b, h);
	put8(b, depth);
	put8(b, colour);
	put(b, methods, 3);
	put_be32(b, (uint32_t)crc32(0, b->b + 12, 17) + crc_delta);
}

static const uint8_t png_methods[3] = { 0, 0, 0 };

static void test_png_valid(void **state)
{
	static const uint8_t interlaced[3] = { 0, 0, 1 };
	/* The first 33 bytes of a 1x1 PNG made by pnmtopng: the CRC is pinned. */
	static const char netpbm_1x1[] =
		"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x01\x03\0\0\0\x25\xdb\x56\xca";
	struct buf b;

	(void)state;
	png_header(&b, 640, 360, 8, 2, png_methods, 0);
	expect_ok(&b, "image/png", 640, 360);
	expect_prefixes_fail(&b);
	PUT(&b, "\0\0\0\0IEND\xae\x42\x60\x82");
	expect_ok(&b, "image/png", 640, 360);

	png_header(&b, 30000, 3333, 16, 6, interlaced, 0);
	expect_ok(&b, "image/png", 30000, 3333);

	b.n = 0;
	PUT(&b, netpbm_1x1);
	expect_ok(&b, "image/png", 1, 1);
	b.b[32] ^= 1;
	expect_err(&b, IMAGE_MALFORMED,
		   "The PNG header chunk (IHDR) fails its checksum (CRC): the file is damaged.");
}

static void test_png_depths(void **state)
{
	static const struct { unsigned colour, depths; } ok[] = {
		{ 0, 1 | 2 | 4 | 8 | 16 }, { 2, 8 | 16 }, { 3, 1 | 2 | 4 | 8 },
		{ 4, 8 | 16 }, { 6, 8 | 16 },
	};
	struct buf b;

	(void)state;
	for (unsigned colour = 0; colour <= 8; colour++) {
		for (unsigned depth = 0; depth <= 32; depth++) {
			bool valid = false;

			for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
				if (ok[i].colour == colour && depth && depth <= 16 &&
				    (ok[i].depths & depth) == depth && !(depth & (depth - 1)))
					valid = true;
			png_header(&b, 2, 3, depth, colour, png_methods, 0);
			if (valid)
				expect_ok(&b, "image/png", 2, 3);
			else
				expect_err(&b, IMAGE_MALFORMED,
					   "The PNG header has an invalid bit depth, colour type or method.");
		}
	}
}

static void test_png_errors(void **state)
{
	static const uint8_t bad_methods[][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 2 } };
	struct buf b;

	(void)state;
	png_header(&b, 640, 360, 8, 2, png_methods, 1);
	expect_err(&b, IMAGE_MALFORMED,
		   "The PNG header chunk (IHDR) fails its checksum (CRC): the file is damaged.");
	for (size_t i = 0; i < 3; i++) {
		png_header(&b, 640, 360, 8, 2, bad_methods[i], 0);
		expect_err(&b, IMAGE_MALFORMED,
			   "The PNG header has an invalid bit depth, colour type or method.");
	}
	png_header(&b, 0x80000000u, 1, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_MALFORMED, "The PNG header gives a width or height beyond 2^31-1.");
	png_header(&b, 1, 0xffffffffu, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_MALFORMED, "The PNG header gives a width or height beyond 2^31-1.");
	png_header(&b, 0, 1, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels wide.");
	png_header(&b, 1, 0, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels high.");
	png_header(&b, 0x7fffffffu, 1, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 30000 on a side.");

	png_header(&b, 640, 360, 8, 2, png_methods, 0);
	memcpy(b.b + 12, "IDAT", 4);
	expect_err(&b, IMAGE_MALFORMED, "The PNG does not start with its header chunk (IHDR).");
	png_header(&b, 640, 360, 8, 2, png_methods, 0);
	b.b[11] = 14;
	expect_err(&b, IMAGE_MALFORMED, "The PNG header chunk (IHDR) has the wrong length.");
	png_header(&b, 640, 360, 8, 2, png_methods, 0);
	b.b[7] = 0;   /* the signature's last byte */
	expect_err(&b, IMAGE_UNKNOWN, "This is not a JPEG, PNG, WebP or GIF image.");
	b.n = 0;
	PUT(&b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR");
	expect_err(&b, IMAGE_TRUNCATED, PNG_SHORT);
}

/* ---- WebP ----------------------------------------------------------- */

#define WEBP_SHORT "The WebP file is shorter than its RIFF header says: it is cut short."

/* RIFF header, then one chunk of the given fourcc and payload. */
static void webp_chunk(struct buf *b, const char *fourcc, const struct buf *data)
{
	b->n = 0;
	PUT(b, "RIFF");
	put_le32(b, (uint32_t)(4 + 8 + data->n + (data->n & 1)));
	PUT(b, "WEBP");
	put(b, fourcc, 4);
	put_le32(b, (uint32_t)data->n);
	put(b, data->b, data->n);
	if (data->n & 1)
		put8(b, 0);
}

/* A VP8 key frame header: tag (shown key frame, profile, partition size). */
static void vp8_data(struct buf *d, unsigned profile, unsigned w, unsigned h)
{
	d->n = 0;
	put_le24(d, 0u | profile << 1 | 1u << 4 | 5u << 5);
	PUT(d, "\x9d\x01\x2a");
	put_le16(d, w);
	put_le16(d, h);
	PUT(d, "\0\0\0\0\0\0");   /* the first partition (5 bytes) and a pad */
}

static void vp8l_data(struct buf *d, uint32_t w, uint32_t h, unsigned version)
{
	d->n = 0;
	put8(d, 0x2f);
	put_le32(d, (w - 1) | (h - 1) << 14 | (uint32_t)version << 29);
	PUT(d, "\0\0\0");
}

static void vp8x_data(struct buf *d, uint32_t w, uint32_t h)
{
	d->n = 0;
	PUT(d, "\x10\0\0\0");   /* flags: alpha */
	put_le24(d, w - 1);
	put_le24(d, h - 1);
}

static void test_webp_valid(void **state)
{
	struct buf b, d;

	(void)state;
	for (unsigned profile = 0; profile <= 3; profile++) {
		vp8_data(&d, profile, 640, 360);
		webp_chunk(&b, "VP8 ", &d);
		expect_ok(&b, "image/webp", 640, 360);
	}
	vp8_data(&d, 0, 0xc000 | 320, 0x4000 | 200);   /* scale bits: not size */
	webp_chunk(&b, "VP8 ", &d);
	expect_ok(&b, "image/webp", 320, 200);
	expect_prefixes_fail(&b);

	vp8l_data(&d, 16384, 1, 0);
	webp_chunk(&b, "VP8L", &d);
	expect_ok(&b, "image/webp", 16384, 1);
	expect_prefixes_fail(&b);
	vp8l_data(&d, 1, 1, 0);
	webp_chunk(&b, "VP8L", &d);
	expect_ok(&b, "image/webp", 1, 1);

	vp8x_data(&d, 30000, 3333);
	webp_chunk(&b, "VP8X", &d);
	expect_ok(&b, "image/webp", 30000, 3333);
	expect_prefixes_fail(&b);
	/* Bytes after the RIFF data are ignored, as libwebp does. */
	PUT(&b, "trailing");
	expect_ok(&b, "image/webp", 30000, 3333);
}

static void test_webp_riff_errors(void **state)
{
	struct buf b, d;

	(void)state;
	vp8l_data(&d, 5, 5, 0);
	webp_chunk(&b, "VP8L", &d);
	b.b[4]++;
	expect_err(&b, IMAGE_TRUNCATED, WEBP_SHORT);
	memcpy(b.b + 4, "\xff\xff\xff\xff", 4);
	expect_err(&b, IMAGE_TRUNCATED, WEBP_SHORT);
	memcpy(b.b + 4, "\x0b\0\0\0", 4);
	expect_err(&b, IMAGE_MALFORMED, "The WebP RIFF size leaves no room for an image.");
	memcpy(b.b + 4, "\x0c\0\0\0", 4);   /* room for the chunk header, not its data */
	expect_err(&b, IMAGE_TRUNCATED, "The WebP image chunk runs past the end of its RIFF data.");

	webp_chunk(&b, "VP8L", &d);
	memcpy(b.b + 8, "WAVE", 4);
	expect_err(&b, IMAGE_UNKNOWN, "This is not a JPEG, PNG, WebP or GIF image.");
	webp_chunk(&b, "ALPH", &d);
	expect_err(&b, IMAGE_MALFORMED,
		   "The WebP starts with an unknown chunk (not VP8, VP8L or VP8X).");
	webp_chunk(&b, "VP8L", &d);
	b.b[16] += 2;
	expect_err(&b, IMAGE_TRUNCATED, "The WebP image chunk runs past the end of its RIFF data.");
	b.n = 0;
	PUT(&b, "RIFF\x04\0\0\0WEB");
	expect_err(&b, IMAGE_TRUNCATED, "The WebP header is truncated.");
}

static void test_webp_bitstream_errors(void **state)
{
	static const char vp8_bad[] = "The WebP lossy (VP8) frame header is malformed.";
	static const char vp8l_bad[] = "The WebP lossless (VP8L) header is malformed.";
	struct buf b, d;

	(void)state;
	vp8_data(&d, 0, 640, 360);
	d.b[0] |= 1;   /* an inter frame */
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8_bad);
	vp8_data(&d, 4, 640, 360);
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8_bad);
	vp8_data(&d, 0, 640, 360);
	d.b[0] &= ~0x10;   /* not shown */
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8_bad);
	vp8_data(&d, 0, 640, 360);
	d.b[1] = 0xff;   /* first partition longer than the chunk */
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8_bad);
	vp8_data(&d, 0, 640, 360);
	d.b[5] = 0x2b;
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8_bad);
	vp8_data(&d, 0, 640, 360);
	d.n = 9;
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8_bad);
	vp8_data(&d, 0, 0, 360);
	webp_chunk(&b, "VP8 ", &d);
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels wide.");

	vp8l_data(&d, 5, 5, 1);
	webp_chunk(&b, "VP8L", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8l_bad);
	vp8l_data(&d, 5, 5, 0);
	d.b[0] = 0x2e;
	webp_chunk(&b, "VP8L", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8l_bad);
	vp8l_data(&d, 5, 5, 0);
	d.n = 4;
	webp_chunk(&b, "VP8L", &d);
	expect_err(&b, IMAGE_MALFORMED, vp8l_bad);

	vp8x_data(&d, 5, 5);
	d.n = 9;
	webp_chunk(&b, "VP8X", &d);
	expect_err(&b, IMAGE_MALFORMED, "The WebP extended (VP8X) header is malformed.");
	vp8x_data(&d, 16384, 16384);
	webp_chunk(&b, "VP8X", &d);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 100 megapixels.");
	vp8x_data(&d, 1u << 24, 1);
	webp_chunk(&b, "VP8X", &d);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 30000 on a side.");
}

/* ---- GIF ------------------------------------------------------------ */

static void gif_header(struct buf *b, const char *version, unsigned w,
		       unsigned h, unsigned packed)
{
	b->n = 0;
	put(b, version, 6);
	put_le16(b, w);
	put_le16(b, h);
	put8(b, packed);
	PUT(b, "\0\0");   /* background colour, aspect ratio */
}

static void test_gif(void **state)
{
	struct buf b;

	(void)state;
	gif_header(&b, "GIF87a", 640, 360, 0);
	expect_ok(&b, "image/gif", 640, 360);
	expect_prefixes_fail(&b);
	gif_header(&b, "GIF89a", 1, 30000, 0x80);   /* a 2-colour table */
	expect_err(&b, IMAGE_TRUNCATED, "The GIF colour table runs past the end of the file.");
	PUT(&b, "\0\0\0\xff\xff");
	expect_err(&b, IMAGE_TRUNCATED, "The GIF colour table runs past the end of the file.");
	put8(&b, 0xff);
	expect_ok(&b, "image/gif", 1, 30000);
	expect_prefixes_fail(&b);
	gif_header(&b, "GIF89a", 3, 3, 0xf7);        /* 256 colours, 768 bytes */
	for (int i = 0; i < 767; i++)
		put8(&b, i);
	expect_err(&b, IMAGE_TRUNCATED, "The GIF colour table runs past the end of the file.");
	put8(&b, 0);
	expect_ok(&b, "image/gif", 3, 3);

	gif_header(&b, "GIF88a", 640, 360, 0);
	expect_err(&b, IMAGE_UNKNOWN, "This is not a JPEG, PNG, WebP or GIF image.");
	gif_header(&b, "GIF89a", 0, 360, 0);
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels wide.");
	gif_header(&b, "GIF89a", 640, 0, 0);
	expect_err(&b, IMAGE_EMPTY, "The image is 0 pixels high.");
	gif_header(&b, "GIF89a", 30001, 1, 0);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 30000 on a side.");
	b.n = 0;
	PUT(&b, "GIF8");
	expect_err(&b, IMAGE_TRUNCATED, "The GIF header is truncated.");
}

/* ---- all formats ---------------------------------------------------- */

static void test_unknown(void **state)
{
	static const struct { const char *s; size_t n; } others[] = {
		{ "BM\x36\0\0\0\0\0\0\0\x36\0\0\0", 14 },           /* BMP */
		{ "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 41 },
		{ "\0\0\0\x1c" "ftypavif\0\0\0\0", 16 },              /* AVIF */
		{ "II\x2a\0\x08\0\0\0", 8 },                           /* TIFF */
		{ "\xff\xd9", 2 },
		{ "GIF87b", 6 },
		{ "RIFX\x04\0\0\0WEBP", 12 },
		{ "image/png", 9 },
		{ "\x89PNG\r\n\x1a\x0a\x00", 9 },  /* a signature, its last byte wrong */
		{ "\0", 1 },
	};
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		b.n = 0;
		put(&b, others[i].s, others[i].n);
		if (i == 8)
			b.b[7] = 0;
		expect_err(&b, IMAGE_UNKNOWN, "This is not a JPEG, PNG, WebP or GIF image.");
	}
	/* A prefix of a magic is that format, cut short. */
	b.n = 0;
	PUT(&b, "\xff");
	expect_err(&b, IMAGE_TRUNCATED, JPEG_SHORT);
	b.n = 0;
	PUT(&b, "\x89PN");
	expect_err(&b, IMAGE_TRUNCATED, PNG_SHORT);
	b.n = 0;
	expect_err(&b, IMAGE_UNKNOWN, "The image is empty (0 bytes).");
}

/* The limits: 30000 on a side and 100 megapixels are allowed, not one more. */
static void test_limits(void **state)
{
	struct buf b;

	(void)state;
	png_header(&b, 10000, 10000, 8, 2, png_methods, 0);
	expect_ok(&b, "image/png", 10000, 10000);
	png_header(&b, 10000, 10001, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 100 megapixels.");
	png_header(&b, 30000, 1, 8, 2, png_methods, 0);
	expect_ok(&b, "image/png", 30000, 1);
	png_header(&b, 1, 30001, 8, 2, png_methods, 0);
	expect_err(&b, IMAGE_TOO_LARGE,
		   "The image is too large in pixels: more than 30000 on a side.");
}

/* why may be NULL; out is still left alone on failure. */
static void test_null_why(void **state)
{
	struct image_info info = sentinel;

	(void)state;
	assert_int_equal(image_probe("GIF8", 4, &info, NULL), IMAGE_TRUNCATED);
	assert_untouched(&info);
}

/* ---- real files from Debian's tools ---------------------------------- */

static char fixture_dir[] = "/tmp/liveblog-images.XXXXXX";

/* Makes the images with tests/media/make-images.sh (from the source root). */
static int images_setup(void **state)
{
	const char *src = getenv("LIVEBLOG_SRCDIR");
	char cmd[512];

	(void)state;
	if (!mkdtemp(fixture_dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s/tests/media/make-images.sh %s",
		 src ? src : ".", fixture_dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_image: \"%s\" failed (make deps installs netpbm and webp)\n", cmd);
		return -1;
	}
	return 0;
}

static int images_teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fixture_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *data;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	data = malloc((size_t)st.st_size);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return data;
}

/*
 * The whole file gives the manifest's type and size; each prefix (up to
 * 4 KiB) gives either an error or that same answer, never another size.
 * Returns how many prefixes were refused.
 */
static size_t check_real(const char *name, const char *type, uint32_t w, uint32_t h)
{
	char path[600];
	size_t len, refused = 0;
	uint8_t *data;

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	data = read_file(path, &len);
	for (size_t n = 0; n <= len && n <= 4096; n++) {
		struct image_info info;
		const char *why;

		if (probe(data, n, &info, &why) != IMAGE_OK) {
			assert_non_null(why);
			assert_untouched(&info);
			refused++;
			continue;
		}
		if (strcmp(info.type, type) != 0 || info.width != w || info.height != h)
			fail_msg("%s cut at %zu of %zu: %s %ux%u, want %s %ux%u", name,
				 n, len, info.type, info.width, info.height, type, w, h);
	}
	if (len > 4096) {
		struct image_info info;
		const char *why;

		assert_int_equal(probe(data, len, &info, &why), IMAGE_OK);
		assert_string_equal(info.type, type);
		assert_int_equal(info.width, w);
		assert_int_equal(info.height, h);
	}
	free(data);
	return refused;
}

static void test_real_files(void **state)
{
	char path[600], name[256], type[32];
	unsigned w, h, count = 0, jpeg = 0, png = 0, webp = 0, gif = 0;
	FILE *m;

	(void)state;
	snprintf(path, sizeof(path), "%s/manifest", fixture_dir);
	m = fopen(path, "r");
	assert_non_null(m);
	while (fscanf(m, "%255s %31s %u %u", name, type, &w, &h) == 4) {
		size_t refused = check_real(name, type, w, h);

		/* At least the magic and the size fields must be there. */
		assert_true(refused >= 10);
		count++;
		jpeg += strcmp(type, "image/jpeg") == 0;
		png += strcmp(type, "image/png") == 0;
		webp += strcmp(type, "image/webp") == 0;
		gif += strcmp(type, "image/gif") == 0;
	}
	fclose(m);
	/* The script's images, all of them, so an empty manifest cannot pass. */
	assert_int_equal(count, 25);
	assert_int_equal(jpeg, 10);
	assert_int_equal(png, 7);
	assert_int_equal(gif, 3);
	assert_int_equal(webp, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg_baseline),
		cmocka_unit_test(test_jpeg_sof_markers),
		cmocka_unit_test(test_jpeg_fill_and_standalone_markers),
		cmocka_unit_test(test_jpeg_errors),
		cmocka_unit_test(test_jpeg_sof_errors),
		cmocka_unit_test(test_jpeg_exif_orientation),
		cmocka_unit_test(test_jpeg_exif_ignored),
		cmocka_unit_test(test_png_valid),
		cmocka_unit_test(test_png_depths),
		cmocka_unit_test(test_png_errors),
		cmocka_unit_test(test_webp_valid),
		cmocka_unit_test(test_webp_riff_errors),
		cmocka_unit_test(test_webp_bitstream_errors),
		cmocka_unit_test(test_gif),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_null_why),
		cmocka_unit_test_setup_teardown(test_real_files, images_setup,
						images_teardown),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
