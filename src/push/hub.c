/*
 * hub.c — per-blog rings of shared frames and the readers that walk them
 * (see hub.h). Everything runs on the one event loop thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app.h"
#include "liveblog/protocol.h"
#include "push/frame.h"
#include "push/hub.h"

#define INIT_EVENTS  256     /* newest events loaded when a hub starts */
#define PAGE         200     /* events per catch-up read */
#define STATS_US     (5 * LWS_US_PER_SEC)
#define CULL_GRACE_S 15
#define WAKE_CHUNK   1024    /* readers woken per loop pass after an event */
#define HIST_PAGES   32      /* catch-up pages a hub keeps (shared by readers) */
#define RING_BYTES   (16u << 20)   /* a live ring's text, at most: big entries, fewer */

struct hub {
	struct lws_dll2 link;
	char id[72];
	unsigned refs;           /* readers + Redis calls in flight */
	bool ready, loading, fetching, refetch;
	bool archive;            /* ended: the ring grows to hold the whole log */
	bool archive_loading;    /* reading the whole log before readers start */
	struct lb_blog meta;
	struct lb_blog archive_meta;
	struct lb_seq last, base;
	char last_str[48];
	struct frame **ring;
	size_t cap, count;
	size_t bytes;            /* text held by the ring */
	uint64_t head;           /* absolute index of the next slot */
	lws_dll2_owner_t readers;
	struct frame *stats;
	uint64_t stats_gen;
	lws_sorted_usec_list_t sul_stats;
	lws_sorted_usec_list_t sul_load;   /* retry a load Redis could not take */
	uint64_t wake_gen;       /* bumped per appended event */
	lws_sorted_usec_list_t sul_wake;   /* wakes the rest of a large audience */
	bool wake_due;           /* an event appended, its wake not begun */
	lws_dll2_owner_t pages;  /* catch-up pages, least recently used first */
};

/*
 * A page of the log older than the ring: the PAGE events after `after`
 * (from `after` itself when inclusive: a resume to verify), read from Redis
 * once and serialised once for every reader who needs it. Readers behind
 * the ring who start from the same place (a new audience from the start, a
 * crowd resuming from the same event) walk the same chain of pages.
 */
struct page {
	struct lws_dll2 link;    /* in the hub's pages while it is kept */
	struct hub *hub;
	unsigned refs;           /* the hub's list + a load or a delivery under way */
	char after[48];
	bool inclusive, loading;
	lws_dll2_owner_t waiters;
	size_t n;
	struct frame *f[PAGE + 1];
};

enum rstate { R_WAIT, R_CATCHUP, R_LIVE };

struct reader {
	struct lws_dll2 link;
	struct hub *hub;
	struct lws *wsi;         /* NULL once the connection closed */
	unsigned refs;           /* the connection + Redis calls in flight */
	enum rstate state;
	bool hello_sent, reset_pending, live_sent, verify, fetching, closing;
	char since[48];
	struct lws_dll2 wait_link;   /* in a loading page's waiters */
	struct frame *q[PAGE + 1];
	int qn, qpos;
	uint64_t cursor;
	uint64_t woken;          /* the hub's wake_gen when last woken */
	uint64_t stats_gen;
	int close_code;
	const char *close_reason;
	bool sse;                /* Server-Sent Events instead of WebSocket */
	bool peer_closing;       /* the peer sent a close: lws answers it, we say no more */
	double replay;           /* > 0: history paced at its original gaps / replay */
	uint64_t replay_last_ms; /* seq time of the last event replayed */
	lws_usec_t replay_sent;  /* when it was sent */
	lws_sorted_usec_list_t sul_replay;
};

static void reader_advance(struct reader *r);
static void hub_fetch(struct hub *h);
static bool send_live_now(struct reader *r);

/* True once the ring no longer holds the event at absolute index i. */
static bool evicted(const struct hub *h, uint64_t i)
{
	return i < h->head - h->count;
}

/* ---- hub life cycle ---- */

static struct hub *hub_find(const char *blog)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&app.hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		if (!strcmp(h->id, blog))
			return h;
	} lws_end_foreach_dll(d);
	return NULL;
}

static void page_unref(struct page *p)
{
	if (--p->refs)
		return;
	for (size_t i = 0; i < p->n; i++)
		frame_unref(p->f[i]);
	free(p);
}

/*
 * Drops a page from the hub's list. It is freed once nobody holds it: a
 * delivery under way (on_page) keeps it alive until its walk is over.
 */
static void page_evict(struct page *p)
{
	if (!p->link.owner)
		return;
	lws_dll2_remove(&p->link);
	page_unref(p);
}

static void hub_unref(struct hub *h)
{
	if (--h->refs)
		return;
	/* a loading page holds a ref: none is loading, none has waiters */
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->pages)) {
		page_evict(lws_container_of(d, struct page, link));
	} lws_end_foreach_dll_safe(d, d1);
	lws_sul_cancel(&h->sul_stats);
	lws_sul_cancel(&h->sul_load);
	lws_sul_cancel(&h->sul_wake);
	lws_dll2_remove(&h->link);
	for (uint64_t i = h->head - h->count; i < h->head; i++)
		frame_unref(h->ring[i % h->cap]);
	frame_unref(h->stats);
	free(h->ring);
	free(h);
}

static void hub_stats_tick(lws_sorted_usec_list_t *sul);

static struct hub *hub_new(const char *blog)
{
	struct hub *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cap = (size_t)app.cfg.reader_backlog;
	h->ring = calloc(h->cap, sizeof(*h->ring));
	if (!h->ring) {
		free(h);
		return NULL;
	}
	snprintf(h->id, sizeof(h->id), "%s", blog);
	lws_dll2_add_tail(&h->link, &app.hubs);
	lws_sul_schedule(app.ctx, 0, &h->sul_stats, hub_stats_tick, STATS_US);
	return h;
}

static void wake(struct reader *r)
{
	if (r->wsi)
		lws_callback_on_writable(r->wsi);
}

static void reader_cull(struct reader *r, int code, const char *reason)
{
	if (r->closing || !r->wsi)
		return;
	r->closing = true;
	r->close_code = code;
	r->close_reason = reason;
	if (code == LB_CLOSE_POLICY)
		metrics.readers_culled++;
	/* A reader that never reads never becomes writable: bound its life. */
	lws_set_timeout(r->wsi, PENDING_TIMEOUT_USER_OK, CULL_GRACE_S);
	wake(r);
}

/* Doubles an archive's ring, keeping absolute indices. Returns 0 or -1. */
static int ring_grow(struct hub *h)
{
	size_t cap = h->cap * 2;
	struct frame **ring = calloc(cap, sizeof(*ring));

	if (!ring)
		return -1;
	for (uint64_t i = h->head - h->count; i < h->head; i++)
		ring[i % cap] = h->ring[i % h->cap];
	free(h->ring);
	h->ring = ring;
	h->cap = cap;
	return 0;
}

static void hub_ready(struct hub *h)
{
	h->ready = true;
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->readers)) {
		reader_advance(lws_container_of(d, struct reader, link));
	} lws_end_foreach_dll_safe(d, d1);
}

/*
 * Wakes the readers owed the newest event, WAKE_CHUNK per loop pass: with
 * ten thousand readers, one pass of writes to all of them would hold up
 * every HTTP request on this loop; in chunks, a POST's few steps slip in
 * between. A reader woken once keeps itself going (has_more) until it has
 * caught up, so a reader is woken at most once per event.
 */
static void hub_wake_tick(lws_sorted_usec_list_t *sul)
{
	struct hub *h = lws_container_of(sul, struct hub, sul_wake);

	h->wake_due = false;
	/*
	 * Each reader woken moves to the tail, so the ones still owed a wake
	 * are always at the head: a pass costs its chunk, not the audience.
	 */
	for (int n = 0; n < WAKE_CHUNK; n++) {
		struct lws_dll2 *d = lws_dll2_get_head(&h->readers);
		struct reader *r;

		if (!d)
			return;
		r = lws_container_of(d, struct reader, link);
		if (r->woken == h->wake_gen)
			return;
		r->woken = h->wake_gen;
		lws_dll2_remove(d);
		lws_dll2_add_tail(d, &h->readers);
		if (r->state == R_LIVE && evicted(h, r->cursor))
			reader_cull(r, LB_CLOSE_POLICY, "slow");
		else if (r->state == R_LIVE && !send_live_now(r))
			wake(r);
		else if (r->state == R_WAIT && h->ready)
			reader_advance(r);
	}
	lws_sul_schedule(app.ctx, 0, &h->sul_wake, hub_wake_tick, 1);
}

/* Appends one event to the ring if it is the next one; wakes the readers. */
static void hub_append(struct hub *h, const char *seq, const char *type,
		       const char *data, size_t len)
{
	struct lb_seq s;
	json_t *ev;
	struct frame *f;

	if (!text_seq_parse(seq, &s) || text_seq_cmp(&s, &h->last) <= 0)
		return;
	ev = codec_event(seq, type, data, len);
	f = ev ? frame_from_json(ev, seq, !strcmp(type, "ended")) : NULL;
	json_decref(ev);
	if (!f)
		return;
	if (h->count == h->cap && h->archive)
		ring_grow(h);   /* when that fails, the oldest goes as usual */
	/* the oldest go: for a slot, or while a live ring holds too much text */
	while (h->count && (h->count == h->cap ||
			    (!h->archive && h->bytes + f->len > RING_BYTES))) {
		struct frame *old = h->ring[(h->head - h->count) % h->cap];

		h->base = old->seq;
		h->bytes -= old->len;
		h->count--;
		frame_unref(old);
	}
	h->count++;
	h->bytes += f->len;
	h->ring[h->head++ % h->cap] = f;
	h->last = s;
	snprintf(h->last_str, sizeof(h->last_str), "%s", seq);
	h->meta.entry_count += !strcmp(type, "entry") - !strcmp(type, "delete");
	if (f->ended) {
		h->meta.ended = true;
		h->meta.ended_ms = s.ms;
		h->archive = true;   /* the log is frozen: nothing will be evicted */
	}
	h->wake_gen++;
	/*
	 * Not now: the rest of the reply that brought it is appended first, so
	 * a reader gets all of it in one send. Whoever appended wakes the hub
	 * when done (hub_wake_now); the next pass does if nobody does.
	 */
	if (!h->wake_due) {
		h->wake_due = true;
		lws_sul_schedule(app.ctx, 0, &h->sul_wake, hub_wake_tick, 1);
	}
}

/* Starts the wake of an event appended just now, in this pass. */
static void hub_wake_now(struct hub *h)
{
	if (!h->wake_due)
		return;
	lws_sul_cancel(&h->sul_wake);
	hub_wake_tick(&h->sul_wake);
}

static void hub_fail(struct hub *h, const char *why)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->readers)) {
		reader_cull(lws_container_of(d, struct reader, link), 1011, why);
	} lws_end_foreach_dll_safe(d, d1);
}

static void hub_take_range(struct hub *h, const redisReply *r)
{
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *item = r->element[i];
		const char *t, *d;
		size_t len = 0;

		if (item->type != REDIS_REPLY_ARRAY || item->elements != 2)
			continue;
		t = store_field(item->element[1], "t", NULL);
		d = store_field(item->element[1], "d", &len);
		if (t && d)
			hub_append(h, item->element[0]->str, t, d, len);
	}
	hub_wake_now(h);
}

static void on_fetch(void *arg, enum lb_status st, redisReply *r)
{
	struct hub *h = arg;

	h->fetching = false;
	if (st == LB_OK) {
		hub_take_range(h, r);
		if (r->elements == PAGE)
			h->refetch = true;
	}
	if (h->refetch && st == LB_OK) {
		hub_fetch(h);
	} else if (h->archive_loading) {
		/* the whole log of an ended blog is in memory: serve everyone */
		h->archive_loading = false;
		h->meta = h->archive_meta;
		if (st == LB_OK)
			hub_ready(h);
		else
			hub_fail(h, "unavailable");
	}
	hub_unref(h);
}

/* Reads the blog's log after `last`: something was missed or may have been. */
static void hub_fetch(struct hub *h)
{
	if (h->fetching) {
		h->refetch = true;
		return;
	}
	h->refetch = false;
	if (store_range(&app.store, h->id, h->last_str, false, PAGE, on_fetch, h))
		return;
	h->fetching = true;
	h->refs++;
}

static void on_init(void *arg, enum lb_status st, redisReply *r)
{
	struct hub *h = arg;
	const redisReply *events;
	struct lb_blog meta;
	size_t n;

	h->loading = false;
	if (st != LB_OK || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    !store_blog_from_hash(r->element[0], &h->meta)) {
		hub_fail(h, st == LB_OK ? "unknown blog" : "unavailable");
		hub_unref(h);
		return;
	}
	h->archive = h->meta.ended;
	if (h->archive && r->element[1]->elements > INIT_EVENTS) {
		/* ended and longer than one load: read it all, once, for everyone */
		h->archive_loading = true;
		h->archive_meta = h->meta;
		h->last.ms = h->last.n = 0;
		strcpy(h->last_str, "0-0");
		hub_fetch(h);
		hub_unref(h);
		return;
	}
	/*
	 * XREVRANGE gives the newest first; when it returned one more than we
	 * keep, that oldest one only fixes `base`. Load oldest to newest.
	 */
	events = r->element[1];
	n = events->elements < INIT_EVENTS ? events->elements : INIT_EVENTS;
	if (events->elements > INIT_EVENTS)
		text_seq_parse(events->element[INIT_EVENTS]->element[0]->str, &h->base);
	h->last = h->base;
	text_seq_format(&h->base, h->last_str);
	meta = h->meta;   /* hub_append counts entries: keep the stored count */
	for (size_t i = n; i-- > 0;) {
		redisReply one = { .type = REDIS_REPLY_ARRAY, .elements = 1,
				   .element = &events->element[i] };

		hub_take_range(h, &one);
	}
	h->meta = meta;
	hub_ready(h);
	if (!h->archive)
		hub_fetch(h);   /* anything the feed brought while we loaded */
	hub_unref(h);
}

static void hub_load(struct hub *h);

static void hub_load_again(lws_sorted_usec_list_t *sul)
{
	hub_load(lws_container_of(sul, struct hub, sul_load));
}

/* Starts loading the hub; while Redis cannot take it, tries again. */
static void hub_load(struct hub *h)
{
	if (h->loading || h->ready || !app.feed.ready)
		return;
	if (store_hub_init(&app.store, h->id, INIT_EVENTS + 1, on_init, h)) {
		lws_sul_schedule(app.ctx, 0, &h->sul_load, hub_load_again,
				 500 * LWS_US_PER_MS);
		return;
	}
	h->loading = true;
	h->refs++;
}

void hubs_on_feed(const char *blog, const char *type, const char *seq,
		  const char *prev, const char *data, size_t len)
{
	struct hub *h = hub_find(blog);
	struct lb_seq p;

	if (!h || !h->ready) {
		if (h)
			h->refetch = true;
		return;
	}
	if (text_seq_parse(prev, &p) && !text_seq_cmp(&p, &h->last))
		hub_append(h, seq, type, data, len);
	else if (text_seq_cmp_str(seq, h->last_str) > 0)
		hub_fetch(h);
}

void hubs_feed_done(void)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&app.hubs)) {
		hub_wake_now(lws_container_of(d, struct hub, link));
	} lws_end_foreach_dll(d);
}

void hubs_on_feed_ready(void)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&app.hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		if (h->ready)
			hub_fetch(h);
		else
			hub_load(h);
	} lws_end_foreach_dll_safe(d, d1);
}

/* ---- stats: an approximate reader count across instances ---- */

/*
 * An SSE stream's peer that has hung up: lws does not read an HTTP
 * connection while its response streams, so its end would be seen only at
 * the next write but one. A peek tells at once.
 */
static bool sse_peer_gone(struct lws *wsi)
{
	char c;
	ssize_t n = recv(lws_get_socket_fd(wsi), &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return !n || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void on_readers(void *arg, enum lb_status st, redisReply *r)
{
	struct hub *h = arg;
	json_t *v;

	if (st == LB_OK && r->type == REDIS_REPLY_INTEGER) {
		v = json_pack("{s:s,s:I}", "type", "stats", "readers",
			      (json_int_t)r->integer);
		frame_unref(h->stats);
		h->stats = frame_from_json(v, NULL, false);
		json_decref(v);
		h->stats_gen++;
		lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->readers)) {
			struct reader *rd = lws_container_of(d, struct reader, link);

			if (rd->sse && rd->wsi && sse_peer_gone(rd->wsi))
				reader_cull(rd, LB_CLOSE_NORMAL, "gone");
			else if (rd->state == R_LIVE && rd->live_sent)
				wake(rd);
		} lws_end_foreach_dll(d);
	}
	hub_unref(h);
}

static void hub_stats_tick(lws_sorted_usec_list_t *sul)
{
	struct hub *h = lws_container_of(sul, struct hub, sul_stats);

	if (h->ready && !h->meta.ended &&
	    !store_readers(&app.store, h->id, app.instance,
			   (long)h->readers.count, on_readers, h))
		h->refs++;
	lws_sul_schedule(app.ctx, 0, &h->sul_stats, hub_stats_tick, STATS_US);
}

/* ---- readers ---- */

static void reader_unref(struct reader *r)
{
	if (--r->refs)
		return;
	for (int i = r->qpos; i < r->qn; i++)
		frame_unref(r->q[i]);
	free(r);
}

/* Absolute ring index just after `since`, or -1 when the ring lacks it. */
static int64_t ring_after(const struct hub *h, const struct lb_seq *since)
{
	uint64_t lo = h->head - h->count, hi = h->head;

	if (!text_seq_cmp(since, &h->base))
		return (int64_t)lo;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int c = text_seq_cmp(&h->ring[mid % h->cap]->seq, since);

		if (!c)
			return (int64_t)(mid + 1);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static struct page *page_get(struct hub *h, const char *after, bool inclusive);
static void reader_take_page(struct reader *r, const struct page *p);

/*
 * Moves a reader on once its queue is empty: into the ring when the ring
 * holds its position, else one more page of the log (shared, see page).
 */
static void reader_advance(struct reader *r)
{
	struct hub *h = r->hub;
	struct lb_seq since;
	struct page *p;
	int64_t at;

	if (!r->wsi || r->fetching || r->closing || r->qpos < r->qn || !h->ready)
		return;
	text_seq_parse(r->since, &since);
	at = ring_after(h, &since);
	if (at >= 0 && !(r->verify && !text_seq_cmp(&since, &h->base) &&
			 strcmp(r->since, "0-0"))) {
		r->state = R_LIVE;
		r->cursor = (uint64_t)at;
		wake(r);
		return;
	}
	if (!r->verify && text_seq_cmp(&since, &h->last) > 0) {
		r->state = R_WAIT;   /* ahead of this hub: it will catch up */
		return;
	}
	r->state = R_CATCHUP;
	p = page_get(h, r->since, r->verify);
	if (!p) {
		reader_cull(r, 1011, "unavailable");
		return;
	}
	if (p->loading) {
		lws_dll2_add_tail(&r->wait_link, &p->waiters);
		r->fetching = true;
		r->refs++;
		return;
	}
	reader_take_page(r, p);
}

/* Queues a loaded page's events for the reader (a reset if it verifies). */
static void reader_take_page(struct reader *r, const struct page *p)
{
	size_t i = 0;

	if (r->verify) {
		r->verify = false;
		if (p->n && !strcmp(p->f[0]->seq_str, r->since)) {
			i = 1;
		} else {
			/* a since the log does not contain: start over, said so */
			r->reset_pending = true;
			strcpy(r->since, "0-0");
			reader_advance(r);
			wake(r);
			return;
		}
	}
	r->qn = r->qpos = 0;
	for (; i < p->n; i++) {
		r->q[r->qn++] = frame_ref(p->f[i]);
		snprintf(r->since, sizeof(r->since), "%s", p->f[i]->seq_str);
	}
	if (!r->qn)
		reader_advance(r);
	wake(r);
}

/*
 * A page's read is back: hand it to its waiters. The waiters move to a
 * local list first and the load's reference is held to the end: a waiter
 * that resets asks for another page, which may evict this one from the
 * hub's list (freed only once this walk lets go of it).
 */
static void on_page(void *arg, enum lb_status st, redisReply *rep)
{
	struct page *p = arg;
	struct hub *h = p->hub;
	lws_dll2_owner_t waiters = { 0 };

	p->loading = false;
	for (size_t i = 0; st == LB_OK && i < rep->elements && p->n <= PAGE; i++) {
		const char *seq;
		json_t *ev = store_event_from_item(rep->element[i], &seq);
		struct frame *f = ev ? frame_from_json(ev, seq,
			!strcmp(json_string_value(json_object_get(ev, "type")), "ended")) : NULL;

		json_decref(ev);
		if (f)
			p->f[p->n++] = f;
	}
	/* a failed or empty read is not kept: the next reader asks again */
	if (st != LB_OK || !p->n)
		page_evict(p);
	while (lws_dll2_get_head(&p->waiters)) {
		struct lws_dll2 *d = lws_dll2_get_head(&p->waiters);

		lws_dll2_remove(d);
		lws_dll2_add_tail(d, &waiters);
	}
	while (lws_dll2_get_head(&waiters)) {
		struct lws_dll2 *d = lws_dll2_get_head(&waiters);
		struct reader *r = lws_container_of(d, struct reader, wait_link);

		lws_dll2_remove(d);
		r->fetching = false;
		if (r->wsi && st != LB_OK)
			reader_cull(r, 1011, "unavailable");
		else if (r->wsi)
			reader_take_page(r, p);
		reader_unref(r);
	}
	page_unref(p);   /* the load's */
	hub_unref(h);
}

/* The page after `after`, kept or now loading; NULL when Redis is out of reach. */
static struct page *page_get(struct hub *h, const char *after, bool inclusive)
{
	struct page *p;

	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->pages)) {
		p = lws_container_of(d, struct page, link);
		if (p->inclusive == inclusive && !strcmp(p->after, after)) {
			lws_dll2_remove(&p->link);
			lws_dll2_add_tail(&p->link, &h->pages);
			return p;
		}
	} lws_end_foreach_dll(d);
	/* room: the least recently used page goes, unless still loading */
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->pages)) {
		p = lws_container_of(d, struct page, link);
		if (h->pages.count < HIST_PAGES)
			break;
		if (!p->loading)
			page_evict(p);
	} lws_end_foreach_dll_safe(d, d1);
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->refs = 2;   /* the hub's list and the load */
	p->hub = h;
	snprintf(p->after, sizeof(p->after), "%s", after);
	p->inclusive = inclusive;
	p->loading = true;
	if (store_range(&app.store, h->id, after, inclusive, PAGE + inclusive,
			on_page, p)) {
		free(p);
		return NULL;
	}
	lws_dll2_add_tail(&p->link, &h->pages);
	h->refs++;
	return p;
}

struct reader *reader_open(struct lws *wsi, const char *blog, const char *since,
			   const struct reader_opts *o)
{
	struct hub *h = hub_find(blog);
	struct reader *r = calloc(1, sizeof(*r));
	struct lb_seq seq;

	if (!r || (!h && !(h = hub_new(blog)))) {
		free(r);
		return NULL;
	}
	r->refs = 1;
	r->wsi = wsi;
	r->hub = h;
	r->sse = o && o->sse;
	r->replay = o ? o->replay : 0;
	h->refs++;
	r->state = R_WAIT;
	if (since && text_seq_parse(since, &seq) && (seq.ms || seq.n)) {
		text_seq_format(&seq, r->since);
		r->verify = true;
	} else {
		/* no since, "0", "0-0": everything; garbage: a reset, then everything */
		strcpy(r->since, "0-0");
		r->reset_pending = since && !text_seq_parse(since, &seq);
	}
	lws_dll2_add_tail(&r->link, &h->readers);
	metrics.readers++;
	metrics.loop_readers[app.worker]++;
	app.readers++;
	metrics.readers_total++;
	if (h->ready)
		reader_advance(r);
	else
		hub_load(h);
	return r;
}

void reader_peer_closing(struct reader *r)
{
	r->peer_closing = true;
}

void reader_close(struct reader *r)
{
	struct hub *h = r->hub;

	r->wsi = NULL;
	lws_sul_cancel(&r->sul_replay);
	lws_dll2_remove(&r->link);
	metrics.readers--;
	metrics.loop_readers[app.worker]--;
	app.readers--;
	reader_unref(r);
	hub_unref(h);
}

/*
 * Writes one message (JSON text with LWS_PRE headroom before it) as a
 * WebSocket text frame, or as an SSE event whose id is its seq.
 */
static int emit(struct reader *r, unsigned char *json, size_t len, const char *seq)
{
	unsigned char *b;
	int n, ret;

	if (!r->sse)
		return lws_write(r->wsi, json, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
	b = malloc(LWS_PRE + len + 96);
	if (!b)
		return -1;
	/* the first event also tells EventSource how soon to reconnect */
	n = sprintf((char *)b + LWS_PRE, "%s%s%s%sdata: ",
		    r->hello_sent ? "" : "retry: 3000\n", seq ? "id: " : "",
		    seq ? seq : "", seq ? "\n" : "");
	memcpy(b + LWS_PRE + n, json, len);
	memcpy(b + LWS_PRE + n + len, "\n\n", 2);
	n += (int)len + 2;
	ret = lws_write(r->wsi, b + LWS_PRE, (size_t)n, LWS_WRITE_HTTP) < n ? -1 : 0;
	free(b);
	return ret;
}

static int send_json(struct reader *r, json_t *v)
{
	struct frame *f = frame_from_json(v, NULL, false);
	int n = f ? emit(r, f->buf + LWS_PRE, f->len, NULL) : -1;

	frame_unref(f);
	json_decref(v);
	return n;
}

static void note_latency(const struct frame *f, lws_usec_t now)
{
	double s = (double)(now - f->born) / 1e6;
	int i = 0;

	while (i < FANOUT_BUCKETS && s > fanout_bounds[i])
		i++;
	if (i < FANOUT_BUCKETS)
		metrics.fanout_bucket[i]++;
	metrics.fanout_count++;
	metrics.fanout_sum_us += (unsigned long)(s * 1e6);
}

static int send_frame(struct reader *r, struct frame *f, bool live)
{
	if (emit(r, f->buf + LWS_PRE, f->len, f->seq.ms || f->seq.n ? f->seq_str : NULL))
		return -1;
	metrics.frames_sent++;
	if (live)
		note_latency(f, lws_now_usecs());
	if (f->seq.ms) {
		r->replay_last_ms = f->seq.ms;
		r->replay_sent = lws_now_usecs();
	}
	if (f->ended) {
		r->closing = true;
		r->close_code = LB_CLOSE_NORMAL;
		r->close_reason = "ended";
	}
	return 0;
}

#define BATCH_FRAMES 32
#define BATCH_BYTES  (64 * 1024)

static _Thread_local unsigned char *batch_buf;

/*
 * A live WebSocket reader's owed events, up to BATCH_FRAMES / BATCH_BYTES,
 * as one buffer of wire bytes (built once per frame) copied back to back;
 * one frame is its shared buffer, copying nothing. Returns the number of
 * frames, or -1; *out and *len are the bytes.
 */
static int live_batch(struct reader *r, unsigned char **out, size_t *len)
{
	struct hub *h = r->hub;
	size_t total = 0, n = 0, wl;
	unsigned char *w;

	while (r->cursor + n < h->head && n < BATCH_FRAMES) {
		frame_wire(h->ring[(r->cursor + n) % h->cap], &wl);
		if (n && total + wl > BATCH_BYTES)
			break;
		total += wl;
		n++;
	}
	if (n == 1) {
		*out = frame_wire(h->ring[r->cursor % h->cap], len);
		return 1;
	}
	if (!batch_buf && !(batch_buf = malloc(LWS_PRE + BATCH_BYTES + 16)))
		return -1;
	*out = batch_buf + LWS_PRE;
	*len = 0;
	for (size_t i = 0; i < n; i++) {
		w = frame_wire(h->ring[(r->cursor + i) % h->cap], &wl);
		memcpy(*out + *len, w, wl);
		*len += wl;
	}
	return (int)n;
}

/* Moves the reader past n frames just written. */
static void live_sent(struct reader *r, int n)
{
	struct hub *h = r->hub;
	lws_usec_t now = lws_now_usecs();

	metrics.frames_sent += (unsigned long)n;   /* shared: once per batch */
	for (int i = 0; i < n; i++) {
		struct frame *f = h->ring[r->cursor++ % h->cap];

		note_latency(f, now);
		if (f->ended) {
			r->closing = true;
			r->close_code = LB_CLOSE_NORMAL;
			r->close_reason = "ended";
		}
	}
}

/* In WRITEABLE: the owed events in one raw write. Frames sent, or -1. */
static int send_live_batch(struct reader *r)
{
	unsigned char *out;
	size_t len;
	int n = live_batch(r, &out, &len);

	if (n < 0 || lws_write(r->wsi, out, len, LWS_WRITE_RAW) < (int)len)
		return -1;
	live_sent(r, n);
	return n;
}

/*
 * From the wake pass, not WRITEABLE: a live reader's new events straight
 * to its socket, which almost always has room, sparing the poll pass that
 * POLLOUT would cost. Only when lws holds none of its output, so the bytes
 * stay in order; a partial send leaves the rest to lws (it buffers it and
 * finishes it before anything else). False: take the POLLOUT way.
 */
static bool send_live_now(struct reader *r)
{
	unsigned char *out;
	size_t len;
	ssize_t w;
	int n;

	if (!r->wsi || r->sse || r->replay > 0 || !r->hello_sent || !r->live_sent ||
	    r->reset_pending || r->closing || r->peer_closing || r->cursor >= r->hub->head ||
	    lws_partial_buffered(r->wsi))
		return false;
	n = live_batch(r, &out, &len);
	if (n < 0)
		return false;
	w = send(lws_get_socket_fd(r->wsi), out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w <= 0)
		return false;   /* full or failing: WRITEABLE will tell */
	if ((size_t)w < len &&
	    lws_write(r->wsi, out + w, len - (size_t)w, LWS_WRITE_RAW) < (int)(len - (size_t)w))
		reader_cull(r, 1011, "write failed");
	live_sent(r, n);
	if (r->closing || r->cursor < r->hub->head || (size_t)w < len)
		wake(r);
	return true;
}

void hubs_thread_exit(void)
{
	free(batch_buf);
	batch_buf = NULL;
}

static void replay_due(lws_sorted_usec_list_t *sul)
{
	wake(lws_container_of(sul, struct reader, sul_replay));
}

/*
 * Replay pacing: true when event f is not due yet (a timer wakes the
 * reader then). Gaps are the original ones divided by the speed, capped.
 */
static bool replay_wait(struct reader *r, const struct frame *f)
{
	double gap_ms;
	lws_usec_t due, now = lws_now_usecs();

	if (r->replay <= 0 || r->live_sent || !r->replay_last_ms ||
	    f->seq.ms < r->replay_last_ms)
		return false;
	gap_ms = (double)(f->seq.ms - r->replay_last_ms) / r->replay;
	if (gap_ms > (double)app.cfg.replay_cap_ms)
		gap_ms = (double)app.cfg.replay_cap_ms;
	due = r->replay_sent + (lws_usec_t)(gap_ms * 1000);
	if (now >= due)
		return false;
	lws_sul_schedule(app.ctx, 0, &r->sul_replay, replay_due, due - now);
	return true;
}

/* The next event frame owed to the reader, or NULL. */
static struct frame *next_event(const struct reader *r)
{
	const struct hub *h = r->hub;

	if (r->state == R_CATCHUP && r->qpos < r->qn)
		return r->q[r->qpos];
	if (r->state == R_LIVE && r->cursor < h->head && !evicted(h, r->cursor))
		return h->ring[r->cursor % h->cap];
	return NULL;
}

enum wrote { W_ERROR = -1, W_IDLE, W_SENT, W_PACED };

/* Writes the next message owed to the reader (one per WRITEABLE). */
static enum wrote reader_write_one(struct reader *r)
{
	struct hub *h = r->hub;
	struct frame *f;
	int ret;

	if (!r->hello_sent) {
		ret = send_json(r, json_pack("{s:s,s:o}", "type", "hello",
				"blog", codec_blog_wire(&h->meta)));
		r->hello_sent = true;
		return ret ? W_ERROR : W_SENT;
	}
	if (r->reset_pending) {
		r->reset_pending = false;
		return send_json(r, json_pack("{s:s}", "type", "reset")) ? W_ERROR : W_SENT;
	}
	if (r->state == R_LIVE && evicted(h, r->cursor)) {
		reader_cull(r, LB_CLOSE_POLICY, "slow");
		return W_IDLE;
	}
	if ((f = next_event(r))) {
		if (replay_wait(r, f))
			return W_PACED;
		if (r->state == R_CATCHUP) {
			r->qpos++;
			ret = send_frame(r, f, false);
			frame_unref(f);
			if (r->qpos == r->qn)
				reader_advance(r);
		} else if (!r->sse && r->replay <= 0) {
			ret = send_live_batch(r) < 0;
		} else {
			r->cursor++;
			ret = send_frame(r, f, r->replay <= 0);
		}
		return ret ? W_ERROR : W_SENT;
	}
	if (r->state != R_LIVE)
		return W_IDLE;
	if (!r->live_sent && h->meta.ended) {
		/* resumed at or past `ended`: nothing can follow, close normally */
		r->closing = true;
		r->close_code = LB_CLOSE_NORMAL;
		r->close_reason = "ended";
		return W_SENT;
	}
	if (!r->live_sent) {
		r->live_sent = true;
		r->stats_gen = h->stats_gen;
		return send_json(r, json_pack("{s:s,s:s}", "type", "live", "seq",
				 h->last_str)) ? W_ERROR : W_SENT;
	}
	if (h->stats && r->stats_gen != h->stats_gen) {
		r->stats_gen = h->stats_gen;
		return send_frame(r, h->stats, false) ? W_ERROR : W_SENT;
	}
	return W_IDLE;
}

static bool has_more(const struct reader *r)
{
	const struct hub *h = r->hub;

	if (r->closing || !r->hello_sent || r->reset_pending)
		return true;
	if (r->state == R_CATCHUP)
		return r->qpos < r->qn;
	if (r->state != R_LIVE)
		return false;
	return r->cursor < h->head || !r->live_sent ||
	       (h->stats && r->stats_gen != h->stats_gen);
}

int reader_writable(struct reader *r)
{
	enum wrote w;

	/* WRITEABLE comes only once earlier frames drained: safe to close. */
	if (r->closing) {
		if (!r->sse)
			lws_close_reason(r->wsi, (enum lws_close_status)r->close_code,
					 (unsigned char *)r->close_reason,
					 strlen(r->close_reason));
		return -1;
	}
	if (!r->hello_sent && !r->hub->ready)
		return 0;
	w = reader_write_one(r);
	if (w == W_ERROR)
		return -1;
	if (w == W_SENT && has_more(r))
		wake(r);
	return 0;
}

void hubs_shutdown(void)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&app.hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		lws_start_foreach_dll(struct lws_dll2 *, e, lws_dll2_get_head(&h->readers)) {
			struct reader *r = lws_container_of(e, struct reader, link);

			r->closing = false;
			reader_cull(r, LB_CLOSE_GOING_AWAY, "going away");
		} lws_end_foreach_dll(e);
	} lws_end_foreach_dll(d);
}

void hubs_free_all(void)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&app.hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		h->refs = 1;
		hub_unref(h);
	} lws_end_foreach_dll_safe(d, d1);
}
