/*
 * headers.c — the headers of our answers (see headers.h).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http/headers.h"
#include "http/origin.h"

#define MAX_HEADERS 8

struct header {
	const char *name;        /* with its ':' */
	const char *value;
};

/*
 * --public-url's origin (scheme://host[:port]): the pictures' URLs start
 * with it, and a page reached under another name must still show them.
 */
static int public_origin_len(void)
{
	const char *u = app.cfg.public_url, *h = strstr(u, "://");

	return h ? (int)(h + 3 - u + strcspn(h + 3, "/;, ")) : 0;
}

/* The page's Content-Security-Policy, framing allowed as given. */
static void csp(char *out, size_t len, const char *ancestors)
{
	snprintf(out, len, "default-src 'none'; img-src 'self' %.*s data:; script-src 'self'; "
		 "font-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
		 "frame-ancestors %s; base-uri 'none'; form-action 'self'",
		 public_origin_len(), app.cfg.public_url, ancestors);
}

/*
 * q's headers into h (MAX_HEADERS), their values kept in buf (len bytes).
 * Returns how many.
 */
static size_t headers_of(const struct req *q, struct header *h, char *buf, size_t len)
{
	bool frameable = q->rm.route == R_PAGE_EMBED;
	enum origin_verdict v;
	const char *cors;
	char ancestors[1024];
	size_t n = 0;

	if (frameable)
		origin_frame_ancestors(&app.cfg.embed_origins, ancestors, sizeof(ancestors));
	csp(buf, len, frameable ? ancestors : "'none'");
	h[n++] = (struct header){ "content-security-policy:", q->csp ? q->csp : buf };
	h[n++] = (struct header){ "x-content-type-options:", "nosniff" };
	if (!frameable)
		h[n++] = (struct header){ "x-frame-options:", "deny" };
	h[n++] = (struct header){ "referrer-policy:", "no-referrer" };
	if (q->method != M_GET)
		return n;   /* writes never get CORS headers */
	h[n++] = (struct header){ "vary:", "Origin" };
	v = origin_check(&app.cfg.embed_origins, app.cfg.public_url, q->origin, q->host);
	cors = origin_cors(&app.cfg.embed_origins, v, q->origin);
	if (cors)
		h[n++] = (struct header){ "access-control-allow-origin:", cors };
	return n;
}

int headers_add(struct lws *wsi, const struct req *q, unsigned char **p, unsigned char *end)
{
	struct header h[MAX_HEADERS];
	char buf[1400];
	size_t n = headers_of(q, h, buf, sizeof(buf));

	for (size_t i = 0; i < n; i++)
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)h[i].name,
						(const unsigned char *)h[i].value,
						(int)strlen(h[i].value), p, end))
			return -1;
	return 0;
}

int headers_text(const struct req *q, char *out, size_t len)
{
	struct header h[MAX_HEADERS];
	char buf[1400];
	size_t n = headers_of(q, h, buf, sizeof(buf)), at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + at, len - at, "%s %s\r\n", h[i].name, h[i].value);

		if (w < 0 || (size_t)w >= len - at)
			return -1;
		at += (size_t)w;
	}
	return (int)at;
}
