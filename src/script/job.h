/*
 * Internal to src/script/: the parts every job script shares (header, preamble,
 * environment, runtime) and the service/client bodies. render.c assembles them.
 */
#ifndef HPCBENCH_SCRIPT_JOB_H
#define HPCBENCH_SCRIPT_JOB_H

#include <stdint.h>

#include "common/strbuf.h"
#include "recipe/recipe.h"
#include "script/render.h"

/* SLURM --time value for seconds ("1:00:00", "2-00:00:00", "UNLIMITED"), into sb. */
void sbatch_time(struct strbuf *sb, uint64_t s);
/* The job's time limit: resources, then config, then one hour. */
uint64_t job_time_limit(const struct resources *res, const struct config *cfg);
/* "#!/bin/bash" and the #SBATCH lines for job. */
void sbatch_header(struct strbuf *sb, const struct job *job, const struct resources *res,
		   const struct render_opts *o);

/* set -euo pipefail, module loads, JOB_DIR and friends, the common library, traps. */
void job_preamble(struct strbuf *sb, const struct job *job, const char *kind,
		  const char *type, const struct render_opts *o);
/*
 * `export NAME=value` for each variable; names that look like secrets (PASSWORD,
 * SECRET, TOKEN, API_KEY) are read from 0600 side files instead. apptainer: also
 * APPTAINERENV_NAME so that the image's own ENV cannot shadow them.
 */
void job_environment(struct strbuf *sb, struct job *job, const struct kvlist *env,
		     enum runtime rt);
/* True if an environment variable name looks like a secret. */
int env_name_is_secret(const char *name);
/*
 * The runtime prefix HB_RUN: apptainer (image resolved, pulled under a lock when
 * missing, binds, --nv for GPU jobs) or native (empty). default_image and
 * docker_source are the type's defaults (may be NULL).
 */
int job_runtime(struct strbuf *sb, enum runtime rt, const char *container_image,
		const struct container *c, const struct resources *res,
		const char *default_image, const char *default_source,
		const struct render_opts *o, const char *what, struct strbuf *err);

/* The body of a service (or monitor) job. 0, or -1 with err. */
int render_service(const struct recipe *r, const struct service_spec *s,
		   const struct render_opts *o, const struct job_plan *plan, struct job *job,
		   struct strbuf *err);
/* The body of a client job. 0, or -1 with err. */
int render_client(const struct recipe *r, const struct client_spec *c,
		  const struct render_opts *o, struct job_plan *plan, struct job *job,
		  struct strbuf *err);

/* "FILE:LINE:COL: " prefix for a position, into sb. */
void srcpos_prefix(struct strbuf *sb, const struct srcpos *pos);

#endif
