/*
 * ws_ka.h — keepalive for WebSocket readers, without lws' validity timers.
 *
 * lws 4.1.6 keeps a timer per connection for its pings (retry_and_idle_
 * policy) in one sorted list, and inserting one walks the list: O(readers)
 * for every reader that connects or answers a ping (NOTES P9; perf put
 * 16 % of the server's CPU in lws_dll2_add_sorted while 10,000 readers
 * connected). So lws' validity is off (a policy with no hangup) and a
 * loop's tick, every few seconds, visits its connections once (lws walks
 * its descriptor table): a reader idle for --ping-interval seconds (no
 * pong since it connected or answered) gets a ping, and one still silent
 * 30 seconds later is closed, as lws did. O(1) per reader and tick.
 */
#ifndef LB_WS_KA_H
#define LB_WS_KA_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

/* The protocol callback's reason for the tick's visit. */
#define WS_KA_VISIT (LWS_CALLBACK_USER + 71)

/* A connection's state (in the protocol's per-session data, zeroed). */
struct ws_ka {
	uint32_t valid_s;        /* the loop's second of the last sign of life */
	bool pinged;             /* a ping went out since then */
	bool ping_due;           /* the ping waits for WRITEABLE */
};

/*
 * Starts this loop's tick (pings every ping_secs for protocol p of vh);
 * ws_ka_stop before the context goes.
 */
void ws_ka_start(struct lws_context *ctx, struct lws_vhost *vh,
		 const struct lws_protocols *p, int ping_secs);
void ws_ka_stop(void);
/* A sign of life: established, or a pong. */
void ws_ka_alive(struct ws_ka *ka);
/* WS_KA_VISIT: pings or closes the connection as due. */
void ws_ka_visit(struct lws *wsi, struct ws_ka *ka);
/* In WRITEABLE: true when it wrote the ping due (the caller writes no more now). */
bool ws_ka_writable(struct lws *wsi, struct ws_ka *ka);

#endif
