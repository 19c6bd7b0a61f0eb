/* hpcbench compare BASE NEW [--threshold PCT] [--json] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "common/error.h"
#include "report/compare.h"

extern const struct cmd_entry cmd_compare_entry;

static int cmd_compare_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts o = { .threshold_pct = 5 };
	struct compare_outcome oc;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, warn = STRBUF_INIT;
	struct rp_run base = { 0 }, cur = { 0 };
	char *end;
	int c, ret;

	while ((c = cli_getopt(&cmd_compare_entry, argc, argv, "t:", longopts)) != -1) {
		switch (c) {
		case 't':
			o.threshold_pct = strtod(optarg, &end);
			if (end == optarg || (*end && strcmp(end, "%")) ||
			    !isfinite(o.threshold_pct) || o.threshold_pct < 0)
				return cli_usage_error(&cmd_compare_entry,
						       "--threshold: '%s' is not a percentage "
						       "(e.g. 5 or 2.5%%)",
						       optarg);
			break;
		case 'j':
			o.json = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(&cmd_compare_entry, "%s",
				       argc - optind < 2 ? "needs BASE and NEW"
							 : "more than BASE and NEW given");
	ret = cli_read_results(ctx, argv[optind], &base, &err);
	if (ret == EXIT_OK)
		ret = cli_read_results(ctx, argv[optind + 1], &cur, &err);
	if (ret == EXIT_OK) {
		compare_runs(&base, &cur, &o, &out, &warn, &oc);
		fputs(out.buf, stdout);
		for (char *p = warn.buf; *p;) {
			char *nl = strchr(p, '\n');
			fprintf(stderr, "hpcbench: warning: %.*s\n",
				(int)(nl ? nl - p : (long)strlen(p)), p);
			p = nl ? nl + 1 : p + strlen(p);
		}
		if (oc.worse)
			ret = EXIT_FAILED;
		else if (!oc.compared) {
			error(&err, "nothing compared: %s",
			      oc.incomparable ? "the workloads differ (see above)"
					      : "no point of BASE has a match in NEW");
			ret = EXIT_USAGE;
		}
	}
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	rp_run_release(&base);
	rp_run_release(&cur);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&warn);
	return ret;
}

const struct cmd_entry cmd_compare_entry = {
	.name = "compare",
	.usage = "compare BASE NEW [--threshold PCT] [--json]",
	.summary = "compare two results figure by figure: better, worse or within noise",
	.help = "BASE and NEW are run ids, result files or folders of result files (as for\n"
		"report). Points are paired by their swept parameters; for every headline\n"
		"figure both hold (throughput, latency percentiles, errors, TTFT, TPOT, tokens/s,\n"
		"recall, transactions/s...) it prints base, new, the change and a verdict.\n"
		"A change within the threshold is 'within noise'. When a point has two or more\n"
		"trials on each side (several results of the same workload), a change must\n"
		"also pass Welch's two-sided t-test at p < 0.05 (docs/report.md). Points whose\n"
		"workloads differ (protocol or parameters other than duration, request count,\n"
		"seed, timeouts, threads and names) are said to be incomparable, not compared.\n"
		"Differences in provenance (version, host, CPU, server version...) are warned\n"
		"about on stderr.\n"
		"\n"
		"exit status: 0 nothing worse, 1 some figure worse beyond the threshold,\n"
		"2 bad input or nothing comparable.\n"
		"\n"
		"options:\n"
		"  -t, --threshold PCT  changes within +-PCT % are noise (default 5)\n"
		"      --json           print hpcbench.compare/1 JSON instead of the table\n"
		"\n"
		"examples:\n"
		"  hpcbench compare base.json new.json\n"
		"  hpcbench compare 20261129-143000-ab12 results/ --threshold 2 --json\n",
	.exec = cmd_compare_exec,
};
