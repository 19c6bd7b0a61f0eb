/*
 * The command table (tmux-style): one file per command, each defining one
 * `const struct cmd_entry cmd_<name>_entry`, listed in main.c.
 */
#ifndef HPCBENCH_CLI_CLI_H
#define HPCBENCH_CLI_CLI_H

#include <getopt.h>

#include "store/store.h"

struct config;
struct executor;

/*
 * The set-up a command needs, declared in its entry (git's RUN_SETUP, tmux's .target)
 * and done by cli_setup() in this order: config, state database, job, executor. Each
 * flag implies the ones before it that it needs. The dispatcher releases what was set up
 * after the command returns.
 */
enum cmd_flag {
	CMD_CONFIG = 1 << 0,   /* ctx->config: the config (invalid: exit 2) */
	CMD_STORE = 1 << 1,    /* ctx->store: the state database (cannot open: exit 1) */
	CMD_JOB = 1 << 2,      /* ctx->job: the job whose id cli_setup() is given */
	CMD_SERVICE = 1 << 3,  /* with CMD_JOB: a client's id is refused (exit 2) */
	CMD_EXECUTOR = 1 << 4, /* ctx->ex: the job's executor, open (unreachable: exit 3) */
};

/* Shared state set up by the dispatcher before a command runs. */
struct cli_ctx {
	const char *config_path;     /* --config, or NULL */
	int verbose;		     /* -v count */
	const struct cmd_entry *cmd; /* the command being run */
	struct config *config;	     /* loaded on first use by cli_config() */
	struct store *store;	     /* CMD_STORE */
	struct store_job job;	     /* CMD_JOB (zeroed otherwise) */
	struct executor *ex;	     /* CMD_EXECUTOR, or cli_executor() */
};

struct cmd_entry {
	const char *name;
	const char *alias;   /* or NULL */
	const char *usage;   /* "validate RECIPE..." */
	const char *summary; /* one line for `hpcbench help` */
	const char *help; /* full text for `hpcbench help CMD` / `CMD --help` (options, examples) */
	/* Optional: prints help built at run time (from a registry) after help. */
	void (*help_more)(void);
	unsigned flags;	     /* enum cmd_flag: what cli_setup() prepares */
	const char *job_for; /* CMD_SERVICE: what a service is needed for ("endpoints") */
	/* argv[0] is the command name; returns an exit code (common/error.h). */
	int (*exec)(int argc, char **argv, struct cli_ctx *ctx);
};

/*
 * Loads the config once (--config, $HPCBENCH_CONFIG, $XDG_CONFIG_HOME/...); prints the
 * error and returns NULL if it is invalid (the caller returns EXIT_USAGE).
 */
struct config *cli_config(struct cli_ctx *ctx);

/*
 * Does the set-up ctx->cmd->flags ask for, once the command has parsed its options;
 * job_id names the job for CMD_JOB (else NULL). Prints any error and returns its exit
 * code (EXIT_USAGE bad config or unknown id, EXIT_FAILED the database failed,
 * EXIT_UNREACHABLE the cluster), or EXIT_OK. What it set up is released by the
 * dispatcher (cli_ctx_release).
 */
int cli_setup(struct cli_ctx *ctx, const char *job_id);
/*
 * Opens the executor `name` into ctx->ex (for commands that pick it from a run record);
 * prints the error and returns its exit code, or EXIT_OK.
 */
int cli_executor(struct cli_ctx *ctx, const char *name);
/* Releases what the dispatcher and cli_setup() set up in ctx. */
void cli_ctx_release(struct cli_ctx *ctx);

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
