/*
 * shared.h — what the workers (event loops, one thread each) of one
 * liveblogd process share: counters for /metrics, the set of known blog
 * ids, and reader counts per client address. Everything else is per worker.
 *
 * Counters are C11 atomics (relaxed: they are statistics). The set and
 * the map are behind one mutex held only for a lookup or an update.
 */
#ifndef LB_SHARED_H
#define LB_SHARED_H

#include <stdatomic.h>
#include <stdbool.h>

#define FANOUT_BUCKETS 9
#define LOOPS_MAX 65                     /* fan-out loops + the front */
#define ACK_BUCKETS 4                    /* 0, 1, 2, 3 or more replicas */

struct lb_metrics {
	atomic_ulong http_requests;
	atomic_ulong readers;            /* gauge */
	atomic_ulong readers_total;
	atomic_ulong readers_culled;
	atomic_ulong readers_refused;
	atomic_ulong frames_sent;
	atomic_ulong writes;
	atomic_ulong fanout_count;
	atomic_ulong fanout_sum_us;
	atomic_ulong fanout_bucket[FANOUT_BUCKETS];
	atomic_ulong loop_readers[LOOPS_MAX];  /* gauge per event loop */
	atomic_ulong cache_bytes;              /* gauge: every loop's cache */
	atomic_ulong cache_limit;              /* the instance's budget */
	atomic_ulong cache_evictions;
	atomic_int loops;                      /* how many there are */
	atomic_ulong redis_failovers;          /* master changes seen (Sentinel) */
	atomic_ulong ack_replicas[ACK_BUCKETS];/* WAIT answers: replicas that acknowledged */
	atomic_ulong ack_refused;              /* writes answered 503: too few replicas */
	atomic_ulong hub_rewinds;              /* rings reloaded: the log lost their newest events */
};

extern struct lb_metrics metrics;
extern const double fanout_bounds[FANOUT_BUCKETS];

int shared_init(void);
void shared_free(void);

void known_add(const char *blog);
bool known_has(const char *blog);

/*
 * Editor token hashes by blog id. A blog's token never changes, so a write
 * checks it here and goes straight to its one atomic script; only the first
 * write to a blog on this process reads the blog first.
 */
void token_cache_put(const char *blog, const char *hash);
/* Copies the hash into out (72 bytes) and returns true when cached. */
bool token_cache_get(const char *blog, char *out);

/*
 * Counts one more reader from ip unless that would pass max; returns false
 * (nothing counted) when the address already has max readers.
 */
bool ip_reader_add(const char *ip, long max);
void ip_reader_remove(const char *ip);

#endif
