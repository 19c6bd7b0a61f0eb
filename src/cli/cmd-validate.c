/* hpcbench validate RECIPE... : check recipes, report every error with its position. */
#include <stdio.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "recipe/recipe.h"
#include "script/render.h"

extern const struct cmd_entry cmd_validate_entry;

/*
 * Renders r in memory, as run and render would, and throws the scripts away: what only
 * rendering reads (a `script:` file, a dashboard, a probe of the type) is checked too.
 */
static int render_check(const struct recipe *r, const struct config *cfg, struct strbuf *err)
{
	struct render_opts o = {
		.run_id = "validate",
		.run_dir = "/validate",
		.hpcbench_bin = "hpcbench",
		.cfg = cfg,
		.id_seed = 1,
	};
	struct job_plan plan;
	int ret = render_plan(r, &o, &plan, err);
	job_plan_release(&plan);
	return ret;
}

static int cmd_validate_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config *cfg;
	int quiet = 0, bad = 0, c;

	while ((c = cli_getopt(&cmd_validate_entry, argc, argv, "q", longopts)) != -1) {
		if (c == 'q')
			quiet = 1;
		else
			return EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_validate_entry, "no recipe given");
	cfg = cli_config(ctx);
	if (!cfg)
		return EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		struct strbuf err = STRBUF_INIT;
		struct recipe *r = recipe_load(argv[i], cfg, &err);
		if (r && render_check(r, cfg, &err) < 0) {
			recipe_free(r);
			r = NULL;
		}
		if (r) {
			size_t ns = r->nr_services + (r->monitoring ? 1 : 0);
			if (r->warnings) {
				fflush(stdout);
				fprintf(stderr, "%s\n", r->warnings);
			}
			if (!quiet)
				printf("%s: ok (%zu service%s, %zu client%s)\n", argv[i], ns,
				       ns == 1 ? "" : "s", r->nr_clients,
				       r->nr_clients == 1 ? "" : "s");
			recipe_free(r);
		} else {
			/* Bare FILE:LINE:COL: lines, as compilers print them (editors jump to
			 * them). */
			fflush(stdout);
			fprintf(stderr, "%s\n", err.buf);
			bad++;
		}
		strbuf_release(&err);
	}
	return bad ? EXIT_USAGE : EXIT_OK;
}

const struct cmd_entry cmd_validate_entry = {
	.name = "validate",
	.usage = "validate [--quiet] RECIPE...",
	.summary = "check recipes; report every error as FILE:LINE:COL: message",
	.help = "Loads each recipe as 'run' would and checks it strictly: unknown keys (with the\n"
		"nearest known key), wrong types, bad values (time, memory, ports, runtime),\n"
		"unknown service or client types, clients without a target, duplicate names;\n"
		"then renders its jobs in memory, so that files the recipe names (script:,\n"
		"dashboards) are read and checked as run would.\n"
		"Every error of every file is reported, one per line on stderr, as\n"
		"FILE:LINE:COL: message. Nothing is rendered or written. Warnings (a client\n"
		"command naming a file that does not exist here) are printed the same way,\n"
		"as FILE:LINE:COL: warning: message, and do not make a recipe invalid.\n"
		"\n"
		"options:\n"
		"  -q, --quiet   print nothing for valid recipes (errors are still printed)\n"
		"\n"
		"output: 'FILE: ok (N services, M clients)' per valid recipe on stdout.\n"
		"exit codes: 0 all recipes are valid, 2 at least one is not (or the config is\n"
		"invalid).\n"
		"\n"
		"examples:\n"
		"  hpcbench validate recipes/services/redis.yaml\n"
		"  hpcbench validate --quiet recipes/*/*.yaml && echo all good\n"
		"\n"
		"Recipe keys: docs/recipes.md.\n",
	.exec = cmd_validate_exec,
};
