/*
 * ws_ka.c — keepalive for WebSocket readers (see ws_ka.h).
 */
#include <string.h>
#include <sys/socket.h>

#include "push/ws.h"
#include "push/ws_ka.h"

#define HANGUP_AFTER_PING_S 30   /* as lws' policy had it: ping + 30 s */

static _Thread_local struct lws_context *ka_ctx;
static _Thread_local struct lws_vhost *ka_vh;
static _Thread_local const struct lws_protocols *ka_proto;
static _Thread_local lws_sorted_usec_list_t ka_sul;
static _Thread_local int ka_ping_s;

static uint32_t now_s(void)
{
	return (uint32_t)(lws_now_usecs() / LWS_US_PER_SEC);
}

/* Every connection's visit; then again in a quarter ping (1 to 5 s). */
static void ka_tick(lws_sorted_usec_list_t *sul)
{
	int period = ka_ping_s / 4 < 1 ? 1 : ka_ping_s / 4 > 5 ? 5 : ka_ping_s / 4;

	(void)sul;
	lws_callback_all_protocol_vhost_args(ka_vh, ka_proto, WS_KA_VISIT, NULL, 0);
	lws_sul_schedule(ka_ctx, 0, &ka_sul, ka_tick, (lws_usec_t)period * LWS_US_PER_SEC);
}

void ws_ka_start(struct lws_context *ctx, struct lws_vhost *vh,
		 const struct lws_protocols *p, int ping_secs)
{
	ka_ctx = ctx;
	ka_vh = vh;
	ka_proto = p;
	ka_ping_s = ping_secs;
	lws_sul_schedule(ctx, 0, &ka_sul, ka_tick, LWS_US_PER_SEC);
}

void ws_ka_stop(void)
{
	lws_sul_cancel(&ka_sul);
	ka_ctx = NULL;
}

void ws_ka_alive(struct ws_ka *ka)
{
	ka->valid_s = now_s();
	ka->pinged = false;
}

/*
 * A ping straight to the socket when lws holds none of the connection's
 * output (a control frame between whole frames), else at WRITEABLE. It
 * carries a payload: lws 4.1.6 hands an empty pong to no callback.
 */
static const unsigned char ping_frame[6] = { 0x89, 0x04, 'l', 'b', 'k', 'a' };

static void ping(struct lws *wsi, struct ws_ka *ka)
{
	ssize_t w = lws_partial_buffered(wsi) ? -1 :
		    send(lws_get_socket_fd(wsi), ping_frame, sizeof(ping_frame),
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	ka->pinged = true;
	if (w == (ssize_t)sizeof(ping_frame))
		return;
	if (w > 0) {
		unsigned char rest[LWS_PRE + sizeof(ping_frame)];
		size_t n = sizeof(ping_frame) - (size_t)w;

		memcpy(rest + LWS_PRE, ping_frame + w, n);
		lws_write(wsi, rest + LWS_PRE, n, LWS_WRITE_RAW);   /* lws keeps it */
		ws_rx_hold(wsi);
		return;
	}
	ka->ping_due = true;
	lws_callback_on_writable(wsi);
}

void ws_ka_visit(struct lws *wsi, struct ws_ka *ka)
{
	uint32_t idle;

	if (!ka->valid_s)
		return;   /* not established */
	idle = now_s() - ka->valid_s;
	if (idle >= (uint32_t)ka_ping_s + HANGUP_AFTER_PING_S)
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	else if (idle >= (uint32_t)ka_ping_s && !ka->pinged)
		ping(wsi, ka);
}

bool ws_ka_writable(struct lws *wsi, struct ws_ka *ka)
{
	unsigned char buf[LWS_PRE + sizeof(ping_frame)];

	if (!ka->ping_due)
		return false;
	ka->ping_due = false;
	memcpy(buf + LWS_PRE, ping_frame + 2, sizeof(ping_frame) - 2);
	lws_write(wsi, buf + LWS_PRE, sizeof(ping_frame) - 2, LWS_WRITE_PING);
	lws_callback_on_writable(wsi);   /* the reader's turn comes next */
	return true;
}
