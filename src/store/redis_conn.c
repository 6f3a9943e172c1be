/*
 * redis_conn.c — a hiredis async connection driven by lws' own poll loop
 * (see redis_conn.h and NOTES-lws-hiredis.md, pitfalls P6–P8).
 */
#include "store/redis_conn.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BACKOFF_MIN_MS  100
#define BACKOFF_MAX_MS  3000
#define CONNECT_WATCHDOG_US (3 * LWS_US_PER_SEC)
#define PING_EVERY_US   LWS_US_PER_SEC
#define PING_LIMIT      5   /* seconds a PING may wait: generous under load */

struct pending {
	struct rconn *rc;
	rconn_reply_fn fn;
	void *arg;
};

static void schedule_retry(struct rconn *rc);
/* Bytes Redis sent that are not read yet (0 when none or unknown). */
static int unread(const struct rconn *rc)
{
	int pending = 0;

	if (!rc->ac || ioctl(rc->ac->c.fd, FIONREAD, &pending))
		return 0;
	return pending;
}

static void ping_tick(lws_sorted_usec_list_t *sul);

/* ---- adapter: hiredis' six hooks onto an adopted raw-file wsi ---- */

static void ev_add_read(void *data) { (void)data; /* POLLIN is always on */ }
static void ev_del_read(void *data) { (void)data; }
static void ev_del_write(void *data) { (void)data; /* POLLOUT is one-shot */ }

static void ev_add_write(void *data)
{
	struct rconn *rc = data;

	if (rc && rc->wsi)
		lws_callback_on_writable(rc->wsi);
}

/* hiredis is done with the socket: detach from the wsi and let lws close it. */
static void ev_cleanup(void *data)
{
	struct rconn *rc = data;
	struct lws *wsi = rc ? rc->wsi : NULL;

	if (!rc)
		return;
	rc->wsi = NULL;
	if (wsi) {
		lws_set_opaque_user_data(wsi, NULL);
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	}
}

static int attach(struct rconn *rc)
{
	lws_sock_file_fd_type fd;
	int dupfd = dup(rc->ac->c.fd);

	if (dupfd < 0)
		return -1;
	fd.filefd = dupfd;
	rc->wsi = lws_adopt_descriptor_vhost(rc->vh, LWS_ADOPT_RAW_FILE_DESC, fd,
					     "redis-raw", NULL);
	if (!rc->wsi) {
		close(dupfd);
		return -1;
	}
	lws_set_opaque_user_data(rc->wsi, rc);
	rc->ac->ev.data = rc;
	rc->ac->ev.addRead = ev_add_read;
	rc->ac->ev.delRead = ev_del_read;
	rc->ac->ev.addWrite = ev_add_write;
	rc->ac->ev.delWrite = ev_del_write;
	rc->ac->ev.cleanup = ev_cleanup;
	return 0;
}

#define READS_PER_WAKE 128   /* hiredis reads 16 KiB a time: up to 2 MiB per wake */

/*
 * hiredis reads one 16 KiB buffer per call. A reply of megabytes (a page
 * of the log) would then take a loop pass per 16 KiB, and with thousands
 * of connections on the loop a pass is long: the reply, and every command
 * queued behind it, would crawl. So read what the socket holds, up to a
 * bound that keeps the loop fair.
 */
static void read_pending(struct rconn *rc)
{
	int pending = 0;

	if (rc && rc->ac)
		rc->last_reply = lws_now_usecs();   /* bytes came: Redis answers */
	for (int i = 0; rc && rc->ac && i < READS_PER_WAKE; i++) {
		int fd = rc->ac->c.fd;

		redisAsyncHandleRead(rc->ac);
		if (!rc->ac || ioctl(fd, FIONREAD, &pending) || pending <= 0)
			break;
	}
}

/*
 * Drives hiredis from lws readiness. Returns -1 once hiredis has let go of
 * the wsi, so that lws closes its copy of the fd.
 */
static int raw_callback(struct lws *wsi, enum lws_callback_reasons reason,
			void *user, void *in, size_t len)
{
	struct rconn *rc = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		read_pending(rc);
		return lws_get_opaque_user_data(wsi) ? 0 : -1;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (rc && rc->ac)
			redisAsyncHandleWrite(rc->ac);
		return lws_get_opaque_user_data(wsi) ? 0 : -1;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (!rc)
			return 0;
		/* lws closed first (hangup): let hiredis find out by reading. */
		lws_set_opaque_user_data(wsi, NULL);
		rc->wsi = NULL;
		if (rc->ac)
			redisAsyncHandleRead(rc->ac);
		if (rc->ac)
			rconn_drop(rc);
		return 0;
	default:
		return 0;
	}
}

const struct lws_protocols rconn_protocol = {
	"redis-raw", raw_callback, 0, 0, 0, NULL, 0
};

/* ---- connection life cycle ---- */

static void went_down(struct rconn *rc)
{
	bool was_up = rc->up;

	rc->up = false;
	rc->ping_outstanding = 0;
	lws_sul_cancel(&rc->sul_ping);
	lws_sul_cancel(&rc->sul_watchdog);
	if (was_up && rc->on_down)
		rc->on_down(rc, rc->arg);
	schedule_retry(rc);
}

/* ---- the handshake: AUTH (with a password), then PING ---- */

static pthread_mutex_t refusal_lock = PTHREAD_MUTEX_INITIALIZER;
static char refusal_logged[768];   /* the last refusal logged, any loop */

/*
 * Logs why Redis refused the handshake: a warning the first time a given
 * refusal is seen in this process (every connection of every loop meets
 * the same one), at info level when it repeats. Never shows the password.
 */
static void log_refusal(const struct rconn *rc, const char *cmd,
			const redisReply *r)
{
	char line[sizeof(refusal_logged)];
	const char *err = r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS ?
			  r->str : "an unexpected reply";
	bool noauth = !strncmp(err, "NOAUTH", 6);
	char who[96] = "";
	bool repeat;

	if (rc->url.user[0])
		snprintf(who, sizeof(who), " as user '%.64s'", rc->url.user);
	snprintf(line, sizeof(line), "%.120s %s%.80s: %.200s%s", rc->where,
		 noauth ? "wants a password" : !strcmp(cmd, "AUTH") ?
		 "refused AUTH" : "is not ready", who, err,
		 noauth ? " (give redis://[USER]:PASSWORD@HOST:PORT or --redis-password-file)" : "");
	pthread_mutex_lock(&refusal_lock);
	repeat = !strcmp(line, refusal_logged);
	if (!repeat)
		snprintf(refusal_logged, sizeof(refusal_logged), "%s", line);
	pthread_mutex_unlock(&refusal_lock);
	if (repeat)
		lwsl_info("redis %s: %s; retrying\n", rc->name, line);
	else
		lwsl_warn("redis %s: %s; retrying with backoff\n", rc->name, line);
}

static void became_up(struct rconn *rc)
{
	lws_sul_cancel(&rc->sul_watchdog);
	rc->up = true;
	rc->backoff_ms = 0;
	rc->last_reply = lws_now_usecs();
	pthread_mutex_lock(&refusal_lock);
	refusal_logged[0] = '\0';
	pthread_mutex_unlock(&refusal_lock);
	if (!rc->url.password[0])
		lwsl_user("redis %s: connected to %s\n", rc->name, rc->where);
	else
		lwsl_user("redis %s: connected to %s (authenticated as %s)\n",
			  rc->name, rc->where, rc->url.user[0] ? rc->url.user : "default");
	if (rc->watch_ping)
		lws_sul_schedule(rc->ctx, 0, &rc->sul_ping, ping_tick, PING_EVERY_US);
	if (rc->on_up)
		rc->on_up(rc, rc->arg);
}

/*
 * A handshake reply. privdata is the rconn; a reply for a context that is
 * no longer rc's (dropped, or freed: r NULL) is ignored, the drop having
 * done the rest. AUTH OK waits for the PING; PONG makes the connection up;
 * anything else is logged and the connection dropped (retry after backoff).
 */
static void on_handshake(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct rconn *rc = privdata;
	const redisReply *r = reply;
	bool auth = rc->handshake == 2;   /* AUTH's reply comes first */

	if (!r || rc->ac != ac)
		return;
	rc->handshake--;
	if (r->type == REDIS_REPLY_STATUS && !strcmp(r->str, auth ? "OK" : "PONG")) {
		if (!auth)
			became_up(rc);
		return;
	}
	log_refusal(rc, auth ? "AUTH" : "PING", r);
	rconn_drop(rc);
}

/* Queues AUTH (when there is a password) and PING. Returns 0 or -1. */
static int send_handshake(struct rconn *rc)
{
	const char *auth[3] = { "AUTH" }, *ping[1] = { "PING" };
	int n = 1;

	rc->handshake = 1;
	if (rc->url.password[0]) {
		if (rc->url.user[0])
			auth[n++] = rc->url.user;
		auth[n++] = rc->url.password;
		if (redisAsyncCommandArgv(rc->ac, on_handshake, rc, n, auth, NULL))
			return -1;
		rc->handshake = 2;
	}
	return redisAsyncCommandArgv(rc->ac, on_handshake, rc, 1, ping, NULL) ? -1 : 0;
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->ev.data;

	if (!rc)
		return;
	if (status != REDIS_OK) {
		lwsl_warn("redis %s: connect failed: %s\n", rc->name, ac->errstr);
		rc->ac = NULL; /* hiredis frees it after this callback */
		went_down(rc);
		return;
	}
	/* the connect watchdog keeps running until the handshake is over */
	if (send_handshake(rc)) {
		lwsl_warn("redis %s: cannot send the handshake\n", rc->name);
		rconn_drop(rc);
	}
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->ev.data;

	if (!rc || rc->ac != ac)
		return;
	lwsl_warn("redis %s: disconnected%s%s\n", rc->name,
		  status == REDIS_OK ? "" : ": ", status == REDIS_OK ? "" : ac->errstr);
	rc->ac = NULL;
	went_down(rc);
}

static void connect_watchdog(lws_sorted_usec_list_t *sul)
{
	struct rconn *rc = lws_container_of(sul, struct rconn, sul_watchdog);

	if (rc->ac && !rc->up) {
		lwsl_warn("redis %s: connect timed out\n", rc->name);
		rconn_drop(rc);
	}
}

static void pong(redisReply *reply, void *arg)
{
	struct rconn *rc = arg;

	if (reply)
		rc->ping_outstanding = 0;
}

static void ping_tick(lws_sorted_usec_list_t *sul)
{
	struct rconn *rc = lws_container_of(sul, struct rconn, sul_ping);
	const char *argv[] = { "PING" };

	if (!rc->up)
		return;
	if (rc->ping_outstanding) {
		/*
		 * The PING waits behind earlier replies on this connection; only
		 * when nothing at all came back for a while is Redis gone. Bytes
		 * waiting in the socket mean the loop, not Redis, is behind (a
		 * busy or starved loop runs its timers before it reads).
		 */
		if (lws_now_usecs() - rc->last_reply > PING_LIMIT * LWS_US_PER_SEC &&
		    unread(rc) > 0)
			rc->last_reply = lws_now_usecs();
		if (lws_now_usecs() - rc->last_reply > PING_LIMIT * LWS_US_PER_SEC) {
			lwsl_warn("redis %s: no answer for %d s, dropping\n",
				  rc->name, PING_LIMIT);
			rconn_drop(rc);
			return;
		}
	} else if (!rconn_command(rc, pong, rc, 1, argv, NULL)) {
		rc->ping_outstanding = 1;
	}
	lws_sul_schedule(rc->ctx, 0, &rc->sul_ping, ping_tick, PING_EVERY_US);
}

static void do_connect(lws_sorted_usec_list_t *sul)
{
	struct rconn *rc = lws_container_of(sul, struct rconn, sul_retry);

	if (rc->stopping || rc->ac)
		return;
	rc->ac = rc->url.kind == REDIS_URL_UNIX ? redisAsyncConnectUnix(rc->url.path) :
		 redisAsyncConnect(rc->url.addr[0].host, rc->url.addr[0].port);
	if (!rc->ac || rc->ac->err || attach(rc)) {
		lwsl_warn("redis %s: cannot connect: %s\n", rc->name,
			  rc->ac ? rc->ac->errstr : "out of memory");
		if (rc->ac)
			redisAsyncFree(rc->ac);
		rc->ac = NULL;
		schedule_retry(rc);
		return;
	}
	redisAsyncSetDisconnectCallback(rc->ac, on_disconnect);
	redisAsyncSetConnectCallback(rc->ac, on_connect); /* arms POLLOUT */
	lws_sul_schedule(rc->ctx, 0, &rc->sul_watchdog, connect_watchdog,
			 CONNECT_WATCHDOG_US);
}

static void schedule_retry(struct rconn *rc)
{
	if (rc->stopping)
		return;
	rc->backoff_ms = rc->backoff_ms ? rc->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (rc->backoff_ms > BACKOFF_MAX_MS)
		rc->backoff_ms = BACKOFF_MAX_MS;
	rc->reconnects++;
	lws_sul_schedule(rc->ctx, 0, &rc->sul_retry, do_connect,
			 (lws_usec_t)rc->backoff_ms * LWS_US_PER_MS);
}

int rconn_init(struct rconn *rc, struct lws_context *ctx, struct lws_vhost *vh,
	       const char *url, const char *name)
{
	const char *why;

	memset(rc, 0, sizeof(*rc));
	rc->ctx = ctx;
	rc->vh = vh;
	rc->name = name;
	if (redis_url_parse(url, 0, &rc->url, &why) ||
	    rc->url.kind == REDIS_URL_SENTINEL)
		return -1;
	if (rc->url.kind == REDIS_URL_UNIX)
		snprintf(rc->where, sizeof(rc->where), "%s", rc->url.path);
	else
		snprintf(rc->where, sizeof(rc->where), strchr(rc->url.addr[0].host, ':') ?
			 "[%s]:%d" : "%s:%d", rc->url.addr[0].host, rc->url.addr[0].port);
	return 0;
}

void rconn_start(struct rconn *rc)
{
	rc->stopping = false;
	lws_sul_schedule(rc->ctx, 0, &rc->sul_retry, do_connect, 1);
}

void rconn_drop(struct rconn *rc)
{
	redisAsyncContext *ac = rc->ac;

	if (!ac)
		return;
	rc->ac = NULL;
	ac->ev.data = NULL;   /* our callbacks see a detached context */
	ev_cleanup(rc);
	redisAsyncFree(ac);   /* pending callbacks run with NULL now */
	went_down(rc);
}

void rconn_stop(struct rconn *rc)
{
	rc->stopping = true;
	lws_sul_cancel(&rc->sul_retry);
	lws_sul_cancel(&rc->sul_watchdog);
	lws_sul_cancel(&rc->sul_ping);
	rconn_drop(rc);
	rc->up = false;
}

static void reply_trampoline(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct pending *p = privdata;

	(void)ac;
	if (reply)
		p->rc->last_reply = lws_now_usecs();
	p->fn(reply, p->arg);
	free(p);
}

int rconn_command(struct rconn *rc, rconn_reply_fn fn, void *arg, int argc,
		  const char **argv, const size_t *argvlen)
{
	struct pending *p;

	if (!rc->ac || !rc->up)
		return -1;
	p = malloc(sizeof(*p));
	if (!p)
		return -1;
	p->rc = rc;
	p->fn = fn;
	p->arg = arg;
	if (redisAsyncCommandArgv(rc->ac, reply_trampoline, p, argc, argv, argvlen)) {
		free(p);
		return -1;
	}
	return 0;
}
