/* hpcbench endpoint ID [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "session/track.h"
#include "store/store.h"

extern const struct cmd_entry cmd_endpoint_entry;

static int cmd_endpoint_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT, file = STRBUF_INIT;
	struct store_job *job = &ctx->job;
	struct executor *ex;
	char *path = NULL;
	int c, json = 0, ret = EXIT_FAILED;

	while ((c = cli_getopt(&cmd_endpoint_entry, argc, argv, "", longopts)) != -1) {
		if (c != 'j')
			return EXIT_USAGE;
		json = 1;
	}
	if (optind + 1 != argc)
		return cli_usage_error(&cmd_endpoint_entry, "give exactly one service id");
	ret = cli_setup(ctx, argv[optind]);
	if (ret != EXIT_OK)
		return ret;
	ret = EXIT_FAILED;
	ex = ctx->ex;
	{
		struct strbuf e = STRBUF_INIT;
		track_refresh(ctx->store, ex, ctx->config, job, 1, NULL, &e);
		strbuf_release(&e);
	}
	if (job->state != JS_READY) {
		error(&err, "service %s is not ready (%s%s%s)", job->id, job_state_name(job->state),
		      job->reason ? ": " : "", job->reason ? job->reason : "");
		goto out;
	}
	path = xasprintf("%s/endpoint.json", job->job_dir);
	if (ex->get_file(ex, path, &file, &err) < 0)
		goto out;
	if (json) {
		fputs(file.buf, stdout);
		if (!file.len || file.buf[file.len - 1] != '\n')
			putchar('\n');
	} else {
		char *url =
		    job->endpoint ? xstrdup(job->endpoint) : track_endpoint_url(ex, job->job_dir);
		if (!url) {
			error(&err, "%s: no url in it", path);
			goto out;
		}
		printf("%s\n", url);
		free(url);
	}
	ret = EXIT_OK;
out:
	fflush(stdout);
	if (err.len)
		cli_print_errors(err.buf);
	free(path);
	strbuf_release(&err);
	strbuf_release(&file);
	return ret;
}

const struct cmd_entry cmd_endpoint_entry = {
	.name = "endpoint",
	.usage = "endpoint ID [--json]",
	.summary = "where a ready service listens (its URL)",
	.help = "Prints the URL of a ready service (from its endpoint.json), e.g.\n"
		"redis://127.0.0.1:6379. With --json prints endpoint.json itself:\n"
		"{\"host\", \"port\", \"url\", \"job_id\", \"type\", \"ready_at\"} (and\n"
		"\"cadvisor_port\" when the service runs cAdvisor).\n"
		"\n"
		"exit: 0; 1 the service is not ready (its state and reason are shown);\n"
		"      2 unknown id or a client's id; 3 cluster unreachable.\n"
		"\n"
		"examples:\n"
		"  hpcbench endpoint redis_1a2b3c4d\n"
		"  redis-cli -u \"$(hpcbench endpoint redis_1a2b3c4d)\" ping\n",
	.flags = CMD_SERVICE | CMD_EXECUTOR,
	.job_for = "endpoints",
	.exec = cmd_endpoint_exec,
};
