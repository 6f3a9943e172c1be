/*
 * test_hash.c — src/common/hash.c: SHA-256 and SHA-1 of known vectors,
 * constant-time comparison and random hex tokens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/hash.h"

static void sha256_is(const void *data, size_t len, const char *want)
{
	char out[LB_SHA256_HEX];

	memset(out, 'x', sizeof(out));
	hash_sha256_hex(data, len, out);
	assert_string_equal(out, want);
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	sha256_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha256_is("The quick brown fox jumps over the lazy dog", 43,
		  "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
	/* Binary input: the length counts, not a NUL. */
	sha256_is("\0", 1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	sha256_is("abcdef", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_million_a(void **state)
{
	static char a[1000000];

	(void)state;
	memset(a, 'a', sizeof(a));
	sha256_is(a, sizeof(a), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha1_vectors(void **state)
{
	char out[41];

	(void)state;
	hash_sha1_hex("", 0, out);
	assert_string_equal(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	hash_sha1_hex("abc", 3, out);
	assert_string_equal(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_equal_ct(void **state)
{
	(void)state;
	assert_true(hash_equal_ct("", ""));
	assert_true(hash_equal_ct("token", "token"));
	assert_true(hash_equal_ct("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	assert_false(hash_equal_ct("token", "tokeN"));
	assert_false(hash_equal_ct("token", "Token"));
	assert_false(hash_equal_ct("token", "toke"));
	assert_false(hash_equal_ct("toke", "token"));
	assert_false(hash_equal_ct("", "a"));
	assert_false(hash_equal_ct("a", ""));
	assert_false(hash_equal_ct("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856"));
}

static void expect_hex(const char *s, size_t len)
{
	assert_int_equal(strlen(s), len);
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			fail_msg("\"%s\": '%c' at %zu is not lower-case hex", s, s[i], i);
}

static void test_random_hex(void **state)
{
	char a[200], b[200];

	(void)state;
	for (size_t bytes = 0; bytes <= 64; bytes++) {
		memset(a, 'Z', sizeof(a));
		assert_int_equal(hash_random_hex(a, bytes), 0);
		expect_hex(a, 2 * bytes);
		assert_int_equal(a[2 * bytes + 1], 'Z'); /* nothing written past the NUL */
	}
	assert_int_equal(hash_random_hex(a, 32), 0);
	assert_int_equal(hash_random_hex(b, 32), 0);
	assert_string_not_equal(a, b);
}

static void test_random_hex_too_many_bytes(void **state)
{
	char a[200];

	(void)state;
	memset(a, 'Z', sizeof(a));
	assert_int_equal(hash_random_hex(a, 65), -1);
	assert_int_equal(a[0], 'Z');
}

/* Over many tokens every hex digit shows up: the output is not a
 * constant or a narrow alphabet. */
static void test_random_hex_uses_all_digits(void **state)
{
	char a[129];
	int seen[16] = { 0 }, kinds = 0;

	(void)state;
	for (int i = 0; i < 8; i++) {
		assert_int_equal(hash_random_hex(a, 64), 0);
		for (const char *p = a; *p; p++)
			seen[*p <= '9' ? *p - '0' : *p - 'a' + 10] = 1;
	}
	for (int i = 0; i < 16; i++)
		kinds += seen[i];
	assert_int_equal(kinds, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_million_a),
		cmocka_unit_test(test_sha1_vectors),
		cmocka_unit_test(test_equal_ct),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_random_hex_too_many_bytes),
		cmocka_unit_test(test_random_hex_uses_all_digits),
	};

	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
