/*
 * image.h — what kind of picture a buffer holds and how large it shows,
 * read from the bytes alone (magic and header; never a file name or a
 * Content-Type): JPEG (markers up to the first SOFn, EXIF orientation),
 * PNG (IHDR, with its CRC), WebP (RIFF, then VP8, VP8L or VP8X) and GIF
 * (logical screen). Pure: no I/O, no allocation.
 *
 * The buffer is the whole file (an upload's body), not a prefix: every
 * structure the header declares (a JPEG segment before the frame header,
 * the PNG IHDR chunk, the WebP RIFF size and first chunk, the GIF global
 * colour table) must end inside it. The image data after the header is not
 * decoded.
 */
#ifndef LB_IMAGE_H
#define LB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Limits on the picture as shown: per side, and in total pixels. */
#define IMAGE_MAX_SIDE   30000u
#define IMAGE_MAX_PIXELS 100000000u

enum image_status {
	IMAGE_OK = 0,
	IMAGE_UNKNOWN,   /* empty, or not a JPEG, PNG, WebP or GIF */
	IMAGE_TRUNCATED, /* a declared structure runs past the end */
	IMAGE_MALFORMED, /* a header field has a value the format forbids */
	IMAGE_EMPTY,     /* 0 pixels wide or high */
	IMAGE_TOO_LARGE, /* beyond IMAGE_MAX_SIDE or IMAGE_MAX_PIXELS */
};

struct image_info {
	const char *type;     /* "image/jpeg", "image/png", "image/webp" or "image/gif" */
	uint32_t width;       /* as a browser shows it: after EXIF orientation */
	uint32_t height;
	uint8_t orientation;  /* EXIF orientation 1..8 (JPEG); 1 when none */
};

/*
 * Reads the type and size of the picture in data[0..len) (the whole file).
 * Returns IMAGE_OK and fills *out, or another status with *why pointing at
 * one static sentence that says what is wrong ("The PNG header is
 * truncated.") and *out unchanged. why may be NULL.
 */
enum image_status image_probe(const void *data, size_t len,
			      struct image_info *out, const char **why);

#endif
