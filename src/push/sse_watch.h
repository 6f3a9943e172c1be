/*
 * sse_watch.h — notices at once when an SSE reader hangs up or sends
 * anything.
 *
 * lws 4.1.6 does not read an HTTP connection while its response streams.
 * A peer's FIN, or any byte it sends after its request, leaves the socket
 * readable, so lws' poll() returns at once on every pass and the loop
 * spins at full CPU: until the stats tick's peek saw a FIN (up to 5 s;
 * three hung-up streams held both cores of the test machine that long),
 * and for good after a stray byte (the peek sees data, not an end). So
 * each loop keeps its SSE sockets in an epoll set of its own, for input
 * and hang-up, edge-triggered. lws polls the set's descriptor (a raw
 * file), which turns readable when one of them stirs, and that stream is
 * ended on the same pass. An EventSource sends nothing after its request.
 */
#ifndef LB_SSE_WATCH_H
#define LB_SSE_WATCH_H

#include <libwebsockets.h>

extern const struct lws_protocols sse_watch_protocol;

/* Watches this SSE stream (its loop's set is made on first use); 0 or -1. */
int sse_watch_add(struct lws *wsi);
/* Before the stream's wsi goes (CLOSED_HTTP). */
void sse_watch_del(struct lws *wsi);

#endif
