/*
 * history.h — a blog's whole event log, read page by page from
 * GET /api/blogs/{id}/events?since=&limit= (used by show and export).
 */
#ifndef LIVEBLOG_CLI_HISTORY_H
#define LIVEBLOG_CLI_HISTORY_H

#include <jansson.h>

#include "api.h"

/* Gets each checked event (borrowed); returns non-zero to stop early. */
typedef int history_fn(void *ctx, const json_t *event);

/*
 * Calls fn for every event of blog (a valid id) in log order, following
 * "next" until it stops moving. Returns 0, or 1 after printing one line
 * naming subject (server unreachable, HTTP error, bad page, events out
 * of order, or fn stopped).
 */
int history_each(const struct api *api, const char *blog,
		 const char *subject, history_fn *fn, void *ctx);

#endif
