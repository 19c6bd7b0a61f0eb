/*
 * Job script rendering: recipe -> one bash script per job (service, client, monitor),
 * with its #SBATCH header. Owned by src/script/. The same script runs under every
 * executor: `sbatch job.sh` (slurm, ssh) or `bash job.sh` (local).
 *
 * Contract between a rendered script and the executors (stable; executors rely on it):
 *   - JOB_DIR = RUN_DIR/JOB_ID. The script writes, all atomically (temp + rename):
 *       JOB_DIR/state          one line: "RUNNING <epoch>", "READY <epoch>",
 *                              "COMPLETED <exit> <epoch>" or "FAILED <exit> <epoch> <reason>"
 *                              (the fallback when SLURM accounting is disabled, and the
 *                              local executor's source of truth);
 *       JOB_DIR/endpoint.json  services, once the readiness probe passed:
 *                              {"host","port","url","job_id","ready_at"};
 *       JOB_DIR/endpoint.env   the same as shell assignments (HPCBENCH_TARGET_HOST,
 *                              HPCBENCH_TARGET_PORT, HPCBENCH_TARGET_URL), for clients;
 *       JOB_DIR/result.json    clients that run `hpcbench load` (docs/load.md); a
 *                              parametric client (comma lists) writes one
 *                              JOB_DIR/result-POINT.json per point instead, POINT naming
 *                              the values ("c10_value-size256"), and lists them, one per
 *                              line, in JOB_DIR/results.txt.
 *   - stdout/stderr go to JOB_DIR/out.log and JOB_DIR/err.log (#SBATCH --output/--error;
 *     the local executor redirects to the same files).
 *   - A client waits for its target's endpoint.json (with a timeout), never a fixed sleep.
 *   - Side files (secrets, generated configs) are written by the caller into JOB_DIR
 *     before the script runs, with the mode given (secrets 0600).
 *   - Environment the executor may set for a job: HPCBENCH_BIND_ADDR (the address a
 *     server listens on; default 0.0.0.0), HPCBENCH_ADVERTISE_HOST (the host written to
 *     endpoint.json; default `hostname`). The local executor sets both to 127.0.0.1.
 *     A client whose target is outside the recipe and not given in render_opts reads
 *     HPCBENCH_TARGET_ENDPOINT (URL or HOST:PORT) or HPCBENCH_TARGET_DIR (the target
 *     job's folder, holding endpoint.json) at run time.
 *   - A service job stopped by TERM/INT ends "COMPLETED 0" (stopping services is normal);
 *     a client job stopped that way ends "FAILED 143".
 */
#ifndef HPCBENCH_SCRIPT_RENDER_H
#define HPCBENCH_SCRIPT_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/strbuf.h"

struct config;
struct recipe;
struct service_spec;
struct client_spec;

struct render_opts {
	const char *run_id;	  /* e.g. "20261129-143000-ab12"; carried in the job names */
	const char *run_dir;	  /* absolute run folder as seen by the job (on the cluster) */
	const char *hpcbench_bin; /* how the job runs hpcbench (absolute path or "hpcbench") */
	const struct config *cfg; /* may be NULL: defaults */
	/* Client targets outside this recipe (from --target-service / --target-endpoint): */
	const char *target_endpoint;	  /* URL or HOST:PORT, or NULL */
	const char *target_endpoint_file; /* endpoint.json of a running service, or NULL */
	uint64_t id_seed; /* 0: random job id suffixes; else derived from it (tests, golden) */
	unsigned client_replicas; /* run --replicas N: every client's replicas (0: recipe's) */
};

enum job_kind { JOB_SERVICE, JOB_CLIENT, JOB_MONITOR };

struct side_file {
	char *name; /* relative to JOB_DIR, e.g. "secrets/redis_password" */
	char *content;
	size_t len;
	mode_t mode; /* 0600 for secrets */
};

struct job {
	enum job_kind kind;
	char *id;	  /* NAME_XXXXXXXX, unique per run; JOB_DIR = run_dir/id */
	char *name;	  /* recipe name */
	char *slurm_name; /* --job-name, carries the run id */
	char *script;	  /* the whole job.sh text */
	struct side_file *files;
	size_t nr_files;
	int depends_on;	       /* index in plan->jobs of the service a client waits for, or -1 */
	uint64_t time_limit_s; /* from resources.time (or default); local executor enforces it */
	const struct service_spec *service; /* kind == JOB_SERVICE/JOB_MONITOR */
	const struct client_spec *client;   /* kind == JOB_CLIENT */
};

struct job_plan {
	struct job *jobs; /* services first, then clients, in recipe order */
	size_t nr;
};

/*
 * Renders every job of a valid recipe. Job ids get fresh random suffixes.
 * Returns 0, or -1 with reasons in err. Release with job_plan_release().
 */
int render_plan(const struct recipe *r, const struct render_opts *o, struct job_plan *plan,
		struct strbuf *err);
void job_plan_release(struct job_plan *plan);

#endif
