/*
 * msg.h — the client's one-line messages on stderr.
 */
#ifndef LIVEBLOG_CLI_MSG_H
#define LIVEBLOG_CLI_MSG_H

#include <stddef.h>

/*
 * Prints "liveblog: <message>" and a newline on stderr as one line: any
 * control character (newlines included, and C1 controls) in the formatted
 * text becomes a space, so text quoted from the server cannot break the
 * line or drive the terminal.
 */
__attribute__((format(printf, 1, 2)))
void msg_error(const char *fmt, ...);

/*
 * Replaces terminal control characters in s (NUL-terminated, UTF-8) in
 * place: C0 controls other than those in keep, DEL and the two-byte C1
 * controls U+0080..U+009F. Bytes are replaced one for one by repl.
 */
void msg_clean(char *s, const char *keep, char repl);

/* Lower-cases the ASCII letters of s in place (lws' reasons are capitalised). */
void msg_lower(char *s);

#endif
