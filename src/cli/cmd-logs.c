/* hpcbench logs ID [-f] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "session/track.h"
#include "store/store.h"

extern const struct cmd_entry cmd_logs_entry;

/* Prints what is new in JOB_DIR/name since *seen bytes. */
static int show_new(struct executor *ex, const char *job_dir, const char *name, FILE *to,
		    size_t *seen, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT, e = STRBUF_INIT;
	char *path = xasprintf("%s/%s", job_dir, name);
	int ret = 0;
	if (ex->get_file(ex, path, &sb, &e) < 0) {
		/* Not written yet (a pending job) is not an error. */
		if (!strstr(e.buf, "No such file"))
			ret = error(err, "%s", e.buf);
	} else {
		if (sb.len < *seen) /* truncated or replaced: start over */
			*seen = 0;
		fwrite(sb.buf + *seen, 1, sb.len - *seen, to);
		fflush(to);
		*seen = sb.len;
	}
	free(path);
	strbuf_release(&sb);
	strbuf_release(&e);
	return ret;
}

static int cmd_logs_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT;
	struct store_job *job = &ctx->job;
	struct executor *ex;
	size_t seen_out = 0, seen_err = 0;
	int c, follow = 0, ret = EXIT_FAILED;

	while ((c = cli_getopt(&cmd_logs_entry, argc, argv, "f", longopts)) != -1) {
		if (c != 'f')
			return EXIT_USAGE;
		follow = 1;
	}
	if (optind + 1 != argc)
		return cli_usage_error(&cmd_logs_entry, "give exactly one job id");
	ret = cli_setup(ctx, argv[optind]);
	if (ret != EXIT_OK)
		return ret;
	ret = EXIT_FAILED;
	ex = ctx->ex;
	for (;;) {
		int ended;
		struct strbuf e = STRBUF_INIT;
		/* Refresh before reading: after a final state, one last read gets the rest. */
		track_refresh(ctx->store, ex, ctx->config, job, 1, NULL, &e);
		strbuf_release(&e);
		ended = !job->native_id ? 0 : job_state_is_final(job->state);
		if (show_new(ex, job->job_dir, "out.log", stdout, &seen_out, &err) < 0 ||
		    show_new(ex, job->job_dir, "err.log", stderr, &seen_err, &err) < 0)
			goto out;
		if (!follow || ended)
			break;
		sleep_us(500000);
	}
	ret = EXIT_OK;
out:
	if (err.len)
		cli_print_errors(err.buf);
	strbuf_release(&err);
	return ret;
}

const struct cmd_entry cmd_logs_entry = {
	.name = "logs",
	.usage = "logs ID [-f]",
	.summary = "a job's output: out.log on stdout, err.log on stderr",
	.help = "Prints the job's out.log on stdout and its err.log on stderr, from its job\n"
		"folder (over ssh for the ssh executor). Works for running and ended jobs.\n"
		"\n"
		"options:\n"
		"  -f, --follow  keep printing what the job writes until it ends (Ctrl-C stops)\n"
		"\n"
		"examples:\n"
		"  hpcbench logs redis_1a2b3c4d\n"
		"  hpcbench logs -f redis-load_5e6f7a8b\n",
	.flags = CMD_EXECUTOR,
	.exec = cmd_logs_exec,
};
