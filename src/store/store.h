/*
 * store.h — liveblog's storage in Redis, behind one small interface.
 *
 * Keys: lb:blogs (zset of ids by creation time), lb:blog:<id> (hash),
 * lb:blog:<id>:log (the stream of events: the system of record),
 * lb:blog:<id>:entries (current entries), lb:blog:<id>:fp (content
 * fingerprints for idempotent retries), lb:feed (a capped stream every
 * instance tails to learn of changes).
 *
 * Every operation returning int follows one contract: -1 means nothing was
 * sent (Redis is down) and the callback will never run; 0 means the
 * callback runs exactly once, later, also when the connection is lost
 * (then with LB_UNAVAILABLE). Results passed to callbacks are borrowed.
 */
#ifndef LB_STORE_H
#define LB_STORE_H

#include <jansson.h>

#include "common/codec.h"
#include "status.h"
#include "store/redis_conn.h"

#define STORE_FEED_KEY    "lb:feed"
#define STORE_FEED_MAXLEN "10000"

struct store {
	struct rconn cmd;
};

/* result: a wire object (blog, entry, {"blogs":..}, {"events":..,"next":..}) */
typedef void (*store_json_fn)(void *arg, enum lb_status st, json_t *result,
			      const char *msg);
typedef void (*store_blog_fn)(void *arg, enum lb_status st,
			      const struct lb_blog *blog);
/* reply: the raw XRANGE array (NULL unless st is LB_OK) */
typedef void (*store_range_fn)(void *arg, enum lb_status st, redisReply *reply);
/* result: {"events":[...],"next":S}; ended_seq: "" while the blog is live */
typedef void (*store_events_fn)(void *arg, enum lb_status st, json_t *result,
				const char *ended_seq);
/* reply: the raw hub_init.lua reply */
typedef void (*store_reply_fn)(void *arg, enum lb_status st, redisReply *reply);

/* Computes the scripts' SHA-1s; once, before any worker starts. */
void store_scripts_init(void);
int store_init(struct store *st, struct lws_context *ctx, struct lws_vhost *vh,
	       const char *url);
void store_start(struct store *st);
void store_stop(struct store *st);
bool store_up(const struct store *st);

int store_get_blog(struct store *st, const char *id, store_blog_fn fn, void *arg);
int store_list_blogs(struct store *st, store_json_fn fn, void *arg);
int store_create_blog(struct store *st, const char *id, const char *title,
		      const char *token_hash, store_json_fn fn, void *arg);
/* payload from codec_entry_create; LB_CREATED, or LB_OK on a retry. */
int store_post_entry(struct store *st, const char *blog, json_t *payload,
		     store_json_fn fn, void *arg);
int store_edit_entry(struct store *st, const char *blog, const char *entry,
		     json_t *patch, store_json_fn fn, void *arg);
int store_delete_entry(struct store *st, const char *blog, const char *entry,
		       store_json_fn fn, void *arg);
/* Result: the blog after ending it. */
int store_end_blog(struct store *st, const char *blog, store_json_fn fn, void *arg);
/* since: NULL or "0-0" for the beginning; exclusive otherwise. */
int store_events(struct store *st, const char *blog, const char *since,
		 long limit, store_events_fn fn, void *arg);
/* reply: {HGETALL blog, HGETALL entries} (page_state.lua) */
int store_page_state(struct store *st, const char *blog, store_reply_fn fn,
		     void *arg);
/* since "0-0": from the beginning; else after since, or from it (inclusive). */
int store_range(struct store *st, const char *blog, const char *since,
		bool inclusive, long count, store_range_fn fn, void *arg);
int store_hub_init(struct store *st, const char *blog, long count,
		   store_reply_fn fn, void *arg);
int store_readers(struct store *st, const char *blog, const char *instance,
		  long count, store_reply_fn fn, void *arg);

/* Reply helpers shared with the feed and the hub. */
bool store_blog_from_hash(const redisReply *hash, struct lb_blog *out);
/* One XRANGE item [id, [f, v, ...]] → a wire event (new reference) or NULL. */
json_t *store_event_from_item(const redisReply *item, const char **seq);
const char *store_field(const redisReply *fields, const char *name, size_t *len);

#endif
