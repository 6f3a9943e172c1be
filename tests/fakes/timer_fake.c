/*
 * timer_fake.c — push/timer.h with a clock that moves only when the test
 * calls fake_time_advance(); due timers then run in order of their time.
 */
#include <string.h>

#include "push/timer.h"
#include "timer_fake.h"

#define MAX_TIMERS 4096

struct pending {
	lws_sorted_usec_list_t *sul;
	sul_cb_t cb;
	lws_usec_t due;
};

static lws_usec_t now = 1000000;
static struct pending pending[MAX_TIMERS];
static size_t npending;
static unsigned kicks;

void timer_init(struct lws_context *ctx)
{
	(void)ctx;
}

lws_usec_t timer_now(void)
{
	return now;
}

void timer_cancel(lws_sorted_usec_list_t *sul)
{
	for (size_t i = 0; i < npending; i++)
		if (pending[i].sul == sul) {
			pending[i] = pending[--npending];
			return;
		}
}

void timer_schedule(lws_sorted_usec_list_t *sul, sul_cb_t cb, lws_usec_t us)
{
	timer_cancel(sul);
	if (npending < MAX_TIMERS)
		pending[npending++] = (struct pending){ sul, cb, now + us };
}

void timer_next_pass(lws_sorted_usec_list_t *sul, sul_cb_t cb)
{
	kicks++;
	timer_schedule(sul, cb, 1);
}

unsigned fake_timer_kicks(void)
{
	return kicks;
}

/* Runs every timer due by now, earliest first (new ones included). */
static void run_due(void)
{
	for (;;) {
		size_t best = npending;
		struct pending p;

		for (size_t i = 0; i < npending; i++)
			if (pending[i].due <= now && (best == npending || pending[i].due < pending[best].due))
				best = i;
		if (best == npending)
			return;
		p = pending[best];
		pending[best] = pending[--npending];
		p.cb(p.sul);
	}
}

void fake_time_advance(lws_usec_t us)
{
	lws_usec_t end = now + us;

	/* step from due time to due time, so callbacks see the time they were due */
	for (;;) {
		lws_usec_t next = end;

		for (size_t i = 0; i < npending; i++)
			if (pending[i].due > now && pending[i].due < next)
				next = pending[i].due;
		run_due();
		if (next >= end)
			break;
		now = next;
	}
	now = end;
	run_due();
}

void fake_time_reset(void)
{
	npending = 0;
}

size_t fake_timers(void)
{
	return npending;
}
