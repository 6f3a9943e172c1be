/*
 * media.c — GET|HEAD /media/{sha256} from this loop's memory (media.h).
 *
 * A picture is read from the store once per loop and kept within the
 * loop's byte budget (cache.h), least recently used first; requests for a
 * picture being read wait on that one read. A picture the budget cannot
 * hold is read for the requests waiting on it and dropped once they have
 * been written; requests for it meanwhile share that copy. The bytes are
 * never copied per request: a request borrows them (req_respond_borrowed)
 * and server.c writes them a chunk per WRITEABLE.
 *
 * Lifetimes: a picture holds a reference for its read in flight, one for
 * the budget while kept, and one per request writing it (dropped when the
 * request is freed). It stays in the loop's list while any is held, so a
 * loop never holds two copies of a picture; the last reference frees it.
 * When the read returns, its waiters are moved to a local list before
 * they are answered, and the read's reference is dropped after the walk.
 *
 * A picture never changes, but it may be deleted (redaction): every loop
 * hears of it on the feed (media_gone, after the bytes left Redis) and
 * forgets its copy; a read in flight then is not kept. As a backstop, a
 * kept copy is trusted for MEDIA_TTL_US, then the next request reads it
 * again.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "http/media.h"

#define MEDIA_TTL_US (60 * LWS_US_PER_SEC)
#define MEDIA_OVERHEAD 256           /* bytes counted per picture besides its own */

struct picture {
	struct cache_item ci;        /* counted while kept */
	struct lws_dll2 link;        /* in `pictures` while referenced and current */
	unsigned refs;
	bool loading;
	bool kept;
	lws_usec_t loaded_at;
	lws_dll2_owner_t waiters;    /* struct waiter, while loading */
	const char *type;            /* one of types[] */
	char id[CODEC_MEDIA_ID];
	char etag[CODEC_MEDIA_ID + 2];
	size_t len;
	unsigned char *data;
};

struct waiter {
	struct lws_dll2 link;
	struct req *q;               /* a reference */
};

static const char *const types[] = {
	"image/jpeg", "image/png", "image/webp", "image/gif",
};

static _Thread_local lws_dll2_owner_t pictures;

/* The static string for a stored type (a response outlives the picture). */
static const char *type_of(const char *t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (t && !strcmp(t, types[i]))
			return types[i];
	return "application/octet-stream";
}

static void pic_unref(struct picture *p)
{
	if (--p->refs)
		return;
	if (p->link.owner)
		lws_dll2_remove(&p->link);
	cache_remove(&p->ci);
	free(p->data);
	free(p);
}

/* Makes p unfindable and drops the budget's reference (users keep theirs). */
static void pic_forget(struct picture *p)
{
	if (p->link.owner)
		lws_dll2_remove(&p->link);
	if (!p->kept)
		return;
	p->kept = false;
	cache_remove(&p->ci);
	pic_unref(p);
}

static bool pic_evict(struct cache_item *it)
{
	pic_forget(lws_container_of(it, struct picture, ci));
	return true;   /* requests writing it hold their own reference */
}

static void release(void *arg)
{
	pic_unref(arg);
}

/* The current picture id of this loop (a stale kept copy is forgotten). */
static struct picture *find(const char *id)
{
	struct picture *p;

	for (struct lws_dll2 *d = lws_dll2_get_head(&pictures); d; d = d->next) {
		p = lws_container_of(d, struct picture, link);
		if (strcmp(p->id, id))
			continue;
		if (p->kept && lws_now_usecs() - p->loaded_at > MEDIA_TTL_US) {
			pic_forget(p);   /* unlinks p: the walk stops here */
			return NULL;
		}
		return p;
	}
	return NULL;
}

/* Answers q with picture p (loaded): 304 when the client has it, else its bytes. */
static void answer(struct req *q, struct picture *p)
{
	q->cache = "public, max-age=31536000, immutable";
	q->csp = "default-src 'none'";
	snprintf(q->etag, sizeof(q->etag), "%s", p->etag);
	if (req_none_match(q, p->etag)) {
		req_respond(q, 304, p->type, NULL, 0);
		return;
	}
	p->refs++;
	req_respond_borrowed(q, 200, p->type, p->data, p->len, release, p);
}

static void answer_error(struct req *q, enum lb_status st)
{
	req_error(q, st, st == LB_NOT_FOUND ? "No such picture." : NULL);
}

/* Keeps the bytes read; counts them if the budget has room. False: no memory. */
static bool pic_fill(struct picture *p, const char *type, const void *data, size_t len)
{
	size_t bytes = len + MEDIA_OVERHEAD;

	p->data = malloc(len ? len : 1);
	if (!p->data)
		return false;
	memcpy(p->data, data, len);
	p->len = len;
	p->type = type_of(type);
	p->loaded_at = lws_now_usecs();
	if (p->link.owner && bytes <= cache_limit() && cache_make_room(bytes)) {
		cache_add(&p->ci, bytes);
		p->kept = true;
		p->refs++;
	}
	return true;
}

static void on_read(void *arg, enum lb_status st, const char *type,
		    const void *data, size_t len)
{
	struct picture *p = arg;
	lws_dll2_owner_t waiters = { 0 };
	struct lws_dll2 *d;

	p->loading = false;
	if (st == LB_OK && !pic_fill(p, type, data, len))
		st = LB_INTERNAL;
	if (st != LB_OK && p->link.owner)   /* a failure is not kept: ask again */
		lws_dll2_remove(&p->link);
	while ((d = lws_dll2_get_head(&p->waiters))) {
		lws_dll2_remove(d);
		lws_dll2_add_tail(d, &waiters);
	}
	while ((d = lws_dll2_get_head(&waiters))) {
		struct waiter *w = lws_container_of(d, struct waiter, link);

		lws_dll2_remove(d);
		if (st == LB_OK)
			answer(w->q, p);
		else
			answer_error(w->q, st);
		req_unref(w->q);
		free(w);
	}
	pic_unref(p);   /* the read's */
}

/* A new picture being read from the store, in the list; NULL when out of reach. */
static struct picture *pic_load(const char *id)
{
	struct picture *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->refs = 1;   /* the read */
	p->loading = true;
	p->ci.evict = pic_evict;
	snprintf(p->id, sizeof(p->id), "%.64s", id);
	snprintf(p->etag, sizeof(p->etag), "\"%.64s\"", id);
	if (store_media_get(app.store, id, on_read, p)) {
		free(p);
		return NULL;
	}
	lws_dll2_add_tail(&p->link, &pictures);
	return p;
}

void media_serve(struct req *q)
{
	struct picture *p = find(q->rm.media);
	struct waiter *w;

	if (p && !p->loading) {
		cache_touch(&p->ci);
		answer(q, p);
		return;
	}
	if (!p && !(p = pic_load(q->rm.media))) {
		answer_error(q, LB_UNAVAILABLE);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		answer_error(q, LB_INTERNAL);
		return;
	}
	w->q = req_ref(q);
	lws_dll2_add_tail(&w->link, &p->waiters);
}

/* Forgets picture id: a kept copy is dropped, a read in flight will not be kept. */
static void forget_one(const char *id)
{
	struct picture *p = find(id);

	if (p && p->loading)
		lws_dll2_remove(&p->link);   /* on_read answers its waiters all the same */
	else if (p)
		pic_forget(p);
}

void media_cache_forget(const char *ids, size_t len)
{
	char id[CODEC_MEDIA_ID];
	size_t at = 0, n;

	while (ids && at < len) {
		for (n = 0; at + n < len && ids[at + n] != ' '; n++)
			;
		if (n == CODEC_MEDIA_ID - 1) {
			memcpy(id, ids + at, n);
			id[n] = '\0';
			forget_one(id);
		}
		at += n + 1;
	}
}

void media_cache_free(void)
{
	struct lws_dll2 *d;

	/* only kept pictures are left: requests and reads are over */
	while ((d = lws_dll2_get_head(&pictures))) {
		struct picture *p = lws_container_of(d, struct picture, link);

		lws_dll2_remove(d);
		if (p->kept) {
			p->kept = false;
			pic_unref(p);
		}
	}
}
