/*
 * api_entries.c — GET /api/blogs/{id}/entries?before=SEQ&limit=N: a long
 * blog's current entries, page by page, newest first (deleted ones left
 * out): {"entries":[...],"next":SEQ|null}, next being the before of the
 * following page. The reader page's "Show older updates" reads it from
 * the data-before its server rendering gives.
 */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "common/text.h"
#include "http/api_internal.h"
#include "push/hub.h"

#define ENTRIES_LIMIT_DEFAULT 30
#define ENTRIES_LIMIT_MAX     100

void api_entries_list(struct req *q)
{
	struct lb_seq s;
	char *end;
	long limit = ENTRIES_LIMIT_DEFAULT;

	if (q->has_before && !text_seq_parse(q->before, &s)) {
		req_error(q, LB_BAD_REQUEST, "\"before\" must be a seq such as 1764401562123-0.");
		return;
	}
	if (q->has_limit) {
		limit = strtol(q->limit, &end, 10);
		if (*end || end == q->limit || limit < 1 || limit > ENTRIES_LIMIT_MAX) {
			req_error(q, LB_BAD_REQUEST, "\"limit\" must be a number from 1 to 100.");
			return;
		}
	}
	if (!known_has(q->rm.blog)) {
		req_error(q, LB_NOT_FOUND, "No such blog.");
		return;
	}
	if (q->has_before)
		text_seq_format(&s, q->before);   /* canonical: no leading zeros */
	api_call(q, store_entries(app.store, q->rm.blog, q->has_before ? q->before : NULL,
				  limit, api_on_result, q));
}
