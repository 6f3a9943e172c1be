/*
 * clientaddr.c — client addresses behind trusted proxies (see header).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "http/clientaddr.h"

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Fills out from 16 bytes of IPv6, folding an IPv4-mapped one to IPv4. */
static void from_v6(const unsigned char *a, struct clientaddr_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (!memcmp(a, v4_mapped, sizeof(v4_mapped))) {
		out->len = 4;
		memcpy(out->a, a + 12, 4);
	} else {
		out->len = 16;
		memcpy(out->a, a, 16);
	}
}

/* A NUL-terminated bare address (no brackets, no port). Returns 0 or -1. */
static int parse_bare(const char *s, struct clientaddr_ip *out)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1) {
		memset(out, 0, sizeof(*out));
		out->len = 4;
		memcpy(out->a, a, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		from_v6(a, out);
		return 0;
	}
	return -1;
}

/* ":port" (1 to 5 digits) or nothing. */
static bool port_ok(const char *p, size_t len)
{
	if (!len)
		return true;
	if (p[0] != ':' || len < 2 || len > 6)
		return false;
	for (size_t i = 1; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

int clientaddr_parse_ip(const char *s, size_t len, struct clientaddr_ip *out)
{
	char buf[CLIENTADDR_STRLEN + 8];
	const char *end = s + len, *close, *colon;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - s);
	if (!len || len >= sizeof(buf) || memchr(s, '\0', len))
		return -1;
	if (s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close || !port_ok(close + 1, (size_t)(end - close - 1)))
			return -1;
		memcpy(buf, s + 1, (size_t)(close - s - 1));
		buf[close - s - 1] = '\0';
		return strchr(buf, ':') ? parse_bare(buf, out) : -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* one colon: IPv4 with a port; more: IPv6 without brackets */
	colon = strchr(buf, ':');
	if (colon && !strchr(colon + 1, ':')) {
		if (!port_ok(colon, strlen(colon)))
			return -1;
		buf[colon - buf] = '\0';
		return strchr(buf, '.') ? parse_bare(buf, out) : -1;
	}
	return parse_bare(buf, out);
}

int clientaddr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
			     struct clientaddr_ip *out)
{
	if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
		memset(out, 0, sizeof(*out));
		out->len = 4;
		memcpy(out->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		from_v6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, out);
		return 0;
	}
	return -1;
}

/* Clears the bits of ip past prefix. */
static void mask(struct clientaddr_ip *ip, unsigned prefix)
{
	for (unsigned i = 0; i < (unsigned)ip->len; i++) {
		unsigned keep = prefix > i * 8 ? prefix - i * 8 : 0;

		if (keep < 8)
			ip->a[i] &= (unsigned char)(0xff00u >> keep);
	}
}

int clientaddr_parse_net(const char *s, struct clientaddr_net *out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct clientaddr_net n;
	char buf[CLIENTADDR_STRLEN], *end;
	long prefix;
	bool v6_text = memchr(s, ':', alen) != NULL;

	if (!alen || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (parse_bare(buf, &n.ip))
		return -1;
	prefix = v6_text ? 128 : 32;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		prefix = strtol(slash + 1, &end, 10);
		if (*end || prefix > (v6_text ? 128 : 32))
			return -1;
	}
	/* "::ffff:10.0.0.0/104" is held as IPv4: its prefix is 96 shorter */
	if (v6_text && n.ip.len == 4)
		prefix -= 96;
	if (prefix < 0)
		return -1;
	n.prefix = (unsigned)prefix;
	mask(&n.ip, n.prefix);
	*out = n;
	return 0;
}

int clientaddr_set_add(struct clientaddr_set *set, const char *s)
{
	if (set->n >= CLIENTADDR_MAX_NETS || clientaddr_parse_net(s, &set->nets[set->n]))
		return -1;
	set->n++;
	return 0;
}

bool clientaddr_trusted(const struct clientaddr_set *set,
			const struct clientaddr_ip *ip)
{
	for (size_t i = 0; set && i < set->n; i++) {
		struct clientaddr_ip m = *ip;

		if (set->nets[i].ip.len != ip->len)
			continue;
		mask(&m, set->nets[i].prefix);
		if (!memcmp(m.a, set->nets[i].ip.a, (size_t)ip->len))
			return true;
	}
	return false;
}

void clientaddr_format(const struct clientaddr_ip *ip, char *out)
{
	if (!inet_ntop(ip->len == 4 ? AF_INET : AF_INET6, ip->a, out, CLIENTADDR_STRLEN))
		strcpy(out, "?");
}

void clientaddr_pick(const struct clientaddr_set *set,
		     const struct clientaddr_ip *peer, const char *xff,
		     size_t len, struct clientaddr_ip *out)
{
	size_t end = len;

	*out = *peer;
	if (!xff || !len || !clientaddr_trusted(set, peer))
		return;
	/* out is the last trusted hop; each step left asks it who its client was */
	for (;;) {
		size_t start = end;
		struct clientaddr_ip ip;

		while (start && xff[start - 1] != ',')
			start--;
		if (clientaddr_parse_ip(xff + start, end - start, &ip))
			return;
		*out = ip;
		if (!clientaddr_trusted(set, &ip) || !start)
			return;
		end = start - 1;
	}
}
