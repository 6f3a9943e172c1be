/*
 * ws.c — the liveblog.v1 WebSocket protocol: handshake checks, then the
 * reader (hub.c) decides what to send.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app.h"
#include "common/text.h"
#include "http/origin.h"
#include "liveblog/protocol.h"
#include "push/admit.h"
#include "push/hub.h"
#include "push/out.h"
#include "push/ws.h"
#include "push/ws_ext.h"
#include "push/ws_ka.h"

struct ws_pss {
	struct reader *reader;
	char ip[CLIENTADDR_STRLEN];   /* counted by admit_reader() while set */
	const char *refusal;     /* close with 1013 and this reason */
	struct ws_rx rx;         /* what the reader is sending; permessage-deflate */
	struct ws_ka ka;         /* keepalive */
	bool rx_held;            /* not read while lws holds output (ws_rx_hold) */
};

/* "/ws/blogs/<id>" → id. Returns 0, or -1 when the path is not a blog's. */
static int blog_of_path(struct lws *wsi, char *id, size_t idlen)
{
	char path[256];

	if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) <= 0 ||
	    strncmp(path, "/ws/blogs/", 10))
		return -1;
	if (strlen(path + 10) >= idlen)
		return -1;
	strcpy(id, path + 10);
	return text_slug_valid(id) ? 0 : -1;
}

static int refuse(struct lws *wsi, unsigned int status)
{
	lws_return_http_status(wsi, status, NULL);
	return -1;
}

int replay_speed(const char *arg, double *speed)
{
	char *end;

	*speed = 0;
	if (!arg)
		return 0;
	*speed = strtod(arg, &end);
	return *end || end == arg || !(*speed > 0 && *speed <= 10000) ? -1 : 0;
}

/*
 * Connection floods: a reader refused by admit.c (past the per-address or
 * the global limit, or shutting down) is accepted only to be closed at once
 * with 1013 "try again later" and a reason a person can read.
 */
static int refuse_flood(struct lws *wsi, struct ws_pss *pss)
{
	enum admit_result r = admit_reader(wsi, pss->ip);

	if (r == ADMIT_OK)
		return 0;
	pss->refusal = admit_reason(r);
	lws_callback_on_writable(wsi);
	return -1;
}

static int on_established(struct lws *wsi, struct ws_pss *pss)
{
	char id[72], since[64], speed[32];
	const char *s = lws_get_urlarg_by_name(wsi, "since=", since, sizeof(since));
	struct reader_opts o = { .out = pss->rx.deflate ? &out_ws_deflate : &out_ws };
	int sndbuf = 64 * 1024;

	if (blog_of_path(wsi, id, sizeof(id)) ||
	    replay_speed(lws_get_urlarg_by_name(wsi, "replay=", speed, sizeof(speed)),
			 &o.replay))
		return -1;
	if (refuse_flood(wsi, pss))
		return 0;
	/*
	 * A small kernel send buffer makes a reader that stops reading show
	 * up as lagging within the ring's bound instead of hiding megabytes
	 * in the kernel (NOTES P12).
	 */
	setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ws_ka_alive(&pss->ka);
	pss->reader = reader_open(wsi, id, s, &o);
	return pss->reader ? 0 : -1;
}

/*
 * Readers have nothing to say; bound what they may send anyway. An
 * oversized message is read to its end before the close (closing with
 * unread input would reset the connection and lose the close frame); one
 * that goes on far past the limit is cut at once.
 */
static int on_receive(struct lws *wsi, struct ws_pss *pss, size_t len)
{
	size_t max = (size_t)app.cfg.max_ws_message;

	pss->rx.bytes += len;
	if (pss->rx.bytes > max)
		pss->rx.too_big = true;
	if (pss->rx.bytes > 16 * max)
		return -1;
	if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
		pss->rx.bytes = 0;
		if (pss->rx.too_big)
			lws_callback_on_writable(wsi);
	}
	return 0;
}

/*
 * A browser page may read a blog's stream when it is of this server's own
 * origin or of one allowed to embed it (--embed-origin); a client that
 * sends no Origin is not a browser page and is not concerned.
 */
static bool origin_ok(struct lws *wsi)
{
	char origin[256], host[256];
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);

	if (n <= 0)
		return true;
	if (n >= (int)sizeof(origin) ||
	    lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) < 0)
		return false;
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) < 0)
		host[0] = '\0';
	return origin_check(&app.cfg.embed_origins, app.cfg.public_url, origin, host) !=
	       ORIGIN_REFUSED;
}

static struct ws_pss *pss_of(struct lws *wsi)
{
	const struct lws_protocols *p = lws_get_protocol(wsi);

	return p && p->callback == ws_callback ? lws_wsi_user(wsi) : NULL;
}

void ws_rx_hold(struct lws *wsi)
{
	struct ws_pss *pss = pss_of(wsi);
	bool held = lws_partial_buffered(wsi) != 0;

	if (!pss || held == pss->rx_held)
		return;
	pss->rx_held = held;
	lws_rx_flow_control(wsi, !held);
}

/*
 * WRITEABLE for a reader: lws has written out what it held (reads resume),
 * then a keepalive ping or the reader's messages (reads stop again if lws
 * is left holding part of them). 0, or -1 to close.
 */
static int writable(struct lws *wsi, struct ws_pss *pss)
{
	int ret = 0;

	ws_rx_hold(wsi);
	if (!ws_ka_writable(wsi, &pss->ka))
		ret = pss->reader ? reader_writable(pss->reader) : -1;
	if (!ret)
		ws_rx_hold(wsi);
	return ret;
}

int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		void *in, size_t len)
{
	struct ws_pss *pss = user;
	char id[72], speed[32];
	double replay;

	switch ((int)reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (app.shutting_down)
			return refuse(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE);
		if (!origin_ok(wsi))
			return refuse(wsi, HTTP_STATUS_FORBIDDEN);
		if (blog_of_path(wsi, id, sizeof(id)) || !known_has(id))
			return refuse(wsi, HTTP_STATUS_NOT_FOUND);
		if (replay_speed(lws_get_urlarg_by_name(wsi, "replay=", speed,
							sizeof(speed)), &replay))
			return refuse(wsi, HTTP_STATUS_BAD_REQUEST);
		return 0;
	case LWS_CALLBACK_ADD_HEADERS:
		return ws_ext_add_headers(wsi, &pss->rx, in);
	case LWS_CALLBACK_ESTABLISHED:
		return on_established(wsi, pss);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (pss->refusal) {
			lws_close_reason(wsi, (enum lws_close_status)LB_CLOSE_TRY_LATER,
					 (unsigned char *)pss->refusal, strlen(pss->refusal));
			return -1;
		}
		if (pss->rx.too_big) {
			lws_close_reason(wsi, LB_CLOSE_TOO_BIG,
					 (unsigned char *)"message too big", 15);
			return -1;
		}
		return writable(wsi, pss);
	case LWS_CALLBACK_RECEIVE:
		return on_receive(wsi, pss, len);
	case LWS_CALLBACK_RECEIVE_PONG:
		ws_ka_alive(&pss->ka);
		return 0;
	case WS_KA_VISIT:
		if (pss && pss->reader)
			ws_ka_visit(wsi, &pss->ka);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (pss->reader)
			reader_peer_closing(pss->reader);
		return 0;
	case LWS_CALLBACK_CLOSED:
		if (pss->reader)
			reader_close(pss->reader);
		pss->reader = NULL;
		admit_release(pss->ip);
		ws_ext_release(&pss->rx);
		return 0;
	default:
		return 0;
	}
}

size_t ws_pss_size(void)
{
	return sizeof(struct ws_pss);
}

struct ws_rx *ws_rx_of(struct lws *wsi)
{
	struct ws_pss *pss = pss_of(wsi);

	return pss ? &pss->rx : NULL;
}
