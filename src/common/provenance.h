/*
 * Provenance of a result: how, where and with what its numbers were obtained
 * (docs/load.md, "provenance"). Written into every result object.
 *
 *     "provenance": {"hpcbench_version", "git_commit" (build time, or "unknown"),
 *       "command_line", "recipe" (path or null), "recipe_sha256" (or null),
 *       "started_at", "ended_at" (RFC 3339 UTC), "hostname", "slurm_job_id",
 *       "slurm_nodelist" (null outside SLURM), "cpu_model", "cpu_cores", "kernel",
 *       "server_version" (the server's own answer, or null when not asked)}
 *
 * The recipe is $HPCBENCH_RECIPE when set, else the run folder's recipe.yaml next to
 * the folder of the result file (RUN_DIR/JOB/result.json), when there is one.
 */
#ifndef HPCBENCH_COMMON_PROVENANCE_H
#define HPCBENCH_COMMON_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "common/jsonw.h"

/* Keeps the process's command line, as typed (main calls it before any getopt). */
void provenance_set_argv(int argc, char **argv);

/* Writes key: the object above. result_path and server_version may be NULL. */
void provenance_json(struct jsonw *w, const char *key, uint64_t start_wall_ns, uint64_t end_wall_ns,
		     const char *result_path, const char *server_version);

/* SHA-256 of data as 64 lowercase hex digits into hex[65]. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
