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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "http/door.h"
#include "http/listener.h"
#include "shared.h"

/* Seconds the kernel holds a connection that has sent nothing yet. */
#define DEFER_ACCEPT_SECS 2
/*
 * How long the front loop lets connections gather before it wakes a
 * fan-out loop: per reader already on that loop, capped. lws' poll()
 * costs a pass over all of a loop's connections (~0.2 us each here, more
 * when it sleeps: it registers on every socket), and a loop woken for each
 * reader that joins pays that pass per reader; woken for a batch, once.
 * The delay is a timerfd's: lws' own timers wake poll() a millisecond
 * early (it truncates) and spin through the rest. 20 us per reader, at
 * most 100 ms (from 8 us and 40 ms): 10,000 readers joining at 2,000/s
 * cost 12 % less server CPU, and wait 11 ms more for their greeting
 * (connect p50 23 ms, p99 100 ms, bench/results/passes-20261206.jsonl).
 */
#define WAKE_US_PER_READER 20
#define WAKE_MAX_US        100000

struct inbox {
	pthread_mutex_t lock;
	struct lws_context *ctx;   /* NULL: closed */
	int *fds;
	size_t n, cap;
	bool asked;                /* the front loop woke it to take them */
	int64_t wake_at;           /* the front loop's own: when to wake it (us), 0: none */
};

static struct inbox inboxes[LISTENER_MAX_INBOXES] = {
	[0 ... LISTENER_MAX_INBOXES - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER }
};
static atomic_uint next_inbox;
static atomic_int inbox_count;   /* highest index opened + 1 */
static _Thread_local int my_inbox = -1;
static _Thread_local int wake_tfd = -1;   /* the accepting thread's timer */

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
 * The loop is woken later (wake_inboxes).
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

static void wake_inbox(struct inbox *b)
{
	pthread_mutex_lock(&b->lock);
	if (b->ctx) {
		b->asked = true;
		lws_cancel_service(b->ctx);
	}
	pthread_mutex_unlock(&b->lock);
}

static int64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Arms the timer for the earliest wake due (none: disarms it). */
static void arm_timer(void)
{
	struct itimerspec t = { 0 };
	int64_t next = 0;

	for (int i = 0; i < LISTENER_MAX_INBOXES; i++)
		if (inboxes[i].wake_at && (!next || inboxes[i].wake_at < next))
			next = inboxes[i].wake_at;
	t.it_value.tv_sec = next / 1000000;
	t.it_value.tv_nsec = next % 1000000 * 1000;
	timerfd_settime(wake_tfd, TFD_TIMER_ABSTIME, &t, NULL);
}

/* The timer went off: wakes the loops whose time has come. */
static void wake_due(void)
{
	int64_t now = now_us();
	uint64_t ticks;

	if (read(wake_tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (int i = 0; i < LISTENER_MAX_INBOXES; i++)
		if (inboxes[i].wake_at && inboxes[i].wake_at <= now) {
			inboxes[i].wake_at = 0;
			wake_inbox(&inboxes[i]);
		}
	arm_timer();
}

/*
 * On the front loop: inbox i got a connection. Its loop is woken after
 * the gathering delay (see WAKE_US_PER_READER), at once when it holds no
 * reader yet.
 */
static void wake_inbox_later(int i)
{
	struct inbox *b = &inboxes[i];
	int64_t us = (int64_t)atomic_load(&metrics.loop_readers[i]) * WAKE_US_PER_READER;

	if (b->wake_at)
		return;   /* a wake is due already */
	if (!us || wake_tfd < 0) {
		wake_inbox(b);
		return;
	}
	b->wake_at = now_us() + (us < WAKE_MAX_US ? us : WAKE_MAX_US);
	arm_timer();
}

/*
 * Adopts a reader's connection on this loop and reads its request at
 * once (the door saw all of its head come in): the handshake,
 * ESTABLISHED and the greeting (reader.c) happen now, not a poll pass
 * later. lws' poll() visits every connection of the loop: a pass saved
 * per reader joining is O(readers) saved.
 */
static void adopt_now(struct lws_vhost *vh, int fd)
{
	struct lws_pollfd pfd = { .fd = fd, .events = LWS_POLLIN, .revents = LWS_POLLIN };
	struct lws *wsi = lws_adopt_socket_vhost(vh, fd);   /* on failure lws closes fd */

	if (wsi)
		lws_service_fd(lws_get_context(wsi), &pfd);
}

/*
 * On a fan-out loop's thread: adopts what the front loop queued for it,
 * when the front loop asked (each adoption wakes the loop once more, and
 * taking what has come meanwhile would undo the gathering).
 */
static void drain_inbox(struct lws_vhost *vh)
{
	struct inbox *b;
	int *fds = NULL;
	size_t n = 0;

	if (my_inbox < 0)
		return;
	b = &inboxes[my_inbox];
	pthread_mutex_lock(&b->lock);
	if (b->asked) {
		fds = b->fds;
		n = b->n;
		b->fds = NULL;
		b->n = b->cap = 0;
		b->asked = false;
	}
	pthread_mutex_unlock(&b->lock);
	for (size_t i = 0; i < n; i++)
		adopt_now(vh, fds[i]);
	free(fds);
}

void listener_route(struct lws_vhost *vh, int fd, bool stream)
{
	int k = stream ? hand_off(fd) : -1;

	if (k >= 0) {
		wake_inbox_later(k);
		return;
	}
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
	int lfd, fd;

	if (lws_get_opaque_user_data(wsi))
		return door_callback(wsi, reason);
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		drain_inbox(lws_get_vhost(wsi));
		return 0;
	}
	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return 0;
	lfd = lws_get_socket_fd(wsi);
	if (lfd == wake_tfd) {
		wake_due();
		return 0;
	}
	/* take every connection waiting, then let the loop go on */
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		door_take(lws_get_vhost(wsi), fd);
	if (errno == EMFILE || errno == ENFILE)
		shed(lfd);
	return 0;
}

const struct lws_protocols listener_protocol = {
	"listener", listener_callback, 0, 0, 0, NULL, 0
};

void listener_release(void)
{
	/* lws closes the timer's descriptor with the context */
	for (int i = 0; wake_tfd >= 0 && i < LISTENER_MAX_INBOXES; i++)
		inboxes[i].wake_at = 0;
	wake_tfd = -1;
}

int listener_adopt(struct lws_vhost *vh, int fd)
{
	lws_sock_file_fd_type f = { .filefd = fd };
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	lws_sock_file_fd_type t = { .filefd = tfd };

	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* without its timer, the front loop wakes the others at once */
	if (tfd >= 0 && !lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, t,
						    "listener", NULL))
		close(tfd);
	else
		wake_tfd = tfd;

	return lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, f,
					  "listener", NULL) ? 0 : -1;
}
