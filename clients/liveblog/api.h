/*
 * api.h — HTTP requests to the liveblog API over libwebsockets' client,
 * one at a time, blocking the caller while the loop runs. Retries for
 * idempotent writes, and the one-line error report of a failed call.
 */
#ifndef LIVEBLOG_CLI_API_H
#define LIVEBLOG_CLI_API_H

#include <stddef.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "reply.h"
#include "url.h"

struct api {
	struct url url;
	const char *token;	/* bearer token, or NULL */
	const char *server;	/* the URL as given, for messages */
};

#define API_MAX_LOCATION 512	/* bytes of a Location kept for messages */

struct api_reply {
	int status;		/* HTTP status; 0 when no answer came */
	char *body;		/* malloc'd, NUL-terminated, or NULL */
	size_t len;
	char neterr[160];	/* when status is 0: why, lower-case */
	int timed_out;		/* when status is 0: no answer in time */
	char location[API_MAX_LOCATION]; /* a 3xx's Location, never followed */
};

enum api_flags {
	/*
	 * Retry on network errors and 5xx with a short doubling backoff. Only
	 * for requests that may be applied twice without harm: reads, posts
	 * carrying their entry id, ending a blog.
	 */
	API_RETRY = 1,
};

/*
 * Sends one request (path starts with "/" and is relative to the
 * server's prefix; body is NUL-terminated JSON or NULL) and fills r.
 * Returns 0 when the server answered (any status), -1 when it did not
 * (r->neterr says why). r must be released with api_reply_release()
 * either way.
 */
int api_send(const struct api *api, const char *method, const char *path,
	     const char *body, int flags, struct api_reply *r);
/* api_send with a body of len bytes (binary) of type ctype (body NULL: none). */
int api_send_bytes(const struct api *api, const char *method, const char *path,
		   const void *body, size_t len, const char *ctype, int flags,
		   struct api_reply *r);

void api_reply_release(struct api_reply *r);

/*
 * The usual call: sends body (borrowed, may be NULL), and on a 2xx
 * answer parses it as kind. On any failure prints one line naming
 * subject ("liveblog: post summit: ...") and returns NULL; otherwise a
 * new reference. *status (if not NULL) gets the HTTP status or 0.
 */
json_t *api_call(const struct api *api, const char *method,
		 const char *path, const json_t *body, int flags,
		 enum reply_kind kind, const char *subject, int *status);

/*
 * Prints the one-line error for a failed reply r about subject: the
 * server's message and status, or why nothing came back.
 */
void api_report(const struct api *api, const char *subject,
		const struct api_reply *r);

/*
 * Copies the Location header of the answer on wsi into out (outsz bytes,
 * NUL-terminated): "" when there is none, "(too long)" when it does not
 * fit. For messages only: the client never follows a redirect.
 */
void api_location(struct lws *wsi, char *out, size_t outsz);

/*
 * Prints the one-line error for a 3xx answer: the status and where it
 * pointed (location, may be ""), and that it was not followed.
 */
void api_report_redirect(const char *subject, int status,
			 const char *location);

/* The lws protocol callback of HTTP requests (see loop.c). */
int api_callback(struct lws *wsi, enum lws_callback_reasons reason,
		 void *user, void *in, size_t len);

#endif
