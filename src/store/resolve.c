/*
 * resolve.c — getaddrinfo() on a thread of its own (see resolve.h).
 *
 * The answer is one line, "ok <address>" or "err <reason>", written with a
 * single write() of less than PIPE_BUF bytes, so the loop reads it whole.
 */
#define _GNU_SOURCE   /* pipe2 */
#include "store/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ANSWER_MAX 256

struct job {
	int wfd;
	char host[];
};

bool resolve_is_numeric(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/*
 * The first IPv4 address of host as text into out, else its first IPv6 one
 * (a name for both families, like localhost, is reached where servers
 * usually listen); 0, or a getaddrinfo error.
 */
static int lookup(const char *host, char *out, size_t outlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *pick = NULL;
	const void *addr;
	int rc = getaddrinfo(host, NULL, &hints, &res);

	if (rc)
		return rc;
	for (struct addrinfo *a = res; a; a = a->ai_next)
		if (!pick || (a->ai_family == AF_INET && pick->ai_family != AF_INET))
			pick = a;
	if (pick->ai_family == AF_INET6)
		addr = &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr;
	else
		addr = &((struct sockaddr_in *)pick->ai_addr)->sin_addr;
	if (!inet_ntop(pick->ai_family, addr, out, (socklen_t)outlen))
		rc = EAI_FAIL;
	freeaddrinfo(res);
	return rc;
}

static void *resolver(void *arg)
{
	struct job *j = arg;
	char ip[RESOLVE_IP_MAX], line[ANSWER_MAX];
	int rc = lookup(j->host, ip, sizeof(ip));
	int n;

	if (rc)
		n = snprintf(line, sizeof(line), "err %s", gai_strerror(rc));
	else
		n = snprintf(line, sizeof(line), "ok %s", ip);
	/* the loop may have gone: EPIPE (SIGPIPE is ignored) is fine */
	if (write(j->wfd, line, (size_t)n) < 0)
		n = -1;
	close(j->wfd);
	free(j);
	return NULL;
}

int resolve_start(const char *host)
{
	size_t len = strlen(host);
	struct job *j = malloc(sizeof(*j) + len + 1);
	pthread_attr_t attr;
	pthread_t t;
	int fds[2], rc;

	if (!j || pipe2(fds, O_CLOEXEC)) {
		free(j);
		return -1;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	j->wfd = fds[1];
	memcpy(j->host, host, len + 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, resolver, j);
	pthread_attr_destroy(&attr);
	if (rc) {
		close(fds[0]);
		close(fds[1]);
		free(j);
		return -1;
	}
	return fds[0];
}

int resolve_read(int fd, char ip[RESOLVE_IP_MAX], char *err, size_t errlen)
{
	char line[ANSWER_MAX + 1];
	ssize_t n = read(fd, line, ANSWER_MAX);

	if (n <= 0) {
		snprintf(err, errlen, "%s", n < 0 ? strerror(errno) : "the resolver gave no answer");
		return -1;
	}
	line[n] = '\0';
	if (!strncmp(line, "ok ", 3) && strlen(line + 3) < RESOLVE_IP_MAX &&
	    resolve_is_numeric(line + 3)) {
		strcpy(ip, line + 3);
		return 0;
	}
	snprintf(err, errlen, "%s", strncmp(line, "err ", 4) ? "a garbled answer" : line + 4);
	return -1;
}
