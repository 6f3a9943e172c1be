/*
 * feed.h — the tail: one Redis connection that only ever has one
 * `XREAD BLOCK` outstanding on lb:feed, the stream every write also lands
 * in. Each instance reads it from its own last id, so every instance sees
 * every change; after a reconnect it resumes from that id and tells its
 * sink it is ready again, so that the hubs re-read their blogs' logs from
 * their own last seq and nothing written meanwhile (by any instance) is
 * skipped.
 *
 * The feed knows nothing of hubs: what it reads goes to a sink of
 * callbacks, wired by whoever starts it.
 */
#ifndef LB_FEED_H
#define LB_FEED_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "store/store.h"

struct feed_sink {
	/* an event of a blog's log; prev: the seq of the event before it */
	void (*event)(void *arg, const char *blog, const struct store_event *ev,
		      const char *prev);
	/* a reply's events are all in (readers may get them in one send) */
	void (*batch_done)(void *arg);
	/* the feed reads (again): every blog it may have missed should be re-read */
	void (*ready)(void *arg);
	/* a blog was created (or is known at start) */
	void (*created)(void *arg, const char *blog);
	/* a blog's title or language changed: data is {"title","lang"} (may be NULL) */
	void (*blog)(void *arg, const char *blog, const char *data, size_t len);
	/*
	 * pictures' bytes were deleted (media_gc.lua): ids is their space-
	 * separated sha256s, len bytes, not terminated (may be NULL)
	 */
	void (*media_gone)(void *arg, const char *ids, size_t len);
	void *arg;
};

struct feed;

/*
 * A feed on url, writing its delivery canary through store (a Redis
 * store: its command connection). NULL on a bad URL or no memory.
 */
struct feed *feed_new(struct lws_context *ctx, struct lws_vhost *vh,
		      const char *url, struct store *store, const char *instance,
		      const struct feed_sink *sink);
void feed_start(struct feed *fd);
void feed_stop(struct feed *fd);
void feed_free(struct feed *fd);

bool feed_up(const struct feed *fd);
/* Known blogs loaded and a start id fixed: hubs may load. */
bool feed_ready(const struct feed *fd);
/*
 * Delivery canary: every 2 s the instance writes to its own hidden, trimmed
 * stream through the command connection and reads it back through the tail.
 * Returns how long (µs) an acknowledged canary has gone unseen; over a few
 * seconds means delivery is stalled even if both sockets look healthy.
 */
lws_usec_t feed_canary_lag(const struct feed *fd);
unsigned long feed_canaries(const struct feed *fd);
unsigned long feed_items(const struct feed *fd);
unsigned long feed_reconnects(const struct feed *fd);

#endif
