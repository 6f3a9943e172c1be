/*
 * watch.h — notices at once when an HTTP peer stirs while its response is
 * due or streaming, and ends that connection.
 *
 * lws 4.1.6 does not read an HTTP connection between the end of a
 * request and the end of its response (a deferred API answer, an SSE
 * stream). A peer's FIN, or any byte it sends meanwhile (a pipelined
 * request), leaves the socket readable, so lws' poll() returns at once on
 * every pass and the loop spins at full CPU: three hung-up SSE streams
 * held both cores of the test machine until a peek on the stats tick (5 s
 * later; this watch replaced it); one stray byte held a core for as long as the stream lasted, or
 * for as long as Redis took to answer the request. So each loop keeps
 * such sockets in an epoll set of its own, for input and hang-up, edge-
 * triggered; lws polls the set's descriptor (a raw file), which turns
 * readable when one of them stirs, and that connection is closed on the
 * same pass. Browsers and EventSource do not pipeline; a client that does
 * loses the connection and retries, as after any drop.
 */
#ifndef LB_HTTP_WATCH_H
#define LB_HTTP_WATCH_H

#include <libwebsockets.h>
#include <stdbool.h>

extern const struct lws_protocols watch_protocol;

/* Watches this connection (its loop's set is made on first use). */
bool watch_add(struct lws *wsi);
/* Stops watching it: before lws reads it again, or before it goes. */
void watch_del(struct lws *wsi);

#endif
