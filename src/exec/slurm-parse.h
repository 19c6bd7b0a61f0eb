/*
 * What SLURM's commands print, parsed: `sbatch --parsable`, `squeue -h -t all -O ...`
 * with the field list below, `sacct -P -n -X -o ...`, the job's own state file
 * (contract in script/render.h), SLURM state names and hostlists. Pure functions, no I/O.
 * Owned by src/exec/.
 */
#ifndef HPCBENCH_EXEC_SLURM_PARSE_H
#define HPCBENCH_EXEC_SLURM_PARSE_H

#include <stddef.h>

#include "common/strbuf.h"
#include "exec/executor.h"

/*
 * Field separator of the squeue format: ASCII unit separator, which no job id, state,
 * reason, hostlist or job name can contain (job names may hold commas and '|').
 */
#define SQUEUE_SEP "\x1f"
/* The --Format argument for squeue; the job name, which is free text, comes last. */
#define SQUEUE_FORMAT                                                                              \
	"JobID:0" SQUEUE_SEP ",State:0" SQUEUE_SEP ",exit_code:0" SQUEUE_SEP                       \
	",Reason:0" SQUEUE_SEP ",NodeList:0" SQUEUE_SEP ",Name:0"
/* The --format argument for sacct (-P separates with '|'; no free-text field). */
#define SACCT_FORMAT "JobIDRaw,State,ExitCode,NodeList"

/* One job as SLURM reports it. Strings are owned by the row. */
struct slurm_row {
	char *id;
	enum job_state state;
	int exit_code; /* -1 unknown */
	char *reason;  /* NULL when there is none worth reporting */
	char *node;    /* hostlist, NULL when not allocated */
	char *name;    /* squeue only; NULL from sacct */
};

/* Initialise with = { 0 }. */
struct slurm_rows {
	struct slurm_row *items;
	size_t nr, alloc;
};
void slurm_rows_release(struct slurm_rows *rows);
/* The row with this job id, or NULL. */
const struct slurm_row *slurm_rows_find(const struct slurm_rows *rows, const char *id);

/*
 * `sbatch --parsable` output: "ID" or "ID;CLUSTER" (warnings on other lines are
 * skipped). Stores a new string in *id and, when given, the cluster (or NULL) in
 * *cluster; caller frees. Returns 0, or -1 with a reason in err.
 */
int slurm_parse_sbatch(const char *out, char **id, char **cluster, struct strbuf *err);

/*
 * SLURM state name (long form, as squeue -O State / sacct State print it, e.g.
 * "CANCELLED by 1234", "OUT_OF_MEMORY", "NODE_FAIL") to our state. *why, when given,
 * gets a static human description for states that need one (e.g. "out of memory"),
 * else NULL. Unknown names map to JS_UNKNOWN.
 */
enum job_state slurm_state_map(const char *name, const char **why);

/*
 * Exit code from squeue's exit_code (a wait status, e.g. "768" = exit 3) when
 * wait_status is set, else from sacct's "EXIT:SIGNAL". A signal N gives 128+N.
 * Returns -1 when s is not a number.
 */
int slurm_parse_exit(const char *s, int wait_status);

/* Appends the rows of `squeue -h -O SQUEUE_FORMAT` output. -1 with err on a bad line. */
int slurm_parse_squeue(const char *out, struct slurm_rows *rows, struct strbuf *err);
/* Appends the rows of `sacct -P -n -X -o SACCT_FORMAT` output. -1 with err on a bad line. */
int slurm_parse_sacct(const char *out, struct slurm_rows *rows, struct strbuf *err);

/*
 * The job's state file: "RUNNING <epoch>", "READY <epoch>", "COMPLETED <exit> <epoch>",
 * "FAILED <exit> <epoch> <reason>", "CANCELLED <exit> <epoch> <reason>" (stopped by a
 * signal). Stores the state, the exit code (-1 when not final) and for FAILED and
 * CANCELLED a new reason string in *reason (else NULL; caller frees).
 * Returns 0, or -1 when the text is not a state line.
 */
int slurm_parse_state_file(const char *text, enum job_state *state, int *exit_code, char **reason);

/*
 * First host of a SLURM hostlist: "mel2001" -> "mel2001", "mel[2001-2004,2010]" ->
 * "mel2001", "a[01-02],b3" -> "a01". New string (caller frees), NULL when empty.
 */
char *slurm_hostlist_first(const char *list);

#endif
