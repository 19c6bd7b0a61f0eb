/*
 * Unit tests for src/monitor/: the Prometheus/OpenMetrics text parser (types, units,
 * labels with escapes, +Inf/NaN, exemplars, malformed lines), the statistics of gauge
 * and counter series over a window (bracketing samples, counter resets), and the
 * timeline values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "monitor/monitor.h"
#include "monitor/promtext.h"
#include "monitor/series.h"

struct got {
	struct strbuf lines; /* "name|labels|value|type|unit|counter\n" per sample */
};

static void collect(void *ctx, const struct prom_sample *s)
{
	struct got *g = ctx;
	strbuf_addf(&g->lines, "%s|%s|%g|%s|%s|%d\n", s->name, s->labels, s->value,
		    prom_type_name(s->type), s->unit, s->is_counter);
}

static long parse(const char *text, struct got *g, struct strbuf *err)
{
	strbuf_reset(&g->lines);
	return prom_parse(text, strlen(text), collect, g, err);
}

static void test_prom_text(void **state)
{
	(void)state;
	struct got g = { STRBUF_INIT };
	struct strbuf err = STRBUF_INIT;
	const char *text = "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
			   "# TYPE node_cpu_seconds_total counter\n"
			   "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1234.5\n"
			   "node_cpu_seconds_total{cpu=\"0\",mode=\"user\",} 12\n"
			   "# TYPE node_load1 gauge\n"
			   "node_load1 0.25\n"
			   "# TYPE rpc_duration_seconds histogram\n"
			   "rpc_duration_seconds_bucket{le=\"0.1\"} 3 1700000000000\n"
			   "rpc_duration_seconds_bucket{le=\"+Inf\"} 5\n"
			   "rpc_duration_seconds_sum 0.75\n"
			   "rpc_duration_seconds_count 5\n"
			   "# TYPE go_gc_duration_seconds summary\n"
			   "go_gc_duration_seconds{quantile=\"0.5\"} NaN\n"
			   "\n"
			   "msg_total{path=\"a \\\"quoted\\\" \\\\ back\\nslash\"} +Inf\n"
			   "untyped_thing 7\n";
	assert_int_equal(parse(text, &g, &err), 10);
	assert_string_equal(
	    g.lines.buf, "node_cpu_seconds_total|{cpu=\"0\",mode=\"idle\"}|1234.5|counter||1\n"
			 "node_cpu_seconds_total|{cpu=\"0\",mode=\"user\"}|12|counter||1\n"
			 "node_load1||0.25|gauge||0\n"
			 "rpc_duration_seconds_bucket|{le=\"0.1\"}|3|histogram||1\n"
			 "rpc_duration_seconds_bucket|{le=\"+Inf\"}|5|histogram||1\n"
			 "rpc_duration_seconds_sum||0.75|histogram||1\n"
			 "rpc_duration_seconds_count||5|histogram||1\n"
			 "go_gc_duration_seconds|{quantile=\"0.5\"}|nan|summary||0\n"
			 "msg_total|{path=\"a \\\"quoted\\\" \\\\ back\\nslash\"}|inf|untyped||1\n"
			 "untyped_thing||7|untyped||0\n");
	strbuf_release(&g.lines);
	strbuf_release(&err);
}

static void test_openmetrics(void **state)
{
	(void)state;
	struct got g = { STRBUF_INIT };
	struct strbuf err = STRBUF_INIT;
	const char *text = "# TYPE vllm:kv_cache_usage_perc gauge\n"
			   "# UNIT vllm:kv_cache_usage_perc ratio\n"
			   "vllm:kv_cache_usage_perc{model_name=\"m\"} 0.5\n"
			   "# TYPE foo_seconds counter\n"
			   "# UNIT foo_seconds seconds\n"
			   "foo_seconds_total 17.0 # {trace_id=\"abc\"} 1.0 123\n"
			   "foo_seconds_created 1.7e9\n"
			   "# EOF\n";
	assert_int_equal(parse(text, &g, &err), 3);
	assert_string_equal(g.lines.buf,
			    "vllm:kv_cache_usage_perc|{model_name=\"m\"}|0.5|gauge|ratio|0\n"
			    "foo_seconds_total||17|counter|seconds|1\n"
			    "foo_seconds_created||1.7e+09|counter|seconds|0\n");
	strbuf_release(&g.lines);
	strbuf_release(&err);
}

static void test_prom_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "ok 1\n9bad 1\n", "line 2: a metric name expected" },
		{ "x{a=\"1\" 2\n", "line 1: ',' or '}' expected after a label" },
		{ "x{a=\"1\\q\"} 2\n", "line 1: bad escape in a label value" },
		{ "x{a=\"1} 2\n", "line 1: unterminated label value" },
		{ "x 0x10\n", "line 1: bad sample value" },
		{ "x\n", "line 1: a space and a value expected after the series" },
		{ "x{=\"1\"} 2\n", "line 1: bad label name" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct got g = { STRBUF_INIT };
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(parse(bad[i].text, &g, &err), -1);
		assert_string_equal(err.buf, bad[i].why);
		strbuf_release(&g.lines);
		strbuf_release(&err);
	}
}

#define S 1000000000ull

static void test_gauge_stats(void **state)
{
	(void)state;
	struct mon_store st;
	struct mon_stats x;
	mon_store_init(&st);
	struct mon_series *g = mon_store_get(&st, "g", MON_GAUGE, "bytes");
	assert_ptr_equal(mon_store_get(&st, "g", MON_GAUGE, NULL), g);
	/* samples at 0..10 s with values 0..10; the window is [2 s, 6 s] */
	for (unsigned i = 0; i <= 10; i++)
		mon_series_add(g, i * S, (double)i);
	mon_series_add(g, 11 * S, NAN); /* dropped */
	assert_int_equal(g->n, 11);
	assert_int_equal(mon_series_stats(g, 2 * S, 6 * S, &x), 0);
	assert_int_equal(x.samples, 5);
	assert_true(x.min == 2 && x.max == 6 && x.mean == 4 && x.last == 6);
	assert_true(x.p50 == 4 && x.p99 == 6);
	assert_int_equal(mon_series_stats(g, 20 * S, 30 * S, &x), -1);
	double v;
	assert_int_equal(mon_series_at(g, 3 * S, 5 * S, &v), 0);
	assert_true(v == 3.5); /* mean of 3 and 4 */
	assert_int_equal(mon_series_at(g, 3 * S + 1, 3 * S + 2, &v), 0);
	assert_true(v == 3); /* no sample inside: the last one before */
	mon_store_release(&st);
}

static void test_counter_stats(void **state)
{
	(void)state;
	struct mon_store st;
	struct mon_stats x;
	double v;
	mon_store_init(&st);
	struct mon_series *c = mon_store_get(&st, "c_total", MON_COUNTER, "");
	/* 100 per second, reset to 0 at 5 s (the process restarted) */
	mon_series_add(c, 0, 1000);
	mon_series_add(c, 1 * S, 1100);
	mon_series_add(c, 2 * S, 1200);
	mon_series_add(c, 3 * S, 1300);
	mon_series_add(c, 4 * S, 1400);
	mon_series_add(c, 5 * S, 100);
	mon_series_add(c, 6 * S, 200);
	/* window [1.5 s, 3.5 s]: bracketed by the samples at 1 s and 4 s */
	assert_int_equal(mon_series_stats(c, 3 * S / 2, 7 * S / 2, &x), 0);
	assert_int_equal(x.samples, 4);
	assert_true(x.increase == 300 && x.span_s == 3 && x.rate == 100);
	/* across the reset: 1400 -> 100 counts 100, not -1300 */
	assert_int_equal(mon_series_stats(c, 4 * S, 6 * S, &x), 0);
	assert_true(x.increase == 200 && x.rate == 100);
	assert_int_equal(mon_series_at(c, 2 * S, 3 * S, &v), 0);
	assert_true(v == 100);
	/* one sample says nothing about a rate */
	struct mon_series *one = mon_store_get(&st, "one_total", MON_COUNTER, "");
	mon_series_add(one, S, 5);
	assert_int_equal(mon_series_stats(one, 0, 2 * S, &x), -1);
	mon_store_release(&st);
}

static void test_store_many(void **state)
{
	(void)state;
	struct mon_store st;
	char key[32];
	mon_store_init(&st);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "s{i=\"%d\"}", i);
		mon_series_add(mon_store_get(&st, key, MON_GAUGE, NULL), 1, i);
	}
	assert_int_equal(st.n, 5000);
	for (int i = 0; i < 5000; i += 97) {
		snprintf(key, sizeof(key), "s{i=\"%d\"}", i);
		struct mon_series *s = mon_store_get(&st, key, MON_GAUGE, NULL);
		assert_int_equal(s->n, 1);
		assert_true(s->v[0] == i);
	}
	assert_string_equal(mon_unit_from_name("node_network_receive_bytes_total", ""), "bytes");
	assert_string_equal(mon_unit_from_name("x_seconds{a=\"b\"}", ""), "seconds");
	assert_string_equal(mon_unit_from_name("redis_connected_clients", "x"), "x");
	mon_store_release(&st);
}

static void test_bad_specs(void **state)
{
	(void)state;
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "ftp://x", "is not one of" },
		{ "pid:abc", "expected pid:N" },
		{ "redis://nohost", "expected redis://[:PASSWORD@]HOST:PORT" },
		{ "http://:80/metrics", "has no host" },
		{ "http://h:99999/metrics", "not a number up to 65535" },
		{ "prometheus://h:9090", "no query" },
		{ "prometheus://h:9090?q=up", "unknown parameter 'q=up'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct monitor *m = monitor_new(S);
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(monitor_add(m, bad[i].spec, &err), -1);
		if (!strstr(err.buf, bad[i].why))
			fail_msg("%s: got '%s'", bad[i].spec, err.buf);
		assert_non_null(strstr(err.buf, "--server-metrics"));
		strbuf_release(&err);
		monitor_free(m);
	}
	struct monitor *m = monitor_new(S);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(monitor_add(m, "redis://:secret@127.0.0.1:1", &err), 0);
	assert_int_equal(monitor_add(m, "redis://:secret@127.0.0.1:1", &err), -1);
	assert_non_null(strstr(err.buf, "given twice"));
	strbuf_release(&err);
	monitor_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_text),     cmocka_unit_test(test_openmetrics),
		cmocka_unit_test(test_prom_bad),      cmocka_unit_test(test_gauge_stats),
		cmocka_unit_test(test_counter_stats), cmocka_unit_test(test_store_many),
		cmocka_unit_test(test_bad_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
