/* hpcbench stop ID... | --run RUN | --all */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "session/runid.h"
#include "session/track.h"
#include "store/store.h"

extern const struct cmd_entry cmd_stop_entry;

/* Appends the jobs of a run to *jobs. */
static int add_run(struct store *st, const char *run, struct store_job **jobs, size_t *n,
		   struct strbuf *err)
{
	struct store_job *more;
	size_t nm;
	if (store_job_list(st, run, 0, &more, &nm, err) < 0)
		return -1;
	*jobs = xrealloc(*jobs, (*n + nm + 1) * sizeof(**jobs));
	memcpy(*jobs + *n, more, nm * sizeof(*more));
	*n += nm;
	free(more);
	return 0;
}

/* Marks the runs of the stopped jobs finished once all their jobs ended. */
static void settle_runs(struct store *st, const struct store_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strbuf err = STRBUF_INIT;
		struct store_run run;
		struct store_job *all;
		size_t na;
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(jobs[k].run_id, jobs[i].run_id);
		if (seen || store_run_get(st, jobs[i].run_id, &run, &err) != 0) {
			strbuf_release(&err);
			continue;
		}
		if (store_job_list(st, run.id, 0, &all, &na, &err) == 0) {
			track_run_state(st, &run, all, na);
			store_jobs_free(all, na);
		}
		store_run_release(&run);
		strbuf_release(&err);
	}
}

static int cmd_stop_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT;
	struct store_job *jobs = NULL;
	size_t n = 0;
	const char *run = NULL;
	const struct config *cfg;
	struct store *st;
	int c, all = 0, ret = EXIT_FAILED, unreachable = 0;

	while ((c = cli_getopt(&cmd_stop_entry, argc, argv, "r:a", longopts)) != -1) {
		switch (c) {
		case 'r':
			run = optarg;
			break;
		case 'a':
			all = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if ((run != NULL) + all + (optind < argc) != 1)
		return cli_usage_error(&cmd_stop_entry, "give job ids, --run RUN or --all");
	ret = cli_setup(ctx, NULL);
	if (ret != EXIT_OK)
		return ret;
	cfg = ctx->config;
	st = ctx->store;
	ret = EXIT_FAILED;

	if (all) {
		if (store_job_list(st, NULL, 1, &jobs, &n, &err) < 0)
			goto out;
	} else if (run) {
		struct store_run r;
		int rc = store_run_get(st, run, &r, &err);
		if (rc != 0) {
			if (rc == 1)
				error(&err, "no run '%s' (see 'hpcbench status --all')", run);
			ret = rc == 1 ? EXIT_USAGE : EXIT_FAILED;
			goto out;
		}
		store_run_release(&r);
		if (add_run(st, run, &jobs, &n, &err) < 0)
			goto out;
	} else {
		/* Every id must be known before anything is stopped. */
		for (int i = optind; i < argc; i++) {
			struct store_run r;
			int rc;
			jobs = xrealloc(jobs, (n + 1) * sizeof(*jobs));
			rc = store_job_get(st, argv[i], &jobs[n], &err);
			if (rc == 0) {
				n++;
				continue;
			}
			if (rc < 0)
				goto out;
			if (run_id_valid(argv[i]) && store_run_get(st, argv[i], &r, &err) == 0) {
				store_run_release(&r);
				if (add_run(st, argv[i], &jobs, &n, &err) < 0)
					goto out;
				continue;
			}
			error(&err, "no job '%s' (see 'hpcbench status --all')", argv[i]);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	/* Refresh first: a job that already ended is reported, not cancelled. */
	{
		struct strbuf e = STRBUF_INIT;
		track_refresh(st, NULL, cfg, jobs, n, NULL, &e);
		strbuf_release(&e);
	}
	for (size_t i = 0; i < n; i++)
		if (job_state_is_final(jobs[i].state) && !all && !run)
			fprintf(stderr, "hpcbench: %s already ended (%s)\n", jobs[i].id,
				job_state_name(jobs[i].state));
	{
		char *live = xcalloc(n + 1, 1);
		for (size_t i = 0; i < n; i++)
			live[i] = jobs[i].native_id && !job_state_is_final(jobs[i].state);
		if (track_cancel(st, NULL, cfg, jobs, n, &unreachable, &err) < 0) {
			free(live);
			if (unreachable)
				ret = EXIT_UNREACHABLE;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (live[i])
				printf("%s\n", jobs[i].id);
		free(live);
	}
	settle_runs(st, jobs, n);
	ret = EXIT_OK;
out:
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	store_jobs_free(jobs, n);
	strbuf_release(&err);
	return ret;
}

const struct cmd_entry cmd_stop_entry = {
	.name = "stop",
	.usage = "stop ID... | --run RUN | --all",
	.summary = "stop jobs that hpcbench started",
	.help = "Stops services and clients recorded in hpcbench's state: the local executor\n"
		"sends TERM to the job's process group (KILL after 10 s), slurm and ssh run\n"
		"scancel. Only jobs hpcbench started are ever touched, never other jobs of\n"
		"yours. Prints the ids of the jobs it stopped, one per line; a job that already\n"
		"ended is named on stderr.\n"
		"\n"
		"options:\n"
		"  ID...          job ids (NAME_XXXXXXXX, from 'up' or 'status'); a run id stops\n"
		"                 that run's jobs\n"
		"  -r, --run RUN  every job of a run (e.g. one whose 'run' process was killed)\n"
		"  -a, --all      every job hpcbench started that has not ended\n"
		"\n"
		"exit: 0 stopped (or nothing left to stop); 1 a stop failed; 2 unknown id;\n"
		"      3 cluster unreachable.\n"
		"\n"
		"examples:\n"
		"  hpcbench stop redis_1a2b3c4d\n"
		"  hpcbench stop --run 20261129-143000-ab12\n",
	.flags = CMD_STORE,
	.exec = cmd_stop_exec,
};
