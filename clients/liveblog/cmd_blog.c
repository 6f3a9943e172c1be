/*
 * cmd_blog.c — the commands about a blog as a whole: create, end, show.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "common/lang.h"
#include "cli.h"
#include "history.h"
#include "msg.h"
#include "render.h"
#include "timeline.h"

/* Prints a reply as a JSON line, or says why it could not. */
static int print_reply(const struct cmd *cmd, const json_t *v)
{
	if (render_json_line(stdout, v)) {
		msg_error("%s: cannot write the output", cmd->name);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_create(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const char *title = NULL, *id = NULL, *lang = NULL, *pos[1];
	const struct arg_opt opts[] = {
		{ "--title", &title, NULL, NULL }, { "--id", &id, NULL, NULL },
		{ "--lang", &lang, NULL, NULL }, { NULL, NULL, NULL, NULL },
	};
	char canon[LANG_MAX];
	json_t *body, *blog;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 0, 0, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (!title)
		return args_usage(cmd, "--title is required");
	if (id && args_blog(cmd, id))
		return CLI_USAGE;
	if (lang && !lang_parse(lang, strlen(lang), canon))
		return args_usage(cmd, "invalid language '%.80s' (expected a BCP 47 "
				  "tag such as fr or en-GB)", lang);
	if ((rc = cli_connect(cli, cmd, 1)))
		return rc;
	body = json_pack("{s:s, s:s*, s:s*}", "title", title, "id", id,
			 "lang", lang ? canon : NULL);
	if (!body)
		return args_usage(cmd, "the title is not valid UTF-8");
	/* No retry: without an id a second try could make a second blog. */
	blog = api_call(&cli->api, "POST", "/api/blogs", body, 0,
			REPLY_CREATED, "create", NULL);
	rc = blog ? print_reply(cmd, blog) : CLI_FAIL;
	json_decref(blog);
	json_decref(body);
	return rc;
}

int cmd_end(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const char *pos[1];
	char path[128], subject[128];
	json_t *body, *blog;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 1, 1, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 1))
		return CLI_USAGE;
	snprintf(path, sizeof(path), "/api/blogs/%s/end", pos[0]);
	snprintf(subject, sizeof(subject), "end %s", pos[0]);
	body = json_object();
	/* Ending is idempotent: safe to retry. */
	blog = api_call(&cli->api, "POST", path, body, API_RETRY, REPLY_BLOG,
			subject, NULL);
	rc = blog ? print_reply(cmd, blog) : CLI_FAIL;
	json_decref(blog);
	json_decref(body);
	return rc;
}

static int fold_event(void *ctx, const json_t *ev)
{
	if (timeline_apply(ctx, ev)) {
		msg_error("show: out of memory");
		return -1;
	}
	return 0;
}

/* The first line of an entry's title, or else of its text, shortened. */
static void headline(const json_t *entry, char *out, size_t outsz)
{
	const char *t = reply_str(entry, "title");
	size_t cut = 69;

	if (!t || !*t)
		t = reply_str(entry, "text");
	snprintf(out, outsz, "%.*s", (int)strcspn(t, "\n"), t);
	if (strlen(out) > 72 && outsz > 72) {
		/* Cut on a UTF-8 character boundary. */
		while (cut && ((unsigned char)out[cut] & 0xc0) == 0x80)
			cut--;
		strcpy(out + cut, "...");
	}
	msg_clean(out, "", ' ');
}

/* Lists the key events, one line each, when there are any. */
static void print_key_events(const struct timeline *t)
{
	const char *id;
	json_t *e;
	char when[64], line[200];
	int any = 0;

	json_object_foreach(t->entries, id, e) {
		if (!json_is_true(json_object_get(e, "key")))
			continue;
		if (!any++)
			fputs("Key events:\n", stdout);
		render_time(reply_str(e, "ts"), RENDER_DATE_TIME, when,
			    sizeof(when));
		headline(e, line, sizeof(line));
		printf("  [%s] %s\n", when, line);
	}
	if (any)
		fputc('\n', stdout);
}

static void print_timeline(const json_t *blog, const struct timeline *t)
{
	const char *id;
	json_t *e;

	render_blog(stdout, blog);
	print_key_events(t);
	json_object_foreach(t->entries, id, e)
		render_entry(stdout, e, NULL, RENDER_DATE_TIME);
	if (!json_object_size(t->entries))
		fputs("No liveblog updates yet.\n", stdout);
	if (!strcmp(reply_str(blog, "state"), "ended") || t->ended_at)
		fputs("The liveblog has ended.\n", stdout);
}

int cmd_show(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const char *pos[1];
	char path[128], subject[128];
	struct timeline t;
	json_t *blog;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 1, 1, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 0))
		return CLI_USAGE;
	snprintf(path, sizeof(path), "/api/blogs/%s", pos[0]);
	snprintf(subject, sizeof(subject), "show %s", pos[0]);
	blog = api_call(&cli->api, "GET", path, NULL, API_RETRY, REPLY_BLOG,
			subject, NULL);
	if (!blog)
		return CLI_FAIL;
	rc = CLI_FAIL;
	if (timeline_init(&t))
		goto out_blog;
	if (history_each(&cli->api, pos[0], subject, fold_event, &t))
		goto out_timeline;
	print_timeline(blog, &t);
	rc = CLI_OK;
out_timeline:
	timeline_release(&t);
out_blog:
	json_decref(blog);
	return rc;
}
