/*
 * Executors: the only part that knows *where* jobs run (docs/architecture.md).
 *   local  job scripts as child processes (own process groups) on this machine
 *   slurm  sbatch/squeue/sacct/scancel on this machine
 *   ssh    the slurm executor on a remote login node, through one OpenSSH master
 * Owned by src/exec/. Commands are always argument vectors, never shell strings;
 * remote quoting happens once, in the ssh runner.
 */
#ifndef HPCBENCH_EXEC_EXECUTOR_H
#define HPCBENCH_EXEC_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "store/store.h"

struct config;

/*
 * A command runner: here (fork/exec) or on the login node (ssh with a master
 * connection). Runs argv, feeds stdin_data (may be NULL), captures stdout and stderr.
 * Returns the exit status (0..255), or -1 with a reason in err if it could not run;
 * for ssh, 255 with *unreachable set means the host could not be reached.
 */
struct runner {
	const char *name; /* "local" or "ssh" */
	int (*run)(struct runner *rn, const char *const *argv, const char *stdin_data,
		   size_t stdin_len, struct strbuf *out, struct strbuf *errout, struct strbuf *err);
	void (*close)(struct runner *rn);
	int unreachable;
	unsigned timeout_s; /* per command; 0: none (set by the owner before run()) */
	size_t max_capture; /* per stream; output beyond it is an error; 0: 64 MiB */
	void *priv;
};

/*
 * What an executor can do; code asks these instead of comparing names. A new executor
 * is one constructor and one line in the registry (exec/executor.c) with its flags.
 */
enum executor_cap {
	/* Jobs run on this machine and see its files wherever they are: a run folder may be
	 * put where the user asks (--out), nothing is copied back, and the state folder
	 * serves as the default workdir. (A cluster's nodes see only its shared folders.) */
	EXEC_SHARES_FS = 1 << 0,
	/* The job side is another machine, reached through the runner: $NAME and ~ in
	 * config paths expand there, ports need a tunnel. */
	EXEC_REMOTE = 1 << 1,
	/* Jobs wait in a batch queue (pending reasons, dependencies, time limits). */
	EXEC_QUEUE = 1 << 2,
};

struct executor {
	const char *name;      /* the registry's name: "local", "slurm", "ssh" */
	unsigned caps;	       /* enum executor_cap flags, set from the registry */
	struct runner *runner; /* how files and commands reach the job side */
	/* Connects (ssh: master connection). -1 with err; ex->unreachable for exit 3. */
	int (*open)(struct executor *ex, const struct config *cfg, struct strbuf *err);
	/* Files on the job side (run folders, scripts, side files, results). */
	int (*put_file)(struct executor *ex, const char *path, const void *data, size_t len,
			mode_t mode, struct strbuf *err);
	int (*get_file)(struct executor *ex, const char *path, struct strbuf *out,
			struct strbuf *err);
	int (*mkdir_p)(struct executor *ex, const char *path, struct strbuf *err);
	/*
	 * Starts job_dir/job.sh. after: native id of a job that must have started first
	 * (client after service), or NULL. Sets job->native_id and state PENDING/RUNNING.
	 */
	int (*submit)(struct executor *ex, struct store_job *job, const char *after,
		      uint64_t time_limit_s, struct strbuf *err);
	/* Refreshes state of all jobs at once (one squeue call). */
	int (*poll)(struct executor *ex, struct store_job *const *jobs, size_t n,
		    struct strbuf *err);
	int (*cancel)(struct executor *ex, struct store_job *const *jobs, size_t n,
		      struct strbuf *err);
	/*
	 * Closes connections and frees what the executor owns (priv, hpcbench_bin, home,
	 * the runner); idempotent. executor_free() calls it, then frees ex.
	 */
	void (*close)(struct executor *ex);
	int unreachable;
	/*
	 * Set by open(): how job scripts run hpcbench on the job side (render_opts.hpcbench_bin):
	 * hpc.remote_bin, else slurm/local the absolute path of this binary, ssh "hpcbench".
	 */
	char *hpcbench_bin;
	/* Set by open(): the job side's home folder (ssh: the remote $HOME), for workdir.
	 * executor_expand_path() (exec/expand.h) resolves $NAME and ~ in config paths. */
	char *home;
	/* Advice from poll(): milliseconds to wait before the next poll (backs off while
	 * nothing changes, resets when a state changes). */
	unsigned poll_hint_ms;
	void *priv;
};

/* Constructors of the executors (the registry below calls them); never NULL. */
struct executor *executor_slurm_new(void); /* src/exec/slurm.c */
struct executor *executor_ssh_new(void);   /* src/exec/ssh.c */

/* The config checks of the ssh executor (before anything connects): 0, or -1 with err. */
int executor_ssh_check_config(const struct config *cfg, struct strbuf *err);

/* True for a name executor_new() knows. */
int executor_known(const char *name);
/* The capability flags of the executor registered as name; 0 if unknown. */
unsigned executor_caps(const char *name);
/* Appends the registered names for messages: "local, slurm or ssh". */
void executor_names(struct strbuf *sb);
/* error(err, "unknown executor 'NAME' (local, slurm or ssh)"): -1. */
int executor_unknown(struct strbuf *err, const char *name);
/*
 * Checks that the config can drive executor name (ssh: hpc.hostname and valid hpc.*
 * values) without connecting: 0, or -1 with err — bad configuration, exit 2.
 */
int executor_check_config(const char *name, const struct config *cfg, struct strbuf *err);
/* Creates the executor by name (see executor_names()); NULL if unknown. */
struct executor *executor_new(const char *name);
void executor_free(struct executor *ex);

#endif
