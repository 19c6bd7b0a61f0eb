/*
 * The ssh executor: the SLURM executor (exec/slurm.c) on a remote login node, through
 * the ssh runner (exec/runner-ssh.c). Declared in exec/executor.h.
 *
 * open() connects the master, then asks the login node in one command for $HOME, sbatch
 * and the hpcbench binary the job scripts will run (hpc.remote_bin, else "hpcbench" on
 * the remote PATH). No sbatch there means no cluster: unreachable (exit 3). A missing
 * hpcbench only blocks submit(), with install advice, so that status and stop still work.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "exec/executor.h"
#include "exec/runner-ssh.h"
#include "exec/slurm.h"

/* Copies line number idx (0-based) of text into dst. */
static void nth_line(struct strbuf *dst, const char *text, int idx)
{
	const char *p = text;
	for (int i = 0; i < idx && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (p)
		strbuf_add(dst, p, strcspn(p, "\n"));
}

/* Fills t from the config; -1 with err when it cannot name a login node (bad config). */
static int target_from_config(struct ssh_target *t, const struct config *cfg, struct strbuf *err)
{
	if (!cfg || !cfg->hpc.hostname)
		return error(err, "the ssh executor needs hpc.hostname in the config (%s)",
			     cfg && cfg->path ? cfg->path : "no config file was found");
	t->host = cfg->hpc.hostname;
	t->user = cfg->hpc.username;
	t->port = cfg->hpc.port;
	t->key_file = cfg->hpc.key_filename;
	return ssh_target_check(t, err);
}

int executor_ssh_check_config(const struct config *cfg, struct strbuf *err)
{
	struct ssh_target t = { 0 };
	return target_from_config(&t, cfg, err);
}

static int ssh_open(struct executor *ex, const struct config *cfg, struct strbuf *err)
{
	struct ssh_target t = { 0 };
	struct runner *rn;
	const char *bin = cfg && cfg->hpc.remote_bin ? cfg->hpc.remote_bin : "hpcbench";
	const char *probe[] = { "sh",
				"-c",
				"printf '%s\\n' \"$HOME\"; command -v sbatch || echo; "
				"command -v -- \"$1\" || echo",
				"hpcbench-probe",
				bin,
				NULL };
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, line = STRBUF_INIT;
	int rc, ret = -1;

	if (target_from_config(&t, cfg, err) < 0)
		return -1;
	rn = runner_ssh_new(&t);
	slurm_executor_attach(ex, rn, 1);
	if (runner_ssh_connect(rn, err)) {
		ex->unreachable = rn->unreachable;
		goto out;
	}
	rc = rn->run(rn, probe, NULL, 0, &out, &errout, err);
	if (rc != 0) {
		ex->unreachable = rn->unreachable;
		if (rc > 0 && !rn->unreachable)
			error(err, "%s: probing the login node failed (exit %d): %s", t.host, rc,
			      errout.buf);
		goto out;
	}
	nth_line(&line, out.buf, 0);
	free(ex->home);
	ex->home = xstrdup(line.len ? line.buf : "/");
	strbuf_reset(&line);
	nth_line(&line, out.buf, 1);
	if (!line.len) {
		ex->unreachable = 1;
		error(err, "%s has no sbatch on its PATH: is it the cluster's SLURM login node?",
		      t.host);
		goto out;
	}
	strbuf_reset(&line);
	nth_line(&line, out.buf, 2);
	free(ex->hpcbench_bin);
	if (line.len && line.buf[0] == '/') {
		ex->hpcbench_bin = xstrdup(line.buf);
	} else {
		char *why = xasprintf(
		    "%s: '%s' not found on the login node (job scripts run it): install "
		    "hpcbench there (git clone, make, then copy build/hpcbench to ~/bin) and "
		    "set hpc.remote_bin to its absolute path if it is not on the remote PATH",
		    t.host, bin);
		ex->hpcbench_bin = xstrdup(bin);
		slurm_executor_block_submit(ex, why);
		free(why);
	}
	ret = 0;
out:
	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&line);
	return ret;
}

struct executor *executor_ssh_new(void)
{
	struct executor *ex = slurm_executor_new_named("ssh");
	ex->open = ssh_open;
	return ex;
}
