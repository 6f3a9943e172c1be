/*
 * frame.h — one serialised WebSocket text message with LWS_PRE headroom,
 * shared by reference between the hub's ring and every reader.
 *
 * A frame of the log (and the hub's stats) also carries, when this loop
 * compresses (frame_compression) and it saves bytes, its permessage-deflate
 * form (RFC 7692): the text deflated once, raw, with no context taken over,
 * the trailing 00 00 ff ff removed, framed with RSV1 set. Every reader
 * that negotiated the extension gets those same bytes.
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
	size_t zlen;             /* compressed wire bytes after the text, 0: none */
	unsigned char buf[];     /* LWS_PRE bytes, the JSON text, the compressed frame */
};

/*
 * This thread's frames of the log get a compressed form (on) or not.
 * Off until called; frame_thread_exit frees the compressor.
 */
void frame_compression(bool on);
void frame_thread_exit(void);

/*
 * Serialises v once into a new frame (refs = 1), or NULL. The WebSocket
 * header of an unmasked text frame is written once too, right before the
 * text, so buf + LWS_PRE - hdr holds the whole frame as it goes on the wire
 * (server frames are unmasked: the same bytes suit every reader). With
 * compression on, the compressed form too when it is shorter.
 */
struct frame *frame_from_json(const json_t *v, const char *seq, bool ended);
/* The frame of one stored event of a log (codec_event), or NULL. */
struct frame *frame_from_event(const struct store_event *ev);
/* A message for one reader only (hello, live, reset): never compressed. */
struct frame *frame_message(const json_t *v);
/* The same event with its entry redacted (a new frame), or NULL. */
struct frame *frame_redacted(const struct frame *f);
struct frame *frame_ref(struct frame *f);
/* The frame's wire bytes (header + text) and their length. */
static inline unsigned char *frame_wire(struct frame *f, size_t *len)
{
	*len = f->hdr + f->len;
	return f->buf + LWS_PRE - f->hdr;
}
/*
 * The wire bytes for a reader: the compressed form when it negotiated
 * permessage-deflate (deflate) and the frame has one, else the plain one.
 */
static inline unsigned char *frame_wire_for(struct frame *f, bool deflate, size_t *len)
{
	if (!deflate || !f->zlen)
		return frame_wire(f, len);
	*len = f->zlen;
	return f->buf + LWS_PRE + f->len;
}
/* The bytes the frame holds in memory (for byte budgets). */
static inline size_t frame_size(const struct frame *f)
{
	return sizeof(*f) + LWS_PRE + f->len + f->zlen;
}
void frame_unref(struct frame *f);

#endif
