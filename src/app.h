/*
 * app.h — the state of one liveblogd event loop (a fan-out loop or the
 * front, each on its own thread): settings, its lws context, its store and
 * tail. The hubs keep their own (push/hub.h), as does the byte budget
 * (cache.h).
 */
#ifndef LB_APP_H
#define LB_APP_H

#include <jansson.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdbool.h>

#include "common/codec.h"
#include "config.h"
#include "shared.h"
#include "store/feed.h"
#include "store/store.h"

struct lb_app {
	struct lb_config cfg;
	struct lb_limits limits;
	char admin_hash[72];
	char instance[40];
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct store *store;
	struct feed *feed;
	int worker;                       /* loop index; the front is last */
	bool shutting_down;
};

/* Each worker thread has its own; see shared.h for what they share. */
extern _Thread_local struct lb_app app;
extern volatile sig_atomic_t stop_signal;

#endif
