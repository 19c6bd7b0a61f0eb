/* Client type sql: `hpcbench load sql mysql://|postgres://HOST:PORT/DB`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/units.h"
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "service/types.h"

static const char *const sql_aliases[] = { "mysql", "mariadb", "postgres", "postgresql", NULL };
static const char *const sql_old_scripts[] = { "mysql_benchmark.py", NULL };

static const struct type_key sql_client_keys[] = {
	CLIENT_COMMON_KEYS,
	{ "num_connections", KEY_ANY, "old tool: connections", "-c", TK_SWEEP },
	{ "transactions_per_client", KEY_INT, "old tool: transactions per connection", NULL, 0 },
	{ "database", KEY_STRING, "database name", "--database", 0 },
	{ "user", KEY_STRING, "user name", "--user", 0 },
	{ "password", KEY_STRING, "password; kept in a 0600 file passed with --password-file",
	  "--password-file", TK_SECRET },
	{ "query", KEY_STRING,
	  "one statement per request instead of a workload (generators: "
	  "docs/sql.md)",
	  "--query", 0 },
	{ "script", KEY_STRING, "a file of statements run in order as one request", "--script", 0 },
	{ "workload", KEY_STRING, "point_select, read_only, read_write, tpcb-like... (docs/sql.md)",
	  "--workload", TK_SWEEP },
	{ "tables", KEY_INT, "sysbench tables", "--tables", 0 },
	{ "table_size", KEY_INT, "rows per sysbench table", "--table-size", 0 },
	{ "scale", KEY_INT, "pgbench scale", "--scale", 0 },
	{ "phase", KEY_STRING, "prepare,run,cleanup (default run)", "--phase", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* The value of --NAME=V or --NAME V in the old script's args, or NULL. */
static const char *legacy_arg(const struct client_spec *c, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 1; i < c->args.nr; i++) {
		const char *a = c->args.items[i];
		if (strncmp(a, "--", 2) || strncmp(a + 2, name, n))
			continue;
		if (a[2 + n] == '=')
			return a + 3 + n;
		if (!a[2 + n] && i + 1 < c->args.nr)
			return c->args.items[i + 1];
	}
	return NULL;
}

/*
 * The old mysql_benchmark.py (client_spec.legacy): its transaction is the workload
 * mysql_benchmark, its table is created (and seeded) on first use like the script
 * did; --num-connections and --transactions-per-client count when the parameters do
 * not say; the MYSQL_* variables of the client's environment name the user, the
 * database and (through its 0600 file) the password. --endpoint and --output-file
 * are the job's business now.
 */
static void sql_legacy(struct cli_build *b, const char **nc, const char **tpc, bool *user_done,
		       bool *db_done)
{
	const struct client_spec *c = b->c;
	const char *user = kvlist_get(&c->environment, "MYSQL_USER");
	const char *db = kvlist_get(&c->environment, "MYSQL_DATABASE");
	if (!cli_param(c, "workload") && !cli_param(c, "query")) {
		svc_arg_raw(&b->opts, "--workload");
		svc_arg_raw(&b->opts, "mysql_benchmark");
	}
	if (!cli_param(c, "phase")) {
		svc_arg_raw(&b->opts, "--phase");
		svc_arg_raw(&b->opts, "prepare,run");
	}
	if (!*nc && !cli_param(c, "connections") && legacy_arg(c, "num-connections")) {
		*nc = legacy_arg(c, "num-connections");
		svc_arg_opt(&b->opts, "-c", *nc);
	}
	if (!*tpc)
		*tpc = legacy_arg(c, "transactions-per-client");
	if (user && !cli_param(c, "user")) {
		svc_arg_opt(&b->opts, "--user", user);
		*user_done = true;
		if (kvlist_get(&c->environment, "MYSQL_PASSWORD")) {
			svc_arg_raw(&b->opts, "--password-file");
			svc_arg_raw(&b->opts, "\"$JOB_DIR/secrets/env/MYSQL_PASSWORD\"");
		}
	}
	if (db && !cli_param(c, "database")) {
		svc_arg_opt(&b->opts, "--database", db);
		*db_done = true;
	}
}

/*
 * -n from the old transactions_per_client x num_connections; database, user and
 * password default to the target service's (its 0600 password file).
 */
static int sql_client_build(struct cli_build *b, struct strbuf *err)
{
	const char *tpc = cli_param(b->c, "transactions_per_client");
	const char *nc = cli_param(b->c, "num_connections");
	const struct service_spec *t = b->target_service;
	bool user_done = false, db_done = false;
	uint64_t a, c;

	if (b->c->legacy)
		sql_legacy(b, &nc, &tpc, &user_done, &db_done);

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
	if (!cli_param(b->c, "database") && !db_done) {
		const char *db = svc_key(t, "database", "MYSQL_DATABASE");
		if (db)
			svc_arg_opt(&b->opts, "--database", db);
	}
	if (!cli_param(b->c, "user") && !cli_param(b->c, "password") && !user_done) {
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
	.legacy_scripts = sql_old_scripts,
	.keys = sql_client_keys,
	.render = &sql_client_render,
};
