/*
 * door.c — a new connection's first request head, checked before lws sees
 * it (see door.h).
 */
#define _GNU_SOURCE   /* POLLRDHUP */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/codec.h"
#include "http/door.h"
#include "http/head.h"
#include "http/listener.h"
#include "http/router.h"

#define LINGER_SECS 2
#define LINGER_MAX (64 * 1024)

/* A connection held by the door: its head is not all in, or it was answered. */
struct held {
	int fd;              /* the connection; lws polls a dup() of it */
	size_t seen;         /* bytes of it in the socket at the last look */
	size_t drained;      /* lingering: bytes read and dropped */
	bool lingering;      /* answered: reading to the end before closing */
	bool released;       /* fd was handed on: the dup goes, not fd */
};

enum step { WAIT, PASSED, ANSWERED };

/* Wake poll() only once more than n bytes are in (n + 1 >= 1). */
static void set_lowat(int fd, size_t n)
{
	int v = (int)n + 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v));
}

/*
 * Writes status and the JSON error body {"error","message"} with
 * Connection: close. The socket's send buffer is empty (nothing was ever
 * written to it), so a few hundred bytes go out whole.
 */
static void answer(int fd, int status, const char *reason, enum lb_status st,
		   const char *msg)
{
	char head[256], *body = codec_error_body(st, msg);
	size_t blen = body ? strlen(body) : 0;
	struct iovec iov[3];
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };
	int hlen = snprintf(head, sizeof(head),
			    "HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
			    "content-length: %zu\r\ncache-control: no-store\r\n"
			    "x-content-type-options: nosniff\r\n"
			    "connection: close\r\n\r\n", status, reason, blen + 1);

	iov[0] = (struct iovec){ head, (size_t)hlen };
	iov[1] = (struct iovec){ body, blen };
	iov[2] = (struct iovec){ (void *)"\n", 1 };
	if (sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		lwsl_info("door: answer %d not sent: %s\n", status, strerror(errno));
	free(body);
}

/* What the first len bytes of fd call for: pass it on, answer, or wait. */
static enum step decide(struct lws_vhost *vh, int fd, const char *buf, size_t len)
{
	struct head_info h;

	switch (head_scan(buf, len, &h)) {
	case HEAD_INCOMPLETE:
		return WAIT;
	case HEAD_OK:
		/* a stream's head too big for a fan-out loop's lws is served here */
		listener_route(vh, fd, router_is_stream(buf, len) &&
			       head_ah_bytes(&h) < HEAD_AH_STREAM - 64);
		return PASSED;
	case HEAD_TOO_LARGE:
		answer(fd, 431, "Request Header Fields Too Large", LB_TOO_LARGE, h.message);
		return ANSWERED;
	case HEAD_BAD_FRAMING:
	default:
		answer(fd, 400, "Bad Request", LB_BAD_REQUEST, h.message);
		return ANSWERED;
	}
}

/* Answered: no more output; read what the client still sends, then close. */
static void start_lingering(struct lws *wsi, struct held *h)
{
	h->lingering = true;
	shutdown(h->fd, SHUT_WR);
	if (wsi)
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LINGER_SECS);
}

/*
 * Holds fd (seen bytes in; lingering when answered) on a raw-file wsi of
 * vh polling a dup() of it. On failure fd is closed.
 */
static void hold(struct lws_vhost *vh, int fd, size_t seen, bool answered)
{
	struct held *h = calloc(1, sizeof(*h));
	lws_adopt_desc_t info = { .vh = vh, .type = LWS_ADOPT_RAW_FILE_DESC,
				  .vh_prot_name = "listener", .opaque = h };
	struct lws *wsi = NULL;

	info.fd.filefd = h ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (info.fd.filefd >= 0) {
		h->fd = fd;
		h->seen = seen;
		if (!answered)
			set_lowat(fd, seen);
		wsi = lws_adopt_descriptor_vhost_via_info(&info);
	}
	if (!wsi) {
		if (info.fd.filefd >= 0)
			close(info.fd.filefd);
		free(h);
		close(fd);
		return;
	}
	if (answered)
		start_lingering(wsi, h);
	else
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, DOOR_HEAD_SECS);
}

void door_take(struct lws_vhost *vh, int fd)
{
	char buf[HEAD_MAX];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

	if (!n || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		close(fd);   /* gone before it said anything */
		return;
	}
	if (n < 0)
		n = 0;   /* accepted without data (TCP_DEFER_ACCEPT ran out) */
	switch (decide(vh, fd, buf, (size_t)n)) {
	case WAIT:
		hold(vh, fd, (size_t)n, false);
		break;
	case ANSWERED:
		hold(vh, fd, 0, true);
		break;
	case PASSED:
		break;
	}
}

/* The peer has closed or reset (what a wake without new bytes means). */
static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* More of a held head came in. Returns -1 to close the wsi (the dup). */
static int look_again(struct lws *wsi, struct held *h)
{
	char buf[HEAD_MAX];
	ssize_t n = recv(h->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0 || ((size_t)n == h->seen && peer_gone(h->fd)))
		return -1;
	h->seen = (size_t)n;
	set_lowat(h->fd, 0);   /* as lws expects it, before anyone else reads */
	switch (decide(lws_get_vhost(wsi), h->fd, buf, (size_t)n)) {
	case WAIT:
		set_lowat(h->fd, (size_t)n);
		return 0;
	case ANSWERED:
		start_lingering(wsi, h);
		return 0;
	case PASSED:
	default:
		h->released = true;
		return -1;
	}
}

/* Reads and drops what an answered client still sends; -1 to close. */
static int drain(struct held *h)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(h->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		if (n <= 0)
			return -1;
		h->drained += (size_t)n;
		if (h->drained > LINGER_MAX)
			return -1;
	}
}

int door_callback(struct lws *wsi, enum lws_callback_reasons reason)
{
	struct held *h = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		return h->lingering ? drain(h) : look_again(wsi, h);
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		/* a timeout, the peer gone, handed on, or the context going */
		lws_set_opaque_user_data(wsi, NULL);
		if (!h->released)
			close(h->fd);
		free(h);
		return 0;
	default:
		return 0;
	}
}
