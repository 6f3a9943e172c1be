/*
 * text.h — pure helpers for the strings of the wire format: UTF-8 checks,
 * RFC 3339 times, Redis Stream ids (seq) and blog slugs. No allocation.
 */
#ifndef LB_TEXT_H
#define LB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed stream id "<ms>-<n>"; "0-0" is the start of every log. */
struct lb_seq {
	uint64_t ms;
	uint64_t n;
};

bool text_utf8_valid(const char *s, size_t len);
/* Replaces each byte that starts no valid UTF-8 sequence with '?'. */
void text_utf8_sanitize(char *s);
bool text_slug_valid(const char *s);
bool text_uuid_valid(const char *s);

/* Parses "<ms>-<n>" or "<ms>" (n = 0). Returns false on anything else. */
bool text_seq_parse(const char *s, struct lb_seq *out);
int text_seq_cmp(const struct lb_seq *a, const struct lb_seq *b);
/* Compares two seq strings; both must be valid. */
int text_seq_cmp_str(const char *a, const char *b);
void text_seq_format(const struct lb_seq *s, char out[44]);

/* Formats ms since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" (25 bytes with NUL). */
void text_rfc3339(uint64_t ms, char out[32]);
/* Parses an RFC 3339 time (UTC "Z" or an offset, optional fraction). */
bool text_rfc3339_parse(const char *s, uint64_t *ms);

/* Hex encoding of a byte string; out must hold 2 * len + 1 bytes. */
void text_hex(const unsigned char *in, size_t len, char *out);

#endif
