/*
 * metrics.c — readers, writes, fan-out latency and Redis state as
 * Prometheus text.
 */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "http/metrics.h"
#include "http/request.h"
#include "launcher/embedded_redis.h"

static void metric(FILE *f, const char *name, const char *type,
		   const char *help, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name,
		type, name, v);
}

/* A label value with \\, " and line ends escaped (Prometheus text format). */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* Which Redis is in use, the master changes seen, what WAIT said. */
static void redis_ha(FILE *f)
{
	static const char *const bucket[ACK_BUCKETS] = { "0", "1", "2", "3+" };
	const char *where = store_where(app.store);

	fprintf(f, "# HELP liveblog_redis_master The Redis server the front loop's command connection is on (1), by address; none while it is down.\n"
		"# TYPE liveblog_redis_master gauge\n");
	if (where[0]) {
		fputs("liveblog_redis_master{address=\"", f);
		label_value(f, where);
		fputs("\"} 1\n", f);
	}
	metric(f, "liveblog_redis_failovers_total", "counter", "Master changes seen through the sentinels (--redis sentinel://), counted once per change whichever loop saw it.", (double)metrics.redis_failovers);
	fprintf(f, "# HELP liveblog_write_acks_total Writes' WAIT answers (--ack-replicas), by the number of replicas that acknowledged the write.\n"
		"# TYPE liveblog_write_acks_total counter\n");
	for (int i = 0; i < ACK_BUCKETS; i++)
		fprintf(f, "liveblog_write_acks_total{replicas=\"%s\"} %lu\n", bucket[i],
			(unsigned long)metrics.ack_replicas[i]);
	metric(f, "liveblog_writes_unacknowledged_total", "counter", "Writes answered 503 because fewer than --ack-replicas replicas confirmed them within --ack-timeout (each may be stored: a retry with the same id answers 200).", (double)metrics.ack_refused);
	metric(f, "liveblog_hub_rewinds_total", "counter", "Blogs' live rings reloaded because the log no longer held their newest events (a failover lost them); readers sent such an event got a reset.", (double)metrics.hub_rewinds);
}

void metrics_respond(struct req *q)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned long cum = 0;

	if (!f) {
		req_error(q, LB_INTERNAL, NULL);
		return;
	}
	metric(f, "liveblog_readers", "gauge", "WebSocket readers connected to this instance.", (double)metrics.readers);
	fprintf(f, "# HELP liveblog_loop_streams Readers' streams (WebSocket and SSE) held per event loop; the last loop is the front, which answers HTTP and rarely holds any.\n"
		"# TYPE liveblog_loop_streams gauge\n");
	for (int i = 0; i < metrics.loops && i < LOOPS_MAX; i++)
		fprintf(f, "liveblog_loop_streams{loop=\"%d\"} %lu\n", i,
			(unsigned long)metrics.loop_readers[i]);
	metric(f, "liveblog_readers_total", "counter", "Readers accepted since start.", (double)metrics.readers_total);
	metric(f, "liveblog_readers_dropped_slow_total", "counter", "Readers dropped for falling behind.", (double)metrics.readers_culled);
	metric(f, "liveblog_readers_refused_total", "counter", "Readers turned away by the per-address or global limit.", (double)metrics.readers_refused);
	metric(f, "liveblog_frames_sent_total", "counter", "WebSocket messages sent to readers.", (double)metrics.frames_sent);
	metric(f, "liveblog_writes_total", "counter", "Writes stored by this instance.", (double)metrics.writes);
	metric(f, "liveblog_http_requests_total", "counter", "HTTP requests handled.", (double)metrics.http_requests);
	metric(f, "liveblog_redis_up", "gauge", "1 when the Redis command connection of the front loop (which answers HTTP) is up.", store_up(app.store));
	metric(f, "liveblog_redis_tail_up", "gauge", "1 when the Redis tail connection of the front loop (which answers HTTP) is up.", feed_up(app.feed));
	metric(f, "liveblog_redis_reconnects_total", "counter", "Redis connection attempts after the first (front loop).", (double)(store_reconnects(app.store) + feed_reconnects(app.feed)));
	metric(f, "liveblog_redis_restarts_total", "counter", "Times the embedded redis-server died and was started again from its AOF (0 with --redis).", (double)embedded_redis_restarts());
	redis_ha(f);
	metric(f, "liveblog_canary_lag_seconds", "gauge", "How long the front loop's newest acknowledged canary write has gone unread by its tail (0: delivery healthy).", (double)feed_canary_lag(app.feed) / 1e6);
	metric(f, "liveblog_canaries_total", "counter", "Canary writes acknowledged by Redis (front loop).", (double)feed_canaries(app.feed));
	metric(f, "liveblog_feed_items_total", "counter", "Events read from the Redis feed (front loop).", (double)feed_items(app.feed));
	metric(f, "liveblog_cache_bytes", "gauge", "Bytes of catch-up pages and rendered pages kept, all loops (bounded by --cache-mb).", (double)metrics.cache_bytes);
	metric(f, "liveblog_cache_limit_bytes", "gauge", "The cache budget (--cache-mb), shared equally by the event loops.", (double)metrics.cache_limit);
	metric(f, "liveblog_cache_evictions_total", "counter", "Cached pages dropped to stay within the budget.", (double)metrics.cache_evictions);
	fprintf(f, "# HELP liveblog_fanout_seconds Time from an event's arrival to its write to a live reader.\n"
		"# TYPE liveblog_fanout_seconds histogram\n");
	for (int i = 0; i < FANOUT_BUCKETS; i++) {
		cum += (unsigned long)metrics.fanout_bucket[i];
		fprintf(f, "liveblog_fanout_seconds_bucket{le=\"%g\"} %lu\n", fanout_bounds[i], cum);
	}
	fprintf(f, "liveblog_fanout_seconds_bucket{le=\"+Inf\"} %lu\n"
		"liveblog_fanout_seconds_sum %.9f\nliveblog_fanout_seconds_count %lu\n",
		(unsigned long)metrics.fanout_count, (double)metrics.fanout_sum_us / 1e6,
		(unsigned long)metrics.fanout_count);
	fclose(f);
	req_respond(q, 200, "text/plain; version=0.0.4", buf, len);
}
