/*
 * codec.h — the only module that knows the JSON field names of the wire
 * format (SPEC.md "Wire format") and of the payloads stored in Redis.
 *
 * Stored entry payload (Redis stream field "d" and entries hash):
 *   {"id","author","title","text","key","pinned","revision"[,"deleted"]
 *    [,"original_ts"][,"media"]} — seq, ts and edited_ts are not stored:
 *   they are the stream ids of the creating and of the latest event.
 *   "media" (absent when empty) is the wire list of pictures, resolved when
 *   the entry is written: [{"id","type","width","height","url","alt"
 *   [,"caption"][,"credit"]}].
 *
 * A blog's picture (Redis hash lb:blog:<id>:media, sha256 → meta):
 *   {"type","width","height","bytes"}.
 */
#ifndef LB_CODEC_H
#define LB_CODEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/lang.h"
#include "status.h"

struct lb_limits {
	size_t max_text;
	size_t max_title;
};

/* A blog as stored in its Redis hash. */
struct lb_blog {
	char id[72];
	char title[1024];
	bool ended;
	uint64_t created_ms;
	uint64_t ended_ms;
	long entry_count;
	char token_hash[72];
	char last_seq[48];
	char pinned[40];
	char lang[LANG_MAX];     /* "" : codec_default_lang (blogs older than lang) */
	long redactions;         /* entries redacted so far (pages' ETags change) */
};

/* A picture: its id is the hex SHA-256 of its bytes. */
#define CODEC_MEDIA_MAX 4          /* pictures per entry */
#define CODEC_MEDIA_ID 65          /* 64 hex digits and the NUL */
struct lb_media {
	char id[CODEC_MEDIA_ID];
	char type[16];             /* image/jpeg, image/png, image/webp, image/gif */
	uint32_t width, height;
	size_t bytes;
};

/* The language of blogs created without one (--default-lang); set once at start. */
void codec_set_default_lang(const char *lang);
const char *codec_blog_lang(const struct lb_blog *b);

/*
 * Request bodies. Each returns LB_OK and a new object in *out, or an error
 * status with a human sentence in msg (and *out untouched).
 */
enum lb_status codec_blog_create(const char *body, size_t len,
				 const struct lb_limits *lim, json_t **out,
				 char *msg, size_t msglen);
enum lb_status codec_entry_create(const char *body, size_t len,
				  const struct lb_limits *lim, json_t **out,
				  char *msg, size_t msglen);
enum lb_status codec_entry_patch(const char *body, size_t len,
				 const struct lb_limits *lim, json_t **out,
				 char *msg, size_t msglen);

/* PATCH /api/blogs/{id}: {"title"?,"lang"?}, at least one; lang canonical. */
enum lb_status codec_blog_patch(const char *body, size_t len,
				const struct lb_limits *lim, json_t **out,
				char *msg, size_t msglen);

/* Makes a blog id from a title: ascii slug plus a random suffix. */
void codec_blog_id_from_title(const char *title, char out[72]);
/* New payload = current with patch applied and revision + 1. */
json_t *codec_entry_apply(const json_t *current, const json_t *patch);
/* Hex SHA-256 of the content fields, for idempotent retries. */
void codec_fingerprint(const json_t *payload, char out[72]);
const char *codec_payload_id(const json_t *payload);
bool codec_payload_pinned(const json_t *payload);
int codec_payload_revision(const json_t *payload);

/* Pictures. */
/* The upload's answer: {"id","type","width","height","bytes","url"}. */
json_t *codec_media_wire(const struct lb_media *m);
/* The meta stored per blog (malloc'd JSON), and its parse (false: bad data). */
char *codec_media_meta(const struct lb_media *m);
bool codec_media_meta_parse(const char *id, const char *s, size_t len,
			    struct lb_media *out);
/*
 * The ids of the pictures of an entry payload or patch (borrowed, at most
 * CODEC_MEDIA_MAX). Returns how many; 0 also when it has no "media".
 */
size_t codec_payload_media_ids(const json_t *payload,
			       const char *ids[CODEC_MEDIA_MAX]);
/* Writes picture m into item i of payload's "media" (type, size, url). */
void codec_payload_media_resolve(json_t *payload, size_t i,
				 const struct lb_media *m);
/* True when a patch sets "media" (also to the empty list). */
bool codec_patch_has_media(const json_t *patch);

/* Wire objects; each returns a new reference or NULL on bad stored data. */
json_t *codec_blog_wire(const struct lb_blog *b);
json_t *codec_entry_wire(const json_t *payload, const char *created_seq,
			 const char *event_seq);
/* An event from a stream entry's id, type and data fields. */
json_t *codec_event(const char *seq, const char *type, const char *data,
		    size_t len);
/* An entry from the entries hash value "<created seq> <event seq> <json>". */
json_t *codec_entry_stored(const char *value, size_t len);

/* Stored payloads (read and touched by the store). */
bool codec_payload_deleted(const json_t *payload);
/* A patch's "pinned" (borrowed; NULL when the patch leaves the pin alone). */
json_t *codec_patch_pin(const json_t *patch);
void codec_payload_set_seq(json_t *payload, const char *seq);
void codec_payload_set_pinned(json_t *payload, bool pinned);
/* A wire entry's seq ("0-0" when missing). */
const char *codec_entry_seq(const json_t *entry);

/*
 * A wire Entry read back (the pages, feeds and JSON-LD render from these):
 * strings borrowed from entry, "" when absent; media the wire list of
 * pictures, NULL when there is none.
 */
struct codec_entry_view {
	const char *id, *seq, *ts, *edited_ts, *author, *title, *text;
	long long revision;
	bool key, pinned, redacted;
	const json_t *media;
};
void codec_entry_view(const json_t *entry, struct codec_entry_view *out);

/* A wire picture item read back likewise; width and height 0 unless > 0. */
struct codec_media_view {
	const char *id, *type, *url, *alt, *caption, *credit;
	long long width, height;
};
void codec_media_view(const json_t *item, struct codec_media_view *out);

/* The media_gc op's result, {"deleted":[ids]} (gone borrowed), and its count. */
json_t *codec_media_gc_result(json_t *gone);
size_t codec_media_gc_count(const json_t *result);

/* {"text": text}: an entry of that text alone (a headline of any text). */
json_t *codec_entry_of_text(const char *text);

/* Results: {"blogs":blogs}, {"events":events,"next":next}, {"id","deleted":true}. Steal. */
json_t *codec_blog_list(json_t *blogs);
json_t *codec_events_page(json_t *events, const char *next);
/* {"entries":entries,"next":next or null}. Steals entries. */
json_t *codec_entries_page(json_t *entries, const char *next);
/* A stored payload's "key" (a key event). */
bool codec_payload_key(const json_t *payload);
json_t *codec_deleted(const char *entry);
const char *codec_blog_id(const json_t *blog);
void codec_blog_set_token(json_t *blog, const char *token);
/* Fields of a checked create-blog request (NULL when absent). */
const char *codec_request_id(const json_t *in);
const char *codec_request_title(const json_t *in);
/* A checked request's "lang" (canonical), NULL when absent. */
const char *codec_request_lang(const json_t *in);
/*
 * A blog's title and language as carried by the feed when they change
 * ({"title","lang"}): applied to b. Returns false (b untouched) when data
 * is not such an object.
 */
bool codec_blog_meta_apply(struct lb_blog *b, const char *data, size_t len);

/* The stream's own messages (SPEC "Live push"). */
json_t *codec_hello(const struct lb_blog *b);
json_t *codec_reset(void);
json_t *codec_live(const char *seq);
json_t *codec_stats(long long readers);
/* GET /healthz; message is used when !ok. */
json_t *codec_health(bool ok, bool redis_up, bool tail_up, bool delivery_ok,
		     const char *message);
/* Adds to a health object the Redis in use ("" while down: null) and the master changes seen. */
void codec_health_redis(json_t *health, const char *master, unsigned long failovers);

/*
 * Redaction. A redacted entry's wire form keeps id, seq, ts and revision
 * and nothing of its content: {"id","seq","ts","redacted":true,"author":"",
 * "title":"","text":"","key":false,"pinned":false,"revision"}.
 */
bool codec_payload_redacted(const json_t *payload);
/* An event (entry or edit) with its entry in redacted form (new reference). */
json_t *codec_event_redacted(const json_t *event);
/* The entry id of an entry or edit event ("" for others). */
const char *codec_event_entry_id(const json_t *event);
/* {"type":"redact","entry_id":E}: readers drop the entry. */
json_t *codec_redact_msg(const char *entry);
/* The answer of a redaction: {"entry_id":E,"redacted_at":T}. */
json_t *codec_redacted(const char *entry, uint64_t at_ms);
/* A redaction's body {"reason"?}: LB_OK and *reason (borrowed from *out), or an error. */
enum lb_status codec_redact_request(const char *body, size_t len, json_t **out,
				    const char **reason, char *msg, size_t msglen);

/* Compact serialisation; the caller frees. */
char *codec_dump(const json_t *v);
/* {"error":code,"message":msg} for a status; msg NULL: the table's. */
char *codec_error_body(enum lb_status st, const char *msg);

#endif
