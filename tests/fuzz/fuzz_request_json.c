/*
 * fuzz_request_json.c — the request body validators (codec_blog_create,
 * codec_blog_patch, codec_entry_create, codec_entry_patch) on arbitrary
 * bytes.
 *
 * SPEC.md rule 5: bad input gets a clear JSON error and changes nothing.
 * Every input goes through the three validators, with the default limits
 * (text 16384, title 300) and with tiny ones so short inputs reach the
 * "too large" paths too. Then:
 *   - rejected: *out untouched, status 400 or 413, a non-empty message, and
 *     codec_error_body() makes {"error","message"} that the CLI accepts;
 *   - accepted: the object has exactly the documented keys, every string is
 *     valid UTF-8 without NUL and within its limit, ids are valid; the
 *     payload then goes through codec_fingerprint, codec_entry_wire,
 *     codec_entry_stored, codec_event and codec_entry_apply, and what the
 *     server would send must pass the CLI's own reply checks.
 * A broken invariant aborts (libFuzzer keeps the input); everything is
 * freed, since LeakSanitizer is on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "common/codec.h"
#include "common/text.h"
#include "reply.h"
#include "status.h"


#define MAX_AUTHOR 200 /* codec.c */
#define MSGLEN 256     /* the buffer src/http/api.c passes */
#define SEQ_C "1764401562123-0"
#define SEQ_E "1764401600500-3"

static const struct lb_limits LIMITS = { 16384, 300 }; /* SPEC defaults */
static const struct lb_limits SMALL = { 8, 4 };

/* Stands for "not written": error paths must leave *out alone. */
static json_t *const UNTOUCHED = (json_t *)&LIMITS;

typedef enum lb_status (*request_fn)(const char *, size_t,
				     const struct lb_limits *, json_t **,
				     char *, size_t);

/* A string of min..max bytes, valid UTF-8, no NUL inside. */
static void check_str(const json_t *v, size_t min, size_t max)
{
	const char *s;
	size_t n;

	CHECK(json_is_string(v));
	s = json_string_value(v);
	n = json_string_length(v);
	CHECK(n >= min && n <= max);
	CHECK(strlen(s) == n);
	CHECK(text_utf8_valid(s, n));
}

/* Every key of obj is one of names[0..n). */
static void check_keys(const json_t *obj, const char *const *names, size_t n)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;

		for (i = 0; i < n && strcmp(key, names[i]); i++)
			;
		CHECK(i < n);
	}
}

/* Rule 5: a rejected body gets a JSON error the client can read. */
static void check_rejected(enum lb_status st, json_t *out, const char *msg)
{
	char err[256], *body;
	json_t *v;

	CHECK(out == UNTOUCHED);
	CHECK(st == LB_BAD_REQUEST || st == LB_TOO_LARGE);
	CHECK(msg[0] != '\0');
	CHECK(strlen(msg) < MSGLEN);
	CHECK(text_utf8_valid(msg, strlen(msg))); /* or it cannot be JSON */
	body = codec_error_body(st, msg);
	CHECK(body != NULL);
	v = reply_parse(REPLY_ERROR, body, strlen(body), err, sizeof(err));
	CHECK(v != NULL);
	CHECK(!strcmp(reply_str(v, "error"), status_code(st)));
	CHECK(!strcmp(reply_str(v, "message"), msg));
	json_decref(v);
	free(body);
}

/* The serialised form of v passes the client's check for kind. */
static void check_client_accepts(enum reply_kind kind, const json_t *v)
{
	char err[256], *s;
	json_t *back;

	CHECK(reply_check(kind, v, err, sizeof(err)) == 0);
	s = codec_dump(v);
	CHECK(s != NULL);
	back = reply_parse(kind, s, strlen(s), err, sizeof(err));
	if (!back)
		fprintf(stderr, "client rejects %s: %s\n", s, err);
	CHECK(back != NULL);
	CHECK(json_equal(back, (json_t *)v));
	json_decref(back);
	free(s);
}

static void check_fingerprint(const json_t *payload, char out[72])
{
	char again[72];

	codec_fingerprint(payload, out);
	CHECK(strlen(out) == 64);
	for (int i = 0; i < 64; i++)
		CHECK((out[i] >= '0' && out[i] <= '9') ||
		      (out[i] >= 'a' && out[i] <= 'f'));
	codec_fingerprint(payload, again);
	CHECK(!strcmp(out, again));
}

/* Content equality as the fingerprint sees it: all but id and revision. */
static int same_content(const json_t *a, const json_t *b)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	int eq;

	json_object_del(x, "id");
	json_object_del(x, "revision");
	json_object_del(y, "id");
	json_object_del(y, "revision");
	eq = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return eq;
}

/*
 * A stored payload seen through every reader: the wire entry, the entries
 * hash value "<created> <event> <json>" and the stream event; all three
 * must agree and pass the client's checks.
 */
/*
 * The payload as the store writes it: each picture resolved (type, size,
 * url), as redis_store.c does before the write (one not resolved is refused
 * by append.lua, never stored). A new reference.
 */
static json_t *resolved(const json_t *payload)
{
	json_t *copy = json_deep_copy(payload);
	const char *ids[CODEC_MEDIA_MAX];
	size_t n = codec_payload_media_ids(copy, ids);
	struct lb_media m;

	for (size_t i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		snprintf(m.id, sizeof(m.id), "%.64s", ids[i]);
		snprintf(m.type, sizeof(m.type), "image/jpeg");
		m.width = 640;
		m.height = 360;
		m.bytes = 1000;
		codec_payload_media_resolve(copy, i, &m);
	}
	return copy;
}

static void check_stored_views(const json_t *request, const char *type)
{
	const char *eseq = strcmp(type, "entry") ? SEQ_E : SEQ_C;
	json_t *wire, *stored, *ev, *withseq, *payload = resolved(request);
	char *s, *value;
	size_t n;

	wire = codec_entry_wire(payload, SEQ_C, eseq);
	CHECK(wire != NULL);
	CHECK(!strcmp(codec_payload_id(payload),
		      json_string_value(json_object_get(wire, "id"))));
	CHECK(json_equal(json_object_get(wire, "text"),
			 json_object_get((json_t *)payload, "text")));
	CHECK(!strcmp(json_string_value(json_object_get(wire, "seq")), SEQ_C));
	CHECK((json_object_get(wire, "edited_ts") != NULL) ==
	      (codec_payload_revision(payload) > 1));
	check_client_accepts(REPLY_ENTRY, wire);

	s = codec_dump(payload);
	CHECK(s != NULL);
	n = strlen(SEQ_C) + 1 + strlen(eseq) + 1 + strlen(s);
	value = malloc(n + 1);
	CHECK(value != NULL);
	snprintf(value, n + 1, "%s %s %s", SEQ_C, eseq, s);
	stored = codec_entry_stored(value, n);
	CHECK(stored != NULL);
	CHECK(json_equal(stored, wire));
	json_decref(stored);
	free(value);
	free(s);

	/* The stream's "d" field carries the created seq after an edit. */
	withseq = json_deep_copy(payload);
	if (strcmp(type, "entry"))
		json_object_set_new(withseq, "seq", json_string(SEQ_C));
	s = codec_dump(withseq);
	CHECK(s != NULL);
	ev = codec_event(eseq, type, s, strlen(s));
	CHECK(ev != NULL);
	CHECK(json_equal(json_object_get(ev, "entry"), wire));
	check_client_accepts(REPLY_EVENT, ev);
	check_client_accepts(REPLY_FRAME, ev);
	json_decref(ev);
	free(s);
	json_decref(withseq);
	json_decref(wire);
	json_decref(payload);
}

/* An accepted "lang" is a canonical tag: parsing it again gives itself. */
static void check_lang(const json_t *out)
{
	const json_t *lang = json_object_get(out, "lang");
	char again[LANG_MAX];

	if (!lang)
		return;
	check_str(lang, 2, LANG_MAX - 1);
	CHECK(lang_parse(json_string_value(lang), json_string_length(lang), again));
	CHECK(!strcmp(again, json_string_value(lang)));
}

static void check_blog_patch(const json_t *out, const struct lb_limits *lim)
{
	static const char *const keys[] = { "title", "lang" };
	const json_t *title = json_object_get(out, "title");

	CHECK(json_is_object(out));
	check_keys(out, keys, 2);
	CHECK(json_object_size(out) >= 1);
	if (title)
		check_str(title, 1, lim->max_title);
	check_lang(out);
}

static void check_blog(const json_t *out, const struct lb_limits *lim)
{
	static const char *const keys[] = { "title", "id", "lang" };
	const json_t *id = json_object_get(out, "id");
	const char *title;
	struct lb_blog b;
	json_t *wire;
	char gen[72];

	CHECK(json_is_object(out));
	check_keys(out, keys, 3);
	check_lang(out);
	check_str(json_object_get(out, "title"), 1, lim->max_title);
	title = json_string_value(json_object_get(out, "title"));
	if (id) {
		check_str(id, 1, 64);
		CHECK(text_slug_valid(json_string_value(id)));
	}

	/* The id the server makes when none is given must be a valid slug. */
	codec_blog_id_from_title(title, gen);
	CHECK(strlen(gen) < sizeof(gen));
	CHECK(text_slug_valid(gen));

	/* And the blog as sent back on the wire is one the client accepts. */
	memset(&b, 0, sizeof(b));
	snprintf(b.id, sizeof(b.id), "%s", id ? json_string_value(id) : gen);
	snprintf(b.title, sizeof(b.title), "%s", title);
	if (json_object_get(out, "lang"))
		snprintf(b.lang, sizeof(b.lang), "%s", json_string_value(json_object_get(out, "lang")));
	b.created_ms = UINT64_C(1764401562123);
	wire = codec_blog_wire(&b);
	CHECK(wire != NULL);
	check_client_accepts(REPLY_BLOG, wire);
	b.ended = true;
	b.ended_ms = UINT64_C(1764402000123);
	json_decref(wire);
	wire = codec_blog_wire(&b);
	CHECK(wire != NULL);
	check_client_accepts(REPLY_BLOG, wire);
	json_decref(wire);
}

/*
 * An accepted "media": at most 4 pictures, each {"id","alt"[,"caption"]
 * [,"credit"]} with a lower-case 64-hex id (each once), an alt of 1..300
 * bytes that is not blank, a caption of at most 1000 and a credit of at
 * most 300 (both left out when empty). empty_ok: a patch may clear it.
 */
static void check_media(const json_t *list, int empty_ok)
{
	static const char *const keys[] = { "id", "alt", "caption", "credit" };
	const json_t *item, *v;
	size_t i;

	CHECK(json_is_array(list));
	CHECK(json_array_size(list) <= 4 && (empty_ok || json_array_size(list) > 0));
	json_array_foreach(list, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		const char *alt = json_string_value(json_object_get(item, "alt"));

		check_keys(item, keys, 4);
		CHECK(id && strlen(id) == 64 && strspn(id, "0123456789abcdef") == 64);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(id, json_string_value(json_object_get(json_array_get(list, k), "id"))));
		check_str(json_object_get(item, "alt"), 1, 300);
		CHECK(alt[strspn(alt, " \t\r\n")]);
		if ((v = json_object_get(item, "caption")))
			check_str(v, 1, 1000);
		if ((v = json_object_get(item, "credit")))
			check_str(v, 1, 300);
	}
}

static void check_entry(const json_t *out, const struct lb_limits *lim)
{
	static const char *const keys[] = { "id", "author", "title", "text",
					    "key", "pinned", "revision",
					    "original_ts", "media" };
	const json_t *ots = json_object_get(out, "original_ts");
	const char *id;
	uint64_t ms;
	char fp[72], fp2[72];
	json_t *other;

	CHECK(json_is_object(out));
	check_keys(out, keys, 9);
	if (json_object_get(out, "media"))
		check_media(json_object_get(out, "media"), 0);
	check_str(json_object_get(out, "id"), 36, 36);
	id = json_string_value(json_object_get(out, "id"));
	CHECK(text_uuid_valid(id));
	for (const char *p = id; *p; p++)
		CHECK(!(*p >= 'A' && *p <= 'F')); /* stored lower-case */
	CHECK(!strcmp(codec_payload_id(out), id));
	check_str(json_object_get(out, "author"), 0, MAX_AUTHOR);
	check_str(json_object_get(out, "title"), 0, lim->max_title);
	check_str(json_object_get(out, "text"), 1, lim->max_text);
	CHECK(json_is_boolean(json_object_get(out, "key")));
	CHECK(json_is_boolean(json_object_get(out, "pinned")));
	CHECK(json_integer_value(json_object_get(out, "revision")) == 1);
	CHECK(codec_payload_revision(out) == 1);
	CHECK(codec_payload_pinned(out) ==
	      json_is_true(json_object_get(out, "pinned")));
	if (ots) {
		check_str(ots, 20, 64);
		CHECK(text_rfc3339_parse(json_string_value(ots), &ms));
	}

	/* Retries: the fingerprint ignores id and revision only. */
	check_fingerprint(out, fp);
	other = json_deep_copy(out);
	json_object_set_new(other, "id",
			    json_string("00000000-0000-4000-8000-000000000000"));
	json_object_set_new(other, "revision", json_integer(7));
	check_fingerprint(other, fp2);
	CHECK(!strcmp(fp, fp2));
	json_decref(other);

	check_stored_views(out, "entry");
}

/* A stored entry the patch of a body that is not a valid create applies to. */
static json_t *base_payload(void)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:i}", "id",
			 "0f8fad5b-d9cb-469f-a165-70867728950e", "author",
			 "Anne", "title", "Ouverture", "text",
			 "Le sommet s\xe2\x80\x99ouvre \xc3\xa0 Gen\xc3\xa8ve.",
			 "key", 1, "pinned", 0, "revision", 1);
}

static void check_patch(const json_t *patch, const json_t *created,
			const struct lb_limits *lim)
{
	static const char *const keys[] = { "title", "text", "key", "pinned",
					    "author", "media" };
	json_t *base = created ? json_incref((json_t *)created) : base_payload();
	json_t *next;
	const char *key;
	json_t *v;
	char fa[72], fb[72];

	CHECK(json_is_object(patch));
	CHECK(json_object_size(patch) > 0);
	check_keys(patch, keys, 6);
	if ((v = json_object_get(patch, "media")))
		check_media(v, 1);
	if ((v = json_object_get(patch, "title")))
		check_str(v, 0, lim->max_title);
	if ((v = json_object_get(patch, "text")))
		check_str(v, 1, lim->max_text);
	if ((v = json_object_get(patch, "author")))
		check_str(v, 0, MAX_AUTHOR);
	if ((v = json_object_get(patch, "key")))
		CHECK(json_is_boolean(v));
	if ((v = json_object_get(patch, "pinned")))
		CHECK(json_is_boolean(v));

	next = codec_entry_apply(base, patch);
	CHECK(next != NULL);
	CHECK(codec_payload_revision(next) == codec_payload_revision(base) + 1);
	CHECK(!strcmp(codec_payload_id(next), codec_payload_id(base)));
	json_object_foreach(next, key, v) {
		json_t *want = json_object_get(patch, key);

		if (!strcmp(key, "revision"))
			continue;
		if (!want)
			want = json_object_get(base, key);
		CHECK(want && json_equal(v, want));
		CHECK(strcmp(key, "media") || json_array_size(v));   /* [] is left out */
	}
	json_object_foreach(base, key, v)
		CHECK(json_object_get(next, key) != NULL);

	check_fingerprint(base, fa);
	check_fingerprint(next, fb);
	CHECK((strcmp(fa, fb) == 0) == (same_content(base, next) != 0));

	check_stored_views(next, "edit");
	json_decref(next);
	json_decref(base);
}

static json_t *run(request_fn fn, const char *body, size_t len,
		   const struct lb_limits *lim, enum lb_status *st)
{
	json_t *out = UNTOUCHED;
	char msg[MSGLEN];

	msg[0] = '\0';
	*st = fn(body, len, lim, &out, msg, sizeof(msg));
	if (*st != LB_OK) {
		check_rejected(*st, out, msg);
		return NULL;
	}
	CHECK(out != UNTOUCHED && out != NULL);
	return out;
}

static void one_pass(const char *body, size_t len, const struct lb_limits *lim)
{
	enum lb_status st;
	json_t *blog, *entry, *patch;

	if ((blog = run(codec_blog_create, body, len, lim, &st))) {
		check_blog(blog, lim);
		json_decref(blog);
	}
	if ((blog = run(codec_blog_patch, body, len, lim, &st))) {
		check_blog_patch(blog, lim);
		json_decref(blog);
	}
	if ((entry = run(codec_entry_create, body, len, lim, &st)))
		check_entry(entry, lim);
	if ((patch = run(codec_entry_patch, body, len, lim, &st))) {
		check_patch(patch, entry, lim);
		json_decref(patch);
	}
	/* Any body valid as a whole entry is a valid patch of one. */
	CHECK(!entry || patch);
	json_decref(entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data; /* exactly size bytes, no NUL */

	one_pass(body, size, &LIMITS);
	one_pass(body, size, &SMALL);
	return 0;
}
