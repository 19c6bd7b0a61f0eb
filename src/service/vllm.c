/* vllm: vLLM's OpenAI-compatible server. */
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "service/types.h"

static const struct type_key vllm_keys[] = {
	{ "model", KEY_STRING, "model to serve (Hugging Face id or local path)", NULL,
	  TK_REQUIRED },
	{ "served_model_name", KEY_STRING, "name clients use in requests", NULL, 0 },
	{ "tensor_parallel_size", KEY_INT, "GPUs to shard the model over", NULL, 0 },
	{ "max_model_len", KEY_INT, "context length", NULL, 0 },
	{ "gpu_memory_utilization", KEY_STRING, "fraction of GPU memory, e.g. 0.9", NULL, 0 },
	{ "dtype", KEY_STRING, "auto, float16, bfloat16 ...", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const char *const vllm_owned[] = { "--host", "--port", NULL };

/* Keys that become `vllm serve` options, in this order. */
static const char *const vllm_opts[][2] = {
	{ "served_model_name", "--served-model-name" },
	{ "tensor_parallel_size", "--tensor-parallel-size" },
	{ "max_model_len", "--max-model-len" },
	{ "gpu_memory_utilization", "--gpu-memory-utilization" },
	{ "dtype", "--dtype" },
};

static int vllm_build(struct svc_build *b, struct strbuf *err)
{
	const char *model = svc_key(b->s, "model", NULL);
	if (!model)
		return recipe_error(err, &b->s->pos, "service '%s': type vllm needs model",
				    b->s->name);
	svc_arg_raw(&b->argv, "serve");
	svc_arg_value(&b->argv, model);
	svc_arg_raw(&b->tail, "--host");
	svc_arg_raw(&b->tail, "\"$HPCBENCH_BIND_ADDR\"");
	svc_arg_raw(&b->tail, "--port");
	svc_arg_raw(&b->tail, "\"$HPCBENCH_PORT\"");
	for (size_t i = 0; i < sizeof(vllm_opts) / sizeof(vllm_opts[0]); i++) {
		const char *v = svc_key(b->s, vllm_opts[i][0], NULL);
		if (v)
			svc_arg_opt(&b->tail, vllm_opts[i][1], v);
	}
	return 0;
}

static const struct service_render vllm_render = {
	.command = "vllm",
	.owned_args = vllm_owned,
	.url_scheme = "http",
	.llm_api = "openai-chat",
	.metrics_source = "\"http://$HPCBENCH_TARGET_HOST:$HPCBENCH_TARGET_PORT/metrics\"",
	.probe_timeout_s = 900,
	.build = vllm_build,
};

const struct service_type service_type_vllm = {
	.name = "vllm",
	.description = "vLLM OpenAI-compatible LLM server (readiness: GET /health)",
	.default_image = "vllm_latest.sif",
	.docker_source = "docker://vllm/vllm-openai:latest",
	.default_port = 8000,
	.default_probe = "http:///health",
	.keys = vllm_keys,
	.render = &vllm_render,
};
