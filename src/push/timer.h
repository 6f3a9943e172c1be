/*
 * timer.h — the clock and the timers of the push side, on this thread's
 * event loop. The daemon's are lws' (timer.c); tests link a fake whose
 * time moves only when the test says so (tests/fakes/timer_fake.c).
 */
#ifndef LB_TIMER_H
#define LB_TIMER_H

#include <libwebsockets.h>

/* This thread's loop (before any other call on this thread). */
void timer_init(struct lws_context *ctx);
lws_usec_t timer_now(void);
/* Runs cb once, us from now (re-scheduling a pending timer moves it). */
void timer_schedule(lws_sorted_usec_list_t *sul, sul_cb_t cb, lws_usec_t us);
void timer_cancel(lws_sorted_usec_list_t *sul);
/*
 * Runs cb once on the loop's next pass, and the loop does not sleep first.
 * For a timer callback that re-arms itself: lws 4.1.6 works out poll()'s
 * timeout from the clock it read before running the ripe timers, so a
 * timer armed 1 us ahead from inside one looks as far off as that callback
 * took, and the loop idled that long between fan-out chunks (12-23 ms
 * each, perf trace at 10,000 readers).
 */
void timer_next_pass(lws_sorted_usec_list_t *sul, sul_cb_t cb);

#endif
