/*
 * test_redis_url.c — src/store/redis_url.c: every scheme, credentials with
 * percent-decoding, the credential rules (with and without a password
 * file), the errors, formatting back (round trip, redacted) and redacting
 * any string for a log line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/redis_url.h"

#define GIVEN REDIS_URL_PASSWORD_GIVEN

struct good {
	const char *in;
	unsigned flags;
	enum redis_url_kind kind;
	const char *host;   /* addr[0]; NULL for unix */
	int port;
	const char *user, *password;
	const char *path;   /* unix */
	const char *canonical; /* redis_url_format, NULL: same as in */
};

static const struct good GOOD[] = {
	{ "redis://127.0.0.1:6379", 0, REDIS_URL_TCP, "127.0.0.1", 6379, "", "", NULL, NULL },
	{ "redis://localhost", 0, REDIS_URL_TCP, "localhost", 6379, "", "", NULL, "redis://localhost:6379" },
	{ "redis://r-1.example_x.org:1/", 0, REDIS_URL_TCP, "r-1.example_x.org", 1, "", "", NULL, "redis://r-1.example_x.org:1" },
	{ "redis://[::1]:7000", 0, REDIS_URL_TCP, "::1", 7000, "", "", NULL, NULL },
	{ "redis://[::ffff:127.0.0.1]", 0, REDIS_URL_TCP, "::ffff:127.0.0.1", 6379, "", "", NULL, "redis://[::ffff:127.0.0.1]:6379" },
	{ "redis://:s3cret@h:6380", 0, REDIS_URL_TCP, "h", 6380, "", "s3cret", NULL, NULL },
	{ "redis://alice:s3cret@h:6380", 0, REDIS_URL_TCP, "h", 6380, "alice", "s3cret", NULL, NULL },
	{ "redis://al%69ce:p%40ss%3Aw%2Fo%25rd%20x@h:1", 0, REDIS_URL_TCP, "h", 1, "alice", "p@ss:w/o%rd x", NULL, "redis://alice:p%40ss%3Aw%2Fo%25rd%20x@h:1" },
	{ "redis://u:a:b:c@h:1", 0, REDIS_URL_TCP, "h", 1, "u", "a:b:c", NULL, "redis://u:a%3Ab%3Ac@h:1" },
	{ "redis://u:!$&'()*+,;=-._~@h:1", 0, REDIS_URL_TCP, "h", 1, "u", "!$&'()*+,;=-._~", NULL, NULL },
	{ "redis://u:%C3%A9t%C3%A9@h:1", 0, REDIS_URL_TCP, "h", 1, "u", "\xc3\xa9t\xc3\xa9", NULL, NULL },
	{ "redis://alice@h:1", GIVEN, REDIS_URL_TCP, "h", 1, "alice", "", NULL, NULL },
	{ "redis://h:1", GIVEN, REDIS_URL_TCP, "h", 1, "", "", NULL, NULL },
	{ "unix:///tmp/redis.sock", 0, REDIS_URL_UNIX, NULL, 0, "", "", "/tmp/redis.sock", NULL },
	{ "unix:///tmp/a@b/redis.sock", 0, REDIS_URL_UNIX, NULL, 0, "", "", "/tmp/a@b/redis.sock", NULL },
	{ "unix://:pw@/tmp/a@b/r.sock", 0, REDIS_URL_UNIX, NULL, 0, "", "pw", "/tmp/a@b/r.sock", NULL },
	{ "unix://bob:pw@/r.sock", 0, REDIS_URL_UNIX, NULL, 0, "bob", "pw", "/r.sock", NULL },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(GOOD) / sizeof(GOOD[0]); i++) {
		const struct good *g = &GOOD[i];
		struct redis_url u, back;
		const char *why = NULL;
		char out[REDIS_URL_MAX];

		if (redis_url_parse(g->in, g->flags, &u, &why))
			fail_msg("%s: %s", g->in, why);
		assert_int_equal(u.kind, g->kind);
		if (g->host) {
			assert_int_equal(u.naddr, 1);
			assert_string_equal(u.addr[0].host, g->host);
			assert_int_equal(u.addr[0].port, g->port);
		} else {
			assert_string_equal(u.path, g->path);
		}
		assert_string_equal(u.user, g->user);
		assert_string_equal(u.password, g->password);
		assert_int_equal(redis_url_format(&u, false, out, sizeof(out)), 0);
		assert_string_equal(out, g->canonical ? g->canonical : g->in);
		assert_int_equal(redis_url_parse(out, g->flags, &back, &why), 0);
		assert_memory_equal(&u, &back, sizeof(u));
	}
}

static void test_sentinel(void **state)
{
	struct redis_url u;
	const char *why = NULL;
	char out[REDIS_URL_MAX];

	(void)state;
	assert_int_equal(redis_url_parse("sentinel://s1:26380,[::1],s3:1/mymaster",
					 0, &u, &why), 0);
	assert_int_equal(u.kind, REDIS_URL_SENTINEL);
	assert_int_equal(u.naddr, 3);
	assert_string_equal(u.addr[0].host, "s1");
	assert_int_equal(u.addr[0].port, 26380);
	assert_string_equal(u.addr[1].host, "::1");
	assert_int_equal(u.addr[1].port, 26379);
	assert_string_equal(u.addr[2].host, "s3");
	assert_int_equal(u.addr[2].port, 1);
	assert_string_equal(u.master, "mymaster");
	assert_int_equal(redis_url_format(&u, false, out, sizeof(out)), 0);
	assert_string_equal(out, "sentinel://s1:26380,[::1]:26379,s3:1/mymaster");

	assert_int_equal(redis_url_parse("sentinel://:pw@s1/m.a-s_ter", 0, &u, &why), 0);
	assert_int_equal(u.naddr, 1);
	assert_string_equal(u.password, "pw");
	assert_string_equal(u.master, "m.a-s_ter");
	assert_int_equal(redis_url_format(&u, true, out, sizeof(out)), 0);
	assert_string_equal(out, "sentinel://:***@s1:26379/m.a-s_ter");
}

static void test_sentinel_limit(void **state)
{
	char in[512] = "sentinel://";
	struct redis_url u;
	const char *why = NULL;

	(void)state;
	for (int i = 0; i < REDIS_URL_SENTINELS_MAX; i++)
		snprintf(in + strlen(in), sizeof(in) - strlen(in), "%sh%d:%d",
			 i ? "," : "", i, 1000 + i);
	strcat(in, "/m");
	assert_int_equal(redis_url_parse(in, 0, &u, &why), 0);
	assert_int_equal(u.naddr, REDIS_URL_SENTINELS_MAX);
	assert_int_equal(u.addr[15].port, 1015);
	strcpy(strrchr(in, '/'), ",one-more/m");
	assert_int_equal(redis_url_parse(in, 0, &u, &why), -1);
	assert_non_null(strstr(why, "too many sentinels"));
}

struct bad {
	const char *in;
	unsigned flags;
	const char *why;    /* a substring of the reason */
};

static const struct bad BAD[] = {
	{ "", 0, "not a Redis URL" },
	{ "127.0.0.1:6379", 0, "not a Redis URL" },
	{ "http://127.0.0.1:6379", 0, "not a Redis URL" },
	{ "REDIS://h:1", 0, "not a Redis URL" },
	{ "rediss://h:1", 0, "not a Redis URL" },
	{ "unix:/tmp/r.sock", 0, "not a Redis URL" },
	{ "/tmp/redis.sock", 0, "not a Redis URL" },
	{ "redis://", 0, "host is missing" },
	{ "redis://:6379", 0, "host is missing" },
	{ "redis://h:", 0, "bad port" },
	{ "redis://h:0", 0, "bad port" },
	{ "redis://h:65536", 0, "bad port" },
	{ "redis://h:99999999999999999999", 0, "bad port" },
	{ "redis://h:-1", 0, "bad port" },
	{ "redis://h:12a", 0, "bad port" },
	{ "redis://h:1/0", 0, "unexpected text after the address" },
	{ "redis://h:1?db=0", 0, "bad port" },
	{ "redis://h x:1", 0, "host holds a character" },
	{ "redis://[::1:1", 0, "lacks its ']'" },
	{ "redis://[::1]x", 0, "unexpected text after the host" },
	{ "redis://h\t:1", 0, "control character" },
	{ "redis://alice@h:1", 0, "the user has no password" },
	{ "redis://@h:1", 0, "nothing before the '@'" },
	{ "redis://:@h:1", 0, "the password is empty" },
	{ "redis://alice:@h:1", 0, "the password is empty" },
	{ "redis://u:p%4@h:1", 0, "bad percent-escape" },
	{ "redis://u:p%@h:1", 0, "bad percent-escape" },
	{ "redis://u:p%zz@h:1", 0, "bad percent-escape" },
	{ "redis://u:p%00x@h:1", 0, "%00" },
	{ "redis://u:p@ss@h:1", 0, "must be percent-encoded" },
	{ "redis://u:p ss@h:1", 0, "must be percent-encoded" },
	{ "redis://u:p#ss@h:1", 0, "must be percent-encoded" },
	{ "redis://u:p\xc3\xa9@h:1", 0, "must be percent-encoded" },
	{ "redis://:pw@h:1", GIVEN, "the password is given twice" },
	{ "redis://u:pw@h:1", GIVEN, "the password is given twice" },
	{ "unix://", 0, "must be absolute" },
	{ "unix://tmp/r.sock", 0, "must be absolute" },
	{ "unix://:pw@tmp/r.sock", 0, "must be absolute" },
	{ "unix:///0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789/r.sock", 0, "too long for a unix socket" },
	{ "sentinel://h:1", 0, "ends with /MASTER" },
	{ "sentinel://h:1/", 0, "ends with /MASTER" },
	{ "sentinel://h:1,/m", 0, "host is missing" },
	{ "sentinel://,h:1/m", 0, "host is missing" },
	{ "sentinel://h:1/m/x", 0, "master's name holds" },
	{ "sentinel://h:0/m", 0, "bad port" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		struct redis_url u;
		const char *why = NULL;

		if (!redis_url_parse(BAD[i].in, BAD[i].flags, &u, &why))
			fail_msg("accepted: %s", BAD[i].in);
		assert_non_null(why);
		if (!strstr(why, BAD[i].why))
			fail_msg("%s: reason '%s' lacks '%s'", BAD[i].in, why, BAD[i].why);
		assert_null(strchr(why, '\n'));
	}
}

static void test_long_fields(void **state)
{
	char in[REDIS_URL_MAX + 16], pw[REDIS_URL_PASSWORD_MAX + 1];
	struct redis_url u;
	const char *why = NULL;

	(void)state;
	memset(pw, 'p', sizeof(pw) - 1);
	pw[REDIS_URL_PASSWORD_MAX - 1] = '\0';        /* 511 bytes: fits */
	snprintf(in, sizeof(in), "redis://:%s@h:1", pw);
	assert_int_equal(redis_url_parse(in, 0, &u, &why), 0);
	assert_int_equal(strlen(u.password), REDIS_URL_PASSWORD_MAX - 1);
	pw[REDIS_URL_PASSWORD_MAX - 1] = 'p';         /* 512: does not */
	pw[REDIS_URL_PASSWORD_MAX] = '\0';
	snprintf(in, sizeof(in), "redis://:%s@h:1", pw);
	assert_int_equal(redis_url_parse(in, 0, &u, &why), -1);
	assert_non_null(strstr(why, "too long"));
	memset(in, 'h', sizeof(in) - 1);
	memcpy(in, "redis://", 8);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(redis_url_parse(in, 0, &u, &why), -1);
	assert_non_null(strstr(why, "URL is too long"));
}

static void test_format_redacted_and_small(void **state)
{
	struct redis_url u;
	const char *why = NULL;
	char out[64], tiny[12];

	(void)state;
	assert_int_equal(redis_url_parse("redis://alice:top%20secret@h:1", 0, &u, &why), 0);
	assert_int_equal(redis_url_format(&u, true, out, sizeof(out)), 0);
	assert_string_equal(out, "redis://alice:***@h:1");
	assert_int_equal(redis_url_format(&u, false, out, sizeof(out)), 0);
	assert_string_equal(out, "redis://alice:top%20secret@h:1");
	assert_int_equal(redis_url_format(&u, false, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "");
	assert_int_equal(redis_url_parse("redis://:pw@h:1", 0, &u, &why), 0);
	assert_int_equal(redis_url_format(&u, true, out, sizeof(out)), 0);
	assert_string_equal(out, "redis://:***@h:1");
}

static void test_redact(void **state)
{
	static const char *cases[][2] = {
		{ "redis://h:1", "redis://h:1" },
		{ "redis://:pw@h:1", "redis://:***@h:1" },
		{ "redis://alice:pw@h:1", "redis://alice:***@h:1" },
		{ "redis://alice@h:1", "redis://***@h:1" },
		{ "redis://u:p@ss@h:1", "redis://u:***@h:1" },
		{ "redis://u:p/a@ss@h:1/", "redis://u:***@h:1/" },
		{ "rediss://u:pw@h", "rediss://u:***@h" },
		{ "pw@h:1", "***@h:1" },
		{ "u:pw@h:1", "u:***@h:1" },
		{ "a:pw@b://h", "a:***@b://h" },
		{ "unix:///tmp/a@b/s", "unix:///tmp/a@b/s" },
		{ "unix://:pw@/tmp/s", "unix://:***@/tmp/s" },
		{ "unix://:pw@/tmp/a@b/s", "unix://:***@/tmp/a@b/s" },
		{ "unix://:p@ss@/tmp/s", "unix://:***@/tmp/s" },
		{ "unix://:p@ss", "unix://:***@ss" },
		{ "unix://:secret@tmp/r.sock", "unix://:***@tmp/r.sock" },
		{ "sentinel://:pw@a:1,b:2/m", "sentinel://:***@a:1,b:2/m" },
		{ "", "" },
	};
	char out[128], tiny[10];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		redis_url_redact(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	redis_url_redact("redis://u:secret@host:1", tiny, sizeof(tiny));
	assert_string_equal(tiny, "redis://u");
	redis_url_redact("redis://u:secret@host:1", out, 1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_sentinel),
		cmocka_unit_test(test_sentinel_limit),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_format_redacted_and_small),
		cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
