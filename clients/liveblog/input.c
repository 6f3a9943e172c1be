/*
 * input.c — reading text arguments, standard input and files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "input.h"
#include "msg.h"

#define INPUT_TEXT_MAX (8u << 20)	/* the server decides the real limit */

/* Appends all of f to a growing buffer. Returns 0, or -1 with errno set. */
static int slurp(FILE *f, size_t max, char **buf, size_t *len)
{
	size_t cap = 0, n;
	char *grown;

	*buf = NULL;
	*len = 0;
	do {
		if (cap - *len < 4096) {
			cap = cap ? cap * 2 : 65536;
			if (!(grown = realloc(*buf, cap + 1)))
				goto out_free;
			*buf = grown;
		}
		n = fread(*buf + *len, 1, cap - *len, f);
		*len += n;
		if (*len > max) {
			errno = EFBIG;
			goto out_free;
		}
	} while (n);
	if (ferror(f))
		goto out_free;
	(*buf)[*len] = '\0';
	return 0;

out_free:
	free(*buf);
	*buf = NULL;
	return -1;
}

char *input_file(const char *path, size_t max, size_t *len,
		 const char *subject)
{
	int is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	char *buf = NULL;

	if (!f) {
		msg_error("%s: cannot open %s: %s", subject, path,
			  strerror(errno));
		return NULL;
	}
	errno = 0;
	if (slurp(f, max, &buf, len))
		msg_error("%s: cannot read %s: %s", subject,
			  is_stdin ? "standard input" : path,
			  errno == EFBIG ? "too large" :
			  strerror(errno ? errno : EIO));
	if (!is_stdin)
		fclose(f);
	return buf;
}

char *input_text(const char *arg, const char *subject, int *usage)
{
	size_t len = strlen(arg);
	char *text;
	json_t *check;

	*usage = 0;
	if (strcmp(arg, "-")) {
		if (!(text = strdup(arg))) {
			msg_error("%s: out of memory", subject);
			return NULL;
		}
	} else if ((text = input_file("-", INPUT_TEXT_MAX, &len, subject))) {
		while (len && text[len - 1] == '\n') {
			text[--len] = '\0';
			if (len && text[len - 1] == '\r')
				text[--len] = '\0';
		}
	} else {
		return NULL;
	}
	/* json_stringn() refuses invalid UTF-8: the same check the wire needs. */
	check = json_stringn(text, len);
	if (!check || memchr(text, '\0', len)) {
		msg_error("%s: the text %s", subject, check ?
			  "contains a NUL byte" : "is not valid UTF-8");
		*usage = 1;
		free(text);
		text = NULL;
	}
	json_decref(check);
	return text;
}
