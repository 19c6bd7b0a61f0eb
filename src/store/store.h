/*
 * Persistent state (docs/architecture.md): one SQLite database recording runs, their jobs and
 * their result files, so that status, stop, logs, endpoint and results work across
 * invocations and after a crash. Owned by src/store/.
 *
 * The database lives at $XDG_STATE_HOME/hpcbench/state.db (~/.local/state/hpcbench/...),
 * in WAL mode with a busy timeout, so several hpcbench processes may use it at once.
 * The file (and its -wal/-shm companions) are mode 0600, the folder 0700. The schema
 * carries a version (PRAGMA user_version); store_open() migrates older files forward
 * and refuses files written by a newer hpcbench. Every statement is prepared with bound
 * parameters.
 *
 * Strings in the records below are owned by the record; release them with
 * store_run_release() / store_job_release(), or whole arrays with store_runs_free(),
 * store_jobs_free() and store_results_free().
 */
#ifndef HPCBENCH_STORE_STORE_H
#define HPCBENCH_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

struct store;

/* Run states as stored. A run in RUN_ACTIVE/RUN_UP whose owner process is gone is
 * shown as ORPHANED by the commands (that is computed, never stored). */
#define RUN_ACTIVE "ACTIVE"	  /* a `run` session in progress */
#define RUN_UP "UP"		  /* services started by `up`, left running */
#define RUN_COMPLETED "COMPLETED" /* every job ended well */
#define RUN_FAILED "FAILED"	  /* a service never became ready, a job failed ... */
#define RUN_CANCELLED "CANCELLED" /* interrupted (Ctrl-C) or stopped */

struct store_run {
	char *id;			 /* YYYYMMDD-HHMMSS-xxxx */
	char *command;			 /* "run" or "up" */
	char *recipes;			 /* recipe paths, one per line */
	char *executor;			 /* local, slurm, ssh */
	char *run_dir;			 /* on the executor's side */
	char *out_dir;			 /* --out DIR (local copy for remote runs), or NULL */
	char *host;			 /* the machine hpcbench ran on */
	int64_t pid;			 /* the hpcbench process driving the run */
	char *state;			 /* RUN_* */
	char *message;			 /* why it failed, or NULL */
	int64_t created_at, finished_at; /* epoch seconds; 0 = not yet */
};

/* A job's state: an enum everywhere inside hpcbench; job_state_name() is its text at the
 * boundaries (the database, JSON, the terminal, the job's own state file). */
enum job_state {
	JS_UNKNOWN = 0,
	JS_PENDING, /* queued; reason says why */
	JS_RUNNING,
	JS_READY,     /* service: endpoint.json written */
	JS_COMPLETED, /* exited 0 */
	JS_FAILED,    /* exited non-zero, node failure, out of memory ... */
	JS_CANCELLED, /* stopped by hpcbench (stop, end of a session) or by scancel */
	JS_TIMEOUT,
};
const char *job_state_name(enum job_state s); /* "PENDING", ... */
/* The state named by job_state_name(); JS_UNKNOWN for anything else (or NULL). */
enum job_state job_state_from_name(const char *name);
int job_state_is_final(enum job_state s);

/*
 * The one model of a job once it is planned: recorded here, submitted, polled and
 * cancelled by its executor (exec/executor.h, which updates native_id, node, state,
 * exit_code and reason in place), shown by status and results. Release with
 * store_job_release().
 */
struct store_job {
	char *id; /* NAME_XXXXXXXX, unique */
	char *run_id;
	char *kind;   /* service, client, monitor */
	char *name;   /* recipe name */
	char *recipe; /* recipe path */
	char *executor;
	char *native_id; /* SLURM job id or local process group id; NULL before submission */
	char *job_dir;	 /* on the executor's side */
	char *node;	 /* or NULL */
	char *endpoint;	 /* services: URL once ready, or NULL */
	enum job_state state;
	char *reason;	   /* pending/failure reason, or NULL */
	int64_t exit_code; /* -1 unknown */
	int64_t submitted_at, started_at, ready_at, finished_at; /* epoch seconds; 0 = not yet */
};

struct store_result {
	char *run_id;
	char *job_id;
	char *path;	  /* result.json on the executor's side */
	char *local_path; /* a copy on this machine (pulled), or NULL */
};

/*
 * The default database path ($XDG_STATE_HOME/hpcbench/state.db, else
 * $HOME/.local/state/hpcbench/state.db). Caller frees.
 */
char *store_default_path(void);

/*
 * Opens (creating if needed, with its folder) and migrates the database at path;
 * ":memory:" gives a private in-memory database. Returns NULL with a reason in err.
 */
struct store *store_open(const char *path, struct strbuf *err);
void store_close(struct store *st);
/* The schema version this build writes. */
int store_schema_version(void);

/* Runs. store_run_get: 0 found, 1 not found, -1 error. */
int store_run_insert(struct store *st, const struct store_run *r, struct strbuf *err);
int store_run_finish(struct store *st, const char *id, const char *state, const char *message,
		     int64_t finished_at, struct strbuf *err);
int store_run_get(struct store *st, const char *id, struct store_run *out, struct strbuf *err);
/* The most recent run (by creation), or 1 when there is none. */
int store_run_latest(struct store *st, struct store_run *out, struct strbuf *err);
/* Every run, oldest first. *out is a new array (caller frees with store_runs_free). */
int store_run_list(struct store *st, struct store_run **out, size_t *nr, struct strbuf *err);
void store_run_release(struct store_run *r);
void store_runs_free(struct store_run *runs, size_t nr);

/* Jobs. store_job_update writes every mutable field (native_id .. finished_at). */
int store_job_insert(struct store *st, const struct store_job *j, struct strbuf *err);
int store_job_update(struct store *st, const struct store_job *j, struct strbuf *err);
int store_job_get(struct store *st, const char *id, struct store_job *out, struct strbuf *err);
/* Jobs of one run (run_id) or of all runs (NULL), in submission order (services first);
 * active_only: only jobs whose state is not final. */
int store_job_list(struct store *st, const char *run_id, int active_only, struct store_job **out,
		   size_t *nr, struct strbuf *err);
void store_job_release(struct store_job *j);
void store_jobs_free(struct store_job *jobs, size_t nr);

/* Result files: one per client job; store_result_set inserts or replaces. */
int store_result_set(struct store *st, const struct store_result *res, struct strbuf *err);
int store_result_list(struct store *st, const char *run_id, struct store_result **out, size_t *nr,
		      struct strbuf *err);
void store_results_free(struct store_result *res, size_t nr);

#endif
