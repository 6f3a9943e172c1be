/*
 * sentinel_msg.c — see sentinel_msg.h.
 */
#include "store/sentinel_msg.h"

#include <string.h>

static int host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '_' || c == '-';
}

int sentinel_msg_host(const char *s, size_t len, char out[REDIS_URL_HOST_MAX])
{
	if (!len || len >= REDIS_URL_HOST_MAX || s[0] == '-')
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!host_char(s[i]))
			return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int sentinel_msg_port(const char *s, size_t len)
{
	long port = 0;

	if (!len || len > 5 || s[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		port = port * 10 + (s[i] - '0');
	}
	return port <= 65535 ? (int)port : 0;
}

/* Splits msg into exactly n words separated by single spaces; 0 or -1. */
static int words(const char *msg, size_t len, const char **w, size_t *wl, int n)
{
	int k = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && msg[i] != ' ')
			continue;
		if (i == start || k == n)
			return -1;
		w[k] = msg + start;
		wl[k++] = i - start;
		start = i + 1;
	}
	return k == n ? 0 : -1;
}

int sentinel_msg_switch(const char *msg, size_t len, const char *master,
			struct redis_url_addr *to)
{
	const char *w[5];
	size_t wl[5];
	struct redis_url_addr a;

	if (words(msg, len, w, wl, 5))
		return -1;
	if (sentinel_msg_host(w[1], wl[1], a.host) || !sentinel_msg_port(w[2], wl[2]) ||
	    sentinel_msg_host(w[3], wl[3], a.host) ||
	    !(a.port = sentinel_msg_port(w[4], wl[4])))
		return -1;
	if (wl[0] != strlen(master) || memcmp(w[0], master, wl[0]))
		return 0;
	*to = a;
	return 1;
}
