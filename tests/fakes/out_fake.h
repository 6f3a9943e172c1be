/*
 * out_fake.h — a reader's output that records what it would have sent
 * (push/out.h), standing in for a connection in hub tests. A connection
 * is a struct fake_conn passed where lws would pass a wsi.
 */
#ifndef LB_OUT_FAKE_H
#define LB_OUT_FAKE_H

#include <jansson.h>
#include <stdbool.h>

#include "push/hub.h"
#include "push/out.h"

#define FAKE_MAX_MSGS 8192

struct fake_conn {
	struct reader *r;
	bool want_write;         /* asked for WRITEABLE */
	bool paused;             /* a reader that does not read: never writable */
	bool refuse_now;         /* send_now says "not now" */
	bool closed;             /* the connection ended (reader_close was called) */
	int close_code;
	char close_reason[64];
	int deadline;            /* seconds given by deadline(), 0 if none */
	json_t *msgs;            /* every message, parsed, in order */
};

extern const struct out_ops out_fake_ws, out_fake_sse;

/* A connection with a reader of blog from since (NULL: all) over out. */
struct fake_conn *fake_conn_open(const char *blog, const char *since,
				 const struct out_ops *out, double replay);
/* The connection drops (as lws' CLOSED would tell the reader). */
void fake_conn_drop(struct fake_conn *c);
void fake_conn_free(struct fake_conn *c);
/*
 * Delivers WRITEABLE to each connection that asked, until none asks (or
 * rounds run out). Returns the number of WRITEABLE calls made.
 */
int fake_pump(struct fake_conn **conns, int n, int rounds);
/* The seqs of the log events received (entry, edit, delete, ended), as a JSON array. */
json_t *fake_conn_seqs(const struct fake_conn *c);
/* The message types received, as one string "hello,reset,entry,...". */
void fake_conn_types(const struct fake_conn *c, char *out, size_t len);

#endif
