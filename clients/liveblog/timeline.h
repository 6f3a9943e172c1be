/*
 * timeline.h — the current entries of a blog, folded from its events
 * (entry adds, edit replaces, delete removes), in order of creation.
 */
#ifndef LIVEBLOG_CLI_TIMELINE_H
#define LIVEBLOG_CLI_TIMELINE_H

#include <jansson.h>

struct timeline {
	json_t *entries;	/* id -> entry, in creation order */
	const char *ended_at;	/* from the "ended" event, or NULL */
	json_t *ended;		/* keeps ended_at alive */
};

/* Returns 0, or -1 when out of memory. */
int timeline_init(struct timeline *t);

/* Applies one checked event (see reply.h). Returns 0, or -1 (memory). */
int timeline_apply(struct timeline *t, const json_t *event);

void timeline_release(struct timeline *t);

#endif
