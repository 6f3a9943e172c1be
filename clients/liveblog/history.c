/*
 * history.c — pages through a blog's events.
 */
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "msg.h"
#include "reply.h"

#define HISTORY_PAGE 500	/* events asked per request */

/*
 * Hands the events of one page to fn, checking each comes after *last
 * (a seq, "" before the first). Returns 0, or 1 after printing.
 */
static int walk_page(const json_t *page, char *last, size_t lastsz,
		     const char *subject, history_fn *fn, void *ctx)
{
	const json_t *ev;
	const char *seq;
	size_t i;

	json_array_foreach(json_object_get(page, "events"), i, ev) {
		seq = reply_str(ev, "seq");
		if (*last && reply_seq_cmp(seq, last) <= 0) {
			msg_error("%s: server sent event %.48s after %.48s",
				  subject, seq, last);
			return 1;
		}
		snprintf(last, lastsz, "%s", seq);
		if (fn(ctx, ev))
			return 1;
	}
	return 0;
}

int history_each(const struct api *api, const char *blog,
		 const char *subject, history_fn *fn, void *ctx)
{
	char path[256], since[48] = "", last[48] = "";
	const char *next;
	json_t *page;
	int rc = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/api/blogs/%s/events?limit=%d%s%s",
			 blog, HISTORY_PAGE, *since ? "&since=" : "", since);
		page = api_call(api, "GET", path, NULL, API_RETRY, REPLY_PAGE,
				subject, NULL);
		if (!page)
			return 1;
		rc = walk_page(page, last, sizeof(last), subject, fn, ctx);
		next = reply_str(page, "next");
		/* The end: an empty page, or a cursor that did not move. */
		if (rc || !json_array_size(json_object_get(page, "events")) ||
		    !next || !strcmp(next, since)) {
			json_decref(page);
			return rc;
		}
		snprintf(since, sizeof(since), "%s", next);
		json_decref(page);
	}
}
