/*
 * listener.c — SO_REUSEPORT listening sockets handed to lws (see header).
 */
#define _GNU_SOURCE   /* accept4 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/listener.h"

static int open_one(const struct addrinfo *ai, char *err, size_t errlen)
{
	int one = 1, fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
				 SOCK_CLOEXEC, ai->ai_protocol);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024)) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The port a socket got (for port 0). */
static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ?
		     ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

int listener_open(const char *host, int port, int n, int *fds, char *err,
		  size_t errlen)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM }, *res = NULL;
	char service[16];
	int i = 0, rc;

	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "%s", gai_strerror(rc));
		return -1;
	}
	for (; i < n; i++) {
		fds[i] = open_one(res, err, errlen);
		if (fds[i] < 0)
			break;
		if (!i && !port && (port = bound_port(fds[0])) > 0) {
			/* the others join the port the kernel picked */
			((struct sockaddr_in *)res->ai_addr)->sin_port = htons((uint16_t)port);
		}
	}
	freeaddrinfo(res);
	if (i == n)
		return 0;
	while (i-- > 0)
		close(fds[i]);
	return -1;
}

static int listener_callback(struct lws *wsi, enum lws_callback_reasons reason,
			     void *user, void *in, size_t len)
{
	int lfd, fd, one = 1;

	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return 0;
	lfd = lws_get_socket_fd(wsi);
	/* take every connection waiting, then let the loop go on */
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* lws sets this on sockets it accepts itself; these it does not */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (!lws_adopt_socket_vhost(lws_get_vhost(wsi), fd))
			close(fd);
	}
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
