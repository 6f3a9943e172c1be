/*
 * hub_internal.h — what the push side's files share: the hub (hub.c), its
 * catch-up pages (pages.c) and its readers (reader.c). Nothing outside
 * src/push includes it.
 *
 * Lifetimes (see docs/storage.md): a hub holds a reference per reader and
 * per call in flight; a reader one for its connection and one while it
 * waits on a page; a page one for the hub's list and one while it loads.
 * Whoever walks a list that a callback may change holds a reference to
 * what it walks and takes the list's members into a local list first.
 */
#ifndef LB_HUB_INTERNAL_H
#define LB_HUB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "push/frame.h"
#include "push/hub.h"
#include "push/out.h"
#include "push/ring.h"
#include "store/store.h"

#define PAGE          200     /* events per catch-up read */
#define WINDOW_FRAMES 16      /* a catch-up reader holds at most this many frames */
#define WINDOW_BYTES  (16 * 1024)   /* and this much text (at least one frame) */
#define NOTICES       64      /* redact messages a hub keeps for its readers */

struct hub {
	struct lws_dll2 link;    /* in this loop's hubs */
	char id[72];
	unsigned refs;           /* readers + calls in flight */
	bool ready, loading, fetching, refetch;
	bool reverify;           /* check the ring's last against the log on the next read */
	struct lb_blog meta;
	struct ring ring;
	lws_dll2_owner_t readers;
	struct frame *stats;
	long long stats_n;       /* the count in it */
	uint64_t stats_gen;
	lws_sorted_usec_list_t sul_stats;
	lws_sorted_usec_list_t sul_load;   /* retry a load the store could not take */
	uint64_t wake_gen;       /* bumped per appended event */
	lws_sorted_usec_list_t sul_wake;   /* wakes the rest of a large audience */
	bool wake_due;           /* an event appended, its wake not begun */
	lws_dll2_owner_t pages;  /* catch-up pages (pages.c) */
	char (*redacted)[40];    /* entries redacted while this hub lives */
	size_t nredacted;
	struct frame *notice[NOTICES];   /* the newest redact messages */
	uint64_t notice_head;    /* absolute index of the next notice */
};

/* A reader waiting on a page: called once when the page is loaded or failed. */
struct page_waiter {
	struct lws_dll2 link;
	/* LB_OK: loaded; LB_NOT_FOUND: nothing there; else the store failed */
	void (*ready)(struct page_waiter *w, enum lb_status st);
};

enum rstate { R_WAIT, R_CATCHUP, R_LIVE };

struct reader {
	struct lws_dll2 link;    /* in its hub's readers */
	struct hub *hub;
	struct lws *wsi;         /* NULL once the connection closed */
	const struct out_ops *out;
	unsigned refs;           /* the connection + a page waited on */
	enum rstate state;
	bool hello_sent, reset_pending, live_sent, verify, waiting, closing;
	bool peer_closing;       /* the peer sent a close: lws answers it, we say no more */
	char since[48];          /* the last event queued (or the `since` asked) */
	struct page_waiter pw;
	struct frame *q[WINDOW_FRAMES];   /* catch-up window */
	int qn, qpos;
	uint64_t cursor;         /* live: absolute ring index of the next event */
	uint64_t woken;          /* the hub's wake_gen when last woken */
	uint64_t stats_gen;
	uint64_t notice_next;    /* absolute index of the next notice owed */
	int close_code;
	const char *close_reason;
	double replay;           /* > 0: history paced at its original gaps / replay */
	uint64_t replay_last_ms; /* seq time of the last event replayed */
	lws_usec_t replay_sent;  /* when it was sent */
	lws_sorted_usec_list_t sul_replay;
};

/* This loop's settings (hub.c). */
extern _Thread_local struct hub_env hub_env;

/* The hub of blog on this loop, found or new (loading); NULL when out of memory. */
struct hub *hub_get(const char *blog);
void hub_ref(struct hub *h);
/*
 * The frame of a stored event for this hub: redacted when its entry was
 * redacted while the hub lives (a read answered after the redaction may
 * still hold the text). NULL when out of memory.
 */
struct frame *hub_frame(const struct hub *h, const struct store_event *ev);
/* Replaces the frame in *slot by its redacted form if it belongs to entry; the bytes' change. */
long hub_redact_slot(struct frame **slot, const char *entry);
void hub_unref(struct hub *h);

/* pages.c */
enum page_find { PAGE_HIT, PAGE_WAIT, PAGE_ABSENT, PAGE_ERROR };
/*
 * What a reader at `since` can take from the hub's pages now. PAGE_HIT:
 * *p (borrowed: take frames in this turn) from index *from (== n: since
 * is the page's last event; ask again without verify). PAGE_WAIT: a read
 * is under way; w->ready runs once. PAGE_ABSENT: verify, and the log does
 * not hold since. PAGE_ERROR: the store is out of reach.
 */
struct page_view {
	struct frame **f;
	size_t n;
};
enum page_find pages_find(struct hub *h, const char *since, bool verify,
			  struct page_waiter *w, struct page_view *p, size_t *from);
/* Frees every page of the hub (none loading: each holds a hub reference). */
void pages_release(struct hub *h);
/* Drops the pages kept (their events may be gone from the log); reads under way stay. */
void pages_forget(struct hub *h);
/* Every kept page of the hub loses the entry's content. */
void pages_redact(struct hub *h, const char *entry);

/* reader.c */
void reader_advance(struct reader *r);
/* The hub's ring is going (its newest events left the log): resume from the last event sent, checked. */
void reader_rewind(struct reader *r);
void reader_cull(struct reader *r, int code, const char *reason);
bool reader_send_now(struct reader *r);
/* The reader's window loses the entry's content. */
void reader_redact(struct reader *r, const char *entry);
void reader_wake(struct reader *r);

#endif
