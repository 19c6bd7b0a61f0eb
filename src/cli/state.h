/* The state database for the session commands (up, run, status, stop, logs, endpoint,
 * results, tunnel): opened at store_default_path(), errors printed. Owned by src/cli/. */
#ifndef HPCBENCH_CLI_STATE_H
#define HPCBENCH_CLI_STATE_H

struct store;

/* Opens the state database; prints the reason and returns NULL on failure. */
struct store *cli_store_open(void);

#endif
