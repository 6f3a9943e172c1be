/*
 * redis_reply.c — hiredis replies into liveblog's types (see the header).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "store/redis_reply.h"

const char *rr_field(const redisReply *fields, const char *name, size_t *len)
{
	if (!fields || fields->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const redisReply *k = fields->element[i], *v = fields->element[i + 1];

		if (k->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING &&
		    !strcmp(k->str, name)) {
			if (len)
				*len = v->len;
			return v->str;
		}
	}
	return NULL;
}

static void copy_field(const redisReply *h, const char *name, char *out, size_t size)
{
	const char *v = rr_field(h, name, NULL);

	snprintf(out, size, "%s", v ? v : "");
}

bool rr_blog(const redisReply *h, struct lb_blog *b)
{
	const char *v;
	struct lb_seq seq;

	memset(b, 0, sizeof(*b));
	if (!h || h->type != REDIS_REPLY_ARRAY || !h->elements)
		return false;
	copy_field(h, "id", b->id, sizeof(b->id));
	copy_field(h, "title", b->title, sizeof(b->title));
	copy_field(h, "token", b->token_hash, sizeof(b->token_hash));
	copy_field(h, "last_seq", b->last_seq, sizeof(b->last_seq));
	copy_field(h, "pinned", b->pinned, sizeof(b->pinned));
	v = rr_field(h, "state", NULL);
	b->ended = v && !strcmp(v, "ended");
	v = rr_field(h, "created_ms", NULL);
	b->created_ms = v ? strtoull(v, NULL, 10) : 0;
	v = rr_field(h, "count", NULL);
	b->entry_count = v ? strtol(v, NULL, 10) : 0;
	v = rr_field(h, "redactions", NULL);
	b->redactions = v ? strtol(v, NULL, 10) : 0;
	v = rr_field(h, "ended_seq", NULL);
	if (v && text_seq_parse(v, &seq))
		b->ended_ms = seq.ms;
	return b->id[0] != '\0';
}

bool rr_event(const redisReply *item, struct store_event *ev)
{
	if (!item || item->type != REDIS_REPLY_ARRAY || item->elements != 2 ||
	    item->element[0]->type != REDIS_REPLY_STRING)
		return false;
	ev->seq = item->element[0]->str;
	ev->type = rr_field(item->element[1], "t", NULL);
	ev->data = rr_field(item->element[1], "d", &ev->len);
	return ev->type && ev->data;
}

struct store_event *rr_events(const redisReply *items, size_t *n)
{
	struct store_event *ev;

	*n = 0;
	if (!items || items->type != REDIS_REPLY_ARRAY || !items->elements)
		return NULL;
	ev = malloc(items->elements * sizeof(*ev));
	for (size_t i = 0; ev && i < items->elements; i++)
		if (rr_event(items->element[i], &ev[*n]))
			(*n)++;
	if (!*n) {
		free(ev);
		ev = NULL;
	}
	return ev;
}
