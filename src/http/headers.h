/*
 * headers.h — the headers every answer of ours carries: the security
 * ones (the Content-Security-Policy, nosniff, no framing but the embed
 * page's by --embed-origin, no referrer), and on reads (GET) from a page
 * allowed to embed the blogs, CORS (Access-Control-Allow-Origin, Vary:
 * Origin). Writes never get CORS headers.
 */
#ifndef LB_HEADERS_H
#define LB_HEADERS_H

#include <libwebsockets.h>
#include <stddef.h>

#include "http/request.h"

/* Adds q's headers to an answer being built. Returns 0, or -1 when out of room. */
int headers_add(struct lws *wsi, const struct req *q, unsigned char **p, unsigned char *end);

/*
 * The same headers as text ("name: value\r\n" each) into out (len bytes),
 * for lws_serve_http_file. Returns the length written, or -1 (too long).
 */
int headers_text(const struct req *q, char *out, size_t len);

#endif
