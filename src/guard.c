/*
 * guard.c — ends the process when a loop is stuck inside lws_service()
 * after a shutdown signal (see guard.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"

#define GUARD_MAX_LOOPS 65

/* What a loop's thread publishes: seq is odd while inside lws_service(). */
struct guard_loop {
	_Atomic unsigned long seq;
	_Atomic pid_t tid;
};

/* What the watcher last saw of a loop. */
struct guard_seen {
	unsigned long seq;
	long long since_ms;
	long ticks;
};

static struct guard_loop loops[GUARD_MAX_LOOPS];
static int nloops;
static sem_t signalled;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CPU time (utime + stime, in clock ticks) of one of our threads, or -1. */
static long task_ticks(pid_t tid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "pid (comm) ": state is field 3, utime 14, stime 15 */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/*
 * True when loop i has been inside the same lws_service() call since
 * GUARD_STUCK_MS ago or more, on the CPU at least half of that time.
 * Otherwise remembers what it sees now as the start of a new look.
 */
static bool stuck(int i, struct guard_seen *w, long long now, long hz)
{
	unsigned long seq = atomic_load_explicit(&loops[i].seq, memory_order_relaxed);
	pid_t tid = atomic_load_explicit(&loops[i].tid, memory_order_relaxed);
	long ticks = tid ? task_ticks(tid) : -1;

	if (ticks >= 0 && (seq & 1) && seq == w->seq && w->ticks >= 0) {
		long long span = now - w->since_ms;

		return span >= GUARD_STUCK_MS &&
		       (ticks - w->ticks) * 1000 / hz >= span / 2;
	}
	w->seq = seq;
	w->since_ms = now;
	w->ticks = ticks;
	return false;
}

static void *watch(void *arg)
{
	static struct guard_seen seen[GUARD_MAX_LOOPS];
	struct timespec tick = { 0, GUARD_TICK_MS * 1000000L };
	long hz = sysconf(_SC_CLK_TCK);

	(void)arg;
	while (sem_wait(&signalled) && errno == EINTR)
		;
	for (int i = 0; i < nloops; i++)
		seen[i].ticks = -1;
	for (;;) {
		nanosleep(&tick, NULL);
		for (int i = 0; i < nloops; i++) {
			if (!stuck(i, &seen[i], now_ms(), hz > 0 ? hz : 100))
				continue;
			fprintf(stderr, "liveblogd: loop %d has been busy inside one "
				"lws_service() call for %lld ms since the shutdown "
				"signal (lws spinning): exiting without a clean "
				"shutdown\n", i, now_ms() - seen[i].since_ms);
			_exit(GUARD_EXIT);
		}
	}
	return NULL;
}

int guard_start(int n)
{
	pthread_attr_t a;
	pthread_t t;
	int err;

	nloops = n < GUARD_MAX_LOOPS ? n : GUARD_MAX_LOOPS;
	if (sem_init(&signalled, 0, 0)) {
		fprintf(stderr, "liveblogd: guard: %s\n", strerror(errno));
		return -1;
	}
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &a, watch, NULL);
	pthread_attr_destroy(&a);
	if (err) {
		fprintf(stderr, "liveblogd: guard: %s\n", strerror(err));
		return -1;
	}
	return 0;
}

void guard_signal(void)
{
	sem_post(&signalled);
}

void guard_loop_begin(int i)
{
	if (i >= 0 && i < GUARD_MAX_LOOPS)
		atomic_store(&loops[i].tid, (pid_t)syscall(SYS_gettid));
}

void guard_loop_end(int i)
{
	if (i >= 0 && i < GUARD_MAX_LOOPS)
		atomic_store(&loops[i].tid, 0);
}

void guard_enter(int i)
{
	if (i >= 0 && i < GUARD_MAX_LOOPS)
		atomic_fetch_add_explicit(&loops[i].seq, 1, memory_order_relaxed);
}

void guard_leave(int i)
{
	guard_enter(i);   /* even again: outside */
}
