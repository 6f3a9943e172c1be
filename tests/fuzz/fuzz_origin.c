/*
 * fuzz_origin.c — src/http/origin.c, which judges the Origin and Host
 * headers any client sends (CORS on reads, the WebSocket handshake), on
 * arbitrary bytes: the input, cut at its first NUL into an Origin and a
 * Host (each as lws hands them: NUL-terminated), is checked against a few
 * --embed-origin lists. Invariants: nothing crashes or reads past the
 * strings; the verdict is NONE exactly when there is no Origin; an origin
 * is ALLOWED without '*' only when it is one of the list (ignoring case);
 * CORS answers '*' only under '*', else echoes the very origin or nothing;
 * a valid origin has a scheme, a host and nothing after an optional port.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

#include "http/origin.h"

static const struct config_list LISTS[] = {
	{ 0, { NULL } },
	{ 2, { "https://news.example", "http://127.0.0.2:5000" } },
	{ 1, { "*" } },
};

static void one(const struct config_list *l, const char *origin, const char *host)
{
	enum origin_verdict v = origin_check(l, "http://live.example:8080/x", origin, host);
	const char *cors = origin_cors(l, v, origin);
	bool star = l->n == 1 && !strcmp(l->v[0], "*");
	bool listed = false;

	for (size_t i = 0; i < l->n; i++)
		listed |= !strcasecmp(l->v[i], origin);
	CHECK((v == ORIGIN_NONE) == !*origin);
	if (v == ORIGIN_ALLOWED && !star)
		CHECK(listed);
	if (cors)
		CHECK(star ? !strcmp(cors, "*") : cors == origin);
	else
		CHECK(v == ORIGIN_NONE || v == ORIGIN_REFUSED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *host;
	char fa[512];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	host = buf + strlen(buf) + 1;
	if (origin_valid(buf)) {
		CHECK(!strncmp(buf, "http://", 7) || !strncmp(buf, "https://", 8));
		CHECK(!strchr(buf + 8, '/') && !strchr(buf, '?') && !strchr(buf, '#') && !strchr(buf, '@'));
	}
	for (size_t i = 0; i < sizeof(LISTS) / sizeof(LISTS[0]); i++)
		one(&LISTS[i], buf, host);
	origin_frame_ancestors(&LISTS[1], fa, sizeof(fa));
	CHECK(!strcmp(fa, "'self' https://news.example http://127.0.0.2:5000"));
	free(buf);
	return 0;
}
