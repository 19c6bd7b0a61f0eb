/* Client type sql: `hpcbench load sql mysql://|postgres://HOST:PORT/DB`. */
#include <stdio.h>
#include <stdlib.h>

#include "common/units.h"
#include "script/hooks.h"
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

/*
 * -n from the old transactions_per_client x num_connections; database, user and
 * password default to the target service's (its 0600 password file).
 */
static int sql_client_build(struct cli_build *b, struct strbuf *err)
{
	const char *tpc = cli_param(b->c, "transactions_per_client");
	const char *nc = cli_param(b->c, "num_connections");
	const struct service_spec *t = b->target_service;
	uint64_t a, c;

	if (tpc && !cli_param(b->c, "requests") && !parse_uint(tpc, 1, UINT32_MAX, &a)) {
		char n[32];
		if (!nc || parse_uint(nc, 1, UINT32_MAX, &c))
			c = 1;
		snprintf(n, sizeof(n), "%llu", (unsigned long long)(a * c));
		svc_arg_raw(&b->opts, "-n");
		svc_arg_raw(&b->opts, n);
	}
	if (!t)
		return 0;
	if (!cli_param(b->c, "database")) {
		const char *db = svc_key(t, "database", "MYSQL_DATABASE");
		if (db)
			svc_arg_opt(&b->opts, "--database", db);
	}
	if (!cli_param(b->c, "user") && !cli_param(b->c, "password")) {
		const char *user = svc_key(t, "user", "MYSQL_USER");
		if (user && svc_key(t, "password", "MYSQL_PASSWORD")) {
			svc_arg_opt(&b->opts, "--user", user);
			svc_arg_raw(&b->opts, "--password-file");
			svc_arg_raw(&b->opts, "\"$HB_TARGET_DIR/secrets/user_password\"");
		} else if (svc_key(t, "root_password", "MYSQL_ROOT_PASSWORD")) {
			svc_arg_raw(&b->opts, "--user");
			svc_arg_raw(&b->opts, "root");
			svc_arg_raw(&b->opts, "--password-file");
			svc_arg_raw(&b->opts, "\"$HB_TARGET_DIR/secrets/root_password\"");
		}
	}
	return 0;
}

static const struct client_render sql_client_render = {
	.target = TARGET_SQL_URL,
	.build = sql_client_build,
};

const struct client_type client_type_sql = {
	.name = "sql",
	.description = "SQL load over MySQL/MariaDB or PostgreSQL connections",
	.aliases = sql_aliases,
	.keys = sql_client_keys,
	.render = &sql_client_render,
};
