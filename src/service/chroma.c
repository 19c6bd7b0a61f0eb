/* chroma: the Chroma vector database, persisting into the job's data folder. */
#include "service/types.h"

static const struct type_key chroma_keys[] = {
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_chroma = {
	.name = "chroma",
	.description = "Chroma vector database (readiness: GET /api/v2/heartbeat)",
	.default_image = "chroma_latest.sif",
	.docker_source = "docker://chromadb/chroma:latest",
	.default_port = 8000,
	.default_probe = "http:///api/v2/heartbeat",
	.keys = chroma_keys,
};
