/* The executor registry and job states (exec/executor.h). */
#include "exec/executor.h"

#include <stdlib.h>
#include <string.h>

#include "exec/local.h"

static const char *const state_names[] = {
    [JS_UNKNOWN] = "UNKNOWN",	  [JS_PENDING] = "PENDING",	[JS_RUNNING] = "RUNNING",
    [JS_READY] = "READY",	  [JS_COMPLETED] = "COMPLETED", [JS_FAILED] = "FAILED",
    [JS_CANCELLED] = "CANCELLED", [JS_TIMEOUT] = "TIMEOUT",
};

const char *job_state_name(enum job_state s)
{
	if ((size_t)s < sizeof(state_names) / sizeof(state_names[0]) && state_names[s])
		return state_names[s];
	return "UNKNOWN";
}

int job_state_is_final(enum job_state s)
{
	return s == JS_COMPLETED || s == JS_FAILED || s == JS_CANCELLED || s == JS_TIMEOUT;
}

struct executor *executor_new(const char *name)
{
	if (!strcmp(name, "local"))
		return executor_local_new();
	if (!strcmp(name, "slurm"))
		return executor_slurm_new();
	if (!strcmp(name, "ssh"))
		return executor_ssh_new();
	return NULL;
}

void executor_free(struct executor *ex)
{
	if (!ex)
		return;
	if (ex->close)
		ex->close(ex);
	free(ex);
}
