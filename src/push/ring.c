/*
 * ring.c — see ring.h.
 */
#include <stdlib.h>
#include <string.h>

#include "push/ring.h"

int ring_init(struct ring *r, size_t cap, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	r->slot = calloc(cap, sizeof(*r->slot));
	if (!r->slot)
		return -1;
	r->cap = cap;
	r->max_bytes = max_bytes;
	strcpy(r->last_str, "0-0");
	return 0;
}

static void drop_all(struct ring *r)
{
	for (uint64_t i = ring_first(r); i < r->head; i++)
		frame_unref(ring_at(r, i));
	r->count = r->bytes = 0;
}

void ring_release(struct ring *r)
{
	drop_all(r);
	free(r->slot);
	r->slot = NULL;
}

void ring_restart(struct ring *r, const struct lb_seq *at)
{
	drop_all(r);
	r->base = r->last = *at;
	text_seq_format(at, r->last_str);
}

bool ring_push(struct ring *r, struct frame *f)
{
	if (text_seq_cmp(&f->seq, &r->last) <= 0) {
		frame_unref(f);
		return false;
	}
	/* the oldest go: for a slot, or while the ring holds too much text */
	while (r->count && (r->count == r->cap || r->bytes + f->len > r->max_bytes)) {
		struct frame *old = ring_at(r, ring_first(r));

		r->base = old->seq;
		r->bytes -= old->len;
		r->count--;
		frame_unref(old);
	}
	r->slot[r->head++ % r->cap] = f;
	r->count++;
	r->bytes += f->len;
	r->last = f->seq;
	snprintf(r->last_str, sizeof(r->last_str), "%s", f->seq_str);
	return true;
}

int64_t ring_after(const struct ring *r, const struct lb_seq *since)
{
	uint64_t lo = ring_first(r), hi = r->head;

	if (!text_seq_cmp(since, &r->base))
		return (int64_t)lo;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int c = text_seq_cmp(&ring_at(r, mid)->seq, since);

		if (!c)
			return (int64_t)(mid + 1);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
