/*
 * out_ws.c — a reader's messages as WebSocket text frames (see out.h),
 * compressed or not.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "push/out.h"
#include "push/ws.h"

static void ws_wake(struct lws *wsi)
{
	lws_callback_on_writable(wsi);
}

static void ws_deadline(struct lws *wsi, int secs)
{
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, secs);
}

static int ws_message(struct lws *wsi, unsigned char *text, size_t len,
		      const char *id, bool first)
{
	(void)id;
	(void)first;
	return lws_write(wsi, text, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
}

static int ws_frames(struct lws *wsi, const unsigned char *wire, size_t len)
{
	return lws_write(wsi, (unsigned char *)wire, len, LWS_WRITE_RAW) < (int)len ? -1 : 0;
}

/*
 * From the wake pass: the socket almost always has room, and writing now
 * spares the poll pass that POLLOUT would cost. Only when lws holds none
 * of this connection's output, so the bytes stay in order.
 */
static bool ws_send_now(struct lws *wsi, const unsigned char *wire, size_t len,
			bool *failed)
{
	ssize_t w;

	*failed = false;
	if (lws_partial_buffered(wsi))
		return false;
	w = send(lws_get_socket_fd(wsi), wire, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w <= 0)
		return false;   /* full or failing: WRITEABLE will tell */
	if ((size_t)w < len &&
	    lws_write(wsi, (unsigned char *)wire + w, len - (size_t)w, LWS_WRITE_RAW) <
	    (int)(len - (size_t)w))
		*failed = true;
	ws_rx_hold(wsi);
	return true;
}

static void ws_close(struct lws *wsi, int code, const char *reason)
{
	lws_close_reason(wsi, (enum lws_close_status)code,
			 (unsigned char *)reason, strlen(reason));
}

const struct out_ops out_ws = {
	.wake = ws_wake,
	.deadline = ws_deadline,
	.message = ws_message,
	.frames = ws_frames,
	.send_now = ws_send_now,
	.close = ws_close,
};

/* The same, for a reader that negotiated permessage-deflate. */
const struct out_ops out_ws_deflate = {
	.wake = ws_wake,
	.deadline = ws_deadline,
	.message = ws_message,
	.frames = ws_frames,
	.send_now = ws_send_now,
	.close = ws_close,
	.deflate = true,
};
