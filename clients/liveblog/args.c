/*
 * args.c — command argument parsing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "msg.h"

int args_usage(const struct cmd *cmd, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	msg_error("%s: %s", cmd->name, line);
	fprintf(stderr, "usage: liveblog %s %s\n", cmd->name, cmd->usage);
	return CLI_USAGE;
}

int args_blog(const struct cmd *cmd, const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-");

	if (!*id || id[n] || n > 64 || *id == '-')
		return args_usage(cmd, "invalid blog id '%.80s' (expected "
				  "a-z, 0-9 and '-', at most 64)", id);
	return 0;
}

/* True when --help or -h comes before any "--". */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

/* Finds the option named by arg (up to '=' if any) in opts. */
static const struct arg_opt *find_opt(const struct arg_opt *opts,
				      const char *arg)
{
	size_t n = strcspn(arg, "=");

	for (; opts->name; opts++)
		if (strlen(opts->name) == n && !strncmp(opts->name, arg, n))
			return opts;
	return NULL;
}

/*
 * Applies option argv[*i] (which may take argv[*i + 1] as its value).
 * Returns 0, or CLI_USAGE after printing.
 */
static int take_opt(const struct cmd *cmd, const struct arg_opt *o,
		    int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');

	const char *v;

	if (o->flag) {
		if (eq)
			return args_usage(cmd, "option '%s' takes no value",
					  o->name);
		*o->flag = 1;
		return 0;
	}
	if (eq)
		v = eq + 1;
	else if (*i + 1 >= argc)
		return args_usage(cmd, "option '%s' needs a value", o->name);
	else
		v = argv[++*i];
	if (!o->seq) {
		*o->value = v;
		return 0;
	}
	if (o->seq->n == ARGS_SEQ_MAX)
		return args_usage(cmd, "too many options like '%s'", o->name);
	o->seq->v[o->seq->n].name = o->name;
	o->seq->v[o->seq->n++].value = v;
	return 0;
}

int args_parse(struct cli *cli, const struct cmd *cmd,
	       const struct arg_opt *opts, int argc, char **argv,
	       const char **pos, int minpos, int maxpos, int *npos)
{
	const struct arg_opt globals[] = {
		{ "--server", &cli->server, NULL, NULL },
		{ "--token", &cli->token, NULL, NULL },
		{ "--token-file", &cli->token_file, NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};
	const struct arg_opt *o;
	int i, only_pos = 0;

	if (wants_help(argc, argv)) {
		cli_help(stdout, cmd);
		return CLI_OK;
	}
	*npos = 0;
	for (i = 1; i < argc; i++) {
		if (!only_pos && !strcmp(argv[i], "--")) {
			only_pos = 1;
		} else if (only_pos || argv[i][0] != '-' || !argv[i][1]) {
			if (*npos >= maxpos)
				return args_usage(cmd, "too many arguments");
			pos[(*npos)++] = argv[i];
		} else if ((o = find_opt(opts, argv[i])) ||
			   (o = find_opt(globals, argv[i]))) {
			if (take_opt(cmd, o, argc, argv, &i))
				return CLI_USAGE;
		} else {
			return args_usage(cmd, "unknown option '%.80s'", argv[i]);
		}
	}
	if (*npos < minpos)
		return args_usage(cmd, "missing arguments");
	return ARGS_GO_ON;
}
