/*
 * api_internal.h — what the API's handler files share (api.c and the
 * api_<noun>.c beside it): authorisation, the end of a store call, the
 * errors of a blog's writes. Every handler ends in exactly one
 * req_json/req_error (or req_respond).
 */
#ifndef LB_API_INTERNAL_H
#define LB_API_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "common/codec.h"
#include "http/request.h"
#include "status.h"

/* The request carries the admin token (compared in constant time). */
bool api_is_admin(const struct req *q);
/*
 * After a store call: rc -1 means the store is out of reach and no
 * callback will come, so answer 503 now; 0 means the callback owns a
 * reference to the request (taken here).
 */
void api_call(struct req *q, int rc);
/* A store_json_fn: answers with the result or the error; drops the reference. */
void api_on_result(void *arg, enum lb_status st, json_t *result, const char *msg);

/*
 * Checks that the request carries the editor token of q->rm.blog (or the
 * admin's), then calls then(q, blog). The token's hash is cached per blog,
 * so usually no read is needed: then the blog passed has only its id, and
 * `ended` false (an ended blog is refused by the write's own script). On
 * a wrong token: 401; on an unknown blog: 404.
 */
typedef void (*api_editor_fn)(struct req *q, const struct lb_blog *b);
void api_as_editor(struct req *q, api_editor_fn then);
/* POST /api/blogs/{id}/entries/{entry}/redact (api_redact.c). */
void api_redact(struct req *q);

/* Routes that change a blog (answered 409 `ended` on an ended blog, whatever else). */
bool api_is_blog_write(enum route r);

/* api_media.c: POST /api/blogs/{id}/media once its body is in; GET /media/{id}. */
void api_media_upload(struct req *q);
void api_media_get(struct req *q);

/*
 * api_pages.c: what is rendered from a blog's state: GET /blogs/{id}, an
 * entry's page, the feeds.
 */
void api_page_blog(struct req *q);

/* api_entries.c: GET /api/blogs/{id}/entries?before=SEQ&limit=N. */
void api_entries_list(struct req *q);

/* api_blogs.c: PATCH /api/blogs/{id} {"title"?,"lang"?} (editor, live blogs). */
void api_blog_patch(struct req *q);

#endif
