/*
 * redis_store.h — the Redis store: one command connection on the lws loop,
 * atomic Lua scripts called by SHA (see store.h for the operations).
 */
#ifndef LB_REDIS_STORE_H
#define LB_REDIS_STORE_H

#include <libwebsockets.h>

#include "store/store.h"

struct rconn;

#define STORE_FEED_KEY    "lb:feed"
#define STORE_FEED_MAXLEN "10000"

/*
 * A store on url (redis://, unix:// or sentinel://; see redis_url.h), not
 * yet started; NULL on a bad URL. With sentinel:// it finds and follows
 * the master through the sentinels (sentinel.h).
 */
struct store *redis_store_new(struct lws_context *ctx, struct lws_vhost *vh,
			      const char *url);
/* The raw-file protocol of Redis connections, to list in a vhost's protocols. */
extern const struct lws_protocols rconn_protocol;

/* Its command connection (the feed writes its canary there). */
struct rconn *redis_store_conn(struct store *st);
/*
 * Before it starts: a write is acknowledged only once `replicas` replicas
 * hold it (WAIT, on a connection of its own), within timeout_ms; else the
 * call answers LB_UNAVAILABLE with a message saying it may be stored.
 */
void redis_store_set_ack(struct store *st, long replicas, long timeout_ms);
/*
 * rc, made from the store's URL and not started, follows the same master
 * as the store (with sentinel://; nothing to do otherwise). 0 or -1.
 */
int redis_store_follow(struct store *st, struct rconn *rc);

#endif
