/*
 * embedded_redis.h — the redis-server child liveblogd starts when no
 * --redis is given: a unix socket under the data dir, AOF on
 * (appendfsync everysec), supervised.
 *
 * One supervisor thread forks every redis-server and waits for it (a
 * blocking waitid: no event loop ever waits). When the child dies it logs
 * the death and starts it again from its AOF after a backoff: 100 ms,
 * doubling to 5 s, back to 100 ms once a child has run for 30 s. Nothing
 * else is needed meanwhile: the Redis connections reconnect by themselves
 * (writes get 503 until then) and readers stay connected.
 *
 * PR_SET_PDEATHSIG follows the thread that forked, not the process: the
 * supervisor is that thread and it lives until embedded_redis_stop() has
 * reaped the last child, so the kernel stops the child exactly when the
 * daemon dies (kill -9 included).
 */
#ifndef LB_EMBEDDED_REDIS_H
#define LB_EMBEDDED_REDIS_H

#include <stddef.h>

/*
 * Starts the supervisor and the first redis-server, and waits (up to 10 s)
 * until its socket accepts. Writes the "unix://..." URL to url. Returns 0,
 * or -1 (logged; nothing left running).
 */
int embedded_redis_start(const char *binary, const char *data_dir,
			 char *url, size_t urllen);
/*
 * Stops supervising, then stops the child (SIGTERM: it writes its AOF
 * out), reaps it and joins the supervisor. Does nothing when not started.
 */
void embedded_redis_stop(void);
/* How many times a dead redis-server was started again. */
unsigned long embedded_redis_restarts(void);

#endif
