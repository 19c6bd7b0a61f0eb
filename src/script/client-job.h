/* The body of a client job script. Internal to src/script/. */
#ifndef HPCBENCH_SCRIPT_CLIENT_JOB_H
#define HPCBENCH_SCRIPT_CLIENT_JOB_H

#include "common/strbuf.h"
#include "recipe/recipe.h"
#include "script/render.h"

/*
 * Renders job->script for client c: header, target (wait for its endpoint.json), then
 * `hpcbench load` with the parameters mapped (a loop for sweeps) or the recipe's
 * command. Sets job->depends_on when the target is a service of plan.
 * 0, or -1 with "FILE:LINE:COL: ..." in err.
 */
int render_client(const struct recipe *r, const struct client_spec *c, const struct render_opts *o,
		  struct job_plan *plan, struct job *job, struct strbuf *err);

#endif
