/*
 * media.h — pictures served from the event loop's memory:
 * GET|HEAD /media/{sha256}. Each loop reads a picture from the store once
 * and keeps it within its byte budget (cache.h); see media.c.
 */
#ifndef LB_MEDIA_H
#define LB_MEDIA_H

#include "http/request.h"

/*
 * Answers q (route R_MEDIA, id in q->rm.media): the bytes with their
 * type, an ETag (the id), immutable caching, 304 on If-None-Match; 404
 * when the store has no such picture, 503 when it is out of reach.
 */
void media_serve(struct req *q);
/*
 * Forgets this loop's copies of deleted pictures, ids[0..len): their
 * sha256s separated by spaces (the feed's media_gone item; ids may be
 * NULL): the next request reads the store again (and gets 404). A read in
 * flight still answers the requests waiting on it, and is not kept;
 * requests being written keep their copy.
 */
void media_cache_forget(const char *ids, size_t len);
/* Frees this loop's pictures (the loop's end, after its requests). */
void media_cache_free(void);

#endif
