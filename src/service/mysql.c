/* mysql: MySQL or MariaDB, initialised into the job's data folder. */
#include "service/types.h"

static const struct type_key mysql_keys[] = {
	{ "root_password", KEY_STRING, "root password; kept in a 0600 file", NULL, TK_SECRET },
	{ "database", KEY_STRING, "database created before ready", NULL, 0 },
	{ "user", KEY_STRING, "user created before ready (with password)", NULL, 0 },
	{ "password", KEY_STRING, "password of user; kept in a 0600 file", NULL, TK_SECRET },
	{ "init_script", KEY_STRING, "SQL run once after initialisation", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_mysql = {
	.name = "mysql",
	.description = "MySQL or MariaDB server (readiness: SELECT 1)",
	.default_image = "mysql_latest.sif",
	.docker_source = "docker://mysql:8.0",
	.default_port = 3306,
	.default_probe = "sql://",
	.keys = mysql_keys,
};
