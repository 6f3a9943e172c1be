/*
 * reader.c — one reader of a blog: the protocol's order (hello, reset if
 * its `since` is not in the log, the history after since, `live`, then
 * live events and stats), catch-up through shared pages, the live cursor
 * into the hub's ring, replay pacing, culling. Writes go through its
 * output (out.h); see hub.h for the contract.
 */
#include <stdlib.h>
#include <string.h>

#include "liveblog/protocol.h"
#include "push/hub_internal.h"
#include "push/timer.h"

#define CULL_GRACE_S 15
#define BATCH_FRAMES 32
#define BATCH_BYTES  (64 * 1024)

static _Thread_local unsigned long loop_readers;
static _Thread_local unsigned char *batch_buf;

static bool reader_greet(struct reader *r);

static void reader_unref(struct reader *r)
{
	if (--r->refs)
		return;
	for (int i = r->qpos; i < r->qn; i++)
		frame_unref(r->q[i]);
	free(r);
}

void reader_wake(struct reader *r)
{
	if (r->wsi)
		r->out->wake(r->wsi);
}

void reader_cull(struct reader *r, int code, const char *reason)
{
	if (r->closing || !r->wsi)
		return;
	r->closing = true;
	r->close_code = code;
	r->close_reason = reason;
	if (code == LB_CLOSE_POLICY)
		metrics.readers_culled++;
	/* A reader that never reads never becomes writable: bound its life. */
	r->out->deadline(r->wsi, CULL_GRACE_S);
	reader_wake(r);
}

/* ---- catch-up ---- */

/* Queues the window of a page's events from index `from` on. */
static void take_window(struct reader *r, const struct page_view *p, size_t from)
{
	size_t bytes = 0;

	r->qn = r->qpos = 0;
	for (size_t i = from; i < p->n && r->qn < WINDOW_FRAMES; i++) {
		if (r->qn && bytes + p->f[i]->len > WINDOW_BYTES)
			break;
		bytes += p->f[i]->len;
		r->q[r->qn++] = frame_ref(p->f[i]);
		snprintf(r->since, sizeof(r->since), "%s", p->f[i]->seq_str);
	}
}

/* A since the log does not hold: say so, then everything from the start, then `live`. */
static void reader_reset(struct reader *r)
{
	r->verify = false;
	r->reset_pending = true;
	r->live_sent = false;
	strcpy(r->since, "0-0");
	reader_wake(r);
}

static void on_page_ready(struct page_waiter *w, enum lb_status st)
{
	struct reader *r = lws_container_of(w, struct reader, pw);

	r->waiting = false;
	if (!r->wsi) {
		/* gone while it waited */
	} else if (st == LB_NOT_FOUND && r->verify) {
		reader_reset(r);   /* nothing at or after since: beyond the log's end */
		reader_advance(r);
	} else if (st == LB_NOT_FOUND) {
		r->state = R_WAIT;   /* nothing there yet: the hub wakes it */
	} else if (st != LB_OK) {
		reader_cull(r, 1011, "unavailable");
	} else {
		reader_advance(r);
	}
	reader_unref(r);
}

/* Moves a catching-up reader on through the hub's pages; true when it waits. */
static void reader_catch_up(struct reader *r)
{
	struct page_view p;
	size_t from;

	r->state = R_CATCHUP;
	switch (pages_find(r->hub, r->since, r->verify, &r->pw, &p, &from)) {
	case PAGE_HIT:
		if (r->verify) {
			r->verify = false;
			if (from == p.n) {
				reader_advance(r);   /* since is a page's last event */
				return;
			}
		}
		take_window(r, &p, from);
		reader_wake(r);
		return;
	case PAGE_WAIT:
		r->waiting = true;
		r->refs++;
		return;
	case PAGE_ABSENT:
		reader_reset(r);
		reader_advance(r);
		return;
	case PAGE_ERROR:
		reader_cull(r, 1011, "unavailable");
		return;
	}
}

/*
 * Moves a reader on once its window is empty: into the ring when the ring
 * holds its position, else through pages of the log.
 */
void reader_advance(struct reader *r)
{
	struct hub *h = r->hub;
	struct lb_seq since;
	int64_t at;

	if (!r->wsi || r->waiting || r->closing || r->qpos < r->qn || !h->ready)
		return;
	text_seq_parse(r->since, &since);
	at = ring_after(&h->ring, &since);
	/* the ring's base is not known to be an event: a resume there is verified */
	if (at >= 0 && !(r->verify && !text_seq_cmp(&since, &h->ring.base) &&
			 strcmp(r->since, "0-0"))) {
		r->verify = false;
		r->state = R_LIVE;
		r->cursor = (uint64_t)at;
		if (!reader_greet(r))
			reader_wake(r);
		return;
	}
	if (!r->verify && text_seq_cmp(&since, &h->ring.last) > 0) {
		r->state = R_WAIT;   /* ahead of this hub: it will catch up */
		return;
	}
	reader_catch_up(r);
}

/*
 * The hub's ring is going: the log lost its newest events (a failover to a
 * replica that lacked them) and the hub loads again. Once it is ready,
 * the reader resumes from the last event it was sent, verified against
 * the log like any resume: a reader that was sent an event now gone gets
 * a reset and the log, the others go on with no message. A reader waiting
 * on a page keeps its place: that read goes to the server in use now.
 */
void reader_rewind(struct reader *r)
{
	const struct ring *ring = &r->hub->ring;

	if (r->state == R_LIVE) {
		if (ring_evicted(ring, r->cursor)) {
			reader_cull(r, LB_CLOSE_POLICY, "slow");   /* its place is gone */
			return;
		}
		if (r->cursor > ring_first(ring))
			snprintf(r->since, sizeof(r->since), "%s", ring_at(ring, r->cursor - 1)->seq_str);
		else
			text_seq_format(&ring->base, r->since);
		r->state = R_WAIT;
	}
	if (!r->waiting && strcmp(r->since, "0-0"))
		r->verify = true;
}

/* ---- join and leave ---- */

struct reader *reader_open(struct lws *wsi, const char *blog, const char *since,
			   const struct reader_opts *o)
{
	struct hub *h = hub_get(blog);
	struct reader *r = h ? calloc(1, sizeof(*r)) : NULL;
	struct lb_seq seq;

	if (!r)
		return NULL;
	r->refs = 1;
	r->wsi = wsi;
	r->hub = h;
	r->out = o->out;
	r->replay = o->replay;
	r->pw.ready = on_page_ready;
	r->notice_next = h->notice_head;   /* what is in the log is redacted already */
	hub_ref(h);
	r->state = R_WAIT;
	if (since && text_seq_parse(since, &seq) && (seq.ms || seq.n)) {
		text_seq_format(&seq, r->since);
		r->verify = true;
	} else {
		/* no since, "0", "0-0": everything; garbage: a reset, then everything */
		strcpy(r->since, "0-0");
		r->reset_pending = since && !text_seq_parse(since, &seq);
	}
	lws_dll2_add_tail(&r->link, &h->readers);
	metrics.readers++;
	metrics.loop_readers[hub_env.worker]++;
	loop_readers++;
	metrics.readers_total++;
	reader_advance(r);
	return r;
}

void reader_peer_closing(struct reader *r)
{
	r->peer_closing = true;
}

void reader_close(struct reader *r)
{
	struct hub *h = r->hub;

	r->wsi = NULL;
	timer_cancel(&r->sul_replay);
	lws_dll2_remove(&r->link);
	metrics.readers--;
	metrics.loop_readers[hub_env.worker]--;
	loop_readers--;
	reader_unref(r);
	hub_unref(h);
}

void reader_redact(struct reader *r, const char *entry)
{
	for (int i = r->qpos; i < r->qn; i++)
		hub_redact_slot(&r->q[i], entry);
}

unsigned long hubs_readers(void)
{
	return loop_readers;
}

/* ---- writing ---- */

static void note_latency(const struct frame *f, lws_usec_t now)
{
	double s = (double)(now - f->born) / 1e6;
	int i = 0;

	while (i < FANOUT_BUCKETS && s > fanout_bounds[i])
		i++;
	if (i < FANOUT_BUCKETS)
		metrics.fanout_bucket[i]++;
	metrics.fanout_count++;
	metrics.fanout_sum_us += (unsigned long)(s * 1e6);
}

static void note_ended(struct reader *r, const struct frame *f)
{
	if (f->ended) {
		r->closing = true;
		r->close_code = LB_CLOSE_NORMAL;
		r->close_reason = "ended";
	}
}

/*
 * One message of the stream (not an event of the log), never compressed:
 * it is built for this reader alone (RSV1 is per message). Frees v.
 */
static int send_json(struct reader *r, json_t *v)
{
	struct frame *f = v ? frame_message(v) : NULL;
	int n = f ? r->out->message(r->wsi, f->buf + LWS_PRE, f->len, NULL,
				    !r->hello_sent) : -1;

	frame_unref(f);
	json_decref(v);
	return n;
}

/* One shared frame: compressed, as it was built, to a reader that negotiated. */
static int write_frame(struct reader *r, struct frame *f)
{
	unsigned char *w;
	size_t len;

	if (r->out->deflate) {
		w = frame_wire_for(f, true, &len);
		return r->out->frames(r->wsi, w, len);
	}
	return r->out->message(r->wsi, f->buf + LWS_PRE, f->len,
			       f->seq.ms || f->seq.n ? f->seq_str : NULL, false);
}

static int send_frame(struct reader *r, struct frame *f, bool live)
{
	if (write_frame(r, f))
		return -1;
	metrics.frames_sent++;
	if (live)
		note_latency(f, timer_now());
	if (f->seq.ms) {
		r->replay_last_ms = f->seq.ms;
		r->replay_sent = timer_now();
	}
	note_ended(r, f);
	return 0;
}

/*
 * A live reader's owed events, up to BATCH_FRAMES / BATCH_BYTES, as one
 * buffer of wire bytes copied back to back; one frame is its shared
 * buffer, copying nothing. Returns the number of frames, or -1; *out and
 * *len are the bytes.
 */
static int live_batch(struct reader *r, unsigned char **out, size_t *len)
{
	const struct ring *ring = &r->hub->ring;
	bool z = r->out->deflate;
	size_t total = 0, n = 0, wl;
	unsigned char *w;

	while (r->cursor + n < ring->head && n < BATCH_FRAMES) {
		frame_wire_for(ring_at(ring, r->cursor + n), z, &wl);
		if (n && total + wl > BATCH_BYTES)
			break;
		total += wl;
		n++;
	}
	if (n == 1) {
		*out = frame_wire_for(ring_at(ring, r->cursor), z, len);
		return 1;
	}
	if (!batch_buf && !(batch_buf = malloc(LWS_PRE + BATCH_BYTES + 16)))
		return -1;
	*out = batch_buf + LWS_PRE;
	*len = 0;
	for (size_t i = 0; i < n; i++) {
		w = frame_wire_for(ring_at(ring, r->cursor + i), z, &wl);
		memcpy(*out + *len, w, wl);
		*len += wl;
	}
	return (int)n;
}

/* Moves the reader past n frames just written. */
static void live_sent(struct reader *r, int n)
{
	const struct ring *ring = &r->hub->ring;
	lws_usec_t now = timer_now();

	metrics.frames_sent += (unsigned long)n;   /* shared: once per batch */
	for (int i = 0; i < n; i++) {
		struct frame *f = ring_at(ring, r->cursor++);

		note_latency(f, now);
		note_ended(r, f);
	}
}

/* In WRITEABLE: the owed events in one write. Frames sent, or -1. */
static int send_live_batch(struct reader *r)
{
	unsigned char *out;
	size_t len;
	int n = live_batch(r, &out, &len);

	if (n < 0 || r->out->frames(r->wsi, out, len))
		return -1;
	live_sent(r, n);
	return n;
}

/*
 * From the wake pass, not WRITEABLE: a live reader's new events straight
 * to its socket (see out.h send_now). False: take the POLLOUT way.
 */
bool reader_send_now(struct reader *r)
{
	unsigned char *out;
	size_t len;
	bool failed;
	int n;

	if (!r->wsi || !r->out->frames || r->replay > 0 || !r->hello_sent ||
	    !r->live_sent || r->reset_pending || r->closing || r->peer_closing ||
	    r->cursor >= r->hub->ring.head || r->notice_next < r->hub->notice_head)
		return false;
	n = live_batch(r, &out, &len);
	if (n < 0 || !r->out->send_now(r->wsi, out, len, &failed))
		return false;
	if (failed)
		reader_cull(r, 1011, "write failed");
	live_sent(r, n);
	if (r->closing || r->cursor < r->hub->ring.head)
		reader_wake(r);
	return true;
}

/* Appends n wire bytes at out + *len; false when the batch has no room. */
static bool put_wire(unsigned char *out, size_t *len, const unsigned char *w, size_t n)
{
	if (*len + n > BATCH_BYTES)
		return false;
	memcpy(out + *len, w, n);
	*len += n;
	return true;
}

/*
 * Into batch_buf: hello, then as many of the n events owed as one batch
 * holds, then `live` when all of them fit. Returns the number of events
 * put (*with_live: live too), or -1.
 */
static int greeting(struct reader *r, size_t n, size_t *len, bool *with_live)
{
	struct hub *h = r->hub;
	json_t *hv = codec_hello(&h->meta), *lv = codec_live(h->ring.last_str);
	struct frame *hello = hv ? frame_message(hv) : NULL;
	struct frame *live = lv ? frame_message(lv) : NULL;
	unsigned char *out = batch_buf + LWS_PRE, *w;
	size_t i = 0, wl;
	int put = -1;

	*len = 0;
	if (!hello || !live)
		goto out_free;
	w = frame_wire(hello, &wl);
	if (!put_wire(out, len, w, wl))
		goto out_free;
	for (; i < n && i < BATCH_FRAMES; i++) {
		w = frame_wire_for(ring_at(&h->ring, r->cursor + i), r->out->deflate, &wl);
		if (!put_wire(out, len, w, wl))
			break;
	}
	w = frame_wire(live, &wl);
	*with_live = i == n && put_wire(out, len, w, wl);
	put = (int)i;
out_free:
	frame_unref(hello);
	frame_unref(live);
	json_decref(hv);
	json_decref(lv);
	return put;
}

/*
 * A reader that goes live as it joins (the ring holds its position):
 * hello, the events it is owed and `live` in one send straight to the
 * socket (out.h send_now), not one WRITEABLE each: with lws' poll(), each
 * WRITEABLE round is a pass over all of the loop's connections, and a
 * thousand readers joining paid several each. When more is owed than a
 * batch holds, hello and the first batch go so, the rest at WRITEABLE.
 * False: not this way (a replay, a reset to say, an ended blog, the
 * socket or lws holding output); WRITEABLE does it all, as before.
 */
static bool reader_greet(struct reader *r)
{
	struct hub *h = r->hub;
	size_t n = (size_t)(h->ring.head - r->cursor), len;
	bool failed, with_live = false;
	int put;

	if (!r->out->frames || r->hello_sent || r->reset_pending || r->replay > 0 ||
	    r->closing || h->meta.ended || ring_evicted(&h->ring, r->cursor))
		return false;
	if (!batch_buf && !(batch_buf = malloc(LWS_PRE + BATCH_BYTES + 16)))
		return false;
	put = greeting(r, n, &len, &with_live);
	if (put < 0 || !r->out->send_now(r->wsi, batch_buf + LWS_PRE, len, &failed))
		return false;
	r->hello_sent = true;
	live_sent(r, put);
	if (with_live) {
		r->live_sent = true;
		r->stats_gen = h->stats_gen;
	}
	if (failed)
		reader_cull(r, 1011, "write failed");
	else if (!with_live)
		reader_wake(r);
	return true;
}

void hubs_thread_exit(void)
{
	free(batch_buf);
	batch_buf = NULL;
	frame_thread_exit();
}

static void replay_due(lws_sorted_usec_list_t *sul)
{
	reader_wake(lws_container_of(sul, struct reader, sul_replay));
}

/*
 * Replay pacing: true when event f is not due yet (a timer wakes the
 * reader then). Gaps are the original ones divided by the speed, capped.
 */
static bool replay_wait(struct reader *r, const struct frame *f)
{
	double gap_ms;
	lws_usec_t due, now = timer_now();

	if (r->replay <= 0 || r->live_sent || !r->replay_last_ms ||
	    f->seq.ms < r->replay_last_ms)
		return false;
	gap_ms = (double)(f->seq.ms - r->replay_last_ms) / r->replay;
	if (gap_ms > (double)hub_env.replay_cap_ms)
		gap_ms = (double)hub_env.replay_cap_ms;
	due = r->replay_sent + (lws_usec_t)(gap_ms * 1000);
	if (now >= due)
		return false;
	timer_schedule(&r->sul_replay, replay_due, due - now);
	return true;
}

/* The next event frame owed to the reader, or NULL. */
static struct frame *next_event(const struct reader *r)
{
	const struct ring *ring = &r->hub->ring;

	if (r->state == R_CATCHUP && r->qpos < r->qn)
		return r->q[r->qpos];
	if (r->state == R_LIVE && r->cursor < ring->head && !ring_evicted(ring, r->cursor))
		return ring_at(ring, r->cursor);
	return NULL;
}

enum wrote { W_ERROR = -1, W_IDLE, W_SENT, W_PACED };

static enum wrote send_event(struct reader *r, struct frame *f)
{
	int ret;

	if (replay_wait(r, f))
		return W_PACED;
	if (r->state == R_CATCHUP) {
		r->qpos++;
		ret = send_frame(r, f, false);
		frame_unref(f);
		if (r->qpos == r->qn)
			reader_advance(r);
	} else if (r->out->frames && r->replay <= 0) {
		ret = send_live_batch(r) < 0;
	} else {
		r->cursor++;
		ret = send_frame(r, f, r->replay <= 0);
	}
	return ret ? W_ERROR : W_SENT;
}

/* Once the history is out: `live`, or a normal close on an ended blog. */
static enum wrote send_caught_up(struct reader *r)
{
	struct hub *h = r->hub;

	if (!r->live_sent && h->meta.ended) {
		/* resumed at or past `ended`: nothing can follow, close normally */
		r->closing = true;
		r->close_code = LB_CLOSE_NORMAL;
		r->close_reason = "ended";
		return W_SENT;
	}
	if (!r->live_sent) {
		r->live_sent = true;
		r->stats_gen = h->stats_gen;
		return send_json(r, codec_live(h->ring.last_str)) ? W_ERROR : W_SENT;
	}
	if (h->stats && r->stats_gen != h->stats_gen) {
		r->stats_gen = h->stats_gen;
		return send_frame(r, h->stats, false) ? W_ERROR : W_SENT;
	}
	return W_IDLE;
}

/*
 * The next redact message owed. A reader so far behind that the hub no
 * longer holds it is dropped ("slow"): it reloads, from a redacted log.
 */
static enum wrote send_notice(struct reader *r)
{
	struct hub *h = r->hub;

	if (h->notice_head - r->notice_next > NOTICES) {
		reader_cull(r, LB_CLOSE_POLICY, "slow");
		return W_IDLE;
	}
	return send_frame(r, h->notice[r->notice_next++ % NOTICES], false) ?
	       W_ERROR : W_SENT;
}

/* Writes the next message owed to the reader (one per WRITEABLE). */
static enum wrote reader_write_one(struct reader *r)
{
	struct hub *h = r->hub;
	struct frame *f;
	int ret;

	if (!r->hello_sent) {
		ret = send_json(r, codec_hello(&h->meta));
		r->hello_sent = true;
		return ret ? W_ERROR : W_SENT;
	}
	if (r->reset_pending) {
		r->reset_pending = false;
		return send_json(r, codec_reset()) ? W_ERROR : W_SENT;
	}
	if (r->notice_next < h->notice_head)
		return send_notice(r);
	if (r->state == R_LIVE && ring_evicted(&h->ring, r->cursor)) {
		reader_cull(r, LB_CLOSE_POLICY, "slow");
		return W_IDLE;
	}
	if ((f = next_event(r)))
		return send_event(r, f);
	if (r->state != R_LIVE)
		return W_IDLE;
	return send_caught_up(r);
}

static bool has_more(const struct reader *r)
{
	const struct hub *h = r->hub;

	if (r->closing || !r->hello_sent || r->reset_pending ||
	    r->notice_next < h->notice_head)
		return true;
	if (r->state == R_CATCHUP)
		return r->qpos < r->qn;
	if (r->state != R_LIVE)
		return false;
	return r->cursor < h->ring.head || !r->live_sent ||
	       (h->stats && r->stats_gen != h->stats_gen);
}

int reader_writable(struct reader *r)
{
	enum wrote w;

	/* WRITEABLE comes only once earlier frames drained: safe to close. */
	if (r->closing) {
		r->out->close(r->wsi, r->close_code, r->close_reason);
		return -1;
	}
	if (!r->hello_sent && !r->hub->ready)
		return 0;
	w = reader_write_one(r);
	if (w == W_ERROR)
		return -1;
	if (w == W_SENT && has_more(r))
		reader_wake(r);
	return 0;
}
