/*
 * Unit tests for the JSON scanner and the LLM wire formats: real chunks as Ollama,
 * vLLM and OpenAI send them, malformed JSON, request bodies checked with jansson.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/jscan.h"
#include "load/llm/llm-api.h"

static void collect_paths(void *ctx, const struct jscan_value *v)
{
	struct strbuf *sb = ctx;
	static const char *const types[] = { "s", "n", "t", "f", "null", "{", "[" };
	strbuf_addf(sb, "%s%s=%s", v->truncated ? "~" : "", v->path, types[v->type]);
	if (v->val)
		strbuf_addf(sb, ":%.*s", (int)v->len, v->val);
	strbuf_addch(sb, ';');
}

static void test_jscan_paths(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *doc = " {\"a\":[1,{\"b\":\"x\\\"y\"},[]],\"c.d\":{\"e\":null},\"f\":-1.5e3,"
			  "\"g\":true,\"h\":false,\"\":{}} ";
	(void)state;
	assert_int_equal(jscan(doc, strlen(doc), collect_paths, &sb), 0);
	assert_string_equal(sb.buf, "={;a=[;a.0=n:1;a.1={;a.1.b=s:x\\\"y;a.2=[;~={;~e=null:null;"
				    "f=n:-1.5e3;g=t:true;h=f:false;={;");
	strbuf_release(&sb);
}

static void test_jscan_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"{\"a\"}",
		"{\"a\":}",
		"[1,]",
		"{\"a\":1,}",
		"01",
		"1.",
		"-",
		"1e",
		"\"abc",
		"\"a\\x\"",
		"\"\\u12g4\"",
		"tru",
		"nul",
		"{} {}",
		"{\"a\":1 \"b\":2}",
		"\"ctl\x01\"",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jscan(bad[i], strlen(bad[i]), collect_paths, &sb) != -1)
			fail_msg("accepted: %s", bad[i]);
	strbuf_release(&sb);
}

static void test_jscan_numbers(void **state)
{
	uint64_t u;
	double d;
	(void)state;
	assert_int_equal(jscan_u64("10706818083", 11, &u), 0);
	assert_int_equal(u, 10706818083ull);
	assert_int_equal(jscan_u64("12.9", 4, &u), 0);
	assert_int_equal(u, 12);
	assert_int_equal(jscan_u64("2e3", 3, &u), 0);
	assert_int_equal(u, 2000);
	assert_int_equal(jscan_u64("-1", 2, &u), -1);
	assert_int_equal(jscan_u64("99999999999999999999", 20, &u), -1);
	assert_int_equal(jscan_double("0.25", 4, &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(jscan_strlen("a\\u00e9\\nb", 10), 4);
}

static struct llm_chunk decode(enum llm_api api, const char *msg)
{
	struct llm_chunk c;
	if (llm_decode_chunk(api, msg, strlen(msg), &c) < 0)
		fail_msg("cannot decode: %s", msg);
	return c;
}

static void test_openai_chat_chunks(void **state)
{
	struct llm_chunk c;
	(void)state;
	/* vLLM's first chunk: role only, empty content. It carries no output. */
	c = decode(LLM_API_OPENAI_CHAT,
		   "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
		   "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
		   "\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}");
	assert_false(c.content);
	assert_false(c.finished);
	c = decode(LLM_API_OPENAI_CHAT, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
					"\" Hello\\n\"},\"finish_reason\":null}]}");
	assert_true(c.content);
	assert_int_equal(c.content_chars, 7);
	c = decode(LLM_API_OPENAI_CHAT, "{\"choices\":[{\"index\":0,\"delta\":{},"
					"\"finish_reason\":\"length\"}]}");
	assert_false(c.content);
	assert_true(c.finished);
	c = decode(LLM_API_OPENAI_CHAT, "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\""
					":9,\"total_tokens\":21,\"completion_tokens\":12}}");
	assert_true(c.has_prompt_tokens && c.has_output_tokens);
	assert_int_equal(c.prompt_tokens, 9);
	assert_int_equal(c.output_tokens, 12);
	c = decode(LLM_API_OPENAI_CHAT, "[DONE]");
	assert_true(c.done);
	c = decode(LLM_API_OPENAI_CHAT, "{\"object\":\"error\",\"message\":\"boom\",\"code\":500}");
	assert_true(c.error);
	c = decode(LLM_API_OPENAI_CHAT, "{\"error\":{\"message\":\"overloaded\"}}");
	assert_true(c.error);
	/* A key that merely contains the wanted path as text does not count. */
	c = decode(LLM_API_OPENAI_CHAT, "{\"note\":\"choices.0.delta.content\","
					"\"choices.0\":{\"delta\":{\"content\":\"x\"}}}");
	assert_false(c.content);
	/* Non-streamed bodies. */
	c = decode(LLM_API_OPENAI_CHAT,
		   "{\"choices\":[{\"message\":{\"role\":\"assistant\","
		   "\"content\":\"Hi there\"}}],\"usage\":{\"prompt_tokens\":3,"
		   "\"completion_tokens\":2}}");
	assert_true(c.content);
	assert_int_equal(c.output_tokens, 2);
	c = decode(LLM_API_OPENAI_COMPLETIONS,
		   "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,"
		   "\"text\":\" world\",\"logprobs\":null,\"finish_reason\":null}]}");
	assert_true(c.content);
	struct llm_chunk bad;
	assert_int_equal(llm_decode_chunk(LLM_API_OPENAI_CHAT, "{\"choices\":[", 12, &bad), -1);
	const char *strnum = "{\"usage\":{\"prompt_tokens\":\"x\"}}";
	assert_int_equal(llm_decode_chunk(LLM_API_OPENAI_CHAT, strnum, strlen(strnum), &bad), -1);
}

static void test_ollama_chunks(void **state)
{
	struct llm_chunk c;
	(void)state;
	c = decode(LLM_API_OLLAMA, "{\"model\":\"llama3\",\"created_at\":\"2023-08-04T08:52:19.38"
				   "5406455-07:00\",\"response\":\"The\",\"done\":false}");
	assert_true(c.content);
	assert_false(c.done);
	c = decode(LLM_API_OLLAMA,
		   "{\"model\":\"llama3\",\"created_at\":\"2023-08-04T19:22:45.499127Z\","
		   "\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"context\":[1,2,3],"
		   "\"total_duration\":10706818083,\"load_duration\":6338219291,"
		   "\"prompt_eval_count\":26,\"prompt_eval_duration\":130079000,"
		   "\"eval_count\":259,\"eval_duration\":4232710000}");
	assert_false(c.content);
	assert_true(c.done && c.finished && c.has_server_timings);
	assert_int_equal(c.output_tokens, 259);
	assert_int_equal(c.prompt_tokens, 26);
	assert_int_equal(c.total_ns, 10706818083ull);
	assert_int_equal(c.load_ns, 6338219291ull);
	assert_int_equal(c.prompt_eval_ns, 130079000);
	assert_int_equal(c.eval_ns, 4232710000ull);
	c = decode(LLM_API_OLLAMA_CHAT, "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\","
					"\"content\":\"Hi\"},\"done\":false}");
	assert_true(c.content);
	c = decode(LLM_API_OLLAMA_CHAT, "{\"error\":\"model 'x' not found\"}");
	assert_true(c.error);
}

static json_t *encode(enum llm_api api, const struct llm_request_opts *o,
		      const struct llm_prompt *p)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	json_error_t je;
	assert_int_equal(llm_encode_body(&sb, api, o, p, &err), 0);
	json_t *j = json_loads(sb.buf, 0, &je);
	if (!j)
		fail_msg("not json: %s (%s)", sb.buf, je.text);
	strbuf_release(&sb);
	strbuf_release(&err);
	return j;
}

static void test_encode(void **state)
{
	struct llm_request_opts o = {
		.model = "llama3", .max_tokens = 64, .temperature = -1, .stream = true
	};
	struct llm_prompt p = { .text = "say \"hi\"\n", .text_len = 9 };
	json_t *j;
	(void)state;

	j = encode(LLM_API_OLLAMA, &o, &p);
	assert_string_equal(json_string_value(json_object_get(j, "model")), "llama3");
	assert_string_equal(json_string_value(json_object_get(j, "prompt")), "say \"hi\"\n");
	assert_true(json_is_true(json_object_get(j, "stream")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "options"), "num_predict")), 64);
	json_decref(j);

	o.temperature = 0.5;
	o.ignore_eos = true;
	o.extra_body = " {\"top_p\": 0.9, \"max_tokens\": 7} ";
	p.max_tokens = 32;
	j = encode(LLM_API_OPENAI_CHAT, &o, &p);
	json_t *msg = json_array_get(json_object_get(j, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(msg, "role")), "user");
	assert_string_equal(json_string_value(json_object_get(msg, "content")), "say \"hi\"\n");
	assert_true(json_is_true(json_object_get(j, "ignore_eos")));
	assert_true(json_real_value(json_object_get(j, "temperature")) == 0.5);
	assert_true(
	    json_is_true(json_object_get(json_object_get(j, "stream_options"), "include_usage")));
	assert_true(json_real_value(json_object_get(j, "top_p")) == 0.9);
	/* jansson keeps the last of repeated keys, as servers do: extra body wins. */
	assert_int_equal(json_integer_value(json_object_get(j, "max_tokens")), 7);
	json_decref(j);

	struct llm_prompt m = { .messages_json =
				    "[{\"role\":\"system\",\"content\":\"be brief\"}]" };
	o.extra_body = NULL;
	j = encode(LLM_API_OLLAMA_CHAT, &o, &m);
	assert_int_equal(json_array_size(json_object_get(j, "messages")), 1);
	json_decref(j);

	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	assert_int_equal(llm_encode_body(&sb, LLM_API_OPENAI_COMPLETIONS, &o, &m, &err), -1);
	assert_non_null(strstr(err.buf, "chat api"));
	strbuf_reset(&err);
	o.extra_body = "[1]";
	assert_int_equal(llm_encode_body(&sb, LLM_API_OPENAI_COMPLETIONS, &o, &p, &err), -1);
	assert_non_null(strstr(err.buf, "not a json object"));
	strbuf_release(&sb);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jscan_paths),   cmocka_unit_test(test_jscan_rejects),
		cmocka_unit_test(test_jscan_numbers), cmocka_unit_test(test_openai_chat_chunks),
		cmocka_unit_test(test_ollama_chunks), cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
