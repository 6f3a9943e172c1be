/*
 * cmd_export.c — export: a blog's whole event log as JSON lines.
 */
#include <stdio.h>

#include "args.h"
#include "cli.h"
#include "history.h"
#include "msg.h"
#include "render.h"

/* Prints one event line; stops the walk when stdout is gone. */
static int print_event(void *ctx, const json_t *ev)
{
	if (render_json_line(stdout, ev)) {
		msg_error("%s: cannot write the output", (const char *)ctx);
		return -1;
	}
	return 0;
}

int cmd_export(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	const struct arg_opt opts[] = { { NULL, NULL, NULL } };
	const char *pos[1];
	char subject[128];
	int rc, npos;

	rc = args_parse(cli, cmd, opts, argc, argv, pos, 1, 1, &npos);
	if (rc != ARGS_GO_ON)
		return rc;
	if (args_blog(cmd, pos[0]) || cli_connect(cli, cmd, 0))
		return CLI_USAGE;
	snprintf(subject, sizeof(subject), "export %s", pos[0]);
	return history_each(&cli->api, pos[0], subject, print_event, subject) ?
		CLI_FAIL : CLI_OK;
}
