/* hpcbench render RECIPE [-o DIR] : print or write the job scripts a recipe would run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "recipe/recipe.h"
#include "exec/executor.h"
#include "script/render.h"
#include "session/runid.h"

extern const struct cmd_entry cmd_render_entry;

static const char *const kind_names[] = { "service", "client", "monitor" };

static const char *job_kind_name(enum job_kind k)
{
	return k == JOB_SERVICE ? kind_names[0] : k == JOB_CLIENT ? kind_names[1] : kind_names[2];
}

/* YYYYMMDD-HHMMSS-xxxx (UTC) */
static void print_plan(const struct job_plan *plan, const char *run_dir)
{
	for (size_t i = 0; i < plan->nr; i++) {
		const struct job *j = &plan->jobs[i];
		printf("### hpcbench job %s (%s '%s') -> %s/%s/job.sh\n", j->id,
		       job_kind_name(j->kind), j->name, run_dir, j->id);
		fputs(j->script, stdout);
		for (size_t k = 0; k < j->nr_files; k++) {
			const struct side_file *f = &j->files[k];
			printf("### side file %s/%s (mode %04o)\n", j->id, f->name,
			       (unsigned)f->mode);
			if (f->mode & 0077) {
				fwrite(f->content, 1, f->len, stdout);
				if (f->len && f->content[f->len - 1] != '\n')
					putchar('\n');
			} else {
				printf("(secret: not shown)\n");
			}
		}
	}
}

/* DIR/JOB_ID.sh and DIR/JOB_ID/side files. The plan is complete before anything is written. */
static int write_plan(const struct job_plan *plan, const char *dir, struct strbuf *err)
{
	if (mkdir_p(dir, 0755, err))
		return -1;
	for (size_t i = 0; i < plan->nr; i++) {
		const struct job *j = &plan->jobs[i];
		char *path = xasprintf("%s/%s.sh", dir, j->id);
		int ret = write_file_atomic(path, j->script, strlen(j->script), 0755, err);
		free(path);
		if (ret)
			return -1;
		for (size_t k = 0; k < j->nr_files; k++) {
			const struct side_file *f = &j->files[k];
			char *fp = xasprintf("%s/%s/%s", dir, j->id, f->name);
			char *slash = strrchr(fp, '/');
			*slash = '\0';
			ret = mkdir_p(fp, 0700, err);
			*slash = '/';
			if (!ret)
				ret = write_file_atomic(fp, f->content, f->len, f->mode, err);
			free(fp);
			if (ret)
				return -1;
		}
	}
	return 0;
}

static int cmd_render_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "run-id", required_argument, NULL, 'r' },
		{ "run-dir", required_argument, NULL, 'D' },
		{ "seed", required_argument, NULL, 's' },
		{ "bin", required_argument, NULL, 'b' },
		{ "executor", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_dir = NULL, *run_dir_opt = NULL, *bin_opt = NULL;
	const char *exec_name = executor_default();
	char *run_id = NULL, *run_dir = NULL, *self = NULL;
	struct render_opts o = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct job_plan plan = { NULL, 0 };
	struct recipe *r = NULL;
	const struct config *cfg;
	uint64_t seed = 0;
	int c, ret = EXIT_USAGE;

	while ((c = cli_getopt(&cmd_render_entry, argc, argv, "o:e:", longopts)) != -1) {
		switch (c) {
		case 'e':
			exec_name = optarg;
			break;
		case 'o':
			out_dir = optarg;
			break;
		case 'r':
			free(run_id);
			run_id = xstrdup(optarg);
			break;
		case 'D':
			run_dir_opt = optarg;
			break;
		case 'b':
			bin_opt = optarg;
			break;
		case 's':
			if (parse_uint(optarg, 1, UINT64_MAX, &seed)) {
				ret = cli_usage_error(&cmd_render_entry,
						      "--seed: '%s' is not a positive integer",
						      optarg);
				goto out;
			}
			break;
		default:
			goto out;
		}
	}
	if (optind >= argc) {
		ret = cli_usage_error(&cmd_render_entry, "no recipe given");
		goto out;
	}
	if (optind + 1 < argc) {
		ret = cli_usage_error(&cmd_render_entry, "one recipe at a time ('%s')",
				      argv[optind + 1]);
		goto out;
	}
	if (run_id && (!*run_id || strpbrk(run_id, "/ \t\n'\"$`\\"))) {
		ret = cli_usage_error(&cmd_render_entry, "--run-id: '%s' is not a plain name",
				      run_id);
		goto out;
	}
	if (cli_check_executor(&cmd_render_entry, exec_name) != EXIT_OK)
		goto out;
	if (run_dir_opt && run_dir_opt[0] != '/') {
		ret = cli_usage_error(&cmd_render_entry, "--run-dir: '%s' is not absolute",
				      run_dir_opt);
		goto out;
	}
	cfg = cli_config(ctx);
	if (!cfg)
		goto out;
	r = recipe_load(argv[optind], cfg, &err);
	if (!r) {
		fprintf(stderr, "%s\n", err.buf);
		goto out;
	}
	if (!run_id)
		run_id = run_id_new();
	/* The folder `run --executor NAME` would use; a workdir naming variables of the job
	 * side ($SCRATCH, ~) is taken as written (give --run-dir for the expanded one). */
	if (run_dir_opt)
		run_dir = xstrdup(run_dir_opt);
	else
		run_dir =
		    run_dir_path(cfg->workdir, executor_caps(exec_name), home_dir(), run_id, &err);
	if (!run_dir) {
		cli_print_errors(err.buf);
		goto out;
	}
	self = self_exe_path();
	o.run_id = run_id;
	o.run_dir = run_dir;
	o.hpcbench_bin = bin_opt	       ? bin_opt
			 : cfg->hpc.remote_bin ? cfg->hpc.remote_bin
			 : self		       ? self
					       : "hpcbench";
	o.cfg = cfg;
	o.id_seed = seed;
	if (render_plan(r, &o, &plan, &err)) {
		cli_print_errors(err.buf);
		goto out;
	}
	if (out_dir) {
		if (write_plan(&plan, out_dir, &err)) {
			cli_print_errors(err.buf);
			ret = EXIT_FAILED;
			goto out;
		}
		for (size_t i = 0; i < plan.nr; i++)
			printf("%s/%s.sh\n", out_dir, plan.jobs[i].id);
	} else {
		print_plan(&plan, run_dir);
	}
	ret = EXIT_OK;
out:
	job_plan_release(&plan);
	if (r)
		recipe_free(r);
	strbuf_release(&err);
	free(run_id);
	free(run_dir);
	free(self);
	return ret;
}

const struct cmd_entry cmd_render_entry = {
	.name = "render",
	.usage = "render RECIPE [-o DIR] [OPTIONS]",
	.summary = "print (or write) the job scripts a recipe would run",
	.help = "Validates RECIPE and renders one bash job script per service, monitor and\n"
		"client, with its #SBATCH header, exactly as 'run' would submit them.\n"
		"Nothing is written when the recipe is invalid (exit 2).\n"
		"\n"
		"options:\n"
		"  -o, --output DIR  write DIR/JOB_ID.sh per job and each job's side files\n"
		"                    (generated configs, 0600 secrets) under DIR/JOB_ID/;\n"
		"                    prints the script paths\n"
		"  --run-id ID       the run id carried in job names (default: a new one)\n"
		"  --run-dir DIR     the run folder as the job sees it (absolute; default: the\n"
		"                    one 'run' would use: WORKDIR/runs/RUN_ID, else for the\n"
		"                    local executor $XDG_STATE_HOME/hpcbench/runs/RUN_ID\n"
		"                    (~/.local/state/...), else $HOME/hpcbench/runs/RUN_ID)\n"
		"  -e, --executor NAME  the executor the run folder is chosen for (default:\n"
		"                    local; docs/executors.md)\n"
		"  --seed N          derive job ids from N instead of random (reproducible)\n"
		"  --bin PATH        how jobs run hpcbench (default: hpc.remote_bin, else this\n"
		"                    binary)\n"
		"\n"
		"output (without -o): each script after a line\n"
		"  ### hpcbench job JOB_ID (KIND 'NAME') -> RUN_DIR/JOB_ID/job.sh\n"
		"followed by its side files ('### side file ...'; secrets are not shown).\n"
		"\n"
		"examples:\n"
		"  hpcbench render recipes/sessions/redis-local.yaml\n"
		"  hpcbench render recipes/services/redis-native.yaml -o /tmp/jobs --seed 1\n"
		"\n"
		"Job script contract (state, endpoint.json, result.json): docs/service-types.md.\n",
	.exec = cmd_render_exec,
};
