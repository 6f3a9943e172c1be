/*
 * redis_url.c — parsing, formatting and redacting Redis URLs (see the header).
 */
#include "store/redis_url.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_PORT          6379
#define DEFAULT_SENTINEL_PORT 26379

/* ---- characters ---- */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool is_unreserved(char c)
{
	return is_alnum(c) || strchr("-._~", c);
}

/* What RFC 3986 lets stand unencoded in userinfo (':' aside). */
static bool userinfo_raw_ok(char c)
{
	return c && (is_unreserved(c) || strchr("!$&'()*+,;=", c));
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes s[0..n) into out (outlen bytes with the NUL). Returns 0,
 * or -1 with *why set.
 */
static int decode(const char *s, size_t n, char *out, size_t outlen,
		  const char **why)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				*why = "bad percent-escape in the credentials (use %XX)";
				return -1;
			}
			c = (char)(hi << 4 | lo);
			if (!c) {
				*why = "the credentials hold %00";
				return -1;
			}
			i += 2;
		} else if (!userinfo_raw_ok(c) && c != ':') {
			*why = "the credentials hold a character that must be percent-encoded";
			return -1;
		}
		if (o + 1 >= outlen) {
			*why = "the user or password is too long";
			return -1;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* ---- parts ---- */

/*
 * "USER:PASSWORD", ":PASSWORD" or "USER" (s[0..n), before the '@') into u.
 * The credential rules that need the flags are checked by the caller.
 */
static int parse_userinfo(const char *s, size_t n, struct redis_url *u,
			  bool *has_colon, const char **why)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;

	*has_colon = colon != NULL;
	if (!n) {
		*why = "nothing before the '@' (write redis://:PASSWORD@host or no '@')";
		return -1;
	}
	if (decode(s, ulen, u->user, sizeof(u->user), why))
		return -1;
	if (colon && decode(colon + 1, n - ulen - 1, u->password,
			    sizeof(u->password), why))
		return -1;
	if (colon && !u->password[0]) {
		*why = "the password is empty";
		return -1;
	}
	return 0;
}

static int parse_port(const char *s, size_t n, int *port, const char **why)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 65535) {
			v = -1;
			break;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (!n || v < 1 || v > 65535) {
		*why = "bad port (1 to 65535)";
		return -1;
	}
	*port = (int)v;
	return 0;
}

/* HOST[:PORT] or [IPV6][:PORT] (s[0..n)) into a. */
static int parse_hostport(const char *s, size_t n, int defport,
			  struct redis_url_addr *a, const char **why)
{
	const char *h = s, *end = s + n, *hend, *p;
	bool v6 = n && s[0] == '[';

	hend = v6 ? memchr(s, ']', n) : memchr(s, ':', n);
	if (v6 && !hend) {
		*why = "an IPv6 address lacks its ']'";
		return -1;
	}
	if (!hend)
		hend = end;
	if (v6)
		h++;
	p = v6 ? hend + 1 : hend;
	if (hend == h) {
		*why = "the host is missing";
		return -1;
	}
	if ((size_t)(hend - h) >= sizeof(a->host)) {
		*why = "the host name is too long";
		return -1;
	}
	for (const char *c = h; c < hend; c++)
		if (!(is_alnum(*c) || (v6 ? strchr(":.", *c) != NULL :
					strchr("-._", *c) != NULL))) {
			*why = "the host holds a character a host name cannot have";
			return -1;
		}
	memcpy(a->host, h, (size_t)(hend - h));
	a->host[hend - h] = '\0';
	a->port = defport;
	if (p == end)
		return 0;
	if (*p != ':') {
		*why = "unexpected text after the host";
		return -1;
	}
	return parse_port(p + 1, (size_t)(end - p - 1), &a->port, why);
}

/* redis://: rest is what follows the userinfo. */
static int parse_tcp(const char *rest, struct redis_url *u, const char **why)
{
	size_t n = strcspn(rest, "/");

	if (rest[n] && strcmp(rest + n, "/")) {
		*why = "unexpected text after the address (no database number, path or query)";
		return -1;
	}
	u->kind = REDIS_URL_TCP;
	u->naddr = 1;
	return parse_hostport(rest, n, DEFAULT_PORT, &u->addr[0], why);
}

static int parse_unix(const char *rest, struct redis_url *u, const char **why)
{
	u->kind = REDIS_URL_UNIX;
	if (rest[0] != '/') {
		*why = "the socket path must be absolute (unix:///path)";
		return -1;
	}
	if (strlen(rest) >= sizeof(u->path)) {
		*why = "the socket path is too long for a unix socket (107 bytes at most)";
		return -1;
	}
	strcpy(u->path, rest);
	return 0;
}

static int parse_master(const char *s, struct redis_url *u, const char **why)
{
	size_t n = strlen(s);

	if (!n || n >= sizeof(u->master)) {
		*why = "a sentinel URL ends with /MASTER, the master's name (1 to 127 bytes)";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("-._", s[i])) {
			*why = "the master's name holds a character other than letters, digits, '-', '.' and '_'";
			return -1;
		}
	strcpy(u->master, s);
	return 0;
}

/* sentinel://: HOST:PORT[,HOST:PORT...]/MASTER. */
static int parse_sentinel(const char *rest, struct redis_url *u,
			  const char **why)
{
	const char *slash = strchr(rest, '/'), *p = rest;

	u->kind = REDIS_URL_SENTINEL;
	if (!slash) {
		*why = "a sentinel URL ends with /MASTER, the master's name";
		return -1;
	}
	for (;;) {
		size_t n = strcspn(p, ",/");

		if (u->naddr == REDIS_URL_SENTINELS_MAX) {
			*why = "too many sentinels (16 at most)";
			return -1;
		}
		if (parse_hostport(p, n, DEFAULT_SENTINEL_PORT,
				   &u->addr[u->naddr++], why))
			return -1;
		p += n;
		if (*p == '/')
			break;
		p++;
	}
	return parse_master(p + 1, u, why);
}

/* ---- the URL ---- */

static const char *const SCHEMES[] = { "redis://", "unix://", "sentinel://" };

/*
 * Splits off the userinfo of a URL whose scheme is over: returns where the
 * address starts (after the '@') and sets *info, *infolen; or returns rest
 * with *info NULL when there is none.
 */
static const char *split_userinfo(const char *rest, enum redis_url_kind kind,
				  const char **info, size_t *infolen)
{
	size_t auth = kind == REDIS_URL_UNIX ? strlen(rest) : strcspn(rest, "/");
	const char *at = NULL;

	*info = NULL;
	if (kind == REDIS_URL_UNIX && rest[0] == '/')
		return rest;
	for (size_t i = 0; i < auth; i++)
		if (rest[i] == '@') {
			at = rest + i;
			if (kind == REDIS_URL_UNIX)
				break;  /* the path may hold '@' after it */
		}
	if (!at)
		return rest;
	*info = rest;
	*infolen = (size_t)(at - rest);
	return at + 1;
}

static int check_credentials(const struct redis_url *u, bool has_colon,
			     unsigned flags, const char **why)
{
	if (u->password[0] && (flags & REDIS_URL_PASSWORD_GIVEN)) {
		*why = "the password is given twice: in the URL and in --redis-password-file";
		return -1;
	}
	if (u->user[0] && !has_colon && !(flags & REDIS_URL_PASSWORD_GIVEN)) {
		*why = "the user has no password (write USER:PASSWORD@ or give --redis-password-file)";
		return -1;
	}
	return 0;
}

int redis_url_parse(const char *s, unsigned flags, struct redis_url *u,
		    const char **why)
{
	const char *rest = NULL, *info;
	size_t infolen = 0;
	enum redis_url_kind kind = REDIS_URL_TCP;
	bool has_colon = false;

	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < sizeof(SCHEMES) / sizeof(SCHEMES[0]); i++)
		if (!strncmp(s, SCHEMES[i], strlen(SCHEMES[i]))) {
			rest = s + strlen(SCHEMES[i]);
			kind = (enum redis_url_kind)i;
		}
	if (!rest) {
		*why = "not a Redis URL (redis://[[USER]:PASSWORD@]HOST:PORT, unix:///PATH or sentinel://HOST:PORT[,...]/MASTER)";
		return -1;
	}
	if (strlen(s) >= REDIS_URL_MAX) {
		*why = "the URL is too long";
		return -1;
	}
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*why = "the URL holds a control character";
			return -1;
		}
	rest = split_userinfo(rest, kind, &info, &infolen);
	if (info && parse_userinfo(info, infolen, u, &has_colon, why))
		return -1;
	if (check_credentials(u, has_colon, flags, why))
		return -1;
	if (kind == REDIS_URL_UNIX)
		return parse_unix(rest, u, why);
	if (kind == REDIS_URL_SENTINEL)
		return parse_sentinel(rest, u, why);
	return parse_tcp(rest, u, why);
}

/* ---- writing ---- */

struct out {
	char *p;
	size_t len, cap;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n >= o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_encoded(struct out *o, const char *s)
{
	for (; *s; s++) {
		char hex[4];

		if (userinfo_raw_ok(*s)) {
			put(o, s, 1);
			continue;
		}
		snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*s);
		put(o, hex, 3);
	}
}

static void put_addr(struct out *o, const struct redis_url_addr *a)
{
	char port[8];
	bool v6 = strchr(a->host, ':') != NULL;

	put_str(o, v6 ? "[" : "");
	put_str(o, a->host);
	snprintf(port, sizeof(port), "%s:%d", v6 ? "]" : "", a->port);
	put_str(o, port);
}

int redis_url_format(const struct redis_url *u, bool redact, char *out,
		     size_t outlen)
{
	struct out o = { out, 0, outlen, outlen == 0 };

	if (outlen)
		out[0] = '\0';
	put_str(&o, SCHEMES[u->kind]);
	if (u->user[0] || u->password[0]) {
		put_encoded(&o, u->user);
		if (u->password[0]) {
			put_str(&o, ":");
			if (redact)
				put_str(&o, "***");
			else
				put_encoded(&o, u->password);
		}
		put_str(&o, "@");
	}
	if (u->kind == REDIS_URL_UNIX)
		put_str(&o, u->path);
	for (int i = 0; u->kind != REDIS_URL_UNIX && i < u->naddr; i++) {
		put_str(&o, i ? "," : "");
		put_addr(&o, &u->addr[i]);
	}
	if (u->kind == REDIS_URL_SENTINEL) {
		put_str(&o, "/");
		put_str(&o, u->master);
	}
	if (o.full && outlen)
		out[0] = '\0';
	return o.full ? -1 : 0;
}

/* Appends s[0..n) to out, cutting what does not fit. */
static void append_cut(char *out, size_t outlen, const char *s, size_t n)
{
	size_t len = strlen(out), room = outlen - 1 - len;

	if (n > room)
		n = room;
	memcpy(out + len, s, n);
	out[len + n] = '\0';
}

void redis_url_redact(const char *s, char *out, size_t outlen)
{
	size_t scheme = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	const char *rest = strncmp(s + scheme, "://", 3) ? s : s + scheme + 3;
	const char *at = strrchr(rest, '@'), *colon;

	if (!outlen)
		return;
	out[0] = '\0';
	if (!strncmp(s, "unix://", 7) && rest[0] == '/')
		at = NULL;      /* a path first: no credentials; '@' is the path's */
	else if (!strncmp(s, "unix://", 7) && strstr(rest, "@/"))
		at = strstr(rest, "@/");
	if (!at) {
		append_cut(out, outlen, s, strlen(s));
		return;
	}
	append_cut(out, outlen, s, (size_t)(rest - s));
	colon = memchr(rest, ':', (size_t)(at - rest));
	if (colon)
		append_cut(out, outlen, rest, (size_t)(colon - rest + 1));
	append_cut(out, outlen, "***", 3);
	append_cut(out, outlen, at, strlen(at));
}
