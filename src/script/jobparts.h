/*
 * The parts every job script shares: #SBATCH header, preamble (strict mode, modules,
 * JOB_DIR, the job library, traps), environment and runtime. Internal to src/script/;
 * appends to the caller's strbuf.
 */
#ifndef HPCBENCH_SCRIPT_JOBPARTS_H
#define HPCBENCH_SCRIPT_JOBPARTS_H

#include <stdint.h>

#include "common/strbuf.h"
#include "recipe/recipe.h"
#include "script/render.h"

/* The job's time limit in seconds: resources, then config, then one hour. */
uint64_t job_time_limit(const struct resources *res, const struct config *cfg);
/*
 * "#!/bin/bash" and the #SBATCH lines for job (job->time_limit_s must be set). -1 with
 * "FILE:LINE:COL: ..." (pos: the job's spec) when a value is not one plain SLURM word.
 */
int sbatch_header(struct strbuf *sb, const struct job *job, const struct resources *res,
		  const struct srcpos *pos, const struct render_opts *o, struct strbuf *err);
/*
 * set -euo pipefail, module loads, RUN_DIR/JOB_DIR and friends, the common library,
 * the traps, state RUNNING. kind: "service", "monitor" or "client"; type: its type name.
 */
void job_preamble(struct strbuf *sb, const struct job *job, const char *kind, const char *type,
		  const struct render_opts *o);
/*
 * `export NAME=value` for each variable; names that look like secrets (PASSWORD,
 * PASSWD, SECRET, TOKEN, API_KEY) are read from 0600 side files added to job instead.
 * apptainer: also APPTAINERENV_NAME so that the image's own ENV cannot shadow them.
 */
void job_environment(struct strbuf *sb, struct job *job, const struct kvlist *env, enum runtime rt);
/*
 * The runtime prefix HB_RUN: apptainer (image resolved, pulled under a lock when
 * missing, binds, --nv for GPU jobs) or native (empty). default_image and
 * default_source are the type's (may be NULL). 0, or -1 with err when apptainer has
 * no image at all (what names the job in the message).
 */
int job_runtime(struct strbuf *sb, enum runtime rt, const char *container_image,
		const struct container *c, const struct resources *res, const char *default_image,
		const char *default_source, const struct render_opts *o, const char *what,
		struct strbuf *err);

#endif
