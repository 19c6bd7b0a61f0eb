#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"

/* How long a writer waits for another process's transaction before giving up. */
#define BUSY_TIMEOUT_MS 10000

struct store {
	sqlite3 *db;
};

/*
 * Migrations: migrations[i] brings a database from version i to version i + 1. Append
 * only; never edit a released step.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE runs ("
	" id TEXT PRIMARY KEY,"
	" command TEXT NOT NULL,"
	" recipes TEXT NOT NULL,"
	" executor TEXT NOT NULL,"
	" run_dir TEXT NOT NULL,"
	" out_dir TEXT,"
	" host TEXT NOT NULL,"
	" pid INTEGER NOT NULL,"
	" state TEXT NOT NULL,"
	" message TEXT,"
	" created_at INTEGER NOT NULL,"
	" finished_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE jobs ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id TEXT NOT NULL UNIQUE,"
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" recipe TEXT,"
	" executor TEXT NOT NULL,"
	" native_id TEXT,"
	" job_dir TEXT NOT NULL,"
	" node TEXT,"
	" endpoint TEXT,"
	" state TEXT NOT NULL,"
	" reason TEXT,"
	" exit_code INTEGER NOT NULL DEFAULT -1,"
	" submitted_at INTEGER NOT NULL DEFAULT 0,"
	" started_at INTEGER NOT NULL DEFAULT 0,"
	" ready_at INTEGER NOT NULL DEFAULT 0,"
	" finished_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX jobs_by_run ON jobs(run_id);"
	"CREATE TABLE results ("
	" job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,"
	" run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" path TEXT NOT NULL,"
	" local_path TEXT);"
	"CREATE INDEX results_by_run ON results(run_id);",
};

int store_schema_version(void)
{
	return (int)ARRAY_SIZE(migrations);
}

char *store_default_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/hpcbench/state.db", xdg);
	return xasprintf("%s/.local/state/hpcbench/state.db", home && *home ? home : ".");
}

static int db_error(struct store *st, struct strbuf *err, const char *what)
{
	return error(err, "state database: %s: %s", what, sqlite3_errmsg(st->db));
}

/* Prepares sql; on failure reports it and returns NULL. */
static sqlite3_stmt *prepare(struct store *st, const char *sql, struct strbuf *err)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		db_error(st, err, "prepare");
		return NULL;
	}
	return stmt;
}

/* Runs a statement without parameters or rows (pragmas, BEGIN, COMMIT). */
static int exec_simple(struct store *st, const char *sql, struct strbuf *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error(err, "state database: %s: %s", sql, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int user_version(struct store *st, int *out, struct strbuf *err)
{
	sqlite3_stmt *stmt = prepare(st, "PRAGMA user_version", err);
	int ret = -1;
	if (!stmt)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		db_error(st, err, "read schema version");
		goto out;
	}
	*out = sqlite3_column_int(stmt, 0);
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

/*
 * Brings the schema to the current version inside one IMMEDIATE transaction, so two
 * processes opening a fresh file at once do not both create the tables.
 */
static int migrate(struct store *st, const char *path, struct strbuf *err)
{
	int version, ret = -1;
	if (exec_simple(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (user_version(st, &version, err) < 0)
		goto out;
	if (version > store_schema_version()) {
		error(err, "%s: written by a newer hpcbench (schema %d, this one knows %d)", path,
		      version, store_schema_version());
		goto out;
	}
	for (; version < store_schema_version(); version++) {
		char pragma[64];
		if (exec_simple(st, migrations[version], err) < 0)
			goto out;
		/* PRAGMA takes no bound parameters; the value is our own integer. */
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version + 1);
		if (exec_simple(st, pragma, err) < 0)
			goto out;
	}
	ret = exec_simple(st, "COMMIT", err);
out:
	if (ret < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/* Creates the folder (0700) and the file (0600) before SQLite opens it. */
static int prepare_file(const char *path, struct strbuf *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd, ret = -1;
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700, err) < 0)
			goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error(err, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	/* An existing file keeps our promise too: state may name hosts and paths. */
	if (fchmod(fd, 0600) < 0) {
		error(err, "%s: chmod: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	ret = 0;
out:
	free(dir);
	return ret;
}

struct store *store_open(const char *path, struct strbuf *err)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int memory = !strcmp(path, ":memory:");
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	if (!memory && prepare_file(path, err) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		error(err, "%s: cannot open database: %s", path,
		      st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	if (!memory && exec_simple(st, "PRAGMA journal_mode = WAL", err) < 0)
		goto fail;
	if (exec_simple(st, "PRAGMA foreign_keys = ON", err) < 0 ||
	    exec_simple(st, "PRAGMA synchronous = NORMAL", err) < 0)
		goto fail;
	if (migrate(st, path, err) < 0)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

/* Binding helpers: NULL strings bind as SQL NULL. */
static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Steps a statement that returns no row; finalizes it. */
static int step_done(struct store *st, sqlite3_stmt *stmt, const char *what, struct strbuf *err)
{
	int rc = sqlite3_step(stmt), ret = 0;
	if (rc != SQLITE_DONE)
		ret = db_error(st, err, what);
	sqlite3_finalize(stmt);
	return ret;
}

#define RUN_COLS                                                                                   \
	"id, command, recipes, executor, run_dir, out_dir, host, pid, state, message, "            \
	"created_at, finished_at"

int store_run_insert(struct store *st, const struct store_run *r, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "INSERT INTO runs (" RUN_COLS ") VALUES "
				  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
				  err);
	if (!s)
		return -1;
	bind_str(s, 1, r->id);
	bind_str(s, 2, r->command);
	bind_str(s, 3, r->recipes ? r->recipes : "");
	bind_str(s, 4, r->executor);
	bind_str(s, 5, r->run_dir);
	bind_str(s, 6, r->out_dir);
	bind_str(s, 7, r->host ? r->host : "");
	sqlite3_bind_int64(s, 8, r->pid);
	bind_str(s, 9, r->state);
	bind_str(s, 10, r->message);
	sqlite3_bind_int64(s, 11, r->created_at);
	sqlite3_bind_int64(s, 12, r->finished_at);
	return step_done(st, s, "insert run", err);
}

int store_run_finish(struct store *st, const char *id, const char *state, const char *message,
		     int64_t finished_at, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "UPDATE runs SET state = ?2, message = ?3, finished_at = ?4 "
				  "WHERE id = ?1",
				  err);
	if (!s)
		return -1;
	bind_str(s, 1, id);
	bind_str(s, 2, state);
	bind_str(s, 3, message);
	sqlite3_bind_int64(s, 4, finished_at);
	return step_done(st, s, "update run", err);
}

static void run_from_row(sqlite3_stmt *s, struct store_run *r)
{
	r->id = col_str(s, 0);
	r->command = col_str(s, 1);
	r->recipes = col_str(s, 2);
	r->executor = col_str(s, 3);
	r->run_dir = col_str(s, 4);
	r->out_dir = col_str(s, 5);
	r->host = col_str(s, 6);
	r->pid = sqlite3_column_int64(s, 7);
	r->state = col_str(s, 8);
	r->message = col_str(s, 9);
	r->created_at = sqlite3_column_int64(s, 10);
	r->finished_at = sqlite3_column_int64(s, 11);
}

/* Steps a one-row query into *out: 0 found, 1 none, -1 error. Finalizes. */
static int get_one_run(struct store *st, sqlite3_stmt *s, struct store_run *out, struct strbuf *err)
{
	int rc = sqlite3_step(s), ret;
	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW) {
		run_from_row(s, out);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
	} else {
		ret = error(err, "state database: read run: %s", sqlite3_errstr(rc));
	}
	sqlite3_finalize(s);
	return ret;
}

int store_run_get(struct store *st, const char *id, struct store_run *out, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st, "SELECT " RUN_COLS " FROM runs WHERE id = ?1", err);
	if (!s)
		return -1;
	bind_str(s, 1, id);
	return get_one_run(st, s, out, err);
}

int store_run_latest(struct store *st, struct store_run *out, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "SELECT " RUN_COLS " FROM runs "
				  "ORDER BY created_at DESC, rowid DESC LIMIT 1",
				  err);
	if (!s)
		return -1;
	return get_one_run(st, s, out, err);
}

int store_run_list(struct store *st, struct store_run **out, size_t *nr, struct strbuf *err)
{
	sqlite3_stmt *s =
	    prepare(st, "SELECT " RUN_COLS " FROM runs ORDER BY created_at, rowid", err);
	struct store_run *runs = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ALLOC_GROW(runs, n + 1, alloc);
		memset(&runs[n], 0, sizeof(runs[n]));
		run_from_row(s, &runs[n++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_runs_free(runs, n);
		return error(err, "state database: list runs: %s", sqlite3_errstr(rc));
	}
	*out = runs;
	*nr = n;
	return 0;
}

void store_run_release(struct store_run *r)
{
	free(r->id);
	free(r->command);
	free(r->recipes);
	free(r->executor);
	free(r->run_dir);
	free(r->out_dir);
	free(r->host);
	free(r->state);
	free(r->message);
	memset(r, 0, sizeof(*r));
}

void store_runs_free(struct store_run *runs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		store_run_release(&runs[i]);
	free(runs);
}

static const char *const state_names[] = {
	[JS_UNKNOWN] = "UNKNOWN",     [JS_PENDING] = "PENDING",	    [JS_RUNNING] = "RUNNING",
	[JS_READY] = "READY",	      [JS_COMPLETED] = "COMPLETED", [JS_FAILED] = "FAILED",
	[JS_CANCELLED] = "CANCELLED", [JS_TIMEOUT] = "TIMEOUT",
};

const char *job_state_name(enum job_state s)
{
	if ((size_t)s < sizeof(state_names) / sizeof(state_names[0]) && state_names[s])
		return state_names[s];
	return "UNKNOWN";
}

enum job_state job_state_from_name(const char *name)
{
	for (size_t s = 0; name && s < sizeof(state_names) / sizeof(state_names[0]); s++)
		if (state_names[s] && !strcmp(state_names[s], name))
			return (enum job_state)s;
	return JS_UNKNOWN;
}

int job_state_is_final(enum job_state s)
{
	return s == JS_COMPLETED || s == JS_FAILED || s == JS_CANCELLED || s == JS_TIMEOUT;
}

#define JOB_COLS                                                                                   \
	"id, run_id, kind, name, recipe, executor, native_id, job_dir, node, endpoint, "           \
	"state, reason, exit_code, submitted_at, started_at, ready_at, finished_at"

int store_job_insert(struct store *st, const struct store_job *j, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "INSERT INTO jobs (" JOB_COLS ") VALUES (?1, ?2, ?3, ?4, "
				  "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
				  err);
	if (!s)
		return -1;
	bind_str(s, 1, j->id);
	bind_str(s, 2, j->run_id);
	bind_str(s, 3, j->kind);
	bind_str(s, 4, j->name);
	bind_str(s, 5, j->recipe);
	bind_str(s, 6, j->executor);
	bind_str(s, 7, j->native_id);
	bind_str(s, 8, j->job_dir);
	bind_str(s, 9, j->node);
	bind_str(s, 10, j->endpoint);
	bind_str(s, 11, job_state_name(j->state));
	bind_str(s, 12, j->reason);
	sqlite3_bind_int64(s, 13, j->exit_code);
	sqlite3_bind_int64(s, 14, j->submitted_at);
	sqlite3_bind_int64(s, 15, j->started_at);
	sqlite3_bind_int64(s, 16, j->ready_at);
	sqlite3_bind_int64(s, 17, j->finished_at);
	return step_done(st, s, "insert job", err);
}

int store_job_update(struct store *st, const struct store_job *j, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "UPDATE jobs SET native_id = ?2, node = ?3, endpoint = ?4, "
				  "state = ?5, reason = ?6, exit_code = ?7, submitted_at = ?8, "
				  "started_at = ?9, ready_at = ?10, finished_at = ?11 "
				  "WHERE id = ?1",
				  err);
	if (!s)
		return -1;
	bind_str(s, 1, j->id);
	bind_str(s, 2, j->native_id);
	bind_str(s, 3, j->node);
	bind_str(s, 4, j->endpoint);
	bind_str(s, 5, job_state_name(j->state));
	bind_str(s, 6, j->reason);
	sqlite3_bind_int64(s, 7, j->exit_code);
	sqlite3_bind_int64(s, 8, j->submitted_at);
	sqlite3_bind_int64(s, 9, j->started_at);
	sqlite3_bind_int64(s, 10, j->ready_at);
	sqlite3_bind_int64(s, 11, j->finished_at);
	return step_done(st, s, "update job", err);
}

static void job_from_row(sqlite3_stmt *s, struct store_job *j)
{
	j->id = col_str(s, 0);
	j->run_id = col_str(s, 1);
	j->kind = col_str(s, 2);
	j->name = col_str(s, 3);
	j->recipe = col_str(s, 4);
	j->executor = col_str(s, 5);
	j->native_id = col_str(s, 6);
	j->job_dir = col_str(s, 7);
	j->node = col_str(s, 8);
	j->endpoint = col_str(s, 9);
	j->state = job_state_from_name((const char *)sqlite3_column_text(s, 10));
	j->reason = col_str(s, 11);
	j->exit_code = sqlite3_column_int64(s, 12);
	j->submitted_at = sqlite3_column_int64(s, 13);
	j->started_at = sqlite3_column_int64(s, 14);
	j->ready_at = sqlite3_column_int64(s, 15);
	j->finished_at = sqlite3_column_int64(s, 16);
}

int store_job_get(struct store *st, const char *id, struct store_job *out, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", err);
	int rc, ret;
	if (!s)
		return -1;
	bind_str(s, 1, id);
	memset(out, 0, sizeof(*out));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		job_from_row(s, out);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
	} else {
		ret = error(err, "state database: read job: %s", sqlite3_errstr(rc));
	}
	sqlite3_finalize(s);
	return ret;
}

int store_job_list(struct store *st, const char *run_id, int active_only, struct store_job **out,
		   size_t *nr, struct strbuf *err)
{
	/* The final states are job_state_is_final()'s. */
	sqlite3_stmt *s = prepare(st,
				  "SELECT " JOB_COLS " FROM jobs "
				  "WHERE (?1 IS NULL OR run_id = ?1) AND (?2 = 0 OR state NOT IN "
				  "('COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT')) ORDER BY seq",
				  err);
	struct store_job *jobs = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	if (!s)
		return -1;
	bind_str(s, 1, run_id);
	sqlite3_bind_int(s, 2, active_only);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ALLOC_GROW(jobs, n + 1, alloc);
		memset(&jobs[n], 0, sizeof(jobs[n]));
		job_from_row(s, &jobs[n++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_jobs_free(jobs, n);
		return error(err, "state database: list jobs: %s", sqlite3_errstr(rc));
	}
	*out = jobs;
	*nr = n;
	return 0;
}

void store_job_release(struct store_job *j)
{
	free(j->id);
	free(j->run_id);
	free(j->kind);
	free(j->name);
	free(j->recipe);
	free(j->executor);
	free(j->native_id);
	free(j->job_dir);
	free(j->node);
	free(j->endpoint);
	free(j->reason);
	memset(j, 0, sizeof(*j));
	j->exit_code = -1;
}

void store_jobs_free(struct store_job *jobs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		store_job_release(&jobs[i]);
	free(jobs);
}

int store_result_set(struct store *st, const struct store_result *res, struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "INSERT INTO results (job_id, run_id, path, local_path) "
				  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(job_id) DO UPDATE SET "
				  "path = excluded.path, local_path = excluded.local_path",
				  err);
	if (!s)
		return -1;
	bind_str(s, 1, res->job_id);
	bind_str(s, 2, res->run_id);
	bind_str(s, 3, res->path);
	bind_str(s, 4, res->local_path);
	return step_done(st, s, "record result", err);
}

int store_result_list(struct store *st, const char *run_id, struct store_result **out, size_t *nr,
		      struct strbuf *err)
{
	sqlite3_stmt *s = prepare(st,
				  "SELECT r.run_id, r.job_id, r.path, r.local_path "
				  "FROM results r JOIN jobs j ON j.id = r.job_id "
				  "WHERE r.run_id = ?1 ORDER BY j.seq",
				  err);
	struct store_result *res = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	if (!s)
		return -1;
	bind_str(s, 1, run_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ALLOC_GROW(res, n + 1, alloc);
		res[n].run_id = col_str(s, 0);
		res[n].job_id = col_str(s, 1);
		res[n].path = col_str(s, 2);
		res[n].local_path = col_str(s, 3);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_results_free(res, n);
		return error(err, "state database: list results: %s", sqlite3_errstr(rc));
	}
	*out = res;
	*nr = n;
	return 0;
}

void store_results_free(struct store_result *res, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(res[i].run_id);
		free(res[i].job_id);
		free(res[i].path);
		free(res[i].local_path);
	}
	free(res);
}
