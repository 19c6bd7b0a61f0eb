/*
 * Running commands on a login node through OpenSSH, with one master connection per
 * session. Owned by src/exec/.
 *
 * Every ssh invocation gets BatchMode=yes (never a prompt), ConnectTimeout, keep-alives
 * and ControlPath=<private 0700 folder>/%C. runner_ssh_connect() starts the master
 * (ControlMaster=yes, ControlPersist so that a crashed hpcbench does not leave it
 * forever); later commands attach to it (ControlMaster=no: if the master is gone they
 * connect on their own). The remote command is the argv quoted once, here, with
 * sq_quote_argv(): what the remote shell parses is exactly the argument vector.
 *
 * Environment: HPCBENCH_SSH names the ssh program (default "ssh"); HPCBENCH_SSH_CONFIG
 * an ssh_config file passed with -F (default: ssh's own, ~/.ssh/config).
 */
#ifndef HPCBENCH_EXEC_RUNNER_SSH_H
#define HPCBENCH_EXEC_RUNNER_SSH_H

#include "common/strbuf.h"
#include "common/strlist.h"

struct runner;

struct ssh_target {
	const char *host;     /* hpc.hostname: a host name or a Host of the ssh config */
	const char *user;     /* hpc.username, or NULL */
	unsigned port;	      /* hpc.port, or 0 */
	const char *key_file; /* hpc.key_filename (already ~-expanded), or NULL */
};

/* Seconds allowed for the TCP connection (ConnectTimeout). */
#define SSH_CONNECT_TIMEOUT_S 10

/*
 * A runner for t (copied). Its run() returns the remote exit status; when ssh itself
 * failed (exit 255) it sets rn->unreachable and puts ssh's message in err. Its close()
 * stops the master (ssh -O exit), removes the private folder and frees it.
 */
struct runner *runner_ssh_new(const struct ssh_target *t);

/*
 * Starts the master connection. Returns 0, or -1 with a clear reason in err; then
 * rn->unreachable is set when the host could not be reached or refused us.
 */
int runner_ssh_connect(struct runner *rn, struct strbuf *err);

/*
 * Appends the ssh program and the options that reach t (-F, -p, -i, -l, BatchMode,
 * ConnectTimeout), without the host, for commands built elsewhere (tunnels).
 */
void ssh_target_argv(const struct ssh_target *t, struct strlist *argv);
/*
 * The pieces both that and a command printed for a person (tunnel) are made of:
 * ssh_argv_start() appends prog and "-F $HPCBENCH_SSH_CONFIG" when that is set;
 * ssh_argv_port_key() appends "-p PORT" and "-i KEY" when t has them.
 */
void ssh_argv_start(struct strlist *argv, const char *prog);
void ssh_argv_port_key(const struct ssh_target *t, struct strlist *argv);

/* Checks t->host and t->user before they reach ssh's command line. -1 with err. */
int ssh_target_check(const struct ssh_target *t, struct strbuf *err);

#endif
