/*
 * redis_conn.h — one asynchronous Redis connection on the lws event loop.
 *
 * The hiredis socket is adopted into lws as a raw file descriptor (a dup(),
 * so that lws and hiredis each close their own copy) and driven by a small
 * adapter; lws_sul timers give reconnect backoff (100 ms doubling to 3 s), a
 * connect watchdog and, when enabled, a PING watchdog that drops a
 * connection whose server stopped answering even though its socket looks
 * alive.
 *
 * Every (re)connection starts with a handshake: AUTH [user] password when
 * the URL has a password, then PING. The connection counts as up (on_up
 * runs, rconn_command accepts) only once AUTH said OK and PING said PONG;
 * a refusal (WRONGPASS, NOAUTH, LOADING...) is logged, without the
 * password, and retried after the backoff.
 *
 * Contract of rconn_command(): it either returns -1 and never calls back,
 * or returns 0 and calls back exactly once — with the reply, or with NULL
 * when the connection is lost or stopped before the reply arrives.
 */
#ifndef LB_REDIS_CONN_H
#define LB_REDIS_CONN_H

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <libwebsockets.h>
#include <stdbool.h>

#include "store/redis_url.h"

struct rconn;

typedef void (*rconn_event_fn)(struct rconn *rc, void *arg);
typedef void (*rconn_reply_fn)(redisReply *reply, void *arg);

struct rconn {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	const char *name;
	struct redis_url url;      /* TCP or UNIX, with the credentials */
	char where[REDIS_URL_HOST_MAX + 8]; /* host:port or the path, for logs */
	redisAsyncContext *ac;
	struct lws *wsi;
	bool up;
	int handshake;             /* its replies still to come: 2 AUTH+PING, 1 PING */
	bool stopping;
	bool watch_ping;           /* PING every second, drop after 5 s silence */
	int ping_outstanding;
	lws_usec_t last_reply;     /* when any byte of a reply last arrived */
	unsigned backoff_ms;
	unsigned long reconnects;
	lws_sorted_usec_list_t sul_retry;
	lws_sorted_usec_list_t sul_watchdog;
	lws_sorted_usec_list_t sul_ping;
	rconn_event_fn on_up;
	rconn_event_fn on_down;
	void *arg;
};

/* The raw-file protocol to list in the vhost's protocols. */
extern const struct lws_protocols rconn_protocol;

/* Parses url (redis://[[user]:password@]host:port or unix:///path, see
 * redis_url.h; not sentinel://). Returns 0 or -1. */
int rconn_init(struct rconn *rc, struct lws_context *ctx, struct lws_vhost *vh,
	       const char *url, const char *name);
void rconn_start(struct rconn *rc);
/* Stops reconnecting and frees the connection; pending callbacks get NULL. */
void rconn_stop(struct rconn *rc);
/* Drops the connection now (pending callbacks get NULL) and reconnects. */
void rconn_drop(struct rconn *rc);
int rconn_command(struct rconn *rc, rconn_reply_fn fn, void *arg, int argc,
		  const char **argv, const size_t *argvlen);

#endif
