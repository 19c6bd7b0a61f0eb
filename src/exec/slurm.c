#include "exec/slurm.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/strlist.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "exec/runner-local.h"
#include "exec/slurm-parse.h"

/* Seconds one SLURM command may take before we give up on it. */
#define SLURM_CMD_TIMEOUT_S 60
/* Poll advice: start fast (the first job starts within seconds), back off to this. */
#define POLL_HINT_MIN_MS 250u
#define POLL_HINT_MAX_MS 10000u

struct slurm_priv {
	int remote;	      /* job-side files through the runner */
	int sacct_disabled;   /* SLURM said "accounting storage is disabled" */
	char *submit_blocker; /* reason every submit() fails, or NULL */
};

static struct slurm_priv *priv_of(struct executor *ex)
{
	return ex->priv;
}

void slurm_format_time(char *buf, size_t size, uint64_t s)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	if (d)
		snprintf(buf, size, "%" PRIu64 "-%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, d, h, m,
			 sec);
	else if (h)
		snprintf(buf, size, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, h, m, sec);
	else
		snprintf(buf, size, "%" PRIu64 ":%02" PRIu64, m, sec);
}

/*
 * Runs argv through the runner. Returns the exit status, or -1 with err when it could
 * not run (then ex->unreachable tells whether the cluster is out of reach).
 */
static int run_cmd(struct executor *ex, const char *const *argv, const char *in, size_t in_len,
		   struct strbuf *out, struct strbuf *errout, struct strbuf *err)
{
	struct runner *rn = ex->runner;
	int rc = rn->run(rn, argv, in, in_len, out, errout, err);
	if (rn->unreachable) {
		ex->unreachable = 1;
		return -1;
	}
	/* SLURM's clients retry for about 10 s, then say this: the cluster is out of reach */
	if (rc > 0 && errout && strstr(errout->buf, "Unable to contact slurm controller")) {
		struct strbuf msg = STRBUF_INIT;
		add_last_line(&msg, errout->buf);
		ex->unreachable = 1;
		error(err, "%s: the SLURM controller does not answer (%s)", argv[0], msg.buf);
		strbuf_release(&msg);
		return -1;
	}
	return rc;
}

/* Runs argv and fails unless it exits 0; the message names what and quotes stderr. */
static int run_ok(struct executor *ex, const char *what, const char *const *argv, const char *in,
		  size_t in_len, struct strbuf *out, struct strbuf *err)
{
	struct strbuf errout = STRBUF_INIT, msg = STRBUF_INIT;
	int rc = run_cmd(ex, argv, in, in_len, out, &errout, err);
	if (rc > 0) {
		add_last_line(&msg, errout.buf);
		error(err, "%s failed (exit %d)%s%s", what, rc, msg.len ? ": " : "", msg.buf);
	}
	strbuf_release(&errout);
	strbuf_release(&msg);
	return rc == 0 ? 0 : -1;
}

/* Splits "ID;CLUSTER" native ids. Returns the id part (new string); *cluster or NULL. */
static char *split_native(const char *native, char **cluster)
{
	const char *semi = strchr(native, ';');
	*cluster = semi ? xstrdup(semi + 1) : NULL;
	return semi ? xstrndup(native, (size_t)(semi - native)) : xstrdup(native);
}

static int slurm_put_file(struct executor *ex, const char *path, const void *data, size_t len,
			  mode_t mode, struct strbuf *err)
{
	char mode_s[8];
	/* temp name + rename, as write_file_atomic does here */
	const char *argv[] = { "sh",
			       "-c",
			       "umask 077 && cat >\"$1.hb-tmp\" && chmod \"$2\" \"$1.hb-tmp\" && "
			       "mv -f \"$1.hb-tmp\" \"$1\"",
			       "hpcbench-put",
			       path,
			       mode_s,
			       NULL };
	struct strbuf what = STRBUF_INIT;
	int ret;

	if (!priv_of(ex)->remote)
		return write_file_atomic(path, data, len, mode, err);
	snprintf(mode_s, sizeof(mode_s), "%03o", (unsigned)(mode & 07777));
	strbuf_addf(&what, "writing %s", path);
	ret = run_ok(ex, what.buf, argv, data ? data : "", len, NULL, err);
	strbuf_release(&what);
	return ret;
}

static int slurm_get_file(struct executor *ex, const char *path, struct strbuf *out,
			  struct strbuf *err)
{
	const char *argv[] = { "cat", "--", path, NULL };
	struct strbuf what = STRBUF_INIT;
	int ret;

	if (!priv_of(ex)->remote)
		return read_file(path, out, err);
	strbuf_addf(&what, "reading %s", path);
	ret = run_ok(ex, what.buf, argv, NULL, 0, out, err);
	strbuf_release(&what);
	return ret;
}

static int slurm_mkdir_p(struct executor *ex, const char *path, struct strbuf *err)
{
	const char *argv[] = { "mkdir", "-p", "--", path, NULL };
	if (!priv_of(ex)->remote)
		return mkdir_p(path, 0755, err);
	return run_ok(ex, "mkdir -p", argv, NULL, 0, NULL, err);
}

static int slurm_submit(struct executor *ex, struct store_job *job, const char *after,
			uint64_t time_limit_s, struct strbuf *err)
{
	struct slurm_priv *p = priv_of(ex);
	struct strlist argv = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	char *id = NULL, *cluster = NULL, *after_id = NULL, *after_cluster = NULL;
	char limit[32];
	int ret = -1;

	if (p->submit_blocker) {
		error(err, "%s", p->submit_blocker);
		goto out;
	}
	strlist_push(&argv, "sbatch");
	strlist_push(&argv, "--parsable");
	strlist_push_owned(&argv, xasprintf("--chdir=%s", job->job_dir));
	strlist_push_owned(&argv, xasprintf("--output=%s/out.log", job->job_dir));
	strlist_push_owned(&argv, xasprintf("--error=%s/err.log", job->job_dir));
	if (time_limit_s && time_limit_s != UINT64_MAX) {
		slurm_format_time(limit, sizeof(limit), time_limit_s);
		strlist_push_owned(&argv, xasprintf("--time=%s", limit));
	}
	if (after) {
		after_id = split_native(after, &after_cluster);
		strlist_push_owned(&argv, xasprintf("--dependency=after:%s", after_id));
		strlist_push(&argv, "--kill-on-invalid-dep=yes");
		if (after_cluster)
			strlist_push_owned(&argv, xasprintf("--clusters=%s", after_cluster));
	}
	strlist_push_owned(&argv, xasprintf("%s/job.sh", job->job_dir));
	if (run_ok(ex, "sbatch", (const char *const *)strlist_argv(&argv), NULL, 0, &out, err))
		goto out;
	if (slurm_parse_sbatch(out.buf, &id, &cluster, err))
		goto out;
	free(job->native_id);
	job->native_id = cluster ? xasprintf("%s;%s", id, cluster) : xstrdup(id);
	job->state = JS_PENDING;
	job->exit_code = -1;
	ex->poll_hint_ms = POLL_HINT_MIN_MS;
	ret = 0;
out:
	strlist_clear(&argv);
	strbuf_release(&out);
	free(id);
	free(cluster);
	free(after_id);
	free(after_cluster);
	return ret;
}

/* True when squeue/scancel complained only about ids SLURM has already forgotten. */
static int only_unknown_ids(const char *errout)
{
	const char *p = errout;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct strbuf line = STRBUF_INIT;
		int benign;
		strbuf_add(&line, p, n);
		benign = !n || strstr(line.buf, "Invalid job id") ||
			 strstr(line.buf, "already completing or completed");
		strbuf_release(&line);
		if (!benign)
			return 0;
		p += n + (nl ? 1 : 0);
	}
	return 1;
}

/*
 * On the login node, one command per poll: squeue (its arguments are "$@"), a marker
 * line "\036STATUS", then the first line of JOB_DIR/state for each JOB_DIR on stdin.
 */
static const char poll_script[] =
    "squeue \"$@\"; s=$?; printf '\\036%d\\n' \"$s\"; "
    "while IFS= read -r d; do printf '%s\\n' \"$(head -n 1 -- \"$d/state\" 2>/dev/null)\"; "
    "done";

/* The state files of a poll: for jobs[i], the first line of its state file in lines[i]. */
struct state_read {
	struct store_job **jobs;
	size_t n;
	struct strbuf *lines;
};

/* Splits the poll script's output: squeue's stdout stays in out; returns squeue's status. */
static int split_poll_output(struct strbuf *out, const struct state_read *sr, struct strbuf *err)
{
	char *mark = out->len && out->buf[0] == '\036' ? out->buf : strstr(out->buf, "\n\036");
	const char *p;
	int status;

	if (!mark)
		return error(err, "reading job states: unexpected output from the login node");
	if (*mark == '\n')
		mark++;
	status = atoi(mark + 1);
	p = strchr(mark, '\n');
	p = p ? p + 1 : mark + strlen(mark);
	for (size_t i = 0; i < sr->n && *p; i++) {
		size_t len = strcspn(p, "\n");
		strbuf_add(&sr->lines[i], p, len);
		p += len + (p[len] ? 1 : 0);
	}
	strbuf_setlen(out, (size_t)(mark - out->buf));
	return status;
}

/*
 * squeue for ids (comma-separated) of one cluster; rows appended. With sr on a remote
 * executor, the same command also reads the jobs' state files (one round trip a poll).
 */
static int query_squeue(struct executor *ex, const char *ids, const char *cluster,
			struct slurm_rows *rows, const struct state_read *sr, struct strbuf *err)
{
	struct strlist argv = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, msg = STRBUF_INIT, in = STRBUF_INIT;
	int combined = sr && priv_of(ex)->remote;
	int rc, ret = -1;

	if (combined) {
		strlist_push(&argv, "sh");
		strlist_push(&argv, "-c");
		strlist_push(&argv, poll_script);
		strlist_push(&argv, "hpcbench-poll");
		for (size_t i = 0; i < sr->n; i++)
			strbuf_addf(&in, "%s\n", sr->jobs[i]->job_dir);
	} else {
		strlist_push(&argv, "squeue");
	}
	strlist_push(&argv, "-h");
	strlist_push(&argv, "-t");
	strlist_push(&argv, "all");
	strlist_push_owned(&argv, xasprintf("--jobs=%s", ids));
	strlist_push_owned(&argv, xasprintf("--Format=%s", SQUEUE_FORMAT));
	if (cluster)
		strlist_push_owned(&argv, xasprintf("--clusters=%s", cluster));
	rc = run_cmd(ex, (const char *const *)strlist_argv(&argv), in.buf, in.len, &out, &errout,
		     err);
	if (rc < 0)
		goto out;
	if (combined && rc == 0)
		rc = split_poll_output(&out, sr, err);
	if (rc < 0)
		goto out;
	/* every id unknown: exit 1 "Invalid job id specified" */
	if (rc != 0 && !only_unknown_ids(errout.buf)) {
		add_last_line(&msg, errout.buf);
		error(err, "squeue failed (exit %d): %s", rc, msg.buf);
		goto out;
	}
	ret = slurm_parse_squeue(out.buf, rows, err);
out:
	strlist_clear(&argv);
	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&msg);
	strbuf_release(&in);
	return ret;
}

/*
 * sacct for ids squeue has forgotten. Never fails the poll: without accounting (or when
 * sacct breaks) the state files decide.
 */
static void query_sacct(struct executor *ex, const char *ids, const char *cluster,
			struct slurm_rows *rows)
{
	struct slurm_priv *p = priv_of(ex);
	struct strlist argv = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, err = STRBUF_INIT;
	int rc;

	if (p->sacct_disabled)
		return;
	strlist_push(&argv, "sacct");
	strlist_push(&argv, "-P");
	strlist_push(&argv, "-n");
	strlist_push(&argv, "-X");
	strlist_push_owned(&argv, xasprintf("--jobs=%s", ids));
	strlist_push_owned(&argv, xasprintf("--format=%s", SACCT_FORMAT));
	if (cluster)
		strlist_push_owned(&argv, xasprintf("--clusters=%s", cluster));
	rc = run_cmd(ex, (const char *const *)strlist_argv(&argv), NULL, 0, &out, &errout, &err);
	if (rc != 0 && strstr(errout.buf, "accounting storage is disabled"))
		p->sacct_disabled = 1;
	else if (rc == 0)
		slurm_parse_sacct(out.buf, rows, &err);
	strlist_clear(&argv);
	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&err);
}

/* Local file system: the first line of each job's state file (empty when missing). */
static void read_state_files(const struct state_read *sr)
{
	for (size_t i = 0; i < sr->n; i++) {
		struct strbuf path = STRBUF_INIT, ignore = STRBUF_INIT;
		strbuf_addf(&path, "%s/state", sr->jobs[i]->job_dir);
		if (read_file(path.buf, &sr->lines[i], &ignore) == 0)
			strbuf_setlen(&sr->lines[i], strcspn(sr->lines[i].buf, "\n"));
		strbuf_release(&path);
		strbuf_release(&ignore);
	}
}

static void set_str(char **dst, const char *src)
{
	if (*dst == src)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

/* Merges what SLURM said (row, may be NULL) and the job's state file into job. */
static void merge_job(struct store_job *job, const struct slurm_row *row, const char *state_line)
{
	enum job_state fst = JS_UNKNOWN;
	int fexit = -1, have_file;
	char *freason = NULL;

	have_file = state_line && *state_line &&
		    slurm_parse_state_file(state_line, &fst, &fexit, &freason) == 0;
	if (row) {
		job->state = row->state;
		job->exit_code = row->exit_code;
		set_str(&job->node, row->node);
		set_str(&job->reason, row->reason);
		if (row->state == JS_RUNNING && have_file && fst == JS_READY)
			job->state = JS_READY;
		/* the script knows why it failed better than "NonZeroExitCode" */
		if (row->state == JS_FAILED && have_file && fst == JS_FAILED) {
			if (job->exit_code < 0)
				job->exit_code = fexit;
			if (freason && (!row->reason || !strcmp(row->reason, "NonZeroExitCode")))
				set_str(&job->reason, freason);
		}
	} else if (have_file && (fst == JS_COMPLETED || fst == JS_FAILED)) {
		job->state = fst;
		job->exit_code = fexit;
		set_str(&job->reason, freason);
	} else {
		char *why = xasprintf("vanished: neither squeue nor sacct knows job %s any more "
				      "and its state file %s%s%s",
				      job->native_id, have_file ? "says '" : "is missing",
				      have_file ? state_line : "", have_file ? "'" : "");
		job->state = JS_FAILED;
		job->exit_code = -1;
		free(job->reason);
		job->reason = why;
	}
	free(freason);
}

/* Comma-separated SLURM ids of jobs (by index) that belong to cluster (NULL: none). */
static char *id_list(struct store_job **jobs, size_t n, const char *cluster,
		     const struct slurm_rows *skip)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char *c, *id = split_native(jobs[i]->native_id, &c);
		int same = (!c && !cluster) || (c && cluster && !strcmp(c, cluster));
		if (same && (!skip || !slurm_rows_find(skip, id))) {
			if (sb.len)
				strbuf_addch(&sb, ',');
			strbuf_addstr(&sb, id);
		}
		free(id);
		free(c);
	}
	return strbuf_detach(&sb, NULL);
}

/* The distinct clusters ("" for the default one) of the jobs' native ids. */
static void job_clusters(struct store_job **jobs, size_t n, struct strlist *clusters)
{
	for (size_t i = 0; i < n; i++) {
		char *c, *id = split_native(jobs[i]->native_id, &c);
		int seen = 0;
		for (size_t k = 0; k < clusters->nr; k++)
			seen |= !strcmp(clusters->items[k], c ? c : "");
		if (!seen)
			strlist_push(clusters, c ? c : "");
		free(id);
		free(c);
	}
}

static int slurm_poll(struct executor *ex, struct store_job *const *all, size_t n,
		      struct strbuf *err)
{
	struct store_job **jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	struct strbuf *lines = NULL;
	struct state_read sr;
	struct slurm_rows rows = { 0 };
	struct strlist clusters = STRLIST_INIT;
	size_t nr = 0;
	int changed = 0, ret = -1;

	for (size_t i = 0; i < n; i++)
		if (all[i]->native_id && !job_state_is_final(all[i]->state))
			jobs[nr++] = all[i];
	if (!nr) {
		ret = 0;
		goto out;
	}
	lines = xcalloc(nr, sizeof(*lines));
	for (size_t i = 0; i < nr; i++)
		strbuf_init(&lines[i], 0);
	sr = (struct state_read){ .jobs = jobs, .n = nr, .lines = lines };
	if (!priv_of(ex)->remote)
		read_state_files(&sr);
	/*
	 * One squeue (then at most one sacct) per cluster: normally exactly one. Remote, the
	 * first squeue also brings the state files back.
	 */
	job_clusters(jobs, nr, &clusters);
	for (size_t k = 0; k < clusters.nr; k++) {
		const char *cl = *clusters.items[k] ? clusters.items[k] : NULL;
		char *ids = id_list(jobs, nr, cl, NULL), *missing;
		int r = query_squeue(ex, ids, cl, &rows, k == 0 ? &sr : NULL, err);
		free(ids);
		if (r)
			goto out;
		missing = id_list(jobs, nr, cl, &rows);
		if (*missing)
			query_sacct(ex, missing, cl, &rows);
		free(missing);
	}
	for (size_t i = 0; i < nr; i++) {
		struct store_job *job = jobs[i];
		char *c, *id = split_native(job->native_id, &c);
		enum job_state before = job->state;
		merge_job(job, slurm_rows_find(&rows, id), lines[i].buf);
		changed |= job->state != before;
		free(id);
		free(c);
	}
	ret = 0;
out:
	if (changed || !ex->poll_hint_ms)
		ex->poll_hint_ms = POLL_HINT_MIN_MS;
	else if (ret == 0)
		ex->poll_hint_ms = ex->poll_hint_ms * 2 > POLL_HINT_MAX_MS ? POLL_HINT_MAX_MS
									   : ex->poll_hint_ms * 2;
	for (size_t i = 0; lines && i < nr; i++)
		strbuf_release(&lines[i]);
	free(lines);
	free(jobs);
	slurm_rows_release(&rows);
	strlist_clear(&clusters);
	return ret;
}

/* scancel every unfinished job (one call per cluster), then one poll to show the effect. */
static int slurm_cancel(struct executor *ex, struct store_job *const *all, size_t n,
			struct strbuf *err)
{
	struct store_job **jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	struct strlist clusters = STRLIST_INIT, argv = STRLIST_INIT;
	struct strbuf errout = STRBUF_INIT, msg = STRBUF_INIT;
	size_t nr = 0;
	int rc, ret = -1;

	for (size_t i = 0; i < n; i++)
		if (all[i]->native_id && !job_state_is_final(all[i]->state))
			jobs[nr++] = all[i];
	job_clusters(jobs, nr, &clusters);
	for (size_t k = 0; k < clusters.nr; k++) {
		const char *cl = *clusters.items[k] ? clusters.items[k] : NULL;
		char *ids = id_list(jobs, nr, cl, NULL), *save = NULL;
		strlist_clear(&argv);
		strlist_push(&argv, "scancel");
		if (cl)
			strlist_push_owned(&argv, xasprintf("--clusters=%s", cl));
		for (char *tok = strtok_r(ids, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			strlist_push(&argv, tok);
		free(ids);
		strbuf_reset(&errout);
		rc = run_cmd(ex, (const char *const *)strlist_argv(&argv), NULL, 0, NULL, &errout,
			     err);
		if (rc < 0)
			goto out;
		/* jobs that ended meanwhile are not an error */
		if (rc != 0 && !only_unknown_ids(errout.buf)) {
			add_last_line(&msg, errout.buf);
			error(err, "scancel failed (exit %d): %s", rc, msg.buf);
			goto out;
		}
	}
	ret = nr ? slurm_poll(ex, all, n, err) : 0;
out:
	free(jobs);
	strlist_clear(&clusters);
	strlist_clear(&argv);
	strbuf_release(&errout);
	strbuf_release(&msg);
	return ret;
}

static void slurm_close(struct executor *ex)
{
	struct slurm_priv *p = ex->priv;
	if (ex->runner) {
		ex->runner->close(ex->runner);
		ex->runner = NULL;
	}
	if (p) {
		free(p->submit_blocker);
		free(p);
		ex->priv = NULL;
	}
	free(ex->hpcbench_bin);
	free(ex->home);
	ex->hpcbench_bin = ex->home = NULL;
}

void slurm_executor_attach(struct executor *ex, struct runner *rn, int remote)
{
	if (ex->runner && ex->runner != rn)
		ex->runner->close(ex->runner);
	ex->runner = rn;
	if (!rn->timeout_s)
		rn->timeout_s = SLURM_CMD_TIMEOUT_S;
	priv_of(ex)->remote = remote;
}

void slurm_executor_block_submit(struct executor *ex, const char *why)
{
	set_str(&priv_of(ex)->submit_blocker, why);
}

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;
	if (h && *h)
		return xstrdup(h);
	pw = getpwuid(getuid());
	return xstrdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

/* Local SLURM: this machine must have sbatch (else exit 3: no cluster here). */
static int slurm_open(struct executor *ex, const struct config *cfg, struct strbuf *err)
{
	const char *argv[] = { "sbatch", "--version", NULL };
	const char *conf = getenv("SLURM_CONF");
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, why = STRBUF_INIT;
	int rc, ret = -1;

	slurm_executor_attach(ex, runner_local_new(1), 0);
	/* SLURM's clients wait a minute on a missing config before failing: say it now */
	if (conf && *conf && access(conf, R_OK)) {
		ex->unreachable = 1;
		error(err, "SLURM_CONF names %s, which cannot be read: %s", conf, strerror(errno));
		goto out;
	}
	rc = ex->runner->run(ex->runner, argv, NULL, 0, &out, &errout, &why);
	if (rc != 0) {
		ex->unreachable = 1;
		error(err,
		      "no SLURM here: %s (run hpcbench on the cluster's login node, or use "
		      "--executor ssh with hpc.hostname in the config)",
		      why.len ? why.buf : "sbatch --version failed");
		goto out;
	}
	free(ex->hpcbench_bin);
	ex->hpcbench_bin =
	    cfg && cfg->hpc.remote_bin ? xstrdup(cfg->hpc.remote_bin) : self_exe_path();
	if (!ex->hpcbench_bin)
		ex->hpcbench_bin = xstrdup("hpcbench");
	free(ex->home);
	ex->home = home_dir();
	ret = 0;
out:
	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&why);
	return ret;
}

struct executor *slurm_executor_new_named(const char *name)
{
	struct executor *ex = xcalloc(1, sizeof(*ex));
	ex->name = name;
	ex->put_file = slurm_put_file;
	ex->get_file = slurm_get_file;
	ex->mkdir_p = slurm_mkdir_p;
	ex->submit = slurm_submit;
	ex->poll = slurm_poll;
	ex->cancel = slurm_cancel;
	ex->close = slurm_close;
	ex->poll_hint_ms = POLL_HINT_MIN_MS;
	ex->priv = xcalloc(1, sizeof(struct slurm_priv));
	return ex;
}

struct executor *executor_slurm_new(void)
{
	struct executor *ex = slurm_executor_new_named("slurm");
	ex->open = slurm_open;
	return ex;
}
