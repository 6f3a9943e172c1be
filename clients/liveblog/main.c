/*
 * main.c — `liveblog`, the editor's command-line client: global options,
 * the command table and the help it drives.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "loop.h"
#include "msg.h"
#include "token.h"

#ifndef LIVEBLOG_VERSION
#define LIVEBLOG_VERSION "0.0.0"
#endif

#define DEFAULT_SERVER "http://127.0.0.1:8080"

static const struct cmd commands[] = {
	{ "create", cmd_create, "--title T [--id ID] [--lang TAG]",
	  "create a blog (admin token); prints it with its editor_token",
	  "Creates a liveblog. Needs the admin token (--token or LIVEBLOG_TOKEN).\n"
	  "Prints the new blog as one line of JSON including \"editor_token\",\n"
	  "which the server shows only this once; capture it, e.g.\n"
	  "  liveblog create --title Summit | jq -r .editor_token\n\n"
	  "  --title T   the title (required)\n"
	  "  --id ID     the id: a-z, 0-9 and '-' (default: the server picks)\n"
	  "  --lang TAG  its language, a BCP 47 tag such as fr or en-GB (default:\n"
	  "              the server's --default-lang)\n" },
	{ "post", cmd_post, "BLOG [--title T] [--key] [--pin] [--author A] "
	  "[--image FILE --alt TEXT [--caption T] [--credit C]]... TEXT|-",
	  "post an entry; prints it as JSON",
	  "Posts an entry to a live blog with its editor token. TEXT is plain\n"
	  "text: a blank line separates paragraphs, lines starting \"* \" are\n"
	  "bullets. \"-\" reads the text from standard input (trailing newlines\n"
	  "removed); put \"--\" before a TEXT that starts with '-'.\n\n"
	  "The entry gets a new id (a UUID) before it is sent. A post that fails\n"
	  "on the network or with a 5xx answer is sent again with the same id\n"
	  "(4 tries, 200 ms apart, doubling), so it is stored at most once.\n\n"
	  "Prints the stored entry as one line of JSON, with its \"id\" and\n"
	  "\"seq\", e.g. for `jq -r .id`.\n\n"
	  "  --title T    a headline\n"
	  "  --author A   the author's name\n"
	  "  --image FILE a picture (JPEG, PNG, WebP or GIF), uploaded first;\n"
	  "               up to 4, each followed by its own options:\n"
	  "  --alt TEXT   what the picture shows, for those who cannot see it\n"
	  "               (required)\n"
	  "  --caption T  a caption under the picture\n"
	  "  --credit C   who made it\n"
	  "  --key        mark it as a key event\n"
	  "  --pin        pin it above the stream (unpins the previous one)\n" },
	{ "edit", cmd_edit,
	  "BLOG ENTRY [TEXT|-] [--title T] [--key|--no-key] [--pin|--unpin]",
	  "correct an entry; prints it as JSON",
	  "Changes an entry (editor token): its text (\"-\" reads standard\n"
	  "input), title, key mark or pin. Readers see it was updated. Prints\n"
	  "the entry after the change as one line of JSON.\n\n"
	  "  --title T          new headline\n"
	  "  --key, --no-key    set or clear the key-event mark\n"
	  "  --pin, --unpin     pin or unpin the entry\n" },
	{ "delete", cmd_delete, "BLOG ENTRY", "delete an entry",
	  "Deletes an entry (editor token). Prints nothing on success.\n" },
	{ "redact", cmd_redact, "BLOG ENTRY [--reason R]",
	  "take an entry's content down everywhere (admin token)",
	  "A legal takedown (a court order, a minor's name): every stored event\n"
	  "of the entry keeps its place but loses its content, everywhere: the\n"
	  "log, replays, exports, pages, feeds, and the readers connected now,\n"
	  "who drop the entry. Also on an ended blog. Needs the admin token.\n"
	  "Redacting twice is harmless. Prints {\"entry_id\",\"redacted_at\"}.\n\n"
	  "  --reason R   why (kept with the redaction, never shown to readers)\n" },
	{ "end", cmd_end, "BLOG", "end a blog for good; prints it as JSON",
	  "Ends the liveblog (editor token): it is frozen for good and readers\n"
	  "are told. Ending twice is harmless. Prints the blog as one line of\n"
	  "JSON.\n" },
	{ "show", cmd_show, "BLOG", "print a blog and its entries",
	  "Prints the blog (title, state, times), its key events, then its\n"
	  "current entries oldest first, with edits applied and deleted ones\n"
	  "left out. Times are local.\n" },
	{ "tail", cmd_tail, "BLOG", "follow a blog live until it ends",
	  "Prints the blog's entries, then new ones as they are posted, and\n"
	  "edits, deletions and the end, over the live WebSocket. Key events\n"
	  "are marked KEY. A lost connection is resumed from the last event\n"
	  "seen, with backoff. Exits 0 when the blog has ended.\n" },
	{ "replay", cmd_replay, "BLOG [--speed N]",
	  "replay a blog with its original timing",
	  "Plays the blog's events back as tail shows them, with the original\n"
	  "pauses divided by N (default 1; the server caps long silences).\n\n"
	  "  --speed N   how many times faster than real time (a number > 0)\n" },
	{ "export", cmd_export, "BLOG", "print all events as JSON lines",
	  "Prints every event of the blog (entry, edit, delete, ended) in\n"
	  "order, one JSON object per line, as the server stores them: the\n"
	  "input of `liveblog import`. Each picture is written once, before the\n"
	  "first event that uses it, as {\"type\":\"media\",\"id\",\"content_type\",\n"
	  "\"data\":BASE64}; its bytes are checked against its id (SHA-256).\n" },
	{ "import", cmd_import, "BLOG FILE|-",
	  "apply an export to a live blog",
	  "Applies an export (FILE, or \"-\" for standard input) to an existing\n"
	  "live blog with its editor token: posts each entry with its original\n"
	  "id, sending its original time as \"original_ts\"; applies edits and\n"
	  "deletions; uploads the export's pictures before the entries that use\n"
	  "them; ends the blog if the export ended. The whole file is\n"
	  "checked before anything is sent. Entries already there with the same\n"
	  "content are accepted, so an interrupted import can be run again.\n"
	  "Prints a one-line summary.\n" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

#define GLOBAL_OPTS "[--server URL] [--token TOKEN | --token-file FILE]"

static const char global_usage[] =
	"usage: liveblog " GLOBAL_OPTS " COMMAND [ARGS...]\n";

/* `liveblog --help`. */
static void global_help(void)
{
	size_t i;

	fputs(global_usage, stdout);
	fputs("\nThe editor's client of a liveblog server.\n\ncommands:\n",
	      stdout);
	for (i = 0; i < N_COMMANDS; i++)
		printf("  %-7s %s\n", commands[i].name, commands[i].summary);
	printf("\noptions (also accepted after the command):\n"
	       "  --server URL        the server (default $LIVEBLOG_SERVER, else\n"
	       "                      %s)\n"
	       "  --token TOKEN       bearer token: the admin token for create, the\n"
	       "                      blog's editor token for writes\n"
	       "  --token-file FILE   read the token from the first line of FILE\n"
	       "                      (keeps it out of ps and shell history)\n"
	       "  --help              this help; `liveblog COMMAND --help` for one\n"
	       "  --version           print the version\n\n"
	       "The token comes from --token or --token-file (not both), else from\n"
	       "$LIVEBLOG_TOKEN or $LIVEBLOG_TOKEN_FILE (not both). It is sent to\n"
	       "the origin of --server only; redirects are never followed (a 3xx\n"
	       "answer is an error naming its Location).\n\n"
	       "environment: LIVEBLOG_SERVER, LIVEBLOG_TOKEN, LIVEBLOG_TOKEN_FILE,\n"
	       "LIVEBLOG_TIMEOUT (seconds one request may take, default 15),\n"
	       "LIVEBLOG_DEBUG (lws log level bits).\n\n"
	       "exit status: 0 done, 1 the server or the network failed (one line\n"
	       "on stderr says why), 2 bad arguments.\n", DEFAULT_SERVER);
}

void cli_help(FILE *out, const struct cmd *cmd)
{
	fprintf(out, "usage: liveblog " GLOBAL_OPTS " %s %s\n\n%s",
		cmd->name, cmd->usage, cmd->help);
}

int cli_connect(struct cli *cli, const struct cmd *cmd, int need_token)
{
	char why[128];
	const char *token, *t;

	if (url_parse(cli->server, &cli->api.url, why, sizeof(why)))
		return args_usage(cmd, "bad server url '%.200s': %s",
				  cli->server, why);
	if (token_resolve(cli, cmd, &token))
		return CLI_USAGE;
	if (need_token && !token)
		return args_usage(cmd, "no token: use --token, --token-file, "
				  "LIVEBLOG_TOKEN or LIVEBLOG_TOKEN_FILE");
	if (token && strlen(token) > TOKEN_MAX)
		return args_usage(cmd, "the token is longer than %d bytes",
				  TOKEN_MAX);
	/* The token goes into a header: no controls, no spaces. */
	for (t = token; t && *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t == 0x7f)
			return args_usage(cmd, "the token holds invalid characters");
	cli->api.token = token;
	cli->api.server = cli->server;
	return CLI_OK;
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* A usage error before any command is known. Returns CLI_USAGE. */
static int global_usage_error(const char *what, const char *arg)
{
	msg_error("%s '%.80s'", what, arg);
	fputs(global_usage, stderr);
	return CLI_USAGE;
}

/* `liveblog help [COMMAND]`. */
static int help_cmd(int argc, char **argv)
{
	const struct cmd *cmd;

	if (argc < 2) {
		global_help();
		return CLI_OK;
	}
	if (!(cmd = find_cmd(argv[1])))
		return global_usage_error("unknown command", argv[1]);
	cli_help(stdout, cmd);
	return CLI_OK;
}

/*
 * Takes the global options before the command. Returns the index of the
 * command word, or -(exit code + 1) when done (help, version, error).
 */
static int global_opts(struct cli *cli, int argc, char **argv)
{
	int i;
	const char *a, **dst;
	size_t n;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			global_help();
			return -(CLI_OK + 1);
		}
		if (!strcmp(a, "--version")) {
			printf("liveblog %s\n", LIVEBLOG_VERSION);
			return -(CLI_OK + 1);
		}
		n = strcspn(a, "=");
		dst = n == 8 && !strncmp(a, "--server", 8) ? &cli->server :
		      n == 7 && !strncmp(a, "--token", 7) ? &cli->token :
		      n == 12 && !strncmp(a, "--token-file", 12) ?
		      &cli->token_file : NULL;
		if (!dst)
			return -(global_usage_error("unknown option", a) + 1);
		if (a[n] == '=')
			*dst = a + n + 1;
		else if (i + 1 < argc)
			*dst = argv[++i];
		else
			return -(global_usage_error("missing value for", a) + 1);
	}
	if (i >= argc) {
		msg_error("missing command (see liveblog --help)");
		fputs(global_usage, stderr);
		return -(CLI_USAGE + 1);
	}
	return i;
}

int main(int argc, char **argv)
{
	struct cli cli;
	const struct cmd *cmd;
	int i, rc;

	memset(&cli, 0, sizeof(cli));
	cli.server = getenv("LIVEBLOG_SERVER");
	if (!cli.server || !*cli.server)
		cli.server = DEFAULT_SERVER;
	/* A reader that goes away must not kill us mid-write. */
	signal(SIGPIPE, SIG_IGN);
	i = global_opts(&cli, argc, argv);
	if (i < 0)
		return -i - 1;
	if (!strcmp(argv[i], "help"))
		return help_cmd(argc - i, argv + i);
	if (!(cmd = find_cmd(argv[i])))
		return global_usage_error("unknown command", argv[i]);
	rc = cmd->run(&cli, cmd, argc - i, argv + i);
	loop_free();
	if (fflush(stdout) && rc == CLI_OK) {
		msg_error("%s: cannot write the output", cmd->name);
		rc = CLI_FAIL;
	}
	return rc;
}
