/*
 * loop.h — the client's single libwebsockets context and its poll loop,
 * shared by HTTP requests (api.c) and the live stream (stream.c).
 */
#ifndef LIVEBLOG_CLI_LOOP_H
#define LIVEBLOG_CLI_LOOP_H

#include <libwebsockets.h>

/* Local protocol names the connections bind to. */
#define LOOP_PROTO_HTTP "liveblog-cli-http"
#define LOOP_PROTO_WS "liveblog-cli-ws"

/*
 * Returns the context, creating it on first use (client only, no
 * listener, lws logging off unless LIVEBLOG_DEBUG is set). Returns NULL
 * after printing an error when lws cannot start.
 */
struct lws_context *loop_context(void);

/* Services the loop until *done becomes non-zero. */
void loop_run(const int *done);

/*
 * Makes loop_run() look at its flag again soon: a flag set from a timer
 * or a close could otherwise wait for the next network event.
 */
void loop_wake(void);

/* Destroys the context, closing any connection still open. */
void loop_free(void);

#endif
