/*
 * url.h — the server address the client talks to (--server,
 * LIVEBLOG_SERVER) and the escaping of path segments.
 */
#ifndef LIVEBLOG_CLI_URL_H
#define LIVEBLOG_CLI_URL_H

#include <stddef.h>

struct url {
	int tls;		/* https: */
	int port;
	char host[256];		/* name or address, without [] */
	char authority[272];	/* host[:port] as sent in Host: */
	char prefix[256];	/* path the API hangs under, "" or "/x" */
	char text[600];		/* as given, for messages */
};

/*
 * Parses "http[s]://host[:port][/prefix]" into u. Returns 0, or -1 and
 * leaves a lower-case reason in why (whysz bytes).
 */
int url_parse(const char *s, struct url *u, char *why, size_t whysz);

/*
 * Percent-encodes s for use as one path segment or query value: every
 * byte but A-Z a-z 0-9 - . _ ~ is escaped. Returns 0, or -1 when out
 * (outsz bytes) is too small; out is always NUL-terminated.
 */
int url_escape(const char *s, char *out, size_t outsz);

#endif
