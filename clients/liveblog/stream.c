/*
 * stream.c — the WebSocket client of the live stream. The stream object
 * lives on stream_run()'s stack; stream_run() only returns once lws has
 * reported the end of the last connection, so no callback outlives it.
 * A redirect of the handshake is never followed: it ends the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "msg.h"
#include "reply.h"
#include "stream.h"
#include "url.h"

#define STREAM_PROTOCOL "liveblog.v1"
#define STREAM_MAX_FRAME (4u << 20)	/* bytes of one reassembled frame */
#define STREAM_FIRST_TRIES 4		/* attempts before the first success */
#define STREAM_BACKOFF_MS 250		/* doubling, with 20 % jitter */
#define STREAM_BACKOFF_MAX_MS 8000
#define STREAM_ENDED_GRACE_MS 2000	/* wait for the close after "ended" */

struct stream {
	const struct stream_opts *o;
	struct lws *wsi;
	lws_sorted_usec_list_t retry_sul;	/* next connection attempt */
	lws_sorted_usec_list_t ended_sul;	/* hang up if no close comes */
	char last_seq[48];	/* last event delivered, "" before any */
	char *frame;		/* message being reassembled */
	size_t frame_len;
	int hs_status;		/* HTTP status of the upgrade answer */
	char location[API_MAX_LOCATION];	/* of a 3xx upgrade answer */
	int close_code;		/* from the server's close frame */
	char close_reason[64];
	int attempting;		/* a connection is under way */
	int connected_once;
	int failures;		/* consecutive failed attempts */
	int ended;		/* the "ended" event was delivered */
	int fatal;		/* stop without retrying; result is 1 */
	int done;
	int result;
};

static void do_connect(lws_sorted_usec_list_t *sul);

/* Ends the run with an exit code. */
static void stop(struct stream *s, int result)
{
	s->done = 1;
	s->result = result;
	loop_wake();
}

/* Delay before attempt number s->failures + 1: doubling, capped, jittered. */
static long backoff_ms(const struct stream *s)
{
	long ms = STREAM_BACKOFF_MS;
	int i;

	for (i = 1; i < s->failures && ms < STREAM_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > STREAM_BACKOFF_MAX_MS)
		ms = STREAM_BACKOFF_MAX_MS;
	return ms - ms / 5 + rand() % (2 * (ms / 5) + 1);
}

/*
 * Plans the next attempt after a connection failed or dropped (why says
 * how), or gives up when the server never answered at all.
 */
static void retry_later(struct stream *s, const char *why)
{
	long ms;

	s->failures++;
	if (!s->connected_once && s->failures >= STREAM_FIRST_TRIES) {
		msg_error("%s: cannot reach %s: %s", s->o->subject,
			  s->o->api->server, why);
		stop(s, 1);
		return;
	}
	ms = backoff_ms(s);
	if (s->connected_once)
		msg_error("%s: %s; reconnecting in %.1f s", s->o->subject, why,
			  (double)ms / 1000);
	lws_sul_schedule(loop_context(), 0, &s->retry_sul, do_connect,
			 (lws_usec_t)ms * LWS_US_PER_MS);
}

/* The upgrade was answered with an HTTP error: not worth retrying. */
static void refused(struct stream *s)
{
	if (s->hs_status == 404)
		msg_error("%s: no blog '%s' on %s (404)", s->o->subject,
			  s->o->blog, s->o->api->server);
	else
		msg_error("%s: the server refused the stream (%d)",
			  s->o->subject, s->hs_status);
	stop(s, 1);
}

/* A connection attempt failed before the WebSocket was up. */
static void on_failure(struct stream *s, const char *why)
{
	char lower[160];

	s->attempting = 0;
	s->wsi = NULL;
	if (s->hs_status >= 300 && s->hs_status < 400) {
		api_report_redirect(s->o->subject, s->hs_status, s->location);
		stop(s, 1);
		return;
	}
	if (s->hs_status >= 400 && s->hs_status < 500) {
		refused(s);
		return;
	}
	snprintf(lower, sizeof(lower), "%s", why);
	msg_lower(lower);
	if (s->hs_status >= 500)
		snprintf(lower, sizeof(lower), "server answered %d",
			 s->hs_status);
	retry_later(s, lower);
}

/* An established connection ended: done, or resume later. */
static void on_closed(struct stream *s)
{
	char why[128];

	s->attempting = 0;
	s->wsi = NULL;
	lws_sul_cancel(&s->ended_sul);
	if (s->fatal) {
		stop(s, 1);
		return;
	}
	if (s->ended || s->close_code == LWS_CLOSE_STATUS_NORMAL) {
		stop(s, 0);
		return;
	}
	if (s->close_code)
		snprintf(why, sizeof(why), "connection closed (%d %s)",
			 s->close_code, s->close_reason);
	else
		snprintf(why, sizeof(why), "connection lost");
	s->failures = 0;
	retry_later(s, why);
}

/* Builds the stream path: /ws/blogs/ID[?since=SEQ][&replay=N]. */
static void stream_path(const struct stream *s, char *out, size_t outsz)
{
	char speed[64] = "";
	int n;

	n = snprintf(out, outsz, "%s/ws/blogs/%s",
		     s->o->api->url.prefix, s->o->blog);
	if (s->last_seq[0])
		n += snprintf(out + n, outsz - (size_t)n, "?since=%s",
			      s->last_seq);
	if (s->o->replay && !url_escape(s->o->replay, speed, sizeof(speed)))
		snprintf(out + n, outsz - (size_t)n, "%sreplay=%s",
			 s->last_seq[0] ? "&" : "?", speed);
}

/* Starts one connection attempt (scheduled on retry_sul). */
static void do_connect(lws_sorted_usec_list_t *sul)
{
	static const lws_retry_bo_t idle = {
		.secs_since_valid_ping = 30,	/* ping a silent server */
		.secs_since_valid_hangup = 45,	/* and drop it if it is gone */
	};
	struct stream *s = lws_container_of(sul, struct stream, retry_sul);
	const struct url *u = &s->o->api->url;
	struct lws_client_connect_info i;
	char path[1024];

	stream_path(s, path, sizeof(path));
	memset(&i, 0, sizeof(i));
	i.context = loop_context();
	i.address = u->host;
	i.port = u->port;
	i.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT |
			   (u->tls ? LCCSCF_USE_SSL : 0);
	i.path = path;
	i.host = u->authority;
	i.origin = u->authority;
	i.protocol = STREAM_PROTOCOL;
	i.local_protocol_name = LOOP_PROTO_WS;
	i.userdata = s;
	i.pwsi = &s->wsi;
	i.retry_and_idle_policy = &idle;
	s->hs_status = 0;
	s->location[0] = '\0';
	s->close_code = 0;
	s->close_reason[0] = '\0';
	s->frame_len = 0;
	s->attempting = 1;
	if (!lws_client_connect_via_info(&i) && s->attempting)
		on_failure(s, "cannot open a connection");
}

/* Hangs up if the server did not close after "ended". */
static void ended_timeout(lws_sorted_usec_list_t *sul)
{
	struct stream *s = lws_container_of(sul, struct stream, ended_sul);

	if (s->wsi)
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK,
				LWS_TO_KILL_ASYNC);
}

/*
 * Delivers a stored event once: events at or before the last seq seen
 * are repeats after a reconnect and are dropped.
 */
static void deliver_event(struct stream *s, const json_t *v)
{
	const char *seq = reply_str(v, "seq");

	if (s->last_seq[0] && reply_seq_cmp(seq, s->last_seq) <= 0)
		return;
	snprintf(s->last_seq, sizeof(s->last_seq), "%s", seq);
	s->o->on_frame(s->o->ctx, v);
	if (strcmp(reply_str(v, "type"), "ended"))
		return;
	s->ended = 1;
	lws_sul_schedule(loop_context(), 0, &s->ended_sul, ended_timeout,
			 (lws_usec_t)STREAM_ENDED_GRACE_MS * LWS_US_PER_MS);
}

/* Checks and dispatches one whole frame. Returns -1 to hang up. */
static int handle_frame(struct stream *s, const char *buf, size_t len)
{
	char why[200];
	const char *type;
	json_t *v;

	v = reply_parse(REPLY_FRAME, buf, len, why, sizeof(why));
	if (!v) {
		msg_error("%s: bad frame from %s: %s", s->o->subject,
			  s->o->api->server, why);
		s->fatal = 1;
		return -1;
	}
	type = reply_str(v, "type");
	if (!strcmp(type, "entry") || !strcmp(type, "edit") ||
	    !strcmp(type, "delete") || !strcmp(type, "ended")) {
		deliver_event(s, v);
	} else {
		/* A reset means our cursor is unknown: the whole log follows. */
		if (!strcmp(type, "reset"))
			s->last_seq[0] = '\0';
		s->o->on_frame(s->o->ctx, v);
	}
	json_decref(v);
	return 0;
}

/* Reassembles a (possibly fragmented) text message. Returns -1 to hang up. */
static int on_receive(struct stream *s, struct lws *wsi, const void *in,
		      size_t len)
{
	char *grown;
	int rc;

	if (s->frame_len + len > STREAM_MAX_FRAME) {
		msg_error("%s: frame from %s larger than %u bytes",
			  s->o->subject, s->o->api->server, STREAM_MAX_FRAME);
		s->fatal = 1;
		return -1;
	}
	grown = realloc(s->frame, s->frame_len + len + 1);
	if (!grown) {
		msg_error("%s: out of memory", s->o->subject);
		s->fatal = 1;
		return -1;
	}
	s->frame = grown;
	memcpy(s->frame + s->frame_len, in, len);
	s->frame_len += len;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return 0;
	rc = lws_frame_is_binary(wsi) ? 0 :
		handle_frame(s, s->frame, s->frame_len);
	s->frame_len = 0;
	return rc;
}

/* Keeps the close code and reason of the server's close frame. */
static void on_peer_close(struct stream *s, const unsigned char *in,
			  size_t len)
{
	size_t n;

	if (len < 2)
		return;
	s->close_code = in[0] << 8 | in[1];
	n = len - 2 < sizeof(s->close_reason) - 1 ? len - 2 :
		sizeof(s->close_reason) - 1;
	memcpy(s->close_reason, in + 2, n);
	s->close_reason[n] = '\0';
}

int stream_callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct stream *s = user;

	if (!s)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		s->hs_status = (int)lws_http_client_http_response(wsi);
		if (s->hs_status < 300 || s->hs_status > 399)
			return 0;
		/* A redirect: keep where it pointed, hang up, never follow. */
		api_location(wsi, s->location, sizeof(s->location));
		return -1;
	case LWS_CALLBACK_CLIENT_HTTP_REDIRECT:
		/* Not asked for (LCCSCF_HTTP_NO_FOLLOW_REDIRECT): refuse. */
		s->hs_status = (int)len;
		snprintf(s->location, sizeof(s->location), "%s",
			 in ? (const char *)in : "");
		return -1;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		s->connected_once = 1;
		s->failures = 0;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(s, wsi, in, len);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		on_peer_close(s, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		on_failure(s, in ? (const char *)in : "connection failed");
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		on_closed(s);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int stream_run(const struct stream_opts *o)
{
	struct stream s;

	memset(&s, 0, sizeof(s));
	s.o = o;
	if (!loop_context())
		return 1;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	do_connect(&s.retry_sul);
	loop_run(&s.done);
	lws_sul_cancel(&s.retry_sul);
	lws_sul_cancel(&s.ended_sul);
	if (!s.done) {
		msg_error("%s: event loop stopped", o->subject);
		s.result = 1;
	}
	if (s.wsi)
		lws_set_wsi_user(s.wsi, NULL);
	free(s.frame);
	return s.result;
}
