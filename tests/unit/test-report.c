/*
 * Unit tests for src/report/: Welch's t-test p-values against known values, the .hgrm
 * layout and its percentile steps, sweep parameters found in result files (a parameter
 * that mirrors another is not a second dimension), SVG text escaping and numbers, and
 * that no chart ever holds NaN or inf.
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
#include "load/core/hist.h"
#include "report/charts.h"
#include "report/compare.h"
#include "report/hgrm.h"
#include "report/resultset.h"
#include "report/svg.h"

/* p-values from the t distribution (R: 2 * pt(-|t|, df)). */
static void test_welch(void **state)
{
	(void)state;
	/* 1..5 vs 3..7: t = -2, df = 8, p = 0.08051623. */
	assert_true(fabs(welch_p(3, 2.5, 5, 5, 2.5, 5) - 0.08051623) < 1e-6);
	/* Unequal variances: means 10 / 12, variances 1 / 4, n 10 / 10:
	 * t = -2.828427, df = 13.23529, p = 0.0140262 (numerical integration). */
	double p = welch_p(10, 1, 10, 12, 4, 10);
	assert_true(fabs(p - 0.0140262) < 1e-6);
	/* Same means: p = 1; one trial: no test. */
	assert_true(fabs(welch_p(5, 1, 3, 5, 1, 3) - 1) < 1e-12);
	assert_true(isnan(welch_p(5, 1, 1, 5, 1, 3)));
	/* No spread at all: equal is 1, different is 0. */
	assert_true(welch_p(5, 0, 3, 5, 0, 3) == 1);
	assert_true(welch_p(5, 0, 3, 6, 0, 3) == 0);
}

/* 1..1000 us recorded once each: HdrHistogram's layout and exact steps. */
static void test_hgrm(void **state)
{
	struct hist h;
	struct strbuf sb = STRBUF_INIT;
	const char *line;
	double v, pct;
	unsigned long long count;
	int lines = 0, seen50 = 0;
	(void)state;
	hist_init(&h, HIST_PRECISE_BITS);
	for (uint64_t i = 1; i <= 1000; i++)
		hist_record(&h, i * 1000);
	hgrm_write(&sb, &h, NAN);
	assert_true(
	    !strncmp(sb.buf, "       Value     Percentile TotalCount 1/(1-Percentile)\n\n", 57));
	for (line = strstr(sb.buf, "\n\n") + 2; *line && *line != '#';
	     line = strchr(line, '\n') + 1) {
		assert_true(sscanf(line, "%lf %lf %llu", &v, &pct, &count) == 3);
		if (fabs(pct - 0.5) < 1e-12) {
			/* Nearest rank: the 500th value, 500 us = 0.5 ms (exact: 3 digits). */
			assert_true(fabs(v - (double)hist_percentile(&h, 50) / 1e6) < 5e-4);
			assert_int_equal(count, 500);
			seen50 = 1;
		}
		lines++;
	}
	assert_true(seen50);
	/* 5 ticks per half distance: 5 lines per halving of 1 - p, about 5 * log2(1000). */
	assert_in_range(lines, 45, 60);
	assert_non_null(
	    strstr(sb.buf, "       1.000 1.000000000000       1000\n#[Mean    =        0.50"));
	assert_non_null(
	    strstr(sb.buf, "#[Max     =        1.000, Total count    =         1000]\n"));
	assert_non_null(
	    strstr(sb.buf, "#[Buckets =           27, SubBuckets     =         2048]\n"));
	strbuf_release(&sb);
	hist_release(&h);
}

static const char sweep_json[] =
    "{\"schema\":\"hpcbench.result/1\",\"sweep\":{\"parameters\":{\"concurrency\":[1,4]},"
    "\"points\":[{\"concurrency\":1},{\"concurrency\":4}]},\"results\":["
    "{\"client\":{\"protocol\":\"llm\",\"parameters\":{\"connections\":1,\"seed\":1,"
    "\"duration_s\":5}},\"requests\":{\"ok\":10},\"throughput_rps\":2,"
    "\"latency_us\":{\"p50\":10,\"p99\":20}},"
    "{\"client\":{\"protocol\":\"llm\",\"parameters\":{\"connections\":4,\"seed\":2,"
    "\"duration_s\":9}},\"requests\":{\"ok\":40},\"throughput_rps\":7,"
    "\"latency_us\":{\"p50\":30,\"p99\":null}}]}";

static void test_sweep_params(void **state)
{
	struct rp_run run = { 0 };
	struct strbuf err = STRBUF_INIT;
	(void)state;
	assert_int_equal(rp_run_add(&run, "s.json", sweep_json, strlen(sweep_json), &err), 0);
	rp_run_finish(&run);
	assert_int_equal(run.npts, 2);
	/* connections mirrors concurrency; seed and duration are not workload. */
	assert_int_equal(run.nswept, 1);
	assert_string_equal(run.swept[0], "concurrency");
	assert_string_equal(run.pts[1].label, "concurrency=4");
	assert_true(rp_num(run.pts[1].res, "throughput_rps") == 7);
	assert_true(isnan(rp_num(run.pts[1].res, "latency_us.p99")));
	assert_true(isnan(rp_num(run.pts[1].res, "latency_us.nope")));
	assert_int_equal(rp_run_add(&run, "x.json", "{\"a\":1}", 7, &err), -1);
	assert_non_null(strstr(err.buf, "x.json: not an hpcbench result"));
	strbuf_reset(&err);
	assert_int_equal(rp_run_add(&run, "y.json", "{", 1, &err), -1);
	assert_non_null(strstr(err.buf, "y.json:1:"));
	rp_run_release(&run);
	strbuf_release(&err);
}

/* The charts of a sweep with a null figure: drawn, and no NaN or inf in them. */
static void test_charts_finite(void **state)
{
	struct rp_run run = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct fig *figs = NULL;
	size_t n = 0;
	(void)state;
	assert_int_equal(rp_run_add(&run, "s.json", sweep_json, strlen(sweep_json), &err), 0);
	run.label = strdup("s");
	rp_run_finish(&run);
	charts_build(&run, 1, &figs, &n);
	assert_true(n >= 3); /* percentiles, throughput and latency against concurrency, knee */
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(figs[i].svg.buf, "nan"));
		assert_null(strstr(figs[i].svg.buf, "inf"));
		assert_null(strstr(figs[i].csv.buf, "nan"));
	}
	figs_free(figs, n);
	rp_run_release(&run);
	strbuf_release(&err);
}

static void test_svg_text(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[32];
	(void)state;
	svg_escape(&sb, "a<b & \"c\" 'd'>");
	assert_string_equal(sb.buf, "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
	svg_num(buf, sizeof(buf), 12345);
	assert_string_equal(buf, "12.3k");
	svg_num(buf, sizeof(buf), 2500000);
	assert_string_equal(buf, "2.5M");
	svg_num(buf, sizeof(buf), 0.25);
	assert_string_equal(buf, "0.25");
	svg_num(buf, sizeof(buf), NAN);
	assert_string_equal(buf, "–");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welch),	     cmocka_unit_test(test_hgrm),
		cmocka_unit_test(test_sweep_params), cmocka_unit_test(test_charts_finite),
		cmocka_unit_test(test_svg_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
