/*
 * resolve.h — host names resolved off the event loop.
 *
 * getaddrinfo() blocks (DNS can take seconds), and hiredis calls it inside
 * redisAsyncConnect(): an event loop must only ever hand hiredis a numeric
 * address. resolve_start() runs getaddrinfo() on a detached thread of its
 * own, which writes its one-line answer into a pipe and exits; the loop
 * watches the pipe's read end like any other descriptor and reads the
 * answer with resolve_read(). The thread owns nothing the loop owns: if
 * the loop stops listening (closes the read end), the thread's write fails
 * quietly (SIGPIPE is ignored by liveblogd) and it frees what it had.
 */
#ifndef LB_RESOLVE_H
#define LB_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#define RESOLVE_IP_MAX 64   /* a numeric IPv4 or IPv6 address, with the NUL */

/* True when host is already a numeric IPv4 or IPv6 address (no lookup). */
bool resolve_is_numeric(const char *host);

/*
 * Starts resolving host (TCP, IPv4 or IPv6: the first address the system
 * resolver gives). Returns the read end of a pipe (non-blocking,
 * close-on-exec) that becomes readable once the answer is there, or -1
 * (nothing started).
 */
int resolve_start(const char *host);

/*
 * Reads the answer from fd (once readable). Returns 0 with the address in
 * ip, or -1 with a lower-case reason in err. The caller closes fd.
 */
int resolve_read(int fd, char ip[RESOLVE_IP_MAX], char *err, size_t errlen);

#endif
