/*
 * render.h — how blogs, entries and events look in a terminal. All text
 * comes from the server: control characters are replaced before printing.
 */
#ifndef LIVEBLOG_CLI_RENDER_H
#define LIVEBLOG_CLI_RENDER_H

#include <stdio.h>
#include <jansson.h>

enum render_clock {
	RENDER_TIME,		/* 14:32:05 (tail, replay) */
	RENDER_DATE_TIME,	/* 2026-11-29 14:32 (show) */
};

/* Prints the blog's title line and its state/dates line. */
void render_blog(FILE *out, const json_t *blog);

/*
 * Prints one entry as a block: a head line (time, KEY / PINNED marks,
 * author, title, "updated" time after edits) and its text indented by
 * four spaces, then a blank line. label (e.g. "edited") or NULL goes
 * after the time.
 */
void render_entry(FILE *out, const json_t *entry, const char *label,
		  enum render_clock clock);

/* Prints one checked event (entry, edit, delete or ended) for tail. */
void render_event(FILE *out, const json_t *event);

/* Formats an RFC 3339 time (or a seq's milliseconds) as local time. */
void render_time(const char *rfc3339, enum render_clock clock, char *out,
		 size_t outsz);

/*
 * Prints v as one line of compact JSON (UTF-8 kept as is) and flushes.
 * Returns 0, or -1 when the output cannot be written.
 */
int render_json_line(FILE *out, const json_t *v);

#endif
