/*
 * linkify.h — where the links are in a line of entry text: http:// and
 * https:// URLs, nothing else (SPEC "Pictures": "nothing else becomes
 * markup"). Pure: no I/O, no allocation; www/render.js (findLinks) applies
 * the same rules to the same text, and tests/unit/cases/links.json holds
 * the cases both are checked against.
 *
 * The rules, on UTF-8 text, one line at a time:
 *   1. A link starts at "http://" or "https://" (the scheme in any case)
 *      that is at the start of the line or after a character that is not
 *      an ASCII letter or digit ("xhttp://" is no link; "(http://",
 *      "\"http://" and "«http://" are).
 *   2. It runs until the end of the line or the first character that
 *      cannot be in a URL as people write them: ASCII space and control
 *      characters, < > " ` { } | \ ^, and the spaces and quotation marks
 *      U+00A0 U+00AB U+00BB U+2000-U+200B U+2018-U+201F U+2028 U+2029
 *      U+202F U+205F U+3000 U+FEFF. Other non-ASCII characters (an IRI's)
 *      are part of it.
 *   3. Trailing . , ; : ! ? ' * are not part of it, nor a trailing ) or ]
 *      that has no opening ( or [ inside the link; repeated until none.
 *   4. What follows "://" must then be non-empty and start with an ASCII
 *      letter or digit, "[" or a non-ASCII character (a host); a run of
 *      more than LINKIFY_MAX bytes is no link. What is not a link stays
 *      text.
 */
#ifndef LB_LINKIFY_H
#define LB_LINKIFY_H

#include <stdbool.h>
#include <stddef.h>

#define LINKIFY_MAX 2048   /* bytes of a link, scheme included */

/*
 * Finds the first link in s[from..len) (s need not be NUL-terminated).
 * Returns true with s[*start..*end) the link, false when there is none.
 */
bool linkify_next(const char *s, size_t len, size_t from, size_t *start,
		  size_t *end);

#endif
