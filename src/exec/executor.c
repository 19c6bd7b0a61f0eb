/* The executor registry and job states (exec/executor.h). */
#include "exec/executor.h"

#include <stdlib.h>
#include <string.h>

#include "exec/local.h"

static const char *const state_names[] = {
	[JS_UNKNOWN] = "UNKNOWN",     [JS_PENDING] = "PENDING",	    [JS_RUNNING] = "RUNNING",
	[JS_READY] = "READY",	      [JS_COMPLETED] = "COMPLETED", [JS_FAILED] = "FAILED",
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

static const struct {
	const char *name;
	struct executor *(*create)(void);
} registry[] = {
	{ "local", executor_local_new },
	{ "slurm", executor_slurm_new },
	{ "ssh", executor_ssh_new },
};

int executor_known(const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strcmp(name, registry[i].name))
			return 1;
	return 0;
}

struct executor *executor_new(const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strcmp(name, registry[i].name))
			return registry[i].create();
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
