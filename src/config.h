/*
 * config.h — liveblogd's settings, filled from one flag table (config.c)
 * that also drives --help and validation.
 */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/lang.h"
#include "store/redis_url.h"
/* A repeatable flag's values, in the order given (they point into argv). */
#define CONFIG_LIST_MAX 64
struct config_list {
	size_t n;
	const char *v[CONFIG_LIST_MAX];
};

struct lb_config {
	char listen_host[128];
	int port;
	long workers;
	const char *redis_url;     /* NULL: start the embedded redis-server */
	const char *redis_password_file;
	char redis_password[REDIS_URL_PASSWORD_MAX]; /* its first line, or "" */
	const char *data_dir;
	const char *admin_token;   /* NULL: env, then <data-dir>/admin.token */
	const char *www;           /* NULL: the compiled-in pages */
	const char *log_level;
	const char *redis_server;  /* binary for the embedded Redis */
	long max_body;
	long max_text;
	long max_title;
	long max_ws_message;
	long reader_backlog;       /* frames a reader may lag before it is dropped */
	long ping_secs;
	long replay_cap_ms;
	long max_readers;
	long max_readers_per_ip;
	long cache_mb;             /* bytes readers can make an instance keep */
	long max_media;            /* largest picture upload (its request body) */
	char default_lang[LANG_MAX];   /* of blogs created without "lang" */
	char public_url[512];      /* absolute URLs start with it; no trailing '/' */
	const char *publisher;     /* JSON-LD's publisher; NULL: public_url's host */
	long page_entries;         /* the newest entries a page is rendered with */
	long ack_replicas;         /* replicas a write waits for (WAIT) */
	long ack_timeout_ms;       /* and for how long */
	long ended_max_age;        /* Cache-Control max-age of an ended blog's pages */
	struct config_list trusted_proxies;   /* CIDRs, checked by clientaddr.c */
	struct config_list embed_origins;     /* origins or "*", checked by origin.c */
	bool compress;             /* permessage-deflate for readers that offer it */
};

enum config_result { CONFIG_RUN, CONFIG_EXIT_OK, CONFIG_ERROR };

void config_defaults(struct lb_config *cfg);
/*
 * Parses argv into cfg. On CONFIG_ERROR, err holds a one-line message.
 * --help and --version print to out and return CONFIG_EXIT_OK.
 */
enum config_result config_parse(struct lb_config *cfg, int argc, char **argv,
				FILE *out, char *err, size_t errlen);
void config_usage(FILE *out);
/* Without --public-url: http:// + --listen (called once the flags are in). */
void config_public_url(struct lb_config *cfg);
int config_log_mask(const char *level);

#endif
