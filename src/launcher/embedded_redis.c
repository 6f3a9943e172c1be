/*
 * embedded_redis.c — the redis-server child process (see the header).
 * Runs before the event loop starts, so waiting here blocks nothing.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launcher/embedded_redis.h"

static int can_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), ok;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return 0;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void exec_redis(const char *binary, const char *dir, const char *sock)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	execlp(binary, binary, "--port", "0", "--unixsocket", sock,
	       "--unixsocketperm", "700", "--dir", dir, "--appendonly", "yes",
	       "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
	       "--logfile", "redis.log", (char *)NULL);
	fprintf(stderr, "liveblogd: cannot run %s: %s\n", binary, strerror(errno));
	_exit(127);
}

pid_t embedded_redis_start(const char *binary, const char *data_dir,
			   char *url, size_t urllen)
{
	char dir[PATH_MAX], sock[PATH_MAX + 16];
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	pid_t pid;
	int status;

	if (!realpath(data_dir, dir)) {
		fprintf(stderr, "liveblogd: data dir %s: %s\n", data_dir, strerror(errno));
		return -1;
	}
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "liveblogd: data dir path too long for a socket: %s\n", dir);
		return -1;
	}
	unlink(sock);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		exec_redis(binary, dir, sock);
	for (int i = 0; i < 500; i++) {
		if (can_connect(sock)) {
			snprintf(url, urllen, "unix://%s", sock);
			return pid;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "liveblogd: embedded redis-server exited (see %s/redis.log)\n", dir);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "liveblogd: embedded redis-server did not start\n");
	embedded_redis_stop(pid);
	return -1;
}

void embedded_redis_stop(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}
