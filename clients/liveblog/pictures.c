/*
 * pictures.c — uploads, downloads and base64 of pictures (pictures.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "cli.h"
#include "common/hash.h"
#include "common/image.h"
#include "input.h"
#include "msg.h"
#include "pictures.h"
#include "reply.h"

/* Sets the description field named by opt of picture p (once each). */
static int describe(const struct cmd *cmd, struct picture_arg *p, const char *opt,
		    const char *value)
{
	const char **slot = !strcmp(opt, "--alt") ? &p->alt :
			    !strcmp(opt, "--caption") ? &p->caption : &p->credit;

	if (*slot)
		return args_usage(cmd, "%s given twice for --image %.200s", opt, p->file);
	*slot = value;
	return 0;
}

int pictures_from_args(const struct cmd *cmd, const struct arg_seq *seq,
		       struct picture_args *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < seq->n; i++) {
		const char *opt = seq->v[i].name, *v = seq->v[i].value;

		if (!strcmp(opt, "--image")) {
			if (out->n == PICTURES_MAX)
				return args_usage(cmd, "at most %d pictures per entry", PICTURES_MAX);
			out->p[out->n++].file = v;
		} else if (!out->n) {
			return args_usage(cmd, "%s describes a picture: give --image FILE first", opt);
		} else if (describe(cmd, &out->p[out->n - 1], opt, v)) {
			return CLI_USAGE;
		}
	}
	for (int i = 0; i < out->n; i++)
		if (!out->p[i].alt || !out->p[i].alt[strspn(out->p[i].alt, " \t\r\n")])
			return args_usage(cmd, "--image %.200s needs --alt TEXT (what the picture shows)",
					  out->p[i].file);
	return 0;
}

int pictures_put(const struct api *api, const char *blog, const void *data,
		 size_t len, const char *type, const char *subject, char id[65])
{
	char path[160], why[200], want[LB_SHA256_HEX];
	struct api_reply r;
	json_t *v = NULL;

	snprintf(path, sizeof(path), "/api/blogs/%s/media", blog);
	if (api_send_bytes(api, "POST", path, data, len, type, API_RETRY, &r) ||
	    r.status < 200 || r.status > 299) {
		api_report(api, subject, &r);
		goto out_release;
	}
	if (!(v = reply_parse(REPLY_MEDIA, r.body, r.len, why, sizeof(why)))) {
		msg_error("%s: bad reply from %s: %s", subject, api->server, why);
		goto out_release;
	}
	hash_sha256_hex(data, len, want);
	if (strcmp(reply_str(v, "id"), want)) {
		msg_error("%s: the server named the picture %.64s, not its SHA-256 %s",
			  subject, reply_str(v, "id"), want);
		json_decref(v);
		v = NULL;
		goto out_release;
	}
	memcpy(id, want, 65);
out_release:
	json_decref(v);
	api_reply_release(&r);
	return v ? 0 : -1;
}

/* Uploads one file; returns its "media" item, or NULL after printing. */
static json_t *upload_one(const struct api *api, const char *blog,
			  const struct picture_arg *p, const char *subject)
{
	struct image_info info;
	const char *why = NULL;
	char id[65], where[300];
	size_t len;
	char *buf;
	json_t *item = json_pack("{s:s,s:s,s:s*,s:s*}", "id", "", "alt", p->alt,
				 "caption", p->caption, "credit", p->credit);

	snprintf(where, sizeof(where), "%s: %.200s", subject, p->file);
	if (!item) {
		msg_error("%s: --alt, --caption and --credit must be valid UTF-8", where);
		return NULL;
	}
	if (!(buf = input_file(p->file, PICTURES_FILE_MAX, &len, subject)))
		goto out_fail;
	if (image_probe(buf, len, &info, &why) != IMAGE_OK)
		msg_error("%s: %s", where, why);
	else if (!pictures_put(api, blog, buf, len, info.type, where, id))
		json_object_set_new(item, "id", json_string(id));
	free(buf);
	if (*json_string_value(json_object_get(item, "id")))
		return item;
out_fail:
	json_decref(item);
	return NULL;
}

json_t *pictures_upload(const struct api *api, const char *blog,
			const struct picture_args *pa, const char *subject)
{
	json_t *media = json_array(), *item;

	for (int i = 0; media && i < pa->n; i++) {
		if (!(item = upload_one(api, blog, &pa->p[i], subject))) {
			json_decref(media);
			return NULL;
		}
		json_array_append_new(media, item);
	}
	return media;
}

unsigned char *pictures_get(const struct api *api, const char *id,
			    size_t *len, const char *subject)
{
	char path[96], got[LB_SHA256_HEX];
	struct api_reply r;
	unsigned char *bytes = NULL;

	snprintf(path, sizeof(path), "/media/%.64s", id);
	if (api_send_bytes(api, "GET", path, NULL, 0, NULL, API_RETRY, &r) ||
	    r.status != 200) {
		api_report(api, subject, &r);
		goto out_release;
	}
	hash_sha256_hex(r.body ? r.body : "", r.len, got);
	if (strcmp(got, id)) {
		msg_error("%s: picture %.64s: the server sent other bytes (SHA-256 %s)",
			  subject, id, got);
		goto out_release;
	}
	bytes = (unsigned char *)r.body;   /* taken from the reply */
	*len = r.len;
	r.body = NULL;
out_release:
	api_reply_release(&r);
	return bytes;
}
