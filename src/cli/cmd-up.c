/* hpcbench up RECIPE : start services and leave them running. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "exec/executor.h"
#include "session/session.h"
#include "store/store.h"

extern const struct cmd_entry cmd_up_entry;

static int cmd_up_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "executor", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct session_opts o = { .command = "up" };
	struct session_result res;
	struct strbuf err = STRBUF_INIT;
	int c, code;

	while ((c = cli_getopt(&cmd_up_entry, argc, argv, "e:o:", longopts)) != -1) {
		switch (c) {
		case 'e':
			o.executor = optarg;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'n':
			o.no_wait = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_up_entry, "no recipe given");
	if (o.executor && !executor_known(o.executor)) {
		struct strbuf names = STRBUF_INIT;
		int rc;
		executor_names(&names);
		rc = cli_usage_error(&cmd_up_entry, "unknown executor '%s' (%s)", o.executor,
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
	if (code == EXIT_OK)
		fputs(res.ids.buf, stdout);
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	session_result_release(&res);
	strbuf_release(&err);
	return code;
}

const struct cmd_entry cmd_up_entry = {
	.name = "up",
	.usage = "up RECIPE... [--executor local|slurm|ssh] [--out DIR] [--no-wait]",
	.summary = "start the services of a recipe, wait until ready, print their ids",
	.help =
	    "Starts every service of the recipes (clients are not started), waits until each\n"
	    "is ready, and prints their ids (NAME_XXXXXXXX), one per line, on stdout and\n"
	    "nothing else. The services keep running after hpcbench exits: see them with\n"
	    "'hpcbench status', use them with 'hpcbench endpoint ID' or 'hpcbench run\n"
	    "CLIENT.yaml --target-service ID', stop them with 'hpcbench stop ID'.\n"
	    "A service that never becomes ready is stopped, with its log tail (exit 1).\n"
	    "\n"
	    "options:\n"
	    "  -e, --executor NAME  local (default), slurm or ssh (docs/executors.md)\n"
	    "  -o, --out DIR        local: DIR is the run folder; slurm/ssh: a copy of the\n"
	    "                       run's recipe, job scripts, logs so far, states and\n"
	    "                       endpoint.json files, made once the services are ready\n"
	    "      --no-wait        print the ids once submitted, without waiting for readiness\n"
	    "\n"
	    "examples:\n"
	    "  id=$(hpcbench up recipes/services/redis-native.yaml)\n"
	    "  hpcbench endpoint \"$id\"\n"
	    "  hpcbench stop \"$id\"\n",
	.flags = CMD_STORE,
	.exec = cmd_up_exec,
};
