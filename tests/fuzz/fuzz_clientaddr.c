/*
 * fuzz_clientaddr.c — X-Forwarded-For values and --trusted-proxy networks
 * on arbitrary bytes (clientaddr.c).
 *
 * The input is an X-Forwarded-For value from trusted peer 127.0.0.1, with
 * 127.0.0.1/32, 10.0.0.0/8 and fd00::/8 trusted. Invariants:
 *   - the client is the peer or an address written in the header, in its
 *     canonical form (formatting and parsing it again gives it back);
 *   - every entry right of the one chosen is a trusted address; the one
 *     chosen is untrusted unless the walk stopped there (the left end, or
 *     junk just left of it);
 *   - another trusted hop appended on the right changes nothing once an
 *     entry was chosen; the same header from an untrusted peer is ignored;
 *   - the input as a network: when it parses, its prefix fits its family,
 *     its host bits are zero, and its text form parses back to it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "http/clientaddr.h"

static struct clientaddr_set trusted;

static struct clientaddr_ip addr(const char *s)
{
	struct clientaddr_ip a;

	CHECK(!clientaddr_parse_ip(s, strlen(s), &a));
	return a;
}

static int same(const struct clientaddr_ip *a, const struct clientaddr_ip *b)
{
	return a->len == b->len && !memcmp(a->a, b->a, (size_t)a->len);
}

static void check_round_trip(const struct clientaddr_ip *a)
{
	char text[CLIENTADDR_STRLEN];
	struct clientaddr_ip back;

	CHECK(a->len == 4 || a->len == 16);
	clientaddr_format(a, text);
	CHECK(!clientaddr_parse_ip(text, strlen(text), &back) && same(a, &back));
}

/*
 * Walks xff from the right by the header's rule, written plainly: the
 * entries right of the chosen one are trusted addresses, and the chosen
 * one is the first untrusted address, else the last trusted hop reached.
 */
static void check_walk(const char *xff, size_t len, const struct clientaddr_ip *peer,
		       const struct clientaddr_ip *got)
{
	struct clientaddr_ip last = *peer, ip;
	size_t end = len, start;

	for (;; end = start - 1) {
		start = end;
		while (start && xff[start - 1] != ',')
			start--;
		if (clientaddr_parse_ip(xff + start, end - start, &ip))
			break;
		last = ip;
		if (!clientaddr_trusted(&trusted, &ip) || !start)
			break;
	}
	CHECK(same(got, &last));
}

static void check_net(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), text[CLIENTADDR_STRLEN + 8];
	struct clientaddr_net n, back;

	CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (!clientaddr_parse_net(s, &n)) {
		struct clientaddr_ip m = n.ip;

		/* host bits are zero: the network's address is itself masked */
		for (unsigned i = n.prefix; i < (unsigned)m.len * 8; i++)
			CHECK(!(m.a[i / 8] & (0x80 >> (i % 8))));
		CHECK(n.prefix <= (unsigned)n.ip.len * 8);
		check_round_trip(&n.ip);
		/* the network contains its own address */
		clientaddr_format(&n.ip, text);
		snprintf(text + strlen(text), 8, "/%u", n.prefix);
		CHECK(!clientaddr_parse_net(text, &back));
		CHECK(same(&back.ip, &n.ip) && back.prefix == n.prefix);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xff = (const char *)data;
	struct clientaddr_ip peer, stranger, got, got2, single;
	char *more;

	if (!trusted.n) {
		CHECK(!clientaddr_set_add(&trusted, "127.0.0.1/32"));
		CHECK(!clientaddr_set_add(&trusted, "10.0.0.0/8"));
		CHECK(!clientaddr_set_add(&trusted, "fd00::/8"));
	}
	peer = addr("127.0.0.1");
	stranger = addr("203.0.113.1");
	check_net(data, size);
	if (!clientaddr_parse_ip(xff, size, &single))
		check_round_trip(&single);

	clientaddr_pick(&trusted, &peer, xff, size, &got);
	check_round_trip(&got);
	if (size)
		check_walk(xff, size, &peer, &got);
	else
		CHECK(same(&got, &peer));
	clientaddr_pick(&trusted, &stranger, xff, size, &got2);
	CHECK(same(&got2, &stranger));

	/* a trusted hop appended on the right */
	more = malloc(size + 12);
	CHECK(more != NULL);
	memcpy(more, xff, size);
	memcpy(more + size, ",10.9.9.9", 9);
	clientaddr_pick(&trusted, &peer, more, size + 9, &got2);
	if (!same(&got, &peer))
		CHECK(same(&got2, &got));
	free(more);
	return 0;
}
