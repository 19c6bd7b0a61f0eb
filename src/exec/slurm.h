/*
 * The SLURM executor: sbatch / squeue / sacct / scancel through a command runner, with
 * the job side's files reached directly (slurm: this machine is the login node) or
 * through the same runner (ssh: `cat`, `mkdir -p` on the login node).
 * Owned by src/exec/. executor_slurm_new() is declared in exec/executor.h.
 *
 *   submit  sbatch --parsable --chdir=JOB_DIR --output/--error=JOB_DIR/{out,err}.log
 *           [--time=LIMIT] [--dependency=after:ID --kill-on-invalid-dep=yes] job.sh,
 *           with inherited SBATCH_* / SLURM_* removed from the environment (local runner);
 *           native_id is "ID", or "ID;CLUSTER" when sbatch names a cluster.
 *   poll    one `squeue -h -t all -j IDS -O ...` for every unfinished job; `sacct` for the
 *           ids squeue no longer knows (skipped once SLURM says accounting is disabled);
 *           the job's own JOB_DIR/state (render.h) for READY, for exit codes and reasons,
 *           and as the fallback. Over ssh, squeue and the state files are one remote
 *           command: one round trip a poll (two when sacct is needed). A job nobody knows any more
 * and whose state file is not final is FAILED ("vanished"), never assumed COMPLETED. cancel scancel
 * IDS (one call; jobs already gone are not an error), then one poll so that the jobs show their new
 * state (CANCELLED, or still COMPLETING).
 */
#ifndef HPCBENCH_EXEC_SLURM_H
#define HPCBENCH_EXEC_SLURM_H

#include "exec/executor.h"

/*
 * For ssh.c: a SLURM executor named name whose open() is the caller's. The caller's
 * open() then hands over its runner with slurm_executor_attach().
 */
struct executor *slurm_executor_new_named(const char *name);
/*
 * Gives ex the runner rn (ex owns it from now on). remote: the job side's files are
 * reached through rn rather than this machine's file system.
 */
void slurm_executor_attach(struct executor *ex, struct runner *rn, int remote);
/*
 * Makes every later submit() fail with this message (e.g. hpcbench missing on the login
 * node, with install advice); the other operations keep working (status, stop).
 */
void slurm_executor_block_submit(struct executor *ex, const char *why);

/* SLURM's --time value for seconds: "MM:SS", "HH:MM:SS" or "D-HH:MM:SS" (buf >= 32). */
void slurm_format_time(char *buf, size_t size, uint64_t seconds);

#endif
