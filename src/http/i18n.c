/*
 * i18n.c — the message catalogs (see i18n.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lang.h"
#include "http/assets.h"
#include "http/i18n.h"

/* Adds the strings of www/i18n/<tag>.json to cat, when there is such a file. */
static void overlay(json_t *cat, const char *dir, const char *tag)
{
	char name[LANG_MAX + 16];
	size_t len = 0;
	char *text;
	json_t *v, *s;
	const char *k;

	snprintf(name, sizeof(name), ASSETS_I18N_DIR "%s.json", tag);
	text = assets_read(dir, name, &len);
	v = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(text);
	if (!json_is_object(v))
		goto out_free_v;
	json_object_foreach(v, k, s)
		if (json_is_string(s))
			json_object_set(cat, k, s);
out_free_v:
	json_decref(v);
}

json_t *i18n_catalog(const char *dir, const char *lang)
{
	json_t *cat = json_object();
	char primary[LANG_MAX];

	if (!cat)
		return NULL;
	overlay(cat, dir, "en");
	if (!lang || !*lang || !strcmp(lang, "en"))
		return cat;
	if (lang_primary(lang, primary) && strcmp(primary, "en"))
		overlay(cat, dir, primary);
	overlay(cat, dir, lang);
	return cat;
}

const char *i18n_str(const json_t *cat, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(cat, key));

	return s ? s : fallback;
}
