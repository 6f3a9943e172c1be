/*
 * redis_conn.c — a hiredis async connection driven by lws' own poll loop
 * (see redis_conn.h and NOTES-lws-hiredis.md, pitfalls P6–P8).
 */
#include "store/redis_conn.h"
#include "store/resolve.h"

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

/* Bytes Redis sent that are not read yet (0 when none or unknown). */
static int unread(const struct rconn *rc)
{
	int pending = 0;

	if (!rc->ac || ioctl(rc->ac->c.fd, FIONREAD, &pending))
		return 0;
	return pending;
}

static void schedule_retry(struct rconn *rc);
static void ping_tick(lws_sorted_usec_list_t *sul);
static int dns_event(struct rconn *rc, struct lws *wsi, enum lws_callback_reasons reason);

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

	if (rc && wsi == rc->dns_wsi)
		return dns_event(rc, wsi, reason);
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
	rc->failures = 0;
	rc->last_reply = lws_now_usecs();
	pthread_mutex_lock(&refusal_lock);
	refusal_logged[0] = '\0';
	pthread_mutex_unlock(&refusal_lock);
	lwsl_user("redis %s: connected to %s%s%s%s%s\n", rc->name, rc->where,
		  rc->role == RCONN_MASTER ? " (the master, per the sentinels)" :
		  rc->role == RCONN_SENTINEL ? " (a sentinel)" : "",
		  rc->auth_sent ? " (authenticated as " : "",
		  !rc->auth_sent ? "" : rc->url.user[0] ? rc->url.user : "default",
		  rc->auth_sent ? ")" : "");
	if (rc->watch_ping)
		lws_sul_schedule(rc->ctx, 0, &rc->sul_ping, ping_tick, PING_EVERY_US);
	if (rc->on_up)
		rc->on_up(rc, rc->arg);
}

/* Queues one handshake command whose reply on_handshake checks as step. */
static int send_step(struct rconn *rc, enum rconn_step step, int argc,
		     const char **argv);

/* Queues AUTH [user] password. Returns 0 or -1. */
static int send_auth(struct rconn *rc)
{
	const char *auth[3] = { "AUTH" };
	int n = 1;

	if (rc->url.user[0])
		auth[n++] = rc->url.user;
	auth[n++] = rc->url.password;
	rc->auth_sent = true;
	return send_step(rc, RCONN_AUTH, n, auth);
}

static bool reply_is_status(const redisReply *r, const char *s)
{
	return r->type == REDIS_REPLY_STATUS && !strcmp(r->str, s);
}

/* ROLE's first element: "master", "slave", "sentinel"... or NULL. */
static const char *role_of(const redisReply *r)
{
	if (r->type != REDIS_REPLY_ARRAY || !r->elements ||
	    r->element[0]->type != REDIS_REPLY_STRING)
		return NULL;
	return r->element[0]->str;
}

/*
 * One step's reply: true when it is what the step wants. A sentinel that
 * asks for a password (NOAUTH to the PING) gets AUTH and PING again.
 */
static bool step_ok(struct rconn *rc, enum rconn_step step, const redisReply *r)
{
	const char *ping[1] = { "PING" };
	const char *role;

	switch (step) {
	case RCONN_AUTH:
		return reply_is_status(r, "OK");
	case RCONN_PING:
		if (rc->role == RCONN_SENTINEL && r->type == REDIS_REPLY_ERROR &&
		    !strncmp(r->str, "NOAUTH", 6) && rc->url.password[0] && !rc->auth_sent)
			return !send_auth(rc) && !send_step(rc, RCONN_PING, 1, ping);
		return reply_is_status(r, "PONG");
	case RCONN_ROLE:
		role = role_of(r);
		if (role && strcmp(role, "master")) {
			rconn_not_master(rc, role);
			return true;   /* dropped: nothing more to say */
		}
		return role != NULL;
	}
	return false;
}

/*
 * A handshake reply. privdata is the rconn; a reply for a context that is
 * no longer rc's (dropped, or freed: r NULL) is ignored, the drop having
 * done the rest. Each step's reply is checked in order; the last one makes
 * the connection up; anything unexpected is logged and the connection
 * dropped (retry after backoff).
 */
static void on_handshake(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct rconn *rc = privdata;
	const redisReply *r = reply;
	enum rconn_step step;
	static const char *names[] = { "AUTH", "PING", "ROLE" };

	if (!r || rc->ac != ac || rc->step >= rc->nsteps)
		return;
	step = rc->steps[rc->step++];
	if (step_ok(rc, step, r)) {
		if (rc->ac == ac && rc->step == rc->nsteps)
			became_up(rc);
		return;
	}
	log_refusal(rc, names[step], r);
	rconn_drop(rc);
}

static int send_step(struct rconn *rc, enum rconn_step step, int argc,
		     const char **argv)
{
	if (rc->nsteps == (int)(sizeof(rc->steps) / sizeof(rc->steps[0])) ||
	    redisAsyncCommandArgv(rc->ac, on_handshake, rc, argc, argv, NULL))
		return -1;
	rc->steps[rc->nsteps++] = step;
	return 0;
}

/*
 * Queues the handshake: AUTH when there is a password (a sentinel: only
 * once it asks), PING, and ROLE for a master found through sentinels.
 * Returns 0 or -1.
 */
static int send_handshake(struct rconn *rc)
{
	const char *ping[1] = { "PING" }, *role[1] = { "ROLE" };

	rc->nsteps = rc->step = 0;
	rc->auth_sent = false;
	if (rc->url.password[0] && rc->role != RCONN_SENTINEL && send_auth(rc))
		return -1;
	if (send_step(rc, RCONN_PING, 1, ping))
		return -1;
	return rc->role == RCONN_MASTER ? send_step(rc, RCONN_ROLE, 1, role) : 0;
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->ev.data;

	if (!rc)
		return;
	if (status != REDIS_OK) {
		lwsl_warn("redis %s: connect to %s failed: %s\n", rc->name, rc->where, ac->errstr);
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
	lwsl_warn("redis %s: disconnected from %s%s%s\n", rc->name, rc->where,
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
		if (lws_now_usecs() - rc->last_reply > (lws_usec_t)rc->ping_limit * LWS_US_PER_SEC &&
		    unread(rc) > 0)
			rc->last_reply = lws_now_usecs();
		if (lws_now_usecs() - rc->last_reply > (lws_usec_t)rc->ping_limit * LWS_US_PER_SEC) {
			lwsl_warn("redis %s: no answer for %d s, dropping\n",
				  rc->name, rc->ping_limit);
			rconn_drop(rc);
			return;
		}
	} else if (!rconn_command(rc, pong, rc, 1, argv, NULL)) {
		rc->ping_outstanding = 1;
	}
	lws_sul_schedule(rc->ctx, 0, &rc->sul_ping, ping_tick, PING_EVERY_US);
}

/* Connects to ip (numeric: hiredis resolves nothing) or the unix path. */
static void connect_to(struct rconn *rc, const char *ip)
{
	rc->ac = rc->url.kind == REDIS_URL_UNIX ? redisAsyncConnectUnix(rc->url.path) :
		 redisAsyncConnect(ip, rc->addr.port);
	if (!rc->ac || rc->ac->err || attach(rc)) {
		lwsl_warn("redis %s: cannot connect to %s: %s\n", rc->name, rc->where,
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

/* ---- host names: resolved on a thread (resolve.h), answered through a pipe ---- */

static void dns_forget(struct rconn *rc)
{
	struct lws *wsi = rc->dns_wsi;

	if (!wsi)
		return;
	rc->dns_wsi = NULL;
	lws_set_opaque_user_data(wsi, NULL);
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* Starts resolving rc->addr.host; 0, or -1 when nothing could start. */
static int dns_start(struct rconn *rc)
{
	lws_sock_file_fd_type fd;

	fd.filefd = resolve_start(rc->addr.host);
	if (fd.filefd < 0)
		return -1;
	rc->dns_wsi = lws_adopt_descriptor_vhost(rc->vh, LWS_ADOPT_RAW_FILE_DESC, fd,
						 "redis-raw", NULL);
	if (!rc->dns_wsi) {
		close(fd.filefd);
		return -1;
	}
	lws_set_opaque_user_data(rc->dns_wsi, rc);
	return 0;
}

/* The resolver's pipe: its answer, then lws closes the pipe (-1). */
static int dns_event(struct rconn *rc, struct lws *wsi, enum lws_callback_reasons reason)
{
	char ip[RESOLVE_IP_MAX], err[160];

	if (reason != LWS_CALLBACK_RAW_RX_FILE && reason != LWS_CALLBACK_RAW_CLOSE_FILE)
		return 0;
	rc->dns_wsi = NULL;
	lws_set_opaque_user_data(wsi, NULL);
	if (reason == LWS_CALLBACK_RAW_RX_FILE &&
	    !resolve_read(lws_get_socket_fd(wsi), ip, err, sizeof(err))) {
		if (!rc->stopping && !rc->ac)
			connect_to(rc, ip);
	} else {
		if (reason != LWS_CALLBACK_RAW_RX_FILE)
			snprintf(err, sizeof(err), "the resolver went away");
		lwsl_warn("redis %s: cannot resolve %s: %s\n", rc->name, rc->addr.host, err);
		schedule_retry(rc);
	}
	return reason == LWS_CALLBACK_RAW_RX_FILE ? -1 : 0;
}

/* An attempt: where (the locator may make it wait), then the name, then connect. */
static void do_connect(lws_sorted_usec_list_t *sul)
{
	struct rconn *rc = lws_container_of(sul, struct rconn, sul_retry);

	if (rc->stopping || rc->ac || rc->dns_wsi)
		return;
	if (rc->locate && rc->locate(rc, rc->locate_arg))
		return;   /* rconn_retry_now() once the locator knows */
	if (rc->url.kind == REDIS_URL_UNIX || resolve_is_numeric(rc->addr.host)) {
		connect_to(rc, rc->addr.host);
	} else if (!rc->addr.host[0] || dns_start(rc)) {
		lwsl_warn("redis %s: cannot look up %s\n", rc->name,
			  rc->addr.host[0] ? rc->addr.host : "(no address)");
		schedule_retry(rc);
	}
}

static void schedule_retry(struct rconn *rc)
{
	if (rc->stopping)
		return;
	rc->backoff_ms = rc->backoff_ms ? rc->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (rc->backoff_ms > BACKOFF_MAX_MS)
		rc->backoff_ms = BACKOFF_MAX_MS;
	rc->reconnects++;
	rc->failures++;
	lws_sul_schedule(rc->ctx, 0, &rc->sul_retry, do_connect,
			 (lws_usec_t)rc->backoff_ms * LWS_US_PER_MS);
}

void rconn_set_addr(struct rconn *rc, const char *host, int port)
{
	snprintf(rc->addr.host, sizeof(rc->addr.host), "%s", host);
	rc->addr.port = port;
	snprintf(rc->where, sizeof(rc->where), strchr(host, ':') ? "[%s]:%d" : "%s:%d",
		 host, port);
}

int rconn_init(struct rconn *rc, struct lws_context *ctx, struct lws_vhost *vh,
	       const char *url, const char *name)
{
	const char *why;

	memset(rc, 0, sizeof(*rc));
	rc->ctx = ctx;
	rc->vh = vh;
	rc->name = name;
	rc->ping_limit = PING_LIMIT;
	if (redis_url_parse(url, 0, &rc->url, &why))
		return -1;
	if (rc->url.kind == REDIS_URL_UNIX) {
		snprintf(rc->where, sizeof(rc->where), "%s", rc->url.path);
	} else if (rc->url.kind == REDIS_URL_SENTINEL) {
		rc->role = RCONN_MASTER;
		snprintf(rc->where, sizeof(rc->where), "the master '%s'", rc->url.master);
	} else {
		rconn_set_addr(rc, rc->url.addr[0].host, rc->url.addr[0].port);
	}
	return 0;
}

void rconn_locate_by(struct rconn *rc, rconn_locate_fn fn, void *arg)
{
	rc->locate = fn;
	rc->locate_arg = arg;
}

void rconn_start(struct rconn *rc)
{
	rc->stopping = false;
	if (rc->role == RCONN_MASTER && !rc->locate) {
		lwsl_err("redis %s: a sentinel:// connection without sentinels\n", rc->name);
		return;
	}
	lws_sul_schedule(rc->ctx, 0, &rc->sul_retry, do_connect, 1);
}

void rconn_retry_now(struct rconn *rc)
{
	if (rc->stopping || rc->ac || rc->dns_wsi)
		return;
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

void rconn_not_master(struct rconn *rc, const char *why)
{
	if (!rc->ac)
		return;
	lwsl_warn("redis %s: %s is no longer the master (%s); asking the sentinels again\n",
		  rc->name, rc->where, why);
	rconn_drop(rc);
}

void rconn_stop(struct rconn *rc)
{
	rc->stopping = true;
	lws_sul_cancel(&rc->sul_retry);
	lws_sul_cancel(&rc->sul_watchdog);
	lws_sul_cancel(&rc->sul_ping);
	dns_forget(rc);
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

/* A push on a subscribed connection; privdata is the rconn. */
static void sub_trampoline(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct rconn *rc = privdata;

	if (!reply || rc->ac != ac)
		return;   /* dropped: on_down said so */
	rc->last_reply = lws_now_usecs();
	rc->sub_fn(reply, rc->sub_arg);
}

int rconn_subscribe(struct rconn *rc, const char *channel, rconn_reply_fn fn,
		    void *arg)
{
	const char *argv[2] = { "SUBSCRIBE", channel };

	if (!rc->ac || !rc->up || rc->watch_ping)
		return -1;   /* a subscribed connection takes no PING */
	rc->sub_fn = fn;
	rc->sub_arg = arg;
	return redisAsyncCommandArgv(rc->ac, sub_trampoline, rc, 2, argv, NULL) ? -1 : 0;
}
