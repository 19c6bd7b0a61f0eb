/*
 * Unit tests for `load sql` --query / --script parsing (statements, generators,
 * variables, quotes, comments, errors with FILE:LINE) and for the generators' draws
 * (ranges, {seq} strides, Zipf frequencies against the law).
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
#include "load/sql/sql-script.h"

static void test_split_and_generators(void **state)
{
	struct sql_script s = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *src = "-- header; not a statement\n"
			  "begin;\n"
			  "UPDATE t SET v = {s=str:3:5}, n = 'x;?{' WHERE id = {a=zipf:1:10};\n"
			  "SELECT {a}, {s}, {{literal} FROM t; -- tail ; comment\n"
			  "commit;;\n";
	(void)state;
	assert_int_equal(sql_script_parse(&s, "f.sql", src, true, &err), 0);
	assert_int_equal(s.nstmts, 4);
	assert_true(s.wl.transaction);
	assert_string_equal(s.stmts[0].text, "begin");
	assert_string_equal(s.stmts[1].text, "UPDATE t SET v = ?, n = 'x;?{' WHERE id = ?");
	assert_int_equal(s.stmts[1].cls, SQL_WRITE);
	assert_int_equal(s.stmts[1].nparams, 2);
	assert_int_equal(s.stmts[1].params[0], G_STR);
	assert_true(sql_param_is_string(&s.stmts[1], 0));
	assert_int_equal(s.stmts[1].params[1], G_ZIPF);
	assert_false(sql_param_is_string(&s.stmts[1], 1));
	assert_string_equal(s.stmts[2].text, "SELECT ?, ?, {literal} FROM t");
	assert_int_equal(s.stmts[2].cls, SQL_READ);
	assert_int_equal(s.stmts[2].params[0], G_VAR);
	assert_false(sql_param_is_string(&s.stmts[2], 0));
	assert_true(sql_param_is_string(&s.stmts[2], 1));
	assert_string_equal(s.stmts[3].text, "commit");
	sql_script_release(&s);

	/* --query: one statement, ';' is text; no BEGIN, no transaction. */
	assert_int_equal(sql_script_parse(&s, "--query", "SELECT 1; SELECT 2", false, &err), 0);
	assert_int_equal(s.nstmts, 1);
	assert_false(s.wl.transaction);
	sql_script_release(&s);
	strbuf_release(&err);
}

static void test_errors(void **state)
{
	static const struct {
		const char *src, *msg;
	} bad[] = {
		{ "SELECT 1;\nSELECT {gauss:1:2}", "f.sql:2: unknown generator 'gauss'" },
		{ "SELECT {y}", "f.sql:1: {y}: no variable y was defined before" },
		{ "SELECT {a=uniform:1:2}, {a=uniform:1:2}", "f.sql:1: {a=...}: variable a is "
							     "defined twice" },
		{ "SELECT ?", "f.sql:1: '?' outside quotes" },
		{ "SELECT {uniform:9:1}", "f.sql:1: {uniform}: HI is below LO" },
		{ "SELECT {uniform:1}", "f.sql:1: {uniform}: write {uniform:LO:HI}" },
		{ "SELECT {uniform:1:x}", "f.sql:1: {uniform}: 'x' is not an integer" },
		{ "SELECT {zipf:1:9:0}", "f.sql:1: {zipf}: exponent '0'" },
		{ "SELECT {str:300}", "f.sql:1: {str}: lengths from 0 to 255" },
		{ "SELECT {uniform:1:2", "f.sql:1: '{' without its '}'" },
		{ "\n\nSELECT {1bad=seq}", "f.sql:3: {1bad=...}: a variable name" },
		{ "-- nothing\n;", "f.sql: no statement to run" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sql_script s = { 0 };
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(sql_script_parse(&s, "f.sql", bad[i].src, true, &err), -1);
		if (strncmp(err.buf, bad[i].msg, strlen(bad[i].msg)))
			fail_msg("%s: got '%s', want '%s...'", bad[i].src, err.buf, bad[i].msg);
		assert_null(strchr(err.buf, '\n'));
		strbuf_release(&err);
	}
}

/* Draws statement 0's parameter k n times on connection conn of conns. */
static void draw(const struct sql_script *s, unsigned k, struct sql_txvars *v, struct load_rng *rng,
		 struct sql_value *out)
{
	struct sql_sizes z = { .connections = 3 };
	sql_gen_value(&s->stmts[0], k, v, &z, rng, out);
}

static void test_draws(void **state)
{
	struct sql_script s = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct sql_txvars v = { 0 };
	struct load_rng rng;
	struct sql_value val;
	bool lo = false, hi = false;
	(void)state;
	load_rng_seed(&rng, 1, 0);
	assert_int_equal(
	    sql_script_parse(&s, "q",
			     "SELECT {uniform:-2:2}, {seq:10:13}, {str:2:4}, {x=seq:5}, {x}", false,
			     &err),
	    0);
	for (int i = 0; i < 1000; i++) {
		draw(&s, 0, &v, &rng, &val);
		assert_false(val.str);
		assert_true(val.num >= -2 && val.num <= 2);
		lo |= val.num == -2;
		hi |= val.num == 2;
		assert_int_equal(atoll(val.text), val.num);
	}
	assert_true(lo && hi);
	/* {seq:10:13} on connection 1 of 3: 11, 14 -> wraps to 10+(4%4)=10, 13, ... */
	v.conn = 1;
	draw(&s, 1, &v, &rng, &val);
	assert_int_equal(val.num, 11);
	draw(&s, 1, &v, &rng, &val);
	assert_int_equal(val.num, 10);
	draw(&s, 1, &v, &rng, &val);
	assert_int_equal(val.num, 13);
	for (int i = 0; i < 200; i++) {
		draw(&s, 2, &v, &rng, &val);
		assert_true(val.str && val.len >= 2 && val.len <= 4 && strlen(val.text) == val.len);
	}
	/* A variable: {x} gives back what {x=...} drew. */
	draw(&s, 3, &v, &rng, &val);
	assert_int_equal(val.num, 5 + 1);
	draw(&s, 4, &v, &rng, &val);
	assert_int_equal(val.num, 6);
	sql_script_release(&s);
	strbuf_release(&err);
}

/* Zipf frequencies against the law: P(k) = k^-s / H(n, s), within 5 sigma. */
static void test_zipf_law(void **state)
{
	const double exps[] = { 0.5, 0.99, 1.0, 1.5 };
	(void)state;
	for (size_t e = 0; e < sizeof(exps) / sizeof(exps[0]); e++) {
		struct sql_zipf z;
		struct load_rng rng;
		unsigned count[21] = { 0 };
		const unsigned n = 20, draws = 200000;
		double h = 0;
		sql_zipf_init(&z, n, exps[e]);
		load_rng_seed(&rng, 42, e);
		for (unsigned i = 0; i < draws; i++) {
			uint64_t k = sql_zipf_draw(&z, &rng);
			assert_true(k >= 1 && k <= n);
			count[k]++;
		}
		for (unsigned k = 1; k <= n; k++)
			h += pow(k, -exps[e]);
		for (unsigned k = 1; k <= n; k++) {
			double p = pow(k, -exps[e]) / h, want = p * draws;
			double sigma = sqrt(draws * p * (1 - p));
			if (fabs(count[k] - want) > 5 * sigma)
				fail_msg("s=%.2f k=%u: %u draws, want %.0f +- %.0f", exps[e], k,
					 count[k], want, 5 * sigma);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_and_generators),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_draws),
		cmocka_unit_test(test_zipf_law),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
