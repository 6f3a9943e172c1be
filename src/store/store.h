/*
 * store.h — the seam between liveblog and its storage: an operations table
 * with typed results. The Redis store (redis_store.c) is the system of
 * record; tests drive the hub against an in-memory one (tests/fakes/).
 * Nothing outside src/store sees hiredis or a Redis reply.
 *
 * Redis keys: lb:blogs (zset of ids by creation time), lb:blog:<id> (hash),
 * lb:blog:<id>:log (the stream of events: the system of record),
 * lb:blog:<id>:entries (current entries), lb:blog:<id>:order and
 * lb:blog:<id>:keys (zsets indexing the current and the key entries by
 * seq, for pages of long blogs), lb:blog:<id>:fp (content
 * fingerprints for idempotent retries), lb:feed (a capped stream every
 * instance tails to learn of changes; see feed.h). Pictures:
 * lb:blog:<id>:media (hash: sha256 → meta JSON, the blog's pictures),
 * lb:media:<sha256> (hash: type width height bytes data, the bytes as
 * uploaded) and lb:media:<sha256>:blogs (set: the blogs holding it).
 *
 * Every operation returning int keeps one contract: -1 means nothing was
 * sent (storage out of reach) and the callback never runs; 0 means the
 * callback runs exactly once, later (never from inside the call), also
 * when the connection is lost (then with LB_UNAVAILABLE). Results handed
 * to callbacks are borrowed: valid only during the callback.
 */
#ifndef LB_STORE_H
#define LB_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/codec.h"
#include "status.h"

/* One event of a blog's log, as stored. */
struct store_event {
	const char *seq;         /* its stream id: "1764401562123-0" */
	const char *type;        /* entry | edit | delete | ended */
	const char *data;        /* the entry payload JSON, or a deleted entry's id */
	size_t len;
};

/* result: a wire object (blog, entry, {"blogs":[...]}); msg: NULL or a sentence */
typedef void (*store_json_fn)(void *arg, enum lb_status st, json_t *result,
			      const char *msg);
typedef void (*store_blog_fn)(void *arg, enum lb_status st,
			      const struct lb_blog *blog);
/* events oldest first */
typedef void (*store_events_fn)(void *arg, enum lb_status st,
				const struct store_event *ev, size_t n);
/* the blog and its newest events, newest first (one atomic read) */
typedef void (*store_head_fn)(void *arg, enum lb_status st,
			      const struct lb_blog *blog,
			      const struct store_event *newest, size_t n);
/*
 * result: {"events":[...],"next":S}; ended_seq: "" while the blog is live;
 * redactions: how many of its entries were redacted (an ended log changes
 * only then)
 */
typedef void (*store_log_fn)(void *arg, enum lb_status st, json_t *result,
			     const char *ended_seq, long redactions);
/* What a page of a blog shows (page_state): how much of it to read. */
struct store_page_req {
	long newest;             /* the newest N current entries */
	long keys;               /* and the newest K key events (0: none) */
	const char *entry;       /* and this entry (an entry's own page), or NULL */
};
/*
 * A page's state, read in one atomic step, in wire form, newest first,
 * deleted ones left out: entries (the newest N, the pinned one, the entry
 * asked for; each once), keys (the newest K key events, which may be among
 * entries too); older: the seq to read older entries before (GET
 * .../entries?before=), "" when the newest N are all there is.
 */
struct store_page {
	const struct lb_blog *blog;
	const json_t *entries;
	const json_t *keys;
	const char *older;
};
typedef void (*store_page_fn)(void *arg, enum lb_status st, const struct store_page *p);
typedef void (*store_count_fn)(void *arg, enum lb_status st, long long n);
/* a picture's type and bytes (borrowed); LB_NOT_FOUND when there is none */
typedef void (*store_bytes_fn)(void *arg, enum lb_status st, const char *type,
			       const void *data, size_t len);

struct store;

#define STORE_MEDIA_GC_MAX 32

struct store_ops {
	int (*get_blog)(struct store *st, const char *id, store_blog_fn fn, void *arg);
	int (*list_blogs)(struct store *st, store_json_fn fn, void *arg);
	/* lang: a canonical BCP 47 tag */
	int (*create_blog)(struct store *st, const char *id, const char *title,
			   const char *token_hash, const char *lang,
			   store_json_fn fn, void *arg);
	/*
	 * A live blog's title and/or language (NULL: unchanged); result: the
	 * blog after the change. LB_ENDED on an ended blog, LB_NOT_FOUND.
	 */
	int (*update_blog)(struct store *st, const char *blog, const char *title,
			   const char *lang, store_json_fn fn, void *arg);
	/*
	 * payload from codec_entry_create; LB_CREATED, or LB_OK on a retry.
	 * Its pictures (and those an edit leaves or sets) are resolved into
	 * the stored payload (type, width, height, url) and must be the
	 * blog's when the entry is written: else LB_BAD_REQUEST.
	 */
	int (*post_entry)(struct store *st, const char *blog, json_t *payload,
			  store_json_fn fn, void *arg);
	int (*edit_entry)(struct store *st, const char *blog, const char *entry,
			  json_t *patch, store_json_fn fn, void *arg);
	int (*delete_entry)(struct store *st, const char *blog, const char *entry,
			    store_json_fn fn, void *arg);
	/* result: the blog after ending it */
	int (*end_blog)(struct store *st, const char *blog, store_json_fn fn, void *arg);
	/*
	 * A legal takedown of an entry (SPEC "Redaction"), also on an ended
	 * blog; result: {"entry_id","redacted_at"}, the same for a second call.
	 * Then the pictures the entry named that nothing else of the blog
	 * names are deleted (media_gc, every instance told on the feed); when
	 * that step fails the answer is 503 and a second call finishes it.
	 */
	int (*redact_entry)(struct store *st, const char *blog, const char *entry,
			    const char *reason, store_json_fn fn, void *arg);
	/* since: NULL or "0-0" for the beginning; exclusive otherwise */
	int (*events)(struct store *st, const char *blog, const char *since,
		      long limit, store_log_fn fn, void *arg);
	int (*page_state)(struct store *st, const char *blog,
			  const struct store_page_req *req, store_page_fn fn, void *arg);
	/*
	 * Current entries older than before (NULL: the newest), newest first,
	 * at most limit; result {"entries":[...],"next":SEQ|null} (next: the
	 * before of the following page, null at the oldest).
	 */
	int (*entries)(struct store *st, const char *blog, const char *before,
		       long limit, store_json_fn fn, void *arg);
	/* the blog and its newest `count` events */
	int (*head)(struct store *st, const char *blog, long count,
		    store_head_fn fn, void *arg);
	/* since "0-0": from the beginning; else after since, or from it (inclusive) */
	int (*range)(struct store *st, const char *blog, const char *since,
		     bool inclusive, long count, store_events_fn fn, void *arg);
	/* reports this instance's readers of blog; result: the total of all instances */
	int (*readers)(struct store *st, const char *blog, const char *instance,
		       long count, store_count_fn fn, void *arg);
	/*
	 * Stores picture m (its m->bytes bytes at data, borrowed until the
	 * callback) as one of blog's: LB_CREATED, or LB_OK when the blog has
	 * it already; result: the upload's answer (codec_media_wire).
	 */
	int (*media_put)(struct store *st, const char *blog, const struct lb_media *m,
			 const void *data, store_json_fn fn, void *arg);
	/* The type and bytes of picture id (any blog's). */
	int (*media_get)(struct store *st, const char *id, store_bytes_fn fn, void *arg);
	/*
	 * Deletes pictures of blog that nothing else of the blog uses: the
	 * candidates are ids[0..n) (at most STORE_MEDIA_GC_MAX are looked at)
	 * and the pictures named by entry's events and stored state (entry
	 * NULL or "": none); with neither, every picture of the blog. A
	 * candidate stays while an event of the log or a current entry (a
	 * deleted one included) other than entry names it; one that is not
	 * the blog's is left alone. The bytes go when no blog holds them any
	 * more. Result: {"deleted":[ids]}. For redaction: call it with the
	 * redacted entry (and, if its events were rewritten first, the ids
	 * they named).
	 */
	int (*media_gc)(struct store *st, const char *blog, const char *entry,
			const char *const *ids, size_t n, store_json_fn fn, void *arg);
	bool (*up)(const struct store *st);
	unsigned long (*reconnects)(const struct store *st);
	/* the address of the server in use ("host:port" or the socket); "" while down */
	const char *(*where)(const struct store *st);
	void (*start)(struct store *st);
	/* pending callbacks run (with LB_UNAVAILABLE) before it returns */
	void (*stop)(struct store *st);
	void (*free)(struct store *st);
};

/* Implementations start with this, and find themselves with container_of. */
struct store {
	const struct store_ops *ops;
};

/* Computes the Redis scripts' SHA-1s; once, before any worker starts. */
void store_scripts_init(void);

static inline int store_get_blog(struct store *st, const char *id,
				 store_blog_fn fn, void *arg)
{
	return st->ops->get_blog(st, id, fn, arg);
}

static inline int store_list_blogs(struct store *st, store_json_fn fn, void *arg)
{
	return st->ops->list_blogs(st, fn, arg);
}

static inline int store_create_blog(struct store *st, const char *id,
				    const char *title, const char *token_hash,
				    const char *lang, store_json_fn fn, void *arg)
{
	return st->ops->create_blog(st, id, title, token_hash, lang, fn, arg);
}

static inline int store_update_blog(struct store *st, const char *blog,
				    const char *title, const char *lang,
				    store_json_fn fn, void *arg)
{
	return st->ops->update_blog(st, blog, title, lang, fn, arg);
}

static inline int store_post_entry(struct store *st, const char *blog,
				   json_t *payload, store_json_fn fn, void *arg)
{
	return st->ops->post_entry(st, blog, payload, fn, arg);
}

static inline int store_edit_entry(struct store *st, const char *blog,
				   const char *entry, json_t *patch,
				   store_json_fn fn, void *arg)
{
	return st->ops->edit_entry(st, blog, entry, patch, fn, arg);
}

static inline int store_delete_entry(struct store *st, const char *blog,
				     const char *entry, store_json_fn fn, void *arg)
{
	return st->ops->delete_entry(st, blog, entry, fn, arg);
}

static inline int store_end_blog(struct store *st, const char *blog,
				 store_json_fn fn, void *arg)
{
	return st->ops->end_blog(st, blog, fn, arg);
}

static inline int store_redact_entry(struct store *st, const char *blog,
				     const char *entry, const char *reason,
				     store_json_fn fn, void *arg)
{
	return st->ops->redact_entry(st, blog, entry, reason, fn, arg);
}

static inline int store_events(struct store *st, const char *blog,
			       const char *since, long limit, store_log_fn fn,
			       void *arg)
{
	return st->ops->events(st, blog, since, limit, fn, arg);
}

static inline int store_page_state(struct store *st, const char *blog,
				   const struct store_page_req *req,
				   store_page_fn fn, void *arg)
{
	return st->ops->page_state(st, blog, req, fn, arg);
}

static inline int store_entries(struct store *st, const char *blog,
				const char *before, long limit, store_json_fn fn,
				void *arg)
{
	return st->ops->entries(st, blog, before, limit, fn, arg);
}

static inline int store_head(struct store *st, const char *blog, long count,
			     store_head_fn fn, void *arg)
{
	return st->ops->head(st, blog, count, fn, arg);
}

static inline int store_range(struct store *st, const char *blog,
			      const char *since, bool inclusive, long count,
			      store_events_fn fn, void *arg)
{
	return st->ops->range(st, blog, since, inclusive, count, fn, arg);
}

static inline int store_readers(struct store *st, const char *blog,
				const char *instance, long count,
				store_count_fn fn, void *arg)
{
	return st->ops->readers(st, blog, instance, count, fn, arg);
}

static inline int store_media_put(struct store *st, const char *blog,
				  const struct lb_media *m, const void *data,
				  store_json_fn fn, void *arg)
{
	return st->ops->media_put(st, blog, m, data, fn, arg);
}

static inline int store_media_get(struct store *st, const char *id,
				  store_bytes_fn fn, void *arg)
{
	return st->ops->media_get(st, id, fn, arg);
}

static inline int store_media_gc(struct store *st, const char *blog,
				 const char *entry, const char *const *ids,
				 size_t n, store_json_fn fn, void *arg)
{
	return st->ops->media_gc(st, blog, entry, ids, n, fn, arg);
}

static inline bool store_up(const struct store *st)
{
	return st->ops->up(st);
}

static inline unsigned long store_reconnects(const struct store *st)
{
	return st->ops->reconnects(st);
}

static inline const char *store_where(const struct store *st)
{
	return st->ops->where(st);
}

static inline void store_start(struct store *st)
{
	st->ops->start(st);
}

static inline void store_stop(struct store *st)
{
	st->ops->stop(st);
}

static inline void store_free(struct store *st)
{
	if (st)
		st->ops->free(st);
}

#endif
