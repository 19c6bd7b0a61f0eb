/* hpcbench results [RUN] [--pull DIR] [--json | --csv] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "session/summary.h"
#include "session/track.h"
#include "store/store.h"

extern const struct cmd_entry cmd_results_entry;

/* Writes data to DIR/rel, creating folders. */
static int pull_one(const char *dir, const char *rel, const char *data, size_t len,
		    struct strbuf *err)
{
	char *path = xasprintf("%s/%s", dir, rel);
	int ret = write_file_mkdirs(path, data, len, 0644, err);
	free(path);
	return ret;
}

/* Result files copied to this machine earlier (run --out, results --pull); their count. */
static size_t local_copies(struct store *st, const char *run_id, struct summary_result **res,
			   size_t *nr)
{
	struct strbuf err = STRBUF_INIT, data = STRBUF_INIT;
	struct store_result *rec = NULL;
	size_t n = 0;
	if (store_result_list(st, run_id, &rec, &n, &err) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&data);
		if (rec[i].local_path && read_file(rec[i].local_path, &data, &err) == 0)
			summary_result_add(res, nr, rec[i].job_id, rec[i].path, rec[i].local_path,
					   &data);
	}
	store_results_free(rec, n);
	strbuf_release(&err);
	strbuf_release(&data);
	return *nr;
}

/*
 * The latest run with a client job, so that a bare `up` after a benchmark does not
 * hide it; 1 when no run has one (then the latest run, if any, is in *run).
 */
static int latest_with_results(struct store *st, struct store_run *run, struct strbuf *err)
{
	struct store_run *runs = NULL;
	size_t n = 0;
	int rc = 1;
	if (store_run_list(st, &runs, &n, err) < 0)
		return -1;
	for (size_t i = n; i-- > 0 && rc == 1;) {
		struct store_job *jobs = NULL;
		size_t nj = 0;
		if (store_job_list(st, runs[i].id, 0, &jobs, &nj, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < nj && rc == 1; k++)
			if (!strcmp(jobs[k].kind, "client"))
				rc = store_run_get(st, runs[i].id, run, err);
		store_jobs_free(jobs, nj);
	}
	store_runs_free(runs, n);
	if (rc == 1)
		rc = store_run_latest(st, run, err);
	return rc;
}

/* Each line of warn as a warning on stderr. */
static void print_warnings(const char *warn)
{
	while (*warn) {
		size_t n = strcspn(warn, "\n");
		log_warn("%.*s", (int)n, warn);
		warn += n + (warn[n] == '\n');
	}
}

static int cmd_results_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "pull", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, warn = STRBUF_INIT;
	struct store_run run = { 0 };
	struct store_job *jobs = NULL;
	struct summary_result *res = NULL;
	struct executor *ex = NULL;
	size_t nj = 0, nr = 0;
	const char *pull = NULL;
	const struct config *cfg;
	struct store *st;
	int c, json = 0, csv = 0, rc, unreachable, ret = EXIT_FAILED;

	while ((c = cli_getopt(&cmd_results_entry, argc, argv, "p:", longopts)) != -1) {
		switch (c) {
		case 'p':
			pull = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'C':
			csv = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (json && csv)
		return cli_usage_error(&cmd_results_entry, "--json and --csv: choose one");
	if (argc - optind > 1)
		return cli_usage_error(&cmd_results_entry, "unexpected argument '%s'",
				       argv[optind + 1]);
	ret = cli_setup(ctx, NULL);
	if (ret != EXIT_OK)
		return ret;
	cfg = ctx->config;
	st = ctx->store;
	ret = EXIT_FAILED;
	rc = optind < argc ? store_run_get(st, argv[optind], &run, &err)
			   : latest_with_results(st, &run, &err);
	if (rc != 0) {
		if (rc == 1 && optind < argc)
			error(&err, "no run '%s' (see 'hpcbench status --all')", argv[optind]);
		else if (rc == 1)
			error(&err, "no runs yet");
		ret = rc == 1 ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	if (store_job_list(st, run.id, 0, &jobs, &nj, &err) < 0)
		goto out;
	ex = track_open_executor(run.executor, cfg, &unreachable, &err);
	if (!ex && unreachable && !pull && local_copies(st, run.id, &res, &nr) > 0) {
		/* The cluster is out of reach: what was pulled earlier still answers. */
		cli_print_errors(err.buf);
		fprintf(stderr, "hpcbench: showing the copies pulled earlier\n");
		strbuf_reset(&err);
	} else if (!ex) {
		ret = unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
		goto out;
	} else {
		struct strbuf e = STRBUF_INIT;
		track_refresh(st, ex, cfg, jobs, nj, NULL, &e);
		track_run_state(st, &run, jobs, nj);
		strbuf_release(&e);
		for (size_t i = 0; i < nj; i++)
			if (!strcmp(jobs[i].kind, "client") && jobs[i].native_id)
				track_collect_results(ex, &jobs[i], &res, &nr);
	}
	for (size_t i = 0; pull && i < nr; i++) {
		struct store_result rec = { .run_id = run.id,
					    .job_id = res[i].job_id,
					    .path = res[i].path };
		if (pull_one(pull, res[i].file, res[i].data, res[i].len, &err) < 0)
			goto out;
		rec.local_path = xasprintf("%s/%s", pull, res[i].file);
		free(res[i].shown);
		res[i].shown = xstrdup(rec.local_path);
		rc = store_result_set(st, &rec, &err);
		free(rec.local_path);
		if (rc < 0)
			goto out;
	}
	if (json || pull)
		summary_json(&out, &run, jobs, nj, res, nr);
	if (pull && pull_one(pull, "summary.json", out.buf, out.len, &err) < 0)
		goto out;
	if (csv) {
		strbuf_reset(&out);
		summary_csv(&out, jobs, nj, res, nr);
	} else if (!json) {
		strbuf_reset(&out);
		summary_table(&out, jobs, nj, res, nr, &warn);
		strbuf_addf(&out, "\nrun %s: %s; run folder %s\n", run.id, run.state, run.run_dir);
	}
	fputs(out.buf, stdout);
	fflush(stdout);
	print_warnings(warn.buf);
	ret = EXIT_OK;
out:
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	summary_results_free(res, nr);
	executor_free(ex);
	store_jobs_free(jobs, nj);
	store_run_release(&run);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&warn);
	return ret;
}

const struct cmd_entry cmd_results_entry = {
	.name = "results",
	.usage = "results [RUN] [--pull DIR] [--json | --csv]",
	.summary = "the result files of a run (default: the latest with results), optionally "
		   "copied here",
	.help = "Shows each client's result file of the run, one line per result or sweep\n"
		"point, with the headline figures of its kind (requests: RPS, p50, p99;\n"
		"LLM: TTFT and TPOT p50, tokens/s, goodput; vector: QPS, recall; SQL: TPS;\n"
		"repeated trials: mean +- 95% CI) and where it is. A figure that cannot be\n"
		"read shows \"-\" with a warning. For runs on a cluster, --pull copies the\n"
		"files (and summary.json) to this machine, over the same ssh connection, as\n"
		"DIR/JOB_ID/result.json.\n"
		"\n"
		"options:\n"
		"  RUN              a run id (default: the most recent run with a client)\n"
		"  -p, --pull DIR   copy the result files and summary.json into DIR\n"
		"      --json       print the run's summary (summary.json format) instead\n"
		"      --csv        print CSV instead: one row per result or sweep point,\n"
		"                   a column per figure and per client parameter\n"
		"\n"
		"examples:\n"
		"  hpcbench results\n"
		"  hpcbench results 20261129-143000-ab12 --pull results/\n"
		"  hpcbench results --csv > results.csv\n",
	.flags = CMD_STORE,
	.exec = cmd_results_exec,
};
