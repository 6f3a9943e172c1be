/*
 * redis_conn.h — one asynchronous Redis connection on the lws event loop.
 *
 * The hiredis socket is adopted into lws as a raw file descriptor (a dup(),
 * so that lws and hiredis each close their own copy) and driven by a small
 * adapter; lws_sul timers give reconnect backoff (100 ms doubling to 3 s), a
 * connect watchdog and, when enabled, a PING watchdog that drops a
 * connection whose server stopped answering even though its socket looks
 * alive. A host name is resolved off the loop (resolve.h): hiredis only
 * ever gets a numeric address, so its getaddrinfo() never blocks the loop.
 *
 * Every (re)connection starts with a handshake: AUTH [user] password when
 * the URL has a password, then PING, then (for a master found through
 * Sentinel) ROLE, which must say "master". The connection counts as up
 * (on_up runs, rconn_command accepts) only once all of them were answered
 * as expected; a refusal (WRONGPASS, NOAUTH, LOADING, a replica...) is
 * logged, without the password, and retried after the backoff. A
 * connection to a Sentinel sends AUTH only when the sentinel asks for it
 * (NOAUTH), with the same credentials.
 *
 * Where a connection goes: a redis:// or unix:// URL's address; or, with a
 * locator (sentinel.h), wherever the locator says before each attempt.
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
/*
 * Before each connection attempt: 0 when rc's address is set (with
 * rconn_set_addr) and rc may connect now; 1 when rc must wait for the
 * locator's rconn_retry_now().
 */
typedef int (*rconn_locate_fn)(struct rconn *rc, void *arg);

enum rconn_role {
	RCONN_ANY,        /* redis:// or unix://: whatever answers there */
	RCONN_MASTER,     /* found through sentinels: ROLE must say master */
	RCONN_SENTINEL,   /* a sentinel: AUTH only when it asks for it */
};

enum rconn_step { RCONN_AUTH, RCONN_PING, RCONN_ROLE };

struct rconn {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	const char *name;
	struct redis_url url;      /* as given, with the credentials */
	enum rconn_role role;
	struct redis_url_addr addr;/* TCP: where the next attempt goes */
	char where[REDIS_URL_HOST_MAX + 8]; /* host:port or the path, for logs */
	redisAsyncContext *ac;
	struct lws *wsi;
	struct lws *dns_wsi;       /* the resolver's pipe while a name resolves */
	bool up;
	enum rconn_step steps[4];  /* the handshake's replies to come, in order */
	int nsteps, step;
	bool auth_sent;
	bool stopping;
	bool watch_ping;           /* PING every second, drop after ping_limit s silence */
	int ping_limit;            /* seconds (5 unless set) */
	int ping_outstanding;
	unsigned failures;         /* attempts since the connection was last up */
	rconn_locate_fn locate;
	void *locate_arg;
	rconn_reply_fn sub_fn;     /* rconn_subscribe's */
	void *sub_arg;
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

/*
 * Parses url (redis://, unix:// or sentinel://, see redis_url.h). Returns
 * 0 or -1. A sentinel:// URL makes a connection to the master (role
 * RCONN_MASTER) that needs a locator (rconn_locate_by) before it starts.
 */
int rconn_init(struct rconn *rc, struct lws_context *ctx, struct lws_vhost *vh,
	       const char *url, const char *name);
/* From now on, each attempt asks fn where to go (see rconn_locate_fn). */
void rconn_locate_by(struct rconn *rc, rconn_locate_fn fn, void *arg);
/* Where the next attempt goes (TCP); the current connection is left alone. */
void rconn_set_addr(struct rconn *rc, const char *host, int port);
void rconn_start(struct rconn *rc);
/* Stops reconnecting and frees the connection; pending callbacks get NULL. */
void rconn_stop(struct rconn *rc);
/* Drops the connection now (pending callbacks get NULL) and reconnects. */
void rconn_drop(struct rconn *rc);
/* Not connected nor connecting: try now, skipping what is left of the backoff. */
void rconn_retry_now(struct rconn *rc);
/*
 * The server answered READONLY (it is a replica now): logs it once and
 * drops the connection, which asks its locator again before reconnecting.
 */
void rconn_not_master(struct rconn *rc, const char *why);
int rconn_command(struct rconn *rc, rconn_reply_fn fn, void *arg, int argc,
		  const char **argv, const size_t *argvlen);
/*
 * SUBSCRIBE channel on an up connection, which then accepts no other
 * command. fn gets every push (the subscription's confirmation, then each
 * ["message", channel, payload]) and is not called when the connection
 * goes (on_down is). Returns 0 or -1.
 */
int rconn_subscribe(struct rconn *rc, const char *channel, rconn_reply_fn fn,
		    void *arg);

#endif
