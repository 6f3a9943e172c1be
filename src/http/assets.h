/*
 * assets.h — the pages and static files of www/, compiled into liveblogd
 * (tools/embed-www.sh → build/gen/www.c), or read from a --www directory
 * when one is given (development). Pure: no lws, no app state.
 */
#ifndef LB_ASSETS_H
#define LB_ASSETS_H

#include <stddef.h>

/* The one folder of www/: the message catalogs, i18n/<lang>.json. */
#define ASSETS_I18N_DIR "i18n/"

struct assets_file {
	const char *name;            /* a plain file name of www/, or i18n/NAME */
	const unsigned char *data;   /* len bytes, then a NUL */
	size_t len;
	const char *mime;            /* the Content-Type */
	const char *etag;            /* strong, quoted, from the bytes */
};

/* The generated table (build/gen/www.c), assets_count entries. */
extern const struct assets_file assets_table[];
extern const size_t assets_count;

/* The compiled-in file with this exact name, or NULL. */
const struct assets_file *assets_find(const char *name);

/* The Content-Type for a file name, from its extension. */
const char *assets_mime(const char *name);

/*
 * A file of the pages, malloc'd and NUL-terminated, its length in *len:
 * read from dir when dir is not NULL (per call: edits show at once), else
 * copied from the compiled-in table. Returns NULL when there is no such
 * plain file (a name starting with '.' or holding a '/' other than after
 * the leading "i18n/" never matches) or
 * out of memory; the caller frees the result.
 */
char *assets_read(const char *dir, const char *name, size_t *len);

#endif
