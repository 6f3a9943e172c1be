/*
 * fuzz_cli_reply.c — reply_parse (clients/liveblog/reply.c) for every
 * enum reply_kind on arbitrary bytes: how the CLI reads what a server, an
 * untrusted peer, sends back (HTTP bodies and WebSocket frames).
 *
 * Invariants:
 *   - never a read past len (the input is not NUL-terminated);
 *   - a rejection returns NULL with a non-empty one-line reason of
 *     printable ASCII, NUL-terminated inside errsz, and nothing written
 *     past errsz (also with tiny buffers);
 *   - an accepted value passes reply_check again, has the fields the rest
 *     of the client relies on, and the kinds nest: a valid event is a
 *     valid frame, a created blog is a valid blog, a page's events are
 *     valid events;
 *   - REPLY_ANY accepts a blank body as null;
 *   - a picture (REPLY_MEDIA) and an export's picture line have a valid id
 *     and type; b64_decode accepts only text that encodes back to itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "b64.h"
#include "reply.h"


#define GUARD 0x5a

static int checks(enum reply_kind kind, const json_t *v)
{
	char err[256];

	return reply_check(kind, v, err, sizeof(err)) == 0;
}

static int is_seq(const json_t *v)
{
	return reply_seq_valid(json_string_value(v));
}

/* The fields other modules read without checking again. */
static void check_accepted(enum reply_kind kind, const json_t *v)
{
	const char *type;
	const json_t *ev;
	size_t i;

	CHECK(checks(kind, v));
	switch (kind) {
	case REPLY_ERROR:
		CHECK(reply_str(v, "error"));
		break;
	case REPLY_CREATED:
		CHECK(reply_str(v, "editor_token"));
		CHECK(checks(REPLY_BLOG, v));
		/* fall through */
	case REPLY_BLOG:
		CHECK(reply_str(v, "id") && reply_str(v, "title"));
		CHECK(!strcmp(reply_str(v, "state"), "live") ||
		      !strcmp(reply_str(v, "state"), "ended"));
		break;
	case REPLY_ENTRY:
		CHECK(reply_str(v, "id") && reply_str(v, "text") &&
		      reply_str(v, "ts"));
		CHECK(is_seq(json_object_get(v, "seq")));
		break;
	case REPLY_PAGE:
		CHECK(json_is_array(json_object_get(v, "events")));
		json_array_foreach(json_object_get(v, "events"), i, ev) {
			CHECK(checks(REPLY_EVENT, ev));
			CHECK(checks(REPLY_FRAME, ev));
		}
		break;
	case REPLY_EVENT:
		CHECK(checks(REPLY_FRAME, v));
		CHECK(is_seq(json_object_get(v, "seq")));
		type = reply_str(v, "type");
		CHECK(type);
		if (!strcmp(type, "entry") || !strcmp(type, "edit"))
			CHECK(checks(REPLY_ENTRY, json_object_get(v, "entry")));
		else if (!strcmp(type, "delete"))
			CHECK(reply_str(v, "entry_id"));
		else
			CHECK(!strcmp(type, "ended") && reply_str(v, "ended_at"));
		break;
	case REPLY_FRAME:
		type = reply_str(v, "type");
		CHECK(type);
		if (!strcmp(type, "entry") || !strcmp(type, "edit") ||
		    !strcmp(type, "delete") || !strcmp(type, "ended"))
			CHECK(checks(REPLY_EVENT, v));
		else if (!strcmp(type, "hello"))
			CHECK(checks(REPLY_BLOG, json_object_get(v, "blog")));
		break;
	case REPLY_MEDIA:
		CHECK(reply_media_id_valid(reply_str(v, "id")));
		CHECK(reply_media_type_valid(reply_str(v, "type")));
		CHECK(json_integer_value(json_object_get(v, "width")) > 0);
		break;
	case REPLY_MEDIA_LINE:
		CHECK(!strcmp(reply_str(v, "type"), "media"));
		CHECK(reply_media_id_valid(reply_str(v, "id")));
		CHECK(reply_media_type_valid(reply_str(v, "content_type")));
		CHECK(reply_str(v, "data"));
		break;
	case REPLY_ANY:
		break;
	}
}

/*
 * b64_decode (an export's picture data): what it accepts encodes back to
 * the same text, and is 3/4 of its length less the padding.
 */
static void check_b64(const char *buf, size_t size)
{
	char *s = malloc(size + 1), *again;
	unsigned char *bytes;
	size_t len;

	CHECK(s);
	memcpy(s, buf, size);
	s[size] = '\0';
	bytes = b64_decode(s, &len);
	if (bytes) {
		CHECK(strlen(s) % 4 == 0);
		CHECK(len <= strlen(s) / 4 * 3 && len + 2 >= strlen(s) / 4 * 3);
		again = b64_encode(bytes, len);
		CHECK(again && !strcmp(again, s));
		free(again);
	} else {
		CHECK(len == 0);
	}
	free(bytes);
	free(s);
}

static void check_reason(const char *err, size_t errsz)
{
	const char *end = memchr(err, '\0', errsz);

	CHECK(end != NULL);
	for (const char *p = err; p < end; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	if (errsz > 1)
		CHECK(err[0] != '\0');
}

/* One parse with an errsz-byte reason buffer followed by guard bytes. */
static void parse(enum reply_kind kind, const char *buf, size_t len,
		  size_t errsz)
{
	char err[256 + 16];
	json_t *v;

	memset(err, GUARD, sizeof(err));
	v = reply_parse(kind, buf, len, err, errsz);
	for (size_t i = errsz; i < sizeof(err); i++)
		CHECK((unsigned char)err[i] == GUARD);
	if (!v) {
		if (errsz)
			check_reason(err, errsz);
		return;
	}
	check_accepted(kind, v);
	json_decref(v);
}

static int blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data; /* exactly size bytes, no NUL */
	char err[256];
	json_t *v;

	for (int k = REPLY_ERROR; k <= REPLY_ANY; k++)
		parse((enum reply_kind)k, buf, size, 256);
	/* Small reason buffers, on the kinds with the longest reasons. */
	parse(REPLY_PAGE, buf, size, size % 24);
	parse(REPLY_FRAME, buf, size, 1);
	check_b64(buf, size);

	v = reply_parse(REPLY_ANY, buf, size, err, sizeof(err));
	if (blank(buf, size))
		CHECK(json_is_null(v));
	json_decref(v);
	return 0;
}
