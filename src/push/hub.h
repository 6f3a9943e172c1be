/*
 * hub.h — one hub per blog with readers on this instance: a ring of the
 * blog's newest events, each serialised once into a shared frame, and the
 * readers with their cursors into it.
 *
 * The ring is contiguous: it always holds every event from just after
 * `base` up to `last`, with no gap. Events come from the feed (appended
 * when their `prev` is our `last`) or, when something is missing, from the
 * blog's log in Redis, read from `last` on. A reader that falls more than
 * the ring's size behind is dropped with 1008 "slow"; it resumes on
 * reconnect.
 */
#ifndef LB_HUB_H
#define LB_HUB_H

#include <libwebsockets.h>
#include <stdbool.h>

struct reader;

/* The feed: an event of a blog (type entry/edit/delete/ended/created). */
void hubs_on_feed(const char *blog, const char *type, const char *seq,
		  const char *prev, const char *data, size_t len);
/* A feed reply's items are all in: readers get them now, in one send each. */
void hubs_feed_done(void);
/* The feed is (again) reading: start waiting hubs, re-read the others. */
void hubs_on_feed_ready(void);
/* Shutdown: every reader gets close 1001 "going away". */
void hubs_shutdown(void);
void hubs_free_all(void);
/* Frees this worker thread's scratch memory. */
void hubs_thread_exit(void);

#include "shared.h"   /* known_add, known_has */

struct reader_opts {
	bool sse;        /* write SSE events on an HTTP stream, not WS frames */
	double replay;   /* > 0: pace the history at its original gaps / replay */
};

/*
 * A reader of blog from after since (NULL: the whole log) on wsi.
 * Returns NULL when out of memory.
 */
struct reader *reader_open(struct lws *wsi, const char *blog, const char *since,
			   const struct reader_opts *o);
/* WRITEABLE (WS or HTTP): one message; -1 to close the connection. */
int reader_writable(struct reader *r);
/* LWS_CALLBACK_CLOSED: the wsi is gone. */
void reader_close(struct reader *r);
/* The peer sent a close frame: nothing more is written outside WRITEABLE. */
void reader_peer_closing(struct reader *r);

#endif
