/*
 * pmd.h — WebSocket permessage-deflate (RFC 7692) without compression
 * state per reader: the negotiation's offer parser, and one message at a
 * time through this thread's own zlib streams (one deflater, one
 * inflater per event loop, reset for every message).
 *
 * Only zlib and libc: the hub's unit tests and the fuzzers link it. The
 * lws side (the extension lws must see, reader messages) is ws_ext.c.
 */
#ifndef LB_PMD_H
#define LB_PMD_H

#include <stdbool.h>
#include <stddef.h>

/* The parameters we always answer with (RFC 7692 7.1.1). */
#define PMD_PARAMS "; server_no_context_takeover; client_no_context_takeover"

/*
 * Reads a Sec-WebSocket-Extensions request header (offers separated by
 * commas, RFC 6455 9.1). Returns 0 when one offer is a permessage-deflate
 * we can take, with the response's parameters in params ("; ..."): both
 * no_context_takeover, plus server_max_window_bits=15 when that offer
 * asked for it (we compress with a window of 2^15). Returns -1 when no
 * offer fits (none is permessage-deflate, each has an unknown, repeated
 * or bad parameter, or a server_max_window_bits below 15) or the header
 * is malformed; params is then "".
 */
int pmd_negotiate(const char *offers, char *params, size_t len);

/*
 * Compresses one message: raw deflate, no context kept, flushed with
 * Z_SYNC_FLUSH and the trailing 00 00 ff ff removed (RFC 7692 7.2.1).
 * Returns the compressed bytes (this thread's buffer, valid until the
 * next call) and *outlen, or NULL when zlib fails or the result would
 * not be shorter than the text.
 */
const unsigned char *pmd_deflate(const unsigned char *text, size_t len, size_t *outlen);

/*
 * Inflates one whole compressed message (its trailer removed, as sent).
 * Returns the text (this thread's buffer, valid until the next call, with
 * one spare byte after the text) and *n its length; or NULL with *n = -1
 * when the data is not valid deflate (or memory ran out), -2 when the text
 * would be longer than cap bytes.
 */
const unsigned char *pmd_inflate(const unsigned char *in, size_t len, size_t cap, long *n);

/* Frees this thread's zlib streams and buffers. */
void pmd_thread_exit(void);

#endif
