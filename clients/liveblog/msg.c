/*
 * msg.c — one-line error messages, cleaned of terminal controls.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

void msg_clean(char *s, const char *keep, char repl)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p; p++) {
		if ((*p < 0x20 && !strchr(keep, *p)) || *p == 0x7f) {
			*p = (unsigned char)repl;
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p[0] = (unsigned char)repl;
			p[1] = (unsigned char)repl;
			p++;
		}
	}
}

void msg_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void msg_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	msg_clean(line, "", ' ');
	fprintf(stderr, "liveblog: %s\n", line);
	fflush(stderr);
}
