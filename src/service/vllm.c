/* vllm: vLLM's OpenAI-compatible server. */
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

const struct service_type service_type_vllm = {
	.name = "vllm",
	.description = "vLLM OpenAI-compatible LLM server (readiness: GET /health)",
	.default_image = "vllm_latest.sif",
	.docker_source = "docker://vllm/vllm-openai:latest",
	.default_port = 8000,
	.default_probe = "http:///health",
	.keys = vllm_keys,
};
