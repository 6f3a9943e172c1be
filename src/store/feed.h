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
	struct rconn *cmd;       /* writes the canary */
	const char *instance;
	char canary_key[96];     /* lb:canary:<instance>, read with the feed */
	char canary_id[48];
	lws_usec_t canary_sent;  /* newest canary Redis acknowledged (0: none) */
	lws_usec_t canary_seen;  /* newest canary the tail read back */
	lws_usec_t canary_pending; /* oldest acknowledged canary not yet seen */
	unsigned long canaries;
	lws_sorted_usec_list_t sul_canary;
	char last_id[48];
	bool ready;              /* known blogs loaded and a start id fixed */
	bool reading;
	lws_sorted_usec_list_t sul_watchdog;
	unsigned long items;
};

int feed_init(struct feed *fd, struct lws_context *ctx, struct lws_vhost *vh,
	      const char *url, struct rconn *cmd, const char *instance);
/*
 * Delivery canary: every 2 s the instance writes to its own hidden, trimmed
 * stream through the command connection and reads it back through the tail.
 * Returns how long (µs) an acknowledged canary has gone unseen; over a few
 * seconds means delivery is stalled even if both sockets look healthy.
 */
lws_usec_t feed_canary_lag(const struct feed *fd);
void feed_start(struct feed *fd);
void feed_stop(struct feed *fd);

#endif
