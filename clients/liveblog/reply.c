/*
 * reply.c — checks server replies and frames against the wire format.
 * One table of fields per object kind drives the checks, so adding a field
 * to the wire format is one line here.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"

enum ftype { F_STR, F_STR_NULL, F_SEQ, F_SEQ_NULL, F_BOOL, F_INT, F_OBJ, F_ARR };

struct field {
	const char *name;
	enum ftype type;
	int required;
};

static const struct field blog_fields[] = {
	{ "id", F_STR, 1 },		{ "title", F_STR, 1 },
	{ "state", F_STR, 1 },		{ "created_at", F_STR, 0 },
	{ "ended_at", F_STR_NULL, 0 },	{ "entry_count", F_INT, 0 },
	{ NULL, F_STR, 0 },
};

static const struct field created_fields[] = {
	{ "editor_token", F_STR, 1 },
	{ NULL, F_STR, 0 },
};

static const struct field entry_fields[] = {
	{ "id", F_STR, 1 },		{ "seq", F_SEQ, 1 },
	{ "ts", F_STR, 1 },		{ "text", F_STR, 1 },
	{ "author", F_STR_NULL, 0 },	{ "title", F_STR_NULL, 0 },
	{ "key", F_BOOL, 0 },		{ "pinned", F_BOOL, 0 },
	{ "revision", F_INT, 0 },	{ "edited_ts", F_STR_NULL, 0 },
	{ "deleted", F_BOOL, 0 },	{ "original_ts", F_STR_NULL, 0 },
	{ "media", F_ARR, 0 },
	{ "redacted", F_BOOL, 0 },
	{ NULL, F_STR, 0 },
};

/* A picture of an entry's "media", resolved by the server. */
static const struct field picture_fields[] = {
	{ "id", F_STR, 1 },		{ "type", F_STR, 1 },
	{ "width", F_INT, 1 },		{ "height", F_INT, 1 },
	{ "url", F_STR, 1 },		{ "alt", F_STR, 1 },
	{ "caption", F_STR, 0 },	{ "credit", F_STR, 0 },
	{ NULL, F_STR, 0 },
};

static const struct field media_fields[] = {
	{ "id", F_STR, 1 },		{ "type", F_STR, 1 },
	{ "width", F_INT, 1 },		{ "height", F_INT, 1 },
	{ "bytes", F_INT, 1 },		{ "url", F_STR, 1 },
	{ NULL, F_STR, 0 },
};

static const struct field media_line_fields[] = {
	{ "type", F_STR, 1 },		{ "id", F_STR, 1 },
	{ "content_type", F_STR, 1 },	{ "data", F_STR, 1 },
	{ NULL, F_STR, 0 },
};

static const struct field error_fields[] = {
	{ "error", F_STR, 1 },		{ "message", F_STR_NULL, 0 },
	{ NULL, F_STR, 0 },
};

static const struct field page_fields[] = {
	{ "events", F_ARR, 1 },		{ "next", F_SEQ_NULL, 0 },
	{ NULL, F_STR, 0 },
};

static const struct field typed_fields[] = {
	{ "type", F_STR, 1 },
	{ NULL, F_STR, 0 },
};

static const char *const type_names[] = {
	[F_STR] = "a string",		[F_STR_NULL] = "a string or null",
	[F_SEQ] = "a stream id",	[F_SEQ_NULL] = "a stream id or null",
	[F_BOOL] = "a boolean",		[F_INT] = "an integer",
	[F_OBJ] = "an object",		[F_ARR] = "an array",
};

/*
 * Formats a reason into err and replaces every byte that is not printable
 * ASCII, since reasons may quote fragments of the untrusted reply.
 * Always returns -1 so callers can `return fail(...)`.
 */
__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return -1;
}

/* Parses a run of decimal digits [s, end) into *out; rejects overflow. */
static int parse_u64(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (s == end || end - s > 20)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Splits "<ms>-<n>" (or "<ms>") into its two numbers. Returns 0 or -1. */
static int seq_split(const char *s, uint64_t *ms, uint64_t *n)
{
	const char *dash = strchr(s, '-');
	const char *end = s + strlen(s);

	*n = 0;
	if (!dash)
		return parse_u64(s, end, ms);
	if (parse_u64(s, dash, ms))
		return -1;
	return parse_u64(dash + 1, end, n);
}

int reply_seq_valid(const char *s)
{
	uint64_t ms, n;

	return s && seq_split(s, &ms, &n) == 0;
}

int reply_seq_cmp(const char *a, const char *b)
{
	uint64_t ams = 0, an = 0, bms = 0, bn = 0;

	seq_split(a, &ams, &an);
	seq_split(b, &bms, &bn);
	if (ams != bms)
		return ams < bms ? -1 : 1;
	if (an != bn)
		return an < bn ? -1 : 1;
	return 0;
}

const char *reply_str(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* True when v has the wire type t. */
static int type_ok(const json_t *v, enum ftype t)
{
	switch (t) {
	case F_STR:
		return json_is_string(v);
	case F_STR_NULL:
		return json_is_string(v) || json_is_null(v);
	case F_SEQ:
		return reply_seq_valid(json_string_value(v));
	case F_SEQ_NULL:
		return json_is_null(v) || reply_seq_valid(json_string_value(v));
	case F_BOOL:
		return json_is_boolean(v);
	case F_INT:
		return json_is_integer(v);
	case F_OBJ:
		return json_is_object(v);
	case F_ARR:
		return json_is_array(v);
	}
	return 0;
}

/*
 * Checks that obj is an object whose members listed in f have the listed
 * types (required ones present). what names obj in the reason.
 */
static int check_fields(const json_t *obj, const struct field *f,
			const char *what, char *err, size_t errsz)
{
	const json_t *v;

	if (!json_is_object(obj))
		return fail(err, errsz, "%s is not an object", what);
	for (; f->name; f++) {
		v = json_object_get(obj, f->name);
		if (!v) {
			if (f->required)
				return fail(err, errsz, "%s has no \"%s\"",
					    what, f->name);
			continue;
		}
		if (!type_ok(v, f->type))
			return fail(err, errsz, "%s field \"%s\" is not %s",
				    what, f->name, type_names[f->type]);
	}
	return 0;
}

int reply_media_id_valid(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int reply_media_type_valid(const char *t)
{
	static const char *const types[] = {
		"image/jpeg", "image/png", "image/webp", "image/gif",
	};

	for (size_t i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i]))
			return 1;
	return 0;
}

/* A picture's id and type, and that its size is positive. */
static int check_picture(const json_t *v, const char *what, char *err, size_t errsz)
{
	if (!reply_media_id_valid(reply_str(v, "id")))
		return fail(err, errsz, "%s has no valid picture id", what);
	if (!reply_media_type_valid(reply_str(v, "type")))
		return fail(err, errsz, "%s type is not a picture type", what);
	if (json_integer_value(json_object_get(v, "width")) <= 0 ||
	    json_integer_value(json_object_get(v, "height")) <= 0)
		return fail(err, errsz, "%s has no size", what);
	return 0;
}

/* An entry: its fields, and each picture of its "media". */
static int check_entry(const json_t *v, const char *what, char *err, size_t errsz)
{
	const json_t *m;
	char name[64];
	size_t i;

	if (check_fields(v, entry_fields, what, err, errsz))
		return -1;
	json_array_foreach(json_object_get(v, "media"), i, m) {
		snprintf(name, sizeof(name), "%s media[%zu]", what, i);
		if (check_fields(m, picture_fields, name, err, errsz) ||
		    check_picture(m, name, err, errsz))
			return -1;
	}
	return 0;
}

/* An export's picture line; its data is checked when decoded (import). */
static int check_media_line(const json_t *v, char *err, size_t errsz)
{
	if (check_fields(v, media_line_fields, "media line", err, errsz))
		return -1;
	if (strcmp(reply_str(v, "type"), "media"))
		return fail(err, errsz, "media line type is not \"media\"");
	if (!reply_media_id_valid(reply_str(v, "id")))
		return fail(err, errsz, "media line has no valid picture id");
	if (!reply_media_type_valid(reply_str(v, "content_type")))
		return fail(err, errsz, "media line content_type is not a picture type");
	return 0;
}

/* A blog object; its state must be one the client knows how to show. */
static int check_blog(const json_t *v, char *err, size_t errsz)
{
	const char *state;

	if (check_fields(v, blog_fields, "blog", err, errsz))
		return -1;
	state = reply_str(v, "state");
	if (strcmp(state, "live") && strcmp(state, "ended"))
		return fail(err, errsz, "blog state \"%.20s\" is unknown", state);
	return 0;
}

/* One stored event: entry, edit, delete or ended, with its payload. */
static int check_event(const json_t *v, char *err, size_t errsz)
{
	static const struct field seq_field[] = {
		{ "seq", F_SEQ, 1 }, { NULL, F_STR, 0 },
	};
	const char *type;

	if (check_fields(v, typed_fields, "event", err, errsz) ||
	    check_fields(v, seq_field, "event", err, errsz))
		return -1;
	type = reply_str(v, "type");
	if (!strcmp(type, "entry") || !strcmp(type, "edit"))
		return check_entry(json_object_get(v, "entry"), "event entry", err, errsz);
	if (!strcmp(type, "delete")) {
		if (!json_is_string(json_object_get(v, "entry_id")))
			return fail(err, errsz, "delete event has no entry_id");
		return 0;
	}
	if (!strcmp(type, "ended")) {
		if (!json_is_string(json_object_get(v, "ended_at")))
			return fail(err, errsz, "ended event has no ended_at");
		return 0;
	}
	return fail(err, errsz, "unknown event type \"%.20s\"", type);
}

/*
 * A WebSocket frame: stored events as above, plus the stream's own
 * messages. Unknown types are accepted (a newer server may add some);
 * the caller ignores them.
 */
static int check_frame(const json_t *v, char *err, size_t errsz)
{
	static const struct field live_fields[] = {
		{ "seq", F_SEQ_NULL, 0 }, { NULL, F_STR, 0 },
	};
	static const struct field stats_fields[] = {
		{ "readers", F_INT, 0 }, { NULL, F_STR, 0 },
	};
	const char *type;

	if (check_fields(v, typed_fields, "frame", err, errsz))
		return -1;
	type = reply_str(v, "type");
	if (!strcmp(type, "entry") || !strcmp(type, "edit") ||
	    !strcmp(type, "delete") || !strcmp(type, "ended"))
		return check_event(v, err, errsz);
	if (!strcmp(type, "hello"))
		return check_blog(json_object_get(v, "blog"), err, errsz);
	if (!strcmp(type, "live"))
		return check_fields(v, live_fields, "live frame", err, errsz);
	if (!strcmp(type, "stats"))
		return check_fields(v, stats_fields, "stats frame", err, errsz);
	return 0;
}

/* {"events":[...],"next":...}: every element must be a stored event. */
static int check_page(const json_t *v, char *err, size_t errsz)
{
	const json_t *ev;
	size_t i;
	char why[200];

	if (check_fields(v, page_fields, "events page", err, errsz))
		return -1;
	json_array_foreach(json_object_get(v, "events"), i, ev) {
		if (check_event(ev, why, sizeof(why)))
			return fail(err, errsz, "events[%zu]: %s", i, why);
	}
	return 0;
}

int reply_check(enum reply_kind kind, const json_t *v, char *err,
		size_t errsz)
{
	switch (kind) {
	case REPLY_ERROR:
		return check_fields(v, error_fields, "error reply", err, errsz);
	case REPLY_BLOG:
		return check_blog(v, err, errsz);
	case REPLY_CREATED:
		if (check_blog(v, err, errsz))
			return -1;
		return check_fields(v, created_fields, "blog", err, errsz);
	case REPLY_ENTRY:
		return check_entry(v, "entry", err, errsz);
	case REPLY_PAGE:
		return check_page(v, err, errsz);
	case REPLY_EVENT:
		return check_event(v, err, errsz);
	case REPLY_FRAME:
		return check_frame(v, err, errsz);
	case REPLY_MEDIA:
		return check_fields(v, media_fields, "picture", err, errsz) ||
		       check_picture(v, "picture", err, errsz) ? -1 : 0;
	case REPLY_MEDIA_LINE:
		return check_media_line(v, err, errsz);
	case REPLY_ANY:
		return 0;
	}
	return fail(err, errsz, "unknown reply kind");
}

/* True when buf[0..len) holds only JSON whitespace. */
static int blank(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", buf[i]) || !buf[i])
			return 0;
	return 1;
}

json_t *reply_parse(enum reply_kind kind, const char *buf, size_t len,
		    char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *v;

	if (kind == REPLY_ANY && blank(buf, len))
		return json_null();
	if (!buf || !len) {
		fail(err, errsz, "empty");
		return NULL;
	}
	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES |
		       (kind == REPLY_ANY ? JSON_DECODE_ANY : 0), &jerr);
	if (!v) {
		fail(err, errsz, "not JSON: %s", jerr.text);
		return NULL;
	}
	if (reply_check(kind, v, err, errsz)) {
		json_decref(v);
		return NULL;
	}
	return v;
}
