/*
 * ws.h — the liveblog.v1 WebSocket protocol callback.
 */
#ifndef LB_WS_H
#define LB_WS_H

#include <libwebsockets.h>

struct ws_rx;

int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		void *in, size_t len);
size_t ws_pss_size(void);
/* The receiving side of a liveblog.v1 connection (ws_ext.c), or NULL. */
struct ws_rx *ws_rx_of(struct lws *wsi);
/*
 * After a write to a liveblog.v1 connection: while lws holds part of its
 * output (a partial write), lws does not read it; once that is out, it
 * reads again. lws 4.1.6 cannot close a connection whose output it holds:
 * reading the peer's EOF then, its service loop retries the descriptor at
 * once, forever (recv() = 0, no poll, no timer, no SIGTERM; NOTES).
 * Unread, a vanished peer shows as POLLHUP/POLLERR, which lws does close.
 */
void ws_rx_hold(struct lws *wsi);
/* Parses ?replay=SPEED (NULL: no replay, speed 0). Returns 0 or -1. */
int replay_speed(const char *arg, double *speed);

#endif
