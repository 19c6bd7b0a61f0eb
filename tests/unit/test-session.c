/* Unit tests for src/session: run ids, recipe.yaml as run (round trip through the recipe
 * loader, config merged, secrets kept out), result headline parsing and summary.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "recipe/recipe.h"
#include "session/asrun.h"
#include "session/runid.h"
#include "session/summary.h"
#include "store/store.h"

static void test_run_ids(void **state)
{
	char *a = run_id_new(), *b = run_id_new();
	(void)state;
	assert_true(run_id_valid(a));
	assert_true(run_id_valid(b));
	assert_string_not_equal(a, b); /* 16 random bits: equal once in 65536 */
	assert_true(run_id_valid("20261129-143000-ab12"));
	assert_false(run_id_valid("20261129-143000-AB12"));
	assert_false(run_id_valid("20261129-143000-ab1"));
	assert_false(run_id_valid("redis_1a2b3c4d"));
	assert_false(run_id_valid("2026112x-143000-ab12"));
	free(a);
	free(b);
}

static char *write_temp(const char *text)
{
	char tmpl[] = "/tmp/hpcbench-session-XXXXXX.yaml";
	int fd = mkstemps(tmpl, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return xstrdup(tmpl);
}

static const char recipe_text[] =
    "service:\n"
    "  name: redis\n"
    "  type: redis\n"
    "  runtime: native\n"
    "  command: redis-server\n"
    "  password: \"s3cret: 'x'\"\n"
    "  ports: [6379]\n"
    "  resources: {partition: gpu, time: \"00:20:00\"}\n"
    "  environment: {ODD: \"a: b # c\\n'q' \\\"dq\\\" $HOME $$x\", EMPTY: \"\"}\n"
    "client:\n"
    "  name: load\n"
    "  type: redis\n"
    "  target_service: {name: redis}\n"
    "  parameters: {requests: 100, ratio: \"1:1\"}\n";

static void test_recipe_as_run(void **state)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct config cfg;
	char *path = write_temp(recipe_text), *again;
	struct recipe *r, *r2;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.slurm.account = (char *)"p200981";
	cfg.slurm.partition = (char *)"cpu";
	cfg.slurm.nodes = 2;

	r = recipe_load(path, NULL, &err);
	assert_non_null(r);
	recipe_as_run(&out, &r, 1, &cfg, "# header\n");
	assert_non_null(strstr(out.buf, "# header\n"));
	assert_null(strstr(out.buf, "s3cret")); /* the password stays out */

	/* The document loads again, as the same recipe with the config merged in. */
	again = write_temp(out.buf);
	r2 = recipe_load(again, NULL, &err);
	if (!r2)
		fprintf(stderr, "%s\n---\n%s", err.buf, out.buf);
	assert_non_null(r2);
	assert_int_equal(r2->nr_services, 1);
	assert_int_equal(r2->nr_clients, 1);
	assert_string_equal(r2->services[0].resources.partition, "gpu"); /* recipe wins */
	assert_string_equal(r2->services[0].resources.account, "p200981");
	assert_int_equal(r2->services[0].resources.nodes, 2);
	assert_string_equal(r2->services[0].resources.time, "00:20:00");
	assert_string_equal(kvlist_get(&r2->services[0].environment, "ODD"),
			    "a: b # c\n'q' \"dq\" $HOME $$x");
	assert_string_equal(kvlist_get(&r2->services[0].environment, "EMPTY"), "");
	/* A job without resources gets the config's. */
	assert_string_equal(r2->clients[0].resources.partition, "cpu");
	assert_string_equal(rnode_str(r2->clients[0].parameters, "ratio"), "1:1");
	assert_string_equal(rnode_str(r2->clients[0].parameters, "requests"), "100");

	recipe_free(r);
	recipe_free(r2);
	unlink(path);
	unlink(again);
	free(path);
	free(again);
	strbuf_release(&err);
	strbuf_release(&out);
}

static void test_summary(void **state)
{
	static const char result[] =
	    "{\"schema\": \"hpcbench.result/1\", \"requests\": {\"sent\": 10, \"ok\": 9, "
	    "\"errors\": 1}, \"throughput_rps\": 4.5, \"latency_us\": {\"p50\": 120.5, "
	    "\"p99\": 900}}";
	struct summary_result *res = NULL;
	size_t nr = 0;
	struct store_run run = { .id = (char *)"20261129-143000-ab12",
				 .executor = (char *)"local",
				 .run_dir = (char *)"/r",
				 .state = (char *)"COMPLETED",
				 .created_at = 1 };
	struct store_job jobs[2] = {
		{ .id = (char *)"redis_00000001",
		  .kind = (char *)"service",
		  .name = (char *)"redis",
		  .state = JS_CANCELLED,
		  .exit_code = -1 },
		{ .id = (char *)"load_00000002",
		  .kind = (char *)"client",
		  .name = (char *)"load",
		  .state = JS_COMPLETED,
		  .exit_code = 0 },
	};
	struct strbuf out = STRBUF_INIT, table = STRBUF_INIT, data = STRBUF_INIT,
		      warn = STRBUF_INIT;
	json_error_t jerr;
	json_t *root, *r0;
	(void)state;

	strbuf_addstr(&data, result);
	summary_result_add(&res, &nr, "load_00000002", "/r/load_00000002/result.json",
			   "/r/load_00000002/result.json", &data);
	assert_int_equal(nr, 1);
	assert_int_equal(data.len, 0); /* the content moved into the entry */
	assert_int_equal(res[0].len, strlen(result));
	assert_string_equal(res[0].file, "load_00000002/result.json");
	assert_true(res[0].parsed);
	assert_int_equal(res[0].ok, 9);
	strbuf_addstr(&data, "not json");
	summary_result_add(&res, &nr, "load_00000002", "/r/load_00000002/result-c2.json", "x",
			   &data);
	assert_int_equal(nr, 2);
	assert_false(res[1].parsed);

	summary_json(&out, &run, jobs, 2, res, nr);
	root = json_loads(out.buf, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")),
			    "hpcbench.summary/1");
	assert_string_equal(json_string_value(json_object_get(root, "run_dir")), "/r");
	assert_true(json_is_null(json_object_get(root, "finished_at")));
	assert_null(json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "results"));
	r0 = json_array_get(
	    json_object_get(json_array_get(json_object_get(root, "jobs"), 1), "results"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r0, "requests"), "ok")),
			 9);
	assert_string_equal(json_string_value(json_object_get(r0, "file")),
			    "load_00000002/result.json");
	json_decref(root);

	summary_table(&table, jobs, 2, res, nr, &warn);
	/* The file that is not JSON: its row shows "-", and a warning says why. */
	assert_non_null(strstr(warn.buf, "x: cannot read: not JSON"));
	assert_non_null(strstr(table.buf, "load_00000002"));
	assert_non_null(strstr(table.buf, "/r/load_00000002/result.json"));
	assert_null(strstr(table.buf, "redis_00000001")); /* services are not in the table */

	summary_results_free(res, nr);
	strbuf_release(&data);
	strbuf_release(&out);
	strbuf_release(&table);
	strbuf_release(&warn);
}

/* Each kind gets its own columns: SQL's TPS, vector's QPS and recall, read from the file. */
static void test_summary_kinds(void **state)
{
	static const char sql[] =
	    "{\"schema\":\"hpcbench.result/1\",\"requests\":{\"ok\":10,\"errors\":0},"
	    "\"throughput_rps\":5.5,\"latency_us\":{\"p50\":100,\"p99\":200},"
	    "\"sql\":{\"transactions_per_s\":5.5}}";
	static const char vec[] =
	    "{\"schema\":\"hpcbench.result/1\",\"requests\":{\"ok\":20,\"errors\":1},"
	    "\"throughput_rps\":812.25,\"latency_us\":{\"p50\":300,\"p99\":900},"
	    "\"vector\":{\"recall\":{\"mean\":0.9375}}}";
	struct store_job jobs[2] = {
		{ .id = (char *)"sql_00000001", .kind = (char *)"client", .state = JS_COMPLETED },
		{ .id = (char *)"vec_00000002", .kind = (char *)"client", .state = JS_COMPLETED },
	};
	struct summary_result *res = NULL;
	size_t nr = 0;
	struct strbuf data = STRBUF_INIT, table = STRBUF_INIT, warn = STRBUF_INIT;
	(void)state;
	strbuf_addstr(&data, sql);
	summary_result_add(&res, &nr, "sql_00000001", "/r/s/result.json", "s.json", &data);
	strbuf_addstr(&data, vec);
	summary_result_add(&res, &nr, "vec_00000002", "/r/v/result.json", "v.json", &data);
	summary_table(&table, jobs, 2, res, nr, &warn);
	assert_non_null(strstr(table.buf,
			       "vector results:\nCLIENT        STATE      OK  ERRORS    QPS  "
			       "P50_US  P99_US  RECALL  RESULT\n"
			       "vec_00000002  COMPLETED  20       1  812.2"));
	assert_non_null(strstr(table.buf, "0.9375  v.json"));
	assert_non_null(strstr(table.buf,
			       "sql results:\nCLIENT        STATE      OK  ERRORS  TPS  "
			       "P50_US  P99_US  RESULT\n"
			       "sql_00000001  COMPLETED  10       0  5.5   100.0   200.0  s.json"));
	assert_string_equal(warn.buf, "");
	summary_results_free(res, nr);
	strbuf_release(&data);
	strbuf_release(&table);
	strbuf_release(&warn);
}

/* A damaged result file (fuzz/crashes/result/negative-count.json): counts that are
 * negative or too large read as 0 (they were a float-to-integer overflow, UBSan). */
static void test_result_bad_counts(void **state)
{
	static const char json[] = "{\"schema\": \"hpcbench.result/1\", \"requests\": "
				   "{\"sent\": 200, \"ok\": -86, \"errors\": 1e300}}";
	struct summary_result *r = calloc(1, sizeof(*r));
	(void)state;
	assert_non_null(r);
	r->file = strdup("bench_00000001/result.json");
	summary_parse_result(r, json, strlen(json));
	assert_int_equal(r->parsed, 1);
	assert_int_equal(r->sent, 200);
	assert_int_equal(r->ok, 0);
	assert_int_equal(r->errors, 0);
	summary_results_free(r, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_ids),		  cmocka_unit_test(test_recipe_as_run),
		cmocka_unit_test(test_summary),		  cmocka_unit_test(test_summary_kinds),
		cmocka_unit_test(test_result_bad_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
