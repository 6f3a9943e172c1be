/*
 * frame.c — shared, refcounted WebSocket messages (see frame.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "push/frame.h"
#include "push/pmd.h"
#include "push/timer.h"

#define FIN_TEXT      0x81
#define FIN_RSV1_TEXT 0xc1   /* RSV1: a permessage-deflate message (RFC 7692 6) */

static _Thread_local bool compressing;

void frame_compression(bool on)
{
	compressing = on;
}

void frame_thread_exit(void)
{
	pmd_thread_exit();
}

static size_t header_len(uint64_t n)
{
	return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/* RFC 6455 5.2: first byte b0, then the payload length n, unmasked. */
static void put_header(unsigned char *h, unsigned char b0, uint64_t n)
{
	h[0] = b0;
	if (n < 126) {
		h[1] = (unsigned char)n;
	} else if (n < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)(n >> (56 - 8 * i));
	}
}

/*
 * A new frame (refs = 1) of text, with its compressed form when z (zlen
 * bytes of deflate) is given, or NULL. entry: the event's entry id or "".
 */
static struct frame *frame_new(const char *text, size_t len, const unsigned char *z,
			       size_t zlen, const char *seq, const char *entry, bool ended)
{
	size_t zwire = z ? header_len(zlen) + zlen : 0;
	struct frame *f = malloc(sizeof(*f) + LWS_PRE + len + zwire);

	if (!f)
		return NULL;
	f->refs = 1;
	f->ended = ended;
	f->seq.ms = f->seq.n = 0;
	snprintf(f->entry, sizeof(f->entry), "%s", entry);
	snprintf(f->seq_str, sizeof(f->seq_str), "%s", seq ? seq : "0-0");
	if (seq)
		text_seq_parse(seq, &f->seq);
	f->born = timer_now();
	f->len = len;
	f->hdr = header_len(len);
	put_header(f->buf + LWS_PRE - f->hdr, FIN_TEXT, len);
	memcpy(f->buf + LWS_PRE, text, len);
	f->zlen = zwire;
	if (z) {
		put_header(f->buf + LWS_PRE + len, FIN_RSV1_TEXT, zlen);
		memcpy(f->buf + LWS_PRE + len + header_len(zlen), z, zlen);
	}
	return f;
}

/* Serialises v; compressed too when asked, this loop compresses and it pays. */
static struct frame *frame_build(const json_t *v, const char *seq, bool ended, bool compress)
{
	char *text = codec_dump(v);
	size_t len = text ? strlen(text) : 0, zlen = 0;
	const unsigned char *z = text && compress && compressing ?
		pmd_deflate((const unsigned char *)text, len, &zlen) : NULL;
	struct frame *f;

	if (z && header_len(zlen) + zlen >= header_len(len) + len)
		z = NULL;   /* RSV1 is per message: this one goes plain */
	f = text ? frame_new(text, len, z, zlen, seq, codec_event_entry_id(v), ended) : NULL;
	free(text);
	return f;
}

struct frame *frame_from_json(const json_t *v, const char *seq, bool ended)
{
	return frame_build(v, seq, ended, true);
}

struct frame *frame_message(const json_t *v)
{
	return frame_build(v, NULL, false, false);
}

struct frame *frame_from_event(const struct store_event *ev)
{
	json_t *v = codec_event(ev->seq, ev->type, ev->data, ev->len);
	struct frame *f = v ? frame_from_json(v, ev->seq, !strcmp(ev->type, "ended")) : NULL;

	json_decref(v);
	return f;
}

struct frame *frame_redacted(const struct frame *f)
{
	json_t *v = json_loadb((const char *)f->buf + LWS_PRE, f->len, 0, NULL);
	json_t *r = v ? codec_event_redacted(v) : NULL;
	struct frame *out = r ? frame_from_json(r, f->seq_str, f->ended) : NULL;

	if (out)
		out->born = f->born;
	json_decref(r);
	json_decref(v);
	return out;
}

struct frame *frame_ref(struct frame *f)
{
	f->refs++;
	return f;
}

void frame_unref(struct frame *f)
{
	if (f && !--f->refs)
		free(f);
}
