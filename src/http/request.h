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
	bool has_since, has_limit;
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
	int retry_after;         /* > 0: a Retry-After header, in seconds */
	bool body_seen;          /* a body chunk arrived */
};

struct req *req_ref(struct req *q);
void req_unref(struct req *q);
/* Sets the response (takes body, malloc'd) and asks lws for WRITEABLE. */
void req_respond(struct req *q, int status, const char *ctype, char *body,
		 size_t len);
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
void api_page_cache_free(void);
/* A blog's rendered page, if kept, is dropped (it was redacted). */
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
