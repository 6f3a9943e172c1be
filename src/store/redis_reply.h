/*
 * redis_reply.h — reading hiredis replies into liveblog's types. Private to
 * src/store: nothing outside it sees a redisReply.
 */
#ifndef LB_REDIS_REPLY_H
#define LB_REDIS_REPLY_H

#include <hiredis/hiredis.h>
#include <stdbool.h>

#include "common/codec.h"
#include "store/store.h"

/* Field `name` of a [field, value, ...] array, or NULL; *len its length. */
const char *rr_field(const redisReply *fields, const char *name, size_t *len);
/* A blog from HGETALL lb:blog:<id>. False when the hash is empty or odd. */
bool rr_blog(const redisReply *hash, struct lb_blog *out);
/* One stream item [id, [t, type, d, data]] into ev (borrowing). */
bool rr_event(const redisReply *item, struct store_event *ev);
/*
 * The items of an XRANGE/XREVRANGE array as events (borrowing); *n is how
 * many were well formed. Returns a malloc'd array (NULL when n is 0 or out
 * of memory: then *n is 0).
 */
struct store_event *rr_events(const redisReply *items, size_t *n);

#endif
