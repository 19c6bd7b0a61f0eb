/* mysql: MySQL or MariaDB, initialised into the job's data folder. */
#include <string.h>

#include "common/shquote.h"

#include "recipe/recipe.h"
#include "script/hooks.h"
#include "script/render.h"
#include "service/types.h"

static const struct type_key mysql_keys[] = {
	{ "root_password", KEY_STRING, "root password; kept in a 0600 file", NULL, TK_SECRET },
	{ "database", KEY_STRING, "database created before ready", NULL, 0 },
	{ "user", KEY_STRING, "user created before ready (with password)", NULL, 0 },
	{ "password", KEY_STRING, "password of user; kept in a 0600 file", NULL, TK_SECRET },
	{ "init_script", KEY_STRING, "SQL run once after initialisation", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const char *const mysql_owned[] = { "--no-defaults",  "--datadir", "--socket",
					   "--pid-file",     "--tmpdir",  "--port",
					   "--bind-address", "--user",	  NULL };

/* mariadbd is MariaDB's name for its server (mysqld may not exist beside it). */
static const char *const mysql_server_names[] = { "mariadbd", NULL, NULL };

/* 'text' as an SQL string literal. */
static void sql_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			strbuf_addch(sb, *s);
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

/* `name` as an SQL identifier. */
static void sql_ident(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '`');
	for (; *s; s++) {
		if (*s == '`')
			strbuf_addch(sb, '`');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '`');
}

/*
 * After HB_MYSQLD=the server program: MariaDB or MySQL, and how to initialise its data
 * folder. As root (a container, a test machine) the server must be told it may run so.
 */
static const char mysql_setup[] =
    "mkdir -p \"$JOB_DIR/run\" \"$JOB_DIR/tmp\"\n"
    "HB_MYSQL_VERSION=$(\"${HB_RUN[@]}\" \"$HB_MYSQLD\" --version 2>&1 || true)\n"
    "HB_MYSQL_EXTRA=()\n"
    "[ \"$(id -u)\" != 0 ] || HB_MYSQL_EXTRA=(--user=root)\n"
    "HB_MYSQL_INSTALL_DB=mariadb-install-db\n"
    "case $HB_MYSQLD in\n"
    "*/*) [ ! -x \"${HB_MYSQLD%/*}/mariadb-install-db\" ] ||\n"
    "\tHB_MYSQL_INSTALL_DB=${HB_MYSQLD%/*}/mariadb-install-db ;;\n"
    "esac\n"
    "case $HB_MYSQL_VERSION in\n"
    "*MariaDB*)\n"
    "\t\"${HB_RUN[@]}\" \"$HB_MYSQL_INSTALL_DB\" --no-defaults --datadir=\"$JOB_DIR/data\" \\\n"
    "\t\t\"${HB_MYSQL_EXTRA[@]}\" \\\n"
    "\t\t--auth-root-authentication-method=normal --skip-test-db >\"$JOB_DIR/init.log\" 2>&1 ||\n"
    "\t\thb_fail \"mariadb-install-db failed (see $JOB_DIR/init.log)\"\n"
    "\t;;\n"
    "*)\n"
    "\t\"${HB_RUN[@]}\" \"$HB_MYSQLD\" --no-defaults --initialize-insecure \\\n"
    "\t\t--datadir=\"$JOB_DIR/data\" \"${HB_MYSQL_EXTRA[@]}\" \\\n"
    "\t\t>\"$JOB_DIR/init.log\" 2>&1 || hb_fail \"mysqld --initialize-insecure failed (see "
    "$JOB_DIR/init.log)\"\n"
    "\tHB_MYSQL_EXTRA+=(--mysqlx=OFF)\n"
    "\t;;\n"
    "esac\n";

/*
 * A fresh data folder in JOB_DIR initialised at start (MySQL --initialize-insecure or
 * mariadb-install-db), then, once SELECT 1 answers, one SQL file (0600) that creates
 * database and user, runs init_script and sets the root password last. The old
 * MYSQL_ROOT_PASSWORD / MYSQL_DATABASE / MYSQL_USER / MYSQL_PASSWORD variables count.
 */
static int mysql_build(struct svc_build *b, struct strbuf *err)
{
	const struct service_spec *s = b->s;
	const char *root_pw = svc_key(s, "root_password", "MYSQL_ROOT_PASSWORD");
	const char *db = svc_key(s, "database", "MYSQL_DATABASE");
	const char *user = svc_key(s, "user", "MYSQL_USER");
	const char *pw = svc_key(s, "password", "MYSQL_PASSWORD");
	const char *init = svc_key(s, "init_script", NULL);
	struct strbuf sql = STRBUF_INIT;

	if (pw && !user)
		return recipe_error(err, &s->pos, "service '%s': password needs user", s->name);
	strbuf_addstr(&b->prepare, "HB_MYSQLD=");
	sq_quote_expand(&b->prepare, b->command);
	strbuf_addch(&b->prepare, '\n');
	strbuf_addstr(&b->prepare, mysql_setup);
	svc_arg_raw(&b->argv, "--no-defaults");
	svc_arg_raw(&b->argv, "--datadir=\"$JOB_DIR/data\"");
	svc_arg_raw(&b->argv, "--socket=\"$JOB_DIR/run/mysqld.sock\"");
	svc_arg_raw(&b->argv, "--pid-file=\"$JOB_DIR/run/mysqld.pid\"");
	svc_arg_raw(&b->argv, "--tmpdir=\"$JOB_DIR/tmp\"");
	svc_arg_raw(&b->argv, "--port=\"$HPCBENCH_PORT\"");
	svc_arg_raw(&b->argv, "--bind-address=\"$HPCBENCH_BIND_ADDR\"");
	svc_arg_raw(&b->argv, "\"${HB_MYSQL_EXTRA[@]}\"");
	strbuf_addstr(&b->probe, "\"${HB_RUN[@]}\" mysql --no-defaults --protocol=TCP -h 127.0.0.1 "
				 "-P \"$HPCBENCH_PORT\" -uroot -e 'SELECT 1'");

	if (db) {
		strbuf_addstr(&sql, "CREATE DATABASE IF NOT EXISTS ");
		sql_ident(&sql, db);
		strbuf_addstr(&sql, ";\n");
	}
	if (user) {
		strbuf_addstr(&sql, "CREATE USER IF NOT EXISTS ");
		sql_str(&sql, user);
		strbuf_addstr(&sql, "@'%'");
		if (pw) {
			strbuf_addstr(&sql, " IDENTIFIED BY ");
			sql_str(&sql, pw);
			job_add_file(b->job, "secrets/user_password", pw, strlen(pw), 0600);
		}
		strbuf_addstr(&sql, ";\n");
		if (db) {
			strbuf_addstr(&sql, "GRANT ALL PRIVILEGES ON ");
			sql_ident(&sql, db);
			strbuf_addstr(&sql, ".* TO ");
			sql_str(&sql, user);
			strbuf_addstr(&sql, "@'%';\n");
		}
	}
	if (init) {
		strbuf_addstr(&sql, init);
		strbuf_addstr(&sql, "\n");
	}
	if (root_pw) {
		strbuf_addstr(&sql, "ALTER USER 'root'@'localhost' IDENTIFIED BY ");
		sql_str(&sql, root_pw);
		strbuf_addstr(&sql, ";\n");
		job_add_file(b->job, "secrets/root_password", root_pw, strlen(root_pw), 0600);
	}
	if (sql.len) {
		strbuf_addstr(&sql, "FLUSH PRIVILEGES;\n");
		job_add_file(b->job, "secrets/init.sql", sql.buf, sql.len, 0600);
		strbuf_addstr(
		    &b->post_ready,
		    "\"${HB_RUN[@]}\" mysql --no-defaults --protocol=TCP -h 127.0.0.1 "
		    "-P \"$HPCBENCH_PORT\" -uroot <\"$JOB_DIR/secrets/init.sql\" ||\n"
		    "\thb_fail \"the initial SQL failed (database, user, init_script)\"\n");
	}
	strbuf_release(&sql);
	return 0;
}

/* A password belongs to a user. */
static int mysql_validate(const struct service_spec *s, struct strbuf *err)
{
	const struct rnode *pw = rnode_get(s->node, "password");
	if (pw && !rnode_get(s->node, "user"))
		return recipe_error(err, &pw->pos,
				    "password: the password of 'user', which is "
				    "missing");
	return 0;
}

/* Debian: mariadbd and mysqld in /usr/sbin (mariadb-install-db is in /usr/bin). */
static const char *const mysql_dirs[] = { "/usr/local/sbin", "/usr/sbin", "/sbin", NULL };

static const struct service_render mysql_render = {
	.command = "mysqld",
	.server_names = mysql_server_names,
	.owned_args = mysql_owned,
	.url_scheme = "mysql",
	.probe_timeout_s = 180,
	.native_dirs = mysql_dirs,
	.build = mysql_build,
};

const struct service_type service_type_mysql = {
	.name = "mysql",
	.description = "MySQL or MariaDB server (readiness: SELECT 1)",
	.default_image = "mysql_latest.sif",
	.docker_source = "docker://mysql:8.0",
	.default_port = 3306,
	.default_probe = "sql://",
	.keys = mysql_keys,
	.validate = mysql_validate,
	.render = &mysql_render,
};
