/* hpcbench entry point: global options, the command table, dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/log.h"
#include "common/provenance.h"
#include "common/strbuf.h"
#include "common/suggest.h"
#include "common/xalloc.h"
#include "config/config.h"

extern const struct cmd_entry cmd_compare_entry;
extern const struct cmd_entry cmd_endpoint_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_load_entry;
extern const struct cmd_entry cmd_logs_entry;
extern const struct cmd_entry cmd_merge_entry;
extern const struct cmd_entry cmd_render_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_results_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_stop_entry;
extern const struct cmd_entry cmd_tunnel_entry;
extern const struct cmd_entry cmd_up_entry;
extern const struct cmd_entry cmd_validate_entry;
extern const struct cmd_entry cmd_version_entry;

/* Sorted by name. */
const struct cmd_entry *const cli_commands[] = {
	&cmd_compare_entry,  &cmd_endpoint_entry, &cmd_help_entry,
	&cmd_list_entry,     &cmd_load_entry,	  &cmd_logs_entry,
	&cmd_merge_entry,    &cmd_render_entry,	  &cmd_report_entry,
	&cmd_results_entry,  &cmd_run_entry,	  &cmd_status_entry,
	&cmd_stop_entry,     &cmd_tunnel_entry,	  &cmd_up_entry,
	&cmd_validate_entry, &cmd_version_entry,  NULL,
};

const struct cmd_entry *cli_find_command(const char *name)
{
	const struct cmd_entry *found = NULL;
	size_t len = strlen(name);
	int matches = 0;
	for (size_t i = 0; cli_commands[i]; i++) {
		const struct cmd_entry *c = cli_commands[i];
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
		if (len && !strncmp(c->name, name, len)) {
			found = c;
			matches++;
		}
	}
	return matches == 1 ? found : NULL;
}

void cli_print_errors(const char *err)
{
	const char *p = err;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n)
			fprintf(stderr, "hpcbench: error: %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

int cli_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hpcbench: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nhpcbench: usage: hpcbench %s (see 'hpcbench help %s')\n", cmd->usage,
		cmd->name);
	return EXIT_USAGE;
}

int cli_getopt(const struct cmd_entry *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char sopts[128];
	int c;
	/* Leading ':' makes getopt report a missing argument as ':' instead of '?'. */
	snprintf(sopts, sizeof(sopts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, sopts, longopts, NULL);
	if (c == '?') {
		const char *bad = argv[optind - 1];
		if (optopt && (!bad || strncmp(bad, "--", 2)))
			cli_usage_error(cmd, "unknown option '-%c'", optopt);
		else
			cli_usage_error(cmd, "unknown option '%s'", bad ? bad : "?");
		return '?';
	}
	if (c == ':') {
		const char *bad = argv[optind - 1];
		if (optopt && (!bad || strncmp(bad, "--", 2)))
			cli_usage_error(cmd, "option '-%c' needs a value", optopt);
		else
			cli_usage_error(cmd, "option '%s' needs a value", bad ? bad : "?");
		return '?';
	}
	return c;
}

struct config *cli_config(struct cli_ctx *ctx)
{
	struct strbuf err = STRBUF_INIT;
	if (ctx->config)
		return ctx->config;
	ctx->config = config_load(ctx->config_path, &err);
	if (!ctx->config)
		cli_print_errors(err.buf);
	strbuf_release(&err);
	return ctx->config;
}

static void print_main_usage(FILE *f)
{
	fprintf(f, "usage: hpcbench [--config FILE] [-v] COMMAND [ARGS]\n\n"
		   "Deploy AI and data services on HPC clusters, benchmark them, and bring\n"
		   "back results you can trust.\n\ncommands:\n");
	for (size_t i = 0; cli_commands[i]; i++) {
		const struct cmd_entry *c = cli_commands[i];
		/* A long usage gets its own line, so the summaries stay in one column. */
		if (strlen(c->usage) > 34)
			fprintf(f, "  %s\n  %-34s %s\n", c->usage, "", c->summary);
		else
			fprintf(f, "  %-34s %s\n", c->usage, c->summary);
	}
	fprintf(f, "\nglobal options:\n"
		   "  --config FILE   config file (default: $HPCBENCH_CONFIG, then\n"
		   "                  $XDG_CONFIG_HOME/hpcbench/config.yaml)\n"
		   "  -v, --verbose   more detail on stderr\n"
		   "  -h, --help      this help; 'hpcbench help COMMAND' for one command\n\n"
		   "exit codes: 0 success, 1 the work failed, 2 bad usage or input,\n"
		   "            3 the cluster could not be reached\n");
}

/* Prints the full help of one command to stdout. */
static void print_command_help(const struct cmd_entry *c)
{
	printf("usage: hpcbench %s\n\n%s\n", c->usage, c->summary);
	if (c->help && *c->help)
		printf("\n%s", c->help);
	if (c->help_more)
		c->help_more();
}

static int unknown_command(const char *name)
{
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; cli_commands[i] && n < ARRAY_SIZE(names) - 1; i++)
		names[n++] = cli_commands[i]->name;
	names[n] = NULL;
	const char *near = suggest_nearest(name, names);
	if (near)
		fprintf(stderr, "hpcbench: unknown command '%s' (did you mean '%s'?)\n", name,
			near);
	else
		fprintf(stderr, "hpcbench: unknown command '%s'\n", name);
	fprintf(stderr, "hpcbench: see 'hpcbench help' for the list of commands\n");
	return EXIT_USAGE;
}

static int cmd_help_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)ctx;
	if (argc < 2) {
		print_main_usage(stdout);
		return EXIT_OK;
	}
	const struct cmd_entry *c = cli_find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	print_command_help(c);
	return EXIT_OK;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "help [COMMAND]",
	.summary = "show the commands, or the full help of one command",
	.help = "Without COMMAND, lists every command. 'hpcbench COMMAND --help' is the same\n"
		"as 'hpcbench help COMMAND'.\n",
	.exec = cmd_help_exec,
};

/* True if args (up to a "--") ask for help. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = { 0 };
	const struct cmd_entry *cmd;
	int i = 1, ret;

	provenance_set_argv(argc, argv);
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			ctx.verbose++;
		} else if (!strcmp(a, "-vv")) {
			ctx.verbose += 2;
		} else if (!strcmp(a, "--config") || !strcmp(a, "-c")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "hpcbench: option '%s' needs a file\n", a);
				return EXIT_USAGE;
			}
			ctx.config_path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			ctx.config_path = a + 9;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_main_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--version")) {
			argv[i] = (char *)"version";
			break;
		} else {
			fprintf(stderr, "hpcbench: unknown option '%s'\n", a);
			fprintf(stderr, "hpcbench: see 'hpcbench help'\n");
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	log_verbose = ctx.verbose;
	cmd = cli_find_command(argv[i]);
	if (!cmd)
		return unknown_command(argv[i]);
	if (wants_help(argc - i, argv + i)) {
		print_command_help(cmd);
		return EXIT_OK;
	}
	optind = 0; /* full getopt re-initialisation for the command's own parsing */
	ctx.cmd = cmd;
	ret = cmd->exec(argc - i, argv + i, &ctx);
	cli_ctx_release(&ctx);
	fflush(stdout);
	return ret;
}
