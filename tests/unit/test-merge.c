/*
 * Unit tests for the exact merge of replica results (src/load/core/merge.c): merged
 * percentiles equal those of one histogram of every sample, intervals aligned on the
 * wall clock, counters summed, failed and foreign replicas listed with their reason.
 */
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
#include "common/jsonw.h"
#include "common/strbuf.h"
#include "load/core/hist-json.h"
#include "load/core/hist.h"
#include "load/core/merge.h"
#include "load/core/run.h"

static char dir[] = "/tmp/hb-test-merge.XXXXXX";

/* One interval of a fake replica: its start t (s), ok count and latencies (ns). */
struct fake_iv {
	double t;
	uint64_t ok;
};

/* Writes a minimal replica result to dir/name: the values as its latency histogram. */
static char *write_replica(const char *name, const char *protocol, uint64_t start_ns,
			   const uint64_t *vals, size_t n, uint64_t read_errors,
			   const struct fake_iv *ivs, size_t niv)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct jsonw w;
	struct hist h, coarse;
	char *path;

	hist_init(&h, HIST_PRECISE_BITS);
	hist_init(&coarse, HIST_COARSE_BITS);
	for (size_t i = 0; i < n; i++)
		hist_record(&h, vals[i]);
	jsonw_init(&w, &sb, 2);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "schema", "hpcbench.result/1");
	jsonw_obj_open(&w, "client");
	jsonw_str(&w, "protocol", protocol);
	jsonw_str(&w, "target", "127.0.0.1:6379");
	jsonw_obj_open(&w, "parameters");
	jsonw_double(&w, "rate", 100, -1);
	jsonw_u64(&w, "seed", 1);
	jsonw_obj_open(&w, "replica");
	jsonw_u64(&w, "index", 0);
	jsonw_u64(&w, "of", 3);
	jsonw_double(&w, "rate_total", 300, -1);
	jsonw_close(&w);
	jsonw_close(&w);
	jsonw_close(&w);
	jsonw_u64(&w, "started_at_ns", start_ns);
	jsonw_double(&w, "duration_s", 2, 6);
	jsonw_obj_open(&w, "requests");
	jsonw_u64(&w, "sent", n + read_errors);
	jsonw_u64(&w, "ok", n);
	jsonw_u64(&w, "errors", read_errors);
	jsonw_u64(&w, "dropped", 0);
	jsonw_obj_open(&w, "errors_by_kind");
	jsonw_u64(&w, "read", read_errors);
	jsonw_close(&w);
	jsonw_close(&w);
	load_pcts_json(&w, "latency_us", &h);
	jsonw_arr_open(&w, "intervals");
	for (size_t i = 0; i < niv; i++) {
		hist_reset(&coarse);
		for (uint64_t k = 0; k < ivs[i].ok; k++)
			hist_record(&coarse, 1000 + k);
		jsonw_obj_open(&w, NULL);
		jsonw_double(&w, "t", ivs[i].t, 3);
		jsonw_u64(&w, "ok", ivs[i].ok);
		jsonw_u64(&w, "errors", 0);
		hist_json_write(&w, "histogram", &coarse);
		jsonw_close(&w);
	}
	jsonw_close(&w);
	jsonw_close(&w);
	path = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	assert_int_equal(write_file_atomic(path, sb.buf, sb.len, 0644, &err), 0);
	hist_release(&h);
	hist_release(&coarse);
	strbuf_release(&sb);
	strbuf_release(&err);
	return path;
}

/* Runs load_merge over paths; returns the merged JSON (NULL when it failed). */
static json_t *merge(char **paths, size_t n, struct merge_summary *sum, struct strbuf *err)
{
	struct merge_input in[8] = { { 0 } };
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	json_t *j = NULL;
	for (size_t i = 0; i < n; i++)
		in[i].path = paths[i];
	jsonw_init(&w, &out, 0);
	if (load_merge(in, n, &w, NULL, sum, err) == 0)
		j = json_loads(out.buf, JSON_REJECT_DUPLICATES, NULL);
	strbuf_release(&out);
	return j;
}

static double pct_at(json_t *j, const char *obj, const char *key)
{
	return json_number_value(json_object_get(json_object_get(j, obj), key));
}

/* Merged percentiles = the percentiles of one histogram of all samples. */
static void test_exact_percentiles(void **state)
{
	enum { N = 30000 };
	static uint64_t vals[3][N / 3];
	struct hist all;
	struct merge_summary sum;
	struct strbuf err = STRBUF_INIT;
	char *paths[3];
	json_t *j;
	(void)state;

	hist_init(&all, HIST_PRECISE_BITS);
	srand(7);
	for (size_t i = 0; i < N; i++) {
		/* replica 2 is slower: the union's tail is not any replica's tail */
		uint64_t v = 20000 + (uint64_t)(rand() % 500000) + (i % 3 == 2 ? 3000000 : 0);
		vals[i % 3][i / 3] = v;
		hist_record(&all, v);
	}
	for (int r = 0; r < 3; r++) {
		char name[32];
		snprintf(name, sizeof(name), "r%d.json", r);
		paths[r] = write_replica(name, "redis", 1000000000000000000ull + (uint64_t)r * 1000,
					 vals[r], N / 3, 0, NULL, 0);
	}
	j = merge(paths, 3, &sum, &err);
	assert_non_null(j);
	assert_int_equal(sum.nmerged, 3);
	assert_int_equal(sum.ok, N);
	assert_true(pct_at(j, "latency_us", "p50") == (double)hist_percentile(&all, 50) / 1e3);
	assert_true(pct_at(j, "latency_us", "p99") == (double)hist_percentile(&all, 99) / 1e3);
	assert_true(pct_at(j, "latency_us", "p999") == (double)hist_percentile(&all, 99.9) / 1e3);
	assert_true(pct_at(j, "latency_us", "max") == (double)all.max / 1e3);
	/* the skew: 2000 ns between the first and the last start */
	assert_true(json_number_value(
			json_object_get(json_object_get(j, "replicas"), "start_skew_ms")) == 0.002);
	/* totals asked for, not one replica's share */
	assert_true(json_number_value(json_object_get(
			json_object_get(json_object_get(j, "client"), "parameters"), "rate")) ==
		    300);
	json_decref(j);
	for (int r = 0; r < 3; r++) {
		unlink(paths[r]);
		free(paths[r]);
	}
	hist_release(&all);
	strbuf_release(&err);
}

/* Intervals land where they happened on the wall clock; counters are summed. */
static void test_intervals_and_failures(void **state)
{
	const uint64_t t0 = 1800000000000000000ull;
	const uint64_t v[] = { 1000, 2000 };
	const struct fake_iv a[] = { { 0, 10 }, { 1, 20 } };
	const struct fake_iv b[] = { { 0, 5 }, { 1, 7 } };
	struct merge_summary sum;
	struct strbuf err = STRBUF_INIT;
	char *paths[4];
	json_t *j, *ivs, *list;
	(void)state;

	paths[0] = write_replica("a.json", "redis", t0, v, 2, 3, a, 2);
	/* b started 1.02 s later: its interval 0 is the merged interval 1 */
	paths[1] = write_replica("b.json", "redis", t0 + 1020000000ull, v, 2, 4, b, 2);
	paths[2] = strdup("/nonexistent/hb-missing.json");
	paths[3] = write_replica("c.json", "http", t0, v, 2, 0, NULL, 0);
	j = merge(paths, 4, &sum, &err);
	assert_non_null(j);
	assert_int_equal(sum.nreplicas, 4);
	assert_int_equal(sum.nmerged, 2);
	assert_int_equal(sum.errors, 7);
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_object_get(json_object_get(j, "requests"), "errors_by_kind"), "read")),
	    7);
	ivs = json_object_get(j, "intervals");
	assert_int_equal(json_array_size(ivs), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ivs, 0), "ok")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ivs, 1), "ok")), 25);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ivs, 2), "ok")), 7);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_array_get(ivs, 1), "histogram"), "total")),
			 25);
	list = json_object_get(json_object_get(j, "replicas"), "list");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "status")),
			    "failed");
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_array_get(list, 2), "reason")),
		   "no result file"));
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_array_get(list, 3), "reason")),
		   "protocol http, not redis"));
	json_decref(j);

	/* nothing readable: -1 with a reason per replica */
	assert_null(merge(&paths[2], 1, &sum, &err));
	assert_non_null(
	    strstr(err.buf, "replica 0 (/nonexistent/hb-missing.json): no result file"));
	for (int r = 0; r < 4; r++) {
		unlink(paths[r]);
		free(paths[r]);
	}
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_percentiles),
		cmocka_unit_test(test_intervals_and_failures),
	};
	int rc;
	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
