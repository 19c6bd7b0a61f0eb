/*
 * Tracking jobs recorded in the state database through their executors: the shared
 * core of run, up, status, stop, logs, endpoint and results. Owned by src/session/.
 */
#ifndef HPCBENCH_SESSION_TRACK_H
#define HPCBENCH_SESSION_TRACK_H

#include <stddef.h>

#include "common/strbuf.h"
#include "exec/executor.h"

struct config;
struct store;
struct store_job;
struct store_run;

/*
 * Creates and opens the executor `name`. Returns NULL with a reason in err; *unreachable
 * is then set when the cluster could not be reached (exit 3).
 */
struct executor *track_open_executor(const char *name, const struct config *cfg, int *unreachable,
				     struct strbuf *err);

/*
 * Polls jobs (non-final ones that were submitted) and writes what changed to the
 * database: state, node, reason, exit code, timestamps, and a service's endpoint URL
 * once it is READY. jobs are updated in place. ex NULL: one executor per executor name
 * is opened with cfg; jobs whose executor cannot be reached keep their recorded state
 * and *stale (may be NULL) is set. Returns 0, or -1 with a reason in err.
 */
int track_refresh(struct store *st, struct executor *ex, const struct config *cfg,
		  struct store_job *jobs, size_t n, int *stale, struct strbuf *err);

/*
 * Cancels the jobs that are not final (only these: ids hpcbench recorded), waits until
 * they ended and records their states. ex NULL: opened per executor name as above;
 * *unreachable (may be NULL) is set when an executor's cluster could not be reached.
 */
int track_cancel(struct store *st, struct executor *ex, const struct config *cfg,
		 struct store_job *jobs, size_t n, int *unreachable, struct strbuf *err);

/* Appends the last `lines` lines of the job's err.log and out.log, each line indented. */
void track_log_tail(struct executor *ex, const char *job_dir, unsigned lines, struct strbuf *out);

struct summary_result;
/*
 * Reads a client job's result files through ex (JOB_DIR/results.txt's list for a
 * parametric client, else JOB_DIR/result.json) and appends one entry per file found to
 * *res (shown = the job-side path). Missing files are skipped.
 */
void track_collect_results(struct executor *ex, const struct store_job *job,
			   struct summary_result **res, size_t *nr);

/* Reads JOB_DIR/endpoint.json's "url" into a new string (caller frees), or NULL. */
char *track_endpoint_url(struct executor *ex, const char *job_dir);

/*
 * The state to show for a run: its stored state, or ORPHANED for an ACTIVE/UP run whose
 * jobs still run but whose `run` process (on this host) is gone. Once every job of an
 * unfinished run is final, records the run as finished (COMPLETED, FAILED or CANCELLED
 * from its jobs) and returns that.
 */
const char *track_run_state(struct store *st, struct store_run *run, const struct store_job *jobs,
			    size_t n);

#endif
