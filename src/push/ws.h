/*
 * ws.h — the liveblog.v1 WebSocket protocol callback.
 */
#ifndef LB_WS_H
#define LB_WS_H

#include <libwebsockets.h>

int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		void *in, size_t len);
size_t ws_pss_size(void);

#endif
