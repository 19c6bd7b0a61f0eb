#include "cli/state.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "config/config.h"
#include "exec/executor.h"
#include "session/track.h"
#include "store/store.h"

struct store *cli_store_open(void)
{
	struct strbuf err = STRBUF_INIT;
	char *path = store_default_path();
	struct store *st = store_open(path, &err);
	if (!st)
		cli_print_errors(err.buf);
	strbuf_release(&err);
	free(path);
	return st;
}

int cli_job_get(struct store *st, const char *id, const char *service_for, struct store_job *job,
		struct strbuf *err)
{
	int rc = store_job_get(st, id, job, err);
	if (rc < 0)
		return EXIT_FAILED;
	if (rc == 1) {
		error(err, "no job '%s' (see 'hpcbench status --all')", id);
		return EXIT_USAGE;
	}
	if (service_for && !strcmp(job->kind, "client")) {
		error(err, "'%s' is a client; %s belong to services", job->id, service_for);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cli_setup(struct cli_ctx *ctx, const char *job_id)
{
	unsigned f = ctx->cmd->flags;
	struct strbuf err = STRBUF_INIT;
	int rc = EXIT_OK;
	if (f & CMD_EXECUTOR)
		f |= CMD_JOB;
	if (f & (CMD_JOB | CMD_SERVICE))
		f |= CMD_STORE | CMD_JOB;
	if ((f & (CMD_CONFIG | CMD_STORE)) && !cli_config(ctx))
		return EXIT_USAGE;
	if ((f & CMD_STORE) && !ctx->store && !(ctx->store = cli_store_open()))
		return EXIT_FAILED;
	if (f & CMD_JOB) {
		rc = cli_job_get(ctx->store, job_id, f & CMD_SERVICE ? ctx->cmd->job_for : NULL,
				 &ctx->job, &err);
		if (rc != EXIT_OK)
			cli_print_errors(err.buf);
	}
	strbuf_release(&err);
	if (rc == EXIT_OK && (f & CMD_EXECUTOR))
		rc = cli_executor(ctx, ctx->job.executor);
	return rc;
}

int cli_executor(struct cli_ctx *ctx, const char *name)
{
	struct strbuf err = STRBUF_INIT;
	int unreachable;
	executor_free(ctx->ex);
	ctx->ex = track_open_executor(name, ctx->config, &unreachable, &err);
	if (!ctx->ex)
		cli_print_errors(err.buf);
	strbuf_release(&err);
	return ctx->ex ? EXIT_OK : unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
}

void cli_ctx_release(struct cli_ctx *ctx)
{
	executor_free(ctx->ex);
	ctx->ex = NULL;
	store_job_release(&ctx->job);
	store_close(ctx->store);
	ctx->store = NULL;
	config_free(ctx->config);
	ctx->config = NULL;
}
