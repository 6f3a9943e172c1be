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
#define MAX_ALT 300
#define MAX_CAPTION 1000
#define MAX_CREDIT 300

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

static char default_lang[LANG_MAX] = "en";

void codec_set_default_lang(const char *lang)
{
	snprintf(default_lang, sizeof(default_lang), "%s", lang);
}

const char *codec_blog_lang(const struct lb_blog *b)
{
	return b->lang[0] ? b->lang : default_lang;
}

/*
 * Checks optional field "lang" of in: absent is fine (*given false);
 * present must be a BCP 47 tag, written canonical to out.
 */
static enum lb_status opt_lang(json_t *in, char out[LANG_MAX], bool *given,
			       char *msg, size_t msglen)
{
	json_t *v;
	enum lb_status st = opt_string(in, "lang", 1024, &v, msg, msglen);

	*given = v != NULL;
	if (st || !v)
		return st;
	if (!lang_parse(json_string_value(v), json_string_length(v), out))
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" must be a BCP 47 "
			    "language tag such as fr or en-GB.", "lang");
	return LB_OK;
}

enum lb_status codec_blog_create(const char *body, size_t len,
				 const struct lb_limits *lim, json_t **out,
				 char *msg, size_t msglen)
{
	json_t *in = load_object(body, len, msg, msglen), *id, *title, *res;
	char lang[LANG_MAX];
	bool has_lang;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = opt_string(in, "id", 1024, &id, msg, msglen)) ||
	    (st = opt_string(in, "title", lim->max_title, &title, msg, msglen)) ||
	    (st = opt_lang(in, lang, &has_lang, msg, msglen)))
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
	if (has_lang)
		json_object_set_new(res, "lang", json_string(lang));
	*out = res;
	st = LB_OK;
out_free_in:
	json_decref(in);
	return st;
}

enum lb_status codec_blog_patch(const char *body, size_t len,
				const struct lb_limits *lim, json_t **out,
				char *msg, size_t msglen)
{
	json_t *in = load_object(body, len, msg, msglen), *title, *res;
	char lang[LANG_MAX];
	bool has_lang;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = opt_string(in, "title", lim->max_title, &title, msg, msglen)) ||
	    (st = opt_lang(in, lang, &has_lang, msg, msglen)))
		goto out_free_in;
	st = LB_BAD_REQUEST;
	if (title && !json_string_length(title)) {
		snprintf(msg, msglen, "\"title\" must not be empty.");
		goto out_free_in;
	}
	if (!title && !has_lang) {
		snprintf(msg, msglen, "Nothing to change: give title or lang.");
		goto out_free_in;
	}
	res = json_object();
	if (title)
		json_object_set(res, "title", title);
	if (has_lang)
		json_object_set_new(res, "lang", json_string(lang));
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

/* True when s is 64 hex digits (either case). */
static bool media_id_valid(const char *s)
{
	size_t n = s ? strspn(s, "0123456789abcdefABCDEF") : 0;

	return n == CODEC_MEDIA_ID - 1 && !s[n];
}

/*
 * Member `name` of picture i: absent is fine unless required; present must
 * be a string without NUL of at most max bytes (and not blank if required).
 */
static enum lb_status item_string(json_t *item, size_t i, const char *name,
				  size_t max, bool required, json_t **out,
				  char *msg, size_t msglen)
{
	json_t *v = json_object_get(item, name);
	const char *s = json_string_value(v);

	*out = NULL;
	if ((!v || json_is_null(v)) && !required)
		return LB_OK;
	if (!s) {
		snprintf(msg, msglen, required ? "\"media\"[%zu].%s is required: a string." :
			 "\"media\"[%zu].%s must be a string.", i, name);
		return LB_BAD_REQUEST;
	}
	if (json_string_length(v) > max) {
		snprintf(msg, msglen, "\"media\"[%zu].%s is longer than %zu bytes.", i, name, max);
		return LB_TOO_LARGE;
	}
	if (strlen(s) != json_string_length(v)) {
		snprintf(msg, msglen, "\"media\"[%zu].%s contains a NUL character.", i, name);
		return LB_BAD_REQUEST;
	}
	if (required && !s[strspn(s, " \t\r\n")]) {
		snprintf(msg, msglen, "\"media\"[%zu].%s must not be empty: describe the picture.",
			 i, name);
		return LB_BAD_REQUEST;
	}
	*out = v;
	return LB_OK;
}

/* The lower-case id of picture i into id, or an error. */
static enum lb_status item_id(json_t *item, size_t i, char id[CODEC_MEDIA_ID],
			      char *msg, size_t msglen)
{
	const char *s = json_string_value(json_object_get(item, "id"));

	if (!media_id_valid(s)) {
		snprintf(msg, msglen, "\"media\"[%zu].id must be a picture id "
			 "(the 64 hex digits the upload answered).", i);
		return LB_BAD_REQUEST;
	}
	for (size_t k = 0; k < CODEC_MEDIA_ID; k++)
		id[k] = (char)(s[k] >= 'A' && s[k] <= 'F' ? s[k] + 32 : s[k]);
	return LB_OK;
}

/*
 * Picture i of "media" checked into a new {"id","alt"[,"caption"][,"credit"]}
 * (other members, such as a wire entry's type or url, are left out: the
 * server fills them in).
 */
static enum lb_status media_item(json_t *item, size_t i, json_t **out,
				 char *msg, size_t msglen)
{
	json_t *alt, *caption, *credit;
	char id[CODEC_MEDIA_ID];
	enum lb_status st;

	if (!json_is_object(item)) {
		snprintf(msg, msglen, "\"media\"[%zu] must be an object {\"id\",\"alt\"}.", i);
		return LB_BAD_REQUEST;
	}
	if ((st = item_id(item, i, id, msg, msglen)) ||
	    (st = item_string(item, i, "alt", MAX_ALT, true, &alt, msg, msglen)) ||
	    (st = item_string(item, i, "caption", MAX_CAPTION, false, &caption, msg, msglen)) ||
	    (st = item_string(item, i, "credit", MAX_CREDIT, false, &credit, msg, msglen)))
		return st;
	*out = json_pack("{s:s,s:O}", "id", id, "alt", alt);
	if (caption && json_string_length(caption))
		json_object_set(*out, "caption", caption);
	if (credit && json_string_length(credit))
		json_object_set(*out, "credit", credit);
	return LB_OK;
}

/*
 * The optional "media" of an entry body: *out NULL when absent, else a new
 * array of checked pictures (maybe empty), at most CODEC_MEDIA_MAX, each
 * once.
 */
static enum lb_status media_field(json_t *in, json_t **out, char *msg, size_t msglen)
{
	json_t *v = json_object_get(in, "media"), *list, *item;
	enum lb_status st = LB_OK;
	size_t i;

	*out = NULL;
	if (!v || json_is_null(v))
		return LB_OK;
	if (!json_is_array(v))
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" must be a list of pictures.", "media");
	if (json_array_size(v) > CODEC_MEDIA_MAX)
		return fail(msg, msglen, LB_BAD_REQUEST, "\"%s\" holds at most 4 pictures.", "media");
	list = json_array();
	json_array_foreach(v, i, item) {
		json_t *one = NULL;

		if ((st = media_item(item, i, &one, msg, msglen)))
			break;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(codec_payload_id(one), codec_payload_id(json_array_get(list, k)))) {
				snprintf(msg, msglen, "\"media\"[%zu] repeats a picture.", i);
				st = LB_BAD_REQUEST;
			}
		json_array_append_new(list, one);
		if (st)
			break;
	}
	if (st)
		json_decref(list);
	else
		*out = list;
	return st;
}

static json_t *str_or_empty(json_t *v)
{
	return v ? json_incref(v) : json_string("");
}

enum lb_status codec_entry_create(const char *body, size_t len,
				  const struct lb_limits *lim, json_t **out,
				  char *msg, size_t msglen)
{
	json_t *in = load_object(body, len, msg, msglen), *f[5], *id, *ots, *media = NULL;
	char idbuf[40];
	uint64_t ms;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = entry_fields(in, lim, f, msg, msglen)) ||
	    (st = opt_string(in, "id", 1024, &id, msg, msglen)) ||
	    (st = opt_string(in, "original_ts", 64, &ots, msg, msglen)) ||
	    (st = media_field(in, &media, msg, msglen)))
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
	if (json_array_size(media))
		json_object_set(*out, "media", media);
	st = LB_OK;
out_free_in:
	json_decref(media);
	json_decref(in);
	return st;
}

enum lb_status codec_entry_patch(const char *body, size_t len,
				 const struct lb_limits *lim, json_t **out,
				 char *msg, size_t msglen)
{
	static const char *names[5] = { "title", "text", "key", "pinned", "author" };
	json_t *in = load_object(body, len, msg, msglen), *f[5], *patch, *media = NULL;
	enum lb_status st;

	if (!in)
		return LB_BAD_REQUEST;
	if ((st = entry_fields(in, lim, f, msg, msglen)) ||
	    (st = media_field(in, &media, msg, msglen)))
		goto out_free_in;
	patch = json_object();
	for (int i = 0; i < 5; i++)
		if (f[i])
			json_object_set(patch, names[i], f[i]);
	if (media)   /* the new list, also [] to remove every picture */
		json_object_set_new(patch, "media", media);
	if (!json_object_size(patch)) {
		json_decref(patch);
		st = LB_BAD_REQUEST;
		snprintf(msg, msglen, "Nothing to change: give title, text, key, pinned or media.");
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
	if (!json_array_size(json_object_get(next, "media")))
		json_object_del(next, "media");   /* stored only when there are pictures */
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
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I}", "id", b->id,
			 "title", b->title, "lang", codec_blog_lang(b),
			 "state", b->ended ? "ended" : "live",
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
	if (json_array_size(v = json_object_get(payload, "media")))
		json_object_set(e, "media", v);
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

static const char *field_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

void codec_entry_view(const json_t *entry, struct codec_entry_view *out)
{
	const json_t *media = json_object_get(entry, "media");

	out->id = field_str(entry, "id");
	out->seq = field_str(entry, "seq");
	out->ts = field_str(entry, "ts");
	out->edited_ts = field_str(entry, "edited_ts");
	out->author = field_str(entry, "author");
	out->title = field_str(entry, "title");
	out->text = field_str(entry, "text");
	out->revision = (long long)json_integer_value(json_object_get(entry, "revision"));
	out->key = json_is_true(json_object_get(entry, "key"));
	out->pinned = json_is_true(json_object_get(entry, "pinned"));
	out->redacted = json_is_true(json_object_get(entry, "redacted"));
	out->media = json_is_array(media) && json_array_size(media) ? media : NULL;
}

/* A picture's size attribute: its positive integer, else 0. */
static long long positive(const json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));

	return v > 0 ? (long long)v : 0;
}

void codec_media_view(const json_t *item, struct codec_media_view *out)
{
	out->id = field_str(item, "id");
	out->type = field_str(item, "type");
	out->url = field_str(item, "url");
	out->alt = field_str(item, "alt");
	out->caption = field_str(item, "caption");
	out->credit = field_str(item, "credit");
	out->width = positive(item, "width");
	out->height = positive(item, "height");
}

json_t *codec_media_gc_result(json_t *gone)
{
	return json_pack("{s:O}", "deleted", gone);
}

size_t codec_media_gc_count(const json_t *result)
{
	return json_array_size(json_object_get(result, "deleted"));
}

json_t *codec_entry_of_text(const char *text)
{
	return json_pack("{s:s}", "text", text);
}

json_t *codec_blog_list(json_t *blogs)
{
	return json_pack("{s:o}", "blogs", blogs);
}

json_t *codec_events_page(json_t *events, const char *next)
{
	return json_pack("{s:o,s:s}", "events", events, "next", next);
}

json_t *codec_entries_page(json_t *entries, const char *next)
{
	return json_pack("{s:o,s:o}", "entries", entries,
			 "next", next ? json_string(next) : json_null());
}

bool codec_payload_key(const json_t *payload)
{
	return json_is_true(json_object_get(payload, "key"));
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

const char *codec_request_lang(const json_t *in)
{
	return json_string_value(json_object_get(in, "lang"));
}

bool codec_blog_meta_apply(struct lb_blog *b, const char *data, size_t len)
{
	json_t *v = json_loadb(data, len, 0, NULL);
	const char *title = json_string_value(json_object_get(v, "title"));
	const char *lang = json_string_value(json_object_get(v, "lang"));
	char canon[LANG_MAX] = "";
	bool ok = title && lang && (!*lang || lang_parse(lang, strlen(lang), canon));

	if (ok) {
		snprintf(b->title, sizeof(b->title), "%s", title);
		snprintf(b->lang, sizeof(b->lang), "%s", canon);
	}
	json_decref(v);
	return ok;
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

/* ---- pictures ---- */

json_t *codec_media_wire(const struct lb_media *m)
{
	char url[80];

	snprintf(url, sizeof(url), "/media/%s", m->id);
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "id", m->id, "type", m->type,
			 "width", (json_int_t)m->width, "height", (json_int_t)m->height,
			 "bytes", (json_int_t)m->bytes, "url", url);
}

char *codec_media_meta(const struct lb_media *m)
{
	json_t *v = json_pack("{s:s,s:I,s:I,s:I}", "type", m->type,
			      "width", (json_int_t)m->width,
			      "height", (json_int_t)m->height,
			      "bytes", (json_int_t)m->bytes);
	char *s = codec_dump(v);

	json_decref(v);
	return s;
}

/* A positive integer member of v no greater than max, else 0. */
static json_int_t bounded(const json_t *v, const char *name, json_int_t max)
{
	json_int_t n = json_integer_value(json_object_get(v, name));

	return n > 0 && n <= max ? n : 0;
}

bool codec_media_meta_parse(const char *id, const char *s, size_t len,
			    struct lb_media *out)
{
	json_t *v = s ? json_loadb(s, len, 0, NULL) : NULL;
	const char *type = json_string_value(json_object_get(v, "type"));
	bool ok = media_id_valid(id) && type && strlen(type) < sizeof(out->type) &&
		  bounded(v, "width", 1 << 30) && bounded(v, "height", 1 << 30) &&
		  bounded(v, "bytes", (json_int_t)1 << 40);

	if (ok) {
		memset(out, 0, sizeof(*out));
		snprintf(out->id, sizeof(out->id), "%s", id);
		snprintf(out->type, sizeof(out->type), "%s", type);
		out->width = (uint32_t)bounded(v, "width", 1 << 30);
		out->height = (uint32_t)bounded(v, "height", 1 << 30);
		out->bytes = (size_t)bounded(v, "bytes", (json_int_t)1 << 40);
	}
	json_decref(v);
	return ok;
}

size_t codec_payload_media_ids(const json_t *payload,
			       const char *ids[CODEC_MEDIA_MAX])
{
	const json_t *list = json_object_get(payload, "media"), *item;
	size_t i, n = 0;

	json_array_foreach(list, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));

		if (n < CODEC_MEDIA_MAX && id)
			ids[n++] = id;
	}
	return n;
}

void codec_payload_media_resolve(json_t *payload, size_t i, const struct lb_media *m)
{
	json_t *list = json_object_get(payload, "media");
	json_t *old = json_array_get(list, i), *item, *v;
	char url[80];

	if (!old)
		return;
	snprintf(url, sizeof(url), "/media/%s", m->id);
	item = json_pack("{s:s,s:s,s:I,s:I,s:s,s:O}", "id", m->id, "type", m->type,
			 "width", (json_int_t)m->width, "height", (json_int_t)m->height,
			 "url", url, "alt", json_object_get(old, "alt"));
	if ((v = json_object_get(old, "caption")))
		json_object_set(item, "caption", v);
	if ((v = json_object_get(old, "credit")))
		json_object_set(item, "credit", v);
	json_array_set_new(list, i, item);
}

bool codec_patch_has_media(const json_t *patch)
{
	return json_object_get(patch, "media") != NULL;
}
