/*
 * app.h — the state of one liveblogd event loop: settings, store, tail,
 * hubs and counters. One instance per process (the loop is single-threaded).
 */
#ifndef LB_APP_H
#define LB_APP_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdbool.h>

#include "common/codec.h"
#include "config.h"
#include "store/feed.h"
#include "store/store.h"

#define FANOUT_BUCKETS 9

struct lb_metrics {
	unsigned long http_requests;
	unsigned long readers;            /* gauge */
	unsigned long readers_total;
	unsigned long readers_culled;
	unsigned long readers_refused;
	unsigned long frames_sent;
	unsigned long fanout_count;
	double fanout_sum;
	unsigned long fanout_bucket[FANOUT_BUCKETS];
};

struct lb_app {
	struct lb_config cfg;
	struct lb_limits limits;
	char admin_hash[72];
	char instance[40];
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct store store;
	struct feed feed;
	lws_dll2_owner_t hubs;
	json_t *known_blogs;              /* set of blog ids (object keys) */
	json_t *readers_per_ip;           /* address → open readers */
	struct lb_metrics m;
	volatile int stop_signal;
	bool shutting_down;
};

extern struct lb_app app;
extern const double fanout_bounds[FANOUT_BUCKETS];

#endif
