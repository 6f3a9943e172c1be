/*
 * codec.h — the only module that knows the JSON field names of the wire
 * format (SPEC.md "Wire format") and of the payloads stored in Redis.
 *
 * Stored entry payload (Redis stream field "d" and entries hash):
 *   {"id","author","title","text","key","pinned","revision"[,"deleted"]
 *    [,"original_ts"]} — seq, ts and edited_ts are not stored: they are the
 *   stream ids of the creating and of the latest event.
 */
#ifndef LB_CODEC_H
#define LB_CODEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

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

/* Makes a blog id from a title: ascii slug plus a random suffix. */
void codec_blog_id_from_title(const char *title, char out[72]);
/* New payload = current with patch applied and revision + 1. */
json_t *codec_entry_apply(const json_t *current, const json_t *patch);
/* Hex SHA-256 of the content fields, for idempotent retries. */
void codec_fingerprint(const json_t *payload, char out[72]);
const char *codec_payload_id(const json_t *payload);
bool codec_payload_pinned(const json_t *payload);
int codec_payload_revision(const json_t *payload);

/* Wire objects; each returns a new reference or NULL on bad stored data. */
json_t *codec_blog_wire(const struct lb_blog *b);
json_t *codec_entry_wire(const json_t *payload, const char *created_seq,
			 const char *event_seq);
/* An event from a stream entry's id, type and data fields. */
json_t *codec_event(const char *seq, const char *type, const char *data,
		    size_t len);
/* An entry from the entries hash value "<created seq> <event seq> <json>". */
json_t *codec_entry_stored(const char *value, size_t len);

/* Compact serialisation; the caller frees. */
char *codec_dump(const json_t *v);
/* {"error":code,"message":msg} for a status; msg NULL: the table's. */
char *codec_error_body(enum lb_status st, const char *msg);

#endif
