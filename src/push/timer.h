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

#endif
