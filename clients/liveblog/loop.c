/*
 * loop.c — owns the lws context. lws' own poll loop is enough for a
 * client: everything runs on one thread, timers are lws_sul.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "loop.h"
#include "msg.h"
#include "stream.h"

static struct lws_context *context;

static const struct lws_protocols protocols[] = {
	{ LOOP_PROTO_HTTP, api_callback, 0, 0, 0, NULL, 0 },
	{ LOOP_PROTO_WS, stream_callback, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

struct lws_context *loop_context(void)
{
	struct lws_context_creation_info info;
	const char *debug = getenv("LIVEBLOG_DEBUG");

	if (context)
		return context;
	lws_set_log_level(debug && *debug ? atoi(debug) | LLL_ERR | LLL_WARN : 0,
			  NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	/* A handful of sockets at most: keep lws from sizing for ulimit -n. */
	info.fd_limit_per_thread = 16;
	info.timeout_secs = 15;
	info.connect_timeout_secs = 10;
	context = lws_create_context(&info);
	if (!context)
		msg_error("cannot start libwebsockets");
	return context;
}

void loop_run(const int *done)
{
	while (!*done && context)
		if (lws_service(context, 0) < 0)
			break;
}

void loop_wake(void)
{
	if (context)
		lws_cancel_service(context);
}

void loop_free(void)
{
	if (context)
		lws_context_destroy(context);
	context = NULL;
}
