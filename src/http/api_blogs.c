/*
 * api_blogs.c — PATCH /api/blogs/{id}: a live blog's title and language.
 *
 * The change is stored in the blog's hash and announced on the feed (not
 * in the blog's log: SPEC's events are entry, edit, delete and ended).
 * Every instance's hub takes it, so readers greeted from then on (a new
 * reader, a reconnect) get the new title and lang in their hello; pages,
 * embeds, fragments and feeds read the blog at each request. A reader
 * already connected keeps what its page showed until it reconnects or
 * reloads: a title or language change is rare and never loses content.
 */
#include "app.h"
#include "http/api_internal.h"

static void patch_step(struct req *q, const struct lb_blog *b)
{
	json_t *in = NULL;
	char msg[256];
	enum lb_status st;

	if (b->ended) {
		req_error(q, LB_ENDED, NULL);
		return;
	}
	st = codec_blog_patch(q->body, q->len, &app.limits, &in, msg, sizeof(msg));
	if (st) {
		api_write_error(q, st, msg);
		return;
	}
	api_call(q, store_update_blog(app.store, b->id, codec_request_title(in),
				      codec_request_lang(in), api_on_result, q));
	json_decref(in);
}

void api_blog_patch(struct req *q)
{
	api_as_editor(q, patch_step);
}
