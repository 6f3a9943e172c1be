/*
 * store_fake.h — an in-memory store (store.h's operations) for driving the
 * hub alone. Every read is answered later, when the test says so: replies
 * are held in a list and released one by one, in any order, or failed,
 * like a slow or lost Redis. Only what the hub uses is real (head, range,
 * readers); the HTTP API's operations answer "unavailable".
 */
#ifndef LB_STORE_FAKE_H
#define LB_STORE_FAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

struct store *fake_store_new(void);
void fake_store_free(struct store *st);
/* Creates blog id (live, empty). */
void fake_store_blog(struct store *st, const char *id);
/*
 * Appends an event to blog id's log: seq is "<ms>-0"; type entry/edit/
 * delete/ended; for entry and edit the payload is made up, for delete the
 * data is the entry id. Returns the event's seq (static storage, valid
 * until the next call) and, in *prev, the seq before it.
 */
const char *fake_store_append(struct store *st, const char *id, unsigned long long ms,
			      const char *type, char prev[48]);
/*
 * Keeps only the first `keep` events of blog id's log, as a failover to a
 * replica that had not received the others would.
 */
void fake_store_truncate(struct store *st, const char *id, size_t keep);
/* Calls held (sent and not answered yet). */
size_t fake_store_held(const struct store *st);
/* Answers held call i (0 = oldest) with what the log holds now. */
void fake_store_release(struct store *st, size_t i);
/* Answers held call i with LB_UNAVAILABLE (a lost connection). */
void fake_store_fail(struct store *st, size_t i);
/* Answers every held call, oldest first, until none is left. */
void fake_store_release_all(struct store *st);
/* While down, every call returns -1 (nothing sent, no callback). */
void fake_store_set_down(struct store *st, bool down);
/* The reader count across instances that stats reads answer (-1: 3). */
void fake_store_set_readers(struct store *st, long n);
/* Range reads sent so far (catch-up pages and fetches). */
unsigned long fake_store_ranges(const struct store *st);
/* Range reads sent so far that started at since. */
unsigned long fake_store_ranges_from(const struct store *st, const char *since);

#endif
