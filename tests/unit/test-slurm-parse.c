/*
 * Unit tests for src/exec/slurm-parse.c on output captured from SLURM 22.05 (sbatch
 * --parsable, squeue -h -t all -O SQUEUE_FORMAT, sacct -P -n -X -o SACCT_FORMAT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "exec/slurm-parse.h"
#include "exec/slurm.h"

#define S SQUEUE_SEP

static void test_sbatch(void **state)
{
	struct strbuf err = STRBUF_INIT;
	char *id, *cluster;
	(void)state;

	assert_int_equal(slurm_parse_sbatch("1234\n", &id, &cluster, &err), 0);
	assert_string_equal(id, "1234");
	assert_null(cluster);
	free(id);
	assert_int_equal(slurm_parse_sbatch("987;meluxina\n", &id, &cluster, &err), 0);
	assert_string_equal(id, "987");
	assert_string_equal(cluster, "meluxina");
	free(id);
	free(cluster);
	/* warnings may come first (some sites print them on stdout) */
	assert_int_equal(
	    slurm_parse_sbatch("sbatch: warning: no --mem given\n42\n", &id, NULL, &err), 0);
	assert_string_equal(id, "42");
	free(id);
	assert_int_equal(slurm_parse_sbatch("", &id, &cluster, &err), -1);
	assert_null(id);
	assert_int_equal(slurm_parse_sbatch("Submitted batch job 12\n", &id, NULL, &err), -1);
	assert_non_null(strstr(err.buf, "no job id"));
	strbuf_release(&err);
}

static void test_state_map(void **state)
{
	const char *why;
	(void)state;
	assert_int_equal(slurm_state_map("PENDING", &why), JS_PENDING);
	assert_null(why);
	assert_int_equal(slurm_state_map("RUNNING", NULL), JS_RUNNING);
	assert_int_equal(slurm_state_map("COMPLETING", NULL), JS_RUNNING);
	assert_int_equal(slurm_state_map("COMPLETED", NULL), JS_COMPLETED);
	assert_int_equal(slurm_state_map("CANCELLED by 1234", NULL), JS_CANCELLED);
	assert_int_equal(slurm_state_map("CANCELLED+", NULL), JS_CANCELLED);
	assert_int_equal(slurm_state_map("OUT_OF_MEMORY", &why), JS_FAILED);
	assert_string_equal(why, "out of memory");
	assert_int_equal(slurm_state_map("NODE_FAIL", &why), JS_FAILED);
	assert_string_equal(why, "node failure");
	assert_int_equal(slurm_state_map("PREEMPTED", &why), JS_FAILED);
	assert_string_equal(why, "preempted");
	assert_int_equal(slurm_state_map("BOOT_FAIL", NULL), JS_FAILED);
	assert_int_equal(slurm_state_map("TIMEOUT", NULL), JS_TIMEOUT);
	assert_int_equal(slurm_state_map("DEADLINE", NULL), JS_TIMEOUT);
	assert_int_equal(slurm_state_map("CONFIGURING", &why), JS_PENDING);
	assert_string_equal(why, "nodes are booting");
	assert_int_equal(slurm_state_map("REQUEUE_HOLD", NULL), JS_PENDING);
	assert_int_equal(slurm_state_map("SUSPENDED", &why), JS_RUNNING);
	assert_string_equal(why, "suspended");
	assert_int_equal(slurm_state_map("CD", NULL), JS_COMPLETED);
	assert_int_equal(slurm_state_map("OOM", NULL), JS_FAILED);
	assert_int_equal(slurm_state_map("PD", NULL), JS_PENDING);
	assert_int_equal(slurm_state_map("RUNNINGX", NULL), JS_UNKNOWN);
	assert_int_equal(slurm_state_map("", NULL), JS_UNKNOWN);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(slurm_parse_exit("0", 1), 0);
	assert_int_equal(slurm_parse_exit("768", 1), 3);  /* squeue: wait status */
	assert_int_equal(slurm_parse_exit("15", 1), 143); /* killed by SIGTERM */
	assert_int_equal(slurm_parse_exit("9", 1), 137);
	assert_int_equal(slurm_parse_exit("2:0", 0), 2); /* sacct: EXIT:SIGNAL */
	assert_int_equal(slurm_parse_exit("0:15", 0), 143);
	assert_int_equal(slurm_parse_exit("0:0", 0), 0);
	assert_int_equal(slurm_parse_exit("", 0), -1);
	assert_int_equal(slurm_parse_exit("x", 1), -1);
	assert_int_equal(slurm_parse_exit("1:x", 0), -1);
}

static void test_squeue(void **state)
{
	struct slurm_rows rows = { 0 };
	struct strbuf err = STRBUF_INIT;
	const struct slurm_row *r;
	/* real lines; the job name holds commas, '|', brackets and spaces */
	const char *out =
	    "2" S "CANCELLED" S "0" S "DependencyNeverSatisfied" S "" S "wrap\n"
	    "1" S "FAILED" S "768" S "NonZeroExitCode" S "vm" S "a,b|c[1,3] x\n"
	    "17" S "RUNNING" S "0" S "None" S "mel[2001-2002,2010]" S "redis_1a2b3c4d\n"
	    "18" S "PENDING" S "0" S "Resources" S "" S "bench,client\n"
	    "19" S "OUT_OF_MEMORY" S "0" S "OutOfMemory" S "mel3001" S "vllm\n"
	    "20" S "TIMEOUT" S "15" S "TimeLimit" S "mel3002" S "slow\n"
	    "21" S "COMPLETED" S "0" S "None" S "mel3003" S "done\n";
	(void)state;

	assert_int_equal(slurm_parse_squeue(out, &rows, &err), 0);
	assert_int_equal(rows.nr, 7);
	r = slurm_rows_find(&rows, "2");
	assert_int_equal(r->state, JS_CANCELLED);
	assert_string_equal(r->reason, "DependencyNeverSatisfied");
	assert_null(r->node);
	r = slurm_rows_find(&rows, "1");
	assert_int_equal(r->state, JS_FAILED);
	assert_int_equal(r->exit_code, 3);
	assert_string_equal(r->node, "vm");
	assert_string_equal(r->name, "a,b|c[1,3] x");
	r = slurm_rows_find(&rows, "17");
	assert_int_equal(r->state, JS_RUNNING);
	assert_int_equal(r->exit_code, -1); /* not final: no exit code yet */
	assert_null(r->reason);		    /* "None" */
	assert_string_equal(r->node, "mel[2001-2002,2010]");
	r = slurm_rows_find(&rows, "18");
	assert_int_equal(r->state, JS_PENDING);
	assert_string_equal(r->reason, "Resources");
	assert_string_equal(r->name, "bench,client");
	r = slurm_rows_find(&rows, "19");
	assert_int_equal(r->state, JS_FAILED);
	assert_string_equal(r->reason, "OutOfMemory");
	r = slurm_rows_find(&rows, "20");
	assert_int_equal(r->state, JS_TIMEOUT);
	assert_int_equal(r->exit_code, 143);
	r = slurm_rows_find(&rows, "21");
	assert_int_equal(r->state, JS_COMPLETED);
	assert_int_equal(r->exit_code, 0);
	assert_null(slurm_rows_find(&rows, "22"));
	slurm_rows_release(&rows);

	/* multi-cluster header lines are skipped; garbage is an error with a line number */
	assert_int_equal(slurm_parse_squeue("CLUSTER: mel\n5" S "RUNNING" S "0" S "None" S "n1" S
					    "x\n",
					    &rows, &err),
			 0);
	assert_int_equal(rows.nr, 1);
	slurm_rows_release(&rows);
	assert_int_equal(slurm_parse_squeue("5" S "RUNNING" S "0\n", &rows, &err), -1);
	assert_non_null(strstr(err.buf, "line 1"));
	slurm_rows_release(&rows);
	strbuf_release(&err);
}

static void test_sacct(void **state)
{
	struct slurm_rows rows = { 0 };
	struct strbuf err = STRBUF_INIT;
	const struct slurm_row *r;
	const char *out = "123|CANCELLED by 1234|0:15|mel2001\n"
			  "124|OUT_OF_MEMORY|0:125|mel[1,3]\n"
			  "125|COMPLETED|0:0|mel1\n"
			  "126|FAILED|2:0|mel1\n"
			  "127|NODE_FAIL|0:0|None assigned\n"
			  "128|PENDING|0:0|None assigned\n";
	(void)state;

	assert_int_equal(slurm_parse_sacct(out, &rows, &err), 0);
	assert_int_equal(rows.nr, 6);
	r = slurm_rows_find(&rows, "123");
	assert_int_equal(r->state, JS_CANCELLED);
	assert_string_equal(r->reason, "cancelled by uid 1234");
	assert_int_equal(r->exit_code, 143);
	r = slurm_rows_find(&rows, "124");
	assert_int_equal(r->state, JS_FAILED);
	assert_string_equal(r->reason, "out of memory");
	assert_string_equal(r->node, "mel[1,3]");
	r = slurm_rows_find(&rows, "126");
	assert_int_equal(r->exit_code, 2);
	r = slurm_rows_find(&rows, "127");
	assert_string_equal(r->reason, "node failure");
	assert_null(r->node);
	r = slurm_rows_find(&rows, "128");
	assert_int_equal(r->state, JS_PENDING);
	assert_int_equal(r->exit_code, -1);
	assert_null(r->name);
	slurm_rows_release(&rows);
	assert_int_equal(slurm_parse_sacct("x|y\n", &rows, &err), -1);
	slurm_rows_release(&rows);
	strbuf_release(&err);
}

static void test_state_file(void **state)
{
	enum job_state st;
	int code;
	char *reason;
	(void)state;

	assert_int_equal(slurm_parse_state_file("RUNNING 1764426000\n", &st, &code, &reason), 0);
	assert_int_equal(st, JS_RUNNING);
	assert_int_equal(code, -1);
	assert_int_equal(slurm_parse_state_file("READY 1764426001", &st, &code, &reason), 0);
	assert_int_equal(st, JS_READY);
	assert_int_equal(slurm_parse_state_file("COMPLETED 0 1764426002\n", &st, &code, &reason),
			 0);
	assert_int_equal(st, JS_COMPLETED);
	assert_int_equal(code, 0);
	assert_null(reason);
	assert_int_equal(slurm_parse_state_file("FAILED 3 1764426003 redis never answered PING\n",
						&st, &code, &reason),
			 0);
	assert_int_equal(st, JS_FAILED);
	assert_int_equal(code, 3);
	assert_string_equal(reason, "redis never answered PING");
	free(reason);
	/* a service stopped by a signal: the script's word is the one status shows */
	assert_int_equal(slurm_parse_state_file("CANCELLED 0 1764426004 stopped by a signal\n", &st,
						&code, &reason),
			 0);
	assert_int_equal(st, JS_CANCELLED);
	assert_int_equal(code, 0);
	assert_string_equal(reason, "stopped by a signal");
	free(reason);
	assert_int_equal(slurm_parse_state_file("FAILED 1 1764426003", &st, &code, &reason), 0);
	assert_null(reason);
	assert_int_equal(slurm_parse_state_file("", &st, &code, &reason), -1);
	assert_int_equal(slurm_parse_state_file("DONE 0 1", &st, &code, &reason), -1);
	assert_int_equal(slurm_parse_state_file("COMPLETED x", &st, &code, &reason), -1);
	assert_int_equal(slurm_parse_state_file("FAILED 300 1", &st, &code, &reason), -1);
}

static void test_hostlist(void **state)
{
	static const char *const cases[][2] = {
		{ "mel2001", "mel2001" }, { "mel[2001-2004,2010]", "mel2001" },
		{ "mel[1,3]", "mel1" },	  { "a[01-02],b3", "a01" },
		{ "n1,n2", "n1" },	  { "gpu[007]-ib", "gpu007-ib" },
		{ "  node5 ", "node5" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *h = slurm_hostlist_first(cases[i][0]);
		assert_non_null(h);
		assert_string_equal(h, cases[i][1]);
		free(h);
	}
	assert_null(slurm_hostlist_first(""));
}

static void test_time_format(void **state)
{
	char buf[32];
	(void)state;
	slurm_format_time(buf, sizeof(buf), 59);
	assert_string_equal(buf, "0:59");
	slurm_format_time(buf, sizeof(buf), 900);
	assert_string_equal(buf, "15:00");
	slurm_format_time(buf, sizeof(buf), 3600);
	assert_string_equal(buf, "1:00:00");
	slurm_format_time(buf, sizeof(buf), 86400 * 2 + 3661);
	assert_string_equal(buf, "2-01:01:01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbatch),	   cmocka_unit_test(test_state_map),
		cmocka_unit_test(test_exit_codes), cmocka_unit_test(test_squeue),
		cmocka_unit_test(test_sacct),	   cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_hostlist),   cmocka_unit_test(test_time_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
