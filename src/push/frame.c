/*
 * frame.c — shared, refcounted WebSocket messages.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "push/frame.h"
#include "push/timer.h"

/* RFC 6455 5.2: FIN + text opcode, then the payload length, unmasked. */
static void write_header(struct frame *f)
{
	unsigned char *h;
	uint64_t n = f->len;

	f->hdr = n < 126 ? 2 : n < 65536 ? 4 : 10;
	h = f->buf + LWS_PRE - f->hdr;
	h[0] = 0x81;
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

struct frame *frame_from_json(const json_t *v, const char *seq, bool ended)
{
	char *text = codec_dump(v);
	size_t len = text ? strlen(text) : 0;
	struct frame *f = text ? malloc(sizeof(*f) + LWS_PRE + len) : NULL;

	if (f) {
		f->refs = 1;
		f->ended = ended;
		f->seq.ms = f->seq.n = 0;
		snprintf(f->entry, sizeof(f->entry), "%s", codec_event_entry_id(v));
		snprintf(f->seq_str, sizeof(f->seq_str), "%s", seq ? seq : "0-0");
		if (seq)
			text_seq_parse(seq, &f->seq);
		f->born = timer_now();
		f->len = len;
		memcpy(f->buf + LWS_PRE, text, len);
		write_header(f);
	}
	free(text);
	return f;
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
