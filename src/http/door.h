/*
 * door.h — the front door: a new connection's first request head is
 * checked before lws parses it.
 *
 * lws 4.1.6 closes a connection whose head overflows its header buffer
 * without answering, and reads a duplicate or non-numeric Content-Length
 * its own way; so the front loop peeks at each connection it accepts
 * (head.c decides): a head that is all in and sound goes on as before
 * (listener_route), one over 8 KiB gets 431 and one with ambiguous framing
 * 400, both with the JSON error body, then a lingering close (the answer
 * is written, the rest of the request read and dropped, at most 64 KiB or
 * 2 s, so the client sees the answer rather than a reset). A head not all
 * in yet is held: a dup() of its fd is adopted as a raw file whose
 * SO_RCVLOWAT is one byte more than what is in, so poll() wakes the loop
 * only when more arrives (never spins), for at most 10 s (slowloris).
 * The common case costs one MSG_PEEK of up to 8 KiB per connection.
 */
#ifndef LB_DOOR_H
#define LB_DOOR_H

#include <libwebsockets.h>

/* Seconds a connection may take to send its first head. */
#define DOOR_HEAD_SECS 10

/* Takes a connection just accepted by the front loop of vh. */
void door_take(struct lws_vhost *vh, int fd);
/* The listener protocol's callback for a wsi whose opaque data is door's. */
int door_callback(struct lws *wsi, enum lws_callback_reasons reason);

#endif
