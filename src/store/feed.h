/*
 * feed.h — the tail: one Redis connection that only ever has one
 * `XREAD BLOCK` outstanding on lb:feed, the stream every write also lands
 * in. Each instance reads it from its own last id, so every instance sees
 * every change; after a reconnect it resumes from that id and asks every
 * hub to re-read its blog's log from its own last seq, so nothing written
 * meanwhile (by any instance) is skipped.
 */
#ifndef LB_FEED_H
#define LB_FEED_H

#include "store/redis_conn.h"

struct feed {
	struct rconn tail;
	char last_id[48];
	bool ready;              /* known blogs loaded and a start id fixed */
	bool reading;
	lws_sorted_usec_list_t sul_watchdog;
	unsigned long items;
};

int feed_init(struct feed *fd, struct lws_context *ctx, struct lws_vhost *vh,
	      const char *url);
void feed_start(struct feed *fd);
void feed_stop(struct feed *fd);

#endif
