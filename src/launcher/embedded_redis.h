/*
 * embedded_redis.h — the redis-server child liveblogd starts when no
 * --redis is given: a unix socket under the data dir, AOF on, stopped with
 * the daemon (and by the kernel if the daemon dies: PR_SET_PDEATHSIG).
 */
#ifndef LB_EMBEDDED_REDIS_H
#define LB_EMBEDDED_REDIS_H

#include <sys/types.h>

/* Starts redis-server and waits (up to 10 s) for its socket. Writes the
 * "unix://..." URL to url. Returns the child's pid or -1 (logged). */
pid_t embedded_redis_start(const char *binary, const char *data_dir,
			   char *url, size_t urllen);
/* SIGTERM, then wait for it to save and exit. */
void embedded_redis_stop(pid_t pid);

#endif
