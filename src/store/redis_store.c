/*
 * redis_store.c — the Redis store (see store.h and redis_store.h): one
 * command connection, Lua scripts called by SHA (EVAL once when Redis
 * forgot them), replies turned into typed results here and nowhere else.
 */
#include "store/redis_store.h"
#include "common/hash.h"
#include "common/text.h"
#include "shared.h"
#include "store/redis_conn.h"
#include "store/redis_reply.h"
#include "store/sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char lua_create_blog[], lua_append[], lua_end[], lua_list_blogs[],
	lua_hub_init[], lua_events[], lua_readers[], lua_page_state[], lua_entry_state[],
	lua_update_blog[], lua_entries_page[], lua_redact[], lua_media_put[], lua_media_gc[];

/*
 * A script. Every script is a write that waits for --ack-replicas (WAIT)
 * unless it says no_wait: reads, and the readers count (not a user's write).
 */
struct script {
	const char *body;
	char sha[41];
	bool no_wait;
};

static struct script s_create = { lua_create_blog, "", false },
	s_append = { lua_append, "", false }, s_end = { lua_end, "", false },
	s_redact = { lua_redact, "", false }, s_update = { lua_update_blog, "", false },
	s_list = { lua_list_blogs, "", true }, s_hub = { lua_hub_init, "", true },
	s_events = { lua_events, "", true }, s_readers = { lua_readers, "", true },
	/* page_state and entries_page may build a blog's index once: it is
	 * rebuilt from the entries hash, no acknowledgement waits for it */
	s_page = { lua_page_state, "", true }, s_entry = { lua_entry_state, "", true },
	s_entries = { lua_entries_page, "", true },
	s_media_put = { lua_media_put, "", false }, s_media_gc = { lua_media_gc, "", false };

/* the most: media_gc's (EVALSHA sha n, 4 keys, 4 args and the candidates) */
#define MAX_ARGS (11 + STORE_MEDIA_GC_MAX)
#define MEDIA_PREFIX "lb:media:"
#define EDIT_ATTEMPTS 5

struct redis_store {
	struct store base;
	struct rconn cmd;
	struct sentinel *sn;     /* sentinel:// only: where the master is */
	/* --ack-replicas: writes on their own connection, each batch behind a WAIT */
	struct rconn wr;
	long ack_replicas, ack_timeout_ms;
	bool wait_out;           /* a WAIT in flight: new writes are held */
	lws_dll2_owner_t held;   /* writes to send when it returns */
	lws_dll2_owner_t covered;/* writes it covers */
};

static struct redis_store *rs_of(struct store *st)
{
	return lws_container_of(st, struct redis_store, base);
}

static const struct redis_store *rs_of_const(const struct store *st)
{
	return lws_container_of(st, struct redis_store, base);
}

struct call;
typedef void (*call_done_fn)(struct call *c, enum lb_status st, redisReply *r);

/* One operation in flight: its script call and the state of its steps. */
struct call {
	struct redis_store *st;
	const struct script *script;
	int argc;
	char *argv[MAX_ARGS];
	size_t lens[MAX_ARGS];
	bool borrowed[MAX_ARGS];   /* argv[i] is the caller's (a picture's bytes) */
	call_done_fn done;
	store_json_fn jfn;
	store_blog_fn bfn;
	store_log_fn lfn;
	store_events_fn efn;
	store_head_fn hfn;
	store_page_fn pfn;
	store_count_fn cfn;
	store_bytes_fn xfn;
	int (*then)(struct call *c);   /* after the pictures are resolved */
	void *arg;
	json_t *payload;
	json_t *patch;
	char blog[72];
	char entry[40];
	char pinned[40];
	int attempts;
	long limit;
	char since[48];
	char fp[72];             /* a post's content fingerprint */
	struct lb_media media;
	struct lws_dll2 wlink;   /* in the store's held or covered writes */
	bool replied;            /* the covered write's reply is in: */
	redisReply *reply;       /* a copy of it (NULL: connection lost) */
	bool unconfirmed;        /* answered 503 although it may be stored */
	bool redacted_new;       /* a redaction: this call's, not an earlier one */
	uint64_t redacted_at;    /* a redaction's time (ms) */
	char msg[192];
};

static void key(char *out, size_t len, const char *blog, const char *suffix)
{
	snprintf(out, len, "lb:blog:%s%s", blog, suffix);
}

static struct call *call_new(struct store *st, void *arg)
{
	struct call *c = calloc(1, sizeof(*c));

	if (c) {
		c->st = rs_of(st);
		c->arg = arg;
	}
	return c;
}

static void call_args_free(struct call *c)
{
	for (int i = 0; i < c->argc; i++)
		if (!c->borrowed[i])
			free(c->argv[i]);
	memset(c->borrowed, 0, sizeof(c->borrowed));
	c->argc = 0;
}

static void reply_free(redisReply *r);

static void call_free(struct call *c)
{
	reply_free(c->reply);
	call_args_free(c);
	json_decref(c->payload);
	json_decref(c->patch);
	free(c);
}

static void push(struct call *c, const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy || c->argc == MAX_ARGS)
		abort(); /* a programming error or no memory: nothing sane to do */
	memcpy(copy, s, len);
	copy[len] = '\0';
	c->argv[c->argc] = copy;
	c->lens[c->argc++] = len;
}

static void push_str(struct call *c, const char *s)
{
	push(c, s, strlen(s));
}

/* An argument that stays the caller's until the reply (not copied). */
static void push_borrowed(struct call *c, const void *s, size_t len)
{
	if (c->argc == MAX_ARGS)
		abort();
	c->argv[c->argc] = (char *)s;
	c->borrowed[c->argc] = true;
	c->lens[c->argc++] = len;
}

/* A script's error word; Redis prefixes one-word errors with "ERR ". */
static const char *script_error(const redisReply *r)
{
	return strncmp(r->str, "ERR ", 4) ? r->str : r->str + 4;
}

static enum lb_status error_status(const redisReply *r)
{
	static const char *busy[] = { "LOADING", "BUSY", "MASTERDOWN", "READONLY",
				      "OOM", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN",
				      "MISCONF" };
	const char *e = script_error(r);

	if (!strncmp(e, "NOTFOUND", 8))
		return LB_NOT_FOUND;
	if (!strcmp(e, "ENDED"))
		return LB_ENDED;
	if (!strcmp(e, "CONFLICT") || !strcmp(e, "STALE"))
		return LB_CONFLICT;
	if (!strncmp(e, "NOMEDIA ", 8))
		return LB_BAD_REQUEST;
	/* Redis refused to run anything now: nothing was stored */
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		if (!strncmp(r->str, busy[i], strlen(busy[i])))
			return LB_UNAVAILABLE;
	lwsl_err("redis: unexpected error: %s\n", r->str);
	return LB_INTERNAL;
}

static int send_eval(struct call *c);

/* The reply of EVALSHA/EVAL: retries with EVAL once on NOSCRIPT. */
static void eval_reply(redisReply *r, void *arg)
{
	struct call *c = arg;

	if (!r) {
		c->done(c, LB_UNAVAILABLE, NULL);
		return;
	}
	if (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "READONLY", 8))
		rconn_not_master(&c->st->cmd, "READONLY");   /* nothing was stored */
	if (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8) &&
	    !strcmp(c->argv[0], "EVALSHA")) {
		free(c->argv[0]);
		free(c->argv[1]);
		c->argv[0] = strdup("EVAL");
		c->lens[0] = 4;
		c->argv[1] = strdup(c->script->body);
		c->lens[1] = strlen(c->script->body);
		if (send_eval(c))
			c->done(c, LB_UNAVAILABLE, NULL);
		return;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		c->done(c, error_status(r), r);
		return;
	}
	c->done(c, LB_OK, r);
}

static int ack_send(struct call *c);

static int send_eval(struct call *c)
{
	if (c->st->ack_replicas && !c->script->no_wait)
		return ack_send(c);
	return rconn_command(&c->st->cmd, eval_reply, c, c->argc,
			     (const char **)c->argv, c->lens);
}

/* ---- acknowledged writes (--ack-replicas N, --ack-timeout MS) ----
 *
 * A write script goes on the store's write connection with `WAIT N MS`
 * pipelined right behind it; its reply is kept (copied: hiredis frees it)
 * until the WAIT answers, then handed on as usual when N replicas hold
 * it, else the call gets 503 (it may be stored: a retry with the same id
 * answers 200 once it is there). Redis runs nothing else of a connection
 * while its WAIT blocks, so writes that come meanwhile are held and sent
 * together when it returns, behind one WAIT: a write waits at most for the
 * WAIT in flight and its own, whatever the number of writers, and reads
 * never wait behind a WAIT (they use the command connection). A script's
 * error reply (ended, conflict...) stored nothing and is handed on as is.
 */

static redisReply *reply_copy(const redisReply *r)
{
	redisReply *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->type = r->type;
	c->integer = r->integer;
	if (r->str && (c->str = malloc(r->len + 1))) {
		memcpy(c->str, r->str, r->len + 1);
		c->len = r->len;
	}
	if (r->elements && (c->element = calloc(r->elements, sizeof(*c->element))))
		for (size_t i = 0; i < r->elements; i++)
			if ((c->element[i] = reply_copy(r->element[i])))
				c->elements = i + 1;
	if ((r->str && !c->str) || c->elements != r->elements) {
		free(c->str);
		c->str = NULL;   /* out of memory: the caller sees a failure */
	}
	return c;
}

static void reply_free(redisReply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->elements; i++)
		reply_free(r->element[i]);
	free(r->element);
	free(r->str);
	free(r);
}

static void ack_flush(struct redis_store *rs);

/* What a covered write's WAIT said: its reply goes on, or 503. */
static void ack_done(struct call *c, long acked)
{
	struct redis_store *rs = c->st;
	redisReply *r = c->reply;

	c->reply = NULL;
	if (!r || (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8))) {
		c->unconfirmed = true;
		snprintf(c->msg, sizeof(c->msg), "The connection to Redis was lost before the "
			 "write was confirmed; it may be stored: retry with the same id.");
		c->done(c, LB_UNAVAILABLE, NULL);
	} else if (r->type == REDIS_REPLY_ERROR) {
		c->done(c, error_status(r), r);   /* nothing was stored */
	} else if (acked < rs->ack_replicas) {
		c->unconfirmed = true;
		metrics.ack_refused++;
		snprintf(c->msg, sizeof(c->msg), "%ld of the %ld replicas to wait for (--ack-replicas) "
			 "confirmed the write within %ld ms; it may be stored: retry with the same id.",
			 acked < 0 ? 0 : acked, rs->ack_replicas, rs->ack_timeout_ms);
		c->done(c, LB_UNAVAILABLE, NULL);
	} else {
		c->done(c, LB_OK, r);
	}
	reply_free(r);
}

/* WAIT's answer: how many replicas hold every write it covers. */
static void wait_reply(redisReply *r, void *arg)
{
	struct redis_store *rs = arg;
	long acked = r && r->type == REDIS_REPLY_INTEGER ? (long)r->integer : -1;
	lws_dll2_owner_t done = { 0 };
	struct lws_dll2 *d;

	rs->wait_out = false;
	if (acked >= 0)
		metrics.ack_replicas[acked < ACK_BUCKETS ? acked : ACK_BUCKETS - 1]++;
	while ((d = lws_dll2_get_head(&rs->covered))) {
		lws_dll2_remove(d);
		lws_dll2_add_tail(d, &done);
	}
	while ((d = lws_dll2_get_head(&done))) {
		lws_dll2_remove(d);
		ack_done(lws_container_of(d, struct call, wlink), acked);
	}
	ack_flush(rs);
}

/* A covered write's reply: kept for its WAIT (NOSCRIPT: sent again, as EVAL). */
static void write_reply(redisReply *r, void *arg)
{
	struct call *c = arg;

	if (r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "READONLY", 8))
		rconn_not_master(&c->st->wr, "READONLY");   /* nothing was stored */
	if (r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8) &&
	    !strcmp(c->argv[0], "EVALSHA")) {
		free(c->argv[0]);
		free(c->argv[1]);
		c->argv[0] = strdup("EVAL");
		c->lens[0] = 4;
		c->argv[1] = strdup(c->script->body);
		c->lens[1] = strlen(c->script->body);
		lws_dll2_remove(&c->wlink);
		lws_dll2_add_tail(&c->wlink, &c->st->held);   /* behind the WAIT in flight */
		return;
	}
	c->replied = true;
	c->reply = r ? reply_copy(r) : NULL;
}

/* Queues `WAIT N MS` behind the writes just sent. */
static void send_wait(struct redis_store *rs)
{
	char n[24], ms[24];
	const char *wait[3] = { "WAIT", n, ms };

	snprintf(n, sizeof(n), "%ld", rs->ack_replicas);
	snprintf(ms, sizeof(ms), "%ld", rs->ack_timeout_ms);
	/* the connection just took the writes: only memory can fail here */
	if (rconn_command(&rs->wr, wait_reply, rs, 3, wait, NULL))
		abort();
	rs->wait_out = true;
}

/* Sends c's write; false when the write connection cannot take it. */
static bool send_write(struct call *c)
{
	c->replied = false;
	if (rconn_command(&c->st->wr, write_reply, c, c->argc, (const char **)c->argv,
			  c->lens))
		return false;
	lws_dll2_add_tail(&c->wlink, &c->st->covered);
	return true;
}

/* After a WAIT: every held write, then one WAIT for them all; a write that cannot go fails. */
static void ack_flush(struct redis_store *rs)
{
	lws_dll2_owner_t failed = { 0 };
	struct lws_dll2 *d;

	while ((d = lws_dll2_get_head(&rs->held))) {
		lws_dll2_remove(d);
		if (!send_write(lws_container_of(d, struct call, wlink)))
			lws_dll2_add_tail(d, &failed);
	}
	if (rs->covered.count)
		send_wait(rs);
	while ((d = lws_dll2_get_head(&failed))) {
		struct call *c = lws_container_of(d, struct call, wlink);

		lws_dll2_remove(d);
		c->done(c, LB_UNAVAILABLE, NULL);
	}
}

/*
 * A write to confirm: sent now with its WAIT, or held until the WAIT in
 * flight returns. -1 (nothing sent, no callback) when the write
 * connection cannot take it.
 */
static int ack_send(struct call *c)
{
	struct redis_store *rs = c->st;

	if (!rs->wr.up)
		return -1;
	if (rs->wait_out) {
		lws_dll2_add_tail(&c->wlink, &rs->held);
		return 0;
	}
	if (!send_write(c))
		return -1;
	send_wait(rs);
	return 0;
}

/*
 * Starts "EVALSHA sha numkeys keys... args... [bin]" for c; keys and args
 * are the arrays given (NULL-terminated), bin (binary, borrowed until the
 * reply) a last argument when not NULL. Returns -1 (no callback) when
 * Redis is down.
 */
static int eval_bin(struct call *c, struct script *sc, call_done_fn done,
		    const char *const *keys, const char *const *args,
		    const void *bin, size_t binlen)
{
	char n[16];
	int nkeys = 0;

	c->script = sc;
	c->done = done;
	call_args_free(c);
	push_str(c, "EVALSHA");
	push_str(c, sc->sha);
	while (keys[nkeys])
		nkeys++;
	snprintf(n, sizeof(n), "%d", nkeys);
	push_str(c, n);
	for (int i = 0; keys[i]; i++)
		push_str(c, keys[i]);
	for (int i = 0; args[i]; i++)
		push_str(c, args[i]);
	if (bin)
		push_borrowed(c, bin, binlen);
	return send_eval(c);
}

static int eval(struct call *c, struct script *sc, call_done_fn done,
		const char *const *keys, const char *const *args)
{
	return eval_bin(c, sc, done, keys, args, NULL, 0);
}

/* Starts an operation's script: 0, or -1 with the call freed (nothing sent). */
static int run_script(struct call *c, struct script *sc, call_done_fn done,
		      const char *const *keys, const char *const *args)
{
	if (eval(c, sc, done, keys, args)) {
		call_free(c);
		return -1;
	}
	return 0;
}

/* A blog's hash and its entry indexes: the keys of page_state and entries_page. */
static void index_keys(const char *blog, char k[4][128])
{
	key(k[0], sizeof(k[0]), blog, "");
	key(k[1], sizeof(k[1]), blog, ":entries");
	key(k[2], sizeof(k[2]), blog, ":order");
	key(k[3], sizeof(k[3]), blog, ":keys");
}

/* ---- operations ---- */

static void blog_reply(redisReply *r, void *arg)
{
	struct call *c = arg;
	struct lb_blog b;

	if (!r || r->type == REDIS_REPLY_ERROR)
		c->bfn(c->arg, r ? error_status(r) : LB_UNAVAILABLE, NULL);
	else if (!rr_blog(r, &b))
		c->bfn(c->arg, LB_NOT_FOUND, NULL);
	else
		c->bfn(c->arg, LB_OK, &b);
	call_free(c);
}

static int rs_get_blog(struct store *st, const char *id, store_blog_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char k[128];
	const char *argv[2] = { "HGETALL", k };

	if (!c)
		return -1;
	c->bfn = fn;
	key(k, sizeof(k), id, "");
	if (rconn_command(&c->st->cmd, blog_reply, c, 2, argv, NULL)) {
		call_free(c);
		return -1;
	}
	return 0;
}

static void finish_json(struct call *c, enum lb_status st, json_t *result,
			const char *msg)
{
	if (st == LB_UNAVAILABLE && c->unconfirmed)
		msg = c->msg;
	c->jfn(c->arg, st, result, msg);
	json_decref(result);
	call_free(c);
}

static void list_done(struct call *c, enum lb_status st, redisReply *r)
{
	json_t *blogs = json_array();
	struct lb_blog b;

	if (st == LB_OK && r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++)
			if (rr_blog(r->element[i], &b))
				json_array_append_new(blogs, codec_blog_wire(&b));
	finish_json(c, st, codec_blog_list(blogs), NULL);
}

static int rs_list_blogs(struct store *st, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	const char *keys[] = { "lb:blogs", NULL }, *args[] = { "lb:blog:", NULL };

	if (!c)
		return -1;
	c->jfn = fn;
	return run_script(c, &s_list, list_done, keys, args);
}

static void create_done(struct call *c, enum lb_status st, redisReply *r)
{
	struct lb_blog b;

	if (st != LB_OK || r->type != REDIS_REPLY_INTEGER) {
		finish_json(c, st == LB_OK ? LB_INTERNAL : st, NULL, NULL);
		return;
	}
	memset(&b, 0, sizeof(b));
	snprintf(b.id, sizeof(b.id), "%s", c->argv[6]);
	snprintf(b.title, sizeof(b.title), "%s", c->argv[7]);
	snprintf(b.lang, sizeof(b.lang), "%s", c->argv[10]);
	b.created_ms = (uint64_t)r->integer;
	metrics.writes++;
	finish_json(c, LB_CREATED, codec_blog_wire(&b), NULL);
}

static int rs_create_blog(struct store *st, const char *id, const char *title,
			  const char *token_hash, const char *lang,
			  store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char k[128];
	const char *keys[] = { k, "lb:blogs", STORE_FEED_KEY, NULL };
	const char *args[] = { id, title, token_hash, STORE_FEED_MAXLEN, lang, NULL };

	if (!c)
		return -1;
	c->jfn = fn;
	key(k, sizeof(k), id, "");
	return run_script(c, &s_create, create_done, keys, args);
}

static void update_done(struct call *c, enum lb_status st, redisReply *r)
{
	struct lb_blog b;

	if (st == LB_OK && rr_blog(r, &b)) {
		metrics.writes++;
		finish_json(c, LB_OK, codec_blog_wire(&b), NULL);
		return;
	}
	finish_json(c, st == LB_OK ? LB_INTERNAL : st, NULL,
		    st == LB_NOT_FOUND ? "No such blog." : NULL);
}

static int rs_update_blog(struct store *st, const char *blog, const char *title,
			  const char *lang, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char k[128];
	const char *keys[] = { k, STORE_FEED_KEY, NULL };
	const char *args[] = { title ? title : "", lang ? lang : "",
			       STORE_FEED_MAXLEN, NULL };

	if (!c)
		return -1;
	c->jfn = fn;
	key(k, sizeof(k), blog, "");
	return run_script(c, &s_update, update_done, keys, args);
}

/* Sends append.lua for c (blog, entry and payload already set). */
static int append(struct call *c, const char *type, const char *check,
		  const char *pin, call_done_fn done)
{
	char kb[128], kl[128], ke[128], kf[128], ko[128], kk[128], km[128];
	char *payload = c->payload ? codec_dump(c->payload) : strdup("");
	char media[CODEC_MEDIA_MAX * CODEC_MEDIA_ID + 1] = "";
	const char *keys[] = { kb, kl, ke, kf, STORE_FEED_KEY, ko, kk, km, NULL };
	const char *args[] = { type, c->entry, payload, check, pin,
			       STORE_FEED_MAXLEN, c->pinned,
			       c->payload && codec_payload_key(c->payload) ? "1" : "0",
			       media, NULL };
	const char *ids[CODEC_MEDIA_MAX];
	size_t n = c->payload ? codec_payload_media_ids(c->payload, ids) : 0;
	int ret;

	for (size_t i = 0; i < n; i++)   /* checked by the script: the blog's? */
		snprintf(media + strlen(media), sizeof(media) - strlen(media), "%s%.64s",
			 i ? " " : "", ids[i]);
	key(kb, sizeof(kb), c->blog, "");
	key(kl, sizeof(kl), c->blog, ":log");
	key(ke, sizeof(ke), c->blog, ":entries");
	key(kf, sizeof(kf), c->blog, ":fp");
	key(ko, sizeof(ko), c->blog, ":order");
	key(kk, sizeof(kk), c->blog, ":keys");
	key(km, sizeof(km), c->blog, ":media");
	ret = payload ? eval(c, &s_append, done, keys, args) : -1;
	free(payload);
	return ret;
}

static bool reply_is(const redisReply *r, const char *tag)
{
	return r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
	       r->element[0]->type == REDIS_REPLY_STRING &&
	       !strcmp(r->element[0]->str, tag);
}

/* The sentence for a script's refusal of a picture (NOMEDIA <id>), or NULL. */
static const char *nomedia(const redisReply *r, char *buf, size_t len)
{
	if (!r || r->type != REDIS_REPLY_ERROR || strncmp(script_error(r), "NOMEDIA ", 8))
		return NULL;
	snprintf(buf, len, "Picture %.64s is not one of this blog's pictures: upload it "
		 "to the blog first.", script_error(r) + 8);
	return buf;
}

/*
 * The reply of the metas of the pictures a write names: each one found is
 * resolved into the write's json (payload or patch); one that is not the
 * blog's stays as it is, for the write's script to refuse (after it has
 * checked the blog's state, so an ended blog answers `ended` first).
 */
static void resolve_reply(redisReply *r, void *arg)
{
	struct call *c = arg;
	json_t *json = c->patch ? c->patch : c->payload;
	struct lb_media m;
	char id[CODEC_MEDIA_ID];
	const char *ids[CODEC_MEDIA_MAX];
	size_t n = codec_payload_media_ids(json, ids);

	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != n) {
		finish_json(c, r ? LB_INTERNAL : LB_UNAVAILABLE, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const redisReply *e = r->element[i];

		snprintf(id, sizeof(id), "%s", ids[i]);   /* resolving replaces ids[i] */
		if (e->type == REDIS_REPLY_STRING &&
		    codec_media_meta_parse(id, e->str, e->len, &m))
			codec_payload_media_resolve(json, i, &m);
	}
	if (c->then(c))
		finish_json(c, LB_UNAVAILABLE, NULL, NULL);
}

/*
 * Runs then(c) once the pictures of the write's json (c->patch, else
 * c->payload) are resolved: at once when it names none. Returns -1 (no
 * callback) when Redis is down.
 */
static int with_media(struct call *c, int (*then)(struct call *c))
{
	json_t *json = c->patch ? c->patch : c->payload;
	const char *ids[CODEC_MEDIA_MAX], *argv[2 + CODEC_MEDIA_MAX];
	size_t n = codec_payload_media_ids(json, ids);
	char km[128];

	if (!n)
		return then(c);
	c->then = then;
	key(km, sizeof(km), c->blog, ":media");
	argv[0] = "HMGET";
	argv[1] = km;
	memcpy(argv + 2, ids, n * sizeof(*ids));
	return rconn_command(&c->st->cmd, resolve_reply, c, (int)(2 + n), argv, NULL);
}

static void post_done(struct call *c, enum lb_status st, redisReply *r)
{
	char why[200];

	if (st != LB_OK) {
		finish_json(c, st, NULL, st == LB_CONFLICT ?
			    "An entry with this id exists with different content." :
			    nomedia(r, why, sizeof(why)));
	} else if (reply_is(r, "new") && r->elements == 4) {
		metrics.writes++;
		finish_json(c, LB_CREATED, codec_entry_wire(c->payload,
			    r->element[1]->str, r->element[1]->str), NULL);
	} else if (reply_is(r, "dup") && r->elements == 2) {
		finish_json(c, LB_OK, codec_entry_stored(r->element[1]->str,
			    r->element[1]->len), NULL);
	} else {
		finish_json(c, LB_INTERNAL, NULL, NULL);
	}
}

/* Second step of a post: the entry, its pictures resolved. */
static int post_append(struct call *c)
{
	return append(c, "entry", c->fp, codec_payload_pinned(c->payload) ? "pin" : "",
		      post_done);
}

static int rs_post_entry(struct store *st, const char *blog, json_t *payload,
			 store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);

	if (!c)
		return -1;
	c->jfn = fn;
	/* a copy: resolving the pictures writes into it */
	c->payload = json_deep_copy(payload);
	snprintf(c->blog, sizeof(c->blog), "%s", blog);
	snprintf(c->entry, sizeof(c->entry), "%s", codec_payload_id(payload));
	codec_fingerprint(payload, c->fp);   /* of the request, as a retry sends it */
	if (!c->payload || with_media(c, post_append)) {
		call_free(c);
		return -1;
	}
	return 0;
}

static int edit_begin(struct call *c);

static void edit_done(struct call *c, enum lb_status st, redisReply *r)
{
	char why[200];

	if (st == LB_CONFLICT && r && !strcmp(script_error(r), "STALE") &&
	    ++c->attempts < EDIT_ATTEMPTS) {
		if (edit_begin(c))
			finish_json(c, LB_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (st != LB_OK) {
		finish_json(c, st, NULL, st == LB_CONFLICT ?
			    "The entry kept changing; try again." : nomedia(r, why, sizeof(why)));
	} else if (reply_is(r, "new") && r->elements == 4) {
		metrics.writes++;
		finish_json(c, LB_OK, codec_entry_wire(c->payload,
			    r->element[3]->str, r->element[1]->str), NULL);
	} else {
		finish_json(c, LB_INTERNAL, NULL, NULL);
	}
}

/*
 * Second step of an edit: the current entry is known; send the new one.
 * The reply is {state, pinned, entry}: an ended blog refuses the edit
 * before anything else is looked at.
 */
static void edit_current(struct call *c, enum lb_status st, redisReply *r)
{
	const char *sp1, *sp2;
	json_t *cur, *pin = codec_patch_pin(c->patch);
	char cseq[48], rev[16];

	if (st != LB_OK) {
		finish_json(c, st, NULL, st == LB_NOT_FOUND ? "No such blog." : NULL);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
		finish_json(c, LB_INTERNAL, NULL, NULL);
		return;
	}
	if (r->element[0]->type == REDIS_REPLY_STRING && !strcmp(r->element[0]->str, "ended")) {
		finish_json(c, LB_ENDED, NULL, NULL);
		return;
	}
	snprintf(c->pinned, sizeof(c->pinned), "%s",
		 r->element[1]->type == REDIS_REPLY_STRING ? r->element[1]->str : "");
	r = r->element[2];
	sp1 = r->type == REDIS_REPLY_STRING ? strchr(r->str, ' ') : NULL;
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	cur = sp2 ? json_loads(sp2 + 1, 0, NULL) : NULL;
	if (!cur || codec_payload_deleted(cur) || codec_payload_redacted(cur) ||
	    sp1 - r->str >= (long)sizeof(cseq)) {
		json_decref(cur);
		finish_json(c, LB_NOT_FOUND, NULL, "No such entry.");
		return;
	}
	snprintf(cseq, sizeof(cseq), "%.*s", (int)(sp1 - r->str), r->str);
	snprintf(rev, sizeof(rev), "%d", codec_payload_revision(cur));
	json_decref(c->payload);
	c->payload = codec_entry_apply(cur, c->patch);
	json_decref(cur);
	codec_payload_set_seq(c->payload, cseq);
	if (!pin)  /* pinning another entry implicitly unpinned this one */
		codec_payload_set_pinned(c->payload, !strcmp(c->pinned, c->entry));
	if (append(c, "edit", rev, !pin ? "" : json_is_true(pin) ? "pin" : "unpin",
		   edit_done))
		finish_json(c, LB_UNAVAILABLE, NULL, NULL);
}

/* First step of an edit: the blog's state, its pinned entry and the entry. */
static int edit_begin(struct call *c)
{
	char kb[128], ke[128];
	const char *keys[] = { kb, ke, NULL }, *args[] = { c->entry, NULL };

	key(kb, sizeof(kb), c->blog, "");
	key(ke, sizeof(ke), c->blog, ":entries");
	return eval(c, &s_entry, edit_current, keys, args);
}

static int rs_edit_entry(struct store *st, const char *blog, const char *entry,
			 json_t *patch, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);

	if (!c)
		return -1;
	c->jfn = fn;
	c->patch = json_deep_copy(patch);   /* resolving the pictures writes into it */
	snprintf(c->blog, sizeof(c->blog), "%s", blog);
	snprintf(c->entry, sizeof(c->entry), "%s", entry);
	if (!c->patch || with_media(c, edit_begin)) {
		call_free(c);
		return -1;
	}
	return 0;
}

static void delete_done(struct call *c, enum lb_status st, redisReply *r)
{
	if (st == LB_OK && (reply_is(r, "new") || reply_is(r, "gone"))) {
		if (reply_is(r, "new"))
			metrics.writes++;
		finish_json(c, LB_OK, codec_deleted(c->entry), NULL);
		return;
	}
	finish_json(c, st == LB_OK ? LB_INTERNAL : st, NULL,
		    st == LB_NOT_FOUND ? "No such entry." : NULL);
}

static int rs_delete_entry(struct store *st, const char *blog, const char *entry,
			   store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);

	if (!c)
		return -1;
	c->jfn = fn;
	snprintf(c->blog, sizeof(c->blog), "%s", blog);
	snprintf(c->entry, sizeof(c->entry), "%s", entry);
	if (append(c, "delete", "", "", delete_done)) {
		call_free(c);
		return -1;
	}
	return 0;
}

static void end_done(struct call *c, enum lb_status st, redisReply *r)
{
	struct lb_blog b;

	if (st == LB_OK && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
	    rr_blog(r->element[2], &b)) {
		if (reply_is(r->element[1], "new"))
			metrics.writes++;
		finish_json(c, LB_OK, codec_blog_wire(&b), NULL);
		return;
	}
	finish_json(c, st == LB_OK ? LB_INTERNAL : st, NULL, NULL);
}

static int rs_end_blog(struct store *st, const char *blog, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kb[128], kl[128];
	const char *keys[] = { kb, kl, STORE_FEED_KEY, NULL };
	const char *args[] = { STORE_FEED_MAXLEN, NULL };

	if (!c)
		return -1;
	c->jfn = fn;
	key(kb, sizeof(kb), blog, "");
	key(kl, sizeof(kl), blog, ":log");
	return run_script(c, &s_end, end_done, keys, args);
}

static void ignore_reply(redisReply *r, void *arg)
{
	(void)r;
	(void)arg;
}

static int rs_media_gc(struct store *st, const char *blog, const char *entry,
		       const char *const *ids, size_t n, store_json_fn fn, void *arg);

/*
 * After the redacted entry's pictures were handled: the answer, and once
 * the text (a new redaction) or a picture's bytes left Redis, an AOF
 * rewrite, so that they leave the disk too. It comes after both steps: a
 * rewrite asked while one runs is refused, and one started before the
 * pictures went would keep their bytes.
 */
static void redact_gc_done(void *arg, enum lb_status st, json_t *result, const char *msg)
{
	struct call *c = arg;
	const char *aof[] = { "BGREWRITEAOF" };

	if (c->redacted_new || codec_media_gc_count(result))
		rconn_command(&c->st->cmd, ignore_reply, NULL, 1, aof, NULL);
	if (st != LB_OK) {
		finish_json(c, st == LB_UNAVAILABLE ? st : LB_INTERNAL, NULL, "The entry is "
			    "redacted, but its pictures could not be deleted yet: redact it again.");
		return;
	}
	finish_json(c, LB_OK, codec_redacted(c->entry, c->redacted_at), NULL);
}

/*
 * redact.lua's reply; then media_gc.lua deletes the pictures the entry
 * named that no other entry of the blog names (also after a second
 * redaction: it finishes what a failed run left, see redact.lua).
 */
static void redact_done(struct call *c, enum lb_status st, redisReply *r)
{
	if (st != LB_OK) {
		finish_json(c, st, NULL, st == LB_NOT_FOUND ? "No such blog or entry." : NULL);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element[1]->type != REDIS_REPLY_STRING) {
		finish_json(c, LB_INTERNAL, NULL, NULL);
		return;
	}
	c->redacted_new = reply_is(r, "new");
	c->redacted_at = strtoull(r->element[1]->str, NULL, 10);
	if (c->redacted_new)
		metrics.writes++;
	if (rs_media_gc(&c->st->base, c->blog, c->entry, NULL, 0, redact_gc_done, c))
		redact_gc_done(c, LB_UNAVAILABLE, NULL, NULL);
}

static int rs_redact_entry(struct store *st, const char *blog, const char *entry,
			   const char *reason, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kb[128], kl[128], ke[128], kf[128], kr[128], ko[128], kk[128];
	const char *keys[] = { kb, kl, ke, kf, STORE_FEED_KEY, kr, ko, kk, NULL };
	const char *args[] = { entry, reason, STORE_FEED_MAXLEN, NULL };

	if (!c)
		return -1;
	c->jfn = fn;
	snprintf(c->entry, sizeof(c->entry), "%s", entry);
	snprintf(c->blog, sizeof(c->blog), "%s", blog);
	key(kb, sizeof(kb), blog, "");
	key(kl, sizeof(kl), blog, ":log");
	key(ke, sizeof(ke), blog, ":entries");
	key(kf, sizeof(kf), blog, ":fp");
	key(kr, sizeof(kr), blog, ":redactions");
	key(ko, sizeof(ko), blog, ":order");
	key(kk, sizeof(kk), blog, ":keys");
	return run_script(c, &s_redact, redact_done, keys, args);
}

static void events_done(struct call *c, enum lb_status st, redisReply *r)
{
	json_t *events = json_array(), *ev, *res;
	const char *next = c->since, *ended = "";
	const redisReply *items = NULL;
	struct store_event e;
	long redactions = 0;

	if (st == LB_OK && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
	    r->element[1]->type == REDIS_REPLY_ARRAY) {
		ended = r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "";
		items = r->element[1];
		redactions = r->element[2]->type == REDIS_REPLY_INTEGER ?
			     (long)r->element[2]->integer : 0;
	}
	for (size_t i = 0; items && i < items->elements; i++)
		if (rr_event(items->element[i], &e) &&
		    (ev = codec_event(e.seq, e.type, e.data, e.len))) {
			json_array_append_new(events, ev);
			next = e.seq;
		}
	res = codec_events_page(events, next);
	c->lfn(c->arg, st, res, ended, redactions);
	json_decref(res);
	call_free(c);
}

static int rs_events(struct store *st, const char *blog, const char *since,
		     long limit, store_log_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kb[128], kl[128], start[64], count[24];
	const char *keys[] = { kb, kl, NULL }, *args[] = { start, count, NULL };

	if (!c)
		return -1;
	c->lfn = fn;
	snprintf(c->since, sizeof(c->since), "%s", since ? since : "0-0");
	snprintf(start, sizeof(start), "(%s", c->since);
	snprintf(count, sizeof(count), "%ld", limit);
	key(kb, sizeof(kb), blog, "");
	key(kl, sizeof(kl), blog, ":log");
	return run_script(c, &s_events, events_done, keys, args);
}

/* Redis refuses an exclusive interval from the greatest id: nothing is after it. */
static bool nothing_after(const redisReply *r)
{
	return r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "invalid start ID");
}

static void range_reply(redisReply *r, void *arg)
{
	struct call *c = arg;
	enum lb_status st = !r ? LB_UNAVAILABLE : r->type == REDIS_REPLY_ARRAY ? LB_OK :
			    nothing_after(r) ? LB_OK :
			    r->type == REDIS_REPLY_ERROR ? error_status(r) : LB_INTERNAL;
	size_t n = 0;
	struct store_event *ev = st == LB_OK ? rr_events(r, &n) : NULL;

	if (st == LB_OK && r->type == REDIS_REPLY_ARRAY && r->elements && !ev)
		st = LB_INTERNAL;   /* out of memory, or items not as we write them */
	c->efn(c->arg, st, ev, n);
	free(ev);
	call_free(c);
}

static int rs_range(struct store *st, const char *blog, const char *since,
		    bool inclusive, long count, store_events_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kl[128], start[64], n[24];
	const char *argv[] = { "XRANGE", kl, start, "+", "COUNT", n };

	if (!c)
		return -1;
	c->efn = fn;
	key(kl, sizeof(kl), blog, ":log");
	if (!strcmp(since, "0-0"))
		snprintf(start, sizeof(start), "-");
	else
		snprintf(start, sizeof(start), "%s%s", inclusive ? "" : "(", since);
	snprintf(n, sizeof(n), "%ld", count);
	if (rconn_command(&c->st->cmd, range_reply, c, 6, argv, NULL)) {
		call_free(c);
		return -1;
	}
	return 0;
}

static void head_done(struct call *c, enum lb_status st, redisReply *r)
{
	struct lb_blog b;
	struct store_event *ev = NULL;
	size_t n = 0;

	if (st == LB_OK && (r->type != REDIS_REPLY_ARRAY || r->elements != 2))
		st = LB_INTERNAL;
	else if (st == LB_OK && !rr_blog(r->element[0], &b))
		st = LB_NOT_FOUND;
	if (st == LB_OK)
		ev = rr_events(r->element[1], &n);
	c->hfn(c->arg, st, st == LB_OK ? &b : NULL, ev, n);
	free(ev);
	call_free(c);
}

static int rs_head(struct store *st, const char *blog, long count,
		   store_head_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kb[128], kl[128], n[24];
	const char *keys[] = { kb, kl, NULL }, *args[] = { n, NULL };

	if (!c)
		return -1;
	c->hfn = fn;
	key(kb, sizeof(kb), blog, "");
	key(kl, sizeof(kl), blog, ":log");
	snprintf(n, sizeof(n), "%ld", count);
	return run_script(c, &s_hub, head_done, keys, args);
}

static int newest_first(const void *a, const void *b)
{
	return text_seq_cmp_str(codec_entry_seq(*(json_t *const *)b),
				codec_entry_seq(*(json_t *const *)a));
}

/* A set of wire entries being gathered: each once, deleted ones left out. */
struct gather {
	json_t **v;
	size_t n, cap;
	json_t *seen;            /* entry id -> true */
};

/* Adds the entries hash value r (a string; nil and "" are skipped). */
static void gather_add(struct gather *g, const redisReply *r, const struct lb_blog *b)
{
	json_t *e;
	const char *id;

	if (!r || r->type != REDIS_REPLY_STRING || !r->len || g->n == g->cap)
		return;
	e = codec_entry_stored(r->str, r->len);
	id = e ? codec_payload_id(e) : "";
	if (!e || codec_payload_deleted(e) || codec_payload_redacted(e) ||
	    json_object_get(g->seen, id)) {
		json_decref(e);
		return;
	}
	if (b)
		codec_payload_set_pinned(e, b->pinned[0] && !strcmp(b->pinned, id));
	json_object_set_new(g->seen, id, json_true());
	g->v[g->n++] = e;
}

static void gather_all(struct gather *g, const redisReply *arr, size_t max,
		       const struct lb_blog *b)
{
	for (size_t i = 0; arr && arr->type == REDIS_REPLY_ARRAY && i < arr->elements &&
	     i < max; i++)
		gather_add(g, arr->element[i], b);
}

/* The gathered entries as a JSON array, newest first (g is emptied). */
static json_t *gather_list(struct gather *g)
{
	json_t *list = json_array();

	qsort(g->v, g->n, sizeof(*g->v), newest_first);
	for (size_t i = 0; i < g->n; i++)
		json_array_append_new(list, g->v[i]);
	g->n = 0;
	return list;
}

static bool gather_init(struct gather *g, size_t cap)
{
	g->n = 0;
	g->cap = cap;
	g->v = malloc((cap + 1) * sizeof(*g->v));
	g->seen = json_object();
	return g->v && g->seen;
}

static void gather_release(struct gather *g)
{
	for (size_t i = 0; i < g->n; i++)
		json_decref(g->v[i]);
	free(g->v);
	json_decref(g->seen);
}

/* The created seq of an entries hash value ("<created> <event> <json>"). */
static void created_seq(const redisReply *r, char *out, size_t len)
{
	out[0] = '\0';
	if (r && r->type == REDIS_REPLY_STRING)
		snprintf(out, len, "%.*s", (int)strcspn(r->str, " "), r->str);
}

static size_t elements(const redisReply *r)
{
	return r && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
}

/* page_state.lua's reply: {blog, newest N+1, keys, pinned, entry}. */
static void page_done(struct call *c, enum lb_status st, redisReply *r)
{
	struct lb_blog b;
	struct store_page p = { .blog = &b, .older = "" };
	struct gather g = { 0 }, k = { 0 };
	json_t *entries = NULL, *keys = NULL;
	size_t n = 0;

	if (st == LB_OK && (r->type != REDIS_REPLY_ARRAY || r->elements != 5 ||
			    !rr_blog(r->element[0], &b)))
		st = LB_INTERNAL;
	if (st == LB_OK) {
		n = elements(r->element[1]);
		if (!gather_init(&g, n + 2) || !gather_init(&k, elements(r->element[2])))
			st = LB_INTERNAL;
	}
	if (st == LB_OK) {
		gather_all(&g, r->element[1], (size_t)c->limit, &b);
		gather_add(&g, r->element[3], &b);
		gather_add(&g, r->element[4], &b);
		gather_all(&k, r->element[2], SIZE_MAX, &b);
		if (n > (size_t)c->limit)   /* one more than asked: older ones exist */
			created_seq(r->element[1]->element[c->limit - 1], c->since, sizeof(c->since));
		p.older = n > (size_t)c->limit ? c->since : "";
		p.entries = entries = gather_list(&g);
		p.keys = keys = gather_list(&k);
	}
	c->pfn(c->arg, st, st == LB_OK ? &p : NULL);
	json_decref(entries);
	json_decref(keys);
	gather_release(&g);
	gather_release(&k);
	call_free(c);
}

static int rs_page_state(struct store *st, const char *blog,
			 const struct store_page_req *req, store_page_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char k4[4][128], n[24], k[24];
	const char *keys[] = { k4[0], k4[1], k4[2], k4[3], NULL };
	const char *args[] = { n, k, req->entry ? req->entry : "", NULL };

	if (!c)
		return -1;
	c->pfn = fn;
	c->limit = req->newest > 0 ? req->newest : 1;
	snprintf(n, sizeof(n), "%ld", c->limit);
	snprintf(k, sizeof(k), "%ld", req->keys > 0 ? req->keys : 0);
	index_keys(blog, k4);
	return run_script(c, &s_page, page_done, keys, args);
}

/* entries_page.lua's reply: {pinned id, values of limit + 1 entries}. */
static void entries_done(struct call *c, enum lb_status st, redisReply *r)
{
	struct lb_blog b;
	struct gather g = { 0 };
	json_t *res = NULL;
	size_t n = 0;

	memset(&b, 0, sizeof(b));
	if (st == LB_OK && (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
			    r->element[0]->type != REDIS_REPLY_STRING))
		st = LB_INTERNAL;
	if (st == LB_OK && !gather_init(&g, (n = elements(r->element[1])) + 1))
		st = LB_INTERNAL;
	if (st == LB_OK) {
		snprintf(b.pinned, sizeof(b.pinned), "%s", r->element[0]->str);
		gather_all(&g, r->element[1], (size_t)c->limit, &b);
		if (n > (size_t)c->limit)
			created_seq(r->element[1]->element[c->limit - 1], c->since, sizeof(c->since));
		res = codec_entries_page(gather_list(&g), n > (size_t)c->limit ? c->since : NULL);
	}
	finish_json(c, st, res, st == LB_NOT_FOUND ? "No such blog." : NULL);
	gather_release(&g);
}

static int rs_entries(struct store *st, const char *blog, const char *before,
		      long limit, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char k4[4][128], n[24];
	const char *keys[] = { k4[0], k4[1], k4[2], k4[3], NULL };
	const char *args[] = { before ? before : "", n, NULL };

	if (!c)
		return -1;
	c->jfn = fn;
	c->limit = limit > 0 ? limit : 1;
	snprintf(n, sizeof(n), "%ld", c->limit + 1);
	index_keys(blog, k4);
	return run_script(c, &s_entries, entries_done, keys, args);
}

static void readers_done(struct call *c, enum lb_status st, redisReply *r)
{
	if (st == LB_OK && r->type != REDIS_REPLY_INTEGER)
		st = LB_INTERNAL;
	c->cfn(c->arg, st, st == LB_OK ? r->integer : 0);
	call_free(c);
}

static int rs_readers(struct store *st, const char *blog, const char *instance,
		      long count, store_count_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kr[128], n[24];
	const char *keys[] = { kr, NULL }, *args[] = { instance, n, "15000", NULL };

	if (!c)
		return -1;
	c->cfn = fn;
	key(kr, sizeof(kr), blog, ":readers");
	snprintf(n, sizeof(n), "%ld", count);
	return run_script(c, &s_readers, readers_done, keys, args);
}

/* ---- pictures ---- */

static void media_put_done(struct call *c, enum lb_status st, redisReply *r)
{
	bool is_new = st == LB_OK && r->type == REDIS_REPLY_STRING && !strcmp(r->str, "new");

	if (st == LB_OK && !is_new && !(r->type == REDIS_REPLY_STRING && !strcmp(r->str, "dup")))
		st = LB_INTERNAL;
	if (is_new)
		metrics.writes++;
	finish_json(c, st == LB_OK ? (is_new ? LB_CREATED : LB_OK) : st,
		    st == LB_OK ? codec_media_wire(&c->media) : NULL,
		    st == LB_NOT_FOUND ? "No such blog." : NULL);
}

static int rs_media_put(struct store *st, const char *blog, const struct lb_media *m,
			const void *data, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kb[128], km[128], kp[128], kh[136], w[16], h[16], n[24];
	char *meta = codec_media_meta(m);
	const char *keys[] = { kb, km, kp, kh, NULL };
	const char *args[] = { m->id, meta, m->type, w, h, n, NULL };
	int ret = -1;

	if (!c || !meta)
		goto out_free;
	c->jfn = fn;
	c->media = *m;
	key(kb, sizeof(kb), blog, "");
	key(km, sizeof(km), blog, ":media");
	snprintf(kp, sizeof(kp), MEDIA_PREFIX "%s", m->id);
	snprintf(kh, sizeof(kh), MEDIA_PREFIX "%s:blogs", m->id);
	snprintf(w, sizeof(w), "%u", m->width);
	snprintf(h, sizeof(h), "%u", m->height);
	snprintf(n, sizeof(n), "%zu", m->bytes);
	ret = eval_bin(c, &s_media_put, media_put_done, keys, args, data, m->bytes);
out_free:
	free(meta);
	if (ret && c)
		call_free(c);
	return ret;
}

/* HMGET type data: [type or nil, bytes or nil]. */
static void media_get_reply(redisReply *r, void *arg)
{
	struct call *c = arg;
	const redisReply *t = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 ?
			      r->element[0] : NULL, *d = t ? r->element[1] : NULL;

	if (!r)
		c->xfn(c->arg, LB_UNAVAILABLE, NULL, NULL, 0);
	else if (r->type == REDIS_REPLY_ERROR)
		c->xfn(c->arg, error_status(r), NULL, NULL, 0);
	else if (!t || t->type != REDIS_REPLY_STRING || d->type != REDIS_REPLY_STRING)
		c->xfn(c->arg, LB_NOT_FOUND, NULL, NULL, 0);
	else
		c->xfn(c->arg, LB_OK, t->str, d->str, d->len);
	call_free(c);
}

static int rs_media_get(struct store *st, const char *id, store_bytes_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char kp[128];
	const char *argv[] = { "HMGET", kp, "type", "data" };

	if (!c)
		return -1;
	c->xfn = fn;
	snprintf(kp, sizeof(kp), MEDIA_PREFIX "%s", id);
	if (rconn_command(&c->st->cmd, media_get_reply, c, 4, argv, NULL)) {
		call_free(c);
		return -1;
	}
	return 0;
}

static void media_gc_done(struct call *c, enum lb_status st, redisReply *r)
{
	json_t *gone = json_array();

	if (st == LB_OK && r->type != REDIS_REPLY_ARRAY)
		st = LB_INTERNAL;
	for (size_t i = 0; st == LB_OK && i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING)
			json_array_append_new(gone, json_string(r->element[i]->str));
	finish_json(c, st, st == LB_OK ? codec_media_gc_result(gone) : NULL, NULL);
	json_decref(gone);
}

static int rs_media_gc(struct store *st, const char *blog, const char *entry,
		       const char *const *ids, size_t n, store_json_fn fn, void *arg)
{
	struct call *c = call_new(st, arg);
	char km[128], kl[128], ke[128];
	const char *keys[] = { km, kl, ke, STORE_FEED_KEY, NULL };
	const char *args[5 + STORE_MEDIA_GC_MAX] = { blog, MEDIA_PREFIX, entry ? entry : "",
						     STORE_FEED_MAXLEN };
	size_t k = 4;

	if (!c)
		return -1;
	c->jfn = fn;
	/* an id that is not one of the blog's is not found there: kept */
	for (size_t i = 0; i < n && i < STORE_MEDIA_GC_MAX; i++)
		args[k++] = ids[i];
	args[k] = NULL;
	key(km, sizeof(km), blog, ":media");
	key(kl, sizeof(kl), blog, ":log");
	key(ke, sizeof(ke), blog, ":entries");
	return run_script(c, &s_media_gc, media_gc_done, keys, args);
}

void store_scripts_init(void)
{
	struct script *all[] = { &s_create, &s_append, &s_end, &s_list, &s_hub,
				 &s_events, &s_readers, &s_page, &s_entry, &s_update,
				 &s_entries, &s_redact, &s_media_put, &s_media_gc };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		hash_sha1_hex(all[i]->body, strlen(all[i]->body), all[i]->sha);
}

static bool rs_up(const struct store *st)
{
	const struct redis_store *rs = rs_of_const(st);

	return rs->cmd.up && (!rs->ack_replicas || rs->wr.up);
}

static unsigned long rs_reconnects(const struct store *st)
{
	return rs_of_const(st)->cmd.reconnects;
}

static const char *rs_where(const struct store *st)
{
	const struct rconn *rc = &rs_of_const(st)->cmd;

	return rc->up ? rc->where : "";
}

static void rs_start(struct store *st)
{
	struct redis_store *rs = rs_of(st);

	if (rs->sn)
		sentinel_start(rs->sn);
	rconn_start(&rs->cmd);
	if (rs->ack_replicas)
		rconn_start(&rs->wr);
}

static void rs_stop(struct store *st)
{
	struct redis_store *rs = rs_of(st);

	rconn_stop(&rs->cmd);
	rconn_stop(&rs->wr);   /* writes held or covered get 503 */
	if (rs->sn)
		sentinel_stop(rs->sn);
}

static void rs_free(struct store *st)
{
	struct redis_store *rs = rs_of(st);

	if (rs->sn)
		sentinel_free(rs->sn);
	free(rs);
}

static const struct store_ops redis_ops = {
	.get_blog = rs_get_blog,
	.list_blogs = rs_list_blogs,
	.create_blog = rs_create_blog,
	.update_blog = rs_update_blog,
	.post_entry = rs_post_entry,
	.edit_entry = rs_edit_entry,
	.delete_entry = rs_delete_entry,
	.end_blog = rs_end_blog,
	.redact_entry = rs_redact_entry,
	.events = rs_events,
	.page_state = rs_page_state,
	.entries = rs_entries,
	.head = rs_head,
	.range = rs_range,
	.readers = rs_readers,
	.media_put = rs_media_put,
	.media_get = rs_media_get,
	.media_gc = rs_media_gc,
	.up = rs_up,
	.reconnects = rs_reconnects,
	.where = rs_where,
	.start = rs_start,
	.stop = rs_stop,
	.free = rs_free,
};

struct store *redis_store_new(struct lws_context *ctx, struct lws_vhost *vh,
			      const char *url)
{
	struct redis_store *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	if (rconn_init(&rs->cmd, ctx, vh, url, "cmd") ||
	    rconn_init(&rs->wr, ctx, vh, url, "writes"))
		goto out_free;
	if (rs->cmd.role == RCONN_MASTER &&
	    (!(rs->sn = sentinel_new(ctx, vh, url)) || sentinel_follow(rs->sn, &rs->cmd) ||
	     sentinel_follow(rs->sn, &rs->wr)))
		goto out_free;
	rs->base.ops = &redis_ops;
	rs->cmd.watch_ping = true;
	return &rs->base;
out_free:
	if (rs->sn)
		sentinel_free(rs->sn);
	free(rs);
	return NULL;
}

struct rconn *redis_store_conn(struct store *st)
{
	return &rs_of(st)->cmd;
}

void redis_store_set_ack(struct store *st, long replicas, long timeout_ms)
{
	struct redis_store *rs = rs_of(st);

	rs->ack_replicas = replicas;
	rs->ack_timeout_ms = timeout_ms;
	rs->wr.watch_ping = true;
	/* a WAIT holds its connection's replies for up to the timeout */
	rs->wr.ping_limit = (int)(timeout_ms / 1000) + 5;
}

int redis_store_follow(struct store *st, struct rconn *rc)
{
	struct redis_store *rs = rs_of(st);

	return rs->sn ? sentinel_follow(rs->sn, rc) : 0;
}
