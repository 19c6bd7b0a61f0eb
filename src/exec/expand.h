/*
 * Paths as the job side sees them: config values such as `workdir:
 * /project/scratch/p200981/$USER/hpcbench` name variables of the machine where jobs run.
 * Files are created there through the executor, with the path as a literal argument
 * (never through a shell), so the variables must be resolved first. Owned by src/exec/.
 */
#ifndef HPCBENCH_EXEC_EXPAND_H
#define HPCBENCH_EXEC_EXPAND_H

#include "common/strbuf.h"

struct executor;

/*
 * Expands $NAME and ${NAME} in s with the job side's environment: the login node's for
 * the ssh executor (one remote command, after open()), this process's otherwise. "$$" is
 * a literal '$', as is a '$' not followed by a name; a leading "~/" is ex->home.
 * An unset variable is an error (a run folder in the wrong place is worse). Stores a new
 * string in *out (caller frees). Returns 0, or -1 with a reason in err.
 */
int executor_expand_path(struct executor *ex, const char *s, char **out, struct strbuf *err);

#endif
