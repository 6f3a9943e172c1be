/*
 * test_clientaddr.c — src/http/clientaddr.c: --trusted-proxy networks,
 * the addresses proxies write into X-Forwarded-For, and the rule that
 * picks a connection's client (SPEC.md "Safe on the open internet").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "http/clientaddr.h"

static struct clientaddr_ip ip(const char *s)
{
	struct clientaddr_ip a;

	if (clientaddr_parse_ip(s, strlen(s), &a))
		fail_msg("\"%s\" does not parse", s);
	return a;
}

static void expect_ip(const char *in, const char *canonical)
{
	struct clientaddr_ip a;
	char out[CLIENTADDR_STRLEN];

	if (clientaddr_parse_ip(in, strlen(in), &a))
		fail_msg("\"%s\" does not parse", in);
	clientaddr_format(&a, out);
	assert_string_equal(out, canonical);
}

static void test_parse_ip(void **state)
{
	static const char *bad[] = { "", " ", "unknown", "example.org", "1.2.3", "1.2.3.4.5",
				     "256.1.1.1", "1.2.3.4:", "1.2.3.4:123456", "1.2.3.4:8x",
				     "[1.2.3.4]", "[::1", "::1]", "[::1]x", "[::1]:", "fe80::1%eth0",
				     "::1:80:", "1.2.3.4 5.6.7.8", "_hidden", "\"1.2.3.4\"",
				     "::ffff:1.2.3.4:80" };
	struct clientaddr_ip a;

	(void)state;
	expect_ip("1.2.3.4", "1.2.3.4");
	expect_ip(" \t1.2.3.4 ", "1.2.3.4");
	expect_ip("1.2.3.4:8080", "1.2.3.4");
	expect_ip("2001:DB8:0:0::1", "2001:db8::1");
	expect_ip("[2001:db8::1]", "2001:db8::1");
	expect_ip("[2001:db8::1]:443", "2001:db8::1");
	expect_ip("::1", "::1");
	/* an IPv4-mapped address is the IPv4 address: one bucket, not two */
	expect_ip("::ffff:10.1.2.3", "10.1.2.3");
	expect_ip("[::ffff:10.1.2.3]:80", "10.1.2.3");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!clientaddr_parse_ip(bad[i], strlen(bad[i]), &a))
			fail_msg("\"%s\" parses", bad[i]);
	/* a NUL inside the given length is junk, not an end */
	assert_int_equal(clientaddr_parse_ip("1.2.3.4\0005", 9, &a), -1);
	/* only len bytes are read */
	assert_int_equal(clientaddr_parse_ip("1.2.3.45", 7, &a), 0);
	assert_int_equal(a.a[3], 4);
}

static void expect_net(const char *s, const char *addr, unsigned prefix)
{
	struct clientaddr_net n;
	char out[CLIENTADDR_STRLEN];

	if (clientaddr_parse_net(s, &n))
		fail_msg("\"%s\" does not parse as a network", s);
	clientaddr_format(&n.ip, out);
	assert_string_equal(out, addr);
	assert_int_equal(n.prefix, prefix);
}

static void test_parse_net(void **state)
{
	static const char *bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
				     "10.0.0.0/+8", "10.0.0.0/8x", "10.0.0.0/ 8", "::/129",
				     "1.2.3.4:80", "[::1]", "[::1]/128", "example.org/24",
				     "10.0.0.0/8/8", "::ffff:0.0.0.0/95" };
	struct clientaddr_net n;

	(void)state;
	expect_net("10.0.0.0/8", "10.0.0.0", 8);
	expect_net("127.0.0.1", "127.0.0.1", 32);
	expect_net("127.0.0.1/32", "127.0.0.1", 32);
	expect_net("192.168.1.77/24", "192.168.1.0", 24);   /* host bits ignored */
	expect_net("0.0.0.0/0", "0.0.0.0", 0);
	expect_net("2001:db8::/32", "2001:db8::", 32);
	expect_net("2001:db8::1", "2001:db8::1", 128);
	expect_net("2001:db8:ffff::/33", "2001:db8:8000::", 33);
	expect_net("::/0", "::", 0);
	expect_net("::ffff:10.0.0.0/104", "10.0.0.0", 8);
	expect_net("::ffff:10.1.2.3", "10.1.2.3", 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!clientaddr_parse_net(bad[i], &n))
			fail_msg("\"%s\" parses as a network", bad[i]);
}

static void test_trusted(void **state)
{
	struct clientaddr_set set = { 0 };
	struct clientaddr_ip a;

	(void)state;
	a = ip("10.1.2.3");
	assert_false(clientaddr_trusted(NULL, &a));
	assert_false(clientaddr_trusted(&set, &a));
	assert_int_equal(clientaddr_set_add(&set, "10.0.0.0/8"), 0);
	assert_int_equal(clientaddr_set_add(&set, "192.168.7.1"), 0);
	assert_int_equal(clientaddr_set_add(&set, "fd00::/8"), 0);
	assert_int_equal(clientaddr_set_add(&set, "nope"), -1);
	assert_int_equal(set.n, 3);
	assert_true(clientaddr_trusted(&set, &a));
	a = ip("::ffff:10.9.9.9");
	assert_true(clientaddr_trusted(&set, &a));
	a = ip("11.0.0.1");
	assert_false(clientaddr_trusted(&set, &a));
	a = ip("192.168.7.1");
	assert_true(clientaddr_trusted(&set, &a));
	a = ip("192.168.7.2");
	assert_false(clientaddr_trusted(&set, &a));
	a = ip("fd12::1");
	assert_true(clientaddr_trusted(&set, &a));
	a = ip("fe00::1");
	assert_false(clientaddr_trusted(&set, &a));
	/* the families never mix: ::a01:203 is not 10.1.2.3 */
	a = ip("::a01:203");
	assert_false(clientaddr_trusted(&set, &a));
	/* the set is bounded */
	while (set.n < CLIENTADDR_MAX_NETS)
		assert_int_equal(clientaddr_set_add(&set, "1.1.1.1"), 0);
	assert_int_equal(clientaddr_set_add(&set, "1.1.1.1"), -1);
}

/* The client of a connection from peer with X-Forwarded-For xff. */
static void expect_pick(const struct clientaddr_set *set, const char *peer,
			const char *xff, const char *want)
{
	struct clientaddr_ip p = ip(peer), out;
	char got[CLIENTADDR_STRLEN];

	clientaddr_pick(set, &p, xff, xff ? strlen(xff) : 0, &out);
	clientaddr_format(&out, got);
	if (strcmp(got, want))
		fail_msg("peer %s, X-Forwarded-For \"%s\": got %s, want %s", peer,
			 xff ? xff : "(none)", got, want);
}

static void test_pick(void **state)
{
	struct clientaddr_set set = { 0 };

	(void)state;
	/* no trusted proxy: the header is ignored */
	expect_pick(NULL, "127.0.0.1", "1.2.3.4", "127.0.0.1");
	expect_pick(&set, "127.0.0.1", "1.2.3.4", "127.0.0.1");
	assert_int_equal(clientaddr_set_add(&set, "127.0.0.1/32"), 0);
	assert_int_equal(clientaddr_set_add(&set, "10.0.0.0/8"), 0);
	/* an untrusted peer: ignored too */
	expect_pick(&set, "203.0.113.9", "1.2.3.4", "203.0.113.9");
	/* a trusted peer without the header is its own client */
	expect_pick(&set, "127.0.0.1", NULL, "127.0.0.1");
	expect_pick(&set, "127.0.0.1", "", "127.0.0.1");
	expect_pick(&set, "127.0.0.1", "1.2.3.4", "1.2.3.4");
	expect_pick(&set, "127.0.0.1", " 1.2.3.4 ", "1.2.3.4");
	/* the rightmost untrusted: what the client wrote itself is skipped */
	expect_pick(&set, "127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4");
	expect_pick(&set, "127.0.0.1", "6.6.6.6,1.2.3.4,10.0.0.2", "1.2.3.4");
	expect_pick(&set, "127.0.0.1", "1.2.3.4, 10.0.0.2, 10.0.0.3", "1.2.3.4");
	/* every hop trusted: the leftmost (the request started at a proxy) */
	expect_pick(&set, "127.0.0.1", "10.0.0.5, 10.0.0.2", "10.0.0.5");
	/* malformed entries stop the walk at the last trusted hop */
	expect_pick(&set, "127.0.0.1", "1.2.3.4, unknown", "127.0.0.1");
	expect_pick(&set, "127.0.0.1", "1.2.3.4, garbage, 10.0.0.2", "10.0.0.2");
	expect_pick(&set, "127.0.0.1", "1.2.3.4,,10.0.0.2", "10.0.0.2");
	expect_pick(&set, "127.0.0.1", "1.2.3.4,", "127.0.0.1");
	expect_pick(&set, "127.0.0.1", ",", "127.0.0.1");
	/* but junk left of the client does not matter */
	expect_pick(&set, "127.0.0.1", "junk, 1.2.3.4", "1.2.3.4");
	/* ports, brackets, IPv6, mapped addresses; the canonical form */
	expect_pick(&set, "127.0.0.1", "[2001:DB8::7]:1234", "2001:db8::7");
	expect_pick(&set, "127.0.0.1", "1.2.3.4:5678", "1.2.3.4");
	expect_pick(&set, "::ffff:127.0.0.1", "2001:db8::7", "2001:db8::7");
	expect_pick(&set, "127.0.0.1", "::ffff:10.0.0.9, ::ffff:1.2.3.4", "1.2.3.4");
}

static void test_from_sockaddr(void **state)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct clientaddr_ip a;
	char out[CLIENTADDR_STRLEN];

	(void)state;
	inet_pton(AF_INET, "192.0.2.1", &s4.sin_addr);
	assert_int_equal(clientaddr_from_sockaddr((struct sockaddr *)&s4, sizeof(s4), &a), 0);
	clientaddr_format(&a, out);
	assert_string_equal(out, "192.0.2.1");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &s6.sin6_addr);
	assert_int_equal(clientaddr_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), &a), 0);
	clientaddr_format(&a, out);
	assert_string_equal(out, "192.0.2.1");
	inet_pton(AF_INET6, "2001:db8::2", &s6.sin6_addr);
	assert_int_equal(clientaddr_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), &a), 0);
	clientaddr_format(&a, out);
	assert_string_equal(out, "2001:db8::2");
	assert_int_equal(clientaddr_from_sockaddr((struct sockaddr *)&s6, 8, &a), -1);
	s4.sin_family = AF_UNIX;
	assert_int_equal(clientaddr_from_sockaddr((struct sockaddr *)&s4, sizeof(s4), &a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ip),
		cmocka_unit_test(test_parse_net),
		cmocka_unit_test(test_trusted),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_from_sockaddr),
	};

	return cmocka_run_group_tests_name("clientaddr", tests, NULL, NULL);
}
