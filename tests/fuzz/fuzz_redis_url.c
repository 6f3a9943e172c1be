/*
 * fuzz_redis_url.c — src/store/redis_url.c on arbitrary bytes. The first
 * byte picks the flags (bit 0: REDIS_URL_PASSWORD_GIVEN) and a buffer size
 * for a cut format (bits 1-7); the rest, cut at its first NUL, is the URL.
 *   - a refused URL has a one-line reason;
 *   - an accepted one keeps every documented bound (ports 1-65535, hosts
 *     and paths that fit, 1-16 sentinels, a user only with a password or
 *     with the flag, a password only without it);
 *   - formatting gives a URL that parses back to the same struct (when
 *     short enough to be accepted), and a format into a small buffer gives
 *     the same text or "" and -1;
 *   - redacting any string never overflows; a redis:// or sentinel:// one
 *     keeps only what follows the last '@' and the user before "***";
 *     redacting an accepted URL
 *     gives a URL that parses to the same address and user with "***" as
 *     the password (or, user alone, "***" as the user): nothing of the
 *     password is left.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "store/redis_url.h"

#define BIG (4 * REDIS_URL_MAX)

static void check_bounds(const struct redis_url *u, unsigned flags)
{
	CHECK(u->kind == REDIS_URL_TCP || u->kind == REDIS_URL_UNIX ||
	      u->kind == REDIS_URL_SENTINEL);
	if (u->kind == REDIS_URL_UNIX) {
		CHECK(u->path[0] == '/');
		CHECK(strlen(u->path) < REDIS_URL_PATH_MAX);
	} else {
		CHECK(u->naddr >= 1 && u->naddr <= REDIS_URL_SENTINELS_MAX);
		CHECK(u->kind == REDIS_URL_SENTINEL || u->naddr == 1);
	}
	for (int i = 0; u->kind != REDIS_URL_UNIX && i < u->naddr; i++) {
		CHECK(u->addr[i].host[0]);
		CHECK(strlen(u->addr[i].host) < REDIS_URL_HOST_MAX);
		CHECK(u->addr[i].port >= 1 && u->addr[i].port <= 65535);
	}
	if (u->kind == REDIS_URL_SENTINEL)
		CHECK(u->master[0] && strlen(u->master) < REDIS_URL_MASTER_MAX);
	if (flags & REDIS_URL_PASSWORD_GIVEN)
		CHECK(!u->password[0]);
	else if (u->user[0])
		CHECK(u->password[0]);
}

static void check_same_place(const struct redis_url *a, const struct redis_url *b)
{
	CHECK(a->kind == b->kind && a->naddr == b->naddr);
	CHECK(!memcmp(a->addr, b->addr, sizeof(a->addr)));
	CHECK(!strcmp(a->path, b->path) && !strcmp(a->master, b->master));
}

static void check_format(const struct redis_url *u, unsigned flags, size_t small)
{
	char *out = malloc(BIG), *cut = malloc(small ? small : 1);
	struct redis_url back;
	const char *why = NULL;
	int rc;

	CHECK(out && cut);
	CHECK(redis_url_format(u, false, out, BIG) == 0);
	if (strlen(out) < REDIS_URL_MAX) {
		CHECK(redis_url_parse(out, flags, &back, &why) == 0);
		CHECK(!memcmp(u, &back, sizeof(back)));
	}
	memset(cut, 'x', small ? small : 1);
	rc = redis_url_format(u, false, cut, small);
	if (small)
		CHECK(rc == 0 ? !strcmp(cut, out) : (rc == -1 && !cut[0]));
	else
		CHECK(rc == -1);
	free(cut);
	free(out);
}

static void check_redacted(const char *s, const struct redis_url *u)
{
	char *out = malloc(BIG);
	struct redis_url r;
	const char *why = NULL;

	CHECK(out);
	redis_url_redact(s, out, BIG);
	CHECK(strlen(out) < BIG);
	if (strlen(out) >= REDIS_URL_MAX) {
		/* "p" became "***": too long to parse again, still redacted */
	} else if (u->password[0]) {
		CHECK(redis_url_parse(out, 0, &r, &why) == 0);
		CHECK(!strcmp(r.password, "***") && !strcmp(r.user, u->user));
		check_same_place(u, &r);
	} else if (u->user[0]) {
		CHECK(redis_url_parse(out, REDIS_URL_PASSWORD_GIVEN, &r, &why) == 0);
		CHECK(!strcmp(r.user, "***"));
		check_same_place(u, &r);
	} else {
		CHECK(!strcmp(out, s));
	}
	free(out);
}

/*
 * Any string with a redis:// or sentinel:// scheme and an '@': the output
 * keeps the text from the last '@' on, and before it shows "***", or the
 * user up to the first ':' of the userinfo and then ":***".
 */
static void check_redact_contract(const char *s, size_t len)
{
	const char *rest, *at_s, *at_o, *info;
	char *out;
	size_t pre;

	if (strncmp(s, "redis://", 8) && strncmp(s, "sentinel://", 11))
		return;
	rest = strstr(s, "://") + 3;
	at_s = strrchr(rest, '@');
	if (!at_s)
		return;
	out = malloc(len + 8);
	CHECK(out);
	redis_url_redact(s, out, len + 8);
	info = out + (rest - s);
	at_o = strrchr(out, '@');
	CHECK(at_o && !strcmp(at_o, at_s) && at_o - info >= 3);
	CHECK(!memcmp(at_o - 3, "***", 3));
	pre = (size_t)(at_o - info) - 3;
	if (pre)
		CHECK(!memcmp(info, rest, pre) && info[pre - 1] == ':' &&
		      memchr(rest, ':', pre) == rest + pre - 1);
	else
		CHECK(!memchr(rest, ':', (size_t)(at_s - rest)));
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags = size ? data[0] & 1u : 0;
	size_t small = size ? data[0] >> 1 : 0;
	char *s = malloc(size + 1), tiny[16];
	struct redis_url u;
	const char *why = NULL;

	CHECK(s != NULL);
	if (size)
		memcpy(s, data + 1, size - 1);
	s[size ? size - 1 : 0] = '\0';

	redis_url_redact(s, tiny, sizeof(tiny));
	CHECK(strlen(tiny) < sizeof(tiny));
	check_redact_contract(s, strlen(s));
	if (redis_url_parse(s, flags, &u, &why)) {
		CHECK(why != NULL && why[0] && !strchr(why, '\n'));
	} else {
		check_bounds(&u, flags);
		check_format(&u, flags, small);
		check_redacted(s, &u);
	}
	free(s);
	return 0;
}
