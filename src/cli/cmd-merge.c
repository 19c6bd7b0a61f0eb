/* hpcbench merge RESULT...: one exact result from the result files of replicas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/jsonw.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "load/core/merge.h"

extern const struct cmd_entry cmd_merge_entry;

enum { OPT_JSON = 0x100, OPT_NOTE, OPT_ALLOW_FAILED };

static const struct option merge_longopts[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "allow-failed", no_argument, NULL, OPT_ALLOW_FAILED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --note I=TEXT: what is known of replica I's failure (I counts from 0). */
static int parse_note(const char *arg, size_t *idx, const char **text)
{
	char *end;
	unsigned long i = strtoul(arg, &end, 10);
	if (end == arg || *end != '=' || !end[1])
		return -1;
	*idx = (size_t)i;
	*text = end + 1;
	return 0;
}

static int cmd_merge_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct merge_input *in = NULL;
	struct merge_summary sum;
	const char *json_path = NULL;
	const char **notes = NULL;
	size_t *note_idx = NULL, nnotes = 0, n;
	int allow_failed = 0, c, ret = EXIT_USAGE;
	struct jsonw w;

	(void)ctx;
	while ((c = cli_getopt(&cmd_merge_entry, argc, argv, "h", merge_longopts)) != -1) {
		switch (c) {
		case OPT_JSON:
			json_path = optarg;
			break;
		case OPT_NOTE:
			notes = xrealloc(notes, (nnotes + 1) * sizeof(*notes));
			note_idx = xrealloc(note_idx, (nnotes + 1) * sizeof(*note_idx));
			if (parse_note(optarg, &note_idx[nnotes], &notes[nnotes])) {
				ret = cli_usage_error(&cmd_merge_entry,
						      "--note: '%s' is not I=TEXT (I from 0)",
						      optarg);
				goto out;
			}
			nnotes++;
			break;
		case OPT_ALLOW_FAILED:
			allow_failed = 1;
			break;
		case 'h':
			fputs(cmd_merge_entry.help, stdout);
			ret = EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	n = (size_t)(argc - optind);
	if (!n) {
		ret = cli_usage_error(&cmd_merge_entry, "no result files given");
		goto out;
	}
	in = xcalloc(n, sizeof(*in));
	for (size_t i = 0; i < n; i++)
		in[i].path = argv[optind + (int)i];
	for (size_t k = 0; k < nnotes; k++) {
		if (note_idx[k] >= n) {
			ret =
			    cli_usage_error(&cmd_merge_entry,
					    "--note %zu: there are only %zu result files (0..%zu)",
					    note_idx[k], n, n - 1);
			goto out;
		}
		in[note_idx[k]].note = notes[k];
	}

	jsonw_init(&w, &out, 2);
	if (load_merge(in, n, &w, NULL, &sum, &err)) {
		cli_print_errors(err.buf);
		ret = EXIT_FAILED;
		goto out;
	}
	strbuf_addch(&out, '\n');
	if (json_path && write_file_atomic(json_path, out.buf, out.len, 0644, &err)) {
		cli_print_errors(err.buf);
		ret = EXIT_FAILED;
		goto out;
	}
	printf("merged %u of %u replicas: %llu sent, %llu ok, %llu errors, %llu dropped in "
	       "%.3f s\n",
	       sum.nmerged, sum.nreplicas, (unsigned long long)sum.sent, (unsigned long long)sum.ok,
	       (unsigned long long)sum.errors, (unsigned long long)sum.dropped, sum.duration_s);
	printf("  throughput    %.1f req/s (ok / merged window)\n",
	       sum.duration_s > 0 ? (double)sum.ok / sum.duration_s : 0);
	printf("  latency       p50 %.1f  p99 %.1f us (histograms added)\n", sum.p50_us,
	       sum.p99_us);
	printf("  start skew    %.3f ms (latest minus earliest window start)\n", sum.skew_ms);
	if (!json_path)
		fputs(out.buf, stdout);
	if (sum.nmerged < sum.nreplicas) {
		fprintf(stderr, "hpcbench: merge: %u of %u replicas failed (see replicas.list)\n",
			sum.nreplicas - sum.nmerged, sum.nreplicas);
		ret = allow_failed ? EXIT_OK : EXIT_FAILED;
	} else {
		ret = EXIT_OK;
	}
out:
	free(in);
	free(notes);
	free(note_idx);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

const struct cmd_entry cmd_merge_entry = {
	.name = "merge",
	.usage = "merge [--json OUT] [--note I=TEXT] [--allow-failed] RESULT...",
	.summary = "merge replica result files into one exact result",
	.help = "Merges the result files of load generators that ran together (replicas,\n"
		"hpcbench.result/1) into one result: histograms added bucket by bucket and\n"
		"percentiles computed from the sum (the merged p99 is the p99 of every\n"
		"replica's samples together), counts and errors summed, intervals aligned on\n"
		"the wall clock, the start skew measured, each replica's figures kept under\n"
		"replicas.list. A RESULT that is missing or unreadable (a replica killed or\n"
		"failed) is listed with its reason and the others are still merged.\n"
		"\n"
		"options:\n"
		"  --json OUT        write the merged result to OUT (atomically) instead of\n"
		"                    printing it after the summary\n"
		"  --note I=TEXT     what is known of replica I's failure (e.g. '1=exit 137\n"
		"                    on node2'), kept in its entry; I counts from 0\n"
		"  --allow-failed    exit 0 even when a replica failed (default: 1)\n"
		"\n"
		"exit status: 0 every replica merged; 1 a replica failed (the merged file is\n"
		"written all the same) or none could be read; 2 bad usage.\n"
		"\n"
		"example:\n"
		"  hpcbench merge --json merged.json r0.json r1.json r2.json\n",
	.exec = cmd_merge_exec,
};
