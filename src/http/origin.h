/*
 * origin.h — who may embed this server's blogs (--embed-origin): the
 * verdict on a request's Origin, the Access-Control-Allow-Origin of its
 * reads, the frame-ancestors of the embed page. The server's own origin is
 * always allowed: --public-url's, and any whose host is the request's Host
 * (the server reached under another name). Pure (no lws): unit-tested.
 */
#ifndef LB_ORIGIN_H
#define LB_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum origin_verdict {
	ORIGIN_NONE,       /* no Origin: not a browser's cross-origin request */
	ORIGIN_SAME,       /* the server's own origin */
	ORIGIN_ALLOWED,    /* an --embed-origin (or any, with '*') */
	ORIGIN_REFUSED,
};

/*
 * True when v is an origin as a browser sends one, and as --embed-origin
 * takes it: http:// or https://, a host, an optional :port, nothing after.
 */
bool origin_valid(const char *v);

/*
 * The verdict on Origin origin (NULL or "": none) of a request whose Host
 * header is host (NULL: unknown), under --embed-origin allowed and
 * --public-url public_url. Origins compare without regard to case.
 */
enum origin_verdict origin_check(const struct config_list *allowed, const char *public_url,
				 const char *origin, const char *host);

/*
 * Access-Control-Allow-Origin for a read with that verdict: "*" when
 * --embed-origin '*' was given, else the origin itself when it may read
 * (own or allowed), else NULL (no header: the browser keeps the answer
 * from the page). Borrowed from origin or a constant.
 */
const char *origin_cors(const struct config_list *allowed, enum origin_verdict v,
			const char *origin);

/*
 * The frame-ancestors sources of the embed page into out: "*" with
 * --embed-origin '*', else "'self'" and each --embed-origin.
 */
void origin_frame_ancestors(const struct config_list *allowed, char *out, size_t len);

#endif
