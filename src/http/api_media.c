/*
 * api_media.c — POST /api/blogs/{id}/media: an editor uploads a picture as
 * the request body (SPEC "Pictures"). The token and the Content-Type are
 * checked before the body is read (server.c calls api_media_begin with
 * the head only), so an anonymous client cannot make the server hold
 * --max-media bytes; the type, width and height then come from the bytes
 * (image.c), and the picture is stored under its SHA-256.
 *
 * GET /media/{sha256} is media.c's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "common/hash.h"
#include "common/image.h"
#include "http/api_internal.h"
#include "http/media.h"

static const char *const accepted[] = {
	"image/jpeg", "image/png", "image/webp", "image/gif",
};

/* The request's Content-Type as one of accepted (parameters and case aside), or NULL. */
static const char *declared_type(const char *ct)
{
	size_t n = strcspn(ct, ";");

	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (strlen(accepted[i]) == n && !strncasecmp(ct, accepted[i], n))
			return accepted[i];
	return NULL;
}

/*
 * The body is in and the token was good: reads the picture's type and
 * size from its bytes, checks them against the Content-Type, stores it.
 */
static void upload(struct req *q)
{
	const char *declared = declared_type(q->req_type), *why = NULL;
	struct image_info info;
	struct lb_media m;
	char msg[200];

	if (image_probe(q->body, q->len, &info, &why) != IMAGE_OK) {
		api_write_error(q, LB_BAD_REQUEST, why);
		return;
	}
	if (strcmp(info.type, declared)) {
		snprintf(msg, sizeof(msg), "The Content-Type says %s but the bytes are %s.",
			 declared, info.type);
		api_write_error(q, LB_BAD_REQUEST, msg);
		return;
	}
	memset(&m, 0, sizeof(m));
	hash_sha256_hex(q->body, q->len, m.id);
	snprintf(m.type, sizeof(m.type), "%s", info.type);
	m.width = info.width;
	m.height = info.height;
	m.bytes = q->len;
	api_call(q, store_media_put(app.store, q->rm.blog, &m, q->body, api_on_result, q));
}

/*
 * The token is the blog's editor's (api_as_editor): checks the declared
 * type, lets the body come (it was paused if the token had to be looked
 * up), and uploads if the body is already in and dispatched (or empty).
 */
static void authorised(struct req *q, const struct lb_blog *b)
{
	if (b->ended) {
		req_error(q, LB_ENDED, NULL);
		return;
	}
	if (!declared_type(q->req_type)) {
		api_write_error(q, LB_BAD_REQUEST, "The Content-Type must be the picture's: "
				"image/jpeg, image/png, image/webp or image/gif.");
		return;
	}
	q->authorised = true;
	if (q->rx_paused && q->wsi)
		lws_rx_flow_control(q->wsi, 1);
	q->rx_paused = false;
	if (q->body_done && (q->dispatched || !q->expect)) {
		q->dispatched = true;
		upload(q);
	}
}

void api_media_begin(struct req *q)
{
	char hash[72];

	if (lws_hdr_copy(q->wsi, q->req_type, sizeof(q->req_type),
			 WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
		q->req_type[0] = '\0';
	if (!q->token[0]) {
		req_error(q, LB_UNAUTHORIZED, "Uploading a picture needs the blog's editor token.");
		return;
	}
	/*
	 * The blog's token hash is to be read: no body meanwhile (any answer
	 * lets the rest of it be read and dropped: req_respond).
	 */
	if (!token_cache_get(q->rm.blog, hash) && !lws_rx_flow_control(q->wsi, 0))
		q->rx_paused = true;
	api_as_editor(q, authorised);
}

/* api_dispatch: the body is complete (it may be before the token is known). */
void api_media_upload(struct req *q)
{
	if (q->authorised)
		upload(q);
}

void api_media_get(struct req *q)
{
	media_serve(q);
}
