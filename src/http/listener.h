/*
 * listener.h — our own listening socket and the hand-off of connections
 * between loops.
 *
 * Debian's lws 4.1.6 never sets SO_REUSEPORT (NOTES P10), so we open the
 * socket ourselves (SO_REUSEPORT: several liveblogd on one port share it)
 * and accept in the front loop. TCP_DEFER_ACCEPT makes a connection
 * acceptable once its first bytes are in, so the front loop can peek at the
 * request head (door.c checks it first): readers' streams (GET /ws/...,
 * GET /sse/...) go round-robin
 * to the fan-out loops, anything else — writes above all — stays in the
 * front loop, which never fans out, so a POST is answered as soon as Redis
 * has it, however many readers are being written to.
 *
 * Readers are handed over in batches: the front loop wakes a fan-out loop
 * a few milliseconds after the first connection queued for it (more when
 * it holds more readers), and that loop takes them all at once, because
 * each wake costs it a poll() pass over all of its connections.
 */
#ifndef LB_LISTENER_H
#define LB_LISTENER_H

#include <libwebsockets.h>
#include <stdbool.h>

#define LISTENER_MAX_INBOXES 64

/* Opens a listening socket on host:port; its fd, or -1 with err set. */
int listener_open(const char *host, int port, char *err, size_t errlen);
/* Starts accepting on fd in this thread's vhost vh (which then owns fd). */
int listener_adopt(struct lws_vhost *vh, int fd);
/*
 * Sends a connection whose first request head passed the door on: a
 * reader's stream to a fan-out loop, anything else into vh, the front
 * loop's (which serves every route too). Takes fd (closed on failure).
 */
void listener_route(struct lws_vhost *vh, int fd, bool stream);
/* On the accepting thread, before its context goes: no wake left pending. */
void listener_release(void);

/*
 * A fan-out loop's inbox (0 <= i < LISTENER_MAX_INBOXES), opened on that
 * loop's thread once its context exists, and closed on it before the
 * context goes (connections still queued are closed).
 */
void listener_inbox_open(int i, struct lws_context *ctx);
void listener_inbox_close(int i);

extern const struct lws_protocols listener_protocol;

#endif
