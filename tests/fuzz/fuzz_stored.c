/*
 * fuzz_stored.c — codec_entry_stored and codec_event on arbitrary bytes:
 * the parsers of what Redis holds (a value of the entries hash, a stream
 * entry's id, "t" and "d" fields).
 *
 * Each input is used twice:
 *   - whole, as an entries-hash value "<created seq> <event seq> <json>";
 *   - as a stream entry "<seq> <type>\n<data>" (the layout of
 *     tests/unit/cases/event/ inputs): seq and type become C strings, as
 *     hiredis hands them over, data is the exact byte range after the
 *     first newline.
 * Whatever the bytes, nothing may crash, leak or read past the given
 * length. When the stored data is what the server itself writes (valid
 * seqs, a payload object with the documented field types), the result must
 * be a wire object the CLI accepts, with the seq it was read from and times
 * that match that seq.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "common/codec.h"
#include "common/text.h"
#include "reply.h"


/* 10000-01-01T00:00:00Z: the first time "YYYY-MM-DD..." cannot show. */
#define MS_YEAR_10000 UINT64_C(253402300800000)

static int seq_ok(const char *s)
{
	struct lb_seq q;

	return text_seq_parse(s, &q);
}

/* Absent, or of the given JSON type. */
static int opt_type(const json_t *obj, const char *name, json_type t)
{
	const json_t *v = json_object_get(obj, name);

	return !v || json_typeof(v) == t ||
	       (t == JSON_TRUE && json_is_boolean(v));
}

/*
 * True when payload is shaped like what the server stores: an object with
 * a string id and text, and the other fields, when present, of their type.
 */
static int payload_ok(const json_t *p)
{
	const json_t *seq = json_object_get(p, "seq");

	return json_is_object(p) && json_is_string(json_object_get(p, "id")) &&
	       json_is_string(json_object_get(p, "text")) &&
	       opt_type(p, "author", JSON_STRING) &&
	       opt_type(p, "title", JSON_STRING) &&
	       opt_type(p, "key", JSON_TRUE) && opt_type(p, "pinned", JSON_TRUE) &&
	       opt_type(p, "deleted", JSON_TRUE) &&
	       opt_type(p, "revision", JSON_INTEGER) &&
	       opt_type(p, "original_ts", JSON_STRING) &&
	       (!seq || (json_is_string(seq) && seq_ok(json_string_value(seq))));
}

/* A wire time field: the RFC 3339 form of the seq's milliseconds. */
static void check_time(const json_t *t, const char *seq)
{
	struct lb_seq q;
	uint64_t ms = 0;

	CHECK(text_seq_parse(seq, &q));
	CHECK(json_is_string(t));
	if (q.ms < MS_YEAR_10000) {
		CHECK(json_string_length(t) == 24);
		CHECK(text_rfc3339_parse(json_string_value(t), &ms));
		CHECK(ms == q.ms);
	}
}

static void check_client_accepts(enum reply_kind kind, const json_t *v)
{
	char err[256], *s;
	json_t *back;

	if (reply_check(kind, v, err, sizeof(err))) {
		s = codec_dump(v);
		fprintf(stderr, "client rejects %s: %s\n", s ? s : "?", err);
		free(s);
		CHECK(!"client accepts the wire object");
	}
	s = codec_dump(v);
	CHECK(s != NULL);
	back = reply_parse(kind, s, strlen(s), err, sizeof(err));
	CHECK(back != NULL);
	CHECK(json_equal(back, (json_t *)v));
	json_decref(back);
	free(s);
}

/* A wire entry built from a well-formed payload, created and event seqs. */
static void check_wire_entry(const json_t *e, const json_t *payload,
			     const char *cseq, const char *eseq)
{
	int rev = codec_payload_revision(payload);
	int del = json_is_true(json_object_get(payload, "deleted"));

	CHECK(json_equal(json_object_get(e, "id"), json_object_get(payload, "id")));
	CHECK(json_equal(json_object_get(e, "text"),
			 json_object_get(payload, "text")));
	CHECK(!strcmp(json_string_value(json_object_get(e, "seq")), cseq));
	check_time(json_object_get(e, "ts"), cseq);
	CHECK(json_integer_value(json_object_get(e, "revision")) == rev);
	if (rev > 1 || del)
		check_time(json_object_get(e, "edited_ts"), eseq);
	else
		CHECK(!json_object_get(e, "edited_ts"));
	CHECK(!json_object_get(e, "deleted") == !del);
	check_client_accepts(REPLY_ENTRY, e);
}

/* The whole input as an entries-hash value. */
static void stored_value(const char *buf, size_t size)
{
	json_t *e = codec_entry_stored(buf, size), *payload;
	const char *sp1, *sp2;
	char cseq[48], eseq[48];
	char *s;

	if (!e)
		return;
	CHECK(json_is_object(e));
	CHECK(json_is_string(json_object_get(e, "id")));
	s = codec_dump(e);
	CHECK(s != NULL);
	free(s);

	/* Accepted, so it has the "<a> <b> <json>" layout with short seqs. */
	sp1 = memchr(buf, ' ', size);
	CHECK(sp1 && sp1 - buf < 48);
	sp2 = memchr(sp1 + 1, ' ', size - (size_t)(sp1 + 1 - buf));
	CHECK(sp2 && sp2 - sp1 - 1 < 48);
	memcpy(cseq, buf, (size_t)(sp1 - buf));
	cseq[sp1 - buf] = '\0';
	memcpy(eseq, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	eseq[sp2 - sp1 - 1] = '\0';
	payload = json_loadb(sp2 + 1, size - (size_t)(sp2 + 1 - buf), 0, NULL);
	CHECK(payload != NULL);
	if (payload_ok(payload) && seq_ok(cseq) && seq_ok(eseq))
		check_wire_entry(e, payload, cseq, eseq);
	json_decref(payload);
	json_decref(e);
}

/* "<seq> <type>\n<data>" as a stream entry. */
static void stream_entry(const char *buf, size_t size)
{
	const char *nl = memchr(buf, '\n', size);
	size_t hlen = nl ? (size_t)(nl - buf) : size;
	const char *data = nl ? nl + 1 : buf + size;
	size_t dlen = size - (size_t)(data - buf);
	char *head = malloc(hlen + 1), *seq, *type, *sp;
	json_t *ev, *payload = NULL, *entry;
	const char *created;

	CHECK(head != NULL);
	memcpy(head, buf, hlen);
	head[hlen] = '\0';
	seq = head;
	sp = strchr(head, ' ');
	type = sp ? (*sp = '\0', sp + 1) : head + strlen(head);

	ev = codec_event(seq, type, data, dlen);
	if (strcmp(type, "entry") && strcmp(type, "edit") &&
	    strcmp(type, "delete") && strcmp(type, "ended"))
		CHECK(ev == NULL);
	if (!ev)
		goto out;
	CHECK(json_is_object(ev));
	CHECK(!strcmp(json_string_value(json_object_get(ev, "type")), type));
	CHECK(!strcmp(json_string_value(json_object_get(ev, "seq")), seq));
	free(codec_dump(ev));
	if (!seq_ok(seq))
		goto out;
	if (!strcmp(type, "delete")) {
		const json_t *id = json_object_get(ev, "entry_id");

		CHECK(json_string_length(id) == dlen);
		CHECK(!memcmp(json_string_value(id), data, dlen));
		/* The server stores the entry id there: a UUID. */
		if (dlen == 36 && text_uuid_valid(json_string_value(id))) {
			check_client_accepts(REPLY_EVENT, ev);
			check_client_accepts(REPLY_FRAME, ev);
		}
	} else if (!strcmp(type, "ended")) {
		check_time(json_object_get(ev, "ended_at"), seq);
		check_client_accepts(REPLY_EVENT, ev);
		check_client_accepts(REPLY_FRAME, ev);
	} else {
		payload = json_loadb(data, dlen, 0, NULL);
		if (!payload_ok(payload))
			goto out;
		created = json_string_value(json_object_get(payload, "seq"));
		entry = json_object_get(ev, "entry");
		check_wire_entry(entry, payload, created ? created : seq, seq);
		check_client_accepts(REPLY_EVENT, ev);
		check_client_accepts(REPLY_FRAME, ev);
	}
out:
	json_decref(payload);
	json_decref(ev);
	free(head);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data; /* exactly size bytes, no NUL */

	stored_value(buf, size);
	stream_entry(buf, size);
	return 0;
}
