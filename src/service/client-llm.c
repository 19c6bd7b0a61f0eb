/* Client type llm: `hpcbench load llm URL`, Ollama and OpenAI-compatible servers. */
#include <string.h>

#include "script/hooks.h"
#include "service/types.h"

static const char *const llm_aliases[] = { "ollama", "vllm", NULL };

static const struct type_key llm_client_keys[] = {
	CLIENT_COMMON_KEYS,
	{ "model", KEY_STRING, "model name sent in each request", "--model", 0 },
	{ "api", KEY_STRING, "ollama, openai-chat or openai-completions (default from target)",
	  "--api", 0 },
	{ "num_requests", KEY_INT, "old tool: total requests", "-n", 0 },
	{ "operations_per_test", KEY_INT, "old tool: requests per sweep point", "-n", 0 },
	{ "concurrent_requests", KEY_ANY, "old tool: concurrency, or a list to sweep", "-c",
	  TK_SWEEP },
	{ "prompt_length", KEY_ANY, "old tool: prompt length in tokens", "--input-tokens",
	  TK_SWEEP },
	{ "prompt_lengths", KEY_ANY, "old tool: prompt lengths to sweep", "--input-tokens",
	  TK_SWEEP },
	{ "input_tokens", KEY_ANY, "prompt length in tokens", "--input-tokens", TK_SWEEP },
	{ "max_tokens", KEY_ANY, "output tokens per request, or a list to sweep", "--max-tokens",
	  TK_SWEEP },
	{ "sweep", KEY_STRING, "load generator sweep, e.g. concurrency=1,2,4", "--sweep", 0 },
	{ "temperature", KEY_STRING, "sampling temperature", "--temperature", 0 },
	{ "ignore_eos", KEY_BOOL, "generate exactly max_tokens (vLLM, SGLang)", "--ignore-eos", 0 },
	{ "extra_body", KEY_STRING, "extra request fields as JSON, e.g. '{\"top_p\":0.9}'",
	  "--extra-body", 0 },
	{ "api_key_file", KEY_STRING, "file holding the API key (Authorization: Bearer)",
	  "--api-key-file", TK_PATH },
	{ "no_stream", KEY_BOOL, "one JSON body per request instead of a stream", "--no-stream",
	  0 },
	{ "input_spread", KEY_STRING, "prompt lengths uniform in N*(1-F)..N*(1+F)",
	  "--input-spread", 0 },
	{ "shared_prefix_tokens", KEY_INT, "leading words shared by every prompt",
	  "--shared-prefix-tokens", 0 },
	{ "prompts", KEY_INT, "distinct synthetic prompts", "--prompts", 0 },
	{ "dataset", KEY_STRING, "JSONL prompts file ({\"prompt\"} or {\"messages\"} per line)",
	  "--dataset", TK_PATH },
	{ "burstiness", KEY_STRING, "gamma arrivals: shape K (1 = Poisson)", "--burstiness", 0 },
	{ "max_concurrency", KEY_INT, "open loop: most requests in flight", "--max-concurrency",
	  0 },
	{ "slo", KEY_STRING, "service levels, e.g. ttft_ms=500,tpot_ms=50", "--slo", 0 },
	{ "slo_percentile", KEY_STRING, "the percentile slo_check judges", "--slo-percentile", 0 },
	{ "slo_check", KEY_BOOL, "fail the client when an SLO is missed", "--slo-check", 0 },
	{ "find_max_rate", KEY_BOOL, "search the highest rate whose SLOs hold", "--find-max-rate",
	  0 },
	{ "requests_out", KEY_STRING, "one JSON line per request to this file", "--requests-out",
	  TK_PATH },
	{ NULL, 0, NULL, NULL, 0 },
};

/* --api from the target's type; --model from an Ollama/vLLM service of the recipe. */
static int llm_client_build(struct client_build *b, struct strbuf *err)
{
	const struct service_type *t = b->target_type;
	if (!client_param(b->c, "api") && t && t->render) {
		const char *api = t->render->llm_api;
		if (api) {
			svc_arg_raw(&b->opts, "--api");
			svc_arg_raw(&b->opts, api);
		}
	}
	if (!client_param(b->c, "model") && b->target_service) {
		const char *m = svc_key(b->target_service, "served_model_name", NULL);
		if (!m)
			m = svc_key(b->target_service, "model", NULL);
		if (m)
			svc_arg_opt(&b->opts, "--model", m);
	}
	return 0;
}

static const struct client_render llm_client_render = {
	.target = TARGET_URL,
	.sweeps_concurrency = true,
	.build = llm_client_build,
};

const struct client_type client_type_llm = {
	.name = "llm",
	.description = "LLM serving load (Ollama, OpenAI API): TTFT, inter-token latency, tokens/s",
	.aliases = llm_aliases,
	.keys = llm_client_keys,
	.render = &llm_client_render,
};
