/*
 * args.h — parsing of a command's arguments: its options, the global
 * ones (--server, --token, --token-file, --help) wherever they appear,
 * and its positional arguments.
 */
#ifndef LIVEBLOG_CLI_ARGS_H
#define LIVEBLOG_CLI_ARGS_H

#include "cli.h"

#define ARGS_SEQ_MAX 32

/* Options that may repeat, in the order given (--image F --alt A ...). */
struct arg_seq {
	int n;
	struct { const char *name, *value; } v[ARGS_SEQ_MAX];
};

struct arg_opt {
	const char *name;	/* "--title" */
	const char **value;	/* set for an option taking a value */
	int *flag;		/* set to 1 for a switch */
	struct arg_seq *seq;	/* or: every occurrence's value appended here */
};

#define ARGS_GO_ON (-1)

/*
 * Parses argv[1..argc) of cmd: options of opts (NULL-terminated; values
 * as "--opt V" or "--opt=V"), the global options, and between minpos and
 * maxpos positionals into pos[]. "--" ends the options; "-" is a
 * positional. Returns ARGS_GO_ON with *npos set, or an exit code: CLI_OK
 * after printing the help, CLI_USAGE after a usage error.
 */
int args_parse(struct cli *cli, const struct cmd *cmd,
	       const struct arg_opt *opts, int argc, char **argv,
	       const char **pos, int minpos, int maxpos, int *npos);

/*
 * Prints "liveblog: NAME: <message>" and the usage line of cmd on
 * stderr. Returns CLI_USAGE.
 */
__attribute__((format(printf, 2, 3)))
int args_usage(const struct cmd *cmd, const char *fmt, ...);

/*
 * Checks a blog id is a slug [a-z0-9][a-z0-9-]{0,63}. Returns 0, or
 * CLI_USAGE after printing.
 */
int args_blog(const struct cmd *cmd, const char *id);

#endif
