/* The body of a service (or monitor) job script. Internal to src/script/. */
#ifndef HPCBENCH_SCRIPT_SERVICE_JOB_H
#define HPCBENCH_SCRIPT_SERVICE_JOB_H

#include "common/strbuf.h"
#include "recipe/recipe.h"
#include "script/render.h"

/*
 * Renders job->script (and side files) for service s: header, port, type set-up,
 * server start, readiness, endpoint files, wait. plan holds every job of the run (ids
 * assigned), for types that refer to others. 0, or -1 with "FILE:LINE:COL: ..." in err.
 */
int render_service(const struct recipe *r, const struct service_spec *s,
		   const struct render_opts *o, const struct job_plan *plan, struct job *job,
		   struct strbuf *err);

#endif
