/* Result files named by a path or a run id, for report and compare (inputs.h). */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "exec/executor.h"
#include "session/summary.h"
#include "session/track.h"
#include "store/store.h"

/* "result" of ".../bench_1/result.json" is "bench_1"; else the base name less ".json". */
static char *file_label(const char *path)
{
	char *copy = xstrdup(path), *base = basename(copy), *label;
	size_t n = strlen(base);
	if (!strcmp(base, "result.json")) {
		char *copy2 = xstrdup(path);
		label = xstrdup(basename(dirname(copy2)));
		free(copy2);
	} else {
		label =
		    n > 5 && !strcmp(base + n - 5, ".json") ? xstrndup(base, n - 5) : xstrdup(base);
	}
	free(copy);
	return label;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* The *.json result files of dir and of its sub-folders (depth levels); others skipped. */
static void scan_dir(const char *dir, int depth, struct rp_run *run)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, not_hidden, alphasort);
	struct strbuf data = STRBUF_INIT, e = STRBUF_INIT;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);
		char *path = xasprintf("%s/%s", dir, nm);
		struct stat sb;
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth > 0)
			scan_dir(path, depth - 1, run);
		else if (S_ISREG(sb.st_mode) && len > 5 && !strcmp(nm + len - 5, ".json") &&
			 strcmp(nm, "summary.json")) {
			strbuf_reset(&data);
			strbuf_reset(&e);
			/* Other JSON files (endpoint.json...) are not results: skipped. */
			if (read_file(path, &data, &e) == 0)
				rp_run_add(run, path, data.buf, data.len, &e);
		}
		free(path);
		free(ents[i]);
	}
	free(ents);
	strbuf_release(&data);
	strbuf_release(&e);
}

/* A run of the state database: its client jobs' result files. */
static int read_run(struct cli_ctx *ctx, const char *id, struct rp_run *run, struct strbuf *err)
{
	struct store_run sr = { 0 };
	struct store_job *jobs = NULL;
	struct summary_result *res = NULL;
	struct executor *ex = NULL;
	size_t nj = 0, nr = 0;
	const struct config *cfg = cli_config(ctx);
	struct store *st;
	int rc, unreachable = 0, ret = EXIT_FAILED;

	if (!cfg)
		return EXIT_USAGE;
	st = cli_store_open();
	if (!st)
		return EXIT_FAILED;
	rc = id ? store_run_get(st, id, &sr, err) : store_run_latest(st, &sr, err);
	if (rc != 0) {
		if (rc == 1 && id)
			error(err,
			      "no result file, folder or run '%s' (see 'hpcbench status --all')",
			      id);
		else if (rc == 1)
			error(err, "no runs yet: name result files or folders");
		ret = rc == 1 ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	if (store_job_list(st, sr.id, 0, &jobs, &nj, err) < 0)
		goto out;
	ex = track_open_executor(sr.executor, cfg, &unreachable, err);
	if (ex) {
		for (size_t i = 0; i < nj; i++)
			if (!strcmp(jobs[i].kind, "client") && jobs[i].native_id)
				track_collect_results(ex, &jobs[i], &res, &nr);
	} else {
		/* Out of reach: the copies pulled earlier (results --pull, run --out). */
		struct store_result *rec = NULL;
		size_t n = 0;
		struct strbuf data = STRBUF_INIT, e = STRBUF_INIT;
		if (store_result_list(st, sr.id, &rec, &n, &e) == 0)
			for (size_t i = 0; i < n; i++) {
				strbuf_reset(&data);
				if (rec[i].local_path &&
				    read_file(rec[i].local_path, &data, &e) == 0)
					summary_result_add(&res, &nr, rec[i].job_id, rec[i].path,
							   rec[i].local_path, &data);
			}
		store_results_free(rec, n);
		strbuf_release(&data);
		strbuf_release(&e);
		if (!nr) {
			ret = unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
			goto out;
		}
		strbuf_reset(err);
	}
	for (size_t i = 0; i < nr; i++)
		if (res[i].parsed &&
		    rp_run_add(run, res[i].shown, res[i].data, res[i].len, err) < 0)
			goto out;
	if (!run->npts) {
		error(err, "run %s has no result file yet (state %s)", sr.id, sr.state);
		ret = EXIT_FAILED;
		goto out;
	}
	run->label = xstrdup(sr.id);
	ret = EXIT_OK;
out:
	summary_results_free(res, nr);
	executor_free(ex);
	store_jobs_free(jobs, nj);
	store_run_release(&sr);
	store_close(st);
	return ret;
}

int cli_read_results(struct cli_ctx *ctx, const char *arg, struct rp_run *run, struct strbuf *err)
{
	struct stat sb;
	int ret = EXIT_OK;
	if (!arg || stat(arg, &sb) < 0) {
		if (arg && (strchr(arg, '/') || strstr(arg, ".json")))
			return error(err, "%s: %s", arg, strerror(errno)), EXIT_USAGE;
		ret = read_run(ctx, arg, run, err);
	} else if (S_ISDIR(sb.st_mode)) {
		char *copy = xstrdup(arg);
		size_t n = strlen(copy);
		while (n > 1 && copy[n - 1] == '/')
			copy[--n] = '\0';
		scan_dir(copy, 2, run);
		run->label = xstrdup(basename(copy));
		free(copy);
		if (!run->npts) {
			error(err, "%s: no hpcbench result file in this folder", arg);
			ret = EXIT_USAGE;
		}
	} else {
		struct strbuf data = STRBUF_INIT;
		if (read_file(arg, &data, err) < 0 ||
		    rp_run_add(run, arg, data.buf, data.len, err) < 0)
			ret = EXIT_USAGE;
		run->label = file_label(arg);
		strbuf_release(&data);
	}
	if (ret == EXIT_OK)
		rp_run_finish(run);
	return ret;
}
