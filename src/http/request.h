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
	int status;
	char *resp;
	size_t resp_len;
	const char *ctype;
	char headers[256];       /* extra "name: value\r\n" lines */
};

struct req *req_ref(struct req *q);
void req_unref(struct req *q);
/* Sets the response (takes body, malloc'd) and asks lws for WRITEABLE. */
void req_respond(struct req *q, int status, const char *ctype, char *body,
		 size_t len);
void req_json(struct req *q, enum lb_status st, const json_t *v);
void req_error(struct req *q, enum lb_status st, const char *msg);

/* api.c: runs the route once the request (and its body) is complete. */
void api_dispatch(struct req *q);

#endif
