/*
 * ring.h — a blog's newest events as shared frames, one slot per event
 * and absolute indices, so that a reader is a cursor (NOTES §5: a
 * sequence-numbered ring; O(1) per delivery).
 *
 * The ring is contiguous: it holds every event in (base, last], with no
 * gap. When it is full (slots or bytes of text) the oldest go and base
 * moves up; a cursor below the oldest index is behind the ring.
 */
#ifndef LB_RING_H
#define LB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/text.h"
#include "push/frame.h"

struct ring {
	struct frame **slot;
	size_t cap;              /* slots */
	size_t max_bytes;        /* text the ring may hold (its frames' len) */
	size_t count, bytes;
	uint64_t head;           /* absolute index of the next slot */
	struct lb_seq base, last;
	char last_str[48];
};

/* An empty ring at 0-0. Returns 0, or -1 when out of memory. */
int ring_init(struct ring *r, size_t cap, size_t max_bytes);
void ring_release(struct ring *r);
/* Empties the ring and sets base = last = at. */
void ring_restart(struct ring *r, const struct lb_seq *at);
/*
 * Appends f (taking its reference) when its seq is after last; the oldest
 * events go as needed. Returns false (f released) when it was not after.
 */
bool ring_push(struct ring *r, struct frame *f);

static inline uint64_t ring_first(const struct ring *r)
{
	return r->head - r->count;
}

/* True once the ring no longer holds the event at absolute index i. */
static inline bool ring_evicted(const struct ring *r, uint64_t i)
{
	return i < ring_first(r);
}

/* The frame at absolute index i (ring_first <= i < head). */
static inline struct frame *ring_at(const struct ring *r, uint64_t i)
{
	return r->slot[i % r->cap];
}

/* Absolute index just after `since` (base or an event held), or -1. */
int64_t ring_after(const struct ring *r, const struct lb_seq *since);

#endif
