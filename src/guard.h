/*
 * guard.h — a shutdown signal ends the process even when an event loop
 * never comes back from lws_service(): lws 4.1.6 can spin inside it (its
 * forced service retries a descriptor whose close it deferred, NOTES), and
 * then the loop never sees the signal. After a signal a watcher thread
 * looks at each loop every GUARD_TICK_MS; a loop still inside the same
 * lws_service() call after GUARD_STUCK_MS, busy on the CPU most of that
 * time (a loop waiting in poll() is idle), is stuck: the process logs it
 * and exits at once with status GUARD_EXIT.
 */
#ifndef LB_GUARD_H
#define LB_GUARD_H

#define GUARD_TICK_MS 100
#define GUARD_STUCK_MS 1000
#define GUARD_EXIT 3

/* Starts the watcher for loops 0..loops-1. Returns 0, or -1 (logged). */
int guard_start(int loops);
/* From a signal handler (async-signal-safe): the watcher starts looking. */
void guard_signal(void);
/* The calling thread runs loop i from now on / no more. */
void guard_loop_begin(int i);
void guard_loop_end(int i);
/* Around each lws_service() call of loop i. */
void guard_enter(int i);
void guard_leave(int i);

#endif
