/*
 * Unit tests for the load core's pure parts: option parsing and checks
 * (src/load/opts.c) and statistics recording and merging (src/load/stats.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "common/strbuf.h"
#include "load/core/figures.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/core/stats.h"

/* Applies one option; returns its result and keeps the message in err. */
static int set(struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	strbuf_reset(err);
	return load_opts_set(o, val, arg, err);
}

static void test_opts(void **state)
{
	struct load_opts o;
	struct strbuf err = STRBUF_INIT;
	(void)state;
	load_opts_init(&o);
	assert_int_equal(o.threads, 1);
	assert_int_equal(o.connections, 10);
	assert_int_equal(o.duration_us, 10000000);
	assert_int_equal(set(&o, 'd', "500ms", &err), 0);
	assert_int_equal(o.duration_us, 500000);
	assert_int_equal(set(&o, 'n', "1000", &err), 0);
	assert_int_equal(o.requests, 1000);
	assert_int_equal(o.duration_us, 0); /* -n replaces -d */
	assert_int_equal(set(&o, 'd', "2m", &err), 0);
	assert_int_equal(o.requests, 0);
	assert_int_equal(o.duration_us, 120000000);
	assert_int_equal(set(&o, LOAD_OPT_RATE, "2500.5", &err), 0);
	assert_true(o.rate == 2500.5);
	assert_int_equal(set(&o, LOAD_OPT_ARRIVAL, "gamma", &err), 0);
	assert_int_equal(set(&o, LOAD_OPT_BURSTINESS, "0.5", &err), 0);
	assert_int_equal(load_opts_check(&o, &err), 0);
	assert_int_equal(set(&o, 'x', "1", &err), 1); /* not a core option */

	static const struct {
		int val;
		const char *arg, *needle;
	} bad[] = {
		{ 'd', "0", "--duration: '0'" },
		{ 'd', "soon", "--duration: 'soon' is not a duration" },
		{ 'c', "0", "--connections" },
		{ 't', "-1", "--threads" },
		{ 'n', "1e6", "--requests" },
		{ LOAD_OPT_RATE, "0", "--rate: '0'" },
		{ LOAD_OPT_RATE, "fast", "--rate" },
		{ LOAD_OPT_ARRIVAL, "uniform", "not constant, poisson or gamma" },
		{ LOAD_OPT_PIPELINE, "0", "--pipeline" },
		{ LOAD_OPT_TIMEOUT, "10us", "at least 1ms" },
		{ LOAD_OPT_INTERVAL, "1ms", "--interval" },
		{ LOAD_OPT_BURSTINESS, "0", "--burstiness" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set(&o, bad[i].val, bad[i].arg, &err), -1);
		assert_non_null(strstr(err.buf, bad[i].needle));
	}
	strbuf_release(&err);
}

static void test_opts_check(void **state)
{
	struct load_opts o;
	struct strbuf err = STRBUF_INIT;
	(void)state;
	load_opts_init(&o);
	o.threads = 4;
	o.connections = 2;
	assert_int_equal(load_opts_check(&o, &err), -1);
	assert_non_null(strstr(err.buf, "--threads 4 is more than --connections 2"));
	load_opts_init(&o);
	o.arrival = LOAD_ARRIVAL_POISSON;
	strbuf_reset(&err);
	assert_int_equal(load_opts_check(&o, &err), -1);
	assert_non_null(strstr(err.buf, "needs --rate"));
	load_opts_init(&o);
	o.rate = 100;
	o.burstiness = 2;
	strbuf_reset(&err);
	assert_int_equal(load_opts_check(&o, &err), -1);
	assert_non_null(strstr(err.buf, "--arrival gamma only"));
	strbuf_release(&err);
}

static struct load_req req(unsigned kind, unsigned err, bool warmup, uint64_t intended,
			   uint64_t sent)
{
	struct load_req r = {
		.intended_ns = intended, .sent_ns = sent, .kind = kind, .err = err, .warmup = warmup
	};
	return r;
}

static void test_stats(void **state)
{
	struct load_stats a, b;
	const uint64_t t0 = 1000000000ull, s = 1000000000ull;
	(void)state;
	load_stats_init(&a, 2, s);
	load_stats_init(&b, 2, s);
	struct load_req r1 = req(0, LOAD_OK, false, t0, t0 + 100);
	load_stats_record(&a, &r1, t0 + 1100, t0); /* latency 1100, service 1000, lag 100 */
	struct load_req r2 = req(1, LOAD_ERR_SERVER, false, t0, t0);
	load_stats_record(&a, &r2, t0 + 5, t0);
	struct load_req r3 = req(1, LOAD_OK, true, t0 - 10, t0 - 10);
	load_stats_record(&a, &r3, t0 - 5, t0); /* warm-up: apart */
	struct load_req r4 = req(1, LOAD_OK, false, t0 + 2 * s, t0 + 2 * s);
	load_stats_record(&b, &r4, t0 + 2 * s + 300, t0); /* third interval */
	load_stats_note(&a, LOAD_ERR_SERVER, "first");
	load_stats_note(&a, LOAD_ERR_SERVER, "second");
	load_stats_note(&b, LOAD_ERR_SERVER, "other thread");
	load_stats_count_error(&b, LOAD_ERR_CONNECT);

	assert_int_equal(a.sent, 2);
	assert_int_equal(a.ok, 1);
	assert_int_equal(a.errors, 1);
	assert_int_equal(a.err[LOAD_ERR_SERVER], 1);
	assert_int_equal(a.warm_sent, 1);
	assert_int_equal(a.latency.min, 1100);
	assert_int_equal(a.service.min, 1000);
	assert_int_equal(a.lag.min, 100);
	assert_string_equal(a.note[LOAD_ERR_SERVER], "first");

	load_stats_merge(&a, &b);
	assert_int_equal(a.sent, 3);
	assert_int_equal(a.ok, 2);
	assert_int_equal(a.err[LOAD_ERR_CONNECT], 1);
	assert_int_equal(a.errors, 1); /* connection attempts are not failed requests */
	assert_string_equal(a.note[LOAD_ERR_SERVER], "first");
	assert_int_equal(a.niv, 3);
	assert_int_equal(a.iv[0].ok, 1);
	assert_int_equal(a.iv[0].errors, 1);
	assert_int_equal(a.iv[1].ok, 0);
	assert_int_equal(a.iv[2].ok, 1);
	assert_int_equal(a.kinds[0].ok, 1);
	assert_int_equal(a.kinds[1].ok, 1);
	assert_int_equal(a.kinds[1].errors, 1);
	assert_int_equal(a.kinds[1].latency.max, 300);
	assert_int_equal(a.latency.total, 2);
	assert_int_equal(a.latency.max, 1100);
	load_stats_release(&a);
	load_stats_release(&b);
}

/* Long runs: the series coarsens instead of growing; merging meets at the coarser. */
static void test_intervals_coarsen(void **state)
{
	struct load_stats a, b;
	const uint64_t s = 1000000000ull;
	(void)state;
	load_stats_init(&a, 1, s);
	load_stats_init(&b, 1, s);
	for (uint64_t t = 0; t < 1500; t++) { /* one ok request per second for 1500 s */
		struct load_req r = req(0, LOAD_OK, false, t * s, t * s);
		load_stats_record(&a, &r, t * s + 10, 0);
	}
	assert_true(a.niv <= LOAD_MAX_INTERVALS);
	assert_int_equal(a.interval_ns, 4 * s); /* 1500 s: 1 s -> 2 s -> 4 s */
	uint64_t total = 0;
	for (size_t i = 0; i < a.niv; i++)
		total += a.iv[i].ok;
	assert_int_equal(total, 1500);
	assert_int_equal(a.iv[0].ok, 4);
	for (uint64_t t = 0; t < 10; t++) { /* a thread that stayed fine-grained */
		struct load_req r = req(0, LOAD_OK, false, t * s, t * s);
		load_stats_record(&b, &r, t * s + 10, 0);
	}
	load_stats_merge(&a, &b);
	assert_int_equal(a.interval_ns, 4 * s);
	assert_int_equal(a.iv[0].ok, 8);
	assert_int_equal(a.iv[2].ok, 4 + 2);
	assert_int_equal(a.ok, 1510);
	load_stats_merge(&b, &a); /* the fine one coarsens to meet the coarse */
	assert_int_equal(b.interval_ns, 4 * s);
	assert_int_equal(b.iv[0].ok, 4 + 8);
	load_stats_release(&a);
	load_stats_release(&b);
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(load_err_name(LOAD_ERR_CONNECT), "connect");
	assert_string_equal(load_err_name(LOAD_ERR_TIMEOUT), "timeout");
	assert_string_equal(load_err_name(LOAD_ERR_SERVER), "server");
	assert_string_equal(load_err_name(LOAD_ERR_PROTO + 3), "other");
	assert_non_null(load_proto_find("redis"));
	assert_null(load_proto_find("gopher"));
}

/* Student t quantiles (R's qt(0.975, df)) and the statistics of a few trials. */
static void test_trial_stats(void **state)
{
	struct load_trial_stats s;
	const double v[] = { 10, 12, 14, 20 };
	json_t *r;
	double x;
	(void)state;
	assert_true(fabs(load_student_t975(1) - 12.70620474) < 1e-8);
	assert_true(fabs(load_student_t975(4) - 2.776445105) < 1e-8);
	assert_true(fabs(load_student_t975(30) - 2.042272456) < 1e-8);
	/* Past the table, the expansion: qt(0.975, 31) = 2.039513446, 100 -> 1.983971519. */
	assert_true(fabs(load_student_t975(31) - 2.039513446) < 1e-5);
	assert_true(fabs(load_student_t975(100) - 1.983971519) < 1e-6);

	load_trial_stats(v, 4, &s);
	assert_true(s.have_ci);
	assert_true(fabs(s.mean - 14) < 1e-12);
	assert_true(s.min == 10 && s.max == 20);
	/* s = sqrt(((-4)^2 + (-2)^2 + 0 + 6^2) / 3) = sqrt(56/3) */
	assert_true(fabs(s.stddev - sqrt(56.0 / 3)) < 1e-12);
	assert_true(fabs(s.ci_half - 3.182446305 * sqrt(56.0 / 3) / 2) < 1e-8);
	assert_true(fabs(s.ci_low - (14 - s.ci_half)) < 1e-12);
	load_trial_stats(v, 1, &s);
	assert_false(s.have_ci); /* one trial: no interval */
	assert_true(s.mean == 10 && s.min == 10 && s.max == 10);

	r = json_loads("{\"latency_us\": {\"p50\": 3.5}, \"throughput_rps\": \"x\", "
		       "\"llm\": {\"goodput_rps\": null}}",
		       0, NULL);
	for (size_t f = 0; f < load_nfigures; f++) {
		const char *k = load_figures[f].key;
		int rc = load_figure_get(r, &load_figures[f], &x);
		if (!strcmp(k, "latency_us.p50"))
			assert_true(rc == 0 && x == 3.5);
		else if (!strcmp(k, "throughput_rps"))
			assert_int_equal(rc, -1); /* there, but not a number */
		else
			assert_int_equal(rc, 1); /* absent or null: not measured */
	}
	assert_int_equal(load_result_kind(r), LOAD_KIND_LLM);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts),	  cmocka_unit_test(test_opts_check),
		cmocka_unit_test(test_stats),	  cmocka_unit_test(test_intervals_coarsen),
		cmocka_unit_test(test_err_names), cmocka_unit_test(test_trial_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
