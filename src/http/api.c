/*
 * api.c — the HTTP API handlers of SPEC.md: validate, authorise, call the
 * store, answer. Every path ends in exactly one req_json/req_error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "common/hash.h"
#include "common/text.h"
#include "http/assets.h"
#include "http/metrics.h"
#include "http/page.h"
#include "http/api_internal.h"
#include "http/request.h"
#include "push/hub.h"

#define EVENTS_LIMIT_DEFAULT 100
#define EVENTS_LIMIT_MAX     1000

static bool token_is(const char *token, const char *hash)
{
	char h[LB_SHA256_HEX];

	hash_sha256_hex(token, strlen(token), h);
	return hash[0] && hash_equal_ct(h, hash);
}

bool api_is_admin(const struct req *q)
{
	return q->token[0] && token_is(q->token, app.admin_hash);
}

static void unavailable(struct req *q)
{
	req_error(q, LB_UNAVAILABLE, NULL);
}

void api_on_result(void *arg, enum lb_status st, json_t *result, const char *msg)
{
	struct req *q = arg;

	if ((st == LB_OK || st == LB_CREATED) && result)
		req_json(q, st, result);
	else
		req_error(q, st == LB_OK || st == LB_CREATED ? LB_INTERNAL : st, msg);
	req_unref(q);
}

static void on_created(void *arg, enum lb_status st, json_t *result, const char *msg)
{
	struct req *q = arg;

	char hash[LB_SHA256_HEX];

	if (st == LB_CREATED && result) {
		codec_blog_set_token(result, q->token);
		hash_sha256_hex(q->token, strlen(q->token), hash);
		token_cache_put(codec_blog_id(result), hash);
		known_add(codec_blog_id(result));
	}
	if (st == LB_CONFLICT)
		msg = "A blog with this id exists.";
	api_on_result(arg, st, result, msg);
}

void api_call(struct req *q, int rc)
{
	if (rc)
		unavailable(q);
	else
		req_ref(q);
}

static void create_blog(struct req *q)
{
	json_t *in = NULL;
	char msg[256], id[72], token[65], hash[LB_SHA256_HEX];
	enum lb_status st;
	const char *given;

	if (!api_is_admin(q)) {
		req_error(q, LB_UNAUTHORIZED, "Creating a blog needs the admin token.");
		return;
	}
	st = codec_blog_create(q->body, q->len, &app.limits, &in, msg, sizeof(msg));
	if (st) {
		req_error(q, st, msg);
		return;
	}
	given = codec_request_id(in);
	if (given)
		snprintf(id, sizeof(id), "%s", given);
	else
		codec_blog_id_from_title(codec_request_title(in), id);
	if (hash_random_hex(token, 32)) {
		req_error(q, LB_INTERNAL, NULL);
		goto out_free_in;
	}
	hash_sha256_hex(token, strlen(token), hash);
	snprintf(q->token, sizeof(q->token), "%s", token); /* echoed once, below */
	api_call(q, store_create_blog(app.store, id, codec_request_title(in), hash,
				  codec_request_lang(in) ? codec_request_lang(in) :
				  app.cfg.default_lang, on_created, q));
out_free_in:
	json_decref(in);
}

bool api_is_blog_write(enum route r)
{
	return r == R_ENTRY_POST || r == R_ENTRY_PATCH || r == R_ENTRY_DELETE ||
	       r == R_BLOG_END || r == R_BLOG_PATCH || r == R_MEDIA_POST;
}

static void on_write_error_blog(void *arg, enum lb_status st, const struct lb_blog *b)
{
	struct req *q = arg;

	if (st == LB_OK && b->ended)
		req_error(q, LB_ENDED, NULL);
	else
		req_error(q, q->err_status, q->err_msg);
	req_unref(q);
}

/*
 * A write refused for what it carries. Every write to an ended blog is
 * refused as `ended` whatever else is wrong with it, so for a blog's
 * writes the blog's state is read first (errors are rare: the read costs
 * nothing worth saving).
 */
void api_write_error(struct req *q, enum lb_status st, const char *msg)
{
	if (!api_is_blog_write(q->rm.route) || st == LB_UNAUTHORIZED || st == LB_ENDED ||
	    st == LB_UNAVAILABLE) {
		req_error(q, st, msg);
		return;
	}
	q->refused = true;   /* nothing more of the body is read or dispatched */
	q->err_status = st;
	snprintf(q->err_msg, sizeof(q->err_msg), "%s", msg ? msg : "");
	if (store_get_blog(app.store, q->rm.blog, on_write_error_blog, q))
		req_error(q, st, msg);
	else
		req_ref(q);
}

/* Editor routes: check the token against the blog, then act. */
static void editor_step(struct req *q, const struct lb_blog *b)
{
	json_t *v = NULL;
	char msg[256];
	enum lb_status st = LB_OK;

	if (b->ended && q->rm.route != R_BLOG_END) {
		req_error(q, LB_ENDED, NULL);
		return;
	}
	if (router_has_body(q->rm.route) &&
	    (st = (q->rm.route == R_ENTRY_POST ? codec_entry_create : codec_entry_patch)
		  (q->body, q->len, &app.limits, &v, msg, sizeof(msg)))) {
		api_write_error(q, st, msg);
		return;
	}
	switch (q->rm.route) {
	case R_ENTRY_POST:
		api_call(q, store_post_entry(app.store, b->id, v, api_on_result, q));
		break;
	case R_ENTRY_PATCH:
		api_call(q, store_edit_entry(app.store, b->id, q->rm.entry, v, api_on_result, q));
		break;
	case R_ENTRY_DELETE:
		api_call(q, store_delete_entry(app.store, b->id, q->rm.entry, api_on_result, q));
		break;
	default:
		api_call(q, store_end_blog(app.store, b->id, api_on_result, q));
		break;
	}
	json_decref(v);
}

static void on_editor_blog(void *arg, enum lb_status st, const struct lb_blog *b)
{
	struct req *q = arg;

	if (st == LB_OK && b->token_hash[0])
		token_cache_put(b->id, b->token_hash);
	if (st != LB_OK)
		req_error(q, st, st == LB_NOT_FOUND ? "No such blog." : NULL);
	else if (!q->token[0] || !(token_is(q->token, b->token_hash) || api_is_admin(q)))
		req_error(q, LB_UNAUTHORIZED, "This needs the blog's editor token.");
	else
		q->then(q, b);
	req_unref(q);
}

void api_as_editor(struct req *q, api_editor_fn then)
{
	struct lb_blog b;

	q->then = then;
	if (!token_cache_get(q->rm.blog, b.token_hash)) {
		api_call(q, store_get_blog(app.store, q->rm.blog, on_editor_blog, q));
		return;
	}
	if (!q->token[0] || !(token_is(q->token, b.token_hash) || api_is_admin(q))) {
		req_error(q, LB_UNAUTHORIZED, "This needs the blog's editor token.");
		return;
	}
	memset(&b, 0, sizeof(b));
	snprintf(b.id, sizeof(b.id), "%s", q->rm.blog);
	then(q, &b);   /* not known here: the write's script refuses an ended blog */
}

static void on_blog(void *arg, enum lb_status st, const struct lb_blog *b)
{
	struct req *q = arg;
	json_t *v;

	if (st != LB_OK) {
		req_error(q, st, st == LB_NOT_FOUND ? "No such blog." : NULL);
	} else {
		v = codec_blog_wire(b);
		req_json(q, LB_OK, v);
		json_decref(v);
	}
	req_unref(q);
}

/*
 * An ended blog's log changes only when an entry is redacted: caches keep
 * it a while and revalidate; the ETag counts the redactions.
 */
static void on_events(void *arg, enum lb_status st, json_t *result, const char *ended,
		      long redactions)
{
	struct req *q = arg;
	char etag[192];

	if (st == LB_OK && result && ended && *ended) {
		snprintf(etag, sizeof(etag), "\"ev-%s-%s-%ld-%s-%s\"", q->rm.blog, ended,
			 redactions, q->has_since ? q->since : "0-0", q->limit);
		req_ended(q, etag, "application/json", codec_dump(result), 0);
		req_unref(q);
		return;
	}
	api_on_result(arg, st, result, st == LB_NOT_FOUND ? "No such blog." : NULL);
}

static void events(struct req *q)
{
	struct lb_seq s;
	char *end;
	long limit = EVENTS_LIMIT_DEFAULT;

	if (q->has_since && !text_seq_parse(q->since, &s)) {
		req_error(q, LB_BAD_REQUEST, "\"since\" must be a seq such as 1764401562123-0.");
		return;
	}
	if (q->has_limit) {
		limit = strtol(q->limit, &end, 10);
		if (*end || end == q->limit || limit < 1 || limit > EVENTS_LIMIT_MAX) {
			req_error(q, LB_BAD_REQUEST, "\"limit\" must be a number from 1 to 1000.");
			return;
		}
	}
	if (q->has_since)
		text_seq_format(&s, q->since);
	snprintf(q->limit, sizeof(q->limit), "%ld", limit);   /* as read: the ETag's */
	api_call(q, store_events(app.store, q->rm.blog, q->has_since ? q->since : NULL,
			     limit, on_events, q));
}

#define CANARY_STALL_US (6 * LWS_US_PER_SEC)

/* 200 when Redis answers and this instance's own writes come back to it. */
static void health(struct req *q)
{
	bool canary_ok = feed_canary_lag(app.feed) < CANARY_STALL_US;
	bool redis = store_up(app.store), tail = feed_up(app.feed);
	bool ok = redis && tail && canary_ok;
	json_t *v = codec_health(ok, redis, tail, canary_ok, canary_ok ?
				 "Redis does not answer." :
				 "Writes are stored but not read back: delivery is stalled.");

	if (v)
		codec_health_redis(v, store_where(app.store), metrics.redis_failovers);
	if (ok)
		req_json(q, LB_OK, v);
	else
		req_respond(q, 503, "application/json", codec_dump(v), 0);
	json_decref(v);
}

void api_dispatch(struct req *q)
{
	switch (q->rm.route) {
	case R_HEALTH:
		health(q);
		break;
	case R_METRICS:
		metrics_respond(q);
		break;
	case R_BLOGS_LIST:
		api_call(q, store_list_blogs(app.store, api_on_result, q));
		break;
	case R_BLOGS_CREATE:
		create_blog(q);
		break;
	case R_BLOG_GET:
		api_call(q, store_get_blog(app.store, q->rm.blog, on_blog, q));
		break;
	case R_EVENTS:
		events(q);
		break;
	case R_ENTRY_POST:
	case R_ENTRY_PATCH:
	case R_ENTRY_DELETE:
	case R_BLOG_END:
		api_as_editor(q, editor_step);
		break;
	case R_PAGE_BLOG:
	case R_PAGE_ENTRY:
	case R_FEED_ATOM:
	case R_FEED_JSON:
	case R_PAGE_EMBED:
	case R_FRAGMENT:
		api_page_blog(q);
		break;
	case R_BLOG_PATCH:
		api_blog_patch(q);
		break;
	case R_ENTRIES_LIST:
		api_entries_list(q);
		break;
	case R_ENTRY_REDACT:
		api_redact(q);
		break;
	case R_MEDIA_POST:
		api_media_upload(q);
		break;
	case R_MEDIA:
		api_media_get(q);
		break;
	case R_BAD_METHOD:
		req_error(q, LB_METHOD_NOT_ALLOWED, NULL);
		break;
	default:
		req_error(q, LB_NOT_FOUND, NULL);
		break;
	}
}
