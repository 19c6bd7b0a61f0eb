/*
 * Running a program here: fork + execvp of an argument vector (never a shell), stdin fed
 * from memory, stdout and stderr captured up to a cap, a hard timeout. The child runs in
 * its own process group, so Ctrl-C at the terminal does not reach it (teardown commands
 * such as scancel still run) and a timeout kills everything it started.
 * Owned by src/exec/.
 */
#ifndef HPCBENCH_EXEC_RUNNER_LOCAL_H
#define HPCBENCH_EXEC_RUNNER_LOCAL_H

#include <stddef.h>

#include "common/strbuf.h"

struct runner;

/* Default cap on each captured stream. */
#define RUNNER_MAX_CAPTURE ((size_t)64 << 20)

struct spawn_opts {
	const char *const *argv; /* argv[0] is looked up in PATH */
	const char *stdin_data;	 /* NULL: stdin is /dev/null */
	size_t stdin_len;
	struct strbuf *out;    /* appended to; NULL: stdout goes to /dev/null */
	struct strbuf *errout; /* appended to; NULL: stderr goes to /dev/null */
	unsigned timeout_ms;   /* 0: none; else TERM (then KILL) to its process group */
	size_t max_capture;    /* per stream; 0: RUNNER_MAX_CAPTURE */
	int scrub_slurm_env;   /* drop inherited SBATCH_* and SLURM_* (SLURM_CONF stays) */
	/* Results, besides the return value: */
	int timed_out; /* set when the timeout killed it */
	int not_found; /* set when argv[0] does not exist (ENOENT) */
};

/*
 * Runs o->argv to completion. Returns its exit status (0..255, 128+N when killed by
 * signal N), or -1 with a reason in err when it could not start, ran past the timeout
 * (o->timed_out) or wrote more than the cap.
 */
int spawn_run(struct spawn_opts *o, struct strbuf *err);

/*
 * A runner for commands on this machine (struct runner in exec/executor.h), with
 * scrub_slurm_env as above. Its close() frees it.
 */
struct runner *runner_local_new(int scrub_slurm_env);

/* Appends "prog arg ..." (for messages) to sb. */
void argv_describe(struct strbuf *sb, const char *const *argv);

/* Appends the last non-empty line of text (a command's stderr), for messages. */
void add_last_line(struct strbuf *sb, const char *text);

#endif
