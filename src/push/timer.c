/*
 * timer.c — timer.h on lws' sorted timer list (NOTES P8: lws_sul).
 */
#include "push/timer.h"

static _Thread_local struct lws_context *loop;

void timer_init(struct lws_context *ctx)
{
	loop = ctx;
}

lws_usec_t timer_now(void)
{
	return lws_now_usecs();
}

void timer_schedule(lws_sorted_usec_list_t *sul, sul_cb_t cb, lws_usec_t us)
{
	lws_sul_schedule(loop, 0, sul, cb, us);
}

void timer_cancel(lws_sorted_usec_list_t *sul)
{
	lws_sul_cancel(sul);
}

void timer_next_pass(lws_sorted_usec_list_t *sul, sul_cb_t cb)
{
	lws_sul_schedule(loop, 0, sul, cb, 1);
	lws_cancel_service(loop);   /* the next poll() returns at once */
}
