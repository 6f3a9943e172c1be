/*
 * timer_fake.h — the test's hand on the fake clock (timer_fake.c).
 */
#ifndef LB_TIMER_FAKE_H
#define LB_TIMER_FAKE_H

#include <libwebsockets.h>

/* Moves the clock on by us, running every timer that falls due, in order. */
void fake_time_advance(lws_usec_t us);
/* Forgets every timer (between tests, after the hubs are freed). */
void fake_time_reset(void);
size_t fake_timers(void);
/* How many timer_next_pass() calls: passes asked for without a sleep. */
unsigned fake_timer_kicks(void);

#endif
