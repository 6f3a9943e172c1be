/*
 * cli.h — what main and the commands share: exit codes, the command
 * table entry, and the connection settings gathered from flags and the
 * environment.
 */
#ifndef LIVEBLOG_CLI_H
#define LIVEBLOG_CLI_H

#include <stdio.h>

#include "api.h"

enum cli_exit {
	CLI_OK = 0,	/* done */
	CLI_FAIL = 1,	/* the server or the network said no */
	CLI_USAGE = 2,	/* bad arguments */
};

#define TOKEN_MAX 1024		/* bytes of a token */
#define TOKEN_MAX_TEXT "1024"

struct cli {
	const char *server;	/* --server, LIVEBLOG_SERVER or the default */
	const char *token;	/* --token, or NULL */
	const char *token_file;	/* --token-file, or NULL */
	char token_buf[TOKEN_MAX + 1];	/* a token read from a file */
	struct api api;		/* ready after cli_connect() */
};

struct cmd;
typedef int cmd_fn(struct cli *cli, const struct cmd *cmd, int argc,
		   char **argv);

struct cmd {
	const char *name;
	cmd_fn *run;
	const char *usage;	/* arguments, after "liveblog NAME " */
	const char *summary;	/* one line for `liveblog --help` */
	const char *help;	/* the rest of `liveblog NAME --help` */
};

/*
 * Parses cli->server into cli->api and settles the token (token.h).
 * need_token: the command writes, so a token is required. Returns CLI_OK,
 * or CLI_USAGE after printing a line.
 */
int cli_connect(struct cli *cli, const struct cmd *cmd, int need_token);

/* Prints `liveblog CMD --help` to out. */
void cli_help(FILE *out, const struct cmd *cmd);

cmd_fn cmd_create, cmd_end, cmd_show;
cmd_fn cmd_post, cmd_edit, cmd_delete, cmd_redact;
cmd_fn cmd_tail, cmd_replay;
cmd_fn cmd_export;
cmd_fn cmd_import;

#endif
