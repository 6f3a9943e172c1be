/*
 * frame.h — one serialised WebSocket text message with LWS_PRE headroom,
 * shared by reference between the hub's ring and every reader.
 */
#ifndef LB_FRAME_H
#define LB_FRAME_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "common/text.h"
#include "store/store.h"

struct frame {
	unsigned refs;
	bool ended;              /* the `ended` event: the stream closes after it */
	struct lb_seq seq;       /* 0-0 for frames that are not log events */
	char seq_str[48];
	char entry[40];          /* an entry or edit event's entry id, else "" */
	lws_usec_t born;         /* when the hub received it (fan-out latency) */
	size_t len;
	size_t hdr;              /* WebSocket header bytes just before the text */
	unsigned char buf[];     /* LWS_PRE bytes, then the JSON text */
};

/*
 * Serialises v once into a new frame (refs = 1), or NULL. The WebSocket
 * header of an unmasked text frame is written once too, right before the
 * text, so buf + LWS_PRE - hdr holds the whole frame as it goes on the wire
 * (server frames are unmasked: the same bytes suit every reader).
 */
struct frame *frame_from_json(const json_t *v, const char *seq, bool ended);
/* The frame of one stored event of a log (codec_event), or NULL. */
struct frame *frame_from_event(const struct store_event *ev);
/* The same event with its entry redacted (a new frame), or NULL. */
struct frame *frame_redacted(const struct frame *f);
struct frame *frame_ref(struct frame *f);
/* The frame's wire bytes (header + text) and their length. */
static inline unsigned char *frame_wire(struct frame *f, size_t *len)
{
	*len = f->hdr + f->len;
	return f->buf + LWS_PRE - f->hdr;
}
void frame_unref(struct frame *f);

#endif
