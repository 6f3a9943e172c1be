/*
 * token.c — the token's sources and their precedence.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "token.h"

/* An environment variable, NULL when unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * Reads the first line of f into buf (TOKEN_MAX + 1 bytes) without its
 * "\n" or "\r\n". Returns NULL, or why it cannot (for a message).
 */
static const char *first_line(FILE *f, char *buf)
{
	char line[TOKEN_MAX + 3];	/* the token, "\r\n" and the NUL */
	size_t n;
	int whole;

	errno = 0;
	if (!fgets(line, sizeof(line), f))
		return ferror(f) ? strerror(errno ? errno : EIO) : "it is empty";
	n = strcspn(line, "\n");
	whole = line[n] == '\n' || feof(f);
	if (n && line[n - 1] == '\r')
		n--;
	if (!whole || n > TOKEN_MAX)
		return "its first line is longer than " TOKEN_MAX_TEXT " bytes";
	if (!n)
		return "its first line is empty";
	memcpy(buf, line, n);
	buf[n] = '\0';
	return NULL;
}

/* Reads the token file path into buf. Returns 0, or CLI_USAGE after a line. */
static int read_file(const struct cmd *cmd, const char *path, char *buf)
{
	const char *why;
	FILE *f;

	if (!(f = fopen(path, "r"))) {
		why = strerror(errno);
		goto out_fail;
	}
	why = first_line(f, buf);
	fclose(f);
	if (!why)
		return 0;
out_fail:
	msg_error("%s: cannot use the token file '%.200s': %s", cmd->name,
		  path, why);
	return CLI_USAGE;
}

/*
 * Picks from one level (the command line, or the environment): a token,
 * a token file, or neither. both_msg names the two when both are set.
 */
static int pick(struct cli *cli, const struct cmd *cmd, const char *token,
		const char *file, const char *both_msg, const char **out)
{
	if (token && file) {
		msg_error("%s: %s", cmd->name, both_msg);
		return CLI_USAGE;
	}
	*out = token && *token ? token : NULL;
	if (!file)
		return CLI_OK;
	if (read_file(cmd, file, cli->token_buf))
		return CLI_USAGE;
	*out = cli->token_buf;
	return CLI_OK;
}

int token_resolve(struct cli *cli, const struct cmd *cmd, const char **out)
{
	*out = NULL;
	if (cli->token || cli->token_file)
		return pick(cli, cmd, cli->token, cli->token_file,
			    "give --token or --token-file, not both", out);
	return pick(cli, cmd, env("LIVEBLOG_TOKEN"), env("LIVEBLOG_TOKEN_FILE"),
		    "LIVEBLOG_TOKEN and LIVEBLOG_TOKEN_FILE are both set; "
		    "unset one", out);
}
