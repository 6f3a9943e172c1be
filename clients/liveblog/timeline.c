/*
 * timeline.c — folds events into entries. jansson objects keep their
 * insertion order and replacing a member keeps its place, so one object
 * is both the index by id and the order of creation.
 */
#include <string.h>

#include "reply.h"
#include "timeline.h"

int timeline_init(struct timeline *t)
{
	memset(t, 0, sizeof(*t));
	t->entries = json_object();
	return t->entries ? 0 : -1;
}

int timeline_apply(struct timeline *t, const json_t *ev)
{
	const char *type = reply_str(ev, "type");
	json_t *entry = json_object_get(ev, "entry");

	if ((!strcmp(type, "entry") || !strcmp(type, "edit")) &&
	    json_is_true(json_object_get(entry, "redacted"))) {
		json_object_del(t->entries, reply_str(entry, "id"));   /* taken down */
		return 0;
	}
	if (!strcmp(type, "entry") || !strcmp(type, "edit"))
		return json_object_set(t->entries, reply_str(entry, "id"),
				       entry);
	if (!strcmp(type, "delete")) {
		json_object_del(t->entries, reply_str(ev, "entry_id"));
		return 0;
	}
	if (!strcmp(type, "ended")) {
		json_decref(t->ended);
		t->ended = json_incref((json_t *)ev);
		t->ended_at = reply_str(ev, "ended_at");
	}
	return 0;
}

void timeline_release(struct timeline *t)
{
	json_decref(t->entries);
	json_decref(t->ended);
	memset(t, 0, sizeof(*t));
}
