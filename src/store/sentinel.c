/*
 * sentinel.c — finding and following the master through sentinels (see
 * sentinel.h). Everything here runs on its loop's thread; the only thing
 * shared between loops is the count of master changes seen (metrics).
 */
#include "store/sentinel.h"
#include "shared.h"
#include "store/redis_conn.h"
#include "store/sentinel_msg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_WAIT_US (2 * LWS_US_PER_SEC)
#define RECHECK_US     (5 * LWS_US_PER_SEC)
#define FOLLOWERS_MAX  4
#define CHANNEL        "+switch-master"

struct sentinel {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct redis_url url;            /* the sentinels, the master's name */
	struct rconn query;              /* asks where the master is */
	struct rconn sub;                /* SUBSCRIBE +switch-master */
	int query_at, sub_at;            /* the sentinel each one talks to */
	struct rconn *followers[FOLLOWERS_MAX];
	bool waiting[FOLLOWERS_MAX];     /* connects once the next answer is in */
	bool told[FOLLOWERS_MAX];        /* has that answer: its next attempt goes */
	int nfollowers;
	bool asking;                     /* a question in flight */
	bool check;                      /* ask even if no follower waits */
	struct redis_url_addr master;    /* the last answer ("" before the first) */
	lws_sorted_usec_list_t sul_answer;  /* the answer's deadline */
	lws_sorted_usec_list_t sul_recheck;
};

/* ---- the process's view: master changes are counted once, whichever loop sees them ---- */

static pthread_mutex_t view_lock = PTHREAD_MUTEX_INITIALIZER;
static struct redis_url_addr view;

/* Counts a failover when a is another master than the one any loop saw last. */
static void view_note(const struct redis_url_addr *a)
{
	bool changed;

	pthread_mutex_lock(&view_lock);
	changed = view.host[0] && (strcmp(view.host, a->host) || view.port != a->port);
	view = *a;
	pthread_mutex_unlock(&view_lock);
	if (changed)
		metrics.redis_failovers++;
}

/* ---- asking ---- */

static void ask(struct sentinel *sn);

static bool anyone_waits(const struct sentinel *sn)
{
	for (int i = 0; i < sn->nfollowers; i++)
		if (sn->waiting[i])
			return true;
	return sn->check;
}

static bool at_master(const struct rconn *rc, const struct redis_url_addr *m)
{
	return !strcmp(rc->addr.host, m->host) && rc->addr.port == m->port;
}

/*
 * The master is at m: followers elsewhere are dropped, waiting ones (and,
 * after a change, any in backoff) connect now — asking once more first.
 */
static void found(struct sentinel *sn, const struct redis_url_addr *m)
{
	bool changed = sn->master.host[0] && (strcmp(sn->master.host, m->host) ||
					      sn->master.port != m->port);

	if (changed || !sn->master.host[0])
		lwsl_user("sentinel: the master '%s' is at %s:%d%s%s%s\n", sn->url.master,
			  m->host, m->port, changed ? " (was " : "",
			  changed ? sn->master.host : "", changed ? ")" : "");
	sn->master = *m;
	sn->check = false;
	view_note(m);
	for (int i = 0; i < sn->nfollowers; i++) {
		struct rconn *rc = sn->followers[i];

		if (rc->ac && !at_master(rc, m))
			rconn_drop(rc);
		if (sn->waiting[i]) {
			sn->waiting[i] = false;
			sn->told[i] = true;
			rconn_set_addr(rc, m->host, m->port);
			rconn_retry_now(rc);
		} else if (changed) {
			rconn_retry_now(rc);
		}
	}
}

/* The answer to SENTINEL get-master-addr-by-name: [host, port], or nil. */
static void on_answer(redisReply *r, void *arg)
{
	struct sentinel *sn = arg;
	struct redis_url_addr m;

	sn->asking = false;
	lws_sul_cancel(&sn->sul_answer);
	if (!r)
		return;   /* the connection went: it asks again once back */
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING &&
	    !sentinel_msg_host(r->element[0]->str, r->element[0]->len, m.host) &&
	    (m.port = sentinel_msg_port(r->element[1]->str, r->element[1]->len))) {
		found(sn, &m);
		return;
	}
	lwsl_warn("sentinel %s: %s%s; asking another sentinel\n", sn->query.where,
		  r->type == REDIS_REPLY_NIL ? "does not know the master " :
		  r->type == REDIS_REPLY_ERROR ? "refused: " : "an unexpected answer",
		  r->type == REDIS_REPLY_NIL ? sn->url.master :
		  r->type == REDIS_REPLY_ERROR ? r->str : "");
	rconn_drop(&sn->query);
}

static void answer_late(lws_sorted_usec_list_t *sul)
{
	struct sentinel *sn = lws_container_of(sul, struct sentinel, sul_answer);

	lwsl_warn("sentinel %s: no answer within 2 s; asking another sentinel\n",
		  sn->query.where);
	rconn_drop(&sn->query);
}

/* Asks where the master is, unless a question is in flight or nobody can ask. */
static void ask(struct sentinel *sn)
{
	const char *argv[3] = { "SENTINEL", "get-master-addr-by-name", sn->url.master };

	if (sn->asking || !sn->query.up)
		return;   /* the query connection asks once it is up */
	if (rconn_command(&sn->query, on_answer, sn, 3, argv, NULL))
		return;
	sn->asking = true;
	lws_sul_schedule(sn->ctx, 0, &sn->sul_answer, answer_late, ANSWER_WAIT_US);
}

static void recheck(lws_sorted_usec_list_t *sul)
{
	struct sentinel *sn = lws_container_of(sul, struct sentinel, sul_recheck);

	sn->check = true;
	ask(sn);
	lws_sul_schedule(sn->ctx, 0, &sn->sul_recheck, recheck, RECHECK_US);
}

/* ---- the connections' hooks ---- */

/* A follower's attempt: goes where the answer it waited for said, else waits for one. */
static int locate_master(struct rconn *rc, void *arg)
{
	struct sentinel *sn = arg;

	for (int i = 0; i < sn->nfollowers; i++) {
		if (sn->followers[i] != rc)
			continue;
		if (sn->told[i]) {
			sn->told[i] = false;
			return 0;
		}
		sn->waiting[i] = true;
	}
	ask(sn);
	return 1;
}

/* A sentinel connection's attempt: after a failure, the next sentinel. */
static int locate_sentinel(struct rconn *rc, void *arg)
{
	struct sentinel *sn = arg;
	int *at = rc == &sn->query ? &sn->query_at : &sn->sub_at;

	if (rc->failures)
		*at = (*at + 1) % sn->url.naddr;
	rconn_set_addr(rc, sn->url.addr[*at].host, sn->url.addr[*at].port);
	return 0;
}

static void on_query_up(struct rconn *rc, void *arg)
{
	struct sentinel *sn = arg;

	if (anyone_waits(sn))
		ask(sn);
}

static void on_query_down(struct rconn *rc, void *arg)
{
	struct sentinel *sn = arg;

	sn->asking = false;
	lws_sul_cancel(&sn->sul_answer);
}

/* A push on the subscription: ["message", "+switch-master", payload]. */
static void on_push(redisReply *r, void *arg)
{
	struct sentinel *sn = arg;
	struct redis_url_addr m;
	const redisReply *p;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(r->element[0]->str, "message"))
		return;   /* the subscription's confirmation */
	p = r->element[2];
	if (p->type != REDIS_REPLY_STRING)
		return;
	switch (sentinel_msg_switch(p->str, p->len, sn->url.master, &m)) {
	case 1:
		lwsl_user("sentinel %s: +switch-master %.*s\n", sn->sub.where,
			  (int)p->len, p->str);
		found(sn, &m);
		break;
	case -1:
		lwsl_warn("sentinel %s: a +switch-master message we cannot read\n",
			  sn->sub.where);
		break;
	}
}

/* Subscribed again: a message may have been missed meanwhile, so ask. */
static void on_sub_up(struct rconn *rc, void *arg)
{
	struct sentinel *sn = arg;

	if (rconn_subscribe(rc, CHANNEL, on_push, sn)) {
		rconn_drop(rc);
		return;
	}
	sn->check = true;
	ask(sn);
}

/* ---- life cycle ---- */

static int sentinel_conn(struct sentinel *sn, struct rconn *rc, const char *url,
			 const char *name)
{
	if (rconn_init(rc, sn->ctx, sn->vh, url, name))
		return -1;
	rc->role = RCONN_SENTINEL;
	rc->arg = sn;
	rconn_locate_by(rc, locate_sentinel, sn);
	return 0;
}

struct sentinel *sentinel_new(struct lws_context *ctx, struct lws_vhost *vh,
			      const char *url)
{
	struct sentinel *sn = calloc(1, sizeof(*sn));
	const char *why;

	if (!sn)
		return NULL;
	sn->ctx = ctx;
	sn->vh = vh;
	if (redis_url_parse(url, 0, &sn->url, &why) || sn->url.kind != REDIS_URL_SENTINEL ||
	    sentinel_conn(sn, &sn->query, url, "sentinel") ||
	    sentinel_conn(sn, &sn->sub, url, "sentinel-sub")) {
		free(sn);
		return NULL;
	}
	sn->query.watch_ping = true;
	sn->query.on_up = on_query_up;
	sn->query.on_down = on_query_down;
	sn->sub.on_up = on_sub_up;
	return sn;
}

int sentinel_follow(struct sentinel *sn, struct rconn *rc)
{
	if (sn->nfollowers == FOLLOWERS_MAX || rc->role != RCONN_MASTER)
		return -1;
	sn->waiting[sn->nfollowers] = sn->told[sn->nfollowers] = false;
	sn->followers[sn->nfollowers++] = rc;
	rconn_locate_by(rc, locate_master, sn);
	return 0;
}

void sentinel_start(struct sentinel *sn)
{
	rconn_start(&sn->query);
	rconn_start(&sn->sub);
	lws_sul_schedule(sn->ctx, 0, &sn->sul_recheck, recheck, RECHECK_US);
}

void sentinel_stop(struct sentinel *sn)
{
	sn->nfollowers = 0;
	lws_sul_cancel(&sn->sul_answer);
	lws_sul_cancel(&sn->sul_recheck);
	rconn_stop(&sn->query);
	rconn_stop(&sn->sub);
}

void sentinel_free(struct sentinel *sn)
{
	free(sn);
}
