/*
 * hash.c — SHA-256, constant-time comparison and random tokens.
 */
#include "common/hash.h"
#include "common/text.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/random.h>

static void digest_hex(const EVP_MD *type, size_t mdlen, const void *data,
		       size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = sizeof(md);

	if (!EVP_Digest(data, len, md, &n, type, NULL))
		memset(md, 0, sizeof(md));
	text_hex(md, mdlen, out);
}

void hash_sha256_hex(const void *data, size_t len, char out[LB_SHA256_HEX])
{
	digest_hex(EVP_sha256(), 32, data, len, out);
}

void hash_sha1_hex(const void *data, size_t len, char out[41])
{
	digest_hex(EVP_sha1(), 20, data, len, out);
}

/*
 * Token checks compare SHA-256 digests of equal length, so the time taken
 * never depends on how much of a guess was right.
 */
bool hash_equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

int hash_random_hex(char *out, size_t bytes)
{
	unsigned char buf[64];

	if (bytes > sizeof(buf) || getrandom(buf, bytes, 0) != (ssize_t)bytes)
		return -1;
	text_hex(buf, bytes, out);
	return 0;
}
