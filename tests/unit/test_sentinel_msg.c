/*
 * test_sentinel_msg.c — what a sentinel says about the master, parsed
 * (src/store/sentinel_msg.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "store/sentinel_msg.h"

static int sw(const char *msg, const char *master, struct redis_url_addr *to)
{
	return sentinel_msg_switch(msg, strlen(msg), master, to);
}

static void test_switch(void **state)
{
	struct redis_url_addr to = { "untouched", 1 };

	(void)state;
	assert_int_equal(sw("liveblog 10.0.0.1 6379 10.0.0.2 6380", "liveblog", &to), 1);
	assert_string_equal(to.host, "10.0.0.2");
	assert_int_equal(to.port, 6380);
	assert_int_equal(sw("liveblog redis-master 6379 redis-replica-1 6379", "liveblog", &to), 1);
	assert_string_equal(to.host, "redis-replica-1");
	assert_int_equal(sw("liveblog ::1 6379 fe80::2 65535", "liveblog", &to), 1);
	assert_string_equal(to.host, "fe80::2");
	assert_int_equal(to.port, 65535);
	/* another master: recognised, not ours, *to untouched */
	to.port = 1;
	assert_int_equal(sw("liveblog2 10.0.0.1 6379 10.0.0.2 6380", "liveblog", &to), 0);
	assert_int_equal(sw("live 10.0.0.1 6379 10.0.0.2 6380", "liveblog", &to), 0);
	assert_int_equal(to.port, 1);
}

static void test_switch_malformed(void **state)
{
	static const char *bad[] = {
		"", "liveblog", "liveblog 10.0.0.1 6379 10.0.0.2",
		"liveblog 10.0.0.1 6379 10.0.0.2 6380 extra", "liveblog  10.0.0.1 6379 10.0.0.2 6380",
		"liveblog 10.0.0.1 6379 10.0.0.2 6380 ", "liveblog 10.0.0.1 6379 10.0.0.2 0",
		"liveblog 10.0.0.1 6379 10.0.0.2 65536", "liveblog 10.0.0.1 6379 10.0.0.2 06380",
		"liveblog 10.0.0.1 x 10.0.0.2 6380", "liveblog 10.0.0.1 6379 -oops 6380",
		"liveblog 10.0.0.1 6379 a/b 6380", "liveblog 10.0.0.1 6379 10.0.0.2 6380\n",
	};
	struct redis_url_addr to = { "untouched", 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw(bad[i], "liveblog", &to) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_string_equal(to.host, "untouched");
}

static void test_host_and_port(void **state)
{
	char host[REDIS_URL_HOST_MAX], big[300];

	(void)state;
	assert_int_equal(sentinel_msg_host("127.0.0.1", 9, host), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(sentinel_msg_host("sentinel-1", 10, host), 0);
	assert_int_equal(sentinel_msg_host("", 0, host), -1);
	assert_int_equal(sentinel_msg_host("a b", 3, host), -1);
	memset(big, 'a', sizeof(big));
	assert_int_equal(sentinel_msg_host(big, REDIS_URL_HOST_MAX - 1, host), 0);
	assert_int_equal(sentinel_msg_host(big, REDIS_URL_HOST_MAX, host), -1);
	assert_int_equal(sentinel_msg_port("6379", 4), 6379);
	assert_int_equal(sentinel_msg_port("1", 1), 1);
	assert_int_equal(sentinel_msg_port("65535", 5), 65535);
	assert_int_equal(sentinel_msg_port("65536", 5), 0);
	assert_int_equal(sentinel_msg_port("0", 1), 0);
	assert_int_equal(sentinel_msg_port("-1", 2), 0);
	assert_int_equal(sentinel_msg_port("100000", 6), 0);
	assert_int_equal(sentinel_msg_port("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch),
		cmocka_unit_test(test_switch_malformed),
		cmocka_unit_test(test_host_and_port),
	};

	return cmocka_run_group_tests_name("sentinel_msg", tests, NULL, NULL);
}
