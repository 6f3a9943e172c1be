/*
 * feed.c — tailing lb:feed with XREAD BLOCK (see feed.h).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "push/hub.h"
#include "store/feed.h"
#include "store/store.h"

#define BLOCK_MS   "5000"
#define WATCHDOG_US (8 * LWS_US_PER_SEC)   /* BLOCK + 3 s */

static void read_next(struct feed *fd);

static void watchdog(lws_sorted_usec_list_t *sul)
{
	struct feed *fd = lws_container_of(sul, struct feed, sul_watchdog);

	lwsl_warn("feed: XREAD did not return in time, reconnecting\n");
	rconn_drop(&fd->tail);
}

static void take_item(struct feed *fd, const redisReply *item)
{
	const redisReply *f;
	const char *b, *t, *s, *p, *d;
	size_t dlen = 0;

	if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 ||
	    item->element[0]->type != REDIS_REPLY_STRING)
		return;
	snprintf(fd->last_id, sizeof(fd->last_id), "%s", item->element[0]->str);
	f = item->element[1];
	b = store_field(f, "b", NULL);
	t = store_field(f, "t", NULL);
	s = store_field(f, "s", NULL);
	p = store_field(f, "p", NULL);
	d = store_field(f, "d", &dlen);
	fd->items++;
	if (!b || !t || !s || !p || !d)
		return;
	if (!strcmp(t, "created"))
		known_add(b);
	else
		hubs_on_feed(b, t, s, p, d, dlen);
}

/* XREAD reply: nil on timeout, else [[key, [item, ...]]]. */
static void on_read(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	fd->reading = false;
	lws_sul_cancel(&fd->sul_watchdog);
	if (!r)
		return; /* connection lost: on_up starts reading again */
	if (r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++) {
			const redisReply *s = r->element[i];

			if (s->type == REDIS_REPLY_ARRAY && s->elements == 2 &&
			    s->element[1]->type == REDIS_REPLY_ARRAY)
				for (size_t j = 0; j < s->element[1]->elements; j++)
					take_item(fd, s->element[1]->element[j]);
		}
	else if (r->type == REDIS_REPLY_ERROR)
		lwsl_err("feed: XREAD failed: %s\n", r->str);
	read_next(fd);
}

static void read_next(struct feed *fd)
{
	const char *argv[] = { "XREAD", "COUNT", "1000", "BLOCK", BLOCK_MS,
			       "STREAMS", STORE_FEED_KEY, fd->last_id };

	if (fd->reading || rconn_command(&fd->tail, on_read, fd, 8, argv, NULL))
		return;
	fd->reading = true;
	lws_sul_schedule(fd->tail.ctx, 0, &fd->sul_watchdog, watchdog, WATCHDOG_US);
}

static void on_known(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	if (!r || r->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING)
			known_add(r->element[i]->str);
	fd->ready = true;
	hubs_on_feed_ready();
	read_next(fd);
}

/* First connection only: start from the feed's newest id, not from "$". */
static void on_start_id(redisReply *r, void *arg)
{
	struct feed *fd = arg;

	if (!r || r->type != REDIS_REPLY_ARRAY)
		return;
	if (r->elements && r->element[0]->type == REDIS_REPLY_ARRAY &&
	    r->element[0]->elements == 2)
		snprintf(fd->last_id, sizeof(fd->last_id), "%s",
			 r->element[0]->element[0]->str);
	else
		snprintf(fd->last_id, sizeof(fd->last_id), "0-0");
}

static void on_up(struct rconn *rc, void *arg)
{
	struct feed *fd = arg;
	const char *a1[] = { "XREVRANGE", STORE_FEED_KEY, "+", "-", "COUNT", "1" };
	const char *a2[] = { "ZRANGE", "lb:blogs", "0", "-1" };

	fd->reading = false;
	if (!fd->last_id[0])
		rconn_command(rc, on_start_id, fd, 6, a1, NULL);
	/* ordered after the start id on the same connection */
	rconn_command(rc, on_known, fd, 4, a2, NULL);
}

static void on_down(struct rconn *rc, void *arg)
{
	struct feed *fd = arg;

	fd->reading = false;
	lws_sul_cancel(&fd->sul_watchdog);
}

int feed_init(struct feed *fd, struct lws_context *ctx, struct lws_vhost *vh,
	      const char *url)
{
	memset(fd, 0, sizeof(*fd));
	if (rconn_init(&fd->tail, ctx, vh, url, "tail"))
		return -1;
	fd->tail.on_up = on_up;
	fd->tail.on_down = on_down;
	fd->tail.arg = fd;
	return 0;
}

void feed_start(struct feed *fd)
{
	rconn_start(&fd->tail);
}

void feed_stop(struct feed *fd)
{
	lws_sul_cancel(&fd->sul_watchdog);
	rconn_stop(&fd->tail);
}
