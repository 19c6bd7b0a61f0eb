#include "session/session.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/version.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "exec/executor.h"
#include "exec/expand.h"
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "script/render.h"
#include "service/service.h"
#include "session/asrun.h"
#include "session/runid.h"
#include "session/summary.h"
#include "session/track.h"
#include "store/store.h"

/* A service gets this long past its health_check timeout before the session gives up
 * on it (its own script normally fails it first). */
#define READY_GRACE_S 30
#define DEFAULT_READY_TIMEOUT_S 300
/* Lines of a failed job's logs shown with the error. */
#define TAIL_LINES 15
/* Consecutive failed polls tolerated (a busy slurmctld, a slow network). */
#define MAX_POLL_ERRORS 5

volatile sig_atomic_t session_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	session_interrupted = 1;
}

void session_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct session {
	const struct session_opts *o;
	struct recipe **recipes;
	struct job_plan *plans; /* one per recipe */
	size_t nr_recipes;
	struct job **jobs;	/* every job of every plan, services first */
	struct store_job *recs; /* parallel to jobs: the database records */
	int *deps;		/* parallel: index in jobs of the service a client follows */
	uint64_t *since_ms;	/* parallel: when a service was first seen RUNNING */
	size_t nr;
	struct executor *ex;
	struct store_run run;
	int recorded; /* the run is in the database */
	/* --target-service / target_service.id: a running service of another run. */
	struct store_job target;
	char *target_file;
	char *local_out;    /* --out for a remote executor: where copies go */
	char **abs_recipes; /* parallel to o->recipes */
};

static int is_service(const struct job *j)
{
	return j->kind != JOB_CLIENT;
}

static void sleep_ms_interruptible(unsigned ms)
{
	while (ms && !session_interrupted) {
		unsigned step = ms < 100 ? ms : 100;
		sleep_us((uint64_t)step * 1000);
		ms -= step;
	}
}

/* ---- preparation: nothing is submitted until everything here succeeded ---- */

static int load_recipes(struct session *s, struct strbuf *err)
{
	int ret = 0;
	s->recipes = xcalloc(s->o->nr_recipes, sizeof(*s->recipes));
	s->plans = xcalloc(s->o->nr_recipes, sizeof(*s->plans));
	s->nr_recipes = s->o->nr_recipes;
	s->abs_recipes = xcalloc(s->nr_recipes, sizeof(*s->abs_recipes));
	for (size_t i = 0; i < s->nr_recipes; i++) {
		s->abs_recipes[i] = realpath(s->o->recipes[i], NULL);
		if (!s->abs_recipes[i])
			s->abs_recipes[i] = xstrdup(s->o->recipes[i]);
		s->recipes[i] = recipe_load(s->o->recipes[i], s->o->cfg, err);
		if (!s->recipes[i])
			ret = -1;
		else if (s->recipes[i]->warnings)
			log_warn("%s", s->recipes[i]->warnings);
	}
	return ret;
}

/* The id of a running service named by --target-service or a client's target.id. */
static const char *wanted_target(const struct session *s)
{
	if (s->o->target_service)
		return s->o->target_service;
	for (size_t i = 0; i < s->nr_recipes; i++)
		for (size_t k = 0; k < s->recipes[i]->nr_clients; k++)
			if (s->recipes[i]->clients[k].target.id)
				return s->recipes[i]->clients[k].target.id;
	return NULL;
}

/* Looks up the target service in the database: it must be a service that is READY. */
static int resolve_target(struct session *s, const char *id, int *code, struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT;
	int rc = store_job_get(s->o->st, id, &s->target, err);
	*code = EXIT_USAGE;
	if (rc < 0)
		return -1;
	if (rc == 1)
		return error(err, "no service with id '%s' (see 'hpcbench status')", id);
	if (!strcmp(s->target.kind, "client"))
		return error(err, "'%s' is a client, not a service", id);
	track_refresh(s->o->st, NULL, s->o->cfg, &s->target, 1, NULL, &e);
	strbuf_release(&e);
	if (s->target.state != JS_READY) {
		*code = EXIT_FAILED;
		return error(err, "service '%s' is not ready (%s%s%s)", id,
			     job_state_name(s->target.state), s->target.reason ? ": " : "",
			     s->target.reason ? s->target.reason : "");
	}
	s->target_file = xasprintf("%s/endpoint.json", s->target.job_dir);
	return 0;
}

/* True for an empty folder (false for a file or an unreadable folder). */
static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = d != NULL;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	if (d)
		closedir(d);
	return empty;
}

/* WORKDIR/runs/RUN_ID, or --out for the local executor. */
static int choose_run_dir(struct session *s, struct strbuf *err)
{
	const struct session_opts *o = s->o;
	char *workdir = NULL;
	if (o->out_dir && (s->ex->caps & EXEC_SHARES_FS)) {
		char *abs = realpath(o->out_dir, NULL);
		if (abs) {
			/* An existing folder must be empty: a run folder is never mixed. */
			if (!dir_is_empty(abs)) {
				error(err,
				      "--out %s: not an empty folder (a run folder is never mixed "
				      "with other files)",
				      o->out_dir);
				free(abs);
				return -1;
			}
			s->run.run_dir = abs;
		} else if (o->out_dir[0] == '/') {
			s->run.run_dir = xstrdup(o->out_dir);
		} else {
			char cwd[4096];
			if (!getcwd(cwd, sizeof(cwd)))
				return error(err, "getcwd: %s", strerror(errno));
			s->run.run_dir = xasprintf("%s/%s", cwd, o->out_dir);
		}
		return 0;
	}
	if (o->out_dir)
		s->local_out = xstrdup(o->out_dir);
	if (o->cfg && o->cfg->workdir &&
	    executor_expand_path(s->ex, o->cfg->workdir, &workdir, err) < 0)
		return -1;
	s->run.run_dir = run_dir_path(workdir, s->ex->caps, s->ex->home, s->run.id, err);
	free(workdir);
	return s->run.run_dir ? 0 : -1;
}

/* The service job (index in s->jobs) of an earlier recipe that a later client names. */
static int earlier_service(const struct session *s, const char *name)
{
	for (size_t i = 0; name && i < s->nr; i++)
		if (is_service(s->jobs[i]) && !strcmp(s->jobs[i]->name, name))
			return (int)i;
	return -1;
}

/* A service named name in the plans rendered before plan upto, or NULL. */
static const struct job *rendered_service(const struct session *s, size_t upto, const char *name)
{
	for (size_t i = 0; name && i < upto; i++)
		for (size_t k = 0; k < s->plans[i].nr; k++)
			if (is_service(&s->plans[i].jobs[k]) &&
			    !strcmp(s->plans[i].jobs[k].name, name))
				return &s->plans[i].jobs[k];
	return NULL;
}

static void add_job(struct session *s, struct job *j, int dep)
{
	s->jobs = xrealloc(s->jobs, (s->nr + 1) * sizeof(*s->jobs));
	s->deps = xrealloc(s->deps, (s->nr + 1) * sizeof(*s->deps));
	s->jobs[s->nr] = j;
	s->deps[s->nr] = dep;
	s->nr++;
}

/*
 * Warns when a client's open-loop rate, shared among its replicas and threads, is above
 * what one load-generator thread of its protocol was measured to send: the client
 * would measure itself, not the service.
 */
static void warn_rate(const struct session *s, const struct client_spec *c)
{
	const char *rate = client_param(c, "rate"), *threads = client_param(c, "threads");
	unsigned replicas = s->o->replicas ? s->o->replicas : c->replicas ? c->replicas : 1;
	unsigned long nt = threads ? strtoul(threads, NULL, 10) : 1;
	double per;

	if (!c->type || c->type->one_thread_max_rps <= 0 || !rate || strchr(rate, ','))
		return; /* not measured, closed loop, or a sweep */
	if (!nt)
		nt = 1;
	per = strtod(rate, NULL) / replicas / (double)nt;
	if (per > c->type->one_thread_max_rps)
		log_warn("client '%s': rate %s over %u replica%s x %lu thread%s is %.0f req/s per "
			 "load-generator thread, above the %.0f req/s one %s thread was measured "
			 "to send (bench/RESULTS.md): the client may limit the result; add "
			 "replicas (replicas: N, run --replicas N) or threads",
			 c->name, rate, replicas, replicas == 1 ? "" : "s", nt, nt == 1 ? "" : "s",
			 per, c->type->one_thread_max_rps, c->type->name);
}

/* Renders every recipe; a client-only recipe may follow a service of an earlier one. */
static int render_all(struct session *s, struct strbuf *err)
{
	int ret = 0;
	for (size_t i = 0; i < s->nr_recipes; i++) {
		struct recipe *r = s->recipes[i];
		struct render_opts ro = {
			.run_id = s->run.id,
			.run_dir = s->run.run_dir,
			.hpcbench_bin = s->ex->hpcbench_bin,
			.cfg = s->o->cfg,
			.target_endpoint = s->o->target_endpoint,
			.target_endpoint_file = s->target_file,
			.client_replicas = s->o->replicas,
		};
		char *cross = NULL;
		if (!r->nr_services && r->nr_clients && !ro.target_endpoint &&
		    !ro.target_endpoint_file) {
			const struct job *svc = rendered_service(s, i, r->clients[0].target.name);
			if (svc)
				ro.target_endpoint_file = cross =
				    xasprintf("%s/%s/endpoint.json", s->run.run_dir, svc->id);
		}
		if (render_plan(r, &ro, &s->plans[i], err) < 0) {
			free(cross);
			ret = -1;
			continue;
		}
		free(cross);
	}
	if (ret)
		return -1;
	/*
	 * Services of every recipe first, then clients: clients start once all services are
	 * ready. A plan lists its services before its clients, so a client's depends_on
	 * (an index in its plan) maps to base + depends_on, base being the number of
	 * services of the plans before it.
	 */
	for (size_t i = 0; i < s->nr_recipes; i++)
		for (size_t k = 0; k < s->plans[i].nr; k++)
			if (is_service(&s->plans[i].jobs[k]))
				add_job(s, &s->plans[i].jobs[k], -1);
	for (size_t i = 0, base = 0; i < s->nr_recipes; i++) {
		const struct job_plan *p = &s->plans[i];
		for (size_t k = 0; k < p->nr; k++) {
			struct job *j = &p->jobs[k];
			int dep = -1;
			if (is_service(j))
				continue;
			if (!strcmp(s->o->command, "up")) {
				log_warn(
				    "up starts services only; client '%s' is left out (use run)",
				    j->name);
				continue;
			}
			warn_rate(s, j->client);
			if (j->depends_on >= 0)
				dep = (int)(base + (size_t)j->depends_on);
			else if (!s->target_file)
				dep = earlier_service(s, j->client->target.name);
			add_job(s, j, dep);
		}
		for (size_t k = 0; k < p->nr; k++)
			base += is_service(&p->jobs[k]);
	}
	return 0;
}

/* Checks that every client can find its target before anything is submitted. */
static int check_targets(struct session *s, struct strbuf *err)
{
	int ret = 0;
	for (size_t i = 0; i < s->nr; i++) {
		const struct job *j = s->jobs[i];
		const struct client_spec *c = j->client;
		if (j->kind != JOB_CLIENT || s->deps[i] >= 0 || s->target_file ||
		    s->o->target_endpoint || c->command || c->target.endpoint ||
		    rnode_str(c->parameters, "endpoint"))
			continue;
		ret = recipe_error(err, &c->pos,
				   "client '%s': its target '%s' is not a service of this session; "
				   "give --target-service ID (a running service, see 'hpcbench "
				   "status') or --target-endpoint URL",
				   c->name, c->target.name ? c->target.name : "?");
	}
	return ret;
}

/* Writes run folder files: recipe.yaml, each job's folder, job.sh and side files. */
static int write_run_folder(struct session *s, struct strbuf *err)
{
	struct executor *ex = s->ex;
	struct strbuf sb = STRBUF_INIT, hdr = STRBUF_INIT;
	char *path = NULL;
	int ret = -1;

	if (ex->mkdir_p(ex, s->run.run_dir, err) < 0)
		goto out;
	strbuf_addf(&hdr,
		    "# The recipe as run: hpcbench %s, run %s, executor %s; config defaults "
		    "merged in.\n# From:",
		    HPCBENCH_VERSION, s->run.id, ex->name);
	for (size_t i = 0; i < s->nr_recipes; i++)
		strbuf_addf(&hdr, " %s", s->o->recipes[i]);
	strbuf_addch(&hdr, '\n');
	recipe_as_run(&sb, s->recipes, s->nr_recipes, s->o->cfg, hdr.buf);
	path = xasprintf("%s/recipe.yaml", s->run.run_dir);
	if (ex->put_file(ex, path, sb.buf, sb.len, 0644, err) < 0)
		goto out;
	for (size_t i = 0; i < s->nr; i++) {
		const struct job *j = s->jobs[i];
		char *dir = xasprintf("%s/%s", s->run.run_dir, j->id);
		int bad = ex->mkdir_p(ex, dir, err) < 0;
		free(path);
		path = xasprintf("%s/job.sh", dir);
		bad = bad || ex->put_file(ex, path, j->script, strlen(j->script), 0755, err) < 0;
		for (size_t k = 0; !bad && k < j->nr_files; k++) {
			const struct side_file *f = &j->files[k];
			char *fp = xasprintf("%s/%s", dir, f->name), *slash = strrchr(fp, '/');
			*slash = '\0';
			bad = ex->mkdir_p(ex, fp, err) < 0;
			*slash = '/';
			bad = bad || ex->put_file(ex, fp, f->content, f->len, f->mode, err) < 0;
			free(fp);
		}
		free(dir);
		if (bad)
			goto out;
	}
	ret = 0;
out:
	free(path);
	strbuf_release(&sb);
	strbuf_release(&hdr);
	return ret;
}

/* The absolute path of a recipe file as given (later commands run elsewhere). */
static const char *abs_recipe(const struct session *s, const char *given)
{
	for (size_t i = 0; i < s->nr_recipes; i++)
		if (!strcmp(s->o->recipes[i], given))
			return s->abs_recipes[i];
	return given;
}

static int record_run(struct session *s, struct strbuf *err)
{
	struct strbuf recipes = STRBUF_INIT;
	char host[256] = "localhost";
	int ret = -1;
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; i < s->nr_recipes; i++)
		strbuf_addf(&recipes, "%s%s", i ? "\n" : "", s->abs_recipes[i]);
	s->run.command = xstrdup(s->o->command);
	s->run.recipes = strbuf_detach(&recipes, NULL);
	s->run.executor = xstrdup(s->ex->name);
	s->run.out_dir = xstrdup(s->local_out);
	s->run.host = xstrdup(host);
	s->run.pid = getpid();
	s->run.state = xstrdup(RUN_ACTIVE);
	s->run.created_at = (int64_t)time(NULL);
	if (store_run_insert(s->o->st, &s->run, err) < 0)
		goto out;
	s->recorded = 1;
	s->recs = xcalloc(s->nr, sizeof(*s->recs));
	s->since_ms = xcalloc(s->nr, sizeof(*s->since_ms));
	for (size_t i = 0; i < s->nr; i++) {
		struct store_job *r = &s->recs[i];
		const struct job *j = s->jobs[i];
		const struct srcpos *pos = j->client ? &j->client->pos : &j->service->pos;
		r->id = xstrdup(j->id);
		r->run_id = xstrdup(s->run.id);
		r->kind = xstrdup(j->kind == JOB_CLIENT	   ? "client"
				  : j->kind == JOB_MONITOR ? "monitor"
							   : "service");
		r->name = xstrdup(j->name);
		r->recipe = xstrdup(abs_recipe(s, pos->file));
		r->executor = xstrdup(s->ex->name);
		r->job_dir = xasprintf("%s/%s", s->run.run_dir, j->id);
		r->state = JS_PENDING;
		r->reason = xstrdup("not submitted yet");
		r->exit_code = -1;
		if (store_job_insert(s->o->st, r, err) < 0)
			goto out;
	}
	ret = 0;
out:
	return ret;
}

/* ---- running ---- */

static int submit(struct session *s, size_t i, struct strbuf *err)
{
	struct store_job *r = &s->recs[i];
	const char *after = NULL;
	int ret;
	if (s->deps[i] >= 0)
		after = s->recs[s->deps[i]].native_id;
	else if (s->jobs[i]->kind == JOB_CLIENT && s->target_file &&
		 !strcmp(s->target.executor, s->ex->name))
		after = s->target.native_id;
	free(r->reason);
	r->reason = NULL;
	ret = s->ex->submit(s->ex, r, after, s->jobs[i]->time_limit_s, err);
	if (ret == 0) {
		r->submitted_at = (int64_t)time(NULL);
		if (r->state >= JS_RUNNING)
			r->started_at = r->submitted_at;
		ret = store_job_update(s->o->st, r, err);
		log_info("%s: submitted (%s job %s)", r->id, s->ex->name, r->native_id);
	}
	return ret;
}

/* One refresh of every job; tolerates a few failed polls in a row. */
static int refresh(struct session *s, int *errors, int *code, struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT;
	char **before = xcalloc(s->nr, sizeof(*before));
	int ret = 0;
	for (size_t i = 0; i < s->nr; i++)
		before[i] = xasprintf("%s %s", job_state_name(s->recs[i].state),
				      s->recs[i].reason ? s->recs[i].reason : "");
	if (track_refresh(s->o->st, s->ex, s->o->cfg, s->recs, s->nr, NULL, &e) < 0) {
		if (s->ex->unreachable || ++*errors >= MAX_POLL_ERRORS) {
			*code = s->ex->unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
			ret = error(err, "cannot follow the jobs: %s", e.buf);
		} else {
			log_warn("polling failed (will retry): %s", e.buf);
		}
	} else {
		*errors = 0;
	}
	/* Progress: every change of state (a pending job's reason, RUNNING on a node ...). */
	for (size_t i = 0; i < s->nr; i++) {
		const struct store_job *r = &s->recs[i];
		char *now =
		    xasprintf("%s %s", job_state_name(r->state), r->reason ? r->reason : "");
		if (r->native_id && strcmp(now, before[i]))
			log_info("%s: %s%s%s%s%s", r->id, job_state_name(r->state),
				 r->node ? " on " : "", r->node ? r->node : "",
				 r->reason ? ": " : "", r->reason ? r->reason : "");
		free(now);
		free(before[i]);
	}
	free(before);
	strbuf_release(&e);
	return ret;
}

static void job_failure(struct session *s, size_t i, const char *what, struct strbuf *err)
{
	const struct store_job *r = &s->recs[i];
	struct strbuf tail = STRBUF_INIT;
	char code[32] = "";
	if (r->exit_code >= 0)
		snprintf(code, sizeof(code), ", exit %lld", (long long)r->exit_code);
	track_log_tail(s->ex, r->job_dir, TAIL_LINES, &tail);
	error(err, "%s %s %s (%s%s)%s%s", r->kind, r->id, what, job_state_name(r->state), code,
	      r->reason ? ": " : "", r->reason ? r->reason : "");
	if (tail.len) {
		strbuf_rtrim(&tail);
		error(err, "%s", tail.buf);
	}
	strbuf_release(&tail);
}

static unsigned ready_timeout(const struct job *j)
{
	unsigned t = j->service->health_check.timeout_s;
	return (t ? t : DEFAULT_READY_TIMEOUT_S) + READY_GRACE_S;
}

/* Waits until every service is READY. */
static int wait_ready(struct session *s, int *code, struct strbuf *err)
{
	int poll_errors = 0;
	*code = EXIT_FAILED;
	for (;;) {
		int all_ready = 1;
		if (session_interrupted)
			return error(err, "interrupted: tearing the session down");
		if (refresh(s, &poll_errors, code, err) < 0)
			return -1;
		for (size_t i = 0; i < s->nr; i++) {
			struct store_job *r = &s->recs[i];
			enum job_state st = r->state;
			if (!is_service(s->jobs[i]) || !r->native_id)
				continue;
			if (st == JS_READY)
				continue;
			all_ready = 0;
			if (job_state_is_final(st)) {
				job_failure(s, i, "never became ready", err);
				return -1;
			}
			if (st == JS_RUNNING && !s->since_ms[i])
				s->since_ms[i] = mono_ns() / 1000000ull;
			if (s->since_ms[i] && mono_ns() / 1000000ull - s->since_ms[i] >
						  ready_timeout(s->jobs[i]) * 1000ull) {
				job_failure(s, i, "did not become ready in time", err);
				return -1;
			}
		}
		if (all_ready)
			return 0;
		sleep_ms_interruptible(s->ex->poll_hint_ms ? s->ex->poll_hint_ms : 250);
	}
}

/* How often `run` looks for clients' progress lines (a file read per client). */
#define RELAY_MS 2000

/*
 * Relays the progress lines (`hpcbench: progress: ...`, written by `hpcbench load` every
 * --progress-interval) that client i added to its err.log since seen[i] bytes, as
 * "hpcbench: CLIENT_ID: progress ...", so that a long run shows signs of life.
 */
static void relay_progress(struct session *s, size_t i, size_t *seen)
{
	static const char tag[] = "hpcbench: progress: ";
	struct strbuf sb = STRBUF_INIT, e = STRBUF_INIT;
	char *path = xasprintf("%s/err.log", s->recs[i].job_dir);
	if (s->ex->get_file(s->ex, path, &sb, &e) == 0) {
		if (sb.len < seen[i]) /* replaced: start over */
			seen[i] = 0;
		/* Whole lines only: a line being written is read on the next look. */
		for (char *line = sb.buf + seen[i], *nl;
		     (nl = memchr(line, '\n', (size_t)(sb.buf + sb.len - line))); line = nl + 1) {
			if (!strncmp(line, tag, sizeof(tag) - 1))
				fprintf(stderr, "hpcbench: %s: progress: %.*s\n", s->recs[i].id,
					(int)(nl - line - (sizeof(tag) - 1)),
					line + sizeof(tag) - 1);
			seen[i] = (size_t)(nl + 1 - sb.buf);
		}
		fflush(stderr);
	}
	free(path);
	strbuf_release(&sb);
	strbuf_release(&e);
}

/* Waits until every client has ended; notes services that die meanwhile. */
static int wait_clients(struct session *s, int *failed, int *code, struct strbuf *err)
{
	int poll_errors = 0;
	char *warned = xcalloc(s->nr, 1);
	size_t *seen = xcalloc(s->nr, sizeof(*seen));
	uint64_t next_relay = mono_ns() + RELAY_MS * 1000000ull;
	int ret = 0;
	*code = EXIT_FAILED;
	for (;;) {
		int running = 0;
		if (session_interrupted) {
			ret = error(err, "interrupted: tearing the session down");
			break;
		}
		if (refresh(s, &poll_errors, code, err) < 0) {
			ret = -1;
			break;
		}
		bool relay = mono_ns() >= next_relay;
		if (relay)
			next_relay = mono_ns() + RELAY_MS * 1000000ull;
		for (size_t i = 0; i < s->nr; i++) {
			enum job_state st = s->recs[i].state;
			if (!s->recs[i].native_id)
				continue;
			if (s->jobs[i]->kind == JOB_CLIENT) {
				running += !job_state_is_final(st);
				if (relay || job_state_is_final(st))
					relay_progress(s, i, seen);
			} else if (job_state_is_final(st) && !warned[i]) {
				warned[i] = 1;
				*failed = 1;
				job_failure(s, i, "ended while its clients ran", err);
				log_warn("service %s ended (%s) while its clients ran",
					 s->recs[i].id, job_state_name(s->recs[i].state));
			}
		}
		if (!running)
			break;
		sleep_ms_interruptible(s->ex->poll_hint_ms ? s->ex->poll_hint_ms : 250);
	}
	free(warned);
	free(seen);
	return ret;
}

/* Copies one file from the job side into the local --out copy. */
static void copy_out(struct session *s, const char *rel, const char *data, size_t len)
{
	struct strbuf e = STRBUF_INIT;
	char *path = xasprintf("%s/%s", s->local_out, rel);
	if (write_file_mkdirs(path, data, len, 0644, &e) < 0)
		log_warn("%s", e.buf);
	free(path);
	strbuf_release(&e);
}

/* Result files of one client, recorded in the database (and copied for --out). */
static void collect_client(struct session *s, size_t i, struct summary_result **res, size_t *nr)
{
	size_t first = *nr;
	track_collect_results(s->ex, &s->recs[i], res, nr);
	for (size_t k = first; k < *nr; k++) {
		struct summary_result *sr = &(*res)[k];
		struct store_result rec = { .run_id = s->run.id,
					    .job_id = sr->job_id,
					    .path = sr->path };
		struct strbuf e = STRBUF_INIT;
		if (s->local_out) {
			copy_out(s, sr->file, sr->data, sr->len);
			rec.local_path = xasprintf("%s/%s", s->local_out, sr->file);
			free(sr->shown);
			sr->shown = xstrdup(rec.local_path);
		}
		if (store_result_set(s->o->st, &rec, &e) < 0)
			log_warn("%s", e.buf);
		free(rec.local_path);
		strbuf_release(&e);
	}
}

/* For a remote run with --out: scripts, logs and state files of every job. */
static void copy_job_files(struct session *s)
{
	static const char *const names[] = { "job.sh", "out.log", "err.log", "state",
					     "endpoint.json" };
	struct strbuf data = STRBUF_INIT, e = STRBUF_INIT;
	char *path = xasprintf("%s/recipe.yaml", s->run.run_dir);
	if (s->ex->get_file(s->ex, path, &data, &e) == 0)
		copy_out(s, "recipe.yaml", data.buf, data.len);
	free(path);
	for (size_t i = 0; i < s->nr; i++) {
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			char *rel = xasprintf("%s/%s", s->recs[i].id, names[k]);
			path = xasprintf("%s/%s", s->run.run_dir, rel);
			strbuf_reset(&data);
			if (s->ex->get_file(s->ex, path, &data, &e) == 0)
				copy_out(s, rel, data.buf, data.len);
			free(rel);
			free(path);
		}
	}
	strbuf_release(&data);
	strbuf_release(&e);
}

/* Collects results, writes summary.json, fills res->table and res->summary. */
static void finish_run(struct session *s, struct session_result *res)
{
	struct summary_result *sr = NULL;
	size_t nr = 0;
	struct strbuf e = STRBUF_INIT;
	char *path;
	for (size_t i = 0; i < s->nr; i++)
		if (s->jobs[i]->kind == JOB_CLIENT && s->recs[i].native_id)
			collect_client(s, i, &sr, &nr);
	free(res->state);
	res->state = xstrdup(s->run.state);
	summary_json(&res->summary, &s->run, s->recs, s->nr, sr, nr);
	summary_table(&res->table, s->recs, s->nr, sr, nr, &e);
	/* Figures that could not be read show "-" in the table; say why. */
	for (char *line = e.buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		log_warn("%s", line);
	}
	strbuf_reset(&e);
	path = xasprintf("%s/summary.json", s->run.run_dir);
	if (s->ex->put_file(s->ex, path, res->summary.buf, res->summary.len, 0644, &e) < 0)
		log_warn("%s", e.buf);
	if (s->local_out) {
		copy_job_files(s);
		copy_out(s, "summary.json", res->summary.buf, res->summary.len);
	}
	free(path);
	summary_results_free(sr, nr);
	strbuf_release(&e);
}

/* Stops every job of the session that has not ended. */
static void teardown(struct session *s)
{
	struct strbuf e = STRBUF_INIT;
	int live = 0;
	for (size_t i = 0; i < s->nr; i++)
		live += s->recs[i].native_id && !job_state_is_final(s->recs[i].state);
	if (!live)
		return;
	log_info("stopping %d job%s", live, live == 1 ? "" : "s");
	if (track_cancel(s->o->st, s->ex, s->o->cfg, s->recs, s->nr, NULL, &e) < 0)
		log_warn("teardown: %s", e.buf);
	strbuf_release(&e);
}

static void finish_record(struct session *s, const char *state, const struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT;
	char *msg = NULL;
	if (!s->recorded)
		return;
	/* Jobs the session never submitted end with it. */
	for (size_t i = 0; i < s->nr && strcmp(state, RUN_UP); i++) {
		struct store_job *r = &s->recs[i];
		if (r->native_id)
			continue;
		r->state = JS_CANCELLED;
		free(r->reason);
		r->reason = xstrdup("never started: the session ended first");
		r->finished_at = (int64_t)time(NULL);
		if (store_job_update(s->o->st, r, &e) < 0)
			log_warn("%s", e.buf);
	}
	if (err && err->len) {
		const char *nl = strchr(err->buf, '\n');
		msg = nl ? xstrndup(err->buf, (size_t)(nl - err->buf)) : xstrdup(err->buf);
	}
	free(s->run.state);
	s->run.state = xstrdup(state);
	free(s->run.message);
	s->run.message = msg;
	s->run.finished_at = !strcmp(state, RUN_UP) ? 0 : (int64_t)time(NULL);
	if (store_run_finish(s->o->st, s->run.id, state, msg, s->run.finished_at, &e) < 0)
		log_warn("%s", e.buf);
	strbuf_release(&e);
}

static void session_release(struct session *s)
{
	for (size_t i = 0; i < s->nr_recipes; i++) {
		job_plan_release(&s->plans[i]);
		recipe_free(s->recipes[i]);
	}
	for (size_t i = 0; s->abs_recipes && i < s->nr_recipes; i++)
		free(s->abs_recipes[i]);
	free(s->abs_recipes);
	free(s->plans);
	free(s->recipes);
	free(s->jobs);
	free(s->deps);
	free(s->since_ms);
	if (s->recs)
		store_jobs_free(s->recs, s->nr);
	store_run_release(&s->run);
	store_job_release(&s->target);
	free(s->target_file);
	free(s->local_out);
	executor_free(s->ex);
}

/* Everything before the first submission; returns an exit code. */
static int prepare(struct session *s, struct strbuf *err)
{
	const struct session_opts *o = s->o;
	const char *target_id, *exec_name;
	int code, unreachable, services = 0;

	if (load_recipes(s, err) < 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < s->nr_recipes; i++)
		services += (int)s->recipes[i]->nr_services + (s->recipes[i]->monitoring != NULL);
	if (!strcmp(o->command, "up") && !services) {
		error(err, "nothing to start: no service in %s%s", o->recipes[0],
		      o->nr_recipes > 1 ? " ..." : "");
		return EXIT_USAGE;
	}
	target_id = wanted_target(s);
	if (target_id && resolve_target(s, target_id, &code, err) < 0)
		return code;
	exec_name = o->executor ? o->executor : target_id ? s->target.executor : executor_default();
	if (!executor_known(exec_name)) {
		executor_unknown(err, exec_name);
		return EXIT_USAGE;
	}
	/* A config that cannot drive the executor is bad input, found before connecting. */
	if (executor_check_config(exec_name, o->cfg, err) < 0)
		return EXIT_USAGE;
	s->ex = track_open_executor(exec_name, o->cfg, &unreachable, err);
	if (!s->ex)
		return unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
	s->run.id = run_id_new();
	if (choose_run_dir(s, err) < 0)
		return EXIT_USAGE;
	if (render_all(s, err) < 0 || check_targets(s, err) < 0)
		return EXIT_USAGE;
	return EXIT_OK;
}

int session_start(const struct session_opts *o, struct session_result *res, struct strbuf *err)
{
	struct session s = { .o = o };
	int up = !strcmp(o->command, "up");
	int code, failed = 0;

	memset(res, 0, sizeof(*res));
	strbuf_init(&res->ids, 0);
	strbuf_init(&res->table, 0);
	strbuf_init(&res->summary, 0);
	code = prepare(&s, err);
	if (code != EXIT_OK)
		goto out;
	code = EXIT_FAILED;
	if (write_run_folder(&s, err) < 0 || record_run(&s, err) < 0)
		goto fail;
	res->run_id = xstrdup(s.run.id);
	res->run_dir = xstrdup(s.run.run_dir);
	log_info("run %s in %s (%s executor)", s.run.id, s.run.run_dir, s.ex->name);

	for (size_t i = 0; i < s.nr; i++) {
		if (session_interrupted) {
			error(err, "interrupted: tearing the session down");
			goto fail;
		}
		if (is_service(s.jobs[i]) && submit(&s, i, err) < 0)
			goto fail_submit;
		if (is_service(s.jobs[i]) && up)
			strbuf_addf(&res->ids, "%s\n", s.recs[i].id);
	}
	if (up && o->no_wait) {
		if (s.local_out)
			copy_job_files(&s); /* the scripts; logs so far */
		finish_record(&s, RUN_UP, NULL);
		code = EXIT_OK;
		goto out;
	}
	if (wait_ready(&s, &code, err) < 0)
		goto fail;
	for (size_t i = 0; i < s.nr; i++)
		if (is_service(s.jobs[i]))
			log_info("%s: ready at %s", s.recs[i].id,
				 s.recs[i].endpoint ? s.recs[i].endpoint : "(no url)");
	if (up) {
		if (s.local_out)
			copy_job_files(&s); /* scripts, logs so far, state, endpoint.json */
		finish_record(&s, RUN_UP, NULL);
		code = EXIT_OK;
		goto out;
	}

	for (size_t i = 0; i < s.nr; i++)
		if (!is_service(s.jobs[i]) && submit(&s, i, err) < 0)
			goto fail_submit;
	if (wait_clients(&s, &failed, &code, err) < 0)
		goto fail;
	for (size_t i = 0; i < s.nr; i++)
		if (s.jobs[i]->kind == JOB_CLIENT && s.recs[i].state != JS_COMPLETED) {
			job_failure(&s, i, "failed", err);
			failed = 1;
		}
	teardown(&s);
	finish_record(&s, failed ? RUN_FAILED : RUN_COMPLETED, err);
	finish_run(&s, res);
	code = failed ? EXIT_FAILED : EXIT_OK;
	goto out;

fail_submit:
	if (s.ex->unreachable)
		code = EXIT_UNREACHABLE;
fail:
	teardown(&s);
	finish_record(&s, session_interrupted ? RUN_CANCELLED : RUN_FAILED, err);
	if (s.recorded && !up)
		finish_run(&s, res);
out:
	session_release(&s);
	return code;
}

void session_result_release(struct session_result *res)
{
	free(res->run_id);
	free(res->run_dir);
	free(res->state);
	strbuf_release(&res->ids);
	strbuf_release(&res->table);
	strbuf_release(&res->summary);
}
