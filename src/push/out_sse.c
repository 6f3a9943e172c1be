/*
 * out_sse.c — a reader's messages as Server-Sent Events on an HTTP
 * response (see out.h): `id: <seq>` then `data: <json>`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "push/out.h"

static void sse_wake(struct lws *wsi)
{
	lws_callback_on_writable(wsi);
}

static void sse_deadline(struct lws *wsi, int secs)
{
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, secs);
}

static int sse_message(struct lws *wsi, unsigned char *text, size_t len,
		       const char *id, bool first)
{
	unsigned char *b = malloc(LWS_PRE + len + 96);
	int n, ret;

	if (!b)
		return -1;
	/* the first event also tells EventSource how soon to reconnect */
	n = sprintf((char *)b + LWS_PRE, "%s%s%s%sdata: ", first ? "retry: 3000\n" : "",
		    id ? "id: " : "", id ? id : "", id ? "\n" : "");
	memcpy(b + LWS_PRE + n, text, len);
	memcpy(b + LWS_PRE + n + len, "\n\n", 2);
	n += (int)len + 2;
	ret = lws_write(wsi, b + LWS_PRE, (size_t)n, LWS_WRITE_HTTP) < n ? -1 : 0;
	free(b);
	return ret;
}

static bool sse_send_now(struct lws *wsi, const unsigned char *wire, size_t len,
			 bool *failed)
{
	(void)wsi;
	(void)wire;
	(void)len;
	*failed = false;
	return false;
}

static void sse_close(struct lws *wsi, int code, const char *reason)
{
	(void)wsi;
	(void)code;
	(void)reason;   /* an HTTP stream just ends */
}

const struct out_ops out_sse = {
	.wake = sse_wake,
	.deadline = sse_deadline,
	.message = sse_message,
	.frames = NULL,
	.send_now = sse_send_now,
	.close = sse_close,
};
