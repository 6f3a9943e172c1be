/*
 * b64.h — base64 (RFC 4648, padded) of the pictures in export lines, by
 * libwebsockets' coder; decoding accepts only canonical text, so a line
 * that is not exactly the base64 of some bytes is refused. Pure: no I/O,
 * so a fuzz target calls it directly.
 */
#ifndef LIVEBLOG_CLI_B64_H
#define LIVEBLOG_CLI_B64_H

#include <stddef.h>

/* Base64 of data[0..len): malloc'd and NUL-terminated, or NULL (no memory). */
char *b64_encode(const void *data, size_t len);

/*
 * The bytes whose base64 is exactly s (NUL-terminated): malloc'd with
 * *len, or NULL (*len 0) when s is not that (a stray, missing or extra
 * character, or bits a canonical coder leaves 0 set).
 */
unsigned char *b64_decode(const char *s, size_t *len);

#endif
