/*
 * i18n.h — the message catalogs of www/i18n/ (one file per language,
 * <tag>.json: a flat object of UI strings). Adding a language is adding
 * its file. Pure (no lws): unit-tested.
 */
#ifndef LB_I18N_H
#define LB_I18N_H

#include <jansson.h>

/*
 * The strings for language tag lang (canonical BCP 47): en.json, overlaid
 * by the file of its primary language ("fr" for "fr-CA") and then by the
 * file of the whole tag, each when it exists, so a missing string or
 * language falls back to English. Files come from dir (--www) when not
 * NULL, else from the compiled-in copy. A file that is not a JSON object
 * of strings is skipped. Returns a new object (never NULL unless out of
 * memory); the caller decrefs it.
 */
json_t *i18n_catalog(const char *dir, const char *lang);

/*
 * cat[key] when it is a string, else fallback. Borrowed from cat.
 */
const char *i18n_str(const json_t *cat, const char *key, const char *fallback);

#endif
