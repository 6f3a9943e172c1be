/*
 * redis_url.h — Redis addresses as given to --redis, parsed without any I/O.
 *
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/]      TCP (port 6379 by default;
 *                                                 HOST may be [IPv6])
 *   unix://[[USER]:PASSWORD@]/PATH                a unix socket
 *   sentinel://[[USER]:PASSWORD@]HOST[:PORT][,HOST[:PORT]...]/MASTER
 *                                                 Sentinels (port 26379 by
 *                                                 default) and the master's name
 *
 * USER and PASSWORD are percent-decoded; every byte of them that is not
 * unreserved, a sub-delim or ':' must be percent-encoded (RFC 3986 3.2.1),
 * and %00 is refused. "redis://:PASS@h" is a password alone (AUTH PASS);
 * a user needs a password. Nothing here logs: a URL that may carry a
 * password is shown only through redis_url_redact().
 */
#ifndef LB_REDIS_URL_H
#define LB_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_URL_MAX           8192  /* longest URL accepted, in bytes: any
                                         * URL redis_url_format writes fits */
#define REDIS_URL_HOST_MAX      256   /* sizes with the NUL */
#define REDIS_URL_PATH_MAX      108   /* sizeof(sockaddr_un.sun_path) */
#define REDIS_URL_USER_MAX      256
#define REDIS_URL_PASSWORD_MAX  512
#define REDIS_URL_MASTER_MAX    128
#define REDIS_URL_SENTINELS_MAX 16

/* The password comes from elsewhere (--redis-password-file): a user alone
 * is fine, and a password in the URL is an error. */
#define REDIS_URL_PASSWORD_GIVEN 1u

enum redis_url_kind { REDIS_URL_TCP, REDIS_URL_UNIX, REDIS_URL_SENTINEL };

struct redis_url_addr {
	char host[REDIS_URL_HOST_MAX];    /* without the brackets of an IPv6 */
	int port;
};

struct redis_url {
	enum redis_url_kind kind;
	struct redis_url_addr addr[REDIS_URL_SENTINELS_MAX]; /* TCP: addr[0] */
	int naddr;                        /* TCP: 1; SENTINEL: 1.. */
	char path[REDIS_URL_PATH_MAX];    /* UNIX */
	char master[REDIS_URL_MASTER_MAX];/* SENTINEL */
	char user[REDIS_URL_USER_MAX];    /* "" for the default user */
	char password[REDIS_URL_PASSWORD_MAX]; /* "" when none */
};

/*
 * Parses s into *u. Returns 0, or -1 with *why set to a static sentence
 * (lower case, no final period) saying what is wrong; *u is then
 * unspecified. flags: 0 or REDIS_URL_PASSWORD_GIVEN.
 */
int redis_url_parse(const char *s, unsigned flags, struct redis_url *u,
		    const char **why);

/*
 * Writes u back as a URL into out (credentials percent-encoded where they
 * must be, so that redis_url_parse gives u again). With redact, a password shows as "***".
 * Returns 0, or -1 when it does not fit (out then holds "").
 */
int redis_url_format(const struct redis_url *u, bool redact, char *out,
		     size_t outlen);

/*
 * Copies any string (a URL, valid or not) into out for a log line or an
 * error message, with whatever could be credentials hidden: what lies
 * between "://" and the last '@' (for unix://, the first "@/" if any) becomes
 * "USER:***" when it has a ':', else "***". Always NUL-terminates (when
 * outlen > 0); cuts a long input.
 */
void redis_url_redact(const char *s, char *out, size_t outlen);

#endif
