/*
 * cmd_import.c — import: applies an export to an existing live blog.
 * The whole file is checked first (each picture decoded and checked
 * against its id), so a bad line changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "input.h"
#include "common/hash.h"
#include "msg.h"
#include "b64.h"
#include "pictures.h"
#include "reply.h"
#include "url.h"

#define IMPORT_MAX_FILE (512u << 20)

struct import {
	const struct api *api;
	const char *blog;
	const char *name;	/* "import BLOG" */
	int entries, edits, deletes, ended, pictures;
	json_t *pictured;	/* ids of the entries that had pictures: a set */
	json_t *skipped;	/* ids of redacted entries, not brought back */
};

/*
 * A picture line: its bytes must be the base64 of a picture whose SHA-256
 * is its id. Returns the bytes (malloc'd), or NULL with why set.
 */
static unsigned char *picture_bytes(const json_t *line, size_t *len, const char **why)
{
	unsigned char *bytes = b64_decode(reply_str(line, "data"), len);
	char got[LB_SHA256_HEX];

	*why = "its data is not base64";
	if (!bytes)
		return NULL;
	hash_sha256_hex(bytes, *len, got);
	*why = "its data is not the picture its id names (SHA-256)";
	if (strcmp(got, reply_str(line, "id"))) {
		free(bytes);
		return NULL;
	}
	return bytes;
}

/* One checked line: an event, or a picture whose bytes match its id. */
static json_t *load_line(const char *p, size_t n, char *why, size_t whysz)
{
	json_t *v = reply_parse(REPLY_ANY, p, n, why, whysz);
	const char *bad = NULL;
	unsigned char *bytes;
	size_t len;

	if (!json_is_object(v) || !reply_str(v, "type") || strcmp(reply_str(v, "type"), "media")) {
		json_decref(v);
		return reply_parse(REPLY_EVENT, p, n, why, whysz);
	}
	if (reply_check(REPLY_MEDIA_LINE, v, why, whysz)) {
		json_decref(v);
		return NULL;
	}
	if (!(bytes = picture_bytes(v, &len, &bad))) {
		snprintf(why, whysz, "picture %.64s: %s", reply_str(v, "id"), bad);
		json_decref(v);
		return NULL;
	}
	free(bytes);
	return v;
}

/*
 * Parses every non-blank line of buf as an event. Returns a new array,
 * or NULL after printing the first bad line.
 */
static json_t *load_events(const char *buf, size_t len, const char *file,
			   const char *name)
{
	json_t *events = json_array(), *ev;
	const char *p = buf, *end = buf + len, *nl;
	size_t line = 0, n;
	char why[200];

	for (; events && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (strspn(p, " \t") >= n)
			continue;
		if (!(ev = load_line(p, n, why, sizeof(why)))) {
			msg_error("%s: %.200s line %zu: %s", name, file, line, why);
			goto out_free;
		}
		json_array_append_new(events, ev);
	}
	return events;

out_free:
	json_decref(events);
	return NULL;
}

/* A new object with those of names that from holds (and are not null). */
static json_t *pick(const json_t *from, const char *const *names)
{
	json_t *to = json_object(), *v;

	for (; to && *names; names++)
		if ((v = json_object_get(from, *names)) && !json_is_null(v))
			json_object_set(to, *names, v);
	return to;
}

/*
 * "/api/blogs/BLOG/entries[/ID]" with the id escaped. Returns 0, or -1
 * after printing.
 */
static int entries_path(const struct import *im, const char *id, char *out,
			size_t outsz, const char *subject)
{
	char esc[400];

	if (id && url_escape(id, esc, sizeof(esc))) {
		msg_error("%s: entry id too long", subject);
		return -1;
	}
	snprintf(out, outsz, "/api/blogs/%s/entries%s%s", im->blog,
		 id ? "/" : "", id ? esc : "");
	return 0;
}

/* Sends one request of the import; the reply is only checked. */
static int request(const struct import *im, const char *method,
		   const char *path, const json_t *body, int flags,
		   enum reply_kind kind, const char *subject)
{
	json_t *reply = api_call(im->api, method, path, body, flags, kind,
				 subject, NULL);

	json_decref(reply);
	return reply ? 0 : -1;
}

/*
 * Posts an exported entry with its own id and its time as original_ts.
 * Same id on a retry and on a re-run: stored at most once.
 */
static int import_entry(struct import *im, const json_t *entry,
			const char *subject)
{
	static const char *const posted[] = {
		"id", "text", "author", "title", "key", "pinned", "media", NULL };
	json_t *body = pick(entry, posted), *orig;
	char path[512];
	int rc;

	if (json_object_get(entry, "media"))
		json_object_set_new(im->pictured, reply_str(entry, "id"), json_true());
	/* An entry imported before keeps the time it was first posted at. */
	orig = json_object_get(entry, "original_ts");
	json_object_set(body, "original_ts",
			json_is_string(orig) ? orig : json_object_get(entry, "ts"));
	entries_path(im, NULL, path, sizeof(path), subject);
	rc = request(im, "POST", path, body, API_RETRY, REPLY_ENTRY, subject);
	im->entries += !rc;
	json_decref(body);
	return rc;
}

/* Applies an edit: the edited fields of the entry after the edit. */
static int import_edit(struct import *im, const json_t *entry,
		       const char *subject)
{
	static const char *const edited[] = {
		"text", "title", "key", "pinned", NULL };
	json_t *body = pick(entry, edited), *media = json_object_get(entry, "media");
	const char *id = reply_str(entry, "id");
	char path[512];
	int rc = -1;

	/* the pictures after the edit: none removes those the entry had */
	if (media || json_object_get(im->pictured, id))
		json_object_set_new(body, "media", media ? json_incref(media) : json_array());
	if (media)
		json_object_set_new(im->pictured, id, json_true());
	if (!entries_path(im, reply_str(entry, "id"), path, sizeof(path),
			  subject))
		rc = request(im, "PATCH", path, body, 0, REPLY_ENTRY, subject);
	im->edits += !rc;
	json_decref(body);
	return rc;
}

static int import_delete(struct import *im, const char *id,
			 const char *subject)
{
	char path[512];
	int rc = -1;

	if (!entries_path(im, id, path, sizeof(path), subject))
		rc = request(im, "DELETE", path, NULL, 0, REPLY_ANY, subject);
	im->deletes += !rc;
	return rc;
}

/* Ends the blog; ending is idempotent, so it is retried. */
static int import_end(struct import *im, const char *subject)
{
	json_t *body = json_object();
	char path[160];
	int rc;

	snprintf(path, sizeof(path), "/api/blogs/%s/end", im->blog);
	rc = request(im, "POST", path, body, API_RETRY, REPLY_BLOG, subject);
	im->ended = !rc;
	json_decref(body);
	return rc;
}

/* Uploads a checked picture line (the same bytes again are harmless). */
static int import_picture(struct import *im, const json_t *line, const char *subject)
{
	const char *why;
	size_t len;
	unsigned char *bytes = picture_bytes(line, &len, &why);
	char id[65];
	int rc = -1;

	if (bytes)
		rc = pictures_put(im->api, im->blog, bytes, len,
				  reply_str(line, "content_type"), subject, id);
	else
		msg_error("%s: %s", subject, why);
	free(bytes);
	im->pictures += !rc;
	return rc;
}

/* Applies one checked event. Returns 0, or -1 after printing. */
static int apply(struct import *im, const json_t *ev, const char *subject)
{
	const char *type = reply_str(ev, "type");
	const json_t *entry = json_object_get(ev, "entry");

	if (!strcmp(type, "media"))
		return import_picture(im, ev, subject);
	/* a redacted entry is not brought back: it has no content to post */
	if (json_is_true(json_object_get(entry, "redacted")))
		return json_object_set_new(im->skipped, reply_str(entry, "id"), json_true());
	if (!strcmp(type, "delete") && json_object_get(im->skipped, reply_str(ev, "entry_id")))
		return 0;
	if (!strcmp(type, "entry"))
		return import_entry(im, entry, subject);
	if (!strcmp(type, "edit"))
		return import_edit(im, entry, subject);
	if (!strcmp(type, "delete"))
		return import_delete(im, reply_str(ev, "entry_id"), subject);
	return import_end(im, subject);
}

/* Applies the events in order; stops at the first failure. */
static int apply_all(struct import *im, const json_t *events)
{
	char subject[160];
	json_t *ev;
	size_t i;

	json_array_foreach(events, i, ev) {
		snprintf(subject, sizeof(subject), "%s: event %zu (%s %.48s)",
			 im->name, i + 1, reply_str(ev, "type"),
			 reply_str(ev, "seq") ? reply_str(ev, "seq") : reply_str(ev, "id"));
		if (apply(im, ev, subject))
			return CLI_FAIL;
	}
	printf("imported %d entries, %d edits, %d deletions", im->entries, im->edits,
	       im->deletes);
	if (im->pictures)
		printf(", %d pictures", im->pictures);
	printf(" into %s%s\n", im->blog, im->ended ? " and ended it" : "");
	return CLI_OK;
}

int cmd_import(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const char *pos[2];
	char name[128];
	struct import im;
	json_t *events;
	size_t len;
	char *buf;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 2, 2, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 1))
		return CLI_USAGE;
	snprintf(name, sizeof(name), "import %s", pos[0]);
	if (!(buf = input_file(pos[1], IMPORT_MAX_FILE, &len, name)))
		return CLI_FAIL;
	events = load_events(buf, len, pos[1], name);
	free(buf);
	if (!events)
		return CLI_FAIL;
	memset(&im, 0, sizeof(im));
	im.api = &cli->api;
	im.blog = pos[0];
	im.name = name;
	im.pictured = json_object();
	im.skipped = json_object();
	rc = apply_all(&im, events);
	json_decref(im.pictured);
	json_decref(im.skipped);
	json_decref(events);
	return rc;
}
