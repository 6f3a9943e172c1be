/*
 * image.c — image type and size from the bytes (see image.h).
 *
 * Every read is preceded by a check that the bytes are there: an offset is
 * compared with the length left (never "offset + n <= len", which a large
 * declared n could wrap), so a hostile length can only lead to an error.
 * References: ITU-T T.81 (JPEG markers, B.1), the EXIF 2.3 / TIFF 6.0 IFD,
 * the PNG specification (5.2 signature, 11.2.2 IHDR), the WebP container
 * and lossless bitstream specifications with RFC 6386 9.1 (VP8 frame tag),
 * and GIF89a (17, 18: header and logical screen descriptor).
 */
#include "common/image.h"

#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#define MSG_UNKNOWN "This is not a JPEG, PNG, WebP or GIF image."
#define MSG_JPEG_SHORT "The JPEG header is truncated."
#define MSG_PNG_SHORT "The PNG header is truncated."
#define MSG_WEBP_SHORT "The WebP header is truncated."
#define MSG_GIF_SHORT "The GIF header is truncated."

/* A parser's result before the common size checks. */
struct probe {
	uint32_t width, height;
	uint8_t orientation;
	const char *why;
};

static enum image_status fail(struct probe *pr, enum image_status st,
			      const char *why)
{
	pr->why = why;
	return st;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const uint8_t *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | le24(p);
}

/* ---- JPEG ---- */

enum jpeg_kind { JPEG_ALONE, JPEG_SEGMENT, JPEG_SOF, JPEG_SOS, JPEG_EOI, JPEG_BAD };

/* What follows marker m: nothing (RSTn, TEM), a length, or the end. */
static enum jpeg_kind jpeg_kind(uint8_t m)
{
	if (m == 0x01 || (m >= 0xd0 && m <= 0xd7))
		return JPEG_ALONE;
	if (m >= 0xc0 && m <= 0xcf)
		return m == 0xc4 || m == 0xc8 || m == 0xcc ? JPEG_SEGMENT : JPEG_SOF;
	if (m == 0xda)
		return JPEG_SOS;
	if (m == 0xd9)
		return JPEG_EOI;
	if (m >= 0xdb && m <= 0xfe)
		return JPEG_SEGMENT; /* DQT DRI DNL DHP EXP, APPn, JPGn, COM */
	return JPEG_BAD; /* 00 (a stuffed byte), reserved 02..BF, a second SOI */
}

/* Reads a TIFF SHORT or LONG in the byte order of the EXIF block. */
static uint32_t tiff16(const uint8_t *p, bool le)
{
	return le ? le16(p) : be16(p);
}

static uint32_t tiff32(const uint8_t *p, bool le)
{
	return le ? le32(p) : be32(p);
}

/*
 * Returns the Orientation (tag 0x0112, one SHORT of 1..8) of IFD0 in the
 * APP1 payload p[0..len), or 1 when it is not an EXIF block or holds no
 * valid orientation: a broken EXIF block is ignored, as browsers do.
 */
static uint8_t jpeg_exif_orientation(const uint8_t *p, size_t len)
{
	const uint8_t *t = p + 6;
	size_t tlen, off, n;
	bool le;

	if (len < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0)
		return 1;
	tlen = len - 6;
	if (memcmp(t, "II\x2a\0", 4) != 0 && memcmp(t, "MM\0\x2a", 4) != 0)
		return 1;
	le = t[0] == 'I';
	off = tiff32(t + 4, le);
	if (off > tlen || tlen - off < 2)
		return 1;
	n = tiff16(t + off, le);
	for (size_t k = 0; k < n && (tlen - off - 2) / 12 > k; k++) {
		const uint8_t *e = t + off + 2 + 12 * k;
		uint32_t v = tiff16(e + 8, le);

		if (tiff16(e, le) != 0x0112)
			continue;
		if (tiff16(e + 2, le) != 3 || tiff32(e + 4, le) != 1 || v < 1 || v > 8)
			return 1;
		return (uint8_t)v;
	}
	return 1;
}

/*
 * Reads the frame header segment s[0..len) (from its length field on):
 * P, Y (height), X (width), Nf, then Nf component specifications.
 */
static enum image_status jpeg_sof(const uint8_t *s, size_t len,
				  struct probe *pr)
{
	if (len < 8 || s[7] == 0 || len != 8 + 3 * (size_t)s[7])
		return fail(pr, IMAGE_MALFORMED,
			    "The JPEG frame header (SOF) is malformed.");
	pr->height = be16(s + 3);
	pr->width = be16(s + 5);
	if (pr->orientation >= 5) {
		uint32_t w = pr->width;

		pr->width = pr->height;
		pr->height = w;
	}
	return IMAGE_OK;
}

/*
 * Moves *i past a marker's 0xFF and any fill bytes (0xFF) and returns the
 * marker's code in *m.
 */
static enum image_status jpeg_marker(const uint8_t *p, size_t len, size_t *i,
				     uint8_t *m, struct probe *pr)
{
	if (*i >= len)
		return fail(pr, IMAGE_TRUNCATED, MSG_JPEG_SHORT);
	if (p[*i] != 0xff)
		return fail(pr, IMAGE_MALFORMED,
			    "The JPEG has data where a marker should be, before its frame header (SOF).");
	while (*i < len && p[*i] == 0xff)
		(*i)++;
	if (*i >= len)
		return fail(pr, IMAGE_TRUNCATED, MSG_JPEG_SHORT);
	*m = p[(*i)++];
	return IMAGE_OK;
}

/*
 * Walks the markers after SOI up to the first SOFn, skipping each segment
 * by its length (and reading an EXIF orientation on the way).
 */
static enum image_status jpeg_probe(const uint8_t *p, size_t len, struct probe *pr)
{
	size_t i = 2;

	for (;;) {
		enum image_status st;
		enum jpeg_kind kind;
		size_t seg;
		uint8_t m = 0;

		if ((st = jpeg_marker(p, len, &i, &m, pr)) != IMAGE_OK)
			return st;
		kind = jpeg_kind(m);
		if (kind == JPEG_ALONE)
			continue;
		if (kind == JPEG_SOS)
			return fail(pr, IMAGE_MALFORMED,
				    "The JPEG has no frame header (SOF) before its image data.");
		if (kind == JPEG_EOI)
			return fail(pr, IMAGE_MALFORMED,
				    "The JPEG ends before its frame header (SOF).");
		if (kind == JPEG_BAD)
			return fail(pr, IMAGE_MALFORMED,
				    "The JPEG has an invalid marker before its frame header (SOF).");
		if (len - i < 2)
			return fail(pr, IMAGE_TRUNCATED, MSG_JPEG_SHORT);
		seg = be16(p + i);
		if (seg < 2)
			return fail(pr, IMAGE_MALFORMED,
				    "The JPEG has a segment with an invalid length.");
		if (seg > len - i)
			return fail(pr, IMAGE_TRUNCATED, MSG_JPEG_SHORT);
		if (kind == JPEG_SOF)
			return jpeg_sof(p + i, seg, pr);
		if (m == 0xe1 && pr->orientation == 1)
			pr->orientation = jpeg_exif_orientation(p + i + 2, seg - 2);
		i += seg;
	}
}

/* ---- PNG ---- */

/* IHDR bit depth and colour type: the combinations of PNG 11.2.2 table 11.1. */
static bool png_depth_valid(uint8_t depth, uint8_t colour)
{
	switch (colour) {
	case 0:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2: case 4: case 6:
		return depth == 8 || depth == 16;
	default:
		return false;
	}
}

/*
 * After the signature: the first chunk is IHDR, 13 bytes, with a matching
 * CRC (over type and data), sizes of at most 2^31-1, and valid fields.
 */
static enum image_status png_probe(const uint8_t *p, size_t len, struct probe *pr)
{
	const uint8_t *h = p + 16;

	if (len < 16)
		return fail(pr, IMAGE_TRUNCATED, MSG_PNG_SHORT);
	if (memcmp(p + 12, "IHDR", 4) != 0)
		return fail(pr, IMAGE_MALFORMED,
			    "The PNG does not start with its header chunk (IHDR).");
	if (be32(p + 8) != 13)
		return fail(pr, IMAGE_MALFORMED,
			    "The PNG header chunk (IHDR) has the wrong length.");
	if (len < 8 + 8 + 13 + 4)
		return fail(pr, IMAGE_TRUNCATED, MSG_PNG_SHORT);
	if (crc32(crc32(0L, Z_NULL, 0), p + 12, 4 + 13) != be32(h + 13))
		return fail(pr, IMAGE_MALFORMED,
			    "The PNG header chunk (IHDR) fails its checksum (CRC): the file is damaged.");
	if (be32(h) > 0x7fffffffu || be32(h + 4) > 0x7fffffffu)
		return fail(pr, IMAGE_MALFORMED,
			    "The PNG header gives a width or height beyond 2^31-1.");
	if (!png_depth_valid(h[8], h[9]) || h[10] != 0 || h[11] != 0 || h[12] > 1)
		return fail(pr, IMAGE_MALFORMED,
			    "The PNG header has an invalid bit depth, colour type or method.");
	pr->width = be32(h);
	pr->height = be32(h + 4);
	return IMAGE_OK;
}

/* ---- WebP ---- */

#define MSG_VP8_BAD "The WebP lossy (VP8) frame header is malformed."

/*
 * The chunk sizes below are inside the RIFF data already, so a chunk too
 * small for its header is malformed, not cut short.
 *
 * A lossy bitstream d[0..len): the frame tag (a shown key frame of profile
 * 0..3 whose first partition fits), the start code 9d 01 2a, then 14-bit
 * width and height (the top 2 bits are an upscaling hint browsers ignore).
 */
static enum image_status webp_vp8(const uint8_t *d, size_t len, struct probe *pr)
{
	uint32_t tag;

	if (len < 10)
		return fail(pr, IMAGE_MALFORMED, MSG_VP8_BAD);
	tag = le24(d);
	if ((tag & 1) != 0 || ((tag >> 1) & 7) > 3 || ((tag >> 4) & 1) == 0 ||
	    (tag >> 5) >= len || memcmp(d + 3, "\x9d\x01\x2a", 3) != 0)
		return fail(pr, IMAGE_MALFORMED, MSG_VP8_BAD);
	pr->width = le16(d + 6) & 0x3fff;
	pr->height = le16(d + 8) & 0x3fff;
	return IMAGE_OK;
}

/* A lossless bitstream: signature 0x2f, 14-bit width-1 and height-1, version 0. */
static enum image_status webp_vp8l(const uint8_t *d, size_t len, struct probe *pr)
{
	uint32_t bits;

	if (len < 5 || d[0] != 0x2f || (le32(d + 1) >> 29) != 0)
		return fail(pr, IMAGE_MALFORMED,
			    "The WebP lossless (VP8L) header is malformed.");
	bits = le32(d + 1);
	pr->width = (bits & 0x3fff) + 1;
	pr->height = ((bits >> 14) & 0x3fff) + 1;
	return IMAGE_OK;
}

/*
 * The extended format: a chunk of exactly 10 bytes (as libwebp requires):
 * flags, 3 reserved bytes, 24-bit canvas width-1 and height-1.
 */
static enum image_status webp_vp8x(const uint8_t *d, size_t len, struct probe *pr)
{
	if (len != 10)
		return fail(pr, IMAGE_MALFORMED,
			    "The WebP extended (VP8X) header is malformed.");
	pr->width = le24(d + 4) + 1;
	pr->height = le24(d + 7) + 1;
	return IMAGE_OK;
}

/*
 * "RIFF" size "WEBP", then the first chunk (fourcc, size, data). The RIFF
 * size must fit in the file (bytes after it are ignored, as libwebp does)
 * and the first chunk in the RIFF size.
 */
static enum image_status webp_probe(const uint8_t *p, size_t len, struct probe *pr)
{
	size_t end, size;

	if (len < 12)
		return fail(pr, IMAGE_TRUNCATED, MSG_WEBP_SHORT);
	if (memcmp(p + 8, "WEBP", 4) != 0)
		return fail(pr, IMAGE_UNKNOWN, MSG_UNKNOWN);
	if (le32(p + 4) > len - 8)
		return fail(pr, IMAGE_TRUNCATED,
			    "The WebP file is shorter than its RIFF header says: it is cut short.");
	end = 8 + (size_t)le32(p + 4);
	if (end < 20)
		return fail(pr, IMAGE_MALFORMED,
			    "The WebP RIFF size leaves no room for an image.");
	size = le32(p + 16);
	if (size > end - 20)
		return fail(pr, IMAGE_TRUNCATED,
			    "The WebP image chunk runs past the end of its RIFF data.");
	if (memcmp(p + 12, "VP8 ", 4) == 0)
		return webp_vp8(p + 20, size, pr);
	if (memcmp(p + 12, "VP8L", 4) == 0)
		return webp_vp8l(p + 20, size, pr);
	if (memcmp(p + 12, "VP8X", 4) == 0)
		return webp_vp8x(p + 20, size, pr);
	return fail(pr, IMAGE_MALFORMED,
		    "The WebP starts with an unknown chunk (not VP8, VP8L or VP8X).");
}

/* ---- GIF ---- */

/* The logical screen descriptor, and the global colour table it declares. */
static enum image_status gif_probe(const uint8_t *p, size_t len, struct probe *pr)
{
	if (len < 13)
		return fail(pr, IMAGE_TRUNCATED, MSG_GIF_SHORT);
	if ((p[10] & 0x80) && len - 13 < (size_t)3 << ((p[10] & 7) + 1))
		return fail(pr, IMAGE_TRUNCATED,
			    "The GIF colour table runs past the end of the file.");
	pr->width = le16(p + 6);
	pr->height = le16(p + 8);
	return IMAGE_OK;
}

/* ---- dispatch ---- */

static const struct {
	const char *magic;
	size_t magic_len;
	const char *type;
	enum image_status (*probe)(const uint8_t *, size_t, struct probe *);
} formats[] = {
	{ "\xff\xd8\xff", 3, "image/jpeg", jpeg_probe },
	{ "\x89PNG\r\n\x1a\n", 8, "image/png", png_probe },
	{ "RIFF", 4, "image/webp", webp_probe },
	{ "GIF87a", 6, "image/gif", gif_probe },
	{ "GIF89a", 6, "image/gif", gif_probe },
};

/* The sizes every format shares: not empty, not absurd. */
static enum image_status size_check(struct probe *pr)
{
	if (pr->width == 0)
		return fail(pr, IMAGE_EMPTY, "The image is 0 pixels wide.");
	if (pr->height == 0)
		return fail(pr, IMAGE_EMPTY, "The image is 0 pixels high.");
	if (pr->width > IMAGE_MAX_SIDE || pr->height > IMAGE_MAX_SIDE)
		return fail(pr, IMAGE_TOO_LARGE,
			    "The image is too large in pixels: more than 30000 on a side.");
	if ((uint64_t)pr->width * pr->height > IMAGE_MAX_PIXELS)
		return fail(pr, IMAGE_TOO_LARGE,
			    "The image is too large in pixels: more than 100 megapixels.");
	return IMAGE_OK;
}

/*
 * The format is the one whose magic the buffer starts with; a buffer
 * shorter than a magic but equal to its start is that format, truncated.
 */
enum image_status image_probe(const void *data, size_t len,
			      struct image_info *out, const char **why)
{
	struct probe pr = { .orientation = 1, .why = MSG_UNKNOWN };
	enum image_status st = IMAGE_UNKNOWN;
	size_t f;

	if (len == 0)
		pr.why = "The image is empty (0 bytes).";
	for (f = 0; len > 0 && f < sizeof(formats) / sizeof(formats[0]); f++) {
		size_t n = len < formats[f].magic_len ? len : formats[f].magic_len;

		if (memcmp(data, formats[f].magic, n) == 0)
			break;
	}
	if (len > 0 && f < sizeof(formats) / sizeof(formats[0])) {
		st = formats[f].probe(data, len, &pr);
		if (st == IMAGE_OK)
			st = size_check(&pr);
	}
	if (st != IMAGE_OK) {
		if (why)
			*why = pr.why;
		return st;
	}
	out->type = formats[f].type;
	out->width = pr.width;
	out->height = pr.height;
	out->orientation = pr.orientation;
	return IMAGE_OK;
}
