/*
 * watch.c — HTTP connections ended as soon as their peer stirs while a
 * response is due (see watch.h).
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "http/watch.h"

#define EVENTS_PER_READ 64

static _Thread_local int watch_fd = -1;   /* this loop's epoll set */

static int watch_open(struct lws_vhost *vh)
{
	lws_sock_file_fd_type fd;
	struct lws *wsi;

	fd.filefd = epoll_create1(EPOLL_CLOEXEC);
	if (fd.filefd < 0)
		return -1;
	/* lws polls it, and closes it with the loop */
	wsi = lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, fd,
					 watch_protocol.name, NULL);
	if (!wsi) {
		close(fd.filefd);
		return -1;
	}
	watch_fd = fd.filefd;
	return 0;
}

bool watch_add(struct lws *wsi)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
		.data.ptr = wsi,
	};

	if (watch_fd < 0 && watch_open(lws_get_vhost(wsi)))
		return false;
	return !epoll_ctl(watch_fd, EPOLL_CTL_ADD, lws_get_socket_fd(wsi), &ev);
}

void watch_del(struct lws *wsi)
{
	if (watch_fd >= 0)
		epoll_ctl(watch_fd, EPOLL_CTL_DEL, lws_get_socket_fd(wsi), NULL);
}

/*
 * Closes every connection that stirred, now: a kill left for later is
 * undone when lws, reading the stray bytes into its buffer, sets the
 * connection's timeout again (and a buffered byte is served on every
 * pass: the same spin). Each is another connection than this callback's,
 * and closing it takes it out of the set (watch_del) after its event was
 * read here.
 */
static void stirred(void)
{
	struct epoll_event ev[EVENTS_PER_READ];
	int n;

	do {
		n = epoll_wait(watch_fd, ev, EVENTS_PER_READ, 0);
		for (int i = 0; i < n; i++)
			lws_set_timeout(ev[i].data.ptr, PENDING_TIMEOUT_USER_OK,
					LWS_TO_KILL_SYNC);
	} while (n == EVENTS_PER_READ);
}

static int watch_callback(struct lws *wsi, enum lws_callback_reasons reason,
			  void *user, void *in, size_t len)
{
	(void)wsi;
	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (watch_fd >= 0)
			stirred();
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		watch_fd = -1;   /* lws closed it: the loop is going */
		return 0;
	default:
		return 0;
	}
}

const struct lws_protocols watch_protocol = {
	"http-watch", watch_callback, 0, 0, 0, NULL, 0
};
