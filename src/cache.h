/*
 * cache.h — one byte budget for everything an anonymous reader can make
 * this event loop keep: catch-up pages of logs, rendered pages of ended
 * blogs. `--cache-mb` is the instance's budget, shared equally by its
 * loops; each loop evicts its own least recently used items to stay
 * within its share. Items in use (a page still loading) are skipped.
 *
 * Thread-local: every call concerns the calling loop's cache only.
 */
#ifndef LB_CACHE_H
#define LB_CACHE_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

struct cache_item {
	struct lws_dll2 lru;     /* least recently used first */
	size_t bytes;
	/* Drops the item (cache_remove and free it); false: busy, skip it. */
	bool (*evict)(struct cache_item *it);
};

/* This loop's share of the budget, in bytes. */
void cache_init(size_t limit);
/* Counts a new item as most recently used (it must not be counted yet). */
void cache_add(struct cache_item *it, size_t bytes);
void cache_touch(struct cache_item *it);
void cache_resize(struct cache_item *it, size_t bytes);
/* Uncounts the item (no-op when it is not counted). */
void cache_remove(struct cache_item *it);
/*
 * Evicts least recently used items until `need` more bytes fit within the
 * budget. True when they fit. Never evicts from inside an eviction.
 */
bool cache_make_room(size_t need);
size_t cache_used(void);
size_t cache_limit(void);

#endif
