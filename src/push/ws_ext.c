/*
 * ws_ext.c — the stand-in permessage-deflate extension lws sees, and the
 * messages readers compress (see ws_ext.h).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "push/pmd.h"
#include "push/ws.h"
#include "push/ws_ext.h"

#define RSV1 0x40
#define Z_SLACK 64   /* deflate may exceed its text by a few bytes */

/*
 * What lws 4.1.6 hands an extension with LWS_EXT_CB_PAYLOAD_RX, and the
 * answers it understands: both are private to lws (struct
 * lws_ext_pm_deflate_rx_ebufs in lib/roles/ws/private-lib-roles-ws.h,
 * enum pmd_return in lib/core-net/private-lib-core-net.h), copied here.
 */
struct ext_bufs {
	struct lws_tokens eb_in, eb_out;
};
enum { EXT_PASS = 0, EXT_EMPTY_NONFINAL = 3, EXT_EMPTY_FINAL = 4, EXT_FAIL = -1 };

struct ws_zmsg {
	struct cache_item ci;    /* counted against the loop's budget while held */
	size_t len, cap;
	unsigned char *b;
};

static const struct lws_ext_options no_options[] = { { NULL, EXTARG_NONE } };
static unsigned char nothing[1];

/* The parameters of our answer to this handshake's offers; 0 or -1. */
static int answer(struct lws *wsi, char *params, size_t len)
{
	char offers[512];

	if (lws_hdr_copy(wsi, offers, sizeof(offers), WSI_TOKEN_EXTENSIONS) <= 0)
		return -1;
	return pmd_negotiate(offers, params, len);
}

int ws_ext_add_headers(struct lws *wsi, struct ws_rx *rx,
		       struct lws_process_html_args *a)
{
	/* lws 4.1.6 ends its response with this line, then calls us (server-ws.c) */
	static const char line[] = "Sec-WebSocket-Extensions: permessage-deflate\r\n";
	size_t n = sizeof(line) - 1;
	char params[128];
	int w;

	if (!rx->deflate)
		return 0;
	if (answer(wsi, params, sizeof(params)) || memcmp(a->p - n, line, n))
		return -1;
	a->p -= 2;
	a->max_len += 2;
	w = snprintf(a->p, (size_t)a->max_len, "%s\r\n", params);
	if (w < 0 || w >= a->max_len)
		return -1;
	a->p += w;
	a->max_len -= w;
	return 0;
}

static void zmsg_free(struct ws_rx *rx)
{
	if (!rx->z)
		return;
	cache_remove(&rx->z->ci);
	free(rx->z->b);
	free(rx->z);
	rx->z = NULL;
}

void ws_ext_release(struct ws_rx *rx)
{
	zmsg_free(rx);
}

static bool zmsg_busy(struct cache_item *it)
{
	(void)it;
	return false;   /* a message being received is never evicted */
}

/*
 * Keeps len more compressed bytes of the message. 0; 1 when the message
 * is over its bound (nothing kept); -1 when the loop's budget is full.
 */
static int zmsg_append(struct ws_rx *rx, const unsigned char *in, size_t len)
{
	size_t max = (size_t)app.cfg.max_ws_message + Z_SLACK, cap;
	struct ws_zmsg *z = rx->z;
	unsigned char *b;

	if ((z ? z->len : 0) + len > max)
		return 1;
	if (!z && !(z = rx->z = calloc(1, sizeof(*z))))
		return -1;
	if (z->len + len > z->cap) {
		cap = z->len + len > 2 * z->cap ? z->len + len : 2 * z->cap;
		cap = cap < max ? cap : max;
		if (!cache_make_room(cap - z->cap) || !(b = realloc(z->b, cap)))
			return -1;
		z->b = b;
		z->ci.evict = zmsg_busy;
		if (z->cap)
			cache_resize(&z->ci, sizeof(*z) + cap);
		else
			cache_add(&z->ci, sizeof(*z) + cap);
		z->cap = cap;
	}
	memcpy(z->b + z->len, in, len);
	z->len += len;
	return 0;
}

/*
 * The last bytes of a compressed message are in: its text (inflated into
 * the loop's buffer, pmd.c) is what lws hands on (eb_out). Over the limit,
 * nothing is, and the protocol closes with 1009. Returns the answer to lws.
 */
static int message_done(struct ws_rx *rx, struct ext_bufs *eb)
{
	const unsigned char *text = NULL;
	long n = 0;

	if (!rx->too_big && rx->z)
		text = pmd_inflate(rx->z->b, rx->z->len, (size_t)app.cfg.max_ws_message, &n);
	zmsg_free(rx);
	if (n == -1)
		return EXT_FAIL;   /* not deflate: fail the connection (RFC 7692 8) */
	if (n == -2) {
		rx->too_big = true;
		n = 0;
	}
	/* the protocol counts the text, not what came on the wire */
	rx->bytes = 0;
	eb->eb_out.token = text ? (unsigned char *)text : nothing;
	eb->eb_out.len = (int)n;
	return EXT_EMPTY_FINAL;
}

/* A chunk of a compressed message: kept, handed on once it is whole. */
static int compressed_rx(struct ws_rx *rx, struct ext_bufs *eb, bool end)
{
	size_t len = eb->eb_in.len > 0 ? (size_t)eb->eb_in.len : 0;
	int r = 0;

	rx->bytes += len;
	if (rx->bytes > 16 * (size_t)app.cfg.max_ws_message)
		return EXT_FAIL;   /* far past the limit: cut at once, as plain ones */
	if (!rx->too_big && len)
		r = zmsg_append(rx, eb->eb_in.token, len);
	if (r < 0)
		return EXT_FAIL;
	if (r > 0) {
		rx->too_big = true;
		zmsg_free(rx);
	}
	eb->eb_in.len = 0;
	eb->eb_out.len = 0;
	return end ? message_done(rx, eb) : EXT_EMPTY_NONFINAL;
}

/*
 * LWS_EXT_CB_PAYLOAD_RX: each chunk of what the reader sends. A message
 * without RSV1 on its first frame goes on untouched.
 */
static int payload_rx(struct lws *wsi, struct ext_bufs *eb)
{
	struct ws_rx *rx = ws_rx_of(wsi);
	bool end = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);

	if (!rx)
		return EXT_FAIL;
	if (!rx->in_msg) {
		rx->in_msg = true;
		rx->compressed = (lws_get_reserved_bits(wsi) & RSV1) != 0;
	}
	if (end)
		rx->in_msg = false;
	return rx->compressed ? compressed_rx(rx, eb, end) : EXT_PASS;
}

static int ext_callback(struct lws_context *ctx, const struct lws_extension *ext,
			struct lws *wsi, enum lws_extension_callback_reasons reason,
			void *user, void *in, size_t len)
{
	struct ws_rx *rx;
	char params[128];

	(void)ctx;
	(void)ext;
	(void)user;
	(void)len;
	switch (reason) {
	case LWS_EXT_CB_CONSTRUCT:
		/* lws asks whether to take the reader's permessage-deflate */
		rx = ws_rx_of(wsi);
		if (!rx || answer(wsi, params, sizeof(params)))
			return 1;
		*(const struct lws_ext_options **)in = no_options;
		rx->deflate = true;
		return 0;
	case LWS_EXT_CB_PAYLOAD_RX:
		return payload_rx(wsi, in);
	default:
		return 0;   /* sending: the frames are ready as they are */
	}
}

const struct lws_extension ws_ext_table[] = {
	{ "permessage-deflate", ext_callback, NULL },
	{ NULL, NULL, NULL },
};
