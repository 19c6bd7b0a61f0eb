/* ollama: Ollama LLM server; pulls the recipe's model(s) before declaring itself ready. */
#include "service/types.h"

static const struct type_key ollama_keys[] = {
	{ "model", KEY_ANY, "model name or list of names pulled before the service is ready",
	  NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_ollama = {
	.name = "ollama",
	.description = "Ollama LLM server; pulls `model` before ready (readiness: GET /api/tags)",
	.default_image = "ollama_latest.sif",
	.docker_source = "docker://ollama/ollama:latest",
	.default_port = 11434,
	.default_probe = "http:///api/tags",
	.keys = ollama_keys,
};
