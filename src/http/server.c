/*
 * server.c — the lws context and the HTTP side: request life cycle, bodies,
 * deferred JSON responses, pages and static files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "common/codec.h"
#include "http/assets.h"
#include "http/headers.h"
#include "http/head.h"
#include "http/request.h"
#include "http/watch.h"
#include "http/listener.h"
#include "http/server.h"
#include "liveblog/protocol.h"
#include "push/admit.h"
#include "push/frame.h"
#include "push/hub.h"
#include "push/out.h"
#include "push/ws.h"
#include "push/ws_ext.h"
#include "push/ws_ka.h"
#include "store/redis_store.h"

struct http_pss {
	struct req *req;
	struct reader *sse;      /* an SSE stream: the reader writes, not req */
	bool head;               /* a HEAD request: headers only */
	bool watched;            /* in this loop's watch (watch.h) */
	char ip[CLIENTADDR_STRLEN];   /* an SSE stream's, counted by admit.c */
};

struct req *req_ref(struct req *q)
{
	q->refs++;
	return q;
}

void req_unref(struct req *q)
{
	if (!q || --q->refs)
		return;
	if (q->src_release)
		q->src_release(q->src_arg);
	free(q->body);
	free(q->resp);
	free(q);
}

void req_respond(struct req *q, int status, const char *ctype, char *body,
		 size_t len)
{
	if (q->responded) {
		free(body);
		return;
	}
	q->responded = true;
	if (q->rx_paused && q->wsi)   /* the rest of the body is read and dropped */
		lws_rx_flow_control(q->wsi, 1);
	q->rx_paused = false;
	q->status = status;
	q->ctype = ctype;
	q->resp = body;
	q->resp_len = body && !len ? strlen(body) : len;
	if (q->wsi)
		lws_callback_on_writable(q->wsi);
}

void req_respond_borrowed(struct req *q, int status, const char *ctype,
			  const void *data, size_t len,
			  void (*release)(void *arg), void *arg)
{
	if (q->responded || q->src_release) {
		release(arg);
		return;
	}
	q->src = data;
	q->src_release = release;
	q->src_arg = arg;
	req_respond(q, status, ctype, NULL, 0);
	q->resp_len = len;
}

size_t req_body_limit(const struct req *q)
{
	return (size_t)(q->rm.route == R_MEDIA_POST ? app.cfg.max_media : app.cfg.max_body);
}

/*
 * If-None-Match (RFC 9110 13.1.2): "*", or a list of entity tags, weak
 * ones (W/"...") comparing equal to strong ones.
 */
static bool none_match(const char *header, const char *etag)
{
	char buf[192], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", header);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		t[strcspn(t, " \t")] = '\0';
		if (!strncmp(t, "W/", 2))
			t += 2;
		if (!strcmp(t, "*") || !strcmp(t, etag))
			return true;
	}
	return false;
}

bool req_none_match(const struct req *q, const char *etag)
{
	return q->inm[0] && none_match(q->inm, etag);
}

/* A cacheable response with an ETag: 304 when the request's If-None-Match matches. */
static void respond_cacheable(struct req *q, const char *etag, const char *ctype,
			      char *body, size_t len)
{
	snprintf(q->etag, sizeof(q->etag), "%s", etag);
	if (q->inm[0] && none_match(q->inm, q->etag)) {
		free(body);
		req_respond(q, 304, ctype, NULL, 0);
		return;
	}
	req_respond(q, 200, ctype, body, len);
}

void req_immutable(struct req *q, const char *etag, const char *ctype,
		   char *body, size_t len)
{
	q->cache = "public, max-age=31536000, immutable";
	respond_cacheable(q, etag, ctype, body, len);
}

void req_ended(struct req *q, const char *etag, const char *ctype, char *body,
	       size_t len)
{
	snprintf(q->cache_buf, sizeof(q->cache_buf), "public, max-age=%ld",
		 app.cfg.ended_max_age);
	q->cache = q->cache_buf;
	respond_cacheable(q, etag, ctype, body, len);
}

void req_json(struct req *q, enum lb_status st, const json_t *v)
{
	char *s = codec_dump(v);
	size_t n = s ? strlen(s) : 0;
	char *body = s ? realloc(s, n + 2) : NULL;

	if (!body) {
		free(s);
		req_respond(q, 500, "application/json", NULL, 0);
		return;
	}
	body[n] = '\n';
	body[n + 1] = '\0';
	req_respond(q, status_http(st), "application/json", body, n + 1);
}

void req_error(struct req *q, enum lb_status st, const char *msg)
{
	char *s = codec_error_body(st, msg);
	size_t n = s ? strlen(s) : 0;
	char *body = s ? realloc(s, n + 2) : NULL;

	if (body) {
		body[n] = '\n';
		body[n + 1] = '\0';
	} else {
		free(s);
	}
	req_respond(q, status_http(st), "application/json", body, body ? n + 1 : 0);
}

static enum method method_of(struct lws *wsi, enum lws_token_indexes *tok)
{
	static const struct { enum lws_token_indexes t; enum method m; } map[] = {
		{ WSI_TOKEN_GET_URI, M_GET }, { WSI_TOKEN_POST_URI, M_POST },
		{ WSI_TOKEN_PATCH_URI, M_PATCH }, { WSI_TOKEN_DELETE_URI, M_DELETE },
		{ WSI_TOKEN_PUT_URI, M_PUT }, { WSI_TOKEN_OPTIONS_URI, M_OTHER },
		{ WSI_TOKEN_HEAD_URI, M_OTHER },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (lws_hdr_total_length(wsi, map[i].t)) {
			*tok = map[i].t;
			return map[i].m;
		}
	*tok = WSI_TOKEN_GET_URI;
	return M_OTHER;
}

/*
 * Serves the file named file (a plain name: router.c) of the --www
 * directory from disk, as lws does (HEAD included). Returns the HTTP
 * callback's return value, or -2 when there is no such regular file.
 */
static int serve_file(struct req *q, const char *file)
{
	static const char nocache[] = "cache-control: no-cache\x0d\x0a";
	struct lws *wsi = q->wsi;
	char path[1024], hdr[2048];
	struct stat st;
	int n;

	snprintf(path, sizeof(path), "%s/%s", app.cfg.www, file);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -2;
	strcpy(hdr, nocache);
	if (headers_text(q, hdr + strlen(nocache), sizeof(hdr) - strlen(nocache)) < 0)
		return -1;
	n = lws_serve_http_file(wsi, path, assets_mime(file), hdr, (int)strlen(hdr));
	if (n < 0 || (n > 0 && lws_http_transaction_completed(wsi)))
		return -1;
	return 0;
}

/*
 * Serves the compiled-in file named file: its ETag and Cache-Control:
 * no-cache, so a browser revalidates and gets a 304 while the bytes are
 * the same. Returns 0, -1 (out of memory), or -2 when there is no such file.
 */
static int serve_asset(struct req *q, const char *file)
{
	const struct assets_file *a = assets_find(file);
	char *body;

	if (!a)
		return -2;
	if (lws_hdr_copy(q->wsi, q->inm, sizeof(q->inm), WSI_TOKEN_HTTP_IF_NONE_MATCH) < 0)
		q->inm[0] = '\0';
	q->cache = "no-cache";
	snprintf(q->etag, sizeof(q->etag), "%s", a->etag);
	if (q->inm[0] && none_match(q->inm, a->etag)) {
		req_respond(q, 304, a->mime, NULL, 0);
		return 0;
	}
	body = malloc(a->len);   /* req_respond takes a body it frees */
	if (!body)
		return -1;
	memcpy(body, a->data, a->len);
	req_respond(q, 200, a->mime, body, a->len);
	return 0;
}

/* A file of the pages: from --www DIR when given, else compiled in. */
static int serve_named(struct req *q, const char *file)
{
	return app.cfg.www ? serve_file(q, file) : serve_asset(q, file);
}

/* Pages and static files; -2 when there is no such file. */
static int serve_page(struct req *q)
{
	switch (q->rm.route) {
	case R_PAGE_INDEX:
		return serve_named(q, "index.html");
	case R_PAGE_EDIT:
		return known_has(q->rm.blog) ? serve_named(q, "edit.html") : -2;
	case R_STATIC:
		return serve_named(q, q->rm.file);
	default:
		return -2;
	}
}

/*
 * Routes the request's path. HEAD is GET without the body for the pages
 * and static files; elsewhere (the API, streams) it stays a method the
 * route does not take, as before.
 */
static void route(struct http_pss *pss, struct req *q, const char *path)
{
	router_match(pss->head ? M_GET : q->method, path, &q->rm);
	if (!pss->head)
		return;
	if (q->rm.route == R_PAGE_INDEX || q->rm.route == R_PAGE_EDIT ||
	    q->rm.route == R_STATIC || ROUTER_IS_RENDERED(q->rm.route) ||
	    q->rm.route == R_MEDIA)
		q->method = M_GET;
	else
		router_match(q->method, path, &q->rm);
}

/*
 * From the end of a request to the end of its response lws does not read
 * the connection: watch.h sees it if the peer stirs meanwhile.
 */
static void watch_start(struct lws *wsi, struct http_pss *pss)
{
	if (pss->watched)
		return;
	pss->watched = watch_add(wsi);
	if (!pss->watched)
		lwsl_warn("http: cannot watch a connection (%s): its peer is seen late\n",
			  strerror(errno));
}

static void watch_stop(struct lws *wsi, struct http_pss *pss)
{
	if (pss && pss->watched) {
		watch_del(wsi);
		pss->watched = false;
	}
}

/*
 * GET /sse/blogs/{id}: the events as Server-Sent Events, resuming after
 * Last-Event-ID or ?since=. Admitted like a WebSocket reader (admit.c); a
 * refusal is 503 with Retry-After. Headers go out now; the reader writes
 * the rest. Returns the callback's return value, or -2 for a bad ?replay=.
 */
static int start_sse(struct lws *wsi, struct http_pss *pss, struct req *q)
{
	unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start,
		      *end = buf + sizeof(buf) - 1;
	static const char nocache[] = "no-cache";
	char since[64], speed[32];
	const char *s = lws_get_urlarg_by_name(wsi, "since=", since, sizeof(since));
	struct reader_opts o = { .out = &out_sse, .replay = 0 };
	enum admit_result r;

	if (lws_hdr_custom_copy(wsi, since, sizeof(since), "last-event-id:", 14) > 0)
		s = since;
	if (replay_speed(lws_get_urlarg_by_name(wsi, "replay=", speed, sizeof(speed)),
			 &o.replay))
		return -2;
	r = admit_reader(wsi, pss->ip);
	if (r != ADMIT_OK) {
		q->retry_after = ADMIT_RETRY_SECS;
		req_error(q, LB_UNAVAILABLE, admit_message(r));
		return 0;
	}
	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/event-stream",
					LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
					 (const unsigned char *)nocache,
					 (int)strlen(nocache), &p, end) ||
	    headers_add(wsi, q, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);   /* a stream, not a transaction */
	watch_start(wsi, pss);
	if (!pss->watched)
		return -1;   /* unwatched, its peer's hang-up would spin the loop */
	pss->sse = reader_open(wsi, q->rm.blog, s, &o);
	if (!pss->sse)
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static void read_args(struct lws *wsi, struct req *q)
{
	char buf[256];

	if (lws_hdr_copy(wsi, q->inm, sizeof(q->inm), WSI_TOKEN_HTTP_IF_NONE_MATCH) < 0)
		q->inm[0] = '\0';
	if (lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_AUTHORIZATION) > 0 &&
	    !strncasecmp(buf, "Bearer ", 7))
		snprintf(q->token, sizeof(q->token), "%s", buf + 7);
	q->has_since = lws_get_urlarg_by_name(wsi, "since=", buf, sizeof(buf)) != NULL;
	if (q->has_since)
		snprintf(q->since, sizeof(q->since), "%s",
			 lws_get_urlarg_by_name(wsi, "since=", buf, sizeof(buf)));
	q->has_before = lws_get_urlarg_by_name(wsi, "before=", buf, sizeof(buf)) != NULL;
	if (q->has_before)
		snprintf(q->before, sizeof(q->before), "%s",
			 lws_get_urlarg_by_name(wsi, "before=", buf, sizeof(buf)));
	q->has_limit = lws_get_urlarg_by_name(wsi, "limit=", buf, sizeof(buf)) != NULL;
	if (q->has_limit)
		snprintf(q->limit, sizeof(q->limit), "%s",
			 lws_get_urlarg_by_name(wsi, "limit=", buf, sizeof(buf)));
}

/* Runs the route once: a body may still arrive after an early dispatch. */
static void dispatch(struct req *q)
{
	if (q->dispatched)
		return;
	q->dispatched = true;
	api_dispatch(q);
}

/*
 * The framing of a request as lws parsed it, by head.c's rule: this covers
 * every request of a keep-alive connection, where the door saw only the
 * first. lws keeps a repeated header as fragments, the total length
 * counting one separator per extra fragment. NULL, or a 400's message.
 */
static const char *framing_error(struct lws *wsi)
{
	enum lws_token_indexes t = WSI_TOKEN_HTTP_CONTENT_LENGTH;
	int total = lws_hdr_total_length(wsi, t);
	unsigned count = !total ? 0 : total > lws_hdr_fragment_length(wsi, t, 0) ? 2 : 1;
	unsigned long long n;
	char cl[24];
	int len = count ? lws_hdr_copy_fragment(wsi, cl, sizeof(cl), t, 0) : -1;
	bool valid = len >= 0 && !head_content_length(cl, (size_t)len, &n);

	return head_framing(count, valid,
			    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0);
}

/*
 * A request whose body lws cannot delimit (a framing error, a chunked body,
 * no Content-Length): the error goes out at once, from LWS_CALLBACK_HTTP
 * (as lws_return_http_status() does), with Connection: close. Returns -1
 * for the callback to return: lws closes the connection, so nothing after
 * this request is ever read as another one.
 */
static int refuse_framing(struct lws *wsi, enum lb_status st, const char *msg)
{
	unsigned char hbuf[LWS_PRE + 1024], *start = hbuf + LWS_PRE, *p = start,
		      *end = hbuf + sizeof(hbuf) - 1, *b;
	char *json = codec_error_body(st, msg);
	size_t n = json ? strlen(json) : 0;

	b = json ? malloc(LWS_PRE + n + 1) : NULL;
	if (b && !lws_add_http_common_headers(wsi, (unsigned int)status_http(st),
					      "application/json", n + 1, &p, end) &&
	    !lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
					  (const unsigned char *)"no-store", 8, &p, end) &&
	    !lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
					  (const unsigned char *)"close", 5, &p, end) &&
	    !lws_finalize_write_http_header(wsi, start, &p, end)) {
		memcpy(b + LWS_PRE, json, n);
		b[LWS_PRE + n] = '\n';
		lws_write(wsi, b + LWS_PRE, n + 1, LWS_WRITE_HTTP_FINAL);
	}
	free(b);
	free(json);
	return -1;
}

/*
 * LWS_CALLBACK_HTTP: route the request; serve files at once, answer API
 * calls later. Returns the callback's return value.
 */
static int on_http(struct lws *wsi, struct http_pss *pss)
{
	enum lws_token_indexes tok;
	char path[512], cl[32];
	const char *bad;
	struct req *q;
	int n;

	metrics.http_requests++;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -1;
	q->refs = 1;
	q->wsi = wsi;
	pss->req = q;
	q->method = method_of(wsi, &tok);
	pss->head = tok == WSI_TOKEN_HEAD_URI;
	if (lws_hdr_copy(wsi, path, sizeof(path), tok) < 0)
		path[0] = '\0';
	route(pss, q, path);
	if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) >= (int)sizeof(q->origin) ||
	    lws_hdr_copy(wsi, q->origin, sizeof(q->origin), WSI_TOKEN_ORIGIN) < 0)
		q->origin[0] = '\0';   /* no Origin, or none we could trust: no CORS */
	if (lws_hdr_copy(wsi, q->host, sizeof(q->host), WSI_TOKEN_HOST) < 0)
		q->host[0] = '\0';
	if ((bad = framing_error(wsi)))
		return refuse_framing(wsi, LB_BAD_REQUEST, bad);
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING))
		return refuse_framing(wsi, LB_LENGTH_REQUIRED,
				      "A chunked request body is not supported: send Content-Length.");
	if (q->rm.route == R_SSE && known_has(q->rm.blog)) {
		n = start_sse(wsi, pss, q);
		if (n != -2)
			return n;
		req_error(q, LB_BAD_REQUEST, "\"replay\" must be a speed such as 10.");
		return 0;
	}
	if (q->rm.route >= R_SSE && !ROUTER_IS_RENDERED(q->rm.route)) {
		n = serve_page(q);
		if (n != -2)
			return n;
		q->rm.route = R_NOT_FOUND;
	}
	if (q->rm.route == R_NOT_FOUND && strncmp(path, "/api/", 5)) {
		api_page_404(q);   /* a person's browser: a page, not JSON */
		return 0;
	}
	read_args(wsi, q);
	if (!router_has_body(q->rm.route)) {
		watch_start(wsi, pss);
		dispatch(q);
		return 0;
	}
	if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return refuse_framing(wsi, LB_LENGTH_REQUIRED, NULL);
	q->expect = strtoul(cl, NULL, 10);   /* checked by framing_error() */
	if (q->expect > req_body_limit(q)) {
		api_write_error(q, LB_TOO_LARGE, "The request body is larger than the limit.");
		return 0;
	}
	q->body_done = !q->expect;
	if (q->body_done)
		watch_start(wsi, pss);
	if (q->rm.route == R_MEDIA_POST)
		api_media_begin(q);   /* the token before the body */
	else if (!q->expect)
		dispatch(q);
	return 0;
}

/*
 * lws 4.1.6 bug: a request with a body that was pipelined behind another
 * (its head came out of lws' buffer, not a fresh read) gets its own head
 * handed over as its body (lws_http_action() drains the wsi's buffer as if
 * it held only body, while its head is still in it), after which lws
 * loops on BODY_COMPLETION and wedges the whole event loop. A body that
 * starts like a request line is that head (JSON never does): the
 * connection is closed at once, nothing dispatched.
 */
static bool is_own_head(const char *in, size_t len)
{
	static const char *const methods[] = { "GET ", "POST ", "PATCH ", "PUT ",
					       "DELETE ", "HEAD ", "OPTIONS " };

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t n = strlen(methods[i]);

		if (!memcmp(in, methods[i], len < n ? len : n))
			return true;
	}
	return false;
}

static int on_body(struct req *q, const void *in, size_t len)
{
	if (!len)
		return 0;
	if (!q->len && !q->body_seen && is_own_head(in, len))
		return -1;
	q->body_seen = true;
	if (q->responded || q->refused)
		return 0;
	if (q->len + len > req_body_limit(q)) {
		api_write_error(q, LB_TOO_LARGE, "The request body is larger than the limit.");
		return 0;
	}
	if (q->len + len + 1 > q->cap) {
		size_t cap = q->expect + 1 > q->len + len + 1 ? q->expect + 1 : q->len + len + 1;
		char *b = realloc(q->body, cap);

		if (!b)
			return -1;
		q->body = b;
		q->cap = cap;
	}
	memcpy(q->body + q->len, in, len);
	q->len += len;
	q->body[q->len] = '\0';
	return 0;
}

static void detach(struct lws *wsi, struct http_pss *pss);

#define RESP_CHUNK (32 * 1024)   /* body bytes per WRITEABLE */

static int add_retry_after(struct lws *wsi, int secs, unsigned char **p,
			   unsigned char *end)
{
	char v[16];
	int n = snprintf(v, sizeof(v), "%d", secs);

	return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_RETRY_AFTER,
					    (const unsigned char *)v, n, p, end);
}

/* The response's status line and headers. Returns 0 or -1. */
static int write_headers(struct lws *wsi, const struct req *q)
{
	unsigned char hbuf[LWS_PRE + 3072], *start = hbuf + LWS_PRE, *p = start,
		      *end = hbuf + sizeof(hbuf) - 1;
	const char *cache = q->cache ? q->cache : "no-store";

	if (lws_add_http_common_headers(wsi, (unsigned int)q->status, q->ctype,
					q->resp_len, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
					 (const unsigned char *)cache,
					 (int)strlen(cache), &p, end) ||
	    (q->retry_after > 0 && add_retry_after(wsi, q->retry_after, &p, end)) ||
	    (q->etag[0] && lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ETAG,
					 (const unsigned char *)q->etag,
					 (int)strlen(q->etag), &p, end)) ||
	    headers_add(wsi, q, &p, end))
		return -1;
	return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;
}

/* Writes body[0..len) (the last piece when final) through LWS_PRE headroom. */
static int write_chunk(struct lws *wsi, const unsigned char *body, size_t len,
		       bool final)
{
	static _Thread_local unsigned char buf[LWS_PRE + RESP_CHUNK];

	memcpy(buf + LWS_PRE, body, len);
	return lws_write(wsi, buf + LWS_PRE, len, final ? LWS_WRITE_HTTP_FINAL :
			 LWS_WRITE_HTTP) == (int)len ? 0 : -1;
}

/*
 * Writes the response: the headers and up to RESP_CHUNK bytes of the body
 * now, the rest a chunk per WRITEABLE (lws keeps what the socket did not
 * take and calls back once it has gone), so a large body neither blocks
 * the loop nor is copied whole. The pss may be freed by lws_http_
 * transaction_completed(), so the request is detached before that.
 */
static int on_writeable(struct lws *wsi, struct http_pss *pss)
{
	struct req *q = pss->req;
	const unsigned char *body;
	size_t left, n;

	if (!q || !q->responded)
		return 0;
	if (!q->headers_sent && write_headers(wsi, q))
		return -1;
	q->headers_sent = true;
	body = q->src ? q->src : (const unsigned char *)q->resp;
	left = pss->head || !body ? 0 : q->resp_len - q->sent;
	if (left) {
		n = left > RESP_CHUNK ? RESP_CHUNK : left;
		if (write_chunk(wsi, body + q->sent, n, n == left))
			return -1;
		q->sent += n;
		if (n < left) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	}
	detach(wsi, pss);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void detach(struct lws *wsi, struct http_pss *pss)
{
	watch_stop(wsi, pss);
	if (pss && pss->req) {
		pss->req->wsi = NULL;
		req_unref(pss->req);
		pss->req = NULL;
	}
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason,
			 void *user, void *in, size_t len)
{
	struct http_pss *pss = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		detach(wsi, pss);   /* keep-alive: a new request on the same pss */
		return on_http(wsi, pss);
	case LWS_CALLBACK_HTTP_BODY:
		return pss->req ? on_body(pss->req, in, len) : 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (pss->req)
			pss->req->body_done = true;
		if (pss->req && !pss->req->responded && !pss->req->refused) {
			watch_start(wsi, pss);   /* its answer is due */
			dispatch(pss->req);
		}
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (pss->sse)
			return reader_writable(pss->sse);
		return on_writeable(wsi, pss);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		detach(wsi, pss);
		if (pss && pss->sse) {
			reader_close(pss->sse);
			pss->sse = NULL;
		}
		if (pss)
			admit_release(pss->ip);
		break;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* a WebSocket without the liveblog.v1 subprotocol */
		lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST, NULL);
		return -1;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static _Thread_local struct lws_protocols protocols[6];

/*
 * No hangup: lws' validity timers are off (their sorted list costs
 * O(connections) per insert); readers' keepalive is ws_ka.c's.
 */
static const lws_retry_bo_t no_validity_policy = { .secs_since_valid_hangup = 0 };

int server_create(int listen_fd)
{
	struct lws_context_creation_info info;

	protocols[0] = (struct lws_protocols){ "http", http_callback,
					       sizeof(struct http_pss), 0, 0, NULL, 128 * 1024 };
	/*
	 * rx 512: readers send next to nothing (per-connection buffer). tx:
	 * without it lws cuts every send to the rx size, three send()s for a
	 * 1 KB entry; one send per (batch of) frames halves the CPU per delivery.
	 */
	protocols[1] = (struct lws_protocols){ LB_SUBPROTOCOL, ws_callback,
					       ws_pss_size(), 512, 0, NULL, 128 * 1024 };
	protocols[2] = rconn_protocol;
	protocols[3] = listener_protocol;
	protocols[4] = watch_protocol;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;   /* listener.c listens */
	info.protocols = protocols;
	/* security headers: ours (headers.c), since the embed page may be framed */
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.retry_and_idle_policy = &no_validity_policy;
	/* permessage-deflate: frames compressed once per loop (ws_ext.h) */
	info.extensions = app.cfg.compress ? ws_ext_table : NULL;
	frame_compression(app.cfg.compress);
	info.timeout_secs = 20;
	/*
	 * The front loop has room for any head the door lets through (lws
	 * closes one that overflows without a word); see head.h.
	 */
	info.max_http_header_data = listen_fd >= 0 ? HEAD_AH_FRONT : HEAD_AH_STREAM;
	info.vhost_name = "default";
	app.ctx = lws_create_context(&info);
	if (!app.ctx)
		return -1;
	app.vh = lws_get_vhost_by_name(app.ctx, "default");
	if (!app.vh)
		return -1;
	/* the vhost's own copy of the protocol: connections point at that one */
	ws_ka_start(app.ctx, app.vh, lws_vhost_name_to_protocol(app.vh, LB_SUBPROTOCOL),
		    (int)app.cfg.ping_secs);
	return listen_fd < 0 || !listener_adopt(app.vh, listen_fd) ? 0 : -1;
}

void server_destroy(void)
{
	ws_ka_stop();
	listener_release();
	if (app.ctx)
		lws_context_destroy(app.ctx);
	app.ctx = NULL;
}
