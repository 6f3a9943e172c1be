/*
 * token.h — where the bearer token comes from: --token or --token-file on
 * the command line, else LIVEBLOG_TOKEN or LIVEBLOG_TOKEN_FILE in the
 * environment. Giving both forms at the same level is an error, never a
 * silent choice.
 */
#ifndef LIVEBLOG_CLI_TOKEN_H
#define LIVEBLOG_CLI_TOKEN_H

#include "cli.h"

/*
 * Sets *out to the token to send (cli->token, the environment's, or the
 * first line of a token file read into cli->token_buf), or NULL when none
 * is given. Returns CLI_OK, or CLI_USAGE after printing one line (both
 * forms given; a token file missing, unreadable, empty or with a first
 * line over TOKEN_MAX bytes).
 */
int token_resolve(struct cli *cli, const struct cmd *cmd, const char **out);

#endif
