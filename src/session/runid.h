/* Run ids and run folders. Run ids: "YYYYMMDD-HHMMSS-xxxx" (UTC time of creation, 4 random hex
 * digits), sortable by time, short enough to type, unique enough for one user. Owned by
 * src/session/. */
#ifndef HPCBENCH_SESSION_RUNID_H
#define HPCBENCH_SESSION_RUNID_H

#include "common/strbuf.h"

/* A new run id (caller frees). */
char *run_id_new(void);
/* True if s looks like a run id (the commands use it to tell runs from job ids). */
int run_id_valid(const char *s);

/*
 * The run folder RUN_DIR = WORKDIR/runs/RUN_ID, the one rule `run` and `render` share
 * (docs/architecture.md). WORKDIR is workdir (the config's, already expanded on the job
 * side) when given; else, for an executor that shares this machine's files
 * (EXEC_SHARES_FS in caps), the state folder ($XDG_STATE_HOME/hpcbench, else
 * ~/.local/state/hpcbench); else HOME/hpcbench with the job side's home. Returns a new
 * string, or NULL with a reason in err when WORKDIR is not absolute.
 */
char *run_dir_path(const char *workdir, unsigned caps, const char *home, const char *run_id,
		   struct strbuf *err);

#endif
