/*
 * store_fake.c — see store_fake.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "store_fake.h"

#define MAX_BLOGS  8
#define MAX_EVENTS 4096
#define MAX_HELD   4096

struct fevent {
	char seq[48];
	char type[8];
	char data[160];
};

struct fblog {
	char id[72];
	bool ended;
	long count;
	size_t n;
	struct fevent ev[MAX_EVENTS];
};

enum kind { K_HEAD, K_RANGE, K_READERS };

struct held {
	enum kind kind;
	char blog[72];
	char since[48];
	bool inclusive;
	long count;
	void *fn;
	void *arg;
};

struct fake {
	struct store base;
	bool down;
	long readers;               /* the cross-instance count answered (-1: 3) */
	unsigned long ranges;
	struct fblog blogs[MAX_BLOGS];
	size_t nblogs;
	struct held held[MAX_HELD];
	size_t nheld;
	char froms[MAX_HELD][48];   /* where range reads started (the newest MAX_HELD) */
};

static struct fake *fk(struct store *st)
{
	return (struct fake *)st;
}

static struct fblog *find(struct fake *f, const char *id)
{
	for (size_t i = 0; i < f->nblogs; i++)
		if (!strcmp(f->blogs[i].id, id))
			return &f->blogs[i];
	return NULL;
}

static int hold(struct store *st, enum kind k, const char *blog, const char *since,
		bool inclusive, long count, void *fn, void *arg)
{
	struct fake *f = fk(st);
	struct held *h;

	if (f->down || f->nheld == MAX_HELD)
		return -1;
	h = &f->held[f->nheld++];
	memset(h, 0, sizeof(*h));
	h->kind = k;
	snprintf(h->blog, sizeof(h->blog), "%s", blog);
	snprintf(h->since, sizeof(h->since), "%s", since ? since : "0-0");
	h->inclusive = inclusive;
	h->count = count;
	h->fn = fn;
	h->arg = arg;
	if (k == K_RANGE) {
		memcpy(f->froms[f->ranges % MAX_HELD], h->since, sizeof(h->since));
		f->ranges++;
	}
	return 0;
}

static int fk_head(struct store *st, const char *blog, long count,
		   store_head_fn fn, void *arg)
{
	return hold(st, K_HEAD, blog, NULL, false, count, (void *)fn, arg);
}

static int fk_range(struct store *st, const char *blog, const char *since,
		    bool inclusive, long count, store_events_fn fn, void *arg)
{
	return hold(st, K_RANGE, blog, since, inclusive, count, (void *)fn, arg);
}

static int fk_readers(struct store *st, const char *blog, const char *instance,
		      long count, store_count_fn fn, void *arg)
{
	(void)instance;
	return hold(st, K_READERS, blog, NULL, false, count, (void *)fn, arg);
}

static void to_events(const struct fblog *b, size_t from, size_t to, int step,
		      struct store_event *out, size_t *n)
{
	*n = 0;
	for (size_t i = from; i != to; i += (size_t)step) {
		out[*n].seq = b->ev[i].seq;
		out[*n].type = b->ev[i].type;
		out[*n].data = b->ev[i].data;
		out[*n].len = strlen(b->ev[i].data);
		(*n)++;
	}
}

static void blog_of(const struct fblog *b, struct lb_blog *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", b->id);
	snprintf(out->title, sizeof(out->title), "Blog %s", b->id);
	out->ended = b->ended;
	out->created_ms = 1;
	out->entry_count = b->count;
	if (b->n)
		snprintf(out->last_seq, sizeof(out->last_seq), "%s", b->ev[b->n - 1].seq);
}

static void answer_head(struct held *h, struct fblog *b, enum lb_status st)
{
	store_head_fn fn = (store_head_fn)h->fn;
	struct store_event *ev = calloc(MAX_EVENTS, sizeof(*ev));
	struct lb_blog blog;
	size_t n = 0, take;

	if (st == LB_OK && !b)
		st = LB_NOT_FOUND;
	if (st == LB_OK) {
		blog_of(b, &blog);
		take = b->n < (size_t)h->count ? b->n : (size_t)h->count;
		to_events(b, b->n - 1, b->n - 1 - take, -1, ev, &n);
	}
	fn(h->arg, st, st == LB_OK ? &blog : NULL, ev, n);
	free(ev);
}

static void answer_range(struct held *h, struct fblog *b, enum lb_status st)
{
	store_events_fn fn = (store_events_fn)h->fn;
	struct store_event *ev = calloc(MAX_EVENTS, sizeof(*ev));
	struct lb_seq since, s;
	size_t i = 0, end, n = 0;

	if (st == LB_OK && b) {
		text_seq_parse(h->since, &since);
		while (i < b->n && text_seq_parse(b->ev[i].seq, &s) &&
		       (h->inclusive ? text_seq_cmp(&s, &since) < 0 :
				       text_seq_cmp(&s, &since) <= 0))
			i++;
		end = i + (size_t)h->count < b->n ? i + (size_t)h->count : b->n;
		to_events(b, i, end, 1, ev, &n);
	}
	fn(h->arg, st, ev, n);
	free(ev);
}

static void answer(struct fake *f, size_t i, enum lb_status st)
{
	struct held h;
	struct fblog *b;

	if (i >= f->nheld) {
		fprintf(stderr, "store_fake: no held call %zu (%zu held)\n", i, f->nheld);
		abort();
	}
	h = f->held[i];
	b = find(f, h.blog);

	memmove(&f->held[i], &f->held[i + 1], (f->nheld - i - 1) * sizeof(f->held[0]));
	f->nheld--;
	switch (h.kind) {
	case K_HEAD:
		answer_head(&h, b, st);
		break;
	case K_RANGE:
		answer_range(&h, b, st);
		break;
	case K_READERS:
		((store_count_fn)h.fn)(h.arg, st, f->readers < 0 ? 3 : f->readers);
		break;
	}
}

size_t fake_store_held(const struct store *st)
{
	return ((const struct fake *)st)->nheld;
}

void fake_store_release(struct store *st, size_t i)
{
	answer(fk(st), i, LB_OK);
}

void fake_store_fail(struct store *st, size_t i)
{
	answer(fk(st), i, LB_UNAVAILABLE);
}

void fake_store_release_all(struct store *st)
{
	while (fk(st)->nheld)
		answer(fk(st), 0, LB_OK);
}

void fake_store_set_down(struct store *st, bool down)
{
	fk(st)->down = down;
}

unsigned long fake_store_ranges_from(const struct store *st, const char *since)
{
	const struct fake *f = (const struct fake *)st;
	unsigned long n = 0;

	for (unsigned long i = 0; i < f->ranges && i < MAX_HELD; i++)
		n += !strcmp(f->froms[i], since);
	return n;
}

unsigned long fake_store_ranges(const struct store *st)
{
	return ((const struct fake *)st)->ranges;
}

void fake_store_blog(struct store *st, const char *id)
{
	struct fblog *b = &fk(st)->blogs[fk(st)->nblogs++];

	memset(b, 0, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%s", id);
}

const char *fake_store_append(struct store *st, const char *id, unsigned long long ms,
			      const char *type, char prev[48])
{
	struct fblog *b = find(fk(st), id);
	struct fevent *e = &b->ev[b->n];

	snprintf(prev, 48, "%s", b->n ? b->ev[b->n - 1].seq : "0-0");
	snprintf(e->seq, sizeof(e->seq), "%llu-0", ms);
	snprintf(e->type, sizeof(e->type), "%s", type);
	if (!strcmp(type, "delete"))
		snprintf(e->data, sizeof(e->data), "00000000-0000-4000-8000-%012llu", ms);
	else
		snprintf(e->data, sizeof(e->data),
			 "{\"id\":\"00000000-0000-4000-8000-%012llu\",\"text\":\"event %llu\",\"revision\":1}",
			 ms, ms);
	if (!strcmp(type, "entry"))
		b->count++;
	if (!strcmp(type, "ended"))
		b->ended = true;
	b->n++;
	return e->seq;
}

void fake_store_truncate(struct store *st, const char *id, size_t keep)
{
	struct fblog *b = find(fk(st), id);

	while (b->n > keep) {
		b->n--;
		b->count -= !strcmp(b->ev[b->n].type, "entry");
		if (!strcmp(b->ev[b->n].type, "ended"))
			b->ended = false;
	}
}

static int fk_no(struct store *st)
{
	(void)st;
	return -1;
}

static int fk_get_blog(struct store *st, const char *id, store_blog_fn fn, void *arg)
{
	(void)id; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_list(struct store *st, store_json_fn fn, void *arg)
{
	(void)fn; (void)arg;
	return fk_no(st);
}

static int fk_create(struct store *st, const char *id, const char *title,
		     const char *hash, const char *lang, store_json_fn fn, void *arg)
{
	(void)id; (void)title; (void)hash; (void)lang; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_update_blog(struct store *st, const char *blog, const char *title,
			  const char *lang, store_json_fn fn, void *arg)
{
	(void)blog; (void)title; (void)lang; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_post(struct store *st, const char *blog, json_t *payload,
		   store_json_fn fn, void *arg)
{
	(void)blog; (void)payload; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_edit(struct store *st, const char *blog, const char *entry,
		   json_t *patch, store_json_fn fn, void *arg)
{
	(void)blog; (void)entry; (void)patch; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_delete(struct store *st, const char *blog, const char *entry,
		     store_json_fn fn, void *arg)
{
	(void)blog; (void)entry; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_end(struct store *st, const char *blog, store_json_fn fn, void *arg)
{
	(void)blog; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_redact(struct store *st, const char *blog, const char *entry,
		     const char *reason, store_json_fn fn, void *arg)
{
	(void)blog; (void)entry; (void)reason; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_events(struct store *st, const char *blog, const char *since,
		     long limit, store_log_fn fn, void *arg)
{
	(void)blog; (void)since; (void)limit; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_page(struct store *st, const char *blog, const struct store_page_req *req,
		   store_page_fn fn, void *arg)
{
	(void)blog; (void)req; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_entries(struct store *st, const char *blog, const char *before, long limit,
		      store_json_fn fn, void *arg)
{
	(void)blog; (void)before; (void)limit; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_media_put(struct store *st, const char *blog, const struct lb_media *m,
			const void *data, store_json_fn fn, void *arg)
{
	(void)blog; (void)m; (void)data; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_media_get(struct store *st, const char *id, store_bytes_fn fn, void *arg)
{
	(void)id; (void)fn; (void)arg;
	return fk_no(st);
}

static int fk_media_gc(struct store *st, const char *blog, const char *entry,
		       const char *const *ids, size_t n, store_json_fn fn, void *arg)
{
	(void)blog; (void)entry; (void)ids; (void)n; (void)fn; (void)arg;
	return fk_no(st);
}

static bool fk_up(const struct store *st)
{
	return !((const struct fake *)st)->down;
}

static unsigned long fk_reconnects(const struct store *st)
{
	(void)st;
	return 0;
}

static const char *fk_where(const struct store *st)
{
	return ((const struct fake *)st)->down ? "" : "fake";
}

static void fk_nothing(struct store *st)
{
	(void)st;
}

static const struct store_ops fake_ops = {
	.get_blog = fk_get_blog,
	.list_blogs = fk_list,
	.create_blog = fk_create,
	.update_blog = fk_update_blog,
	.post_entry = fk_post,
	.edit_entry = fk_edit,
	.delete_entry = fk_delete,
	.end_blog = fk_end,
	.redact_entry = fk_redact,
	.events = fk_events,
	.page_state = fk_page,
	.entries = fk_entries,
	.head = fk_head,
	.range = fk_range,
	.readers = fk_readers,
	.media_put = fk_media_put,
	.media_get = fk_media_get,
	.media_gc = fk_media_gc,
	.up = fk_up,
	.reconnects = fk_reconnects,
	.where = fk_where,
	.start = fk_nothing,
	.stop = fk_nothing,
	.free = fk_nothing,
};

struct store *fake_store_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->base.ops = &fake_ops;
	f->readers = -1;
	return &f->base;
}

void fake_store_set_readers(struct store *st, long n)
{
	fk(st)->readers = n;
}

void fake_store_free(struct store *st)
{
	free(fk(st));
}
