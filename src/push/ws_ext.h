/*
 * ws_ext.h — permessage-deflate on the liveblog.v1 WebSocket, as lws 4.1.6
 * needs it, without compression state per reader.
 *
 * lws 4.1.6 closes a connection with 1002 "rsv bits" on a frame with RSV1
 * unless an lws extension is active on it (lib/roles/ws/ops-ws.c), and a
 * reader that negotiated may compress what it sends. So a stand-in
 * extension named permessage-deflate is registered (ws_ext_table, only
 * with --compress on): lws activates it when the reader's offer is one
 * pmd_negotiate takes, and writes "Sec-WebSocket-Extensions:
 * permessage-deflate"; ws_ext_add_headers completes that line with our
 * parameters. The stand-in compresses nothing (the hub's frames are
 * compressed once, frame.c; other messages go plain). It inflates what
 * the reader sends: a compressed message's bytes are kept (at most
 * --max-ws-message + 64, counted against the loop's budget, cache.h) until
 * its last frame, then inflated at once with the loop's inflater and handed
 * to the protocol callback as one text.
 */
#ifndef LB_WS_EXT_H
#define LB_WS_EXT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

struct ws_zmsg;

/* What a reader is sending (in the protocol's per-session data). */
struct ws_rx {
	size_t bytes;            /* of the message being received (wire bytes while compressed) */
	struct ws_zmsg *z;       /* a compressed message's bytes so far, or NULL */
	bool too_big;            /* close with 1009 once that message is read */
	bool deflate;            /* permessage-deflate negotiated */
	bool in_msg;             /* a message has begun (the extension's view) */
	bool compressed;         /* ... with RSV1 */
};

/* info.extensions with --compress on; a terminated table. */
extern const struct lws_extension ws_ext_table[];

/*
 * LWS_CALLBACK_ADD_HEADERS of the handshake: completes lws' extension line
 * when permessage-deflate was taken. 0, or -1 to fail the handshake.
 */
int ws_ext_add_headers(struct lws *wsi, struct ws_rx *rx,
		       struct lws_process_html_args *a);
/* LWS_CALLBACK_CLOSED: frees what the connection held. */
void ws_ext_release(struct ws_rx *rx);

#endif
