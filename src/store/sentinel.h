/*
 * sentinel.h — the Redis master, found and followed through Sentinel
 * (--redis sentinel://HOST:PORT[,HOST:PORT...]/MASTER).
 *
 * One per event loop, on that loop: two connections to sentinels, one that
 * asks `SENTINEL get-master-addr-by-name MASTER` and one subscribed to
 * `+switch-master` (a subscribed connection accepts nothing else). Each
 * talks to one sentinel at a time and moves on to the next in the list
 * when that one fails (refused, closed, no answer within 2 s, does not
 * know the master).
 *
 * The loop's connections to the master (command, writes, tail) follow it:
 * before every connection attempt, a follower waits for a fresh answer from
 * the sentinels (so a reconnect never goes back to a master that was
 * replaced while it was away), and its handshake checks with ROLE that the
 * server it reached is a master. When the master changes (a +switch-master
 * message, or an answer that differs from the last one, asked on every
 * reconnect of a follower, whenever the subscription comes back, and every
 * 5 s), every follower on another address is dropped and reconnects there:
 * no restart, and the tail resumes from its last id (feed.h).
 *
 * Sentinels' credentials: a sentinel is asked without AUTH; one that
 * answers NOAUTH gets the same credentials as Redis (the URL's, or
 * --redis-password-file's). Addresses: sentinels return IPs, or names with
 * announce-hostnames; a name is resolved off the loop (resolve.h).
 */
#ifndef LB_SENTINEL_H
#define LB_SENTINEL_H

#include <libwebsockets.h>

struct sentinel;
struct rconn;

/* A follower of url's master (a sentinel:// URL); NULL when out of memory or not one. */
struct sentinel *sentinel_new(struct lws_context *ctx, struct lws_vhost *vh,
			      const char *url);
/*
 * rc (initialised from the same sentinel:// URL, not started) goes wherever
 * the sentinels say the master is. At most 4 followers. Returns 0 or -1.
 */
int sentinel_follow(struct sentinel *sn, struct rconn *rc);
void sentinel_start(struct sentinel *sn);
/* Stops asking; followers are let go (stop them before or after). */
void sentinel_stop(struct sentinel *sn);
void sentinel_free(struct sentinel *sn);

#endif
