/* The state database for the session commands (up, run, status, stop, logs, endpoint,
 * results, tunnel): opened at store_default_path(), errors printed. Owned by src/cli/. */
#ifndef HPCBENCH_CLI_STATE_H
#define HPCBENCH_CLI_STATE_H

struct store;
struct store_job;

#include "common/strbuf.h"

/* Opens the state database; prints the reason and returns NULL on failure. */
struct store *cli_store_open(void);

/*
 * Looks up a job by id for a command. service_for: NULL for any kind, else what a
 * service is needed for ("endpoints", "a tunnel"), and a client's id is refused.
 * Returns EXIT_OK, EXIT_USAGE for an unknown id or a client's, EXIT_FAILED when the
 * database failed (the reason is appended to err). The caller releases *job in every
 * case (store_job_release on a zeroed job is fine).
 */
int cli_job_get(struct store *st, const char *id, const char *service_for, struct store_job *job,
		struct strbuf *err);

#endif
