/*
 * lang.h — BCP 47 language tags (RFC 5646): the well-formedness check and
 * the canonical case of a blog's `lang`, and the fallback chain of the
 * message catalogs ("fr-CA" → "fr-CA", "fr", then "en"). Pure, fuzzed.
 */
#ifndef LB_LANG_H
#define LB_LANG_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 5646 4.4.1: a buffer of 35 characters holds any tag worth keeping. */
#define LANG_MAX 36

/*
 * Checks that s[0..len) is a well-formed "langtag" of RFC 5646 (language
 * [-extlang] [-script] [-region] *[-variant] *[-extension] [-privateuse];
 * grandfathered and private-use-only tags are refused) of at most 35
 * characters, and writes it in its canonical case to out (language and
 * extlang lower case, script title case, region upper case, the rest lower
 * case: "EN-gb" → "en-GB"). Returns true; false leaves out an empty string.
 */
bool lang_parse(const char *s, size_t len, char out[LANG_MAX]);

/*
 * The primary language subtag of a canonical tag ("fr-CA" → "fr"), into
 * out. Returns false when tag has no other subtag than its language.
 */
bool lang_primary(const char *tag, char out[LANG_MAX]);

#endif
