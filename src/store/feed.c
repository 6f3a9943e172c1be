/*
 * feed.c — tailing lb:feed with XREAD BLOCK (see feed.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/feed.h"
#include "store/redis_conn.h"
#include "store/redis_reply.h"
#include "store/redis_store.h"

struct feed {
	struct rconn tail;
	struct rconn *cmd;       /* writes the canary */
	struct feed_sink sink;
	char canary_key[96];     /* lb:canary:<instance>, read with the feed */
	char canary_id[48];
	lws_usec_t canary_sent;  /* newest canary Redis acknowledged (0: none) */
	lws_usec_t canary_seen;  /* newest canary the tail read back */
	lws_usec_t canary_pending; /* oldest acknowledged canary not yet seen */
	unsigned long canaries;
	lws_sorted_usec_list_t sul_canary;
	char last_id[48];
	bool ready;              /* known blogs loaded and a start id fixed */
	bool reading;
	lws_sorted_usec_list_t sul_watchdog;
	unsigned long items;
};

#define BLOCK_MS   "5000"
#define WATCHDOG_US (8 * LWS_US_PER_SEC)   /* BLOCK + 3 s */
#define CANARY_US   (2 * LWS_US_PER_SEC)

static void read_next(struct feed *fd);

static void ignore_reply(redisReply *r, void *arg)
{
	(void)r;
	(void)arg;
}

static void watchdog(lws_sorted_usec_list_t *sul)
{
	struct feed *fd = lws_container_of(sul, struct feed, sul_watchdog);

	lwsl_warn("feed: XREAD did not return in time, reconnecting\n");
	rconn_drop(&fd->tail);
}

/* One feed item [id, [b, blog, t, type, s, seq, p, prev, d, data]]. */
static void take_item(struct feed *fd, const redisReply *item)
{
	const redisReply *f;
	const char *b, *p;
	struct store_event ev = { 0 };

	if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 ||
	    item->element[0]->type != REDIS_REPLY_STRING)
		return;
	snprintf(fd->last_id, sizeof(fd->last_id), "%s", item->element[0]->str);
	f = item->element[1];
	b = rr_field(f, "b", NULL);
	ev.type = rr_field(f, "t", NULL);
	ev.seq = rr_field(f, "s", NULL);
	p = rr_field(f, "p", NULL);
	ev.data = rr_field(f, "d", &ev.len);
	fd->items++;
	if (!b || !ev.type || !ev.seq || !p || !ev.data)
		return;
	if (!strcmp(ev.type, "created"))
		fd->sink.created(fd->sink.arg, b);
	else if (!strcmp(ev.type, "media_gone") && fd->sink.media_gone)
		fd->sink.media_gone(fd->sink.arg, ev.data, ev.len);
	else if (!strcmp(ev.type, "media_gone"))
		return;
	else if (!strcmp(ev.type, "blog") && fd->sink.blog)
		fd->sink.blog(fd->sink.arg, b, ev.data, ev.len);
	else if (!strcmp(ev.type, "blog"))
		return;
	else
		fd->sink.event(fd->sink.arg, b, &ev, p);
}

static void take_canaries(struct feed *fd, const redisReply *items)
{
	const redisReply *last;

	if (!items->elements)
		return;
	last = items->element[items->elements - 1];
	if (last->type == REDIS_REPLY_ARRAY && last->elements == 2 &&
	    last->element[0]->type == REDIS_REPLY_STRING)
		snprintf(fd->canary_id, sizeof(fd->canary_id), "%s", last->element[0]->str);
	fd->canary_seen = lws_now_usecs();
	fd->canary_pending = 0;
}

/* XREAD reply: nil on timeout, else [[key, [item, ...]], ...]. */
static void on_read(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	fd->reading = false;
	lws_sul_cancel(&fd->sul_watchdog);
	if (!r)
		return; /* connection lost: on_up starts reading again */
	if (r->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i < r->elements; i++) {
			const redisReply *s = r->element[i];

			if (s->type != REDIS_REPLY_ARRAY || s->elements != 2 ||
			    s->element[0]->type != REDIS_REPLY_STRING ||
			    s->element[1]->type != REDIS_REPLY_ARRAY)
				continue;
			if (!strcmp(s->element[0]->str, fd->canary_key)) {
				take_canaries(fd, s->element[1]);
				continue;
			}
			for (size_t j = 0; j < s->element[1]->elements; j++)
				take_item(fd, s->element[1]->element[j]);
		}
		fd->sink.batch_done(fd->sink.arg);
	} else if (r->type == REDIS_REPLY_ERROR) {
		/* e.g. LOADING after a restart: start over after a backoff */
		lwsl_warn("feed: XREAD failed: %s\n", r->str);
		rconn_drop(&fd->tail);
		return;
	}
	read_next(fd);
}

static void read_next(struct feed *fd)
{
	const char *argv[] = { "XREAD", "COUNT", "1000", "BLOCK", BLOCK_MS,
			       "STREAMS", STORE_FEED_KEY, fd->canary_key,
			       fd->last_id, fd->canary_id };

	if (fd->reading || rconn_command(&fd->tail, on_read, fd, 10, argv, NULL))
		return;
	fd->reading = true;
	lws_sul_schedule(fd->tail.ctx, 0, &fd->sul_watchdog, watchdog, WATCHDOG_US);
}

static void on_known(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	if (r && r->type != REDIS_REPLY_ARRAY) {
		lwsl_warn("feed: cannot list blogs: %s\n",
			  r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
		rconn_drop(&fd->tail);   /* try again after a backoff */
	}
	if (!r || r->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING)
			fd->sink.created(fd->sink.arg, r->element[i]->str);
	fd->ready = true;
	fd->sink.ready(fd->sink.arg);
	read_next(fd);
}

/* First connection only: start from the feed's newest id, not from "$". */
static void on_start_id(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	if (!r || r->type != REDIS_REPLY_ARRAY)
		return;   /* the blog list after it fails too and starts over */
	if (r->elements && r->element[0]->type == REDIS_REPLY_ARRAY &&
	    r->element[0]->elements == 2)
		snprintf(fd->last_id, sizeof(fd->last_id), "%s",
			 r->element[0]->element[0]->str);
	else
		snprintf(fd->last_id, sizeof(fd->last_id), "0-0");
}

/*
 * A reconnect: the newest feed item at or before the last one read. When
 * it is not that one, this server lacks it: Redis failed over to a replica
 * that had not received it. Everything this server holds up to there was
 * read already (a replica holds a prefix of its master's feed), and what
 * it holds after may be newer writes with smaller ids (another clock):
 * reading resumes from there, not from an id this server never had.
 */
static void on_resume_id(redisReply *r, void *arg)
{
	struct feed *fd = arg;
	const char *id = "0-0";

	if (!r || r->type != REDIS_REPLY_ARRAY)
		return;
	if (r->elements && r->element[0]->type == REDIS_REPLY_ARRAY &&
	    r->element[0]->elements == 2 && r->element[0]->element[0]->type == REDIS_REPLY_STRING)
		id = r->element[0]->element[0]->str;
	if (!strcmp(id, fd->last_id))
		return;
	lwsl_warn("feed: this server lacks the last item read (%s, lost in a failover); "
		  "resuming after %s\n", fd->last_id, id);
	snprintf(fd->last_id, sizeof(fd->last_id), "%s", id);
}

static void on_up(struct rconn *rc, void *arg)
{
	struct feed *fd = arg;
	const char *a1[] = { "XREVRANGE", STORE_FEED_KEY, "+", "-", "COUNT", "1" };
	const char *a2[] = { "ZRANGE", "lb:blogs", "0", "-1" };
	const char *a3[] = { "XREVRANGE", STORE_FEED_KEY, fd->last_id, "-", "COUNT", "1" };

	fd->reading = false;
	if (!fd->last_id[0])
		rconn_command(rc, on_start_id, fd, 6, a1, NULL);
	else if (strcmp(fd->last_id, "0-0"))
		rconn_command(rc, on_resume_id, fd, 6, a3, NULL);
	/* ordered after the start id on the same connection */
	rconn_command(rc, on_known, fd, 4, a2, NULL);
}

static void on_down(struct rconn *rc, void *arg)
{
	struct feed *fd = arg;

	fd->reading = false;
	lws_sul_cancel(&fd->sul_watchdog);
}

static void on_canary_written(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	if (r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "READONLY", 8))
		rconn_not_master(fd->cmd, "READONLY");
	if (!r || r->type != REDIS_REPLY_STRING)
		return;
	fd->canary_sent = lws_now_usecs();
	fd->canaries++;
	if (!fd->canary_pending)
		fd->canary_pending = fd->canary_sent;
}

static void canary_tick(lws_sorted_usec_list_t *sul)
{
	struct feed *fd = lws_container_of(sul, struct feed, sul_canary);
	const char *xadd[] = { "XADD", fd->canary_key, "MAXLEN", "10", "*", "t", "1" };
	const char *expire[] = { "PEXPIRE", fd->canary_key, "60000" };

	if (!rconn_command(fd->cmd, on_canary_written, fd, 7, xadd, NULL))
		rconn_command(fd->cmd, ignore_reply, fd, 3, expire, NULL);
	lws_sul_schedule(fd->tail.ctx, 0, &fd->sul_canary, canary_tick, CANARY_US);
}

lws_usec_t feed_canary_lag(const struct feed *fd)
{
	return fd->canary_pending ? lws_now_usecs() - fd->canary_pending : 0;
}

struct feed *feed_new(struct lws_context *ctx, struct lws_vhost *vh,
		      const char *url, struct store *store, const char *instance,
		      const struct feed_sink *sink)
{
	struct feed *fd = calloc(1, sizeof(*fd));

	if (!fd)
		return NULL;
	fd->cmd = redis_store_conn(store);
	fd->sink = *sink;
	snprintf(fd->canary_key, sizeof(fd->canary_key), "lb:canary:%s", instance);
	strcpy(fd->canary_id, "0-0");
	if (rconn_init(&fd->tail, ctx, vh, url, "tail") ||
	    redis_store_follow(store, &fd->tail)) {
		free(fd);
		return NULL;
	}
	fd->tail.on_up = on_up;
	fd->tail.on_down = on_down;
	fd->tail.arg = fd;
	return fd;
}

void feed_start(struct feed *fd)
{
	rconn_start(&fd->tail);
	lws_sul_schedule(fd->tail.ctx, 0, &fd->sul_canary, canary_tick, CANARY_US);
}

void feed_stop(struct feed *fd)
{
	lws_sul_cancel(&fd->sul_watchdog);
	lws_sul_cancel(&fd->sul_canary);
	rconn_stop(&fd->tail);
}

void feed_free(struct feed *fd)
{
	free(fd);
}

bool feed_up(const struct feed *fd)
{
	return fd->tail.up;
}

bool feed_ready(const struct feed *fd)
{
	return fd->ready;
}

unsigned long feed_canaries(const struct feed *fd)
{
	return fd->canaries;
}

unsigned long feed_items(const struct feed *fd)
{
	return fd->items;
}

unsigned long feed_reconnects(const struct feed *fd)
{
	return fd->tail.reconnects;
}
