/*
 * request.h — one HTTP request: its route, body and deferred response.
 *
 * Redis answers after LWS_CALLBACK_HTTP returns, and the client may be gone
 * by then: the request is a refcounted heap object whose wsi is cleared
 * when the connection closes; a late reply then just drops it.
 */
#ifndef LB_REQUEST_H
#define LB_REQUEST_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdbool.h>

#include "common/codec.h"
#include "http/router.h"
#include "status.h"

struct req {
	unsigned refs;
	struct lws *wsi;
	enum method method;
	struct route_match rm;
	char *body;
	size_t len, cap, expect;
	char token[256];
	char since[64];
	char limit[24];
	char before[64];         /* GET .../entries?before= */
	char origin[256];        /* the Origin header, "" when none (or too long) */
	char host[256];          /* the Host header */
	bool has_since, has_limit, has_before;
	bool dispatched;
	bool responded;
	bool refused;            /* api_write_error is deciding the answer */
	int status;
	char *resp;
	size_t resp_len;
	const char *ctype;
	const char *cache;       /* Cache-Control; NULL: no-store */
	char cache_buf[48];
	char etag[192];          /* ETag of the response, when cacheable */
	char inm[192];           /* the request's If-None-Match */
	void (*then)(struct req *q, const struct lb_blog *b);   /* api_as_editor */
	enum lb_status err_status;   /* api_write_error: the error to give if not ended */
	char err_msg[256];
	/* pictures (api_media.c) */
	bool authorised;         /* an upload's token was checked before its body */
	bool rx_paused;          /* its body waits for the check (lws_rx_flow_control) */
	bool body_done;          /* the whole body is in */
	char req_type[64];       /* the request's Content-Type */
	const char *csp;         /* Content-Security-Policy of the response, or NULL */
	/* a borrowed response body (a cached picture), released with the request */
	const unsigned char *src;
	void (*src_release)(void *arg);
	void *src_arg;
	/* writing the response: large bodies go out a chunk per WRITEABLE */
	bool headers_sent;
	size_t sent;
	int retry_after;         /* > 0: a Retry-After header, in seconds */
	bool body_seen;          /* a body chunk arrived */
};

struct req *req_ref(struct req *q);
void req_unref(struct req *q);
/* Sets the response (takes body, malloc'd) and asks lws for WRITEABLE. */
void req_respond(struct req *q, int status, const char *ctype, char *body,
		 size_t len);
/*
 * Like req_respond with a body the request borrows: data stays valid until
 * release(arg), which runs when the request is freed (at once if it has
 * already been answered).
 */
void req_respond_borrowed(struct req *q, int status, const char *ctype,
			  const void *data, size_t len,
			  void (*release)(void *arg), void *arg);
/* True when the request's If-None-Match names etag (or is "*"). */
bool req_none_match(const struct req *q, const char *etag);
/* The largest body the request's route takes (--max-media for uploads). */
size_t req_body_limit(const struct req *q);
void req_json(struct req *q, enum lb_status st, const json_t *v);
void req_error(struct req *q, enum lb_status st, const char *msg);
/*
 * An immutable response (an ended blog's): Cache-Control for a year and an
 * ETag; 304 with no body when the request's If-None-Match matches.
 */
void req_immutable(struct req *q, const char *etag, const char *ctype,
		   char *body, size_t len);
/*
 * An ended blog's page or events: they change only on a redaction, so
 * caches keep them --ended-max-age seconds and then revalidate (ETag;
 * 304 when If-None-Match matches). Never immutable.
 */
void req_ended(struct req *q, const char *etag, const char *ctype, char *body,
	       size_t len);

/* api.c: runs the route once the request (and its body) is complete. */
void api_dispatch(struct req *q);
/*
 * api_media.c: an upload's head is in, its body not yet: checks its
 * Content-Type and token first, so that no body is read for a request
 * that will be refused (the body's reading is paused while the token is
 * looked up). Answers, or lets the body come.
 */
void api_media_begin(struct req *q);
void api_page_cache_free(void);
/* Every kept rendering of a blog (page, entry pages, ...) is dropped (it was redacted). */
void api_page_forget(const char *blog);
/*
 * Refuses a write for what it carries (st, msg): as `ended` instead when
 * it is a write to a blog that has ended (SPEC: every write to an ended
 * blog gets 409 whatever else is wrong with it, authorisation aside).
 */
void api_write_error(struct req *q, enum lb_status st, const char *msg);
/* 404 with www/404.html, for paths a browser asked for. */
void api_page_404(struct req *q);

#endif
