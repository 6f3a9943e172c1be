/*
 * spin_shim.c — LD_PRELOAD'ed into liveblogd by tests/faults/spin.test.mjs:
 * once the file named by LB_SPIN_SHIM_MARK exists, the first loop to call
 * lws_service() never comes back from it and keeps a core busy, as lws
 * 4.1.6 does when its forced service spins. Nothing else changes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct lws_context;

int lws_service(struct lws_context *ctx, int timeout_ms);

int lws_service(struct lws_context *ctx, int timeout_ms)
{
	static int (*real)(struct lws_context *, int);
	static atomic_int taken;
	static volatile unsigned long spins;
	const char *mark = getenv("LB_SPIN_SHIM_MARK");

	if (!real)
		real = (int (*)(struct lws_context *, int))dlsym(RTLD_NEXT, "lws_service");
	if (mark && !access(mark, F_OK) && !atomic_exchange(&taken, 1))
		for (;;)
			spins++;
	return real(ctx, timeout_ms);
}
