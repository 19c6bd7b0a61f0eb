/* postgres: PostgreSQL, initialised with initdb into the job's data folder. */
#include "service/types.h"

static const struct type_key postgres_keys[] = {
	{ "database", KEY_STRING, "database created before ready", NULL, 0 },
	{ "user", KEY_STRING, "role created before ready (with password)", NULL, 0 },
	{ "password", KEY_STRING, "password of user; kept in a 0600 file", NULL, TK_SECRET },
	{ "init_script", KEY_STRING, "SQL run once after initialisation", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_postgres = {
	.name = "postgres",
	.description = "PostgreSQL server (readiness: SELECT 1)",
	.default_image = "postgres_latest.sif",
	.docker_source = "docker://postgres:16",
	.default_port = 5432,
	.default_probe = "sql://",
	.keys = postgres_keys,
};
