/* hpcbench report [RUN|RESULT.json|DIR ...] [-o DIR] [--title T] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "report/report.h"

extern const struct cmd_entry cmd_report_entry;

static int cmd_report_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts o = { .dir = "report" };
	struct report_stats st;
	struct strbuf err = STRBUF_INIT;
	struct rp_run *runs;
	size_t nruns = 0, npts = 0;
	int c, ret = EXIT_OK;

	while ((c = cli_getopt(&cmd_report_entry, argc, argv, "o:t:", longopts)) != -1) {
		switch (c) {
		case 'o':
			o.dir = optarg;
			break;
		case 't':
			o.title = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (!*o.dir)
		return cli_usage_error(&cmd_report_entry, "-o needs a folder");
	runs = xcalloc(argc - optind > 0 ? (size_t)(argc - optind) : 1, sizeof(*runs));
	/* Everything is read before anything is written: bad input leaves no report. */
	do {
		const char *arg = optind < argc ? argv[optind] : NULL;
		ret = cli_read_results(ctx, arg, &runs[nruns], &err);
		npts += runs[nruns++].npts;
	} while (ret == EXIT_OK && ++optind < argc);
	if (ret == EXIT_OK && report_write(runs, nruns, &o, &st, &err) < 0)
		ret = EXIT_FAILED;
	if (ret == EXIT_OK)
		printf("report: %s/report.html (%zu run%s, %zu result%s, %zu chart%s, %zu .hgrm, "
		       "%zu bytes)\n",
		       o.dir, nruns, nruns == 1 ? "" : "s", npts, npts == 1 ? "" : "s", st.charts,
		       st.charts == 1 ? "" : "s", st.hgrm, st.html_bytes);
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	for (size_t i = 0; i < nruns; i++)
		rp_run_release(&runs[i]);
	free(runs);
	strbuf_release(&err);
	return ret;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "report [RUN|RESULT.json|DIR ...] [-o DIR] [--title T]",
	.summary = "an HTML report (charts, tables, provenance) of one or more results",
	.help =
	    "Writes DIR/report.html: a self-contained page (inline SVG and CSS, no script,\n"
	    "nothing fetched) with each result's provenance, a summary table and the charts\n"
	    "the results call for: latency by percentile, throughput and latency over time,\n"
	    "per-command bars, sweeps against their parameter, heatmaps, the knee, LLM and\n"
	    "vector charts (docs/report.md). Each chart is also DIR/chart-NN-NAME.svg with its\n"
	    "data in a .csv; the tables are summary.csv and provenance.csv; each latency\n"
	    "histogram is also an HdrHistogram .hgrm file. Several arguments are overlaid on\n"
	    "the same axes, each named by its label (file, folder or run id).\n"
	    "\n"
	    "options:\n"
	    "  RUN              a run id (default: the most recent run), a result file, or a\n"
	    "                   folder of result files (results --pull, a sweep's points)\n"
	    "  -o, --output DIR where to write (default: ./report)\n"
	    "  -t, --title T    the page's title (default: hpcbench report)\n"
	    "\n"
	    "examples:\n"
	    "  hpcbench report\n"
	    "  hpcbench report base.json new.json -o cmp/ --title 'redis 7.0 vs 7.2'\n",
	.exec = cmd_report_exec,
};
