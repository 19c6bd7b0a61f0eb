/*
 * The local executor: runs job scripts (`bash JOB_DIR/job.sh`) on this machine.
 * Owned by src/exec/.
 *
 * Each job gets a small supervisor process (a fork of hpcbench, in its own session, so
 * that it survives `hpcbench up` exiting and Ctrl-C at the terminal never reaches it).
 * The supervisor starts the script in a new process group, with stdin /dev/null and
 * stdout/stderr appended to JOB_DIR/out.log and JOB_DIR/err.log, enforces the time
 * limit (TERM to the group, KILL 10 s later), adopts the job's orphans
 * (PR_SET_CHILD_SUBREAPER) and, once the script has exited, stops whatever the job left
 * behind, then records the outcome. Files in JOB_DIR, besides the script's own
 * (state, endpoint.json, ...):
 *   local.pid     "PGID SUPERVISOR_PID SUPERVISOR_START" (start time in clock ticks
 *                 since boot, so a reused PID is not mistaken for the supervisor)
 *   local.exit    the outcome, written last: "EXIT CODE EPOCH", "SIGNAL N EPOCH" or
 *                 "TIMEOUT LIMIT_S EPOCH"
 *   local.cancel  written by cancel() before it signals the job
 *
 * native_id is the job's process group id. State comes from local.exit when present,
 * else from the script's state file while the supervisor (or the group) is alive; a job
 * whose processes are all gone without an outcome is FAILED ("vanished").
 */
#ifndef HPCBENCH_EXEC_LOCAL_H
#define HPCBENCH_EXEC_LOCAL_H

struct executor;

/* A new local executor (never NULL); executor_free() releases it. */
struct executor *executor_local_new(void);

#endif
