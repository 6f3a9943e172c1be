/*
 * liveblogd.c — main: config → admin token → listening socket → embedded
 * Redis → one thread per event loop (--workers fan-out loops and the front
 * loop, see http/listener.h), each with its lws context, store and tail →
 * clean shutdown.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "app.h"
#include "cache.h"
#include "http/media.h"
#include "common/hash.h"
#include "guard.h"
#include "http/listener.h"
#include "http/request.h"
#include "http/server.h"
#include "launcher/embedded_redis.h"
#include "push/admit.h"
#include "push/hub.h"
#include "push/timer.h"
#include "store/redis_store.h"
#include "store/redis_url.h"

_Thread_local struct lb_app app;
volatile sig_atomic_t stop_signal;

#define SHUTDOWN_GRACE_US (500 * 1000)
#define RING_BYTES (16u << 20)   /* a live ring's text, at most: big entries, fewer */
#define MAX_WORKERS 64
/*
 * lws sizes its tables from the open-file limit and, above 10,000,000,
 * falls back to 2560 connections (NOTES P11): never more than this.
 */
#define NOFILE_CAP 1048576
/*
 * Descriptors the daemon keeps for itself: stdio, the listener and its
 * spare, per loop lws' wake pipe and two Redis connections (each an fd and
 * the dup lws polls), plus files being served and API clients.
 */
#define NOFILE_RESERVE(loops) (64 + 8 * (loops))

static struct lb_config config;
static char admin_hash[72];
static int listen_fd = -1;
/* fan-out loops 0..workers-1, then the front loop (see http/listener.h) */
static struct lws_context *_Atomic contexts[MAX_WORKERS + 1];
static pthread_mutex_t startup = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
	stop_signal = sig;
	guard_signal();
	for (int i = 0; i <= MAX_WORKERS; i++) {
		struct lws_context *ctx = contexts[i];

		if (ctx)
			lws_cancel_service(ctx);
	}
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

	snprintf(path, sizeof(path), "%s/admin.token", config.data_dir);
	if ((f = fopen(path, "r"))) {
		if (!fgets(out, (int)len, f))
			out[0] = '\0';
		fclose(f);
		out[strcspn(out, "\r\n")] = '\0';
		if (out[0]) {
			lwsl_user("admin token in %s\n", path);
			return 0;
		}
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
	const char *t = config.admin_token ? config.admin_token :
			getenv("LIVEBLOG_ADMIN_TOKEN");

	if (t && *t)
		snprintf(token, sizeof(token), "%s", t);
	else if (admin_token_file(token, sizeof(token)))
		return -1;
	hash_sha256_hex(token, strlen(token), admin_hash);
	return 0;
}

static void run_loop(int i)
{
	lws_usec_t deadline = 0;
	int n;

	for (;;) {
		guard_enter(i);
		n = lws_service(app.ctx, 0);
		guard_leave(i);
		if (n < 0)
			break;
		if (stop_signal && !app.shutting_down) {
			if (!app.worker)
				lwsl_user("signal %d: shutting down\n", (int)stop_signal);
			app.shutting_down = true;
			hubs_shutdown();
			deadline = lws_now_usecs() + SHUTDOWN_GRACE_US;
		}
		if (app.shutting_down && (!hubs_readers() || lws_now_usecs() > deadline))
			break;
	}
}

/*
 * Raises the open-file soft limit to the hard one (at most NOFILE_CAP),
 * logs how many readers that leaves room for, and lowers --max-readers to
 * it (a stock soft limit of 1024 would silently cap the server at ~1000).
 * Runs before any lws context exists: lws reads the limit at creation.
 */
static void raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want;
	long room;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > NOFILE_CAP ?
	       NOFILE_CAP : rl.rlim_max;
	if (rl.rlim_cur != want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			lwsl_warn("cannot set the open-file limit to %lu: %s\n",
				  (unsigned long)want, strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	room = (long)rl.rlim_cur - NOFILE_RESERVE(config.workers + 1);
	if (room < 1)
		room = 1;
	lwsl_user("open files: %lu (hard limit %lu): room for %ld readers\n",
		  (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max, room);
	if (config.max_readers > room) {
		lwsl_warn("--max-readers %ld lowered to %ld: only %lu open files "
			  "(raise the hard limit: ulimit -Hn, LimitNOFILE=)\n",
			  config.max_readers, room, (unsigned long)rl.rlim_cur);
		config.max_readers = room;
	}
}

static bool is_front(int i)
{
	return i == (int)config.workers;
}

static void on_created(void *arg, const char *blog)
{
	(void)arg;
	known_add(blog);
}

/* A redaction also drops the blog's rendered page kept by this loop. */
static void on_event(void *arg, const char *blog, const struct store_event *ev,
		     const char *prev)
{
	if (!strcmp(ev->type, "redact"))
		api_page_forget(blog);
	hubs_on_event(arg, blog, ev, prev);
}

/* Pictures deleted (a redaction): this loop forgets its copies. */
static void on_media_gone(void *arg, const char *ids, size_t len)
{
	(void)arg;
	media_cache_forget(ids, len);
}

static const struct feed_sink sink = {
	.event = on_event,
	.batch_done = hubs_batch_done,
	.ready = hubs_feed_ready,
	.created = on_created,
	.blog = hubs_on_blog,
	.media_gone = on_media_gone,
};

/* This loop's hubs, timers and share of the cache budget. */
static void push_start(int i)
{
	struct hub_env env = {
		.store = app.store,
		.instance = app.instance,
		.backlog = config.reader_backlog,
		.ring_bytes = RING_BYTES,
		.replay_cap_ms = config.replay_cap_ms,
		.worker = i,
	};

	timer_init(app.ctx);
	cache_init(((size_t)config.cache_mb << 20) / (size_t)(config.workers + 1));
	hubs_init(&env);
}

/* Creates this thread's context and Redis connections; 0 or -1. */
static int worker_start(int i)
{
	uuid_t u;
	int ret = -1;

	app.cfg = config;
	app.worker = i;
	app.limits.max_text = (size_t)config.max_text;
	app.limits.max_title = (size_t)config.max_title;
	memcpy(app.admin_hash, admin_hash, sizeof(admin_hash));
	uuid_generate(u);
	uuid_unparse_lower(u, app.instance);
	pthread_mutex_lock(&startup);
	if (server_create(is_front(i) ? listen_fd : -1)) {
		fprintf(stderr, "liveblogd: worker %d: cannot start the server\n", i);
		goto out_unlock;
	}
	app.store = redis_store_new(app.ctx, app.vh, config.redis_url);
	if (app.store)
		redis_store_set_ack(app.store, config.ack_replicas, config.ack_timeout_ms);
	app.feed = app.store ? feed_new(app.ctx, app.vh, config.redis_url, app.store,
					app.instance, &sink) : NULL;
	if (!app.feed) {
		char shown[256];

		redis_url_redact(config.redis_url, shown, sizeof(shown));
		fprintf(stderr, "liveblogd: invalid redis URL %s\n", shown);
		goto out_unlock;
	}
	push_start(i);
	contexts[i] = app.ctx;
	if (!is_front(i))
		listener_inbox_open(i, app.ctx);
	store_start(app.store);
	feed_start(app.feed);
	ret = 0;
out_unlock:
	pthread_mutex_unlock(&startup);
	return ret;
}

/* One event loop: runs until a signal, then closes readers and cleans up. */
static void *worker_main(void *arg)
{
	int i = (int)(intptr_t)arg;
	int ok = !worker_start(i);

	if (ok) {
		guard_loop_begin(i);
		run_loop(i);
		guard_loop_end(i);
	}
	else
		stop_signal = SIGTERM;   /* one worker failed: stop them all */
	contexts[i] = NULL;
	if (ok && !is_front(i))
		listener_inbox_close(i);
	if (app.feed)
		feed_stop(app.feed);
	if (app.store)
		store_stop(app.store);
	server_destroy();
	hubs_free_all();
	hubs_thread_exit();
	api_page_cache_free();
	media_cache_free();
	feed_free(app.feed);
	store_free(app.store);
	return ok ? NULL : (void *)1;
}

static int run_workers(void)
{
	pthread_t threads[MAX_WORKERS + 1];
	int n = (int)config.workers + 1, failed = 0;

	for (int i = 1; i < n; i++)
		if (pthread_create(&threads[i], NULL, worker_main, (void *)(intptr_t)i)) {
			fprintf(stderr, "liveblogd: cannot start worker %d\n", i);
			n = i;
			stop_signal = SIGTERM;
			break;
		}
	failed = worker_main(0) != NULL;
	for (int i = 1; i < n; i++) {
		void *res;

		pthread_join(threads[i], &res);
		failed |= res != NULL;
	}
	return failed ? -1 : 0;
}

/*
 * The URL every connection uses: --redis, with the password read from
 * --redis-password-file folded in (percent-encoded) when there is one,
 * which is then wiped from config. Returns 0, or -1 (logged).
 */
static int redis_url_with_password(char *out, size_t outlen)
{
	struct redis_url u;
	const char *why;

	if (!config.redis_password[0])
		return 0;
	if (redis_url_parse(config.redis_url, REDIS_URL_PASSWORD_GIVEN, &u, &why)) {
		fprintf(stderr, "liveblogd: --redis: %s\n", why); /* config checked it */
		return -1;
	}
	memcpy(u.password, config.redis_password, sizeof(u.password));
	explicit_bzero(config.redis_password, sizeof(config.redis_password));
	if (redis_url_format(&u, false, out, outlen)) {
		fprintf(stderr, "liveblogd: --redis: the URL with its password is too long\n");
		explicit_bzero(&u, sizeof(u));
		return -1;
	}
	explicit_bzero(&u, sizeof(u));
	config.redis_url = out;
	return 0;
}

int main(int argc, char **argv)
{
	static char url[REDIS_URL_MAX];
	char err[512], shown[512];
	int ret = 1;

	config_defaults(&config);
	switch (config_parse(&config, argc, argv, stdout, err, sizeof(err))) {
	case CONFIG_EXIT_OK:
		return 0;
	case CONFIG_ERROR:
		fprintf(stderr, "%s\n", err);
		return 2;
	case CONFIG_RUN:
		break;
	}
	if (config.workers > MAX_WORKERS)
		config.workers = MAX_WORKERS;
	codec_set_default_lang(config.default_lang);
	config_public_url(&config);
	lws_set_log_level(config_log_mask(config.log_level), NULL);
	signal(SIGPIPE, SIG_IGN);
	store_scripts_init();
	raise_nofile();
	if (shared_init() || admit_init(&config.trusted_proxies) ||
	    ensure_dir(config.data_dir) || setup_admin())
		goto out;
	listen_fd = listener_open(config.listen_host, config.port, err, sizeof(err));
	if (listen_fd < 0) {
		fprintf(stderr, "liveblogd: cannot listen on %s:%d: %s\n",
			config.listen_host, config.port, err);
		goto out;
	}
	if (!config.redis_url) {
		if (embedded_redis_start(config.redis_server, config.data_dir,
					 url, sizeof(url)))
			goto out;
		config.redis_url = url;
	} else if (redis_url_with_password(url, sizeof(url))) {
		goto out;
	}
	if (guard_start((int)config.workers + 1))
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	redis_url_redact(config.redis_url, shown, sizeof(shown));
	lwsl_user("liveblogd %s serving http://%s:%d with %ld fan-out workers + 1 front (redis %s)\n",
		  LIVEBLOG_VERSION, config.listen_host, config.port, config.workers,
		  shown);
	metrics.loops = (int)config.workers + 1;
	metrics.cache_limit = (unsigned long)config.cache_mb << 20;
	ret = run_workers() ? 1 : 0;
	embedded_redis_stop();   /* every loop is done with Redis */
out:
	shared_free();
	return ret;
}
