/*
 * api.c — one HTTP request at a time over the lws client. The request
 * lives on the caller's stack; the loop runs until lws reports the end of
 * the connection (completed, closed or failed), and every exit detaches
 * the request from its wsi, so no callback can touch it afterwards.
 * Redirects are never followed (lws is told not to, and refused if it
 * tries): a 3xx ends the request, and the token only ever goes to the
 * origin of --server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "loop.h"
#include "msg.h"

#define API_TIMEOUT_S 15		/* whole request, LIVEBLOG_TIMEOUT */
#define API_MAX_REPLY (64u << 20)	/* bytes of one reply body */
#define API_TRIES 4			/* with API_RETRY */
#define API_BACKOFF_MS 200		/* doubling between tries */
#define API_CHUNK 4096			/* body bytes per write */

struct req {
	const struct url *url;		/* the only origin the token goes to */
	const char *method;
	const char *token;
	const char *body;
	size_t body_len;
	const char *ctype;		/* the body's Content-Type */
	size_t sent;
	struct api_reply *r;
	struct lws *wsi;
	lws_sorted_usec_list_t sul;	/* whole-request timeout */
	int completed;			/* the reply arrived whole */
	int finished;			/* lws is done with the wsi */
	int timed_out;
};

/* Seconds a request may take: LIVEBLOG_TIMEOUT or the default. */
static int timeout_secs(void)
{
	const char *s = getenv("LIVEBLOG_TIMEOUT");
	int n = s ? atoi(s) : 0;

	return n > 0 ? n : API_TIMEOUT_S;
}

/*
 * Ends the request: detaches it from its wsi and, unless the reply came
 * whole, turns it into a network failure explaining why.
 */
static void finish(struct req *q, struct lws *wsi, const char *why)
{
	if (q->finished)
		return;
	q->finished = 1;
	/* This may run in a timer, before lws sleeps in poll(): wake it. */
	loop_wake();
	q->wsi = NULL;
	if (wsi)
		lws_set_wsi_user(wsi, NULL);
	if (q->completed)
		return;
	q->r->status = 0;
	q->r->timed_out = q->timed_out;
	snprintf(q->r->neterr, sizeof(q->r->neterr), "%s", why);
	msg_lower(q->r->neterr);
}

/*
 * True when the request being composed on wsi goes to the server's own
 * origin: the address, the Host (which carries the port) and the scheme
 * we connected with. lws rewrites them when it retargets a connection.
 */
static int to_server_origin(struct lws *wsi, const struct url *u)
{
	char addr[sizeof(u->host)], host[sizeof(u->authority)];

	if (lws_hdr_copy(wsi, addr, sizeof(addr),
			 _WSI_TOKEN_CLIENT_PEER_ADDRESS) < 0 ||
	    lws_hdr_copy(wsi, host, sizeof(host), _WSI_TOKEN_CLIENT_HOST) < 0)
		return 0;
	return !strcmp(addr, u->host) && !strcmp(host, u->authority) &&
	       !lws_is_ssl(wsi) == !u->tls;
}

/*
 * Adds our headers to the request being composed at *p (len bytes left).
 * Refuses (-1) to send a token anywhere but to the server's origin.
 */
static int add_headers(struct lws *wsi, struct req *q, unsigned char **p,
		       size_t len)
{
	unsigned char *end = *p + len;
	char auth[1100], clen[32];
	int n;

	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ACCEPT,
			(const unsigned char *)"application/json", 16, p, end))
		return -1;
	if (q->token && !to_server_origin(wsi, q->url))
		return -1;
	if (q->token) {
		n = snprintf(auth, sizeof(auth), "Bearer %s", q->token);
		if (n >= (int)sizeof(auth) ||
		    lws_add_http_header_by_token(wsi,
				WSI_TOKEN_HTTP_AUTHORIZATION,
				(const unsigned char *)auth, n, p, end))
			return -1;
	}
	if (!q->body)
		return 0;
	n = snprintf(clen, sizeof(clen), "%zu", q->body_len);
	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
			(const unsigned char *)q->ctype, (int)strlen(q->ctype), p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
			(const unsigned char *)clen, n, p, end))
		return -1;
	lws_client_http_body_pending(wsi, 1);
	lws_callback_on_writable(wsi);
	return 0;
}

/* Writes the next chunk of the request body; the last one is FINAL. */
static int write_body(struct lws *wsi, struct req *q)
{
	unsigned char buf[LWS_PRE + API_CHUNK];
	size_t n = q->body_len - q->sent;
	int last, mode;

	if (!q->body || q->sent >= q->body_len)
		return 0;
	last = n <= API_CHUNK;
	if (!last)
		n = API_CHUNK;
	memcpy(buf + LWS_PRE, q->body + q->sent, n);
	mode = last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP;
	if (lws_write(wsi, buf + LWS_PRE, n, (enum lws_write_protocol)mode) !=
	    (int)n)
		return -1;
	q->sent += n;
	if (last)
		lws_client_http_body_pending(wsi, 0);
	else
		lws_callback_on_writable(wsi);
	return 0;
}

/* Appends a piece of the reply body, refusing replies past the cap. */
static int append(struct req *q, const void *in, size_t len)
{
	struct api_reply *r = q->r;
	char *grown;

	if (r->len + len > API_MAX_REPLY)
		return -1;
	grown = realloc(r->body, r->len + len + 1);
	if (!grown)
		return -1;
	memcpy(grown + r->len, in, len);
	r->body = grown;
	r->len += len;
	r->body[r->len] = '\0';
	return 0;
}

/* Drains readable body bytes; lws hands them to RECEIVE_CLIENT_HTTP_READ. */
static int read_body(struct lws *wsi)
{
	char buf[LWS_PRE + API_CHUNK], *p = buf + LWS_PRE;
	int n = API_CHUNK;

	return lws_http_client_read(wsi, &p, &n) < 0 ? -1 : 0;
}

void api_location(struct lws *wsi, char *out, size_t outsz)
{
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_LOCATION);

	out[0] = '\0';
	if (n <= 0)
		return;
	if ((size_t)n >= outsz ||
	    lws_hdr_copy(wsi, out, (int)outsz, WSI_TOKEN_HTTP_LOCATION) < 0)
		snprintf(out, outsz, "(too long)");
}

/*
 * The status line has arrived. A 3xx ends the request here, whatever its
 * body (which may never come): it is reported, never followed. Returns
 * -1 to hang up.
 */
static int on_status(struct lws *wsi, struct req *q)
{
	struct api_reply *r = q->r;

	r->status = (int)lws_http_client_http_response(wsi);
	if (r->status < 300 || r->status > 399)
		return 0;
	api_location(wsi, r->location, sizeof(r->location));
	q->completed = 1;
	finish(q, wsi, "");
	return -1;
}

int api_callback(struct lws *wsi, enum lws_callback_reasons reason,
		 void *user, void *in, size_t len)
{
	struct req *q = user;

	if (!q)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return add_headers(wsi, q, in, len);
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		return write_body(wsi, q);
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		return on_status(wsi, q);
	case LWS_CALLBACK_CLIENT_HTTP_REDIRECT:
		/* Not asked for (LCCSCF_HTTP_NO_FOLLOW_REDIRECT): refuse. */
		q->r->status = (int)len;
		snprintf(q->r->location, sizeof(q->r->location), "%s",
			 in ? (const char *)in : "");
		q->completed = 1;
		finish(q, wsi, "");
		return -1;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
		return read_body(wsi);
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		return append(q, in, len);
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		q->completed = 1;
		finish(q, wsi, "");
		return -1;	/* one request per connection: hang up now */
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		finish(q, wsi, in ? (const char *)in : "connection failed");
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		finish(q, wsi, "connection closed before the reply was complete");
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Fires when a request takes too long: lws closes it, finish() follows. */
static void on_timeout(lws_sorted_usec_list_t *sul)
{
	struct req *q = lws_container_of(sul, struct req, sul);

	q->timed_out = 1;
	if (q->wsi)
		lws_set_timeout(q->wsi, PENDING_TIMEOUT_USER_OK,
				LWS_TO_KILL_ASYNC);
}

/*
 * Connects and runs the loop until the request is over. Returns 0 when a
 * whole reply came (r->status set), -1 otherwise (r->neterr set).
 */
static int send_once(const struct api *api, struct req *q, const char *path,
		     struct lws_context *ctx)
{
	struct lws_client_connect_info i;

	memset(&i, 0, sizeof(i));
	i.context = ctx;
	i.address = api->url.host;
	i.port = api->url.port;
	i.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT |
			   (api->url.tls ? LCCSCF_USE_SSL : 0);
	i.path = path;
	i.host = api->url.authority;
	i.origin = api->url.authority;
	i.method = q->method;
	i.protocol = LOOP_PROTO_HTTP;
	i.alpn = "http/1.1";
	i.userdata = q;
	i.pwsi = &q->wsi;
	lws_sul_schedule(ctx, 0, &q->sul, on_timeout,
			 (lws_usec_t)timeout_secs() * LWS_USEC_PER_SEC);
	if (!lws_client_connect_via_info(&i) && !q->finished)
		finish(q, NULL, "cannot open a connection");
	loop_run(&q->finished);
	lws_sul_cancel(&q->sul);
	if (!q->finished)
		finish(q, q->wsi, "event loop stopped");
	return q->completed ? 0 : -1;
}

/* Sleeps ms milliseconds (between retries; the loop has nothing to do). */
static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

int api_send(const struct api *api, const char *method, const char *path,
	     const char *body, int flags, struct api_reply *r)
{
	return api_send_bytes(api, method, path, body, body ? strlen(body) : 0,
			      "application/json", flags, r);
}

int api_send_bytes(const struct api *api, const char *method, const char *path,
		   const void *body, size_t len, const char *ctype, int flags,
		   struct api_reply *r)
{
	struct lws_context *ctx = loop_context();
	char full[2048];
	long wait = API_BACKOFF_MS;
	int try, rc = -1;

	memset(r, 0, sizeof(*r));
	snprintf(r->neterr, sizeof(r->neterr), "cannot start libwebsockets");
	if (!ctx)
		return -1;
	snprintf(full, sizeof(full), "%s%s", api->url.prefix, path);
	for (try = 1; ; try++) {
		struct req q = { .url = &api->url, .method = method,
				 .token = api->token,
				 .body = body, .r = r, .ctype = ctype,
				 .body_len = body ? len : 0 };

		rc = send_once(api, &q, full, ctx);
		if (!(flags & API_RETRY) || try >= API_TRIES ||
		    (rc == 0 && r->status < 500))
			break;
		/* Same request, same body (and entry id): at most once. */
		api_reply_release(r);
		pause_ms(wait);
		wait *= 2;
	}
	return rc;
}

void api_reply_release(struct api_reply *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* A short phrase for a status the server gave no readable message with. */
static const char *status_phrase(int status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized (check the token)";
	case 403: return "forbidden";
	case 404: return "not found";
	case 409: return "conflict";
	case 413: return "too large";
	case 503: return "server unavailable";
	}
	return status >= 500 ? "server error" : "unexpected answer";
}

void api_report_redirect(const char *subject, int status,
			 const char *location)
{
	if (*location)
		msg_error("%s: the server answered %d, a redirect to %.300s; "
			  "not followed", subject, status, location);
	else
		msg_error("%s: the server answered %d, a redirect without a "
			  "Location; not followed", subject, status);
}

void api_report(const struct api *api, const char *subject,
		const struct api_reply *r)
{
	char why[200];
	const char *msg, *code;
	json_t *e;

	if (!r->status && r->timed_out) {
		msg_error("%s: no answer from %s within %d s", subject,
			  api->server, timeout_secs());
		return;
	}
	if (!r->status) {
		msg_error("%s: cannot reach %s: %s", subject, api->server,
			  r->neterr);
		return;
	}
	if (r->status >= 300 && r->status <= 399) {
		api_report_redirect(subject, r->status, r->location);
		return;
	}
	e = reply_parse(REPLY_ERROR, r->body, r->len, why, sizeof(why));
	msg = e ? reply_str(e, "message") : NULL;
	code = e ? reply_str(e, "error") : NULL;
	if (!msg || !*msg)
		msg = status_phrase(r->status);
	if (code)
		msg_error("%s: %.300s (%d %.40s)", subject, msg, r->status, code);
	else
		msg_error("%s: %s (%d)", subject, msg, r->status);
	json_decref(e);
}

json_t *api_call(const struct api *api, const char *method,
		 const char *path, const json_t *body, int flags,
		 enum reply_kind kind, const char *subject, int *status)
{
	struct api_reply r;
	char *text = NULL, why[200];
	json_t *v = NULL;

	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		msg_error("%s: out of memory", subject);
		return NULL;
	}
	if (api_send(api, method, path, text, flags, &r) == 0 &&
	    r.status >= 200 && r.status < 300) {
		v = reply_parse(kind, r.body, r.len, why, sizeof(why));
		if (!v)
			msg_error("%s: bad reply from %s: %s", subject,
				  api->server, why);
	} else {
		api_report(api, subject, &r);
	}
	if (status)
		*status = r.status;
	api_reply_release(&r);
	free(text);
	return v;
}
