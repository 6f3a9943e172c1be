/*
 * config.c — the flag table: parsing, validation and --help come from it.
 */
#include "config.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/clientaddr.h"
#include "http/origin.h"

/* F_LIST: repeatable, each value appended to a struct config_list */
enum flag_kind { F_STRING, F_LONG, F_LISTEN, F_LEVEL, F_REDIS, F_SECRET_FILE, F_LIST,
		 F_LANG, F_URL, F_ONOFF };

struct flag {
	const char *name;
	enum flag_kind kind;
	size_t offset;
	long min, max;
	const char *metavar;
	const char *help;
};

#define OFF(f) offsetof(struct lb_config, f)

static const struct flag flags[] = {
	{ "listen", F_LISTEN, 0, 0, 0, "HOST:PORT", "address to serve on (default 127.0.0.1:8080)" },
	{ "workers", F_LONG, OFF(workers), 1, 64, "N", "fan-out event loops (default: one per core), plus one front loop for HTTP" },
	{ "redis", F_REDIS, OFF(redis_url), 0, 0, "URL", "redis://[[user]:password@]host:port, unix:///path or sentinel://host:port[,host:port...]/master (default: embedded redis-server)" },
	{ "redis-password-file", F_SECRET_FILE, OFF(redis_password), 0, 0, "FILE", "Redis password: the file's first line (needs --redis; not also in the URL)" },
	{ "data-dir", F_STRING, OFF(data_dir), 0, 0, "DIR", "embedded Redis data and admin.token (default ./var)" },
	{ "admin-token", F_STRING, OFF(admin_token), 0, 0, "TOKEN", "admin token (default $LIVEBLOG_ADMIN_TOKEN or <data-dir>/admin.token)" },
	{ "www", F_STRING, OFF(www), 0, 0, "DIR", "serve the pages and static files from DIR, read per request (development; default: the copy compiled into liveblogd)" },
	{ "log-level", F_LEVEL, OFF(log_level), 0, 0, "LEVEL", "error, warn, notice, info or debug (default notice)" },
	{ "redis-server", F_STRING, OFF(redis_server), 0, 0, "PATH", "redis-server binary for the embedded Redis" },
	{ "max-body", F_LONG, OFF(max_body), 1024, 64L << 20, "BYTES", "largest request body (default 65536)" },
	{ "max-text", F_LONG, OFF(max_text), 1, 16L << 20, "BYTES", "largest entry text (default 16384)" },
	{ "max-title", F_LONG, OFF(max_title), 1, 1L << 20, "BYTES", "largest title (default 300)" },
	{ "max-ws-message", F_LONG, OFF(max_ws_message), 16, 1L << 20, "BYTES", "largest message a reader may send (default 4096)" },
	{ "reader-backlog", F_LONG, OFF(reader_backlog), 8, 1L << 20, "N", "events a reader may lag before it is dropped (default 4096; a blog's ring also keeps at most 16 MiB of text)" },
	{ "ping-interval", F_LONG, OFF(ping_secs), 5, 3600, "SECS", "WebSocket ping interval for idle readers (default 60)" },
	{ "replay-cap", F_LONG, OFF(replay_cap_ms), 0, 3600000, "MS", "longest pause in a replay (default 5000)" },
	{ "max-readers", F_LONG, OFF(max_readers), 1, 10000000, "N", "readers per instance (default 100000)" },
	{ "max-readers-per-ip", F_LONG, OFF(max_readers_per_ip), 1, 10000000, "N", "readers per client address (default 10000)" },
	{ "max-media", F_LONG, OFF(max_media), 1024, 64L << 20, "BYTES", "largest picture upload; for that route it replaces --max-body (default 8388608)" },
	{ "ack-replicas", F_LONG, OFF(ack_replicas), 0, 16, "N", "a write is acknowledged once N replicas hold it (WAIT), else 503 (default 0; needs --redis)" },
	{ "ack-timeout", F_LONG, OFF(ack_timeout_ms), 1, 60000, "MS", "how long a write waits for --ack-replicas (default 1000)" },
	{ "ended-max-age", F_LONG, OFF(ended_max_age), 0, 31536000, "SECS", "how long caches may keep an ended blog's pages and events before they revalidate (default 3600; a redaction reaches every cache within it)" },
	{ "cache-mb", F_LONG, OFF(cache_mb), 1, 1L << 20, "MB", "memory for what readers can make the server keep: catch-up pages, rendered pages (default 256)" },
	{ "default-lang", F_LANG, OFF(default_lang), 0, 0, "TAG", "language (BCP 47) of blogs created without one (default en)" },
	{ "public-url", F_URL, OFF(public_url), 0, 0, "URL", "where readers reach this server, http(s)://host[:port][/path]: the start of every absolute URL (JSON-LD, feeds, og: tags, canonical links, permalinks; default http:// + --listen)" },
	{ "page-entries", F_LONG, OFF(page_entries), 1, 1000, "N", "the newest entries a reader page is rendered with, plus the pinned and key ones; older ones on demand (default 30)" },
	{ "publisher", F_STRING, OFF(publisher), 0, 0, "NAME", "the publisher (an Organization) in the JSON-LD and og:site_name (default: the --public-url host)" },
	{ "embed-origin", F_LIST, OFF(embed_origins), 0, 0, "ORIGIN", "repeatable: a site (scheme://host[:port]) whose pages may embed the blogs (embed.js, the embed page in an iframe, CORS on reads, WebSockets), or '*' for any (default: this server's own origin only)" },
	{ "trusted-proxy", F_LIST, OFF(trusted_proxies), 0, 0, "CIDR", "repeatable: a proxy whose X-Forwarded-For names the client (default: none, the header is ignored)" },
	{ "compress", F_ONOFF, OFF(compress), 0, 0, "on|off", "WebSocket permessage-deflate for readers that offer it, each event compressed once (default on)" },
};

void config_public_url(struct lb_config *cfg)
{
	if (!cfg->public_url[0])
		snprintf(cfg->public_url, sizeof(cfg->public_url), "http://%s:%d",
			 cfg->listen_host, cfg->port);
}

void config_defaults(struct lb_config *cfg)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->listen_host, "127.0.0.1");
	cfg->port = 8080;
	cfg->workers = cores > 0 ? cores : 1;
	cfg->data_dir = "./var";
	cfg->www = NULL;   /* the pages compiled into liveblogd (http/assets.c) */
	cfg->log_level = "notice";
	cfg->redis_server = "redis-server";
	cfg->max_body = 65536;
	cfg->max_text = 16384;
	cfg->max_title = 300;
	cfg->max_ws_message = 4096;
	cfg->reader_backlog = 4096;
	cfg->ping_secs = 60;
	cfg->replay_cap_ms = 5000;
	cfg->max_readers = 100000;
	cfg->max_readers_per_ip = 10000;
	cfg->cache_mb = 256;
	cfg->max_media = 8L << 20;
	strcpy(cfg->default_lang, "en");
	cfg->page_entries = 30;
	cfg->ack_replicas = 0;
	cfg->ack_timeout_ms = 1000;
	cfg->ended_max_age = 3600;
	cfg->compress = true;
}

int config_log_mask(const char *level)
{
	static const struct { const char *name; int mask; } levels[] = {
		{ "error", LLL_ERR },
		{ "warn", LLL_ERR | LLL_WARN },
		{ "notice", LLL_ERR | LLL_WARN | LLL_USER },
		{ "info", LLL_ERR | LLL_WARN | LLL_USER | LLL_NOTICE },
		{ "debug", LLL_ERR | LLL_WARN | LLL_USER | LLL_NOTICE | LLL_INFO },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(level, levels[i].name))
			return levels[i].mask;
	return -1;
}

void config_usage(FILE *out)
{
	fprintf(out, "usage: liveblogd [options]\n\n"
		"A liveblog publishing and push server (libwebsockets + Redis).\n\n");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s %s", flags[i].name, flags[i].metavar);
		fprintf(out, "  %-28s %s\n", left, flags[i].help);
	}
	fprintf(out, "  %-28s %s\n  %-28s %s\n", "--help", "show this help",
		"--version", "print the version");
}

/*
 * An absolute http(s) URL with a host, no query, fragment, user info or
 * space, into out without its trailing '/'. Returns 0 or -1.
 */
static int parse_url(const char *v, char *out, size_t outlen)
{
	size_t scheme = !strncmp(v, "https://", 8) ? 8 : !strncmp(v, "http://", 7) ? 7 : 0;
	size_t len = strlen(v);

	if (!scheme || len >= outlen || !v[scheme] || v[scheme] == '/' ||
	    strpbrk(v, "?#@ \t\r\n\"'<>\\"))
		return -1;
	memcpy(out, v, len + 1);
	while (len > scheme && out[len - 1] == '/')
		out[--len] = '\0';
	return 0;
}

static int parse_listen(struct lb_config *cfg, const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(cfg->listen_host))
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	memcpy(cfg->listen_host, v, (size_t)(colon - v));
	cfg->listen_host[colon - v] = '\0';
	cfg->port = (int)port;
	return 0;
}

/* After a full buffer: true when the line goes on. */
static bool next_is_more(FILE *f)
{
	int c = fgetc(f);

	return c != EOF && c != '\r' && c != '\n';
}

/*
 * Reads the first line of the file path (without its line end) into out
 * (outlen bytes with the NUL). Returns 0, or -1 with err set to one line
 * that names the file but never shows its content.
 */
static int read_secret(const char *path, char *out, size_t outlen,
		       const char *flag, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	const char *why = NULL;
	size_t len;

	out[0] = '\0';
	if (!f || !fgets(out, (int)outlen, f)) {
		why = f && !ferror(f) ? "the file is empty" : strerror(errno);
		goto out_close;
	}
	len = strcspn(out, "\r\n");
	if (!out[len] && next_is_more(f))
		why = "the first line is too long (511 bytes at most)";
	else if (!len)
		why = "the first line is empty";
	out[len] = '\0';
out_close:
	if (f)
		fclose(f);
	if (!why)
		return 0;
	memset(out, 0, outlen);
	snprintf(err, errlen, "liveblogd: --%s %s: %s", flag, path, why);
	return -1;
}

/*
 * The Redis flags together, once all are read: the URL must parse (and is
 * shown redacted if not), a password file needs a URL without a password,
 * replicas to wait for need an external Redis.
 */
static int check_redis(struct lb_config *cfg, char *err, size_t errlen)
{
	struct redis_url u;
	char shown[256];
	const char *why;

	if (cfg->redis_password_file && !cfg->redis_url) {
		snprintf(err, errlen, "liveblogd: --redis-password-file needs --redis "
			 "(the embedded redis-server is reached through a 0700 socket, without a password)");
		return -1;
	}
	if (cfg->ack_replicas && !cfg->redis_url) {
		snprintf(err, errlen, "liveblogd: --ack-replicas needs --redis "
			 "(the embedded redis-server has no replicas)");
		return -1;
	}
	if (!cfg->redis_url)
		return 0;
	if (!redis_url_parse(cfg->redis_url, cfg->redis_password_file ?
			     REDIS_URL_PASSWORD_GIVEN : 0, &u, &why))
		return 0;
	redis_url_redact(cfg->redis_url, shown, sizeof(shown));
	snprintf(err, errlen, "liveblogd: invalid value '%s' for --redis: %s", shown, why);
	cfg->redis_url = NULL;
	return -1;
}

/* An origin (scheme://host[:port]) or "*": who may embed the blogs. */
static bool embed_origin_valid(const char *v)
{
	return !strcmp(v, "*") || origin_valid(v);
}

static bool cidr_valid(const char *v)
{
	struct clientaddr_net n;

	return !clientaddr_parse_net(v, &n);
}

/* What each value of a repeatable flag must be; others: any non-empty string. */
static const struct {
	const char *flag;
	bool (*valid)(const char *v);
} list_checks[] = {
	{ "trusted-proxy", cidr_valid },
	{ "embed-origin", embed_origin_valid },
};

static bool list_value_valid(const struct flag *f, const char *v)
{
	for (size_t i = 0; i < sizeof(list_checks) / sizeof(list_checks[0]); i++)
		if (!strcmp(list_checks[i].flag, f->name))
			return list_checks[i].valid(v);
	return true;
}

/* Appends v to a repeatable flag's list. Returns 0, or -1 with err set. */
static int append(void *field, const struct flag *f, const char *v, char *err,
		  size_t errlen)
{
	struct config_list *l = field;

	if (!*v || !list_value_valid(f, v)) {
		snprintf(err, errlen, "liveblogd: invalid value '%s' for --%s", v, f->name);
		return -1;
	}
	if (l->n == CONFIG_LIST_MAX) {
		snprintf(err, errlen, "liveblogd: --%s is given more than %d times",
			 f->name, CONFIG_LIST_MAX);
		return -1;
	}
	l->v[l->n++] = v;
	return 0;
}

/* Stores one flag's value. Returns 0, or -1 with err set. */
static int apply(struct lb_config *cfg, const struct flag *f, const char *v,
		 char *err, size_t errlen)
{
	char *base = (char *)cfg, *end;
	long n;

	switch (f->kind) {
	case F_LISTEN:
		if (!parse_listen(cfg, v))
			return 0;
		break;
	case F_LEVEL:
		if (config_log_mask(v) < 0)
			break;
		/* fall through */
	case F_STRING:
		if (!*v)
			break;
		*(const char **)(base + f->offset) = v;
		return 0;
	case F_REDIS:
		/* checked once every flag is in: see check_redis() */
		*(const char **)(base + f->offset) = v;
		return 0;
	case F_SECRET_FILE:
		cfg->redis_password_file = v;
		return read_secret(v, base + f->offset, sizeof(cfg->redis_password),
				   f->name, err, errlen);
	case F_LANG:
		if (lang_parse(v, strlen(v), base + f->offset))
			return 0;
		break;
	case F_URL:
		if (!parse_url(v, base + f->offset, sizeof(cfg->public_url)))
			return 0;
		break;
	case F_LIST:
		return append(base + f->offset, f, v, err, errlen);
	case F_ONOFF:
		if (strcmp(v, "on") && strcmp(v, "off"))
			break;
		*(bool *)(base + f->offset) = !strcmp(v, "on");
		return 0;
	case F_LONG:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < f->min || n > f->max)
			break;
		*(long *)(base + f->offset) = n;
		return 0;
	}
	snprintf(err, errlen, "liveblogd: invalid value '%s' for --%s", v, f->name);
	return -1;
}

static const struct flag *find_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].name) == len && !strncmp(flags[i].name, name, len))
			return &flags[i];
	return NULL;
}

enum config_result config_parse(struct lb_config *cfg, int argc, char **argv,
				FILE *out, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct flag *f;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			config_usage(out);
			return CONFIG_EXIT_OK;
		}
		if (!strcmp(a, "--version")) {
			fprintf(out, "liveblogd %s\n", LIVEBLOG_VERSION);
			return CONFIG_EXIT_OK;
		}
		eq = strchr(a, '=');
		f = strncmp(a, "--", 2) ? NULL :
		    find_flag(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!f) {
			snprintf(err, errlen, "liveblogd: unknown option '%s' (see --help)", a);
			return CONFIG_ERROR;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			snprintf(err, errlen, "liveblogd: --%s needs a value", f->name);
			return CONFIG_ERROR;
		}
		if (apply(cfg, f, val, err, errlen))
			return CONFIG_ERROR;
	}
	return check_redis(cfg, err, errlen) ? CONFIG_ERROR : CONFIG_RUN;
}
