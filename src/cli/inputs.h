/*
 * What `report` and `compare` read: each argument names a result file, a folder of them
 * (searched two levels deep for *.json result files, e.g. a `results --pull` copy or a
 * run folder), or a run of the state database by id (its client jobs' result files,
 * fetched through the run's executor as `results` does, or the copies pulled earlier
 * when the cluster is out of reach). NULL names the latest run.
 * Owned by src/cli/.
 */
#ifndef HPCBENCH_CLI_INPUTS_H
#define HPCBENCH_CLI_INPUTS_H

#include "common/strbuf.h"
#include "report/resultset.h"

struct cli_ctx;

/*
 * Fills run (zeroed by the caller) from arg and finishes it (rp_run_finish); its label is
 * the file's, folder's or run's name. Returns EXIT_OK, EXIT_USAGE (nothing there, not a
 * result), EXIT_FAILED or EXIT_UNREACHABLE, with the reason appended to err.
 */
int cli_read_results(struct cli_ctx *ctx, const char *arg, struct rp_run *run, struct strbuf *err);

#endif
