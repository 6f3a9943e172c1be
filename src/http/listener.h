/*
 * listener.h — our own listening sockets. Debian's lws 4.1.6 never sets
 * SO_REUSEPORT (NOTES P10), so each worker gets its own SO_REUSEPORT socket
 * on the same address, watched as a raw file; the kernel spreads new
 * connections over the workers and each is handed to that worker's lws.
 */
#ifndef LB_LISTENER_H
#define LB_LISTENER_H

#include <libwebsockets.h>

/*
 * Opens n listening sockets on host:port (port 0: one ephemeral port shared
 * by all). Returns 0 with fds filled, or -1 with a message in err.
 */
int listener_open(const char *host, int port, int n, int *fds, char *err,
		  size_t errlen);
/* Starts accepting on fd for vhost vh (the vhost owns the fd from then on). */
int listener_adopt(struct lws_vhost *vh, int fd);

extern const struct lws_protocols listener_protocol;

#endif
