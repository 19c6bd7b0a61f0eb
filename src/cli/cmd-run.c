/* hpcbench run RECIPE... : a whole session. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/log.h"
#include "exec/executor.h"
#include "session/session.h"
#include "store/store.h"

extern const struct cmd_entry cmd_run_entry;

static int cmd_run_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "executor", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "target-service", required_argument, NULL, 't' },
		{ "target-endpoint", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "replicas", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct session_opts o = { .command = "run" };
	struct session_result res;
	struct strbuf err = STRBUF_INIT;
	int c, json = 0, code;

	while ((c = cli_getopt(&cmd_run_entry, argc, argv, "e:o:t:E:", longopts)) != -1) {
		switch (c) {
		case 'e':
			o.executor = optarg;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 't':
			o.target_service = optarg;
			break;
		case 'E':
			o.target_endpoint = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'r': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > 1024)
				return cli_usage_error(&cmd_run_entry,
						       "--replicas: '%s' is not a number from 1 to "
						       "1024",
						       optarg);
			o.replicas = (unsigned)n;
			break;
		}
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_run_entry, "no recipe given");
	if (o.target_service && o.target_endpoint)
		return cli_usage_error(&cmd_run_entry,
				       "--target-service and --target-endpoint exclude each other");
	if (o.executor && !executor_known(o.executor)) {
		struct strbuf names = STRBUF_INIT;
		int rc;
		executor_names(&names);
		rc = cli_usage_error(&cmd_run_entry, "unknown executor '%s' (%s)", o.executor,
				     names.buf);
		strbuf_release(&names);
		return rc;
	}
	o.recipes = (const char *const *)argv + optind;
	o.nr_recipes = (size_t)(argc - optind);
	code = cli_setup(ctx, NULL);
	if (code != EXIT_OK)
		return code;
	o.cfg = ctx->config;
	o.st = ctx->store;
	session_catch_signals();
	code = session_start(&o, &res, &err);
	if (json && res.summary.len)
		fputs(res.summary.buf, stdout);
	else if (res.table.len)
		printf("%s\nrun %s: %s; run folder %s\n", res.table.buf, res.run_id,
		       code == EXIT_OK ? "completed" : "failed", res.run_dir);
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	session_result_release(&res);
	strbuf_release(&err);
	return code;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "run RECIPE... [--executor local|slurm|ssh] [--out DIR] [--target-service ID | "
		 "--target-endpoint URL] [--replicas N] [--json]",
	.summary = "a whole session: services, readiness, clients, results, teardown",
	.help = "Starts the services of the recipes, waits until each is ready (its readiness\n"
		"probe passed and it wrote endpoint.json), then starts the clients, waits for\n"
		"them, collects their result files, writes summary.json and stops everything the\n"
		"session started. A service that dies or never becomes ready fails the session\n"
		"with its log tail; its clients never run. Ctrl-C tears the session down.\n"
		"Several recipes form one session: a client-only recipe may target a service of\n"
		"an earlier one by name.\n"
		"\n"
		"Prints the summary table (or summary.json with --json) on stdout; progress goes\n"
		"to stderr on a terminal or with -v.\n"
		"\n"
		"options:\n"
		"  -e, --executor NAME        local (default), slurm (sbatch here) or ssh (sbatch\n"
		"                             on hpc.hostname); see docs/executors.md\n"
		"  -o, --out DIR              local: DIR is the run folder; slurm/ssh: copy the\n"
		"                             scripts, logs and result files into DIR at the end\n"
		"  -t, --target-service ID    clients target this running service (from 'up')\n"
		"  -E, --target-endpoint URL  clients target this URL or HOST:PORT\n"
		"      --replicas N           every client runs as N load generators started\n"
		"                             together (srun steps of its job, one node each),\n"
		"                             rate and -n split among them, results merged\n"
		"                             exactly (docs/scaling.md); overrides the recipe's\n"
		"                             replicas\n"
		"      --json                 print summary.json instead of the table\n"
		"\n"
		"exit: 0 every client completed; 1 a service or client failed, or interrupted;\n"
		"      2 bad recipe or option (nothing submitted); 3 cluster unreachable.\n"
		"\n"
		"examples:\n"
		"  hpcbench run recipes/sessions/redis-local.yaml\n"
		"  hpcbench run recipes/sessions/redis-local.yaml --executor slurm --out results/\n"
		"  hpcbench run recipes/clients/redis-load.yaml --target-service redis_1a2b3c4d\n",
	.flags = CMD_STORE,
	.exec = cmd_run_exec,
};
