/*
 * reply.h — parsing of everything the server sends the client: HTTP reply
 * bodies and WebSocket frames. The server is untrusted input: every reply
 * is decoded and checked against the wire format of SPEC.md before any
 * other module looks at it, so the rest of the client may rely on field
 * presence and types. Pure functions (jansson only, no I/O, no globals),
 * so a fuzz target can call reply_parse() directly.
 */
#ifndef LIVEBLOG_CLI_REPLY_H
#define LIVEBLOG_CLI_REPLY_H

#include <stddef.h>
#include <jansson.h>

enum reply_kind {
	REPLY_ERROR,	/* {"error":code,"message":text} */
	REPLY_BLOG,	/* a blog object */
	REPLY_CREATED,	/* a blog object with "editor_token" */
	REPLY_ENTRY,	/* an entry object */
	REPLY_PAGE,	/* {"events":[EVENT...],"next":SEQ|null} */
	REPLY_EVENT,	/* one stored event: entry, edit, delete or ended */
	REPLY_FRAME,	/* one WebSocket frame: an event, hello, live, ... */
	REPLY_MEDIA,	/* an upload's answer {"id","type","width","height","bytes","url"} */
	REPLY_MEDIA_LINE, /* an export's {"type":"media","id","content_type","data"} */
	REPLY_ANY,	/* any JSON value, or an empty body (returns null) */
};

/*
 * Decodes buf[0..len) as JSON and checks it is a well-formed reply of the
 * given kind. Returns a new reference the caller must json_decref(), or
 * NULL with a one-line lower-case reason in err (errsz bytes, always
 * NUL-terminated). Never reads past len; buf need not be NUL-terminated.
 */
json_t *reply_parse(enum reply_kind kind, const char *buf, size_t len,
		    char *err, size_t errsz);

/*
 * Checks an already decoded value against a kind (REPLY_EVENT,
 * REPLY_FRAME, REPLY_ENTRY, REPLY_BLOG...). Returns 0, or -1 with err set.
 */
int reply_check(enum reply_kind kind, const json_t *v, char *err,
		size_t errsz);

/* True when s is a stream id "<ms>-<n>" (or "<ms>") of decimal numbers. */
int reply_seq_valid(const char *s);

/*
 * Orders two stream ids as Redis does: <0, 0, >0. Both must satisfy
 * reply_seq_valid().
 */
int reply_seq_cmp(const char *a, const char *b);

/* True when s is a picture id: 64 lower-case hex digits. */
int reply_media_id_valid(const char *s);

/* True when t is a picture type the server takes (image/jpeg, png, webp, gif). */
int reply_media_type_valid(const char *t);

/* The string member name of obj, or NULL when absent or not a string. */
const char *reply_str(const json_t *obj, const char *name);

#endif
