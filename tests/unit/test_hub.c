/*
 * test_hub.c — the hub alone (ring, catch-up pages, readers, outputs)
 * against the in-memory store of tests/fakes/, whose replies are held and
 * released in any order, with a fake clock and recording connections.
 * Run under ASan: a use after free or a leak fails the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "liveblog/protocol.h"
#include "push/hub.h"
#include "../fakes/out_fake.h"
#include "../fakes/store_fake.h"
#include "../fakes/timer_fake.h"

#define BLOG "b"
#define MAXC 256

static struct store *st;
static struct fake_conn *conns[MAXC];
static int nconns;

static void env(long backlog, size_t cache_bytes, long replay_cap_ms)
{
	struct hub_env e = {
		.store = st, .instance = "test", .backlog = backlog,
		.ring_bytes = 16u << 20, .replay_cap_ms = replay_cap_ms, .worker = 0,
	};

	hubs_init(&e);
	cache_init(cache_bytes);
	hubs_feed_ready(NULL);
}

static int setup(void **state)
{
	(void)state;
	st = fake_store_new();
	fake_store_blog(st, BLOG);
	nconns = 0;
	env(8, 64u << 20, 5000);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nconns; i++)
		fake_conn_free(conns[i]);
	fake_store_release_all(st);
	hubs_free_all();
	hubs_thread_exit();
	fake_time_reset();
	fake_store_free(st);
	assert_int_equal(cache_used(), 0);
	return 0;
}

/* Appends events of `type` at ms = first, first+step, ... (n of them). */
static void fill(unsigned long long first, unsigned long long step, int n, const char *type)
{
	char prev[48];

	for (int i = 0; i < n; i++)
		fake_store_append(st, BLOG, first + step * (unsigned long long)i, type, prev);
}

/* The feed brings event ms (already in the log), whose previous one is prev. */
static void deliver(unsigned long long ms, const char *type, const char *prev)
{
	char seq[48];
	struct store_event ev = { .seq = seq, .type = type };
	static char data[160];

	snprintf(seq, sizeof(seq), "%llu-0", ms);
	snprintf(data, sizeof(data),
		 "{\"id\":\"00000000-0000-4000-8000-%012llu\",\"text\":\"event %llu\",\"revision\":1}",
		 ms, ms);
	ev.data = data;
	ev.len = strlen(data);
	hubs_on_event(NULL, BLOG, &ev, prev);
	hubs_batch_done(NULL);
}

/* A new event written "elsewhere", arriving through the feed. */
static const char *arrive(unsigned long long ms, const char *type)
{
	char prev[48];
	const char *seq = fake_store_append(st, BLOG, ms, type, prev);
	struct store_event ev = { .seq = seq, .type = type };
	static char data[160];

	snprintf(data, sizeof(data),
		 "{\"id\":\"00000000-0000-4000-8000-%012llu\",\"text\":\"event %llu\",\"revision\":1}",
		 ms, ms);
	ev.data = data;
	ev.len = strlen(data);
	hubs_on_event(NULL, BLOG, &ev, prev);
	hubs_batch_done(NULL);
	return seq;
}

static struct fake_conn *open_reader(const char *since)
{
	struct fake_conn *c = fake_conn_open(BLOG, since, &out_fake_ws, 0);

	assert_non_null(c->r);
	conns[nconns++] = c;
	return c;
}

/* Answers every held read and delivers until everyone is idle. */
static void settle(void)
{
	for (int i = 0; i < 1000; i++) {
		fake_store_release_all(st);
		fake_time_advance(1);
		if (!fake_pump(conns, nconns, 100000) && !fake_store_held(st))
			return;
	}
	fail_msg("the hub never settled");
}

/* The seqs "<ms>-0" for ms = first, first+step, ... (n). */
static json_t *seqs(unsigned long long first, unsigned long long step, int n)
{
	json_t *a = json_array();
	char s[48];

	for (int i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "%llu-0", first + step * (unsigned long long)i);
		json_array_append_new(a, json_string(s));
	}
	return a;
}

static size_t nseqs(const struct fake_conn *c)
{
	json_t *got = fake_conn_seqs(c);
	size_t n = json_array_size(got);

	json_decref(got);
	return n;
}

static void assert_seqs(const struct fake_conn *c, json_t *want)
{
	json_t *got = fake_conn_seqs(c);

	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);

		fail_msg("events %.400s, want %.400s", g, w);
	}
	json_decref(got);
	json_decref(want);
}

static void assert_types(const struct fake_conn *c, const char *want)
{
	char got[65536];

	fake_conn_types(c, got, sizeof(got));
	assert_string_equal(got, want);
}

/* "hello,reset?,entry×n,live" */
static void assert_shape(const struct fake_conn *c, bool reset, int n)
{
	char want[65536];
	size_t at = (size_t)snprintf(want, sizeof(want), "hello%s", reset ? ",reset" : "");

	for (int i = 0; i < n; i++)
		at += (size_t)snprintf(want + at, sizeof(want) - at, ",entry");
	snprintf(want + at, sizeof(want) - at, ",live");
	assert_types(c, want);
}

/* ---- the tests ---- */

static void join_live(void **state)
{
	struct fake_conn *c;

	(void)state;
	fill(1000, 1000, 5, "entry");
	c = open_reader(NULL);
	assert_int_equal(fake_store_held(st), 1);   /* the hub's load */
	fake_pump(conns, nconns, 10);
	assert_int_equal((int)json_array_size(c->msgs), 0);   /* nothing before the load */
	settle();
	assert_shape(c, false, 5);
	assert_seqs(c, seqs(1000, 1000, 5));
	arrive(6000, "entry");
	fake_pump(conns, nconns, 100);
	assert_seqs(c, seqs(1000, 1000, 6));
	assert_false(c->closed);
}

/* c got n stats frames, the newest with count last (n = 0: none). */
static void assert_stats(const struct fake_conn *c, int n, long long last)
{
	int got = 0;
	long long newest = -1;

	for (size_t i = 0; i < json_array_size(c->msgs); i++) {
		json_t *m = json_array_get(c->msgs, i);

		if (!strcmp(json_string_value(json_object_get(m, "type")), "stats")) {
			got++;
			newest = json_integer_value(json_object_get(m, "readers"));
		}
	}
	assert_int_equal(got, n);
	if (n)
		assert_int_equal(newest, last);
}

/* Five seconds pass: the stats timer reads the count, readers take what follows. */
static void stats_tick(void)
{
	fake_time_advance(5 * 1000000);
	settle();
}

/*
 * Live readers get a stats frame when the count across instances changes,
 * not again while it stays the same (at 250,000 readers and 1 post/s a
 * repeated count was a sixth of the sends).
 */
static void stats_when_count_changes(void **state)
{
	struct fake_conn *a, *b;

	(void)state;
	fill(1000, 1000, 3, "entry");
	a = open_reader(NULL);
	b = open_reader(NULL);
	settle();
	fake_store_set_readers(st, 2);
	stats_tick();
	assert_stats(a, 1, 2);
	assert_stats(b, 1, 2);
	for (int i = 0; i < 3; i++)   /* the same count, three more times */
		stats_tick();
	assert_stats(a, 1, 2);
	assert_stats(b, 1, 2);
	fake_store_set_readers(st, 7);
	stats_tick();
	assert_stats(a, 2, 7);
	assert_stats(b, 2, 7);
	assert_false(a->closed);
}

/*
 * A new event reaches a big hub's readers in chunks, a loop pass each (a
 * POST's steps slip in between), but in at most four passes: every pass
 * is a poll() over all of the loop's connections. And the loop does not
 * sleep between them (timer_next_pass).
 */
static void big_hub_woken_in_few_passes(void **state)
{
	enum { N = 4200 };   /* chunks of 1,051, not 1,024 */
	struct fake_conn **all = calloc(N, sizeof(*all));
	int passes = 1, have = 0;
	unsigned kicks;

	(void)state;
	assert_non_null(all);
	fill(1000, 1000, 2, "entry");
	for (int i = 0; i < N; i++)
		all[i] = fake_conn_open(BLOG, NULL, &out_fake_ws, 0);
	for (int i = 0; i < 1000; i++) {
		fake_store_release_all(st);
		fake_time_advance(1);
		if (!fake_pump(all, N, 100000) && !fake_store_held(st))
			break;
	}
	kicks = fake_timer_kicks();
	arrive(3000, "entry");   /* the first pass: the feed's reply */
	for (;;) {
		have = 0;
		for (int i = 0; i < N; i++) {
			json_t *q = fake_conn_seqs(all[i]);

			have += json_array_size(q) == 3;
			json_decref(q);
		}
		if (have == N || passes > 8)
			break;
		if (passes == 1)
			assert_true(have < N);   /* not all in one pass */
		fake_time_advance(1);
		passes++;
	}
	assert_int_equal(have, N);
	assert_true(passes <= 4);
	/* each pass after a chunk came without the loop sleeping first */
	assert_true(fake_timer_kicks() - kicks >= (unsigned)passes - 1);
	for (int i = 0; i < N; i++)
		fake_conn_free(all[i]);
	free(all);
}

/*
 * A reader that joins a loaded hub where the ring holds its position is
 * greeted at once (hello, what it is owed, live in one send), before any
 * WRITEABLE: each WRITEABLE round is a poll() pass over every connection
 * of the loop. WRITEABLE then has nothing more to say.
 */
static void join_greeted_at_once(void **state)
{
	struct fake_conn *first, *head, *behind;

	(void)state;
	fill(1000, 1000, 5, "entry");
	first = open_reader(NULL);
	settle();                                   /* the hub is loaded now */
	assert_shape(first, false, 5);
	head = open_reader("5000-0");
	assert_types(head, "hello,live");
	behind = open_reader("3000-0");
	assert_shape(behind, false, 2);
	assert_seqs(behind, seqs(4000, 1000, 2));
	fake_pump(conns, nconns, 100);
	assert_types(head, "hello,live");
	assert_shape(behind, false, 2);
	arrive(6000, "entry");
	settle();
	assert_seqs(head, seqs(6000, 1000, 1));
	assert_seqs(behind, seqs(4000, 1000, 3));
}

static void join_behind_ring(void **state)
{
	struct fake_conn *c;
	unsigned long before;

	(void)state;
	fill(1000, 1000, 600, "entry");           /* ring: the newest 8 */
	c = open_reader(NULL);
	settle();
	assert_shape(c, false, 600);
	assert_seqs(c, seqs(1000, 1000, 600));
	/* a second reader from the same place shares the pages already read */
	before = fake_store_ranges(st);
	c = open_reader("5000-0");
	settle();
	assert_shape(c, false, 595);
	assert_seqs(c, seqs(6000, 1000, 595));
	assert_true(fake_store_ranges(st) - before <= 1);   /* at most the check of 5000-0 */
}

static void reset_unknown_since(void **state)
{
	const char *cases[] = { "1500-0", "1-0", "999999999-0", "3000-7", "garbage" };

	(void)state;
	fill(1000, 1000, 300, "entry");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_conn *c = open_reader(cases[i]);

		settle();
		assert_shape(c, true, 300);
		assert_seqs(c, seqs(1000, 1000, 300));
	}
}

static void resume_inside_ring_and_pages(void **state)
{
	struct fake_conn *a, *b, *c;

	(void)state;
	fill(1000, 1000, 300, "entry");
	a = open_reader("299000-0");   /* in the ring */
	b = open_reader("10000-0");    /* behind it: pages */
	c = open_reader("300000-0");   /* the last: nothing to send */
	settle();
	assert_shape(a, false, 1);
	assert_shape(b, false, 290);
	assert_seqs(b, seqs(11000, 1000, 290));
	assert_shape(c, false, 0);
}

static void page_arrives_after_readers_left(void **state)
{
	struct fake_conn *a, *b;
	unsigned long before;

	(void)state;
	fill(1000, 1000, 300, "entry");
	a = open_reader("300000-0");   /* live at the end: reads no page */
	settle();
	before = fake_store_ranges(st);
	b = open_reader("20000-0");
	assert_int_equal(fake_store_ranges(st) - before, 1);   /* its page: held */
	fake_conn_drop(b);
	fake_store_release_all(st);    /* the page's answer finds no reader */
	settle();
	/* the page was kept: a new reader from there reads only what follows it */
	assert_int_equal(fake_store_ranges_from(st, "20000-0"), 1);
	b = open_reader("20000-0");
	settle();
	assert_int_equal(fake_store_ranges_from(st, "20000-0"), 1);
	assert_shape(b, false, 280);
	assert_false(a->closed);
}

/*
 * The crash of the hardening issue: while a page is handed to its
 * waiters, a waiter whose since is not in the log resets and asks for a
 * page, which evicts the one being handed out. With a cache of one page,
 * every delivery evicts.
 */
static void reset_while_page_delivered(void **state)
{
	char since[48];

	(void)state;
	env(8, 40 * 1024, 5000);
	fill(1000, 1000, 300, "entry");
	open_reader(NULL);
	settle();
	for (int i = 1; i <= 40; i++) {
		snprintf(since, sizeof(since), "%d-0", i);   /* before the log: reset */
		open_reader(since);
	}
	/* answer the held reads newest first: the unluckiest order */
	while (fake_store_held(st)) {
		fake_store_release(st, fake_store_held(st) - 1);
		fake_pump(conns, nconns, 100000);
	}
	settle();
	for (int i = 1; i < nconns; i++) {
		assert_shape(conns[i], true, 300);
		assert_seqs(conns[i], seqs(1000, 1000, 300));
	}
}

static void eviction_while_delivering(void **state)
{
	char since[48];

	(void)state;
	env(8, 64 * 1024, 5000);   /* about two pages */
	fill(1000, 1000, 1000, "entry");
	for (int i = 0; i < 20; i++) {
		snprintf(since, sizeof(since), "%d-0", 1000 + 37000 * i);
		open_reader(since);
	}
	/* answer in an order that hands out pages while others load */
	while (fake_store_held(st)) {
		fake_store_release(st, fake_store_held(st) / 2);
		fake_pump(conns, nconns, 7);
	}
	settle();
	for (int i = 0; i < 20; i++) {
		int from = 1 + 37 * i;

		assert_shape(conns[i], false, 1000 - from);
		assert_seqs(conns[i], seqs(1000 + 1000 * (unsigned long long)from, 1000,
					  1000 - from));
	}
	assert_true(cache_used() <= cache_limit());
}

static void budget_bounds_a_spray(void **state)
{
	char since[48];
	size_t peak = 0;

	(void)state;
	env(8, 200 * 1024, 5000);
	fill(1000, 1000, 2000, "entry");
	for (int i = 0; i < 200; i++) {
		snprintf(since, sizeof(since), "%d-0", 1000 + 9000 * i);   /* all distinct */
		open_reader(since);
		if (cache_used() > peak)
			peak = cache_used();
	}
	/* reads wait in line for room: far fewer than readers are out at once */
	assert_true(fake_store_held(st) < 20);
	while (fake_store_held(st)) {
		fake_store_release(st, 0);
		if (cache_used() > peak)
			peak = cache_used();
		fake_pump(conns, nconns, 100000);
	}
	settle();
	/* the estimate of a read in flight may be passed by its real size once */
	assert_true(peak <= cache_limit() + 100 * 1024);
	for (int i = 0; i < 200; i++) {
		int k = 1 + 9 * i;   /* since is the k-th event */

		assert_seqs(conns[i], seqs(1000 * (unsigned long long)(k + 1), 1000, 2000 - k));
	}
}

static void ended_blog(void **state)
{
	struct fake_conn *c;

	(void)state;
	fill(1000, 1000, 20, "entry");
	fill(21000, 1000, 1, "ended");
	c = open_reader(NULL);
	settle();
	assert_true(c->closed);
	assert_int_equal(c->close_code, LB_CLOSE_NORMAL);
	assert_string_equal(c->close_reason, "ended");
	assert_int_equal((int)nseqs(c), 21);
	c = open_reader("21000-0");   /* resumed at ended: hello, then the close */
	settle();
	assert_types(c, "hello");
	assert_true(c->closed);
	assert_int_equal(c->close_code, LB_CLOSE_NORMAL);
}

static void live_reader_gets_ended(void **state)
{
	struct fake_conn *c;

	(void)state;
	fill(1000, 1000, 3, "entry");
	c = open_reader(NULL);
	settle();
	arrive(4000, "ended");
	settle();
	assert_true(c->closed);
	assert_int_equal(c->close_code, LB_CLOSE_NORMAL);
	assert_seqs(c, seqs(1000, 1000, 4));
}

static void slow_reader_is_culled(void **state)
{
	struct fake_conn *slow, *fast;

	(void)state;
	fill(1000, 1000, 3, "entry");
	slow = open_reader(NULL);
	fast = open_reader(NULL);
	settle();
	slow->paused = true;   /* stops reading: its socket never drains */
	for (int i = 0; i < 20; i++)
		arrive(4000 + 1000 * (unsigned long long)i, "entry");   /* the ring holds 8 */
	settle();
	assert_int_equal(slow->deadline, 15);   /* closed within 15 s whatever happens */
	slow->paused = false;
	settle();
	assert_true(slow->closed);
	assert_int_equal(slow->close_code, LB_CLOSE_POLICY);
	assert_string_equal(slow->close_reason, "slow");
	assert_false(fast->closed);
	assert_seqs(fast, seqs(1000, 1000, 23));
}

static void replay_pacing(void **state)
{
	struct fake_conn *c;
	char prev[48];

	(void)state;
	env(8, 64u << 20, 1500);   /* pauses capped at 1.5 s */
	fake_store_append(st, BLOG, 1000, "entry", prev);
	fake_store_append(st, BLOG, 2000, "entry", prev);   /* +1 s → 0.5 s at ×2 */
	fake_store_append(st, BLOG, 8000, "entry", prev);   /* +6 s → 3 s, capped 1.5 s */
	c = fake_conn_open(BLOG, NULL, &out_fake_ws, 2.0);
	conns[nconns++] = c;
	fake_store_release_all(st);
	fake_pump(conns, nconns, 100);
	assert_int_equal((int)nseqs(c), 1);
	fake_time_advance(499 * 1000);
	fake_pump(conns, nconns, 100);
	assert_int_equal((int)nseqs(c), 1);
	fake_time_advance(1000);
	fake_pump(conns, nconns, 100);
	assert_int_equal((int)nseqs(c), 2);
	fake_time_advance(1499 * 1000);
	fake_pump(conns, nconns, 100);
	assert_int_equal((int)nseqs(c), 2);
	fake_time_advance(1000);
	fake_pump(conns, nconns, 100);
	assert_shape(c, false, 3);
}

static void store_down_then_failing_read(void **state)
{
	struct fake_conn *c;

	(void)state;
	fill(1000, 1000, 300, "entry");
	open_reader("300000-0");   /* live at the end: the hub stays, no page is read */
	settle();
	c = open_reader("5000-0");
	assert_int_equal(fake_store_held(st), 1);
	fake_store_fail(st, 0);   /* the page's read: connection lost */
	fake_pump(conns, nconns, 100);
	assert_true(c->closed);
	assert_int_equal(c->close_code, 1011);
	fake_store_set_down(st, true);
	c = open_reader("6000-0");   /* nothing can be sent: refused at once */
	fake_pump(conns, nconns, 100);
	assert_true(c->closed);
	assert_int_equal(c->close_code, 1011);
	fake_store_set_down(st, false);
}

/* Readers joining and leaving with random since values, replies in random order. */
static void random_joins_and_order(void **state)
{
	unsigned seed = 12345;
	json_t *all;

	(void)state;
	env(16, 96 * 1024, 5000);
	fill(1000, 1000, 800, "entry");
	for (int round = 0; round < 3000 && nconns < MAXC; round++) {
		seed = seed * 1103515245 + 12345;
		switch ((seed >> 16) % 6) {
		case 0: case 1: {
			char since[48];
			unsigned k = (seed >> 8) % 1000;

			snprintf(since, sizeof(since), "%u-%u", k * 1000, (seed >> 4) % 3 ? 0 : 5);
			open_reader(since);
			break;
		}
		case 2:
			if (fake_store_held(st))
				fake_store_release(st, (seed >> 4) % fake_store_held(st));
			break;
		case 3:
			if (nconns)
				fake_conn_drop(conns[(seed >> 4) % (unsigned)nconns]);
			break;
		default:
			fake_pump(conns, nconns, 3);
		}
	}
	settle();
	all = seqs(1000, 1000, 800);
	for (int i = 0; i < nconns; i++) {
		json_t *got = fake_conn_seqs(conns[i]);
		size_t n = json_array_size(got), total = json_array_size(all);

		if (!conns[i]->closed) {
			/* a suffix of the log, in order, once, up to its end */
			assert_true(n <= total);
			for (size_t j = 0; j < n; j++)
				assert_true(json_equal(json_array_get(got, j),
						       json_array_get(all, total - n + j)));
		}
		json_decref(got);
	}
	json_decref(all);
}


/* ---- a failover that lost the newest events (feed.h: the feed comes back elsewhere) ---- */

/* The seqs of c's events after its last reset (all of them if none). */
static json_t *seqs_since_reset(const struct fake_conn *c)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(c->msgs, i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));

		if (!strcmp(type, "reset"))
			json_array_clear(out);
		else if (json_object_get(m, "seq") && strcmp(type, "live") && strcmp(type, "stats"))
			json_array_append(out, json_object_get(m, "seq"));
	}
	return out;
}

static void assert_since_reset(const struct fake_conn *c, const json_t *want)
{
	json_t *got = seqs_since_reset(c);
	bool same = json_equal(got, want);

	json_decref(got);
	assert_true(same);
}

static size_t count_type(const struct fake_conn *c, const char *type)
{
	json_t *m;
	size_t i, n = 0;

	json_array_foreach(c->msgs, i, m)
		n += !strcmp(json_string_value(json_object_get(m, "type")), type);
	return n;
}

/*
 * Events 1..10 are in the log; a reader live at 10, one that stopped
 * reading at 8 (paused), a catch-up reader. 11 and 12 are delivered, then
 * Redis fails over to a replica that had only 1..10, where 13 is written.
 * The feed comes back: the reader sent 11 and 12 gets one reset and the
 * log as it is now (1..10, 13), then live; the one paused at 8 resumes
 * with 9, 10, 13 and no reset; a new reader resuming from 12 gets one
 * reset, not a loop; nothing is sent twice after a reset.
 */
static void failover_lost_events(void **state)
{
	struct fake_conn *live, *paused, *late;
	json_t *want;
	char prev[48];

	(void)state;
	env(64, 64u << 20, 5000);
	fill(1000, 1000, 8, "entry");
	live = open_reader(NULL);
	paused = open_reader(NULL);
	settle();
	paused->paused = true;
	arrive(9000, "entry");
	arrive(10000, "entry");
	arrive(11000, "entry");
	arrive(12000, "entry");
	settle();
	assert_seqs(live, seqs(1000, 1000, 12));
	assert_seqs(paused, seqs(1000, 1000, 8));

	fake_store_truncate(st, BLOG, 10);   /* the promoted replica had 1..10 */
	fake_store_append(st, BLOG, 13000, "entry", prev);   /* written there, feed away */
	hubs_feed_ready(NULL);               /* back: the hub checks its last event */
	deliver(13000, "entry", prev);       /* then the feed reads on */
	settle();
	paused->paused = false;
	settle();
	late = open_reader("12000-0");
	settle();

	want = seqs(1000, 1000, 10);
	json_array_append_new(want, json_string("13000-0"));
	assert_int_equal(count_type(live, "reset"), 1);
	assert_since_reset(live, want);
	assert_int_equal(count_type(live, "live"), 2);   /* again after the reset's history */
	assert_int_equal(count_type(paused, "reset"), 0);
	assert_seqs(paused, json_deep_copy(want));
	assert_int_equal(count_type(late, "reset"), 1);
	assert_seqs(late, json_deep_copy(want));
	assert_false(live->closed || paused->closed || late->closed);
	arrive(14000, "entry");
	settle();
	json_array_append_new(want, json_string("14000-0"));
	assert_since_reset(live, want);
	assert_seqs(paused, json_deep_copy(want));
	json_decref(want);
}

/* The feed comes back to a log that lost nothing: no reset, no reload, nothing twice. */
static void reconnect_without_loss(void **state)
{
	struct fake_conn *c;
	unsigned long before;

	(void)state;
	fill(1000, 1000, 5, "entry");
	c = open_reader(NULL);
	settle();
	arrive(6000, "entry");
	before = fake_store_ranges(st);
	hubs_feed_ready(NULL);
	settle();
	assert_int_equal(fake_store_ranges(st) - before, 1);   /* the check alone */
	arrive(7000, "entry");
	settle();
	assert_types(c, "hello,entry,entry,entry,entry,entry,live,entry,entry");
	assert_seqs(c, seqs(1000, 1000, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(join_live, setup, teardown),
		cmocka_unit_test_setup_teardown(failover_lost_events, setup, teardown),
		cmocka_unit_test_setup_teardown(reconnect_without_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(join_greeted_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(stats_when_count_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(big_hub_woken_in_few_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(join_behind_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_unknown_since, setup, teardown),
		cmocka_unit_test_setup_teardown(resume_inside_ring_and_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(page_arrives_after_readers_left, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_while_page_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(eviction_while_delivering, setup, teardown),
		cmocka_unit_test_setup_teardown(budget_bounds_a_spray, setup, teardown),
		cmocka_unit_test_setup_teardown(ended_blog, setup, teardown),
		cmocka_unit_test_setup_teardown(live_reader_gets_ended, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_reader_is_culled, setup, teardown),
		cmocka_unit_test_setup_teardown(replay_pacing, setup, teardown),
		cmocka_unit_test_setup_teardown(store_down_then_failing_read, setup, teardown),
		cmocka_unit_test_setup_teardown(random_joins_and_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
