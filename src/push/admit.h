/*
 * admit.h — who may become a reader: one admission for WebSocket and SSE
 * streams alike (SPEC "Safe on the open internet"), and the client address
 * it counts them by (behind --trusted-proxy, from X-Forwarded-For; see
 * http/clientaddr.h).
 */
#ifndef LB_ADMIT_H
#define LB_ADMIT_H

#include <libwebsockets.h>

#include "config.h"
#include "http/clientaddr.h"

enum admit_result { ADMIT_OK, ADMIT_CLOSING, ADMIT_FULL, ADMIT_PER_ADDRESS };

/* Seconds a refused SSE client is told to wait (Retry-After). */
#define ADMIT_RETRY_SECS 5

/*
 * Builds the trusted proxies from --trusted-proxy, once, before any loop
 * runs (they are read without a lock afterwards). Returns 0, or -1 when a
 * value is not a network (config.c has checked them already).
 */
int admit_init(const struct config_list *proxies);

/* The client address of wsi's connection, canonical, into out. */
void admit_client(struct lws *wsi, char out[CLIENTADDR_STRLEN]);

/*
 * Admits a reader on wsi unless the instance is shutting down, holds
 * --max-readers readers, or its client address holds --max-readers-per-ip.
 * ADMIT_OK: the address (in ip) stays counted until admit_release(ip);
 * otherwise ip is empty and the refusal is counted in /metrics.
 */
enum admit_result admit_reader(struct lws *wsi, char ip[CLIENTADDR_STRLEN]);
/* Uncounts ip (once: it is emptied; an empty ip is nothing to do). */
void admit_release(char ip[CLIENTADDR_STRLEN]);

/* A refusal in a few words for a close frame's reason ("server full"). */
const char *admit_reason(enum admit_result r);
/* A refusal as a sentence for an HTTP error body. */
const char *admit_message(enum admit_result r);

#endif
