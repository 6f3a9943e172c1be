/*
 * cache.c — the loop's byte budget (see cache.h).
 */
#include "cache.h"
#include "shared.h"

static _Thread_local size_t limit, used;
static _Thread_local lws_dll2_owner_t lru;
static _Thread_local bool evicting;

void cache_init(size_t bytes)
{
	limit = bytes;
}

void cache_add(struct cache_item *it, size_t bytes)
{
	it->bytes = bytes;
	used += bytes;
	metrics.cache_bytes += bytes;
	lws_dll2_add_tail(&it->lru, &lru);
}

void cache_touch(struct cache_item *it)
{
	if (!it->lru.owner)
		return;
	lws_dll2_remove(&it->lru);
	lws_dll2_add_tail(&it->lru, &lru);
}

void cache_resize(struct cache_item *it, size_t bytes)
{
	if (!it->lru.owner)
		return;
	used = used - it->bytes + bytes;
	/* each a single atomic step: every loop updates the shared gauge */
	metrics.cache_bytes += bytes;
	metrics.cache_bytes -= it->bytes;
	it->bytes = bytes;
}

void cache_remove(struct cache_item *it)
{
	if (!it->lru.owner)
		return;
	used -= it->bytes;
	metrics.cache_bytes -= it->bytes;
	lws_dll2_remove(&it->lru);
}

bool cache_make_room(size_t need)
{
	struct lws_dll2 *d, *next;

	if (evicting)
		return used + need <= limit;
	evicting = true;
	for (d = lws_dll2_get_head(&lru); d && used + need > limit; d = next) {
		struct cache_item *it = lws_container_of(d, struct cache_item, lru);

		/* taken before: an eviction unlinks (and frees) the item */
		next = d->next;
		if (it->evict(it))
			metrics.cache_evictions++;
	}
	evicting = false;
	return used + need <= limit;
}

size_t cache_used(void)
{
	return used;
}

size_t cache_limit(void)
{
	return limit;
}
