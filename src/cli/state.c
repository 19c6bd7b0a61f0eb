#include "cli/state.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "store/store.h"

struct store *cli_store_open(void)
{
	struct strbuf err = STRBUF_INIT, why = STRBUF_INIT;
	char *path = store_default_path(), *moved = NULL;
	struct store *st = store_open_recover(path, &moved, &why, &err);
	if (moved)
		log_warn("%s was not a usable state database (%s); moved aside to %s and "
			 "started a new one. Runs it listed are no longer known to status; their "
			 "results stay in their run folders.",
			 path, why.buf, moved);
	if (!st)
		cli_print_errors(err.buf);
	strbuf_release(&err);
	strbuf_release(&why);
	free(moved);
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
