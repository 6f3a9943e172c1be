/*
 * api_redact.c — POST /api/blogs/{id}/entries/{entry}/redact (SPEC
 * "Redaction"): the admin's legal takedown of an entry, also on an ended
 * blog. The store rewrites the entry's events without their content and
 * deletes the pictures only it named; every instance then drops what it
 * holds of them (hubs, pages, pictures) and tells its readers
 * {"type":"redact"}.
 */
#include "app.h"
#include "http/api_internal.h"

void api_redact(struct req *q)
{
	json_t *in = NULL;
	const char *reason = "";
	char msg[256];
	enum lb_status st;

	if (!api_is_admin(q)) {
		req_error(q, LB_UNAUTHORIZED, "Redacting needs the admin token.");
		return;
	}
	st = codec_redact_request(q->body, q->len, &in, &reason, msg, sizeof(msg));
	if (st) {
		req_error(q, st, msg);
		return;
	}
	api_call(q, store_redact_entry(app.store, q->rm.blog, q->rm.entry, reason,
				       api_on_result, q));
	json_decref(in);
}
