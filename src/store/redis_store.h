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

/* A store on url (redis://host:port or unix:///path), not yet started; NULL on a bad URL. */
struct store *redis_store_new(struct lws_context *ctx, struct lws_vhost *vh,
			      const char *url);
/* The raw-file protocol of Redis connections, to list in a vhost's protocols. */
extern const struct lws_protocols rconn_protocol;

/* Its command connection (the feed writes its canary there). */
struct rconn *redis_store_conn(struct store *st);

#endif
