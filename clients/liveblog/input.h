/*
 * input.h — text and files the user hands the client: an argument or
 * "-" for standard input.
 */
#ifndef LIVEBLOG_CLI_INPUT_H
#define LIVEBLOG_CLI_INPUT_H

#include <stddef.h>

/*
 * Reads all of path ("-" for stdin) into a malloc'd NUL-terminated
 * buffer, *len its length (NUL bytes included). Returns NULL after
 * printing one line naming subject when it cannot be read or is larger
 * than max bytes.
 */
char *input_file(const char *path, size_t max, size_t *len,
		 const char *subject);

/*
 * The entry text given as arg: the argument itself, or standard input
 * when arg is "-" (trailing newlines removed). Returns a malloc'd string,
 * or NULL after printing one line when stdin cannot be read or the text
 * holds a NUL byte or is not UTF-8 (*usage is then set: a bad argument).
 */
char *input_text(const char *arg, const char *subject, int *usage);

#endif
