/*
 * assets.c — the compiled-in pages and static files (see assets.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/assets.h"

const struct assets_file *assets_find(const char *name)
{
	for (size_t i = 0; name && i < assets_count; i++)
		if (!strcmp(assets_table[i].name, name))
			return &assets_table[i];
	return NULL;
}

/* Keep in step with mime_of() in tools/embed-www.sh (test_assets.c checks). */
const char *assets_mime(const char *name)
{
	static const struct { const char *ext, *mime; } map[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".png", "image/png" },
		{ ".svg", "image/svg+xml" },
		{ ".ico", "image/x-icon" },
		{ ".json", "application/json" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".webmanifest", "application/manifest+json" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(dot, map[i].ext))
			return map[i].mime;
	return "application/octet-stream";
}

/*
 * Reads the regular file dir/name whole into a malloc'd NUL-terminated
 * buffer; NULL on error.
 */
static char *read_file(const char *dir, const char *name, size_t *len)
{
	char path[1024], *buf = NULL;
	struct stat st;
	long size;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return NULL;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ||
	    fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out_close;
	buf = malloc((size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	if (buf) {
		buf[size] = '\0';
		*len = (size_t)size;
	}
out_close:
	fclose(f);
	return buf;
}

/* A plain file name of www/, or a message catalog "i18n/NAME" (assets.h). */
static bool name_ok(const char *name)
{
	if (name && !strncmp(name, ASSETS_I18N_DIR, strlen(ASSETS_I18N_DIR)))
		name += strlen(ASSETS_I18N_DIR);
	return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

char *assets_read(const char *dir, const char *name, size_t *len)
{
	const struct assets_file *a;
	char *buf;

	if (!name_ok(name))
		return NULL;
	if (dir)
		return read_file(dir, name, len);
	a = assets_find(name);
	if (!a || !(buf = malloc(a->len + 1)))
		return NULL;
	memcpy(buf, a->data, a->len + 1);   /* with the table's NUL */
	*len = a->len;
	return buf;
}
