/*
 * hash.h — SHA-256 (OpenSSL's libcrypto, which libwebsockets already links:
 * Debian builds lws without genhash), constant-time comparison and random
 * tokens.
 */
#ifndef LB_HASH_H
#define LB_HASH_H

#include <stdbool.h>
#include <stddef.h>

#define LB_SHA256_HEX 65

/* Writes the lower-case hex SHA-256 of data[0..len) to out. */
void hash_sha256_hex(const void *data, size_t len, char out[LB_SHA256_HEX]);
/* Hex SHA-1, for Redis script ids (EVALSHA). */
void hash_sha1_hex(const void *data, size_t len, char out[41]);
/* Compares two strings in time that depends only on their lengths. */
bool hash_equal_ct(const char *a, const char *b);
/* Writes 2 * bytes hex characters of kernel randomness. Returns 0 or -1. */
int hash_random_hex(char *out, size_t bytes);

#endif
