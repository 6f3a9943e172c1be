/*
 * origin.c — the --embed-origin policy (see origin.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/origin.h"

static bool any(const struct config_list *allowed)
{
	for (size_t i = 0; allowed && i < allowed->n; i++)
		if (!strcmp(allowed->v[i], "*"))
			return true;
	return false;
}

bool origin_valid(const char *v)
{
	static const char name[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	size_t scheme = !strncmp(v, "https://", 8) ? 8 : !strncmp(v, "http://", 7) ? 7 : 0;
	const char *h = v + scheme, *end;
	size_t n;

	if (!scheme || strlen(v) > 255)
		return false;
	if (*h == '[') {   /* an IPv6 address */
		end = strchr(h, ']');
		if (!end || end == h + 1 ||
		    strspn(h + 1, "0123456789abcdefABCDEF:.") != (size_t)(end - h - 1))
			return false;
		end++;
	} else {
		n = strspn(h, name);
		if (!n)
			return false;
		end = h + n;
	}
	if (!*end)
		return true;
	n = *end == ':' ? strspn(end + 1, "0123456789") : 0;
	return n >= 1 && n <= 5 && !end[1 + n];
}

/* The origin of an absolute URL (scheme://host[:port]) into out. */
static void origin_of(const char *url, char *out, size_t len)
{
	const char *host = strstr(url, "://");
	size_t n = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : 0;

	snprintf(out, len, "%.*s", (int)n, url);
}

/* True when origin's host[:port] is host (the Host header). */
static bool same_host(const char *origin, const char *host)
{
	const char *h = strstr(origin, "://");

	return h && host && *host && !strcasecmp(h + 3, host);
}

enum origin_verdict origin_check(const struct config_list *allowed, const char *public_url,
				 const char *origin, const char *host)
{
	char own[600];

	if (!origin || !*origin)
		return ORIGIN_NONE;
	origin_of(public_url ? public_url : "", own, sizeof(own));
	if ((own[0] && !strcasecmp(origin, own)) || same_host(origin, host))
		return ORIGIN_SAME;
	if (any(allowed))
		return ORIGIN_ALLOWED;
	for (size_t i = 0; allowed && i < allowed->n; i++)
		if (!strcasecmp(allowed->v[i], origin))
			return ORIGIN_ALLOWED;
	return ORIGIN_REFUSED;
}

const char *origin_cors(const struct config_list *allowed, enum origin_verdict v,
			const char *origin)
{
	if (v == ORIGIN_NONE || v == ORIGIN_REFUSED)
		return NULL;
	return any(allowed) ? "*" : origin;
}

void origin_frame_ancestors(const struct config_list *allowed, char *out, size_t len)
{
	size_t n;

	if (any(allowed)) {
		snprintf(out, len, "*");
		return;
	}
	n = (size_t)snprintf(out, len, "'self'");
	for (size_t i = 0; allowed && i < allowed->n && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, " %s", allowed->v[i]);
}
