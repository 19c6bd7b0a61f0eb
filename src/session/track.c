#include "session/track.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "session/summary.h"
#include "store/store.h"

/* How long a cancel waits for the jobs to be reported ended. */
#define CANCEL_WAIT_S 30

struct executor *track_open_executor(const char *name, const struct config *cfg, int *unreachable,
				     struct strbuf *err)
{
	struct executor *ex = executor_new(name);
	*unreachable = 0;
	if (!ex) {
		executor_unknown(err, name);
		return NULL;
	}
	if (ex->open(ex, cfg, err) < 0) {
		*unreachable = ex->unreachable;
		executor_free(ex);
		return NULL;
	}
	return ex;
}

char *track_endpoint_url(struct executor *ex, const char *job_dir)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	char *path = xasprintf("%s/endpoint.json", job_dir), *url = NULL;
	if (ex->get_file(ex, path, &sb, &err) == 0) {
		json_error_t jerr;
		json_t *root = json_loadb(sb.buf, sb.len, 0, &jerr);
		const char *u = json_string_value(json_object_get(root, "url"));
		url = xstrdup(u);
		json_decref(root);
	}
	free(path);
	strbuf_release(&sb);
	strbuf_release(&err);
	return url;
}

/* What poll() may change in a job, to tell whether it changed. */
struct seen {
	enum job_state state;
	int64_t exit_code;
	char *node, *reason;
};

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Stamps the times of a job whose state changed since `was`; 1 if anything changed. */
static int absorb(struct executor *ex, struct store_job *j, const struct seen *was)
{
	int64_t now = (int64_t)time(NULL);
	if (j->state == was->state && j->exit_code == was->exit_code &&
	    same_str(j->node, was->node) && same_str(j->reason, was->reason))
		return 0;
	if (j->state >= JS_RUNNING && !j->started_at)
		j->started_at = now;
	if (j->state == JS_READY && !j->ready_at)
		j->ready_at = now;
	if (job_state_is_final(j->state) && !j->finished_at)
		j->finished_at = now;
	if (j->state == JS_READY && !j->endpoint)
		j->endpoint = track_endpoint_url(ex, j->job_dir);
	return 1;
}

/* Polls (or cancels) the given jobs, all of one executor, and records changes. */
static int poll_group(struct store *st, struct executor *ex, struct store_job **jobs, size_t n,
		      int cancel, struct strbuf *err)
{
	struct seen *was = xcalloc(n ? n : 1, sizeof(*was));
	int ret;
	for (size_t i = 0; i < n; i++)
		was[i] = (struct seen){ jobs[i]->state, jobs[i]->exit_code, xstrdup(jobs[i]->node),
					xstrdup(jobs[i]->reason) };
	ret = cancel ? ex->cancel(ex, jobs, n, err) : ex->poll(ex, jobs, n, err);
	/* A cancel returns once the jobs have really ended (scancel is asynchronous). */
	for (uint64_t until = mono_ns() + CANCEL_WAIT_S * 1000000000ull;
	     cancel && ret == 0 && mono_ns() < until;) {
		size_t live = 0;
		for (size_t i = 0; i < n; i++)
			live += !job_state_is_final(jobs[i]->state);
		if (!live)
			break;
		sleep_us((uint64_t)(ex->poll_hint_ms ? ex->poll_hint_ms : 250) * 1000);
		ret = ex->poll(ex, jobs, n, err);
	}
	for (size_t i = 0; i < n; i++) {
		if (absorb(ex, jobs[i], &was[i]) && store_job_update(st, jobs[i], err) < 0)
			ret = -1;
		free(was[i].node);
		free(was[i].reason);
	}
	free(was);
	return ret;
}

/* Runs poll or cancel over the live jobs, grouped by executor. */
static int for_live_jobs(struct store *st, struct executor *ex, const struct config *cfg,
			 struct store_job *jobs, size_t n, int cancel, int *stale,
			 struct strbuf *err)
{
	struct store_job **group = xcalloc(n ? n : 1, sizeof(*group));
	char *done = xcalloc(n ? n : 1, 1);
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = jobs[i].executor;
		struct executor *own = NULL, *use = ex;
		size_t g = 0;
		int unreachable;
		if (done[i])
			continue;
		for (size_t k = i; k < n; k++) {
			if (done[k] || strcmp(jobs[k].executor, name))
				continue;
			done[k] = 1;
			if (jobs[k].native_id && !job_state_is_final(jobs[k].state))
				group[g++] = &jobs[k];
		}
		if (!g)
			continue;
		if (!use || strcmp(use->name, name)) {
			own = track_open_executor(name, cfg, &unreachable, err);
			if (!own) {
				if (stale)
					*stale = cancel ? unreachable : 1;
				ret = -1;
				continue;
			}
			use = own;
		}
		if (poll_group(st, use, group, g, cancel, err) < 0)
			ret = -1;
		executor_free(own);
	}
	free(group);
	free(done);
	return ret;
}

int track_refresh(struct store *st, struct executor *ex, const struct config *cfg,
		  struct store_job *jobs, size_t n, int *stale, struct strbuf *err)
{
	return for_live_jobs(st, ex, cfg, jobs, n, 0, stale, err);
}

int track_cancel(struct store *st, struct executor *ex, const struct config *cfg,
		 struct store_job *jobs, size_t n, int *unreachable, struct strbuf *err)
{
	return for_live_jobs(st, ex, cfg, jobs, n, 1, unreachable, err);
}

/* Appends the last `lines` lines of text, indented. */
static void tail_lines(struct strbuf *out, const char *label, const struct strbuf *text,
		       unsigned lines)
{
	size_t end = text->len, start;
	unsigned seen = 0;
	while (end && (text->buf[end - 1] == '\n' || text->buf[end - 1] == ' '))
		end--;
	if (!end)
		return;
	start = end;
	while (start && seen < lines) {
		start--;
		if (text->buf[start] == '\n' && ++seen == lines) {
			start++;
			break;
		}
	}
	strbuf_addf(out, "  %s (last lines):\n", label);
	for (size_t p = start; p < end;) {
		const char *nl = memchr(text->buf + p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - (text->buf + p)) : end - p;
		strbuf_addf(out, "    %.*s\n", (int)len, text->buf + p);
		p += len + 1;
	}
}

void track_log_tail(struct executor *ex, const char *job_dir, unsigned lines, struct strbuf *out)
{
	static const char *const names[] = { "err.log", "out.log" };
	for (size_t i = 0; i < 2; i++) {
		struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
		char *path = xasprintf("%s/%s", job_dir, names[i]);
		if (ex->get_file(ex, path, &sb, &err) == 0)
			tail_lines(out, path, &sb, lines);
		free(path);
		strbuf_release(&sb);
		strbuf_release(&err);
	}
}

/* True while the hpcbench process that drives a run is alive (same host only). */
static int owner_alive(const struct store_run *run)
{
	char host[256] = "", path[64];
	struct strbuf comm = STRBUF_INIT, err = STRBUF_INIT;
	int alive;
	if (gethostname(host, sizeof(host) - 1) < 0 || strcmp(host, run->host))
		return 1; /* another machine: we cannot tell, assume it lives */
	if (run->pid <= 1 || (kill((pid_t)run->pid, 0) < 0 && errno == ESRCH))
		return 0;
	/* A reused PID is some other program. */
	snprintf(path, sizeof(path), "/proc/%lld/comm", (long long)run->pid);
	alive = read_file(path, &comm, &err) == 0 && !strncmp(comm.buf, "hpcbench", 8);
	strbuf_release(&comm);
	strbuf_release(&err);
	return alive;
}

const char *track_run_state(struct store *st, struct store_run *run, const struct store_job *jobs,
			    size_t n)
{
	struct strbuf err = STRBUF_INIT;
	int all_final = 1, cancelled = 0, failed = 0, active = !strcmp(run->state, RUN_ACTIVE);
	const char *state;
	if (!active && strcmp(run->state, RUN_UP))
		return run->state;
	if (active && owner_alive(run))
		return run->state;
	for (size_t i = 0; i < n; i++) {
		enum job_state s = jobs[i].state;
		all_final &= job_state_is_final(s) || !jobs[i].native_id;
		cancelled |= s == JS_CANCELLED;
		failed |= s == JS_FAILED || s == JS_TIMEOUT;
	}
	if (!all_final)
		return active ? "ORPHANED" : run->state;
	state = cancelled ? RUN_CANCELLED : active || failed ? RUN_FAILED : RUN_COMPLETED;
	if (active)
		store_run_finish(st, run->id, state,
				 "the hpcbench process ended before the session finished",
				 (int64_t)time(NULL), &err);
	else
		store_run_finish(st, run->id, state, NULL, (int64_t)time(NULL), &err);
	free(run->state);
	run->state = xstrdup(state);
	strbuf_release(&err);
	return run->state;
}

void track_collect_results(struct executor *ex, const struct store_job *job,
			   struct summary_result **res, size_t *nr)
{
	struct strbuf list = STRBUF_INIT, data = STRBUF_INIT, e = STRBUF_INIT;
	char *path = xasprintf("%s/results.txt", job->job_dir);
	if (ex->get_file(ex, path, &list, &e) < 0)
		strbuf_addstr(&list, "result.json\n");
	for (const char *p = list.buf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *name = xstrndup(p, len);
		const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		p += len + (nl ? 1 : 0);
		free(path);
		path = xasprintf("%s/%s", job->job_dir, base);
		strbuf_reset(&data);
		strbuf_reset(&e);
		if (*base && ex->get_file(ex, path, &data, &e) == 0)
			summary_result_add(res, nr, job->id, path, path, &data);
		free(name);
	}
	free(path);
	strbuf_release(&list);
	strbuf_release(&data);
	strbuf_release(&e);
}
