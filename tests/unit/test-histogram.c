/*
 * Unit tests for the load generator's histogram (src/load/hist.c): precision over the
 * whole range, the nearest-rank percentile definition of docs/load.md, values above
 * the range, merging, and the arrival schedules' means (src/load/sched.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "common/strbuf.h"
#include "load/core/hist-json.h"
#include "load/core/hist.h"
#include "load/core/sched.h"

static void test_empty(void **state)
{
	struct hist h;
	(void)state;
	hist_init(&h, HIST_PRECISE_BITS);
	assert_int_equal(hist_percentile(&h, 50), 0);
	assert_int_equal(hist_percentile(&h, 99.9), 0);
	assert_true(hist_mean(&h) == 0);
	assert_int_equal(h.total, 0);
	hist_release(&h);
}

/* Every value is reported within one sub-bucket above itself: >= 3 significant digits. */
static void test_precision(void **state)
{
	struct load_rng rng;
	(void)state;
	load_rng_seed(&rng, 42, 0);
	for (int i = 0; i < 200000; i++) {
		/* Log-uniform over 1 ns .. 2^37 ns, plus the bucket edges. */
		unsigned bits = (unsigned)load_rng_below(&rng, 37);
		uint64_t v = (1ull << bits) + load_rng_below(&rng, 1ull << bits);
		if (i % 3 == 0)
			v = (1ull << bits) - (i % 2);
		if (v >= (1ull << HIST_RANGE_BITS))
			continue;
		unsigned s = hist_slot(HIST_PRECISE_BITS, v);
		uint64_t hi = hist_slot_high(HIST_PRECISE_BITS, s);
		assert_true(s < (1u << 11) + (37 - 11) * (1u << 10));
		assert_true(hi >= v);
		assert_true((double)(hi - v) <= (double)v / 1024.0 + 1e-9);
		/* The slot below ends below v: slots are contiguous and ordered. */
		if (s)
			assert_true(hist_slot_high(HIST_PRECISE_BITS, s - 1) < v);
	}
	/* 1 us .. 100 s is inside the range with 3 significant digits. */
	uint64_t hi =
	    hist_slot_high(HIST_PRECISE_BITS, hist_slot(HIST_PRECISE_BITS, 100000000000ull));
	assert_true(hi >= 100000000000ull && hi - 100000000000ull <= 100000000000ull / 1000);
}

/* Nearest rank: the smallest value with at least q% of the values at or below it. */
static void test_nearest_rank(void **state)
{
	struct hist h;
	(void)state;
	hist_init(&h, HIST_PRECISE_BITS);
	for (uint64_t v = 1; v <= 100; v++) /* exact: below 2048 every value has a slot */
		hist_record(&h, v);
	assert_int_equal(hist_percentile(&h, 1), 1);
	assert_int_equal(hist_percentile(&h, 50), 50);
	assert_int_equal(hist_percentile(&h, 50.5), 51);
	assert_int_equal(hist_percentile(&h, 90), 90);
	assert_int_equal(hist_percentile(&h, 99), 99);
	assert_int_equal(hist_percentile(&h, 99.9), 100);
	assert_int_equal(hist_percentile(&h, 100), 100);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, 100);
	assert_true(fabs(hist_mean(&h) - 50.5) < 1e-9);
	hist_release(&h);
}

/* Large values: reported within 0.1 %, never above the max. */
static void test_microseconds(void **state)
{
	struct hist h;
	(void)state;
	hist_init(&h, HIST_PRECISE_BITS);
	for (uint64_t us = 1; us <= 10000; us++)
		hist_record(&h, us * 1000);
	uint64_t p50 = hist_percentile(&h, 50), p99 = hist_percentile(&h, 99);
	assert_true(p50 >= 5000000 && p50 <= 5000000 + 5000);
	assert_true(p99 >= 9900000 && p99 <= 9900000 + 9900);
	assert_int_equal(hist_percentile(&h, 100), 10000000);
	assert_int_equal(h.min, 1000);
	hist_release(&h);
}

/* Above the range: counted (not clamped into the last bucket), max exact. */
static void test_above_range(void **state)
{
	struct hist h;
	(void)state;
	hist_init(&h, HIST_PRECISE_BITS);
	for (int i = 0; i < 98; i++)
		hist_record(&h, 1000);
	hist_record(&h, 200000000000ull); /* 200 s */
	hist_record(&h, 300000000000ull); /* 300 s */
	assert_int_equal(h.total, 100);
	assert_int_equal(h.above, 2);
	assert_int_equal(h.max, 300000000000ull);
	assert_int_equal(hist_percentile(&h, 98), 1000);
	assert_int_equal(hist_percentile(&h, 99), 300000000000ull); /* falls above: max */
	assert_true(fabs(hist_mean(&h) - (98 * 1000.0 + 5e11) / 100) < 1);
	hist_release(&h);
}

static void test_merge_and_reset(void **state)
{
	struct hist a, b, all;
	struct load_rng rng;
	(void)state;
	hist_init(&a, HIST_PRECISE_BITS);
	hist_init(&b, HIST_PRECISE_BITS);
	hist_init(&all, HIST_PRECISE_BITS);
	load_rng_seed(&rng, 7, 1);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = load_rng_below(&rng, 50000000);
		hist_record(i % 3 ? &a : &b, v);
		hist_record(&all, v);
	}
	hist_merge(&a, &b);
	assert_int_equal(a.total, all.total);
	assert_int_equal(a.min, all.min);
	assert_int_equal(a.max, all.max);
	for (double q = 1; q < 100; q += 0.7)
		assert_int_equal(hist_percentile(&a, q), hist_percentile(&all, q));
	assert_memory_equal(a.counts, all.counts, a.nslots * sizeof(*a.counts));
	hist_reset(&a);
	assert_int_equal(a.total, 0);
	assert_int_equal(hist_percentile(&a, 50), 0);
	hist_release(&a);
	hist_release(&b);
	hist_release(&all);
}

/* The coarse histogram of intervals: 2 significant digits, same definition. */
static void test_coarse(void **state)
{
	struct hist h;
	(void)state;
	hist_init(&h, HIST_COARSE_BITS);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_record(&h, v * 1000);
	uint64_t p50 = hist_percentile(&h, 50);
	assert_true(p50 >= 500000 && p50 <= 500000 * 1.016);
	hist_release(&h);
}

/* Arrival gaps: mean 1/rate for every law; gamma's spread follows the burstiness. */
static void test_arrivals(void **state)
{
	static const struct {
		enum load_arrival a;
		double k, cv;
	} cases[] = {
		{ LOAD_ARRIVAL_CONSTANT, 1, 0 },
		{ LOAD_ARRIVAL_POISSON, 1, 1 },
		{ LOAD_ARRIVAL_GAMMA, 0.25, 2 },
		{ LOAD_ARRIVAL_GAMMA, 4, 0.5 },
	};
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct load_sched s;
		double sum = 0, sum2 = 0, prev;
		int n = 200000;
		load_sched_init(&s, cases[c].a, 1000, cases[c].k, 1, 0, 0);
		prev = (double)load_sched_peek(&s);
		for (int i = 0; i < n; i++) {
			load_sched_advance(&s);
			double gap = s.next - prev;
			prev = s.next;
			sum += gap;
			sum2 += gap * gap;
		}
		double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
		assert_true(fabs(mean - 1e6) < 1e6 * 0.02);
		assert_true(fabs(sd / mean - cases[c].cv) < 0.05);
	}
	/* The same seed gives the same schedule. */
	struct load_sched s1, s2;
	load_sched_init(&s1, LOAD_ARRIVAL_POISSON, 500, 1, 99, 3, 0);
	load_sched_init(&s2, LOAD_ARRIVAL_POISSON, 500, 1, 99, 3, 0);
	for (int i = 0; i < 1000; i++) {
		load_sched_advance(&s1);
		load_sched_advance(&s2);
	}
	assert_int_equal(load_sched_peek(&s1), load_sched_peek(&s2));
}

/* Writes h inside an object and parses it back with jansson. */
static json_t *hist_to_json(const struct hist *h)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	json_error_t err;
	jsonw_init(&w, &sb, 0);
	jsonw_obj_open(&w, NULL);
	hist_json_write(&w, "histogram", h);
	jsonw_close(&w);
	json_t *doc = json_loads(sb.buf, JSON_REJECT_DUPLICATES, &err);
	strbuf_release(&sb);
	assert_non_null(doc);
	return doc;
}

/* A histogram written to a result file reads back slot for slot, and two read back
 * merge into exactly the histogram of the union of their values. */
static void test_json_round_trip(void **state)
{
	struct hist a, b, all, ra, rb;
	struct load_rng rng;
	const char *why = NULL;
	(void)state;
	hist_init(&a, HIST_PRECISE_BITS);
	hist_init(&b, HIST_PRECISE_BITS);
	hist_init(&all, HIST_PRECISE_BITS);
	load_rng_seed(&rng, 7, 0);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = 1000 + load_rng_below(&rng, 1ull << (10 + i % 26));
		if (i % 5000 == 0)
			v = (1ull << HIST_RANGE_BITS) + (uint64_t)i; /* above the range */
		hist_record(i % 3 ? &a : &b, v);
		hist_record(&all, v);
	}
	json_t *ja = hist_to_json(&a), *jb = hist_to_json(&b);
	assert_int_equal(hist_json_read(json_object_get(ja, "histogram"), &ra, &why), 0);
	assert_int_equal(hist_json_read(json_object_get(jb, "histogram"), &rb, &why), 0);
	assert_int_equal(ra.total, a.total);
	assert_int_equal(ra.above, a.above);
	assert_int_equal(ra.min, a.min);
	assert_int_equal(ra.max, a.max);
	assert_true(ra.sum == a.sum);
	assert_memory_equal(ra.counts, a.counts, a.nslots * sizeof(*a.counts));
	hist_merge(&ra, &rb);
	assert_memory_equal(ra.counts, all.counts, all.nslots * sizeof(*all.counts));
	for (double q = 1; q < 100; q += 0.7)
		assert_int_equal(hist_percentile(&ra, q), hist_percentile(&all, q));
	assert_int_equal(hist_percentile(&ra, 99.99), hist_percentile(&all, 99.99));
	json_decref(ja);
	json_decref(jb);
	hist_release(&a);
	hist_release(&b);
	hist_release(&all);
	hist_release(&ra);
	hist_release(&rb);
}

/* What is not a histogram of this layout is refused with a reason, never guessed at. */
static void test_json_refused(void **state)
{
	static const char *bad[] = {
		"{}",
		"{\"unit\":\"us\",\"sub_bits\":11,\"total\":1,\"above\":0,\"min\":5,"
		"\"max\":5,\"sum\":5,\"buckets\":[[5,1]]}",
		"{\"unit\":\"ns\",\"sub_bits\":9,\"total\":1,\"above\":0,\"min\":5,"
		"\"max\":5,\"sum\":5,\"buckets\":[[5,1]]}",
		/* 4097 is not the highest value of a slot at 11 sub-bits (4097 shares one with
		   4096) */
		"{\"unit\":\"ns\",\"sub_bits\":11,\"total\":1,\"above\":0,\"min\":4096,"
		"\"max\":4096,\"sum\":4096,\"buckets\":[[4096,1]]}",
		/* counts that do not add up */
		"{\"unit\":\"ns\",\"sub_bits\":11,\"total\":3,\"above\":0,\"min\":5,"
		"\"max\":5,\"sum\":5,\"buckets\":[[5,1]]}",
		/* descending buckets */
		"{\"unit\":\"ns\",\"sub_bits\":11,\"total\":2,\"above\":0,\"min\":5,"
		"\"max\":6,\"sum\":11,\"buckets\":[[6,1],[5,1]]}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hist h;
		const char *why = NULL;
		json_t *j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		assert_int_equal(hist_json_read(j, &h, &why), -1);
		assert_non_null(why);
		assert_null(h.counts);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_nearest_rank),	cmocka_unit_test(test_microseconds),
		cmocka_unit_test(test_above_range),	cmocka_unit_test(test_merge_and_reset),
		cmocka_unit_test(test_coarse),		cmocka_unit_test(test_arrivals),
		cmocka_unit_test(test_json_round_trip), cmocka_unit_test(test_json_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
