/*
 * pictures.h — pictures for the commands: the --image options of post,
 * uploads (POST /api/blogs/{id}/media with the file as the body), reading
 * a picture back (GET /media/{id}) for export, and the base64 of export
 * lines. Every picture is checked against its id (its SHA-256) both ways.
 */
#ifndef LIVEBLOG_CLI_PICTURES_H
#define LIVEBLOG_CLI_PICTURES_H

#include <stddef.h>
#include <jansson.h>

#include "api.h"
#include "args.h"

#define PICTURES_MAX 4			/* per entry, as the server allows */
#define PICTURES_FILE_MAX (64u << 20)	/* the server decides the real limit */

struct picture_arg {
	const char *file, *alt, *caption, *credit;
};

struct picture_args {
	int n;
	struct picture_arg p[PICTURES_MAX];
};

/*
 * The pictures of post's options in seq (--image, --alt, --caption,
 * --credit, in order): each --image FILE starts a picture that the
 * following --alt (required), --caption and --credit describe. Returns 0,
 * or CLI_USAGE after printing.
 */
int pictures_from_args(const struct cmd *cmd, const struct arg_seq *seq,
		       struct picture_args *out);

/*
 * Uploads each picture of pa to blog (its type read from its bytes) and
 * returns the entry's "media" array, or NULL after printing one line
 * naming subject.
 */
json_t *pictures_upload(const struct api *api, const char *blog,
			const struct picture_args *pa, const char *subject);

/*
 * Uploads len bytes of type as a picture of blog (a retry is harmless: the
 * same bytes are the same picture). Returns 0 with the picture's id in
 * id, or -1 after printing.
 */
int pictures_put(const struct api *api, const char *blog, const void *data,
		 size_t len, const char *type, const char *subject, char id[65]);

/*
 * The bytes of picture id (GET /media/{id}), checked against the id: a
 * malloc'd buffer and *len, or NULL after printing.
 */
unsigned char *pictures_get(const struct api *api, const char *id,
			    size_t *len, const char *subject);

#endif
