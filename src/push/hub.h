/*
 * hub.h — one hub per blog with readers on this event loop: a ring of the
 * blog's newest events, each serialised once into a shared frame, its
 * readers with their cursors into it, and pages of older events shared by
 * readers catching up.
 *
 * Events come from the feed (appended when their `prev` is the ring's
 * last) or, when something is missing, from the blog's log in the store,
 * read from the ring's last on. A reader that falls further behind than
 * the ring holds is dropped with 1008 "slow"; it resumes on reconnect.
 * Everything runs on the loop's thread.
 */
#ifndef LB_HUB_H
#define LB_HUB_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "store/store.h"

struct reader;
struct out_ops;

/* This loop's settings. */
struct hub_env {
	struct store *store;
	const char *instance;      /* this loop's id in the readers count */
	long backlog;              /* ring slots */
	size_t ring_bytes;         /* text a live ring may hold */
	long replay_cap_ms;        /* longest pause in a replay */
	int worker;                /* loop index, for metrics */
};

/* Sets this thread's hubs up (store, limits). */
void hubs_init(const struct hub_env *env);

/* A feed sink's calls (store/feed.h): arg is unused. */
void hubs_on_event(void *arg, const char *blog, const struct store_event *ev,
		   const char *prev);
void hubs_batch_done(void *arg);
void hubs_feed_ready(void *arg);
/* feed_sink.blog: a blog's title or language changed; later hellos say so. */
void hubs_on_blog(void *arg, const char *blog, const char *data, size_t len);

/* Shutdown: every reader gets close 1001 "going away". */
void hubs_shutdown(void);
/* Frees every hub and reader of this loop (after the loop stopped). */
void hubs_free_all(void);
/* Readers on this loop. */
unsigned long hubs_readers(void);
/* Frees this loop's scratch memory (at its thread's end). */
void hubs_thread_exit(void);

struct reader_opts {
	const struct out_ops *out;   /* out_ws or out_sse */
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

#include "shared.h"   /* known_add, known_has */

#endif
