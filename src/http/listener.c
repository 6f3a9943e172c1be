/*
 * listener.c — the listening socket and the hand-off of readers (see header).
 */
#define _GNU_SOURCE   /* accept4 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/listener.h"
#include "http/router.h"

/* Seconds the kernel holds a connection that has sent nothing yet. */
#define DEFER_ACCEPT_SECS 2
/* Enough of a request to read its request line. */
#define PEEK_BYTES 16

struct inbox {
	pthread_mutex_t lock;
	struct lws_context *ctx;   /* NULL: closed */
	int *fds;
	size_t n, cap;
};

static struct inbox inboxes[LISTENER_MAX_INBOXES] = {
	[0 ... LISTENER_MAX_INBOXES - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER }
};
static atomic_uint next_inbox;
static atomic_int inbox_count;   /* highest index opened + 1 */
static _Thread_local int my_inbox = -1;

int listener_open(const char *host, int port, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int one = 1, defer = DEFER_ACCEPT_SECS, fd = -1, rc;
	char service[16];

	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "%s", gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    /* accepted sockets inherit it (lws sets it on those it accepts) */
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 4096)) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

void listener_inbox_open(int i, struct lws_context *ctx)
{
	pthread_mutex_lock(&inboxes[i].lock);
	inboxes[i].ctx = ctx;
	pthread_mutex_unlock(&inboxes[i].lock);
	my_inbox = i;
	for (int c = atomic_load(&inbox_count);
	     c < i + 1 && !atomic_compare_exchange_weak(&inbox_count, &c, i + 1);)
		;
}

void listener_inbox_close(int i)
{
	struct inbox *b = &inboxes[i];

	pthread_mutex_lock(&b->lock);
	b->ctx = NULL;
	while (b->n)
		close(b->fds[--b->n]);
	free(b->fds);
	b->fds = NULL;
	b->cap = 0;
	pthread_mutex_unlock(&b->lock);
	my_inbox = -1;
}

/*
 * Queues fd for the next open inbox: its index, or -1 when none takes it.
 * The loop is woken later (wake_inboxes), once for all queued in a pass.
 */
static int hand_off(int fd)
{
	int count = atomic_load(&inbox_count);

	for (int tries = 0; tries < count; tries++) {
		struct inbox *b = &inboxes[atomic_fetch_add(&next_inbox, 1) %
					   (unsigned)count];
		int ok = 0;

		pthread_mutex_lock(&b->lock);
		if (b->ctx && b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 64;
			int *fds = realloc(b->fds, cap * sizeof(*fds));

			if (fds) {
				b->fds = fds;
				b->cap = cap;
			}
		}
		if (b->ctx && b->n < b->cap) {
			b->fds[b->n++] = fd;
			ok = 1;
		}
		pthread_mutex_unlock(&b->lock);
		if (ok)
			return (int)(b - inboxes);
	}
	return -1;
}

/* Wakes the loops whose inboxes got connections (bit i: inbox i). */
static void wake_inboxes(uint64_t woken)
{
	for (int i = 0; woken; i++, woken >>= 1) {
		if (!(woken & 1))
			continue;
		pthread_mutex_lock(&inboxes[i].lock);
		if (inboxes[i].ctx)
			lws_cancel_service(inboxes[i].ctx);
		pthread_mutex_unlock(&inboxes[i].lock);
	}
}

/*
 * Adopts a reader's connection on this loop and reads its request at
 * once (TCP_DEFER_ACCEPT: it is in already): the handshake, ESTABLISHED
 * and the greeting (reader.c) happen now, not a poll pass later. lws'
 * poll() visits every connection of the loop: a pass saved per reader
 * joining is O(readers) saved.
 */
static void adopt_now(struct lws_vhost *vh, int fd)
{
	struct lws_pollfd pfd = { .fd = fd, .events = LWS_POLLIN, .revents = LWS_POLLIN };
	struct lws *wsi = lws_adopt_socket_vhost(vh, fd);

	if (!wsi) {
		close(fd);
		return;
	}
	lws_service_fd(lws_get_context(wsi), &pfd);
}

/* On a fan-out loop's thread: adopts what the front loop queued for it. */
static void drain_inbox(struct lws_vhost *vh)
{
	struct inbox *b;
	int *fds;
	size_t n;

	if (my_inbox < 0)
		return;
	b = &inboxes[my_inbox];
	pthread_mutex_lock(&b->lock);
	fds = b->fds;
	n = b->n;
	b->fds = NULL;
	b->n = b->cap = 0;
	pthread_mutex_unlock(&b->lock);
	for (size_t i = 0; i < n; i++)
		adopt_now(vh, fds[i]);
	free(fds);
}

/* A reader's stream, by its first bytes (already in: TCP_DEFER_ACCEPT). */
static int is_stream(int fd)
{
	char head[PEEK_BYTES];
	ssize_t n = recv(fd, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT);

	return n > 0 && router_is_stream(head, (size_t)n);
}

static int listener_callback(struct lws *wsi, enum lws_callback_reasons reason,
			     void *user, void *in, size_t len)
{
	int lfd, fd, k;
	uint64_t woken = 0;

	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		drain_inbox(lws_get_vhost(wsi));
		return 0;
	}
	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return 0;
	lfd = lws_get_socket_fd(wsi);
	/* take every connection waiting, then let the loop go on */
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (is_stream(fd) && (k = hand_off(fd)) >= 0) {
			woken |= (uint64_t)1 << k;
			continue;
		}
		if (!lws_adopt_socket_vhost(lws_get_vhost(wsi), fd))
			close(fd);
	}
	wake_inboxes(woken);
	return 0;
}

const struct lws_protocols listener_protocol = {
	"listener", listener_callback, 0, 0, 0, NULL, 0
};

int listener_adopt(struct lws_vhost *vh, int fd)
{
	lws_sock_file_fd_type f = { .filefd = fd };

	return lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, f,
					  "listener", NULL) ? 0 : -1;
}
