/*
 * Sessions: `up` (start a recipe's services, wait until they are ready, leave them
 * running) and `run` (services -> ready -> clients -> results -> teardown of what the
 * session started). Owned by src/session/.
 *
 * Run folder (docs/architecture.md): RUN_DIR = WORKDIR/runs/RUN_ID on the executor's side, where
 * WORKDIR is the config's `workdir` (with $NAME and ~ expanded on the job side), else
 * $XDG_STATE_HOME/hpcbench (~/.local/state/hpcbench) for the local executor and
 * $HOME/hpcbench on the cluster for slurm/ssh (it must be on a shared file system).
 * `run --out DIR` with the local executor makes DIR itself the run folder; with slurm/ssh
 * DIR receives a copy of recipe.yaml, summary.json and every job's job.sh, logs, state,
 * endpoint and result files at the end.
 *
 * Every run and job is recorded in the state database as it goes, so that status, stop,
 * logs, endpoint and results work from other processes and after a crash. Progress goes
 * to stderr through log_info(); nothing is printed on stdout.
 */
#ifndef HPCBENCH_SESSION_SESSION_H
#define HPCBENCH_SESSION_SESSION_H

#include <signal.h>
#include <stddef.h>

#include "common/strbuf.h"

struct config;
struct store;

struct session_opts {
	const char *command;	    /* "run" or "up" */
	const char *const *recipes; /* recipe files */
	size_t nr_recipes;
	const char *executor;	     /* local (default), slurm, ssh */
	const char *out_dir;	     /* --out DIR, or NULL */
	const char *target_service;  /* --target-service ID, or NULL */
	const char *target_endpoint; /* --target-endpoint URL, or NULL */
	int no_wait;		     /* up: return once submitted */
	unsigned replicas;	     /* run --replicas N: every client's replicas (0: recipe's) */
	const struct config *cfg;
	struct store *st;
};

struct session_result {
	char *run_id; /* once the run was recorded, else NULL */
	char *run_dir;
	struct strbuf ids;     /* up: the service ids, one per line */
	struct strbuf table;   /* run: the summary table */
	struct strbuf summary; /* run: summary.json's text */
};

/* Set (by the signal handler that session_catch_signals installs) on SIGINT/SIGTERM/
 * SIGHUP: the session stops waiting and tears down what it started. */
extern volatile sig_atomic_t session_interrupted;
void session_catch_signals(void);

/*
 * Runs the session. Returns an exit code (common/error.h): 0; EXIT_FAILED (a service
 * never became ready or died, a client failed, interrupted) with the reason and the
 * failing job's log tail in err; EXIT_USAGE (bad recipe, option or id: nothing was
 * submitted); EXIT_UNREACHABLE. res is filled as far as the session got; release it with
 * session_result_release().
 */
int session_start(const struct session_opts *o, struct session_result *res, struct strbuf *err);
void session_result_release(struct session_result *res);

#endif
