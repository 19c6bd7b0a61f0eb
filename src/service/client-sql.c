/* Client type sql: `hpcbench load sql mysql://|postgres://HOST:PORT/DB`. */
#include "service/types.h"

static const char *const sql_aliases[] = { "mysql", "mariadb", "postgres", "postgresql", NULL };

static const struct type_key sql_client_keys[] = {
	CLIENT_COMMON_KEYS,
	{ "num_connections", KEY_ANY, "old tool: connections", "-c", TK_SWEEP },
	{ "transactions_per_client", KEY_INT, "old tool: transactions per connection", NULL, 0 },
	{ "database", KEY_STRING, "database name", "--database", 0 },
	{ "user", KEY_STRING, "user name", "--user", 0 },
	{ "password", KEY_STRING, "password; kept in a 0600 file passed with --password-file",
	  "--password-file", TK_SECRET },
	{ "query", KEY_STRING, "statement each request runs (default SELECT 1)", "--query", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct client_type client_type_sql = {
	.name = "sql",
	.description = "SQL load over MySQL/MariaDB or PostgreSQL connections",
	.aliases = sql_aliases,
	.keys = sql_client_keys,
};
