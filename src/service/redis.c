/* redis: Redis in-memory store; readiness is a RESP PING over /dev/tcp. */
#include "service/types.h"

static const struct type_key redis_keys[] = {
	{ "persistence", KEY_STRING, "none (default), rdb, aof or both", NULL, 0 },
	{ "maxmemory", KEY_STRING, "memory cap, e.g. 2gb (redis maxmemory)", NULL, 0 },
	{ "maxmemory_policy", KEY_STRING, "eviction policy, e.g. allkeys-lru", NULL, 0 },
	{ "password", KEY_STRING, "requirepass; kept in a 0600 file, never in the script", NULL,
	  TK_SECRET },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_redis = {
	.name = "redis",
	.description = "Redis in-memory key-value store (readiness: RESP PING)",
	.default_image = "redis_latest.sif",
	.docker_source = "docker://redis:7-alpine",
	.default_port = 6379,
	.default_probe = "redis://",
	.keys = redis_keys,
};
