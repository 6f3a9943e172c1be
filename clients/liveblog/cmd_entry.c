/*
 * cmd_entry.c — the commands that write one entry: post, edit, delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "args.h"
#include "cli.h"
#include "input.h"
#include "msg.h"
#include "pictures.h"
#include "render.h"
#include "url.h"

/* Sends body, prints the entry that comes back. Returns an exit code. */
static int send_entry(struct cli *cli, const char *method, const char *path,
		      const json_t *body, int flags, const char *subject)
{
	json_t *entry;
	int rc = CLI_OK;

	entry = api_call(&cli->api, method, path, body, flags, REPLY_ENTRY,
			 subject, NULL);
	if (!entry)
		return CLI_FAIL;
	if (render_json_line(stdout, entry)) {
		msg_error("%s: cannot write the output", subject);
		rc = CLI_FAIL;
	}
	json_decref(entry);
	return rc;
}

/* Builds "/api/blogs/BLOG/entries/ENTRY" with ENTRY escaped. */
static int entry_path(const struct cmd *cmd, const char *blog,
		      const char *entry, char *out, size_t outsz)
{
	char esc[400];

	if (!*entry || url_escape(entry, esc, sizeof(esc)))
		return args_usage(cmd, "invalid entry id '%.80s'", entry);
	snprintf(out, outsz, "/api/blogs/%s/entries/%s", blog, esc);
	return 0;
}

int cmd_post(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const char *title = NULL, *author = NULL, *pos[2];
	int key = 0, pin = 0, rc, npos, usage;
	struct arg_seq pics = { 0 };
	const struct arg_opt opts[] = {
		{ "--title", &title, NULL, NULL }, { "--author", &author, NULL, NULL },
		{ "--key", NULL, &key, NULL }, { "--pin", NULL, &pin, NULL },
		{ "--image", NULL, NULL, &pics }, { "--alt", NULL, NULL, &pics },
		{ "--caption", NULL, NULL, &pics }, { "--credit", NULL, NULL, &pics },
		{ NULL, NULL, NULL, NULL },
	};
	struct picture_args pa;
	char path[128], subject[128], id[37];
	char *text;
	json_t *body, *media = NULL;
	uuid_t uu;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 2, 2, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || pictures_from_args(cmd, &pics, &pa) ||
	    cli_connect(cli, cmd, 1))
		return CLI_USAGE;
	snprintf(subject, sizeof(subject), "post %s", pos[0]);
	if (!(text = input_text(pos[1], subject, &usage)))
		return usage ? CLI_USAGE : CLI_FAIL;
	/* the pictures first: the entry names what the server stored */
	if (pa.n && !(media = pictures_upload(&cli->api, pos[0], &pa, subject))) {
		free(text);
		return CLI_FAIL;
	}
	/* The id is chosen once: every retry carries the same one. */
	uuid_generate(uu);
	uuid_unparse_lower(uu, id);
	body = json_pack("{s:s, s:s, s:s*, s:s*, s:b}", "id", id, "text", text,
			 "title", title, "author", author, "key", key);
	free(text);
	if (!body) {
		json_decref(media);
		return args_usage(cmd, "--title and --author must be valid UTF-8");
	}
	if (pin)
		json_object_set_new(body, "pinned", json_true());
	if (media)
		json_object_set_new(body, "media", media);
	snprintf(path, sizeof(path), "/api/blogs/%s/entries", pos[0]);
	rc = send_entry(cli, "POST", path, body, API_RETRY, subject);
	json_decref(body);
	return rc;
}

/* Adds a switch pair (--key/--no-key) to body as a boolean member. */
static int set_switch(const struct cmd *cmd, json_t *body, const char *name,
		      int on, int off)
{
	if (on && off)
		return args_usage(cmd, "conflicting options for '%s'", name);
	if (on || off)
		json_object_set_new(body, name, json_boolean(on));
	return 0;
}

/* The PATCH body of edit from its arguments. Returns NULL after printing. */
static json_t *edit_body(const struct cmd *cmd, const char *text_arg,
			 const char *title, const int sw[4], const char *subject,
			 int *rc)
{
	json_t *body = json_object();
	char *text;
	int usage;

	*rc = CLI_USAGE;
	if (text_arg) {
		if (!(text = input_text(text_arg, subject, &usage))) {
			*rc = usage ? CLI_USAGE : CLI_FAIL;
			goto out_free;
		}
		json_object_set_new(body, "text", json_string(text));
		free(text);
	}
	if (title && json_object_set_new(body, "title", json_string(title))) {
		args_usage(cmd, "--title must be valid UTF-8");
		goto out_free;
	}
	if (set_switch(cmd, body, "key", sw[0], sw[1]) ||
	    set_switch(cmd, body, "pinned", sw[2], sw[3]))
		goto out_free;
	if (!json_object_size(body)) {
		args_usage(cmd, "nothing to change: give TEXT or an option");
		goto out_free;
	}
	return body;

out_free:
	json_decref(body);
	return NULL;
}

int cmd_edit(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const char *title = NULL, *pos[3];
	int sw[4] = { 0, 0, 0, 0 }, rc, npos;
	const struct arg_opt opts[] = {
		{ "--title", &title, NULL, NULL },
		{ "--key", NULL, &sw[0], NULL }, { "--no-key", NULL, &sw[1], NULL },
		{ "--pin", NULL, &sw[2], NULL }, { "--unpin", NULL, &sw[3], NULL },
		{ NULL, NULL, NULL, NULL },
	};
	char path[512], subject[128];
	json_t *body;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 2, 3, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) ||
	    entry_path(cmd, pos[0], pos[1], path, sizeof(path)) ||
	    cli_connect(cli, cmd, 1))
		return CLI_USAGE;
	snprintf(subject, sizeof(subject), "edit %s %.40s", pos[0], pos[1]);
	if (!(body = edit_body(cmd, npos > 2 ? pos[2] : NULL, title, sw,
			       subject, &rc)))
		return rc;
	/* No retry: an edit applied twice would count two revisions. */
	rc = send_entry(cli, "PATCH", path, body, 0, subject);
	json_decref(body);
	return rc;
}

int cmd_delete(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const char *pos[2];
	char path[512], subject[128];
	json_t *reply;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 2, 2, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) ||
	    entry_path(cmd, pos[0], pos[1], path, sizeof(path)) ||
	    cli_connect(cli, cmd, 1))
		return CLI_USAGE;
	snprintf(subject, sizeof(subject), "delete %s %.40s", pos[0], pos[1]);
	reply = api_call(&cli->api, "DELETE", path, NULL, 0, REPLY_ANY,
			 subject, NULL);
	if (!reply)
		return CLI_FAIL;
	json_decref(reply);
	return CLI_OK;
}

/*
 * redact BLOG ENTRY [--reason R]: the admin's legal takedown (SPEC
 * "Redaction"); prints {"entry_id","redacted_at"}. Harmless twice.
 */
int cmd_redact(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const char *reason = NULL;
	const struct arg_opt opts[] = { { "--reason", &reason, NULL, NULL }, { NULL, NULL, NULL, NULL } };
	const char *pos[2];
	char path[512], subject[128];
	json_t *body, *reply;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 2, 2, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) ||
	    entry_path(cmd, pos[0], pos[1], path, sizeof(path)) ||
	    strlen(path) + 8 > sizeof(path) || cli_connect(cli, cmd, 1))
		return CLI_USAGE;
	strcat(path, "/redact");
	body = reason ? json_pack("{s:s}", "reason", reason) : json_object();
	snprintf(subject, sizeof(subject), "redact %s %.40s", pos[0], pos[1]);
	reply = api_call(&cli->api, "POST", path, body, API_RETRY, REPLY_ANY, subject, NULL);
	json_decref(body);
	if (!reply)
		return CLI_FAIL;
	rc = render_json_line(stdout, reply) ? CLI_FAIL : CLI_OK;
	if (rc)
		msg_error("%s: cannot write the output", cmd->name);
	json_decref(reply);
	return rc;
}
