/*
 * stream.h — the live event stream of one blog over the WebSocket
 * /ws/blogs/{id} (subprotocol liveblog.v1): connects, reassembles and
 * checks frames, drops events already seen, reconnects with backoff and
 * jitter resuming from the last seq, and stops when the blog has ended.
 */
#ifndef LIVEBLOG_CLI_STREAM_H
#define LIVEBLOG_CLI_STREAM_H

#include <jansson.h>
#include <libwebsockets.h>

#include "api.h"

/*
 * Called once per checked frame, in order (see reply.h REPLY_FRAME):
 * hello, live, stats, reset, and each stored event once even across
 * reconnects. frame is borrowed.
 */
typedef void stream_frame_fn(void *ctx, const json_t *frame);

struct stream_opts {
	const struct api *api;
	const char *blog;	/* a valid blog id */
	const char *replay;	/* speed for ?replay=, or NULL */
	const char *subject;	/* names the command in messages */
	stream_frame_fn *on_frame;
	void *ctx;
};

/*
 * Follows the blog until it ends: returns 0 after the "ended" event or a
 * normal close (1000), 1 after printing one line when the blog is
 * unknown, the server refuses the stream, sends a bad frame, or cannot be
 * reached at all. Lost connections are retried without end once the
 * stream has been up, with a notice on stderr.
 */
int stream_run(const struct stream_opts *o);

/* The lws protocol callback of the stream (see loop.c). */
int stream_callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len);

#endif
