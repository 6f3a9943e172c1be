/*
 * head.h — checks of an HTTP/1.1 request head before anything acts on it.
 * Pure: no lws, no I/O, so it is unit-tested and fuzzed alone.
 *
 * The front loop (listener.c) peeks at a new connection's first request
 * head with head_scan() and answers 431 when it is too large for lws (which
 * would close such a connection without a word) and 400 when its framing is
 * ambiguous; server.c applies the same framing rule (head_framing()) to
 * every request lws parses, the ones after the first on a keep-alive
 * connection included.
 */
#ifndef LB_HEAD_H
#define LB_HEAD_H

#include <stdbool.h>
#include <stddef.h>

/* Largest request head, request line to the blank line included (SPEC). */
#define HEAD_MAX 8192
/*
 * lws keeps each known header and each query argument in one of 94
 * fragments and fails the connection silently when they run out: these
 * bounds keep every head we let through inside them.
 */
#define HEAD_MAX_FIELDS 64
#define HEAD_MAX_ARGS 24
/*
 * lws' header buffer per loop: the front loop's holds any head the door
 * lets through; the fan-out loops keep lws' default (a bigger one made a
 * 5,000-reader connect storm cost 35 % more CPU there), so a stream's head
 * that would not fit goes to the front loop instead (head_ah_bytes()).
 */
#define HEAD_AH_FRONT (HEAD_MAX + 2048)
#define HEAD_AH_STREAM 4096

enum head_verdict {
	HEAD_INCOMPLETE,     /* no blank line yet, under every bound */
	HEAD_OK,
	HEAD_TOO_LARGE,      /* 431 */
	HEAD_BAD_FRAMING,    /* 400 */
};

struct head_info {
	size_t len;              /* bytes of the head, blank line included */
	unsigned fields;         /* header lines */
	unsigned args;           /* query arguments of the request line */
	unsigned content_lengths;
	bool content_length_valid;   /* every Content-Length is a number */
	bool transfer_encoding;
	const char *message;     /* TOO_LARGE, BAD_FRAMING: for the client */
};

/*
 * Scans the first len bytes of a connection (not terminated; more may
 * follow) for one request head. Lines end in LF or CRLF. Fills *out and
 * returns the verdict; INCOMPLETE only while len < HEAD_MAX and the
 * fields seen so far are within their bound.
 */
enum head_verdict head_scan(const char *buf, size_t len, struct head_info *out);

/*
 * At most how many bytes of lws' header buffer a complete head (as scanned)
 * takes: its bytes, plus up to 6 per field (lws keeps an unknown header's
 * name and value with 8 bytes of bookkeeping and drops ": " and CRLF).
 */
size_t head_ah_bytes(const struct head_info *h);

/*
 * Parses a Content-Length value of len bytes: digits only (at most 18,
 * spaces and tabs around allowed). Returns 0 with *out set, or -1.
 */
int head_content_length(const char *v, size_t len, unsigned long long *out);

/*
 * The framing rule (RFC 9112 6.3, SPEC): more than one Content-Length, one
 * that is not a number, or Transfer-Encoding together with Content-Length.
 * Returns NULL when the framing is clear, else the message for a 400.
 */
const char *head_framing(unsigned content_lengths, bool content_length_valid,
			 bool transfer_encoding);

#endif
