/*
 * url.c — parsing of the server URL and escaping of path segments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

/* Copies [s, s+n) into out (outsz bytes) if it fits. Returns 0 or -1. */
static int copy_span(char *out, size_t outsz, const char *s, size_t n)
{
	if (n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * Parses the "host[:port]" part [s, end) into u->host and u->port,
 * accepting "[v6addr]" brackets. Returns 0 or -1.
 */
static int parse_authority(const char *s, const char *end, struct url *u)
{
	const char *host = s, *host_end, *colon = NULL;
	char *stop;
	long port;

	if (*s == '[') {
		host_end = memchr(s, ']', (size_t)(end - s));
		if (!host_end)
			return -1;
		host = s + 1;
		colon = host_end + 1 < end ? host_end + 1 : NULL;
		if (colon && *colon != ':')
			return -1;
	} else {
		colon = memchr(s, ':', (size_t)(end - s));
		host_end = colon ? colon : end;
	}
	if (host_end == host ||
	    copy_span(u->host, sizeof(u->host), host, (size_t)(host_end - host)))
		return -1;
	if (!colon)
		return 0;
	port = strtol(colon + 1, &stop, 10);
	if (stop != end || colon + 1 == end || port < 1 || port > 65535)
		return -1;
	u->port = (int)port;
	return 0;
}

int url_parse(const char *s, struct url *u, char *why, size_t whysz)
{
	const char *p, *end;

	memset(u, 0, sizeof(*u));
	snprintf(u->text, sizeof(u->text), "%s", s);
	if (!strncmp(s, "http://", 7)) {
		p = s + 7;
		u->port = 80;
	} else if (!strncmp(s, "https://", 8)) {
		p = s + 8;
		u->port = 443;
		u->tls = 1;
	} else {
		snprintf(why, whysz, "server url must start with http:// or https://");
		return -1;
	}
	end = p + strcspn(p, "/?#");
	if (parse_authority(p, end, u)) {
		snprintf(why, whysz, "bad host or port in server url");
		return -1;
	}
	p = end;
	end = p + strcspn(p, "?#");
	while (end > p && end[-1] == '/')
		end--;
	if (copy_span(u->prefix, sizeof(u->prefix), p, (size_t)(end - p))) {
		snprintf(why, whysz, "server url path is too long");
		return -1;
	}
	snprintf(u->authority, sizeof(u->authority),
		 strchr(u->host, ':') ? "[%s]:%d" : "%s:%d", u->host, u->port);
	return 0;
}

int url_escape(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; (c = (unsigned char)*s); s++) {
		if (o + 4 > outsz)
			goto out_short;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	if (o + 1 > outsz)
		goto out_short;
	out[o] = '\0';
	return 0;

out_short:
	if (outsz)
		out[0] = '\0';
	return -1;
}
