/*
 * cmd_export.c — export: a blog's whole event log as JSON lines, each
 * picture once, before the first event that uses it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "cli.h"
#include "history.h"
#include "msg.h"
#include "b64.h"
#include "pictures.h"
#include "render.h"

struct export {
	const struct api *api;
	const char *subject;
	json_t *done;		/* ids of the pictures written: a set */
};

/* Prints one line; non-zero when stdout is gone. */
static int print_line(const struct export *ex, const json_t *v)
{
	if (render_json_line(stdout, v)) {
		msg_error("%s: cannot write the output", ex->subject);
		return -1;
	}
	return 0;
}

/* Prints picture m's line unless it was printed: its bytes, read back. */
static int print_picture(struct export *ex, const json_t *m)
{
	const char *id = json_string_value(json_object_get(m, "id"));
	unsigned char *bytes;
	char *b64 = NULL;
	size_t len;
	json_t *line;
	int rc = -1;

	if (json_object_get(ex->done, id))
		return 0;
	if (!(bytes = pictures_get(ex->api, id, &len, ex->subject)))
		return -1;
	if (!(b64 = b64_encode(bytes, len))) {
		msg_error("%s: out of memory", ex->subject);
		goto out_free;
	}
	line = json_pack("{s:s,s:s,s:O,s:s}", "type", "media", "id", id,
			 "content_type", json_object_get(m, "type"), "data", b64);
	rc = line ? print_line(ex, line) : -1;
	json_decref(line);
	json_object_set_new(ex->done, id, json_true());
out_free:
	free(b64);
	free(bytes);
	return rc;
}

/* Prints the pictures an event uses that were not printed yet, then it. */
static int print_event(void *ctx, const json_t *ev)
{
	struct export *ex = ctx;
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(ev, "entry"), "media"), i, m)
		if (print_picture(ex, m))
			return -1;
	return print_line(ex, ev);
}

int cmd_export(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const char *pos[1];
	char subject[128];
	struct export ex;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 1, 1, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 0))
		return CLI_USAGE;
	snprintf(subject, sizeof(subject), "export %s", pos[0]);
	ex.api = &cli->api;
	ex.subject = subject;
	ex.done = json_object();
	rc = history_each(&cli->api, pos[0], subject, print_event, &ex) ? CLI_FAIL : CLI_OK;
	json_decref(ex.done);
	return rc;
}
