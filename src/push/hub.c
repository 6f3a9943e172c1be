/*
 * hub.c — per-blog hubs on one event loop: life cycle, loading the newest
 * events, following the feed, waking readers, the readers count (see
 * hub.h; readers are in reader.c, catch-up pages in pages.c).
 */
#include <stdlib.h>
#include <string.h>

#include "liveblog/protocol.h"
#include "push/hub_internal.h"
#include "push/timer.h"

#define INIT_EVENTS  256     /* newest events loaded when a hub starts */
#define STATS_US     (5 * LWS_US_PER_SEC)
#define WAKE_CHUNK   1024    /* readers woken per loop pass after an event, */
#define WAKE_PASSES  4       /* or a quarter of the hub's, if more */
#define LOAD_RETRY_US (500 * LWS_US_PER_MS)

_Thread_local struct hub_env hub_env;
static _Thread_local lws_dll2_owner_t hubs;
static _Thread_local bool feed_is_ready;

static void hub_fetch(struct hub *h);
static void hub_verify(struct hub *h);
static void hub_load(struct hub *h);
static void hub_stats_tick(lws_sorted_usec_list_t *sul);

void hubs_init(const struct hub_env *env)
{
	hub_env = *env;
}

/* ---- life cycle ---- */

static struct hub *hub_find(const char *blog)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		if (!strcmp(h->id, blog))
			return h;
	} lws_end_foreach_dll(d);
	return NULL;
}

void hub_ref(struct hub *h)
{
	h->refs++;
}

void hub_unref(struct hub *h)
{
	if (--h->refs)
		return;
	pages_release(h);
	timer_cancel(&h->sul_stats);
	timer_cancel(&h->sul_load);
	timer_cancel(&h->sul_wake);
	lws_dll2_remove(&h->link);
	ring_release(&h->ring);
	frame_unref(h->stats);
	for (int i = 0; i < NOTICES; i++)
		frame_unref(h->notice[i]);
	free(h->redacted);
	free(h);
}

static struct hub *hub_new(const char *blog)
{
	struct hub *h = calloc(1, sizeof(*h));

	if (!h || ring_init(&h->ring, (size_t)hub_env.backlog, hub_env.ring_bytes)) {
		free(h);
		return NULL;
	}
	snprintf(h->id, sizeof(h->id), "%s", blog);
	lws_dll2_add_tail(&h->link, &hubs);
	timer_schedule(&h->sul_stats, hub_stats_tick, STATS_US);
	return h;
}

/* Every reader of the hub gets the close code and reason. */
static void hub_fail(struct hub *h, const char *why)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->readers)) {
		reader_cull(lws_container_of(d, struct reader, link), 1011, why);
	} lws_end_foreach_dll_safe(d, d1);
}

/*
 * Moves every waiting reader on. Readers only change state here: none
 * leaves the list (a close comes from lws, never from inside this walk).
 */
static void hub_ready(struct hub *h)
{
	h->ready = true;
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->readers)) {
		reader_advance(lws_container_of(d, struct reader, link));
	} lws_end_foreach_dll_safe(d, d1);
}

/* ---- events in ---- */

/*
 * Wakes the readers owed the newest event, in chunks of a loop pass each:
 * one pass of writes to ten thousand readers would hold up everything
 * else on this loop (other blogs' events, readers joining, catch-up
 * pages); between chunks they slip in. A pass also costs a poll() over
 * every socket of the loop, so a big hub is woken in at most WAKE_PASSES
 * passes, WAKE_CHUNK readers or more each: at 15,000 readers a loop,
 * chunks of 1,024 made poll() about a third of the daemon's CPU (perf,
 * 60,000 readers on 4 processes at 1 post/s); one pass for all gave a
 * worse p99 at 10,000. A reader woken once keeps itself going until it
 * has caught up, so a reader is woken at most once per event. Each reader
 * woken moves to the tail, so the ones still owed a wake are at the head.
 */
static void hub_wake_tick(lws_sorted_usec_list_t *sul)
{
	struct hub *h = lws_container_of(sul, struct hub, sul_wake);
	unsigned chunk = h->readers.count / WAKE_PASSES + 1;

	h->wake_due = false;
	if (chunk < WAKE_CHUNK)
		chunk = WAKE_CHUNK;
	for (unsigned n = 0; n < chunk; n++) {
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
		if (r->state == R_LIVE && ring_evicted(&h->ring, r->cursor))
			reader_cull(r, LB_CLOSE_POLICY, "slow");
		else if (r->state == R_LIVE && !reader_send_now(r))
			reader_wake(r);
		else if (r->state == R_WAIT && h->ready)
			reader_advance(r);
	}
	timer_next_pass(&h->sul_wake, hub_wake_tick);
}

/* Starts the wake of events appended just now, in this pass. */
static void hub_wake_now(struct hub *h)
{
	if (!h->wake_due)
		return;
	timer_cancel(&h->sul_wake);
	hub_wake_tick(&h->sul_wake);
}

static bool is_redacted(const struct hub *h, const char *entry)
{
	for (size_t i = 0; entry[0] && i < h->nredacted; i++)
		if (!strcmp(h->redacted[i], entry))
			return true;
	return false;
}

struct frame *hub_frame(const struct hub *h, const struct store_event *ev)
{
	struct frame *f = frame_from_event(ev), *r;

	if (!f || !is_redacted(h, f->entry))
		return f;
	r = frame_redacted(f);
	frame_unref(f);
	return r;
}

long hub_redact_slot(struct frame **slot, const char *entry)
{
	struct frame *old = *slot, *r;
	long delta;

	if (!old || strcmp(old->entry, entry) || !(r = frame_redacted(old)))
		return 0;
	delta = (long)r->len - (long)old->len;
	*slot = r;
	frame_unref(old);
	return delta;
}

/* Appends one event to the ring if it is the next one. */
static void hub_append(struct hub *h, const struct store_event *ev)
{
	struct frame *f = hub_frame(h, ev);

	if (!f || !ring_push(&h->ring, f))
		return;
	h->meta.entry_count += !strcmp(ev->type, "entry") - !strcmp(ev->type, "delete");
	if (f->ended) {
		h->meta.ended = true;
		h->meta.ended_ms = f->seq.ms;
	}
	h->wake_gen++;
	/*
	 * Not now: the rest of the reply that brought it is appended first, so
	 * a reader gets all of it in one send. Whoever appended wakes the hub
	 * when done (hub_wake_now); the next pass does if nobody does.
	 */
	if (!h->wake_due) {
		h->wake_due = true;
		timer_schedule(&h->sul_wake, hub_wake_tick, 1);
	}
}

static void on_fetch(void *arg, enum lb_status st, const struct store_event *ev,
		     size_t n)
{
	struct hub *h = arg;

	h->fetching = false;
	for (size_t i = 0; st == LB_OK && i < n; i++)
		hub_append(h, &ev[i]);   /* the ring refuses what it has */
	hub_wake_now(h);
	if (st == LB_OK && n >= PAGE)
		h->refetch = true;
	if (st == LB_OK && h->reverify)
		hub_verify(h);
	else if (h->refetch && st == LB_OK)
		hub_fetch(h);
	hub_unref(h);
}

/* Reads the blog's log after the ring's last: something was missed or may have been. */
static void hub_fetch(struct hub *h)
{
	if (h->fetching) {
		h->refetch = true;
		return;
	}
	if (h->reverify) {
		hub_verify(h);
		return;
	}
	h->refetch = false;
	if (store_range(hub_env.store, h->id, h->ring.last_str, false, PAGE, on_fetch, h))
		return;
	h->fetching = true;
	hub_ref(h);
}

/*
 * The log no longer holds the ring's newest event: Redis failed over to a
 * replica that had not received it. The ring and the kept pages may hold
 * events that are gone, so the hub loads again from the log, and every
 * reader resumes from the last event it was sent, checked against the log
 * (reader_rewind): only those sent a lost event get a reset.
 */
static void hub_rewind(struct hub *h)
{
	metrics.hub_rewinds++;
	lwsl_warn("hub %s: the log no longer holds %s (lost in a failover): reloading it\n",
		  h->id, h->ring.last_str);
	pages_forget(h);
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->readers)) {
		reader_rewind(lws_container_of(d, struct reader, link));
	} lws_end_foreach_dll_safe(d, d1);
	h->ready = false;
	h->refetch = false;
	hub_load(h);
}

/* The log from the ring's last event, that one included: is it still there? */
static void on_verify(void *arg, enum lb_status st, const struct store_event *ev,
		      size_t n)
{
	struct hub *h = arg;

	if (st != LB_OK) {
		h->reverify = true;   /* on the next read */
	} else if (!n || strcmp(ev[0].seq, h->ring.last_str)) {
		h->fetching = false;
		hub_rewind(h);
		hub_unref(h);
		return;
	}
	on_fetch(arg, st, ev, n);
}

/*
 * After the feed came back (a reconnect, maybe to another server): checks
 * that the log still holds the ring's newest event, and reads what follows.
 */
static void hub_verify(struct hub *h)
{
	if (h->fetching) {
		h->reverify = true;   /* once the read in flight is in */
		return;
	}
	h->reverify = false;
	if (!strcmp(h->ring.last_str, "0-0")) {
		hub_fetch(h);   /* nothing to check: the log was empty */
		return;
	}
	h->refetch = false;
	if (store_range(hub_env.store, h->id, h->ring.last_str, true, PAGE + 1, on_verify, h)) {
		h->reverify = true;
		return;
	}
	h->fetching = true;
	hub_ref(h);
}

/*
 * The blog and its newest events, newest first: when there is one more
 * than we keep, that oldest one only fixes the ring's base.
 */
static void on_head(void *arg, enum lb_status st, const struct lb_blog *blog,
		    const struct store_event *ev, size_t n)
{
	struct hub *h = arg;
	struct lb_seq base = { 0, 0 };
	long count;

	h->loading = false;
	if (st != LB_OK) {
		hub_fail(h, st == LB_NOT_FOUND ? "unknown blog" : "unavailable");
		hub_unref(h);
		return;
	}
	h->meta = *blog;
	count = blog->entry_count;   /* hub_append counts: keep the stored count */
	if (n > INIT_EVENTS) {
		text_seq_parse(ev[INIT_EVENTS].seq, &base);
		n = INIT_EVENTS;
	}
	ring_restart(&h->ring, &base);
	for (size_t i = n; i-- > 0;)
		hub_append(h, &ev[i]);
	h->meta = *blog;
	h->meta.entry_count = count;
	hub_ready(h);
	hub_wake_now(h);
	if (!h->meta.ended)
		hub_fetch(h);   /* anything the feed brought while we loaded */
	hub_unref(h);
}

static void hub_load_again(lws_sorted_usec_list_t *sul)
{
	hub_load(lws_container_of(sul, struct hub, sul_load));
}

/* Starts loading the hub; while the store cannot take it, tries again. */
static void hub_load(struct hub *h)
{
	if (h->loading || h->ready || !feed_is_ready)
		return;
	if (store_head(hub_env.store, h->id, INIT_EVENTS + 1, on_head, h)) {
		timer_schedule(&h->sul_load, hub_load_again, LOAD_RETRY_US);
		return;
	}
	h->loading = true;
	hub_ref(h);
}

/* ---- redaction: an entry's content leaves every frame this loop holds ---- */

static void on_meta(void *arg, enum lb_status st, const struct lb_blog *b)
{
	struct hub *h = arg;

	if (st == LB_OK)
		h->meta = *b;   /* its count and pinned entry may have changed */
	hub_unref(h);
}

/* Queues {"type":"redact"} for every reader and wakes them. */
static void hub_notice(struct hub *h, const char *entry)
{
	json_t *v = codec_redact_msg(entry);
	struct frame *f = v ? frame_from_json(v, NULL, false) : NULL;
	struct frame **slot = &h->notice[h->notice_head % NOTICES];

	json_decref(v);
	if (!f)
		return;
	frame_unref(*slot);
	*slot = f;
	h->notice_head++;
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->readers)) {
		reader_wake(lws_container_of(d, struct reader, link));
	} lws_end_foreach_dll(d);
}

static void hub_redact(struct hub *h, const char *entry)
{
	char (*set)[40];

	if (!is_redacted(h, entry) &&
	    (set = realloc(h->redacted, (h->nredacted + 1) * sizeof(*set)))) {
		h->redacted = set;
		snprintf(set[h->nredacted++], sizeof(*set), "%s", entry);
	}
	for (uint64_t i = ring_first(&h->ring); i < h->ring.head; i++)
		h->ring.bytes += (size_t)hub_redact_slot(&h->ring.slot[i % h->ring.cap], entry);
	pages_redact(h, entry);
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->readers)) {
		reader_redact(lws_container_of(d, struct reader, link), entry);
	} lws_end_foreach_dll(d);
	hub_notice(h, entry);
	if (!store_get_blog(hub_env.store, h->id, on_meta, h))
		hub_ref(h);
}

void hubs_on_event(void *arg, const char *blog, const struct store_event *ev,
		   const char *prev)
{
	struct hub *h = hub_find(blog);
	struct lb_seq p;
	char entry[40];

	(void)arg;
	if (h && !strcmp(ev->type, "redact")) {
		snprintf(entry, sizeof(entry), "%.*s", (int)ev->len, ev->data);
		hub_redact(h, entry);
		return;
	}
	if (!h || !h->ready) {
		if (h)
			h->refetch = true;
		return;
	}
	if (text_seq_parse(prev, &p) && !text_seq_cmp(&p, &h->ring.last))
		hub_append(h, ev);
	else if (text_seq_cmp_str(ev->seq, h->ring.last_str) > 0)
		hub_fetch(h);
}

void hubs_on_blog(void *arg, const char *blog, const char *data, size_t len)
{
	struct hub *h = hub_find(blog);

	(void)arg;
	if (h && h->ready)
		codec_blog_meta_apply(&h->meta, data, len);
}

void hubs_batch_done(void *arg)
{
	(void)arg;
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&hubs)) {
		hub_wake_now(lws_container_of(d, struct hub, link));
	} lws_end_foreach_dll(d);
}

void hubs_feed_ready(void *arg)
{
	(void)arg;
	feed_is_ready = true;
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		if (h->ready)
			hub_verify(h);
		else
			hub_load(h);
	} lws_end_foreach_dll_safe(d, d1);
}

/* ---- stats: an approximate reader count across instances ---- */

static void on_readers(void *arg, enum lb_status st, long long n)
{
	struct hub *h = arg;
	json_t *v;

	/*
	 * A count readers already have is not sent again: with 250,000
	 * readers at 1 post/s, a stats frame to each every 5 s was a sixth of
	 * the sends. A reader that joins gets the next count that differs.
	 */
	bool changed = st == LB_OK && (!h->stats || n != h->stats_n);

	if (changed && (v = codec_stats(n))) {
		frame_unref(h->stats);
		h->stats = frame_from_json(v, NULL, false);
		h->stats_n = n;
		json_decref(v);
		h->stats_gen++;
	} else {
		changed = false;
	}
	if (changed) {
		lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->readers)) {
			struct reader *rd = lws_container_of(d, struct reader, link);

			if (rd->state == R_LIVE && rd->live_sent)
				reader_wake(rd);
		} lws_end_foreach_dll(d);
	}
	hub_unref(h);
}

static void hub_stats_tick(lws_sorted_usec_list_t *sul)
{
	struct hub *h = lws_container_of(sul, struct hub, sul_stats);

	if (h->ready && !h->meta.ended &&
	    !store_readers(hub_env.store, h->id, hub_env.instance,
			   (long)h->readers.count, on_readers, h))
		hub_ref(h);
	timer_schedule(&h->sul_stats, hub_stats_tick, STATS_US);
}

/* ---- readers join and leave ---- */

/* The hub of blog on this loop, found or new (loading); NULL when out of memory. */
struct hub *hub_get(const char *blog)
{
	struct hub *h = hub_find(blog);

	if (!h && (h = hub_new(blog)))
		hub_load(h);
	return h;
}

void hubs_shutdown(void)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&hubs)) {
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
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&hubs)) {
		struct hub *h = lws_container_of(d, struct hub, link);

		h->refs = 1;
		hub_unref(h);
	} lws_end_foreach_dll_safe(d, d1);
	feed_is_ready = false;
}
