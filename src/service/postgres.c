/* postgres: PostgreSQL, initialised with initdb into the job's data folder. */
#include <string.h>

#include "common/shquote.h"
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "script/render.h"
#include "service/types.h"

static const struct type_key postgres_keys[] = {
	{ "database", KEY_STRING, "database created before ready", NULL, 0 },
	{ "user", KEY_STRING, "role created before ready (with password)", NULL, 0 },
	{ "password", KEY_STRING, "password of user; kept in a 0600 file", NULL, TK_SECRET },
	{ "init_script", KEY_STRING, "SQL run once after initialisation", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const char *const postgres_owned[] = { "-D", "-p", "-k", NULL };

/* pg_ctl and postmaster start the same server: run postgres from their folder. */
static const char *const postgres_server_names[] = { "pg_ctl",	 "postgres", "postmaster",
						     "postgres", NULL,	     NULL };

/*
 * PostgreSQL refuses to run as root. A native job that runs as root (a container, a
 * test machine) runs every server command as the postgres user, which then owns the
 * job's data, socket and secret files.
 */
static const char postgres_root[] =
    "mkdir -p \"$JOB_DIR/run\"\n"
    "if [ \"$(id -u)\" = 0 ] && [ ${#HB_RUN[@]} = 0 ]; then\n"
    "\tid postgres >/dev/null 2>&1 ||\n"
    "\t\thb_fail \"PostgreSQL does not run as root, and there is no postgres user to run as\"\n"
    "\trunuser -u postgres -- test -x \"$JOB_DIR\" ||\n"
    "\t\thb_fail \"PostgreSQL does not run as root, and the postgres user cannot reach\" \\\n"
    "\t\t\t\"$JOB_DIR (make the run folder reachable, or run the job as another user)\"\n"
    "\tchown -R postgres \"$JOB_DIR/data\" \"$JOB_DIR/run\"\n"
    "\t[ ! -d \"$JOB_DIR/secrets\" ] || chown -R postgres \"$JOB_DIR/secrets\"\n"
    "\tHB_RUN=(runuser -u postgres --)\n"
    "fi\n";

/* "name" as an SQL identifier. */
static void pg_ident(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

/* A .pgpass field: ':' and '\\' escaped. */
static void pgpass_field(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ':' || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
}

/*
 * initdb into JOB_DIR/data with `user` (default postgres) as the superuser; with a
 * password, host connections need it (scram-sha-256) and the probe reads a 0600
 * pgpass file; without one, the server trusts every connection (say so in the docs).
 * Once SELECT 1 answers, `database` is created and init_script runs in it.
 */
static int postgres_build(struct svc_build *b, struct strbuf *err)
{
	const struct service_spec *s = b->s;
	const char *user = svc_key(s, "user", "POSTGRES_USER");
	const char *pw = svc_key(s, "password", "POSTGRES_PASSWORD");
	const char *db = svc_key(s, "database", "POSTGRES_DB");
	const char *init = svc_key(s, "init_script", NULL);
	struct strbuf sb = STRBUF_INIT;

	if (!user)
		user = "postgres";
	strbuf_addstr(&b->prepare, postgres_root);
	strbuf_addstr(&b->prepare, "\"${HB_RUN[@]}\" initdb -D \"$JOB_DIR/data\" -U ");
	sq_quote_expand(&b->prepare, user);
	if (pw) {
		job_add_file(b->job, "secrets/user_password", pw, strlen(pw), 0600);
		strbuf_addstr(&sb, "*:*:*:");
		pgpass_field(&sb, user);
		strbuf_addch(&sb, ':');
		pgpass_field(&sb, pw);
		strbuf_addch(&sb, '\n');
		job_add_file(b->job, "secrets/pgpass", sb.buf, sb.len, 0600);
		strbuf_addstr(&b->prepare, " --pwfile=\"$JOB_DIR/secrets/user_password\" "
					   "--auth-local=trust --auth-host=scram-sha-256");
	} else {
		strbuf_addstr(&b->prepare, " --auth=trust");
	}
	strbuf_addstr(&b->prepare, " >\"$JOB_DIR/init.log\" 2>&1 ||\n"
				   "\thb_fail \"initdb failed (see $JOB_DIR/init.log)\"\n");
	if (pw)
		strbuf_addstr(&b->prepare, "export PGPASSFILE=\"$JOB_DIR/secrets/pgpass\"\n"
					   "export APPTAINERENV_PGPASSFILE=\"$PGPASSFILE\"\n");
	svc_arg_raw(&b->argv, "-D");
	svc_arg_raw(&b->argv, "\"$JOB_DIR/data\"");
	svc_arg_raw(&b->argv, "-p");
	svc_arg_raw(&b->argv, "\"$HPCBENCH_PORT\"");
	svc_arg_raw(&b->argv, "-k");
	svc_arg_raw(&b->argv, "\"$JOB_DIR/run\"");
	svc_arg_raw(&b->argv, "-c");
	svc_arg_raw(&b->argv, "listen_addresses=\"$HPCBENCH_BIND_ADDR\"");
	strbuf_addstr(&b->probe, "\"${HB_RUN[@]}\" psql -h 127.0.0.1 -p \"$HPCBENCH_PORT\" -U ");
	sq_quote_expand(&b->probe, user);
	strbuf_addstr(&b->probe, " -d postgres -tAc 'SELECT 1'");

	if (db) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "CREATE DATABASE ");
		pg_ident(&sb, db);
		strbuf_addstr(&sb, ";\n");
		job_add_file(b->job, "create-db.sql", sb.buf, sb.len, 0644);
		strbuf_addstr(
		    &b->post_ready,
		    "\"${HB_RUN[@]}\" psql -h \"$JOB_DIR/run\" -p \"$HPCBENCH_PORT\" -U ");
		sq_quote_expand(&b->post_ready, user);
		strbuf_addstr(&b->post_ready,
			      " -d postgres -v ON_ERROR_STOP=1 -f \"$JOB_DIR/create-db.sql\" ||\n"
			      "\thb_fail \"cannot create the database\"\n");
	}
	if (init) {
		job_add_file(b->job, "secrets/init.sql", init, strlen(init), 0600);
		strbuf_addstr(
		    &b->post_ready,
		    "\"${HB_RUN[@]}\" psql -h \"$JOB_DIR/run\" -p \"$HPCBENCH_PORT\" -U ");
		sq_quote_expand(&b->post_ready, user);
		strbuf_addstr(&b->post_ready, " -d ");
		sq_quote_expand(&b->post_ready, db ? db : "postgres");
		strbuf_addstr(&b->post_ready,
			      " -v ON_ERROR_STOP=1 -f \"$JOB_DIR/secrets/init.sql\" ||\n"
			      "\thb_fail \"init_script failed\"\n");
	}
	strbuf_release(&sb);
	return 0;
}

/* Debian: /usr/lib/postgresql/VERSION/bin (initdb, postgres, pg_ctl, pgbench). */
static const char *const postgres_dirs[] = { "/usr/lib/postgresql/*/bin", NULL };

static const struct service_render postgres_render = {
	.command = "postgres",
	.server_names = postgres_server_names,
	.owned_args = postgres_owned,
	.url_scheme = "postgres",
	.probe_timeout_s = 180,
	.native_dirs = postgres_dirs,
	.build = postgres_build,
};

const struct service_type service_type_postgres = {
	.name = "postgres",
	.description = "PostgreSQL server (readiness: SELECT 1)",
	.default_image = "postgres_latest.sif",
	.docker_source = "docker://postgres:16",
	.default_port = 5432,
	.default_probe = "sql://",
	.keys = postgres_keys,
	.render = &postgres_render,
};
