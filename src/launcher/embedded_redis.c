/*
 * embedded_redis.c — the supervised redis-server child (see the header).
 * Everything that waits here runs on the supervisor thread, or in
 * embedded_redis_start/stop before and after the event loops.
 */
#define _GNU_SOURCE     /* close_range */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launcher/embedded_redis.h"

#define BACKOFF_MIN_MS   100
#define BACKOFF_MAX_MS   5000
#define HEALTHY_AFTER_MS 30000    /* a child that ran this long resets the backoff */
#define READY_POLL_MS    20
#define READY_LIMIT_MS   10000

/* The one embedded Redis of the process. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;          /* stopping, or the first child's fate */
	pthread_t thread;
	bool started;                 /* thread is joinable */
	bool stopping;
	pid_t pid;                    /* the living child, 0 between two */
	int first;                    /* 0 pending, 1 ready, -1 failed */
	pid_t parent;
	char binary[PATH_MAX];
	char dir[PATH_MAX];
	char sock[PATH_MAX + 16];
	atomic_ulong restarts;
} er = { .lock = PTHREAD_MUTEX_INITIALIZER };

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int can_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls. The
 * child must hold none of the daemon's descriptors (a reader's socket kept
 * open by redis-server would never close) and must see SIGTERM.
 */
static void exec_redis(void)
{
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != er.parent)
		_exit(0);               /* the daemon died before prctl */
	if (close_range(3, ~0U, 0)) {
		struct rlimit rl = { 0 };

		getrlimit(RLIMIT_NOFILE, &rl);
		for (rlim_t fd = 3; fd < rl.rlim_cur && fd < 65536; fd++)
			close((int)fd);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execlp(er.binary, er.binary, "--port", "0", "--unixsocket", er.sock,
	       "--unixsocketperm", "700", "--dir", er.dir, "--appendonly", "yes",
	       "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
	       "--logfile", "redis.log", (char *)NULL);
	(void)!write(2, "liveblogd: cannot run ", 22);
	(void)!write(2, er.binary, strlen(er.binary));
	(void)!write(2, "\n", 1);
	_exit(127);
}

/* Forks a redis-server, with er.lock held so that stop sees its pid. */
static pid_t spawn_locked(void)
{
	pid_t pid;

	unlink(er.sock);
	pid = fork();
	if (pid == 0)
		exec_redis();
	if (pid < 0)
		fprintf(stderr, "liveblogd: cannot fork redis-server: %s\n", strerror(errno));
	er.pid = pid > 0 ? pid : 0;
	return pid;
}

/* True once the child with this pid has exited (not reaped yet). */
static bool exited(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == pid;
}

static bool stopping(void)
{
	bool s;

	pthread_mutex_lock(&er.lock);
	s = er.stopping;
	pthread_mutex_unlock(&er.lock);
	return s;
}

/*
 * Waits until the child's socket accepts. Returns 0; or -1 if the child
 * exited, the daemon is stopping, or 10 s went by.
 */
static int wait_ready(pid_t pid)
{
	struct timespec nap = { 0, READY_POLL_MS * 1000 * 1000 };

	for (int waited = 0; waited < READY_LIMIT_MS; waited += READY_POLL_MS) {
		if (can_connect(er.sock))
			return 0;
		if (exited(pid) || stopping())
			return -1;
		nanosleep(&nap, NULL);
	}
	return -1;
}

/*
 * Waits for the child to exit without reaping it, forgets its pid under
 * the lock (so that stop never signals a pid the kernel may reuse), then
 * reaps it. Returns its wait status.
 */
static int reap(pid_t pid)
{
	siginfo_t si;
	int status = 0;

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&er.lock);
	er.pid = 0;
	pthread_mutex_unlock(&er.lock);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void describe(int status, char *out, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(out, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
}

/* Sleeps ms unless stop comes first. Returns true when stopping. */
static bool nap_unless_stopping(unsigned ms)
{
	struct timespec until;
	bool s;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&er.lock);
	while (!er.stopping &&
	       pthread_cond_timedwait(&er.cond, &er.lock, &until) != ETIMEDOUT)
		;
	s = er.stopping;
	pthread_mutex_unlock(&er.lock);
	return s;
}

/*
 * After a death: logs it, waits the backoff, starts the next child.
 * Returns its pid, or 0 when stopping.
 */
static pid_t restart(pid_t dead, int status, long long ran_ms, unsigned *backoff)
{
	char how[96];
	pid_t pid = 0;

	if (ran_ms >= HEALTHY_AFTER_MS)
		*backoff = 0;
	*backoff = *backoff ? *backoff * 2 : BACKOFF_MIN_MS;
	if (*backoff > BACKOFF_MAX_MS)
		*backoff = BACKOFF_MAX_MS;
	describe(status, how, sizeof(how));
	fprintf(stderr, "liveblogd: embedded redis-server (pid %d) %s after %.1f s; "
		"restarting it from its AOF in %u ms\n", (int)dead, how,
		(double)ran_ms / 1000, *backoff);
	for (;;) {
		bool stop;

		if (nap_unless_stopping(*backoff))
			return 0;
		pthread_mutex_lock(&er.lock);
		stop = er.stopping;
		pid = stop ? 0 : spawn_locked();
		pthread_mutex_unlock(&er.lock);
		if (stop)
			return 0;
		if (pid > 0)
			break;
		*backoff = *backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *backoff * 2;
	}
	atomic_fetch_add(&er.restarts, 1);
	return pid;
}

/* Reports the first child's fate to embedded_redis_start. */
static void report_first(int fate)
{
	pthread_mutex_lock(&er.lock);
	er.first = fate;
	pthread_cond_broadcast(&er.cond);
	pthread_mutex_unlock(&er.lock);
}

/* The supervisor thread: start, wait, restart, until stop. */
static void *supervise(void *arg)
{
	sigset_t all;
	unsigned backoff = 0;
	long long t0 = now_ms();
	pid_t pid;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);   /* signals go to the loops */
	pthread_mutex_lock(&er.lock);
	pid = spawn_locked();
	pthread_mutex_unlock(&er.lock);
	if (pid > 0 && wait_ready(pid)) {
		kill(pid, SIGTERM);
		reap(pid);
		pid = -1;
	}
	report_first(pid > 0 ? 1 : -1);
	while (pid > 0) {
		int status = reap(pid);
		long long ran = now_ms() - t0;

		pid = stopping() ? 0 : restart(pid, status, ran, &backoff);
		t0 = now_ms();
		if (pid > 0 && !wait_ready(pid))
			fprintf(stderr, "liveblogd: embedded redis-server restarted (pid %d, "
				"restart %lu), accepting connections after %lld ms\n", (int)pid,
				atomic_load(&er.restarts), now_ms() - t0);
	}
	return NULL;
}

int embedded_redis_start(const char *binary, const char *data_dir,
			 char *url, size_t urllen)
{
	pthread_condattr_t ca;
	int fate;

	if (!realpath(data_dir, er.dir)) {
		fprintf(stderr, "liveblogd: data dir %s: %s\n", data_dir, strerror(errno));
		return -1;
	}
	snprintf(er.sock, sizeof(er.sock), "%s/redis.sock", er.dir);
	if (strlen(er.sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "liveblogd: data dir path too long for a socket: %s\n", er.dir);
		return -1;
	}
	snprintf(er.binary, sizeof(er.binary), "%s", binary);
	er.parent = getpid();
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&er.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&er.thread, NULL, supervise, NULL)) {
		fprintf(stderr, "liveblogd: cannot start the redis-server supervisor\n");
		return -1;
	}
	er.started = true;
	pthread_mutex_lock(&er.lock);
	while (!er.first)
		pthread_cond_wait(&er.cond, &er.lock);
	fate = er.first;
	pthread_mutex_unlock(&er.lock);
	if (fate < 0) {
		embedded_redis_stop();
		fprintf(stderr, "liveblogd: embedded redis-server (%s) did not start (see %s/redis.log)\n",
			binary, er.dir);
		return -1;
	}
	snprintf(url, urllen, "unix://%s", er.sock);
	return 0;
}

void embedded_redis_stop(void)
{
	pid_t pid;

	if (!er.started)
		return;
	pthread_mutex_lock(&er.lock);
	er.stopping = true;
	pid = er.pid;
	pthread_cond_broadcast(&er.cond);
	pthread_mutex_unlock(&er.lock);
	if (pid > 0)
		kill(pid, SIGTERM);
	pthread_join(er.thread, NULL);
	er.started = false;
}

unsigned long embedded_redis_restarts(void)
{
	return atomic_load(&er.restarts);
}
