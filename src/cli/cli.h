/*
 * The command table (tmux-style): one file per command, each defining one
 * `const struct cmd_entry cmd_<name>_entry`, listed in main.c.
 */
#ifndef HPCBENCH_CLI_CLI_H
#define HPCBENCH_CLI_CLI_H

#include <getopt.h>

struct config;

/* Shared state set up by the dispatcher before a command runs. */
struct cli_ctx {
	const char *config_path; /* --config, or NULL */
	int verbose;		 /* -v count */
	struct config *config;	 /* loaded on first use by cli_config() */
};

struct cmd_entry {
	const char *name;
	const char *alias;   /* or NULL */
	const char *usage;   /* "validate RECIPE..." */
	const char *summary; /* one line for `hpcbench help` */
	const char *help; /* full text for `hpcbench help CMD` / `CMD --help` (options, examples) */
	/* Optional: prints help built at run time (from a registry) after help. */
	void (*help_more)(void);
	/* argv[0] is the command name; returns an exit code (common/error.h). */
	int (*exec)(int argc, char **argv, struct cli_ctx *ctx);
};

/*
 * Loads the config once (--config, $HPCBENCH_CONFIG, $XDG_CONFIG_HOME/...); prints the
 * error and returns NULL if it is invalid (the caller returns EXIT_USAGE).
 */
struct config *cli_config(struct cli_ctx *ctx);

/*
 * getopt_long wrapper for commands: permutes (options may follow positionals), reports
 * an unknown option or a missing argument as a one-line error plus a hint.
 * Returns the option character, -1 at the end, or '?' after printing the error
 * (the caller returns EXIT_USAGE).
 */
int cli_getopt(const struct cmd_entry *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/* Prints "hpcbench: CMD: MESSAGE" and the usage hint; returns EXIT_USAGE. */
int cli_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints every line of err as "hpcbench: error: LINE" (to stderr). */
void cli_print_errors(const char *err);

/* Command table lookup by name, alias or unique prefix; NULL if none/ambiguous. */
const struct cmd_entry *cli_find_command(const char *name);
/* NULL-terminated array of all entries, sorted by name. */
extern const struct cmd_entry *const cli_commands[];

#endif
