/*
 * out_fake.c — see out_fake.h.
 */
#include <stdlib.h>
#include <string.h>

#include "out_fake.h"

static struct fake_conn *conn(struct lws *wsi)
{
	return (struct fake_conn *)wsi;
}

static void record(struct fake_conn *c, const unsigned char *text, size_t len)
{
	json_t *v = json_loadb((const char *)text, len, 0, NULL);

	json_array_append_new(c->msgs, v ? v : json_string("__invalid__"));
}

static void f_wake(struct lws *wsi)
{
	conn(wsi)->want_write = true;
}

static void f_deadline(struct lws *wsi, int secs)
{
	conn(wsi)->deadline = secs;
}

static int f_message(struct lws *wsi, unsigned char *text, size_t len,
		     const char *id, bool first)
{
	(void)id;
	(void)first;
	record(conn(wsi), text, len);
	return 0;
}

/* Unframes server WebSocket frames (RFC 6455 5.2, unmasked) back to back. */
static int f_frames(struct lws *wsi, const unsigned char *wire, size_t len)
{
	size_t at = 0;

	while (at + 2 <= len) {
		uint64_t n = wire[at + 1] & 0x7f;
		size_t hdr = 2;

		if (n == 126) {
			n = (uint64_t)wire[at + 2] << 8 | wire[at + 3];
			hdr = 4;
		} else if (n == 127) {
			n = 0;
			for (int i = 0; i < 8; i++)
				n = n << 8 | wire[at + 2 + i];
			hdr = 10;
		}
		if (wire[at] != 0x81 || at + hdr + n > len)
			return -1;
		record(conn(wsi), wire + at + hdr, (size_t)n);
		at += hdr + (size_t)n;
	}
	return at == len ? 0 : -1;
}

static bool f_send_now(struct lws *wsi, const unsigned char *wire, size_t len,
		       bool *failed)
{
	*failed = false;
	if (conn(wsi)->refuse_now || conn(wsi)->paused)
		return false;
	return f_frames(wsi, wire, len) == 0;
}

static void f_close(struct lws *wsi, int code, const char *reason)
{
	conn(wsi)->close_code = code;
	snprintf(conn(wsi)->close_reason, sizeof(conn(wsi)->close_reason), "%s", reason);
}

const struct out_ops out_fake_ws = {
	.wake = f_wake, .deadline = f_deadline, .message = f_message,
	.frames = f_frames, .send_now = f_send_now, .close = f_close,
};

const struct out_ops out_fake_sse = {
	.wake = f_wake, .deadline = f_deadline, .message = f_message,
	.frames = NULL, .send_now = f_send_now, .close = f_close,
};

struct fake_conn *fake_conn_open(const char *blog, const char *since,
				 const struct out_ops *out, double replay)
{
	struct fake_conn *c = calloc(1, sizeof(*c));
	struct reader_opts o = { .out = out, .replay = replay };

	c->msgs = json_array();
	c->want_write = true;   /* lws calls WRITEABLE once the handshake is done */
	c->r = reader_open((struct lws *)c, blog, since, &o);
	return c;
}

void fake_conn_drop(struct fake_conn *c)
{
	if (c->closed)
		return;
	c->closed = true;
	reader_close(c->r);
}

void fake_conn_free(struct fake_conn *c)
{
	fake_conn_drop(c);
	json_decref(c->msgs);
	free(c);
}

int fake_pump(struct fake_conn **conns, int n, int rounds)
{
	int calls = 0;
	bool any = true;

	for (int round = 0; any && round < rounds; round++) {
		any = false;
		for (int i = 0; i < n; i++) {
			struct fake_conn *c = conns[i];

			if (!c || c->closed || c->paused || !c->want_write)
				continue;
			c->want_write = false;
			any = true;
			calls++;
			if (reader_writable(c->r) < 0)
				fake_conn_drop(c);
		}
	}
	return calls;
}

json_t *fake_conn_seqs(const struct fake_conn *c)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(c->msgs, i, m) {
		const char *t = json_string_value(json_object_get(m, "type"));

		if (t && (!strcmp(t, "entry") || !strcmp(t, "edit") ||
			  !strcmp(t, "delete") || !strcmp(t, "ended")))
			json_array_append(out, json_object_get(m, "seq"));
	}
	return out;
}

void fake_conn_types(const struct fake_conn *c, char *out, size_t len)
{
	json_t *m;
	size_t i, at = 0;

	out[0] = '\0';
	json_array_foreach(c->msgs, i, m) {
		const char *t = json_string_value(json_object_get(m, "type"));
		int n = snprintf(out + at, len - at, "%s%s", at ? "," : "", t ? t : "?");

		if (n < 0 || (size_t)n >= len - at)
			return;
		at += (size_t)n;
	}
}
