/*
 * liveblogd.c — main: config → admin token → embedded Redis → lws context
 * → store and tail → loop → clean shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "app.h"
#include "common/hash.h"
#include "http/request.h"
#include "http/server.h"
#include "launcher/embedded_redis.h"
#include "push/hub.h"

struct lb_app app;

#define SHUTDOWN_GRACE_US (500 * 1000)

static void on_signal(int sig)
{
	app.stop_signal = sig;
	if (app.ctx)
		lws_cancel_service(app.ctx);
}

static int ensure_dir(const char *dir)
{
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "liveblogd: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads <data-dir>/admin.token, or creates it (0600) with a new token. */
static int admin_token_file(char *out, size_t len)
{
	char path[4096];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/admin.token", app.cfg.data_dir);
	if ((f = fopen(path, "r"))) {
		if (!fgets(out, (int)len, f))
			out[0] = '\0';
		fclose(f);
		out[strcspn(out, "\r\n")] = '\0';
		if (out[0])
			return 0;
	}
	if (hash_random_hex(out, 32))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dprintf(fd, "%s\n", out) < 0) {
		fprintf(stderr, "liveblogd: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	lwsl_user("admin token written to %s\n", path);
	return 0;
}

static int setup_admin(void)
{
	char token[256];
	const char *t = app.cfg.admin_token ? app.cfg.admin_token :
			getenv("LIVEBLOG_ADMIN_TOKEN");

	if (t && *t)
		snprintf(token, sizeof(token), "%s", t);
	else if (admin_token_file(token, sizeof(token)))
		return -1;
	hash_sha256_hex(token, strlen(token), app.admin_hash);
	return 0;
}

static void run_loop(void)
{
	lws_usec_t deadline = 0;

	while (lws_service(app.ctx, 0) >= 0) {
		if (app.stop_signal && !app.shutting_down) {
			lwsl_user("signal %d: shutting down\n", app.stop_signal);
			app.shutting_down = true;
			hubs_shutdown();
			deadline = lws_now_usecs() + SHUTDOWN_GRACE_US;
		}
		if (app.shutting_down && (!app.m.readers || lws_now_usecs() > deadline))
			break;
	}
}

int main(int argc, char **argv)
{
	char err[512], url[4200];
	pid_t redis_pid = -1;
	uuid_t u;
	int ret = 1;

	config_defaults(&app.cfg);
	switch (config_parse(&app.cfg, argc, argv, stdout, err, sizeof(err))) {
	case CONFIG_EXIT_OK:
		return 0;
	case CONFIG_ERROR:
		fprintf(stderr, "%s\n", err);
		return 2;
	case CONFIG_RUN:
		break;
	}
	lws_set_log_level(config_log_mask(app.cfg.log_level), NULL);
	app.limits.max_text = (size_t)app.cfg.max_text;
	app.limits.max_title = (size_t)app.cfg.max_title;
	app.known_blogs = json_object();
	app.readers_per_ip = json_object();
	uuid_generate(u);
	uuid_unparse_lower(u, app.instance);
	signal(SIGPIPE, SIG_IGN);
	if (ensure_dir(app.cfg.data_dir) || setup_admin())
		goto out;
	if (!app.cfg.redis_url) {
		redis_pid = embedded_redis_start(app.cfg.redis_server, app.cfg.data_dir,
						 url, sizeof(url));
		if (redis_pid < 0)
			goto out;
		app.cfg.redis_url = url;
	}
	if (server_create()) {
		fprintf(stderr, "liveblogd: cannot listen on %s:%d\n",
			app.cfg.listen_host, app.cfg.port);
		goto out_redis;
	}
	if (store_init(&app.store, app.ctx, app.vh, app.cfg.redis_url) ||
	    feed_init(&app.feed, app.ctx, app.vh, app.cfg.redis_url,
		      &app.store.cmd, app.instance)) {
		fprintf(stderr, "liveblogd: invalid redis URL %s\n", app.cfg.redis_url);
		goto out_server;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	store_start(&app.store);
	feed_start(&app.feed);
	lwsl_user("liveblogd %s serving http://%s:%d (redis %s)\n", LIVEBLOG_VERSION,
		  app.cfg.listen_host, app.cfg.port, app.cfg.redis_url);
	run_loop();
	ret = 0;
	feed_stop(&app.feed);
	store_stop(&app.store);
out_server:
	server_destroy();
	hubs_free_all();
	api_page_cache_free();
out_redis:
	embedded_redis_stop(redis_pid);
out:
	json_decref(app.known_blogs);
	json_decref(app.readers_per_ip);
	return ret;
}
