/* hpcbench status [RUN] [--all] [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/jsonw.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "session/summary.h"
#include "session/track.h"
#include "store/store.h"

extern const struct cmd_entry cmd_status_entry;

static void add_time(struct strbuf *sb, int64_t epoch)
{
	if (epoch)
		rfc3339_append(sb, (uint64_t)epoch * 1000000000ull);
	else
		strbuf_addch(sb, '-');
}

static void run_json(struct jsonw *w, const struct store_run *r, const char *state, int stale,
		     const struct store_job *jobs, size_t n)
{
	jsonw_obj_open(w, NULL);
	jsonw_str(w, "id", r->id);
	jsonw_str(w, "command", r->command);
	jsonw_str(w, "state", state);
	jsonw_str(w, "message", r->message);
	jsonw_str(w, "executor", r->executor);
	jsonw_str(w, "run_dir", r->run_dir);
	jsonw_str(w, "out_dir", r->out_dir);
	jsonw_str(w, "host", r->host);
	jsonw_i64(w, "pid", r->pid);
	summary_json_time(w, "created_at", r->created_at);
	summary_json_time(w, "finished_at", r->finished_at);
	jsonw_bool(w, "stale", stale);
	jsonw_arr_open(w, "recipes");
	for (const char *p = r->recipes; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		jsonw_strn(w, NULL, p, len);
		p += len + (nl ? 1 : 0);
	}
	jsonw_close(w);
	jsonw_arr_open(w, "jobs");
	for (size_t i = 0; i < n; i++) {
		const struct store_job *j = &jobs[i];
		jsonw_obj_open(w, NULL);
		jsonw_str(w, "id", j->id);
		jsonw_str(w, "kind", j->kind);
		jsonw_str(w, "name", j->name);
		jsonw_str(w, "state", job_state_name(j->state));
		if (j->exit_code >= 0)
			jsonw_i64(w, "exit_code", j->exit_code);
		else
			jsonw_null(w, "exit_code");
		jsonw_str(w, "reason", j->reason);
		jsonw_str(w, "native_id", j->native_id);
		jsonw_str(w, "node", j->node);
		jsonw_str(w, "endpoint", j->endpoint);
		jsonw_str(w, "job_dir", j->job_dir);
		jsonw_str(w, "recipe", j->recipe);
		summary_json_time(w, "submitted_at", j->submitted_at);
		summary_json_time(w, "started_at", j->started_at);
		summary_json_time(w, "ready_at", j->ready_at);
		summary_json_time(w, "finished_at", j->finished_at);
		jsonw_close(w);
	}
	jsonw_close(w);
	jsonw_close(w);
}

static void run_text(struct strbuf *out, const struct store_run *r, const char *state, int stale,
		     const struct store_job *jobs, size_t n)
{
	strbuf_addf(out, "run %s  %s  %s  ", r->id, state, r->executor);
	add_time(out, r->created_at);
	strbuf_addch(out, ' ');
	for (const char *p = r->recipes; p && *p; p++)
		strbuf_addch(out, *p == '\n' ? ' ' : *p);
	strbuf_addch(out, '\n');
	if (stale)
		strbuf_addstr(out, "  (cluster unreachable: last known states)\n");
	if (r->message)
		strbuf_addf(out, "  %s\n", r->message);
	if (n)
		strbuf_addf(out, "  %-30s %-8s %-10s %4s %-16s %-10s %s\n", "ID", "KIND", "STATE",
			    "EXIT", "NODE", "JOB", "ENDPOINT / REASON");
	for (size_t i = 0; i < n; i++) {
		const struct store_job *j = &jobs[i];
		char code[24] = "-";
		if (j->exit_code >= 0)
			snprintf(code, sizeof(code), "%lld", (long long)j->exit_code);
		strbuf_addf(out, "  %-30s %-8s %-10s %4s %-16s %-10s %s\n", j->id, j->kind,
			    job_state_name(j->state), code, j->node ? j->node : "-",
			    j->native_id ? j->native_id : "-",
			    j->endpoint && j->state == JS_READY ? j->endpoint
			    : j->reason				? j->reason
								: "");
	}
}

static int cmd_status_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct store_run *runs = NULL;
	size_t nr = 0;
	struct jsonw w;
	struct store *st;
	const struct config *cfg;
	const char *only = NULL;
	int c, json = 0, all = 0, ret = EXIT_FAILED, found = 0, any_stale = 0;

	while ((c = cli_getopt(&cmd_status_entry, argc, argv, "a", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'a':
			all = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		only = argv[optind++];
	if (optind < argc)
		return cli_usage_error(&cmd_status_entry, "unexpected argument '%s'", argv[optind]);
	ret = cli_setup(ctx, NULL);
	if (ret != EXIT_OK)
		return ret;
	cfg = ctx->config;
	st = ctx->store;
	ret = EXIT_FAILED;
	if (store_run_list(st, &runs, &nr, &err) < 0)
		goto out;
	if (json) {
		jsonw_init(&w, &out, 2);
		jsonw_obj_open(&w, NULL);
		jsonw_arr_open(&w, "runs");
	}
	for (size_t i = 0; i < nr; i++) {
		struct store_run *r = &runs[i];
		struct store_job *jobs = NULL;
		struct strbuf e = STRBUF_INIT;
		size_t nj = 0;
		int stale = 0,
		    unfinished = !strcmp(r->state, RUN_ACTIVE) || !strcmp(r->state, RUN_UP);
		const char *state;
		if (only ? strcmp(only, r->id) != 0 : !(all || unfinished || i + 1 == nr))
			continue;
		found = 1;
		if (store_job_list(st, r->id, 0, &jobs, &nj, &err) < 0)
			goto out;
		/* What the executor says now; what it cannot say stays as last recorded. */
		if (track_refresh(st, NULL, cfg, jobs, nj, &stale, &e) < 0 && !stale)
			log_warn("%s", e.buf);
		any_stale |= stale;
		state = track_run_state(st, r, jobs, nj);
		if (json)
			run_json(&w, r, state, stale, jobs, nj);
		else
			run_text(&out, r, state, stale, jobs, nj);
		store_jobs_free(jobs, nj);
		strbuf_release(&e);
	}
	if (only && !found) {
		error(&err, "no run '%s' (see 'hpcbench status --all')", only);
		ret = EXIT_USAGE;
		goto out;
	}
	if (json) {
		jsonw_close(&w);
		jsonw_close(&w);
		strbuf_addch(&out, '\n');
	} else if (!nr) {
		fprintf(stderr, "hpcbench: no runs yet\n");
	}
	fputs(out.buf, stdout);
	/* The last known states were shown; the exit code still says they may be stale. */
	if (any_stale)
		error(&err, "the cluster could not be reached: states shown are the last known");
	ret = any_stale ? EXIT_UNREACHABLE : EXIT_OK;
out:
	if (err.len)
		cli_print_errors(err.buf);
	store_runs_free(runs, nr);
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "status [RUN] [--all] [--json]",
	.summary = "runs, services and clients, and their state now",
	.help = "Shows the runs that are still going (started by 'run' or 'up') and the most\n"
		"recent one, each with its jobs: id, kind, state (docs/executors.md: PENDING,\n"
		"RUNNING, READY, COMPLETED, FAILED, CANCELLED, TIMEOUT), exit code, node, the\n"
		"executor's job id, and the endpoint of a ready service or the reason of a\n"
		"pending or failed job. States are asked from the executors now (squeue, the\n"
		"jobs' state files) and recorded. A run whose hpcbench process is gone while\n"
		"its jobs still run is ORPHANED: 'hpcbench stop --run RUN' cleans it up.\n"
		"When a run's cluster cannot be reached, its last known states are shown and\n"
		"the exit code is 3.\n"
		"\n"
		"options:\n"
		"  RUN        only this run\n"
		"  -a, --all  every run recorded\n"
		"  --json     one JSON object {\"runs\": [{..., \"jobs\": [...]}]} on stdout\n"
		"\n"
		"examples:\n"
		"  hpcbench status\n"
		"  hpcbench status --json | jq '.runs[].jobs[] | select(.state == \"READY\")'\n",
	.flags = CMD_STORE,
	.exec = cmd_status_exec,
};
