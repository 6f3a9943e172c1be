/*
 * clientaddr.h — a connection's client address when it comes through
 * trusted proxies (--trusted-proxy CIDR, X-Forwarded-For).
 * Pure: no lws, no I/O, so it is unit-tested and fuzzed alone.
 *
 * The rule: a connection whose peer is not trusted is its own client and
 * X-Forwarded-For is ignored. From a trusted peer, the header's entries
 * (all X-Forwarded-For headers joined with ',', in order) are walked from
 * the right: trusted addresses are hops to skip, the first untrusted one is
 * the client. Conservative on anything else: the walk stops at an entry
 * that is not an address (empty, "unknown", a host name, a zone id, junk)
 * and at the left end; the client is then the last trusted hop reached,
 * i.e. the proxy that could not name its own client. A client can thus
 * only ever be bucketed with its nearest trusted proxy, never pick an
 * address of its choosing.
 */
#ifndef LB_CLIENTADDR_H
#define LB_CLIENTADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define CLIENTADDR_MAX_NETS 64
#define CLIENTADDR_STRLEN 46     /* INET6_ADDRSTRLEN */

/* One address; an IPv4-mapped IPv6 address is held as IPv4. */
struct clientaddr_ip {
	int len;                     /* 4 or 16 bytes */
	unsigned char a[16];
};

struct clientaddr_net {
	struct clientaddr_ip ip;     /* host bits cleared */
	unsigned prefix;             /* 0..32 or 0..128 */
};

struct clientaddr_set {
	size_t n;
	struct clientaddr_net nets[CLIENTADDR_MAX_NETS];
};

/*
 * Parses "ADDR/PREFIX" or a bare ADDR (/32 or /128), IPv4 or IPv6; host
 * bits past the prefix are ignored. Returns 0, or -1 (out unchanged).
 */
int clientaddr_parse_net(const char *s, struct clientaddr_net *out);
/* Adds a network to set. Returns 0, or -1 when s is invalid or set full. */
int clientaddr_set_add(struct clientaddr_set *set, const char *s);

/*
 * Parses one address of len bytes as proxies write them: "1.2.3.4",
 * "1.2.3.4:port", "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:port",
 * with spaces or tabs around. Returns 0, or -1.
 */
int clientaddr_parse_ip(const char *s, size_t len, struct clientaddr_ip *out);
/* From a socket address (AF_INET or AF_INET6). Returns 0, or -1. */
int clientaddr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
			     struct clientaddr_ip *out);
bool clientaddr_trusted(const struct clientaddr_set *set,
			const struct clientaddr_ip *ip);
/* The canonical text form (inet_ntop) into out (CLIENTADDR_STRLEN bytes). */
void clientaddr_format(const struct clientaddr_ip *ip, char *out);

/*
 * The client of a connection from peer that sent xff (len bytes, NULL or
 * empty: no header), by the rule above. set NULL or empty: always peer.
 */
void clientaddr_pick(const struct clientaddr_set *set,
		     const struct clientaddr_ip *peer, const char *xff,
		     size_t len, struct clientaddr_ip *out);

#endif
