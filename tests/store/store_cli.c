/*
 * store_cli.c — runs one operation of the Redis store (src/store) against a
 * real Redis and prints its result, so that tests can drive store ops no
 * HTTP route exposes yet (media_gc, for redaction).
 *
 *   store_cli REDIS_URL media_gc BLOG ENTRY [ID...]
 *       ENTRY "" for none. Prints {"status":"ok"|code,"result":...} on one
 *       line; exits 0 when the op called back, 1 when Redis could not be
 *       reached within 5 s, 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "shared.h"
#include "store/redis_store.h"

static int done;

static void on_result(void *arg, enum lb_status st, json_t *result, const char *msg)
{
	json_t *out = json_pack("{s:s,s:O?,s:s?}", "status", status_code(st),
				"result", result, "message", msg);
	char *s = json_dumps(out, JSON_COMPACT);

	(void)arg;
	printf("%s\n", s ? s : "{}");
	free(s);
	json_decref(out);
	done = 1;
}

/* Services the loop until *flag or the deadline (µs from now). */
static void run(struct lws_context *ctx, const int *flag, lws_usec_t within)
{
	lws_usec_t end = lws_now_usecs() + within;

	while (!*flag && lws_now_usecs() < end && lws_service(ctx, 0) >= 0)
		;
}

/* A context without a listener, with the Redis connections' protocol. */
static struct lws_context *context(void)
{
	static struct lws_protocols list[3];
	struct lws_context_creation_info info;

	list[0] = (struct lws_protocols){ "http", lws_callback_http_dummy, 0, 0, 0, NULL, 0 };
	list[1] = rconn_protocol;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = list;
	info.vhost_name = "default";
	return lws_create_context(&info);
}

int main(int argc, char **argv)
{
	struct lws_context *ctx;
	struct store *st;
	int up = 0, rc = 1;

	if (argc < 5 || strcmp(argv[2], "media_gc")) {
		fprintf(stderr, "usage: store_cli REDIS_URL media_gc BLOG ENTRY [ID...]\n");
		return 2;
	}
	lws_set_log_level(LLL_ERR, NULL);
	store_scripts_init();
	ctx = context();
	st = ctx ? redis_store_new(ctx, lws_get_vhost_by_name(ctx, "default"), argv[1]) : NULL;
	if (!st)
		return 2;
	store_start(st);
	for (int i = 0; i < 50 && !(up = store_up(st)); i++)
		run(ctx, &up, 100000);
	if (up && !store_media_gc(st, argv[3], argv[4], (const char *const *)argv + 5,
				  (size_t)(argc - 5), on_result, NULL)) {
		run(ctx, &done, 5 * LWS_US_PER_SEC);
		rc = done ? 0 : 1;
	}
	store_stop(st);
	store_free(st);
	lws_context_destroy(ctx);
	return rc;
}
