/*
 * out.h — how a reader's messages reach its connection: a WebSocket
 * (out_ws.c) or a Server-Sent Events stream (out_sse.c). The reader
 * (reader.c) decides what to send and when; these only write. Tests give
 * readers a recording output instead (tests/fakes/).
 *
 * `text` always has LWS_PRE bytes of headroom before it.
 */
#ifndef LB_OUT_H
#define LB_OUT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

struct out_ops {
	/* Asks for a WRITEABLE callback on the connection. */
	void (*wake)(struct lws *wsi);
	/* The connection is closed within secs, whatever happens (culling). */
	void (*deadline)(struct lws *wsi, int secs);
	/*
	 * In WRITEABLE: one message; id is the event's seq (SSE `id:`) or
	 * NULL, first tells the stream's first message. 0, or -1 to close.
	 */
	int (*message)(struct lws *wsi, unsigned char *text, size_t len,
		       const char *id, bool first);
	/*
	 * In WRITEABLE: WebSocket frames already framed, back to back, in one
	 * write (NULL: this output cannot take them, send messages). 0 or -1.
	 */
	int (*frames)(struct lws *wsi, const unsigned char *wire, size_t len);
	/*
	 * Outside WRITEABLE: frames straight to the socket when nothing of the
	 * connection's is buffered. False: not now, ask for WRITEABLE. True:
	 * taken (a partial send leaves the rest to lws); *failed when that failed.
	 */
	bool (*send_now)(struct lws *wsi, const unsigned char *wire, size_t len,
			 bool *failed);
	/* In WRITEABLE, before the callback returns -1: the close frame. */
	void (*close)(struct lws *wsi, int code, const char *reason);
	/*
	 * permessage-deflate was negotiated: frames of the log go in their
	 * compressed form, through frames() (frame.h frame_wire_for).
	 */
	bool deflate;
};

extern const struct out_ops out_ws, out_ws_deflate, out_sse;

#endif
