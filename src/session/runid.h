/* Run ids: "YYYYMMDD-HHMMSS-xxxx" (UTC time of creation, 4 random hex digits), sortable
 * by time, short enough to type, unique enough for one user. Owned by src/session/. */
#ifndef HPCBENCH_SESSION_RUNID_H
#define HPCBENCH_SESSION_RUNID_H

/* A new run id (caller frees). */
char *run_id_new(void);
/* True if s looks like a run id (the commands use it to tell runs from job ids). */
int run_id_valid(const char *s);

#endif
