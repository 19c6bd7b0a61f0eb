/* Unit tests for src/common: strbuf, units, shell quoting, JSON writer, suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/jsonw.h"
#include "common/shquote.h"
#include "common/strbuf.h"
#include "common/suggest.h"
#include "common/units.h"
#include "common/xalloc.h"

static void test_strbuf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "abc");
	strbuf_addf(&sb, "-%d-%s", 42, "x");
	for (int i = 0; i < 1000; i++)
		strbuf_addch(&sb, 'y');
	assert_int_equal(sb.len, 3 + 5 + 1000);
	assert_memory_equal(sb.buf, "abc-42-xyy", 10);
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_durations(void **state)
{
	uint64_t us;
	(void)state;
	assert_int_equal(parse_duration_us("500ms", &us), 0);
	assert_int_equal(us, 500000);
	assert_int_equal(parse_duration_us("10s", &us), 0);
	assert_int_equal(us, 10000000);
	assert_int_equal(parse_duration_us("5m", &us), 0);
	assert_int_equal(us, 300000000);
	assert_int_equal(parse_duration_us("30", &us), 0);
	assert_int_equal(us, 30000000);
	assert_int_equal(parse_duration_us("250us", &us), 0);
	assert_int_equal(us, 250);
	assert_int_equal(parse_duration_us("forever", &us), -1);
	assert_int_equal(parse_duration_us("10 s", &us), -1);
	assert_int_equal(parse_duration_us("-1s", &us), -1);
}

static void test_slurm_time_and_mem(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(parse_slurm_time("01:00:00", &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(parse_slurm_time("30", &v), 0);
	assert_int_equal(v, 1800);
	assert_int_equal(parse_slurm_time("2-12", &v), 0);
	assert_int_equal(v, 2 * 86400 + 12 * 3600);
	assert_int_equal(parse_slurm_time("1-00:30:15", &v), 0);
	assert_int_equal(v, 86400 + 30 * 60 + 15);
	assert_int_equal(parse_slurm_time("forever", &v), -1);
	assert_int_equal(parse_slurm_time("01:75:00", &v), -1);
	assert_int_equal(parse_mem_mb("4GB", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_mem_mb("512M", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(parse_mem_mb("2048", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(parse_mem_mb("lots", &v), -1);
	assert_int_equal(parse_mem_mb("4 furlongs", &v), -1);
}

static void test_quote(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	sq_quote(&sb, "it's $(rm -rf ~)");
	assert_string_equal(sb.buf, "'it'\\''s $(rm -rf ~)'");
	strbuf_reset(&sb);
	sq_quote_expand(&sb, "$HOME/x `id` \"q\" $$ ${HPCBENCH_PORT}y $1 \\");
	assert_string_equal(sb.buf,
			    "\"${HOME}/x \\`id\\` \\\"q\\\" \\$ ${HPCBENCH_PORT}y \\$1 \\\\\"");
	strbuf_release(&sb);
}

static void test_jsonw(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	(void)state;
	jsonw_init(&w, &sb, 0);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "s", "a\"b\n");
	jsonw_u64(&w, "n", 7);
	jsonw_arr_open(&w, "a");
	jsonw_double(&w, NULL, 1.5, 2);
	jsonw_null(&w, NULL);
	jsonw_close(&w);
	jsonw_obj_open(&w, "e");
	jsonw_close(&w);
	jsonw_close(&w);
	assert_string_equal(sb.buf, "{\"s\":\"a\\\"b\\n\",\"n\":7,\"a\":[1.50,null],\"e\":{}}");
	strbuf_release(&sb);
}

static void test_suggest(void **state)
{
	const char *keys[] = { "resources", "environment", "ports", "port", NULL };
	(void)state;
	assert_string_equal(suggest_nearest("resorces", keys), "resources");
	assert_string_equal(suggest_nearest("prot", keys), "port");
	assert_null(suggest_nearest("zzzzzz", keys));
}

/* Runs fn in a child with stderr silenced; true when it died of SIGABRT (a BUG()). */
static int aborts(void (*fn)(void))
{
	int status;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void setlen_past_end(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "abc");
	strbuf_setlen(&sb, sb.alloc + 1);
}

static void setlen_on_empty(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_setlen(&sb, 1);
}

static void grow_overflow(void)
{
	int *p = NULL;
	size_t alloc = 0;
	ALLOC_GROW(p, SIZE_MAX / 2, alloc);
}

static void mult_overflow(void)
{
	(void)st_mult(SIZE_MAX / 2, 3);
}

/* Broken size invariants fail loudly instead of writing out of bounds. */
static void test_size_checks(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	strbuf_addstr(&sb, "abcdef");
	strbuf_setlen(&sb, 3);
	assert_string_equal(sb.buf, "abc");
	strbuf_release(&sb);
	strbuf_setlen(&sb, 0); /* the shared empty buffer may be reset */
	assert_int_equal(st_mult(1 << 20, 1 << 10), (size_t)1 << 30);
	assert_true(aborts(setlen_past_end));
	assert_true(aborts(setlen_on_empty));
	assert_true(aborts(grow_overflow));
	assert_true(aborts(mult_overflow));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),	  cmocka_unit_test(test_size_checks),
		cmocka_unit_test(test_durations), cmocka_unit_test(test_slurm_time_and_mem),
		cmocka_unit_test(test_quote),	  cmocka_unit_test(test_jsonw),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
