/* Unit tests for src/store: records round-trip, listing, migrations, file mode, two
 * connections writing to one file at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "store/store.h"

static void fill_run(struct store_run *r, const char *id, int64_t created)
{
	memset(r, 0, sizeof(*r));
	r->id = (char *)id;
	r->command = (char *)"run";
	r->recipes = (char *)"recipes/sessions/redis-local.yaml";
	r->executor = (char *)"local";
	r->run_dir = (char *)"/tmp/runs/x";
	r->host = (char *)"node1";
	r->pid = 1234;
	r->state = (char *)RUN_ACTIVE;
	r->created_at = created;
}

static void fill_job(struct store_job *j, const char *id, const char *run_id, const char *kind)
{
	memset(j, 0, sizeof(*j));
	j->id = (char *)id;
	j->run_id = (char *)run_id;
	j->kind = (char *)kind;
	j->name = (char *)"redis";
	j->executor = (char *)"local";
	j->job_dir = (char *)"/tmp/runs/x/job";
	j->state = JS_PENDING;
	j->exit_code = -1;
}

static void test_roundtrip(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct store *st = store_open(":memory:", &err);
	struct store_run r, got;
	struct store_job j, gj, *jobs;
	struct store_result res = { 0 }, *results;
	size_t n;
	(void)state;
	assert_non_null(st);

	fill_run(&r, "20261129-143000-ab12", 100);
	assert_int_equal(store_run_insert(st, &r, &err), 0);
	fill_run(&r, "20261129-143001-cd34", 101);
	r.command = (char *)"up";
	r.out_dir = (char *)"/home/u/out";
	assert_int_equal(store_run_insert(st, &r, &err), 0);
	/* The same id twice is refused, with the reason. */
	assert_int_equal(store_run_insert(st, &r, &err), -1);
	assert_non_null(strstr(err.buf, "UNIQUE"));
	strbuf_reset(&err);

	assert_int_equal(store_run_get(st, "20261129-143000-ab12", &got, &err), 0);
	assert_string_equal(got.command, "run");
	assert_null(got.out_dir);
	assert_int_equal(got.pid, 1234);
	store_run_release(&got);
	assert_int_equal(store_run_get(st, "nope", &got, &err), 1);
	assert_int_equal(store_run_latest(st, &got, &err), 0);
	assert_string_equal(got.id, "20261129-143001-cd34");
	assert_string_equal(got.out_dir, "/home/u/out");
	store_run_release(&got);

	assert_int_equal(store_run_finish(st, "20261129-143000-ab12", RUN_FAILED,
					  "redis never became ready", 200, &err),
			 0);
	assert_int_equal(store_run_get(st, "20261129-143000-ab12", &got, &err), 0);
	assert_string_equal(got.state, RUN_FAILED);
	assert_string_equal(got.message, "redis never became ready");
	assert_int_equal(got.finished_at, 200);
	store_run_release(&got);

	fill_job(&j, "redis_0a1b2c3d", "20261129-143000-ab12", "service");
	assert_int_equal(store_job_insert(st, &j, &err), 0);
	fill_job(&j, "bench_11112222", "20261129-143000-ab12", "client");
	assert_int_equal(store_job_insert(st, &j, &err), 0);
	fill_job(&j, "redis_99998888", "20261129-143001-cd34", "service");
	assert_int_equal(store_job_insert(st, &j, &err), 0);
	/* A job of an unknown run is refused (foreign key). */
	fill_job(&j, "x_00000000", "no-such-run", "service");
	assert_int_equal(store_job_insert(st, &j, &err), -1);
	strbuf_reset(&err);

	fill_job(&j, "redis_0a1b2c3d", "20261129-143000-ab12", "service");
	j.native_id = (char *)"4242";
	j.state = JS_READY;
	j.endpoint = (char *)"redis://127.0.0.1:6390";
	j.node = (char *)"node1";
	j.ready_at = 150;
	assert_int_equal(store_job_update(st, &j, &err), 0);
	assert_int_equal(store_job_get(st, "redis_0a1b2c3d", &gj, &err), 0);
	assert_string_equal(gj.native_id, "4242");
	assert_int_equal(gj.state, JS_READY);
	assert_string_equal(gj.endpoint, "redis://127.0.0.1:6390");
	assert_int_equal(gj.ready_at, 150);
	assert_int_equal(gj.exit_code, -1);
	assert_null(gj.reason);
	store_job_release(&gj);

	fill_job(&j, "bench_11112222", "20261129-143000-ab12", "client");
	j.state = JS_COMPLETED;
	j.exit_code = 0;
	assert_int_equal(store_job_update(st, &j, &err), 0);

	/* Listing: per run in submission order; active_only leaves out final states. */
	assert_int_equal(store_job_list(st, "20261129-143000-ab12", 0, &jobs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(jobs[0].id, "redis_0a1b2c3d");
	assert_string_equal(jobs[1].id, "bench_11112222");
	store_jobs_free(jobs, n);
	assert_int_equal(store_job_list(st, NULL, 1, &jobs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(jobs[0].id, "redis_0a1b2c3d");
	assert_string_equal(jobs[1].id, "redis_99998888");
	store_jobs_free(jobs, n);

	res.run_id = (char *)"20261129-143000-ab12";
	res.job_id = (char *)"bench_11112222";
	res.path = (char *)"/tmp/runs/x/bench_11112222/result.json";
	assert_int_equal(store_result_set(st, &res, &err), 0);
	res.local_path = (char *)"/home/u/pulled/bench_11112222/result.json";
	assert_int_equal(store_result_set(st, &res, &err), 0);
	assert_int_equal(store_result_list(st, "20261129-143000-ab12", &results, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(results[0].local_path, "/home/u/pulled/bench_11112222/result.json");
	store_results_free(results, n);

	assert_string_equal(err.buf, "");
	store_close(st);
	strbuf_release(&err);
}

static char *temp_db(void)
{
	char tmpl[] = "/tmp/hpcbench-store.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	return xasprintf("%s/sub/state.db", dir);
}

static void remove_db(char *path)
{
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	char *slash;
	unlink(wal);
	unlink(shm);
	unlink(path);
	slash = strrchr(path, '/');
	*slash = '\0';
	rmdir(path);
	slash = strrchr(path, '/');
	*slash = '\0';
	rmdir(path);
	free(wal);
	free(shm);
	free(path);
}

static void test_file_mode_and_version(void **state)
{
	struct strbuf err = STRBUF_INIT;
	char *path = temp_db();
	struct store *st = store_open(path, &err);
	struct stat sb;
	sqlite3 *raw;
	sqlite3_stmt *s;
	(void)state;
	assert_non_null(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(st);

	/* WAL mode and the schema version persist in the file. */
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), store_schema_version());
	sqlite3_finalize(s);

	/* A database from a newer hpcbench is refused, not silently rewritten. */
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	st = store_open(path, &err);
	assert_null(st);
	assert_non_null(strstr(err.buf, "written by a newer hpcbench (schema 999"));
	remove_db(path);
	strbuf_release(&err);
}

struct holder {
	const char *path;
	int held; /* set once the write lock is taken */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Takes the database's write lock on its own connection for a while, then commits. */
static void *hold_write_lock(void *arg)
{
	struct holder *h = arg;
	sqlite3 *db;
	if (sqlite3_open(h->path, &db) != SQLITE_OK)
		return NULL;
	sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE runs SET state = 'UP' WHERE id = 'a';", NULL,
		     NULL, NULL);
	pthread_mutex_lock(&h->mu);
	h->held = 1;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	usleep(300 * 1000);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return NULL;
}

static void test_two_connections(void **state)
{
	struct strbuf err = STRBUF_INIT;
	char *path = temp_db();
	struct store *a = store_open(path, &err), *b;
	struct holder h = { .path = path };
	struct store_run r, got;
	struct store_job j;
	pthread_t t;
	(void)state;
	assert_non_null(a);
	b = store_open(path, &err);
	assert_non_null(b);

	/* What one connection writes, the other reads at once. */
	fill_run(&r, "a", 1);
	assert_int_equal(store_run_insert(a, &r, &err), 0);
	assert_int_equal(store_run_get(b, "a", &got, &err), 0);
	store_run_release(&got);

	/* While another connection holds the write lock, a write waits instead of failing. */
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	assert_int_equal(pthread_create(&t, NULL, hold_write_lock, &h), 0);
	pthread_mutex_lock(&h.mu);
	while (!h.held)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	fill_job(&j, "redis_00000001", "a", "service");
	assert_int_equal(store_job_insert(b, &j, &err), 0);
	pthread_join(t, NULL);
	/* Reads never wait for writers in WAL mode; both writes are there. */
	assert_int_equal(store_run_get(a, "a", &got, &err), 0);
	assert_string_equal(got.state, "UP");
	store_run_release(&got);
	assert_string_equal(err.buf, "");

	store_close(a);
	store_close(b);
	pthread_mutex_destroy(&h.mu);
	pthread_cond_destroy(&h.cv);
	remove_db(path);
	strbuf_release(&err);
}

static void test_default_path(void **state)
{
	char *p;
	(void)state;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	p = store_default_path();
	assert_string_equal(p, "/x/state/hpcbench/state.db");
	free(p);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	p = store_default_path();
	assert_string_equal(p, "/home/u/.local/state/hpcbench/state.db");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_file_mode_and_version),
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
