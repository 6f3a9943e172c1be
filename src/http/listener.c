/*
 * listener.c — the listening socket and the hand-off of readers (see header).
 */
#define _GNU_SOURCE   /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/door.h"
#include "http/listener.h"

/* Seconds the kernel holds a connection that has sent nothing yet. */
#define DEFER_ACCEPT_SECS 2

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

/* Queues fd for the next open inbox; 0, or -1 when none takes it. */
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
			lws_cancel_service(b->ctx);
			ok = 1;
		}
		pthread_mutex_unlock(&b->lock);
		if (ok)
			return 0;
	}
	return -1;
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
	/* lws closes a socket it fails to adopt */
	for (size_t i = 0; i < n; i++)
		lws_adopt_socket_vhost(vh, fds[i]);
	free(fds);
}

void listener_route(struct lws_vhost *vh, int fd, bool stream)
{
	if (stream && !hand_off(fd))
		return;
	lws_adopt_socket_vhost(vh, fd);   /* on failure lws closes fd */
}

/* An fd kept free so that at the open-file limit connections can be shed. */
static int spare_fd = -1;

/*
 * accept() failed with EMFILE/ENFILE: the pending connections would keep
 * the listening socket readable and the loop spinning. Closes them (the
 * clients see a reset and retry later) with the spare fd's slot.
 */
static void shed(int lfd)
{
	static time_t last_warned;
	unsigned long n = 0;
	int fd;

	if (spare_fd < 0)
		return;
	close(spare_fd);
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(fd);
		n++;
	}
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (n && time(NULL) != last_warned) {
		last_warned = time(NULL);
		lwsl_warn("out of file descriptors: %lu connections refused (raise the "
			  "open-file limit or lower --max-readers)\n", n);
	}
}

static int listener_callback(struct lws *wsi, enum lws_callback_reasons reason,
			     void *user, void *in, size_t len)
{
	int lfd, fd, one = 1;

	if (lws_get_opaque_user_data(wsi))
		return door_callback(wsi, reason);
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		drain_inbox(lws_get_vhost(wsi));
		return 0;
	}
	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return 0;
	lfd = lws_get_socket_fd(wsi);
	/* take every connection waiting, then let the loop go on */
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* lws sets this on sockets it accepts itself; these it does not */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		door_take(lws_get_vhost(wsi), fd);
	}
	if (errno == EMFILE || errno == ENFILE)
		shed(lfd);
	return 0;
}

const struct lws_protocols listener_protocol = {
	"listener", listener_callback, 0, 0, 0, NULL, 0
};

int listener_adopt(struct lws_vhost *vh, int fd)
{
	lws_sock_file_fd_type f = { .filefd = fd };

	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, f,
					  "listener", NULL) ? 0 : -1;
}
