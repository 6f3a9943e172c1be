/*
 * pages.c — pages of a blog's log older than its hub's ring, read from the
 * store once and serialised once for every reader who needs them.
 *
 * A page holds the events it read: (lo, hi] after a position, or [lo, hi]
 * when it was read to check that lo is in the log. A reader catching up
 * from any position a page covers takes its next window of events from it,
 * so readers who start from different places share pages as soon as their
 * paths cross. A page covering a resume position that is not one of its
 * events proves that the log does not hold it.
 *
 * Memory: pages count against the loop's byte budget (cache.h) and go
 * least recently used first; a page being read cannot go. When the budget
 * is full of pages being read, further reads wait in line (one read is
 * always allowed), so a spray of invented positions costs at most the
 * budget, not a page per reader. Readers hold only a window of frames.
 *
 * Lifetimes: the hub's list holds a reference, a read in flight another.
 * When the read returns, its waiters are moved to a local list and the
 * read's reference is held until every one of them has been handed the
 * page: a waiter that resets asks for another page, which may evict this
 * one from the list; it is freed only once the walk lets go of it.
 */
#include <stdlib.h>
#include <string.h>

#include "push/hub_internal.h"

#define PAGE_OVERHEAD 256        /* bytes per page besides its frames */
#define FRAME_OVERHEAD (sizeof(struct frame) + LWS_PRE)

struct page {
	struct cache_item ci;    /* counted while loading or kept */
	struct lws_dll2 link;    /* in the hub's pages while kept */
	struct lws_dll2 qlink;   /* in the loop's line of reads waiting for room */
	struct hub *hub;
	unsigned refs;           /* the hub's list + a read under way */
	struct lb_seq lo, hi;
	char lo_str[48];
	bool inclusive;          /* [lo, hi]: read to check that lo is in the log */
	bool loading;
	long count;              /* events asked for */
	unsigned takers;         /* windows taken from it */
	lws_dll2_owner_t waiters;
	size_t n;
	struct frame **f;
};

static _Thread_local lws_dll2_owner_t line;   /* reads waiting for room */
static _Thread_local unsigned reads;          /* reads in flight */

static void page_unref(struct page *p)
{
	if (--p->refs)
		return;
	for (size_t i = 0; i < p->n; i++)
		frame_unref(p->f[i]);
	free(p->f);
	free(p);
}

/* Drops a page from the hub's list and the budget (freed once nobody holds it). */
static void page_drop(struct page *p)
{
	if (!p->link.owner)
		return;
	cache_remove(&p->ci);
	lws_dll2_remove(&p->link);
	page_unref(p);
}

static bool page_evict(struct cache_item *it)
{
	struct page *p = lws_container_of(it, struct page, ci);

	if (p->loading)
		return false;
	page_drop(p);
	return true;
}

/* Index of the first event at or after s (n when none). */
static size_t first_from(const struct page *p, const struct lb_seq *s)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (text_seq_cmp(&p->f[mid]->seq, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * What page p says of a reader at s: PAGE_HIT (*from), PAGE_ABSENT, or
 * PAGE_WAIT meaning "nothing here, look elsewhere".
 */
static enum page_find page_covers(const struct page *p, const struct lb_seq *s,
				  bool verify, size_t *from)
{
	int lo = text_seq_cmp(&p->lo, s);
	size_t i;

	if (p->loading || !p->n || lo > 0 || text_seq_cmp(s, &p->hi) > 0)
		return PAGE_WAIT;
	i = first_from(p, s);
	if (i < p->n && !text_seq_cmp(&p->f[i]->seq, s)) {
		*from = i + 1;
		return verify || i + 1 < p->n ? PAGE_HIT : PAGE_WAIT;
	}
	if (verify)   /* inside what the page read, and not there: not in the log */
		return lo < 0 || p->inclusive ? PAGE_ABSENT : PAGE_WAIT;
	*from = i;
	return i < p->n ? PAGE_HIT : PAGE_WAIT;
}

static void on_read(void *arg, enum lb_status st, const struct store_event *ev,
		    size_t n);

/* Sends the page's read; false when the store is out of reach. */
static bool page_send(struct page *p, size_t estimate)
{
	struct hub *h = p->hub;

	if (store_range(hub_env.store, h->id, p->lo_str, p->inclusive,
			p->count + p->inclusive, on_read, p))
		return false;
	cache_add(&p->ci, estimate);
	reads++;
	return true;
}

/* What a read of count events of the hub's blog will likely take. */
static size_t estimate_of(const struct hub *h, long count)
{
	size_t avg = h->ring.count ? h->ring.bytes / h->ring.count : 1024;

	return PAGE_OVERHEAD + (size_t)(count + 1) * (FRAME_OVERHEAD + (avg > 256 ? avg : 256));
}

/*
 * Tells every waiter of p how its read ended. The waiters move to a local
 * list first: one that resets asks for another page, which may evict p
 * from the hub's list (the caller holds a reference to p meanwhile).
 */
static void hand_out(struct page *p, enum lb_status st)
{
	lws_dll2_owner_t waiters = { 0 };
	struct lws_dll2 *d;

	while ((d = lws_dll2_get_head(&p->waiters))) {
		lws_dll2_remove(d);
		lws_dll2_add_tail(d, &waiters);
	}
	while ((d = lws_dll2_get_head(&waiters))) {
		struct page_waiter *w = lws_container_of(d, struct page_waiter, link);

		lws_dll2_remove(d);
		w->ready(w, st);
	}
}

/* Starts reads waiting in line while there is room (one always may run). */
static void pages_pump(void)
{
	struct lws_dll2 *d;

	while ((d = lws_dll2_get_head(&line))) {
		struct page *p = lws_container_of(d, struct page, qlink);
		size_t need = estimate_of(p->hub, p->count);

		if (!cache_make_room(need) && reads)
			return;
		lws_dll2_remove(d);
		if (page_send(p, need))
			continue;
		/* out of reach: its waiters fail; the page goes */
		p->loading = false;
		lws_dll2_remove(&p->link);   /* not counted: never sent */
		hand_out(p, LB_UNAVAILABLE);
		hub_unref(p->hub);
		p->refs = 1;
		page_unref(p);
	}
}

/* Keeps the read's events as frames; false when out of memory. */
static bool page_fill(struct page *p, const struct store_event *ev, size_t n)
{
	size_t bytes = PAGE_OVERHEAD;

	p->f = n ? calloc(n, sizeof(*p->f)) : NULL;
	if (n && !p->f)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct frame *f = hub_frame(p->hub, &ev[i]);

		if (!f)
			return false;
		p->f[p->n++] = f;
		bytes += frame_size(f);   /* its compressed form too */
	}
	if (p->n)
		p->hi = p->f[p->n - 1]->seq;
	cache_resize(&p->ci, bytes);
	cache_touch(&p->ci);
	return true;
}

static void on_read(void *arg, enum lb_status st, const struct store_event *ev,
		    size_t n)
{
	struct page *p = arg;
	struct hub *h = p->hub;

	p->loading = false;
	reads--;
	if (st == LB_OK && !page_fill(p, ev, n))
		st = LB_INTERNAL;
	/* a failed or empty read is not kept: the next reader asks again */
	if (st != LB_OK || !p->n)
		page_drop(p);
	if (st == LB_OK && !p->n)
		st = LB_NOT_FOUND;
	hand_out(p, st);
	cache_make_room(0);
	pages_pump();
	page_unref(p);   /* the read's */
	hub_unref(h);
}

/*
 * How many events a read from s asks for. A read costs Redis (and this
 * loop) its size, while a reader takes one window at a time; a page pays
 * off only when it is walked on. So a read from a new position is one
 * window, and a read that continues a page some reader walked to its end
 * doubles that page's size (four times when several walked it), up to
 * PAGE: a crowd reading from the same place gets full pages within a few
 * reads, while a spray of invented positions costs Redis no more than its
 * readers take. A budget that cannot hold a full page keeps reads small.
 */
static long read_size(struct hub *h, const struct lb_seq *s)
{
	long count = WINDOW_FRAMES;

	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->pages)) {
		const struct page *q = lws_container_of(d, struct page, link);

		if (!q->loading && q->n && !text_seq_cmp(&q->hi, s)) {
			long grown = q->count * (q->takers > 1 ? 4 : 2);

			if (grown > count)
				count = grown;
		}
	} lws_end_foreach_dll(d);
	if (count > PAGE)
		count = PAGE;
	if (count > WINDOW_FRAMES && !cache_make_room(estimate_of(h, count)))
		count = WINDOW_FRAMES;
	return count;
}

/* A new page read from s (a read in flight or in line); NULL when out of reach. */
static struct page *page_new(struct hub *h, const struct lb_seq *s, bool inclusive)
{
	struct page *p = calloc(1, sizeof(*p));
	size_t need;

	if (!p)
		return NULL;
	p->count = read_size(h, s);
	need = estimate_of(h, p->count);
	p->refs = 2;   /* the hub's list and the read */
	p->hub = h;
	p->lo = *s;
	text_seq_format(s, p->lo_str);
	p->inclusive = inclusive;
	p->loading = true;
	p->ci.evict = page_evict;
	if (!cache_make_room(need) && reads) {
		lws_dll2_add_tail(&p->qlink, &line);
	} else if (!page_send(p, need)) {
		free(p);
		return NULL;
	}
	lws_dll2_add_tail(&p->link, &h->pages);
	hub_ref(h);
	return p;
}

enum page_find pages_find(struct hub *h, const char *since, bool verify,
			  struct page_waiter *w, struct page_view *view, size_t *from)
{
	struct lb_seq s;
	struct page *p;
	enum page_find res;

	text_seq_parse(since, &s);
	for (struct lws_dll2 *d = lws_dll2_get_head(&h->pages); d; d = d->next) {
		p = lws_container_of(d, struct page, link);
		res = page_covers(p, &s, verify, from);
		if (res == PAGE_WAIT)
			continue;
		cache_touch(&p->ci);
		p->takers += res == PAGE_HIT;
		view->f = p->f;
		view->n = p->n;
		return res;
	}
	/* a read from the same place under way: wait for it */
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->pages)) {
		p = lws_container_of(d, struct page, link);
		if (p->loading && p->inclusive == verify && !text_seq_cmp(&p->lo, &s)) {
			lws_dll2_add_tail(&w->link, &p->waiters);
			return PAGE_WAIT;
		}
	} lws_end_foreach_dll(d);
	p = page_new(h, &s, verify);
	if (!p)
		return PAGE_ERROR;
	lws_dll2_add_tail(&w->link, &p->waiters);
	return PAGE_WAIT;
}

/*
 * The hub is going. Pages read under way hold a hub reference, so only
 * reads still in line can be here when its last reader left; the loop's
 * end frees hubs regardless (hubs_free_all), and their waiters are told.
 */
void pages_release(struct hub *h)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->pages)) {
		struct page *p = lws_container_of(d, struct page, link);

		if (p->qlink.owner) {
			lws_dll2_remove(&p->qlink);
			hand_out(p, LB_UNAVAILABLE);
			p->loading = false;
			p->refs--;   /* the read that never went out */
		}
		page_drop(p);
	} lws_end_foreach_dll_safe(d, d1);
}

/*
 * The log lost events the hub had (a failover): a page read before may
 * hold some of them. Pages being read were asked of the server in use now
 * (a read in flight on a lost connection fails), so only kept ones go.
 */
void pages_forget(struct hub *h)
{
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&h->pages)) {
		struct page *p = lws_container_of(d, struct page, link);

		if (!p->loading)
			page_drop(p);
	} lws_end_foreach_dll_safe(d, d1);
}

void pages_redact(struct hub *h, const char *entry)
{
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&h->pages)) {
		struct page *p = lws_container_of(d, struct page, link);
		long delta = 0;

		/* a page still loading is redacted as it is filled (hub_frame) */
		for (size_t i = 0; i < p->n; i++)
			delta += hub_redact_slot(&p->f[i], entry);
		if (delta)
			cache_resize(&p->ci, (size_t)((long)p->ci.bytes + delta));
	} lws_end_foreach_dll(d);
}
