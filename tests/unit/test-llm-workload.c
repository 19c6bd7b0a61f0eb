/*
 * Unit tests for LLM prompts (synthetic lengths, distinct starts, shared prefixes,
 * seeds, JSONL datasets and their errors) and for the metric arithmetic (TPOT, SLOs,
 * goodput, merging).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "load/llm/llm-metrics.h"
#include "load/llm/llm-workload.h"

static size_t words(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		if (*p != ' ' && (p == s || p[-1] == ' '))
			n++;
	return n;
}

static void test_synthetic_lengths_and_starts(void **state)
{
	struct llm_prompt_set set = { 0 };
	struct llm_workload_opts o = { .input_tokens = 50, .prompts = 200, .seed = 7 };
	struct strbuf err = STRBUF_INIT;
	size_t same_start = 0;
	(void)state;
	assert_int_equal(llm_workload_build(&set, &o, &err), 0);
	assert_int_equal(set.nr, 200);
	for (size_t i = 0; i < set.nr; i++) {
		assert_int_equal(words(set.items[i].text), 50);
		assert_int_equal(strlen(set.items[i].text), set.items[i].text_len);
	}
	/* Prompts differ from their first words: no shared cached prefix. */
	for (size_t i = 1; i < set.nr; i++) {
		const char *a = set.items[i - 1].text, *b = set.items[i].text;
		size_t k = 0;
		while (a[k] && a[k] == b[k])
			k++;
		if (k > 20)
			same_start++;
	}
	assert_true(same_start < 5);
	llm_prompt_set_release(&set);
	strbuf_release(&err);
}

static void test_shared_prefix_and_seed(void **state)
{
	struct llm_prompt_set a = { 0 }, b = { 0 }, c = { 0 };
	struct llm_workload_opts o = {
		.input_tokens = 40, .prompts = 20, .seed = 3, .shared_prefix = 30
	};
	struct strbuf err = STRBUF_INIT;
	(void)state;
	assert_int_equal(llm_workload_build(&a, &o, &err), 0);
	assert_int_equal(llm_workload_build(&b, &o, &err), 0);
	o.seed = 4;
	assert_int_equal(llm_workload_build(&c, &o, &err), 0);
	/* The first 30 words are the same in every prompt; the rest differ. */
	const char *first = a.items[0].text;
	size_t plen = 0;
	for (int w = 0; w < 30; w++)
		plen += strcspn(first + plen, " ") + 1;
	for (size_t i = 0; i < a.nr; i++) {
		assert_int_equal(words(a.items[i].text), 40);
		assert_memory_equal(a.items[i].text, first, plen);
	}
	assert_string_not_equal(a.items[0].text, a.items[1].text);
	/* Same seed, same prompts; another seed, others. */
	for (size_t i = 0; i < a.nr; i++)
		assert_string_equal(a.items[i].text, b.items[i].text);
	assert_string_not_equal(a.items[0].text, c.items[0].text);
	llm_prompt_set_release(&a);
	llm_prompt_set_release(&b);
	llm_prompt_set_release(&c);
	strbuf_release(&err);
}

static void test_shared_prefix_too_long(void **state)
{
	struct llm_prompt_set s = { 0 };
	struct llm_workload_opts o = {
		.input_tokens = 10, .prompts = 2, .seed = 1, .shared_prefix = 10
	};
	struct strbuf err = STRBUF_INIT;
	(void)state;
	assert_int_equal(llm_workload_build(&s, &o, &err), -1);
	assert_non_null(strstr(err.buf, "leaves no room"));
	strbuf_release(&err);
}

static void test_spread(void **state)
{
	struct llm_prompt_set s = { 0 };
	struct llm_workload_opts o = {
		.input_tokens = 100, .input_spread = 0.2, .prompts = 300, .seed = 9
	};
	struct strbuf err = STRBUF_INIT;
	size_t lo = 1000, hi = 0;
	(void)state;
	assert_int_equal(llm_workload_build(&s, &o, &err), 0);
	for (size_t i = 0; i < s.nr; i++) {
		size_t n = words(s.items[i].text);
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	assert_true(lo >= 80 && lo < 90);
	assert_true(hi <= 120 && hi > 110);
	llm_prompt_set_release(&s);
	strbuf_release(&err);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/test-llm-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_dataset(void **state)
{
	struct llm_prompt_set s = { 0 };
	struct llm_workload_opts o = { .prompts = 5, .seed = 1 };
	struct strbuf err = STRBUF_INIT;
	char *path = write_tmp(
	    "{\"prompt\": \"hi\\nthere\"}\n\n"
	    "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 7}\n");
	(void)state;
	o.dataset = path;
	assert_int_equal(llm_workload_build(&s, &o, &err), 0);
	assert_int_equal(s.nr, 2);
	assert_string_equal(s.items[0].text, "hi\nthere");
	assert_string_equal(s.items[1].messages_json, "[{\"role\":\"user\",\"content\":\"x\"}]");
	assert_int_equal(s.items[1].max_tokens, 7);
	assert_true(s.has_messages);
	llm_prompt_set_release(&s);
	unlink(path);
	free(path);

	static const char *const bad[][2] = {
		{ "{\"prompt\": \"a\"}\nnot json\n", ":2: not a json object" },
		{ "{\"prompt\": 1}\n", ":1: needs \"prompt\"" },
		{ "{\"prompt\": \"a\", \"max_tokens\": 0}\n", ":1: \"max_tokens\" must be" },
		{ "\n\n", ": no prompts in the file" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_tmp(bad[i][0]);
		o.dataset = path;
		strbuf_reset(&err);
		assert_int_equal(llm_workload_build(&s, &o, &err), -1);
		if (!strstr(err.buf, bad[i][1]) || strncmp(err.buf, path, strlen(path)))
			fail_msg("'%s' does not say '%s' after the path", err.buf, bad[i][1]);
		assert_int_equal(s.nr, 0);
		unlink(path);
		free(path);
	}
	strbuf_release(&err);
}

static void test_metrics(void **state)
{
	struct llm_stats a, b;
	struct llm_slo slo = { .percentile = 99 };
	struct strbuf err = STRBUF_INIT;
	uint64_t itl[3] = { 10000000, 10000000, 10000000 };
	(void)state;
	llm_stats_init(&a);
	llm_stats_init(&b);
	assert_int_equal(llm_slo_parse(&slo, "ttft_ms=50,tpot_ms=12", &err), 0);
	/* TTFT 40 ms, 4 tokens, E2E 70 ms: TPOT = 30 / 3 = 10 ms. */
	struct llm_sample x = { .ok = true,
				.e2e_ns = 70000000,
				.ttft_ns = 40000000,
				.chunks = 4,
				.has_output = true,
				.output_tokens = 4,
				.has_input = true,
				.input_tokens = 9,
				.itl_ns = itl,
				.nitl = 3 };
	assert_true(llm_stats_record(&a, &x, &slo));
	/* One output token: no TPOT. TTFT 60 ms: outside the SLO. */
	struct llm_sample y = { .ok = true,
				.e2e_ns = 60000000,
				.ttft_ns = 60000000,
				.chunks = 1,
				.has_output = true,
				.output_tokens = 1 };
	assert_false(llm_stats_record(&b, &y, &slo));
	struct llm_sample z = { .ok = false, .e2e_ns = 5 };
	assert_false(llm_stats_record(&b, &z, &slo));
	llm_stats_merge(&a, &b);
	assert_int_equal(a.ok, 2);
	assert_int_equal(a.errors, 1);
	assert_int_equal(a.tpot.total, 1);
	assert_int_equal(hist_percentile(&a.tpot, 50) / 100000, 100); /* 10.0 ms */
	assert_int_equal(a.itl.total, 3);
	assert_int_equal(a.output_tokens, 5);
	assert_int_equal(a.input_tokens, 9);
	assert_int_equal(a.with_input, 1);
	assert_int_equal(a.good, 1);
	/* p99 TTFT is 60 ms > 50 ms: the SLO check fails and says so. */
	assert_int_equal(llm_slo_verdict(&a, &slo, &err), -1);
	assert_non_null(strstr(err.buf, "slo missed: p99 ttft"));
	slo.percentile = 50;
	strbuf_reset(&err);
	assert_int_equal(llm_slo_verdict(&a, &slo, &err), 0);

	struct strbuf js = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &js, 0);
	jsonw_obj_open(&w, NULL);
	llm_stats_json(&a, &slo, 2.0, &w);
	jsonw_close(&w);
	assert_non_null(strstr(js.buf, "\"goodput_rps\":0.5"));
	assert_non_null(strstr(js.buf, "\"output_tokens_per_s\":2.5"));
	assert_non_null(strstr(js.buf, "\"input\":\"partial\""));
	strbuf_release(&js);

	static const char *const bad[] = { "ttft=5", "ttft_ms", "ttft_ms=-1", "ttft_ms=x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct llm_slo s2 = { 0 };
		assert_int_equal(llm_slo_parse(&s2, bad[i], &err), -1);
	}
	llm_stats_release(&a);
	llm_stats_release(&b);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_lengths_and_starts),
		cmocka_unit_test(test_shared_prefix_and_seed),
		cmocka_unit_test(test_shared_prefix_too_long),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_dataset),
		cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
