/*
 * cmd_live.c — the commands that follow the live stream: tail, replay.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "render.h"
#include "stream.h"

struct live {
	int greeted;	/* the blog's header is printed */
	int caught_up;	/* the "live" marker is printed */
};

/* Renders one frame of the stream for a person at a terminal. */
static void on_frame(void *ctx, const json_t *f)
{
	struct live *l = ctx;
	const char *type = reply_str(f, "type");

	if (!strcmp(type, "hello")) {
		if (!l->greeted++)
			render_blog(stdout, json_object_get(f, "blog"));
	} else if (!strcmp(type, "live")) {
		if (!l->caught_up++)
			fputs("--- live: new entries appear below ---\n\n", stdout);
	} else if (!strcmp(type, "reset")) {
		fputs("--- the server restarted the stream from the start ---\n\n",
		      stdout);
	} else if (!strcmp(type, "redact")) {
		/* a takedown: what was shown above is withdrawn */
		printf("--- entry %.40s was taken down ---\n\n", reply_str(f, "entry_id"));
	} else {
		/* Stored events; stats and unknown frames print nothing. */
		render_event(stdout, f);
	}
	fflush(stdout);
}

/* Runs the stream of blog (replay speed or NULL). Returns an exit code. */
static int follow(struct cli *cli, const struct cmd *cmd, const char *blog,
		  const char *speed)
{
	char subject[128];
	struct live l = { 0, 0 };
	struct stream_opts o = {
		.api = &cli->api, .blog = blog, .replay = speed,
		.subject = subject, .on_frame = on_frame, .ctx = &l,
	};

	snprintf(subject, sizeof(subject), "%s %s", cmd->name, blog);
	return stream_run(&o) ? CLI_FAIL : CLI_OK;
}

int cmd_tail(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const char *pos[1];
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 1, 1, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 0))
		return CLI_USAGE;
	return follow(cli, cmd, pos[0], NULL);
}

int cmd_replay(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const char *speed = "1", *pos[1];
	const struct arg_opt opts[] = {
		{ "--speed", &speed, NULL, NULL }, { NULL, NULL, NULL, NULL },
	};
	char *end;
	double v;
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 1, 1, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	v = strtod(speed, &end);
	if (end == speed || *end || !isfinite(v) || v <= 0 || v > 1e6)
		return args_usage(cmd, "--speed wants a number above 0, not "
				  "'%.40s'", speed);
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 0))
		return CLI_USAGE;
	return follow(cli, cmd, pos[0], speed);
}
