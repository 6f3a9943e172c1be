/*
 * codec.c — JSON in and out (see codec.h for the stored shapes).
 */
#include "common/codec.h"
#include "common/hash.h"
#include "common/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#define MAX_AUTHOR 200

static enum lb_status fail(char *msg, size_t msglen, enum lb_status st,
			   const char *fmt, const char *field)
{
	snprintf(msg, msglen, fmt, field);
	return st;
}

/* Parses a body that must be one JSON object. */
static json_t *load_object(const char *body, size_t len, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *v;
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
			   body[i] == '\n'))
		i++;
	if (i == len) {
		snprintf(msg, msglen, "The body is empty.");
		return NULL;
	}
	if (!text_utf8_valid(body, len)) {
		snprintf(msg, msglen, "The body is not valid UTF-8.");
		return NULL;
	}
	v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		/* jansson quotes the input near the error, maybe cut mid-character */
		snprintf(msg, msglen, "The body is not valid JSON: %s.", jerr.text);
		text_utf8_sanitize(msg);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(msg, msglen, "The body must be a JSON object.");
		return NULL;
	}
	return v;
}

/*
 * Checks optional string field `name` of `in`: absent is fine (*out NULL);
 * present must be a string of at most max bytes.
 */
static enum lb_status opt_string(json_t *in, const char *name, size_t max,
				 json_t **out, char *msg, size_t msglen)
{
	json_t *v = json_object_get(in, name);

	*out = NULL;
	if (!v || json_is_null(v))
		return LB_OK;
	if (!json_is_string(v))
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" must be a string.", name);
	if (json_string_length(v) > max)
		return fail(msg, msglen, LB_TOO_LARGE, "\"%s\" is longer than the limit.", name);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" contains a NUL character.", name);
	*out = v;
	return LB_OK;
}

static enum lb_status opt_bool(json_t *in, const char *name, json_t **out,
			       char *msg, size_t msglen)
{
	json_t *v = json_object_get(in, name);

	*out = NULL;
	if (!v)
		return LB_OK;
	if (!json_is_boolean(v))
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" must be true or false.", name);
	*out = v;
	return LB_OK;
}

enum lb_status codec_blog_create(const char *body, size_t len,
				 const struct lb_limits *lim, json_t **out,
				 char *msg, size_t msglen)
{
	json_t *in = load_object(body, len, msg, msglen), *id, *title, *res;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = opt_string(in, "id", 1024, &id, msg, msglen)) ||
	    (st = opt_string(in, "title", lim->max_title, &title, msg, msglen)))
		goto out_free_in;
	st = LB_BAD_REQUEST;
	if (!title || !json_string_length(title)) {
		snprintf(msg, msglen, "\"title\" is required.");
		goto out_free_in;
	}
	if (id && !text_slug_valid(json_string_value(id))) {
		snprintf(msg, msglen, "\"id\" must match [a-z0-9][a-z0-9-]{0,63}.");
		goto out_free_in;
	}
	res = json_pack("{s:O}", "title", title);
	if (id)
		json_object_set(res, "id", id);
	*out = res;
	st = LB_OK;
out_free_in:
	json_decref(in);
	return st;
}

static void new_uuid(char out[40])
{
	uuid_t u;

	uuid_generate(u);
	uuid_unparse_lower(u, out);
}

/* Validates the fields an entry body may carry; fills the found values. */
static enum lb_status entry_fields(json_t *in, const struct lb_limits *lim,
				   json_t *f[5], char *msg, size_t msglen)
{
	enum lb_status st;

	if ((st = opt_string(in, "title", lim->max_title, &f[0], msg, msglen)) ||
	    (st = opt_string(in, "text", lim->max_text, &f[1], msg, msglen)) ||
	    (st = opt_bool(in, "key", &f[2], msg, msglen)) ||
	    (st = opt_bool(in, "pinned", &f[3], msg, msglen)) ||
	    (st = opt_string(in, "author", MAX_AUTHOR, &f[4], msg, msglen)))
		return st;
	if (f[1] && !json_string_length(f[1]))
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" must not be empty.", "text");
	return LB_OK;
}

static json_t *str_or_empty(json_t *v)
{
	return v ? json_incref(v) : json_string("");
}

enum lb_status codec_entry_create(const char *body, size_t len,
				  const struct lb_limits *lim, json_t **out,
				  char *msg, size_t msglen)
{
	json_t *in = load_object(body, len, msg, msglen), *f[5], *id, *ots;
	char idbuf[40];
	uint64_t ms;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = entry_fields(in, lim, f, msg, msglen)) ||
	    (st = opt_string(in, "id", 1024, &id, msg, msglen)) ||
	    (st = opt_string(in, "original_ts", 64, &ots, msg, msglen)))
		goto out_free_in;
	st = LB_BAD_REQUEST;
	if (!f[1]) {
		snprintf(msg, msglen, "\"text\" is required.");
		goto out_free_in;
	}
	if (id && !text_uuid_valid(json_string_value(id))) {
		snprintf(msg, msglen, "\"id\" must be a UUID.");
		goto out_free_in;
	}
	if (ots && !text_rfc3339_parse(json_string_value(ots), &ms)) {
		snprintf(msg, msglen, "\"original_ts\" must be an RFC 3339 time.");
		goto out_free_in;
	}
	if (id) {
		snprintf(idbuf, sizeof(idbuf), "%s", json_string_value(id));
		for (char *p = idbuf; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	} else {
		new_uuid(idbuf);
	}
	*out = json_pack("{s:s,s:o,s:o,s:O,s:b,s:b,s:i}", "id", idbuf,
			 "author", str_or_empty(f[4]), "title", str_or_empty(f[0]),
			 "text", f[1], "key", f[2] && json_is_true(f[2]),
			 "pinned", f[3] && json_is_true(f[3]), "revision", 1);
	if (ots)
		json_object_set(*out, "original_ts", ots);
	st = LB_OK;
out_free_in:
	json_decref(in);
	return st;
}

enum lb_status codec_entry_patch(const char *body, size_t len,
				 const struct lb_limits *lim, json_t **out,
				 char *msg, size_t msglen)
{
	static const char *names[5] = { "title", "text", "key", "pinned", "author" };
	json_t *in = load_object(body, len, msg, msglen), *f[5], *patch;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = entry_fields(in, lim, f, msg, msglen)))
		goto out_free_in;
	patch = json_object();
	for (int i = 0; i < 5; i++)
		if (f[i])
			json_object_set(patch, names[i], f[i]);
	if (!json_object_size(patch)) {
		json_decref(patch);
		st = LB_BAD_REQUEST;
		snprintf(msg, msglen, "Nothing to change: give title, text, key or pinned.");
		goto out_free_in;
	}
	*out = patch;
out_free_in:
	json_decref(in);
	return st;
}

/*
 * ASCII for a Latin-1 letter U+00C0..U+00FF ('-' for × and ÷), so that
 * "Élection présidentielle" becomes "election-presidentielle".
 */
static const char latin1[] = "AAAAAAACEEEEIIIIDNOOOOO-OUUUUYTsaaaaaaaceeeeiiiidnooooo-ouuuuyty";

/* Appends the slug form of one character of title; returns bytes read. */
static size_t slug_char(const unsigned char *p, char *out, size_t *n, bool *dash)
{
	char c = (char)p[0];
	size_t used = 1;

	if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
		c = latin1[p[1] - 0x80];
		used = 2;
	} else if (p[0] >= 0x80) {
		c = '-';
		while ((p[used] & 0xc0) == 0x80)
			used++;
	}
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + 32);
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
		out[(*n)++] = c;
		*dash = false;
	} else if (!*dash) {
		out[(*n)++] = '-';
		*dash = true;
	}
	return used;
}

void codec_blog_id_from_title(const char *title, char out[72])
{
	const unsigned char *p = (const unsigned char *)title;
	char suffix[9];
	size_t n = 0;
	bool dash = true;

	while (*p && n < 40)
		p += slug_char(p, out, &n, &dash);
	while (n && out[n - 1] == '-')
		n--;
	if (!n) {
		memcpy(out, "blog", 4);
		n = 4;
	}
	if (hash_random_hex(suffix, 3))
		snprintf(suffix, sizeof(suffix), "%06x", (unsigned)rand() & 0xffffff);
	snprintf(out + n, 72 - n, "-%s", suffix);
}

json_t *codec_entry_apply(const json_t *current, const json_t *patch)
{
	json_t *next = json_deep_copy(current);

	json_object_update(next, (json_t *)patch);
	json_object_set_new(next, "revision",
			    json_integer(codec_payload_revision(current) + 1));
	return next;
}

void codec_fingerprint(const json_t *payload, char out[72])
{
	json_t *content = json_deep_copy(payload);
	char *s;

	json_object_del(content, "id");
	json_object_del(content, "revision");
	s = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
	hash_sha256_hex(s ? s : "", s ? strlen(s) : 0, out);
	free(s);
	json_decref(content);
}

const char *codec_payload_id(const json_t *payload)
{
	const char *s = json_string_value(json_object_get(payload, "id"));

	return s ? s : "";
}

bool codec_payload_pinned(const json_t *payload)
{
	return json_is_true(json_object_get(payload, "pinned"));
}

int codec_payload_revision(const json_t *payload)
{
	json_int_t r = json_integer_value(json_object_get(payload, "revision"));

	return r > 0 && r < 1000000 ? (int)r : 1;
}

static json_t *time_of_seq(const char *seq)
{
	struct lb_seq s;
	char ts[32];

	if (!text_seq_parse(seq, &s))
		return json_null();
	text_rfc3339(s.ms, ts);
	return json_string(ts);
}

json_t *codec_blog_wire(const struct lb_blog *b)
{
	char created[32], ended[32];

	text_rfc3339(b->created_ms, created);
	text_rfc3339(b->ended_ms, ended);
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:I}", "id", b->id,
			 "title", b->title, "state", b->ended ? "ended" : "live",
			 "created_at", created,
			 "ended_at", b->ended ? json_string(ended) : json_null(),
			 "entry_count", (json_int_t)b->entry_count);
}

/* SPEC "Redaction": what is left of a redacted entry, in SPEC's order. */
static json_t *redacted_wire(const json_t *payload, const char *created_seq, int rev)
{
	json_t *e = json_object();

	json_object_set(e, "id", json_object_get(payload, "id"));
	json_object_set_new(e, "seq", json_string(created_seq));
	json_object_set_new(e, "ts", time_of_seq(created_seq));
	json_object_set_new(e, "redacted", json_true());
	json_object_set_new(e, "author", json_string(""));
	json_object_set_new(e, "title", json_string(""));
	json_object_set_new(e, "text", json_string(""));
	json_object_set_new(e, "key", json_false());
	json_object_set_new(e, "pinned", json_false());
	json_object_set_new(e, "revision", json_integer(rev));
	if (codec_payload_deleted(payload))
		json_object_set_new(e, "deleted", json_true());
	return e;
}

/*
 * Builds the wire entry in SPEC order from a stored payload, the seq of the
 * event that created it and the seq of the latest event that changed it.
 */
json_t *codec_entry_wire(const json_t *payload, const char *created_seq,
			 const char *event_seq)
{
	static const char *tail[] = { "author", "title", "text", "key", "pinned" };
	json_t *e = json_object(), *v;
	int rev = codec_payload_revision(payload);
	bool edited = rev > 1 || json_is_true(json_object_get(payload, "deleted"));
	struct lb_seq s;

	if (!json_is_object(payload) || !json_is_string(json_object_get(payload, "id")) ||
	    !text_seq_parse(created_seq, &s) || (edited && !text_seq_parse(event_seq, &s)))
		goto out_bad;
	if (codec_payload_redacted(payload)) {
		json_decref(e);
		return redacted_wire(payload, created_seq, rev);
	}
	json_object_set(e, "id", json_object_get(payload, "id"));
	json_object_set_new(e, "seq", json_string(created_seq));
	json_object_set_new(e, "ts", time_of_seq(created_seq));
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++) {
		v = json_object_get(payload, tail[i]);
		json_object_set_new(e, tail[i], v ? json_incref(v) :
				    i < 3 ? json_string("") : json_false());
	}
	json_object_set_new(e, "revision", json_integer(rev));
	if (edited)
		json_object_set_new(e, "edited_ts", time_of_seq(event_seq));
	if (json_is_true(json_object_get(payload, "deleted")))
		json_object_set_new(e, "deleted", json_true());
	if ((v = json_object_get(payload, "original_ts")))
		json_object_set(e, "original_ts", v);
	return e;
out_bad:
	json_decref(e);
	return NULL;
}

json_t *codec_event(const char *seq, const char *type, const char *data,
		    size_t len)
{
	json_t *ev = NULL, *payload, *entry;
	const char *created;

	if (!strcmp(type, "delete"))
		return json_pack("{s:s,s:s,s:s%}", "type", "delete", "seq", seq,
				 "entry_id", data, len);
	if (!strcmp(type, "ended"))
		return json_pack("{s:s,s:s,s:o}", "type", "ended", "seq", seq,
				 "ended_at", time_of_seq(seq));
	if (strcmp(type, "entry") && strcmp(type, "edit"))
		return NULL;
	payload = json_loadb(data, len, 0, NULL);
	created = json_string_value(json_object_get(payload, "seq"));
	entry = codec_entry_wire(payload, created ? created : seq, seq);
	if (entry)
		ev = json_pack("{s:s,s:s,s:o}", "type", type, "seq", seq, "entry", entry);
	json_decref(payload);
	return ev;
}

json_t *codec_entry_stored(const char *value, size_t len)
{
	char cseq[48], eseq[48];
	const char *sp1 = memchr(value, ' ', len), *sp2;
	json_t *payload, *e;

	if (!sp1 || sp1 - value >= 48)
		return NULL;
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - value));
	if (!sp2 || sp2 - sp1 - 1 >= 48)
		return NULL;
	memcpy(cseq, value, (size_t)(sp1 - value));
	cseq[sp1 - value] = '\0';
	memcpy(eseq, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	eseq[sp2 - sp1 - 1] = '\0';
	payload = json_loadb(sp2 + 1, len - (size_t)(sp2 + 1 - value), 0, NULL);
	e = codec_entry_wire(payload, cseq, eseq);
	json_decref(payload);
	return e;
}

char *codec_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

char *codec_error_body(enum lb_status st, const char *msg)
{
	char buf[512];
	json_t *o;
	char *s;

	snprintf(buf, sizeof(buf), "%s", msg && *msg ? msg : status_message(st));
	text_utf8_sanitize(buf);
	o = json_pack("{s:s,s:s}", "error", status_code(st), "message", buf);
	s = codec_dump(o);
	json_decref(o);
	return s;
}

/* ---- messages and results built elsewhere from wire objects ---- */

json_t *codec_patch_pin(const json_t *patch)
{
	return json_object_get(patch, "pinned");
}

bool codec_payload_deleted(const json_t *payload)
{
	return json_is_true(json_object_get(payload, "deleted"));
}

void codec_payload_set_seq(json_t *payload, const char *seq)
{
	json_object_set_new(payload, "seq", json_string(seq));
}

void codec_payload_set_pinned(json_t *payload, bool pinned)
{
	json_object_set_new(payload, "pinned", json_boolean(pinned));
}

const char *codec_entry_seq(const json_t *entry)
{
	const char *s = json_string_value(json_object_get(entry, "seq"));

	return s ? s : "0-0";
}

json_t *codec_blog_list(json_t *blogs)
{
	return json_pack("{s:o}", "blogs", blogs);
}

json_t *codec_events_page(json_t *events, const char *next)
{
	return json_pack("{s:o,s:s}", "events", events, "next", next);
}

json_t *codec_deleted(const char *entry)
{
	return json_pack("{s:s,s:b}", "id", entry, "deleted", 1);
}

const char *codec_blog_id(const json_t *blog)
{
	const char *s = json_string_value(json_object_get(blog, "id"));

	return s ? s : "";
}

void codec_blog_set_token(json_t *blog, const char *token)
{
	json_object_set_new(blog, "editor_token", json_string(token));
}

const char *codec_request_id(const json_t *in)
{
	return json_string_value(json_object_get(in, "id"));
}

const char *codec_request_title(const json_t *in)
{
	return json_string_value(json_object_get(in, "title"));
}

json_t *codec_hello(const struct lb_blog *b)
{
	return json_pack("{s:s,s:o}", "type", "hello", "blog", codec_blog_wire(b));
}

json_t *codec_reset(void)
{
	return json_pack("{s:s}", "type", "reset");
}

json_t *codec_live(const char *seq)
{
	return json_pack("{s:s,s:s}", "type", "live", "seq", seq);
}

json_t *codec_stats(long long readers)
{
	return json_pack("{s:s,s:I}", "type", "stats", "readers", (json_int_t)readers);
}

json_t *codec_health(bool ok, bool redis_up, bool tail_up, bool delivery_ok,
		     const char *message)
{
	json_t *v = json_pack("{s:s,s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable",
			      "redis", redis_up ? "up" : "down",
			      "tail", tail_up ? "up" : "down",
			      "delivery", delivery_ok ? "ok" : "stalled");

	if (!ok && v) {
		json_object_set_new(v, "error", json_string(status_code(LB_UNAVAILABLE)));
		json_object_set_new(v, "message", json_string(message));
	}
	return v;
}

void codec_health_redis(json_t *health, const char *master, unsigned long failovers)
{
	json_object_set_new(health, "master", master[0] ? json_string(master) : json_null());
	json_object_set_new(health, "failovers", json_integer((json_int_t)failovers));
}

bool codec_payload_redacted(const json_t *payload)
{
	return json_is_true(json_object_get(payload, "redacted"));
}

json_t *codec_event_redacted(const json_t *event)
{
	const json_t *entry = json_object_get(event, "entry");
	const char *seq = json_string_value(json_object_get(entry, "seq"));
	json_t *payload, *ev;

	if (!json_is_object(entry) || !seq)
		return NULL;
	payload = json_pack("{s:O,s:b,s:O}", "id", json_object_get(entry, "id"),
			    "redacted", 1, "revision", json_object_get(entry, "revision"));
	ev = json_pack("{s:O,s:O,s:o*}", "type", json_object_get(event, "type"),
		       "seq", json_object_get(event, "seq"),
		       "entry", payload ? redacted_wire(payload, seq,
						codec_payload_revision(payload)) : NULL);
	json_decref(payload);
	return ev;
}

const char *codec_event_entry_id(const json_t *event)
{
	const char *s = json_string_value(json_object_get(json_object_get(event, "entry"), "id"));

	return s ? s : "";
}

json_t *codec_redact_msg(const char *entry)
{
	return json_pack("{s:s,s:s}", "type", "redact", "entry_id", entry);
}

json_t *codec_redacted(const char *entry, uint64_t at_ms)
{
	char at[32];

	text_rfc3339(at_ms, at);
	return json_pack("{s:s,s:s}", "entry_id", entry, "redacted_at", at);
}

#define MAX_REASON 1000

enum lb_status codec_redact_request(const char *body, size_t len, json_t **out,
				    const char **reason, char *msg, size_t msglen)
{
	json_t *in = load_object(body, len, msg, msglen), *r;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	st = opt_string(in, "reason", MAX_REASON, &r, msg, msglen);
	if (st) {
		json_decref(in);
		return st;
	}
	*reason = r ? json_string_value(r) : "";
	*out = in;
	return LB_OK;
}
