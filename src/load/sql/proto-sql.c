/*
 * `hpcbench load sql mysql://|postgres://[USER@]HOST[:PORT][/DB]`: OLTP transactions
 * over MySQL/MariaDB (libmariadb, non-blocking) or PostgreSQL (libpq, asynchronous),
 * driven by the load core's event loop through the library-driven hooks of proto.h.
 *
 * A request of the core is one transaction of the workload (sql-workload.h); its
 * latency is the transaction's, from its intended start (open loop) or its start.
 * Statements run one after the other on the connection; a deadlock or serialization
 * failure (SQLSTATE class 40) rolls the transaction back and runs it again (counted),
 * any other error ends it with the error kind of its SQLSTATE class.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/timeutil.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/core/run.h"
#include "load/sql/sql.h"

extern const struct load_proto load_proto_sql;

/* Schemes of the target URL and their backends. */
static const struct {
	const char *scheme;
	const struct sql_backend *be;
} sql_schemes[] = {
	{ "mysql", &sql_backend_mysql },
	{ "mariadb", &sql_backend_mysql },
	{ "postgres", &sql_backend_pg },
	{ "postgresql", &sql_backend_pg },
};

/* Error kinds: SQLSTATE classes (the first two characters). */
static const struct {
	const char *cls, *kind;
} sql_classes[] = {
	{ "08", "sqlstate_08_connection" },
	{ "22", "sqlstate_22_data" },
	{ "23", "sqlstate_23_constraint" },
	{ "25", "sqlstate_25_transaction_state" },
	{ "28", "sqlstate_28_authorization" },
	{ "40", "sqlstate_40_rollback" },
	{ "42", "sqlstate_42_syntax_or_access" },
	{ "53", "sqlstate_53_resources" },
	{ "57", "sqlstate_57_operator" },
	{ "HY", "sqlstate_HY_general" },
	{ NULL, "sqlstate_other" },
};

static const struct sql_stmt rollback_stmt = { SQL_OTHER, "ROLLBACK", 0, { 0 }, NULL };

/* Per request (transaction): what it ran, for the per-query counts. */
struct sql_reqstat {
	uint64_t q[3]; /* statements that succeeded, by sql_class */
	uint64_t retries, deadlocks;
};

/* Per thread, merged after the run. */
struct sql_ts {
	uint64_t q[3];
	uint64_t retries, deadlocks;
};

enum {
	OPT_WORKLOAD = LOAD_OPT_PROTO,
	OPT_QUERY,
	OPT_SCRIPT,
	OPT_TABLES,
	OPT_TABLE_SIZE,
	OPT_RANGE_SIZE,
	OPT_SCALE,
	OPT_USER,
	OPT_DATABASE,
	OPT_PASSWORD_FILE,
	OPT_PHASE,
	OPT_MAX_RETRIES,
};

static const struct option sql_longopts[] = {
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "tables", required_argument, NULL, OPT_TABLES },
	{ "table-size", required_argument, NULL, OPT_TABLE_SIZE },
	{ "range-size", required_argument, NULL, OPT_RANGE_SIZE },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "database", required_argument, NULL, OPT_DATABASE },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "phase", required_argument, NULL, OPT_PHASE },
	{ "max-retries", required_argument, NULL, OPT_MAX_RETRIES },
	{ 0 },
};

unsigned sql_err_kind(const struct sql_cfg *cfg, const char *sqlstate)
{
	size_t i;
	(void)cfg;
	for (i = 0; sql_classes[i].cls; i++)
		if (!strncmp(sqlstate, sql_classes[i].cls, 2))
			break;
	return LOAD_ERR_PROTO + (unsigned)i;
}

static void *sql_create(void)
{
	struct sql_cfg *cfg = xcalloc(1, sizeof(*cfg));
	cfg->sizes.table_size = 10000;
	cfg->sizes.range = 100;
	cfg->sizes.scale = 1;
	cfg->tables = 1;
	cfg->phases = SQL_PHASE_RUN;
	cfg->max_retries = 0; /* unlimited: --timeout bounds a transaction */
	return cfg;
}

static void sql_destroy(void *p)
{
	struct sql_cfg *cfg = p;
	if (!cfg)
		return;
	free(cfg->host);
	free(cfg->port);
	free(cfg->user);
	free(cfg->database);
	free(cfg->display);
	if (cfg->password) {
		memset(cfg->password, 0, strlen(cfg->password));
		free(cfg->password);
	}
	free(cfg->password_file);
	free(cfg->workload_name);
	free(cfg->query);
	free(cfg->script_path);
	sql_script_release(&cfg->custom);
	for (unsigned i = 0; i < cfg->ninst; i++) {
		free(cfg->inst[i].text);
		free(cfg->inst[i].pg_text);
	}
	free(cfg->inst);
	free(cfg);
}

static int set_phases(struct sql_cfg *cfg, const char *arg, struct strbuf *err)
{
	char *list = xstrdup(arg), *save = NULL;
	cfg->phases = 0;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "prepare"))
			cfg->phases |= SQL_PHASE_PREPARE;
		else if (!strcmp(t, "run"))
			cfg->phases |= SQL_PHASE_RUN;
		else if (!strcmp(t, "cleanup"))
			cfg->phases |= SQL_PHASE_CLEANUP;
		else {
			free(list);
			return error(err, "--phase: '%s' is not prepare, run or cleanup", t);
		}
	}
	free(list);
	if (!cfg->phases)
		return error(err, "--phase: empty list (prepare, run, cleanup)");
	return 0;
}

static int sql_option(void *p, struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	struct sql_cfg *cfg = p;
	uint64_t v;
	(void)o;
	switch (val) {
	case OPT_WORKLOAD:
		free(cfg->workload_name);
		cfg->workload_name = xstrdup(arg);
		return 0;
	case OPT_QUERY:
		if (!*arg)
			return error(err, "--query: empty statement");
		free(cfg->query);
		cfg->query = xstrdup(arg);
		return 0;
	case OPT_SCRIPT:
		free(cfg->script_path);
		cfg->script_path = xstrdup(arg);
		return 0;
	case OPT_TABLES:
		if (parse_uint(arg, 1, 10000, &v))
			return error(err, "--tables: '%s' is not a number from 1 to 10000", arg);
		cfg->tables = (unsigned)v;
		return 0;
	case OPT_TABLE_SIZE:
		if (parse_uint(arg, 1, 1000000000, &v))
			return error(err, "--table-size: '%s' is not a number from 1 to 10^9", arg);
		cfg->sizes.table_size = v;
		return 0;
	case OPT_RANGE_SIZE:
		if (parse_uint(arg, 1, 1000000, &v))
			return error(err, "--range-size: '%s' is not a number from 1 to 10^6", arg);
		cfg->sizes.range = v;
		return 0;
	case OPT_SCALE:
		if (parse_uint(arg, 1, 100000, &v))
			return error(err, "--scale: '%s' is not a number from 1 to 100000", arg);
		cfg->sizes.scale = v;
		return 0;
	case OPT_USER:
		free(cfg->user);
		cfg->user = xstrdup(arg);
		return 0;
	case OPT_DATABASE:
		free(cfg->database);
		cfg->database = xstrdup(arg);
		return 0;
	case OPT_PASSWORD_FILE:
		free(cfg->password_file);
		cfg->password_file = xstrdup(arg);
		return 0;
	case OPT_PHASE:
		return set_phases(cfg, arg, err);
	case OPT_MAX_RETRIES:
		if (parse_uint(arg, 0, 1000000, &v))
			return error(err, "--max-retries: '%s' is not a number", arg);
		cfg->max_retries = (unsigned)v;
		return 0;
	}
	return error(err, "unknown sql option");
}

/* SCHEME://[USER@]HOST[:PORT][/DB]; USER and DB from options win. */
static int parse_target(struct sql_cfg *cfg, const char *target, struct strbuf *err)
{
	const char *s = strstr(target, "://"), *at, *slash, *colon, *hostend;
	size_t slen;
	uint64_t port;
	if (!s)
		return error(err,
			     "target '%s' is not mysql://HOST:PORT/DB or postgres://HOST:PORT/DB",
			     target);
	slen = (size_t)(s - target);
	for (size_t i = 0; i < sizeof(sql_schemes) / sizeof(sql_schemes[0]); i++)
		if (strlen(sql_schemes[i].scheme) == slen &&
		    !strncmp(target, sql_schemes[i].scheme, slen))
			cfg->be = sql_schemes[i].be;
	if (!cfg->be)
		return error(err,
			     "target '%s': unknown scheme '%.*s' (mysql, mariadb, postgres, "
			     "postgresql)",
			     target, (int)slen, target);
	s += 3;
	slash = strchr(s, '/');
	at = strchr(s, '@');
	if (at && (!slash || at < slash)) {
		if (!cfg->user && at > s)
			cfg->user = xstrndup(s, (size_t)(at - s));
		if (memchr(s, ':', (size_t)(at - s)))
			return error(err,
				     "target '%s': a password does not belong in the URL "
				     "(use --password-file)",
				     "(hidden)");
		s = at + 1;
	}
	hostend = slash ? slash : s + strlen(s);
	if (*s == '[') {
		const char *end = memchr(s, ']', (size_t)(hostend - s));
		if (!end)
			return error(err, "target '%s': unclosed '['", target);
		cfg->host = xstrndup(s + 1, (size_t)(end - s - 1));
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = memchr(s, ':', (size_t)(hostend - s));
		cfg->host = xstrndup(s, (size_t)((colon ? colon : hostend) - s));
	}
	if (!*cfg->host)
		return error(err, "target '%s' has no host", target);
	if (colon) {
		char *p = xstrndup(colon + 1, (size_t)(hostend - colon - 1));
		if (parse_uint(p, 1, 65535, &port)) {
			error(err, "target '%s': '%s' is not a port number", target, p);
			free(p);
			return -1;
		}
		cfg->port = p;
	} else {
		cfg->port = xstrdup(cfg->be->default_port);
	}
	if (slash && slash[1] && !cfg->database)
		cfg->database = xstrdup(slash + 1);
	cfg->display = xasprintf("%s://%s:%s/%s", cfg->be->scheme, cfg->host, cfg->port,
				 cfg->database ? cfg->database : "");
	return 0;
}

static int read_password(struct sql_cfg *cfg, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (read_file_max(cfg->password_file, &sb, FILE_MAX_SECRET, "secret", err)) {
		strbuf_release(&sb);
		return error(err, "--password-file: cannot read the password file");
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r'))
		strbuf_setlen(&sb, sb.len - 1);
	if (memchr(sb.buf, '\n', sb.len)) {
		memset(sb.buf, 0, sb.len);
		strbuf_release(&sb);
		return error(err, "--password-file %s: the file must hold the password on one line",
			     cfg->password_file);
	}
	cfg->password = strbuf_detach(&sb, NULL);
	return 0;
}

/*
 * text with '@' replaced by the table number (table > 0) and, for pg, '?' by $1..$n;
 * nothing between quotes is a marker.
 */
static char *fill_template(const char *text, unsigned table, bool dollars)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned n = 0;
	char quote = 0;
	for (const char *p = text; *p; p++) {
		if (quote || *p == '\'' || *p == '"' || *p == '`') {
			if (quote && *p == '\\' && p[1])
				strbuf_addch(&sb, *p++);
			else if (quote ? *p == quote : true)
				quote = quote ? 0 : *p;
			strbuf_addch(&sb, *p);
		} else if (*p == '@' && table)
			strbuf_addf(&sb, "%u", table);
		else if (*p == '?' && dollars)
			strbuf_addf(&sb, "$%u", ++n);
		else
			strbuf_addch(&sb, *p);
	}
	return strbuf_detach(&sb, NULL);
}

/* One instance per table and statement, plus ROLLBACK last; equal texts share. */
static void build_instances(struct sql_cfg *cfg)
{
	const struct sql_workload *wl = cfg->wl;
	unsigned tables = wl->per_table ? cfg->tables : 1;
	cfg->ninst = tables * wl->nstmts + 1;
	cfg->inst = xcalloc(cfg->ninst, sizeof(*cfg->inst));
	for (unsigned i = 0; i < cfg->ninst; i++) {
		struct sql_inst *in = &cfg->inst[i];
		in->def = i + 1 < cfg->ninst ? &wl->stmts[i % wl->nstmts] : &rollback_stmt;
		unsigned table = i + 1 < cfg->ninst && wl->per_table ? i / wl->nstmts + 1 : 0;
		in->text = fill_template(in->def->text, table, false);
		in->pg_text = fill_template(in->def->text, table, in->def->nparams > 0);
		snprintf(in->name, sizeof(in->name), "hb_%u", i);
		for (unsigned j = 0; j < i; j++)
			if (!cfg->inst[j].first_use && !strcmp(cfg->inst[j].text, in->text)) {
				in->first_use = j + 1;
				break;
			}
	}
}

static int sql_configure(void *p, const char *target, struct load_opts *o, struct load_target *t,
			 struct strbuf *err)
{
	struct sql_cfg *cfg = p;
	if (parse_target(cfg, target, err))
		return -1;
	if (!!cfg->query + !!cfg->script_path + !!cfg->workload_name > 1)
		return error(err, "give one of --workload, --query and --script");
	if (cfg->query) {
		if (sql_script_parse(&cfg->custom, "--query", cfg->query, false, err))
			return -1;
		cfg->wl = &cfg->custom.wl;
	} else if (cfg->script_path) {
		struct strbuf src = STRBUF_INIT;
		int r = read_file(cfg->script_path, &src, err);
		if (!r)
			r = sql_script_parse(&cfg->custom, cfg->script_path, src.buf, true, err);
		strbuf_release(&src);
		if (r)
			return -1; /* the reason names the file (and the line) */
		cfg->wl = &cfg->custom.wl;
	} else {
		const char *name = cfg->workload_name ? cfg->workload_name : "point_select";
		cfg->wl = sql_workload_find(name);
		if (!cfg->wl) {
			struct strbuf names = STRBUF_INIT;
			for (size_t i = 0; sql_workloads[i]; i++)
				strbuf_addf(&names, "%s%s", i ? ", " : "", sql_workloads[i]->name);
			error(err, "--workload: unknown workload '%s' (known: %s)", name,
			      names.buf);
			strbuf_release(&names);
			return -1;
		}
	}
	if ((cfg->phases & (SQL_PHASE_PREPARE | SQL_PHASE_CLEANUP)) &&
	    cfg->wl->schema == SCHEMA_NONE)
		return error(err, "--phase prepare/cleanup: --query and --script have no tables of "
				  "their own");
	if (o->pipeline > 1)
		return error(err, "--pipeline: sql runs one statement at a time per connection "
				  "(use more connections, -c)");
	if (!(cfg->phases & SQL_PHASE_RUN) && o->json_path)
		return error(err, "--json: nothing is measured without the run phase");
	if (cfg->password_file && read_password(cfg, err))
		return -1;
	/* A password in argv would be visible to every user of the node. */
	build_instances(cfg);
	cfg->seed = o->seed;
	cfg->sizes.connections = o->connections;
	cfg->timeout_us = o->timeout_us;
	cfg->connect_timeout_s = (unsigned)((o->timeout_us + 999999) / 1000000);
	if (cfg->connect_timeout_s < 2)
		cfg->connect_timeout_s = 2; /* libpq's smallest useful value */
	cfg->kinds[0] = cfg->wl->name;
	for (size_t i = 0; i < sizeof(sql_classes) / sizeof(sql_classes[0]); i++)
		cfg->err_kinds[cfg->nerr_kinds++] = sql_classes[i].kind;
	t->host = cfg->host;
	t->port = cfg->port;
	t->display = cfg->display;
	t->kinds = cfg->kinds;
	t->nkinds = 1;
	t->err_kinds = cfg->err_kinds;
	t->nerr_kinds = cfg->nerr_kinds;
	return 0;
}

/* Before the clock: one blocking connection, so that credentials fail clearly. */
static int sql_prepare(void *p, const struct load_opts *o, struct strbuf *err)
{
	struct sql_cfg *cfg = p;
	void *h = cfg->be->admin_open(cfg, err);
	(void)o;
	if (!h)
		return -1;
	cfg->be->admin_close(h);
	return 0;
}

/* ---- prepare and cleanup phases (blocking, before and after the measured run) ---- */

static int exec_f(const struct sql_cfg *cfg, void *h, struct strbuf *sql, struct strbuf *err)
{
	int r = cfg->be->admin_exec(h, sql->buf, NULL, err);
	strbuf_reset(sql);
	return r;
}

/* Multi-row INSERTs of 1000 rows: rows from..to of one sbtest table. */
static int load_sbtest(const struct sql_cfg *cfg, void *h, unsigned t, struct load_rng *rng,
		       struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	char c[128], pad[64];
	int ret = 0;
	for (uint64_t id = 1; id <= cfg->sizes.table_size && !ret; id++) {
		if (!sql.len)
			strbuf_addf(&sql, "INSERT INTO sbtest%u (id, k, c, pad) VALUES ", t);
		else
			strbuf_addch(&sql, ',');
		sql_random_chars(rng, c, 119);
		sql_random_chars(rng, pad, 59);
		strbuf_addf(&sql, "(%llu,%llu,'%s','%s')", (unsigned long long)id,
			    (unsigned long long)(1 + load_rng_below(rng, cfg->sizes.table_size)), c,
			    pad);
		if (id % 1000 == 0 || id == cfg->sizes.table_size)
			ret = exec_f(cfg, h, &sql, err);
	}
	strbuf_release(&sql);
	return ret;
}

static int prepare_sysbench(const struct sql_cfg *cfg, void *h, struct load_rng *rng,
			    struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret = 0;
	for (unsigned t = 1; t <= cfg->tables && !ret; t++) {
		strbuf_addf(&sql, "DROP TABLE IF EXISTS sbtest%u", t);
		ret = exec_f(cfg, h, &sql, err);
		if (!ret) {
			char *ddl = fill_template(cfg->be->sbtest_ddl, t, false);
			ret = cfg->be->admin_exec(h, ddl, NULL, err);
			free(ddl);
		}
		if (!ret)
			ret = load_sbtest(cfg, h, t, rng, err);
		if (!ret) {
			strbuf_addf(&sql, "CREATE INDEX k_%u ON sbtest%u(k)", t, t);
			ret = exec_f(cfg, h, &sql, err);
		}
		if (!ret && cfg->be->serial_setval) {
			/* PostgreSQL: the serial counts on from the rows loaded (insert). */
			strbuf_addf(&sql, "SELECT setval('sbtest%u_id_seq', %llu)", t,
				    (unsigned long long)cfg->sizes.table_size);
			ret = exec_f(cfg, h, &sql, err);
		}
	}
	strbuf_release(&sql);
	return ret;
}

/* The old script: its table, and 1000 rows if it is empty. */
static int prepare_legacy(const struct sql_cfg *cfg, void *h, struct load_rng *rng,
			  struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	long long n = -1;
	int ret = cfg->be->admin_exec(h, cfg->be->legacy_ddl, NULL, err);
	if (!ret)
		ret = cfg->be->admin_exec(h, "SELECT COUNT(*) FROM benchmark_data", &n, err);
	if (!ret && n == 0) {
		strbuf_addstr(&sql, "INSERT INTO benchmark_data (name, value) VALUES ");
		for (unsigned i = 0; i < 1000; i++)
			strbuf_addf(&sql, "%s('init_%u',%llu)", i ? "," : "", i,
				    (unsigned long long)load_rng_below(rng, 1000));
		ret = exec_f(cfg, h, &sql, err);
	}
	strbuf_release(&sql);
	return ret;
}

static const char *const pgbench_tables[] = { "pgbench_history", "pgbench_tellers",
					      "pgbench_accounts", "pgbench_branches", NULL };

static int prepare_pgbench(const struct sql_cfg *cfg, void *h, struct strbuf *err)
{
	static const char *const ddl[] = {
		"CREATE TABLE pgbench_history (tid INT, bid INT, aid INT, delta INT, "
		"mtime TIMESTAMP, filler CHAR(22))",
		"CREATE TABLE pgbench_tellers (tid INT NOT NULL PRIMARY KEY, bid INT, "
		"tbalance INT, filler CHAR(84))",
		"CREATE TABLE pgbench_accounts (aid INT NOT NULL PRIMARY KEY, bid INT, "
		"abalance INT, filler CHAR(84))",
		"CREATE TABLE pgbench_branches (bid INT NOT NULL PRIMARY KEY, bbalance INT, "
		"filler CHAR(88))",
	};
	struct strbuf sql = STRBUF_INIT;
	uint64_t s = cfg->sizes.scale;
	int ret = 0;
	for (size_t i = 0; pgbench_tables[i] && !ret; i++) {
		strbuf_addf(&sql, "DROP TABLE IF EXISTS %s", pgbench_tables[i]);
		ret = exec_f(cfg, h, &sql, err);
		if (!ret)
			ret = cfg->be->admin_exec(h, ddl[i], NULL, err);
	}
	for (uint64_t b = 1; b <= s && !ret; b++) {
		strbuf_addf(&sql, "INSERT INTO pgbench_branches VALUES (%llu, 0, '')",
			    (unsigned long long)b);
		ret = exec_f(cfg, h, &sql, err);
	}
	for (uint64_t t = 1; t <= 10 * s && !ret; t++) {
		strbuf_addf(&sql, "INSERT INTO pgbench_tellers VALUES (%llu, %llu, 0, '')",
			    (unsigned long long)t, (unsigned long long)((t - 1) / 10 + 1));
		ret = exec_f(cfg, h, &sql, err);
	}
	for (uint64_t a = 1; a <= 100000 * s && !ret; a++) {
		strbuf_addf(&sql, "%s(%llu,%llu,0,'')",
			    sql.len ? "," : "INSERT INTO pgbench_accounts VALUES ",
			    (unsigned long long)a, (unsigned long long)((a - 1) / 100000 + 1));
		if (a % 1000 == 0)
			ret = exec_f(cfg, h, &sql, err);
	}
	strbuf_release(&sql);
	return ret;
}

/* The first table the workload reads: it must exist before the clock starts. */
static int check_tables(const struct sql_cfg *cfg, void *h, struct strbuf *err)
{
	char sql[96];
	const char *table = cfg->wl->schema == SCHEMA_SYSBENCH	? "sbtest"
			    : cfg->wl->schema == SCHEMA_PGBENCH ? "pgbench_accounts"
			    : cfg->wl->schema == SCHEMA_LEGACY	? "benchmark_data"
								: NULL;
	unsigned n = cfg->wl->schema == SCHEMA_SYSBENCH ? cfg->tables : 1;
	for (unsigned t = 1; table && t <= n; t++) {
		struct strbuf why = STRBUF_INIT;
		char name[48];
		if (cfg->wl->schema == SCHEMA_SYSBENCH)
			snprintf(name, sizeof(name), "%s%u", table, t);
		else
			snprintf(name, sizeof(name), "%s", table);
		snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 1", name);
		if (cfg->be->admin_exec(h, sql, NULL, &why)) {
			error(err,
			      "%s: workload %s needs table %s, which cannot be read (%s); "
			      "create it with --phase prepare,run",
			      cfg->display, cfg->wl->name, name, why.buf);
			strbuf_release(&why);
			return -1;
		}
		strbuf_release(&why);
	}
	return 0;
}

/* --query / --script: the server prepares each statement before the clock starts. */
static int check_statements(const struct sql_cfg *cfg, void *h, struct strbuf *err)
{
	for (unsigned i = 0; i + 1 < cfg->ninst; i++) {
		struct strbuf why = STRBUF_INIT;
		const struct sql_inst *in = &cfg->inst[i];
		if (in->first_use)
			continue;
		if (cfg->be->admin_check(h, in, &why)) {
			error(err, "%s: the server refuses statement %u of %s (%.80s%s): %s",
			      cfg->display, i + 1, cfg->script_path ? cfg->script_path : "--query",
			      in->text, strlen(in->text) > 80 ? "..." : "", why.buf);
			strbuf_release(&why);
			return -1;
		}
		strbuf_release(&why);
	}
	return 0;
}

static int phase_prepare(const struct sql_cfg *cfg, void *h, struct strbuf *text,
			 struct strbuf *err)
{
	struct load_rng rng;
	uint64_t t0 = mono_ns();
	int ret;
	load_rng_seed(&rng, cfg->seed ^ 0x7072657061726eull, 0);
	switch (cfg->wl->schema) {
	case SCHEMA_SYSBENCH:
		ret = prepare_sysbench(cfg, h, &rng, err);
		if (!ret)
			strbuf_addf(text, "prepare: %u table(s) sbtest1..%u of %llu rows",
				    cfg->tables, cfg->tables,
				    (unsigned long long)cfg->sizes.table_size);
		break;
	case SCHEMA_PGBENCH:
		ret = prepare_pgbench(cfg, h, err);
		if (!ret)
			strbuf_addf(text, "prepare: pgbench tables at scale %llu (%llu accounts)",
				    (unsigned long long)cfg->sizes.scale,
				    (unsigned long long)cfg->sizes.scale * 100000);
		break;
	case SCHEMA_LEGACY:
		ret = prepare_legacy(cfg, h, &rng, err);
		if (!ret)
			strbuf_addstr(text,
				      "prepare: table benchmark_data (1000 rows if it was empty)");
		break;
	default:
		return 0;
	}
	if (ret)
		return error(err, "%s: prepare failed", cfg->display);
	strbuf_addf(text, " in %.2f s\n", (double)(mono_ns() - t0) / 1e9);
	return 0;
}

static int phase_cleanup(const struct sql_cfg *cfg, void *h, struct strbuf *text,
			 struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret = 0;
	if (cfg->wl->schema == SCHEMA_SYSBENCH)
		for (unsigned t = 1; t <= cfg->tables && !ret; t++) {
			strbuf_addf(&sql, "DROP TABLE IF EXISTS sbtest%u", t);
			ret = exec_f(cfg, h, &sql, err);
		}
	else if (cfg->wl->schema == SCHEMA_PGBENCH)
		for (size_t i = 0; pgbench_tables[i] && !ret; i++) {
			strbuf_addf(&sql, "DROP TABLE IF EXISTS %s", pgbench_tables[i]);
			ret = exec_f(cfg, h, &sql, err);
		}
	else if (cfg->wl->schema == SCHEMA_LEGACY)
		ret = cfg->be->admin_exec(h, "DROP TABLE IF EXISTS benchmark_data", NULL, err);
	strbuf_release(&sql);
	if (ret)
		return error(err, "%s: cleanup failed", cfg->display);
	strbuf_addstr(text, "cleanup: tables dropped\n");
	return 0;
}

/* The phases in order: prepare, run (the measured part), cleanup. */
static int sql_run(void *p, const struct load_opts *o, const struct load_target *t,
		   struct strbuf *text, struct strbuf *json, struct strbuf *err)
{
	struct sql_cfg *cfg = p;
	void *h = cfg->be->admin_open(cfg, err);
	int ret = EXIT_OK;
	if (!h)
		return -1;
	if ((cfg->phases & SQL_PHASE_PREPARE) && phase_prepare(cfg, h, text, err))
		goto fail;
	if (cfg->phases & SQL_PHASE_RUN) {
		struct load_result r;
		if (cfg->wl->schema == SCHEMA_NONE ? check_statements(cfg, h, err)
						   : check_tables(cfg, h, err))
			goto fail;
		/* No idle admin connection during the measurement. */
		cfg->be->admin_close(h);
		h = NULL;
		if (load_run(&load_proto_sql, cfg, o, t, &r, err))
			return -1;
		load_result_text(&r, text);
		if (o->json_path) {
			struct jsonw w;
			jsonw_init(&w, json, 2);
			load_result_json(&r, &w, NULL);
			strbuf_addch(json, '\n');
		}
		ret = load_result_verdict(&r, err);
		load_result_release(&r);
	}
	if (cfg->phases & SQL_PHASE_CLEANUP) {
		struct strbuf why = STRBUF_INIT;
		if (!h)
			h = cfg->be->admin_open(cfg, &why);
		if (!h || phase_cleanup(cfg, h, text, &why)) {
			strbuf_addf(err, "%s%s", err->len ? "\n" : "", why.buf);
			ret = EXIT_FAILED;
		}
		strbuf_release(&why);
	}
	if (h)
		cfg->be->admin_close(h);
	return ret;
fail:
	cfg->be->admin_close(h);
	return -1;
}

/* ---- the measured run: one transaction per core request ---- */

static void sql_conn_reset(struct load_conn *c)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	if (!sc->seeded) {
		load_rng_seed(&sc->rng, cfg->seed ^ 0x73716c, c->index);
		strbuf_init(&sc->text, 256);
		for (unsigned i = 0; i < SQL_MAX_PARAMS; i++)
			sc->valp[i] = sc->val[i].text;
		sc->seeded = true;
	}
	sc->open = false;
	sc->rolling_back = false;
}

static void sql_conn_release(struct load_conn *c)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	if (!sc)
		return;
	cfg->be->close(c);
	free(sc->be);
	sc->be = NULL;
	if (sc->seeded)
		strbuf_release(&sc->text);
}

void sql_build_text(struct sql_conn *sc)
{
	const struct sql_inst *in = sc->cur;
	unsigned k = 0;
	char quote = 0;
	strbuf_reset(&sc->text);
	if (!in->def->nparams) {
		strbuf_addstr(&sc->text, in->text);
		return;
	}
	for (const char *p = in->text; *p; p++) {
		if (quote || *p == '\'' || *p == '"' || *p == '`') {
			/* Between quotes a '?' is text (fill_template reads them alike). */
			if (quote && *p == '\\' && p[1])
				strbuf_addch(&sc->text, *p++);
			else if (quote ? *p == quote : true)
				quote = quote ? 0 : *p;
		}
		if (quote || *p != '?' || k >= in->def->nparams) {
			strbuf_addch(&sc->text, *p);
			continue;
		}
		if (sc->val[k].str)
			strbuf_addch(&sc->text, '\'');
		strbuf_add(&sc->text, sc->val[k].text, sc->val[k].len);
		if (sc->val[k].str)
			strbuf_addch(&sc->text, '\'');
		k++;
	}
}

/* Draws the values of sc->cur, then sends it (the backend builds text if it needs). */
static enum load_step start_stmt(struct load_conn *c, struct load_wait *wt)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	const struct sql_inst *in = sc->cur;
	for (unsigned k = 0; k < in->def->nparams; k++)
		sql_gen_value(in->def, k, &sc->vars, &cfg->sizes, &sc->rng, &sc->val[k]);
	return cfg->be->exec(c, wt);
}

static enum load_step start_step(struct load_conn *c, struct load_wait *wt)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	sc->cur = &cfg->inst[sc->table * cfg->wl->nstmts + sc->step];
	return start_stmt(c, wt);
}

static enum load_step start_rollback(struct load_conn *c, struct load_wait *wt)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	sc->rolling_back = true;
	sc->cur = &cfg->inst[cfg->ninst - 1];
	return start_stmt(c, wt);
}

static void tx_begin(struct load_conn *c)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	sc->table = cfg->wl->per_table && cfg->tables > 1
			? (unsigned)load_rng_below(&sc->rng, cfg->tables)
			: 0;
	sql_tx_begin(&sc->vars, &cfg->sizes, &sc->rng, c->index, c->seq);
	sc->step = 0;
}

/* DONE: while idle, watch for the server hanging up. */
static enum load_step idle(struct load_conn *c, struct load_wait *wt)
{
	const struct sql_cfg *cfg = c->cfg;
	wt->fd = cfg->be->socket(c);
	wt->events = LOAD_IO_READ;
	return LOAD_DONE;
}

static enum load_step sql_lib_connect(struct load_conn *c, struct load_wait *wt, uint64_t now)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	enum load_step st;
	(void)now;
	st = cfg->be->connect(c, wt);
	sc->open = st == LOAD_DONE;
	return sc->open ? idle(c, wt) : st;
}

static enum load_step sql_lib_send(struct load_conn *c, struct load_req *req, struct load_wait *wt,
				   uint64_t now)
{
	struct sql_conn *sc = c->proto;
	(void)now;
	memset(req->priv, 0, sizeof(struct sql_reqstat));
	req->kind = 0;
	sc->retries = 0;
	sc->rolling_back = false;
	tx_begin(c);
	return start_step(c, wt);
}

static bool in_transaction(const struct sql_cfg *cfg, const struct sql_conn *sc)
{
	return sc->step > 0 && cfg->wl->transaction;
}

static enum load_step sql_lib_resume(struct load_conn *c, struct load_req *req, unsigned revents,
				     struct load_wait *wt, uint64_t now)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	struct sql_reqstat *rs;
	enum load_step st = cfg->be->resume(c, revents, wt);
	(void)now;
	if (!sc->open) {
		sc->open = st == LOAD_DONE;
		return sc->open ? idle(c, wt) : st;
	}
	if (st != LOAD_DONE)
		return st;
	if (!req)
		return idle(c, wt);
	rs = req->priv;
	if (sc->rolling_back) {
		sc->rolling_back = false;
		if (sc->retry_after_rollback) {
			tx_begin(c);
			return start_step(c, wt);
		}
		req->err = sc->fail_kind;
		return idle(c, wt);
	}
	if (!sc->failed) {
		rs->q[sc->cur->def->cls]++;
		if (++sc->step == cfg->wl->nstmts)
			return idle(c, wt);
		return start_step(c, wt);
	}
	if ((sc->deadlock || !strncmp(sc->sqlstate, "40", 2)) &&
	    (!cfg->max_retries || sc->retries < cfg->max_retries)) {
		sc->retries++;
		rs->retries++;
		rs->deadlocks += sc->deadlock;
		if (in_transaction(cfg, sc)) {
			sc->retry_after_rollback = true;
			return start_rollback(c, wt);
		}
		tx_begin(c);
		return start_step(c, wt);
	}
	req->err = sql_err_kind(cfg, sc->sqlstate);
	load_conn_note(c, req->err, "%s: %s", sc->sqlstate, sc->errmsg);
	if (in_transaction(cfg, sc)) {
		sc->fail_kind = req->err;
		sc->retry_after_rollback = false;
		req->err = LOAD_OK; /* set again when the ROLLBACK is done */
		return start_rollback(c, wt);
	}
	return idle(c, wt);
}

static void sql_lib_close(struct load_conn *c)
{
	const struct sql_cfg *cfg = c->cfg;
	struct sql_conn *sc = c->proto;
	if (sc)
		sc->open = false;
	cfg->be->close(c);
}

static void *sql_thread_init(const void *cfg, unsigned thread)
{
	(void)cfg;
	(void)thread;
	return xcalloc(1, sizeof(struct sql_ts));
}

static void sql_thread_merge(const void *cfg, void *dst, const void *src)
{
	struct sql_ts *d = dst;
	const struct sql_ts *s = src;
	(void)cfg;
	for (int i = 0; i < 3; i++)
		d->q[i] += s->q[i];
	d->retries += s->retries;
	d->deadlocks += s->deadlocks;
}

static void sql_thread_free(const void *cfg, void *ts)
{
	(void)cfg;
	free(ts);
}

static void sql_complete(struct load_conn *c, const struct load_req *req, uint64_t done_ns)
{
	struct sql_ts *ts = c->tstate;
	const struct sql_reqstat *rs = req->priv;
	(void)done_ns;
	if (req->warmup)
		return;
	for (int i = 0; i < 3; i++)
		ts->q[i] += rs->q[i];
	ts->retries += rs->retries;
	ts->deadlocks += rs->deadlocks;
}

static void sql_params_json(const void *p, struct jsonw *w)
{
	const struct sql_cfg *cfg = p;
	jsonw_str(w, "backend", cfg->be->scheme);
	jsonw_str(w, "workload", cfg->wl->name);
	if (cfg->query)
		jsonw_str(w, "query", cfg->query);
	if (cfg->script_path) {
		jsonw_str(w, "script", cfg->script_path);
		jsonw_arr_open(w, "statements");
		for (unsigned i = 0; i < cfg->wl->nstmts; i++)
			jsonw_str(w, NULL, cfg->wl->stmts[i].text);
		jsonw_close(w);
	}
	if (cfg->wl->schema == SCHEMA_SYSBENCH) {
		jsonw_u64(w, "tables", cfg->tables);
		jsonw_u64(w, "table_size", cfg->sizes.table_size);
		jsonw_u64(w, "range_size", cfg->sizes.range);
	}
	if (cfg->wl->schema == SCHEMA_PGBENCH)
		jsonw_u64(w, "scale", cfg->sizes.scale);
	jsonw_str(w, "database", cfg->database);
	jsonw_str(w, "user", cfg->user);
	jsonw_bool(w, "password", cfg->password != NULL);
	jsonw_u64(w, "max_retries", cfg->max_retries);
}

static void sql_report_json(const void *p, const void *tsp, const struct load_result *r,
			    struct jsonw *w)
{
	const struct sql_cfg *cfg = p;
	const struct sql_ts *ts = tsp;
	double d = r->duration_s > 0 ? r->duration_s : 1;
	uint64_t total = ts->q[SQL_READ] + ts->q[SQL_WRITE] + ts->q[SQL_OTHER];
	jsonw_obj_open(w, "sql");
	jsonw_str(w, "backend", cfg->be->scheme);
	jsonw_str(w, "workload", cfg->wl->name);
	jsonw_u64(w, "statements_per_transaction", cfg->wl->nstmts);
	jsonw_double(w, "transactions_per_s", load_result_rps(r), 3);
	jsonw_obj_open(w, "queries");
	jsonw_u64(w, "read", ts->q[SQL_READ]);
	jsonw_u64(w, "write", ts->q[SQL_WRITE]);
	jsonw_u64(w, "other", ts->q[SQL_OTHER]);
	jsonw_u64(w, "total", total);
	jsonw_close(w);
	jsonw_obj_open(w, "queries_per_s");
	jsonw_double(w, "read", (double)ts->q[SQL_READ] / d, 3);
	jsonw_double(w, "write", (double)ts->q[SQL_WRITE] / d, 3);
	jsonw_double(w, "other", (double)ts->q[SQL_OTHER] / d, 3);
	jsonw_double(w, "total", (double)total / d, 3);
	jsonw_close(w);
	jsonw_obj_open(w, "retries");
	jsonw_u64(w, "total", ts->retries);
	jsonw_u64(w, "deadlocks", ts->deadlocks);
	jsonw_u64(w, "serialization_failures", ts->retries - ts->deadlocks);
	jsonw_close(w);
	jsonw_close(w);
}

static void sql_report_text(const void *p, const void *tsp, const struct load_result *r,
			    struct strbuf *out)
{
	const struct sql_cfg *cfg = p;
	const struct sql_ts *ts = tsp;
	double d = r->duration_s > 0 ? r->duration_s : 1;
	uint64_t total = ts->q[SQL_READ] + ts->q[SQL_WRITE] + ts->q[SQL_OTHER];
	strbuf_addf(out,
		    "sql: %s workload %s: %.1f transactions/s, %.1f queries/s "
		    "(read %.1f, write %.1f, other %.1f)\n"
		    "  queries: %llu (read %llu, write %llu, other %llu); retried %llu "
		    "(%llu deadlocks)\n",
		    cfg->be->scheme, cfg->wl->name, load_result_rps(r), (double)total / d,
		    (double)ts->q[SQL_READ] / d, (double)ts->q[SQL_WRITE] / d,
		    (double)ts->q[SQL_OTHER] / d, (unsigned long long)total,
		    (unsigned long long)ts->q[SQL_READ], (unsigned long long)ts->q[SQL_WRITE],
		    (unsigned long long)ts->q[SQL_OTHER], (unsigned long long)ts->retries,
		    (unsigned long long)ts->deadlocks);
}

const struct load_proto load_proto_sql = {
	.name = "sql",
	.target_usage = "mysql://[USER@]HOST[:PORT][/DB] | postgres://[USER@]HOST[:PORT][/DB]",
	.summary = "SQL transactions over MySQL/MariaDB or PostgreSQL: sysbench and pgbench "
		   "workloads, any query",
	.help = "sql options:\n"
		"  --workload NAME      point_select (default), read_only, read_write,\n"
		"                       write_only, update_index, insert (sysbench oltp_*);\n"
		"                       select-only, tpcb-like (pgbench); mysql_benchmark (the\n"
		"                       old tool's INSERT, SELECT ... LIMIT 5, UPDATE, COMMIT)\n"
		"  --query SQL          run this one statement per request instead, values\n"
		"                       from generators: {uniform:LO:HI}, {zipf:LO:HI[:S]},\n"
		"                       {seq[:LO[:HI]]}, {str:N} or {str:MIN:MAX};\n"
		"                       {NAME=GEN} keeps the value, {NAME} repeats it\n"
		"  --script FILE        statements separated by ';' run in order as one\n"
		"                       request (BEGIN first: a transaction), with the same\n"
		"                       generators\n"
		"  --tables N           sysbench tables sbtest1..N (default 1)\n"
		"  --table-size N       rows per sysbench table (default 10000)\n"
		"  --range-size N       rows of the sysbench range SELECTs (default 100)\n"
		"  --scale N            pgbench scale: 100000 accounts each (default 1)\n"
		"  --phase LIST         prepare, run, cleanup, comma-separated (default run):\n"
		"                       prepare (re)creates and loads the tables (multi-row\n"
		"                       INSERTs) before the clock; cleanup drops them after\n"
		"  --user NAME          user (or USER@ in the URL)\n"
		"  --database NAME      database (or /DB in the URL)\n"
		"  --password-file FILE the password, on one line (never on the command line)\n"
		"  --max-retries N      retries of a transaction after a deadlock or a\n"
		"                       serialization failure, SQLSTATE 40xxx (default 0:\n"
		"                       no limit but --timeout, which counts from its start)\n"
		"  One connection per -c; a request is one transaction. Errors count by\n"
		"  SQLSTATE class (sqlstate_42_syntax_or_access: a missing table...).\n",
	.longopts = sql_longopts,
	.conn_size = sizeof(struct sql_conn),
	.req_size = sizeof(struct sql_reqstat),
	.create = sql_create,
	.option = sql_option,
	.configure = sql_configure,
	.prepare = sql_prepare,
	.destroy = sql_destroy,
	.thread_init = sql_thread_init,
	.thread_merge = sql_thread_merge,
	.thread_free = sql_thread_free,
	.conn_reset = sql_conn_reset,
	.conn_release = sql_conn_release,
	.lib_connect = sql_lib_connect,
	.lib_send = sql_lib_send,
	.lib_resume = sql_lib_resume,
	.lib_close = sql_lib_close,
	.complete = sql_complete,
	.params_json = sql_params_json,
	.report_json = sql_report_json,
	.report_text = sql_report_text,
	.run = sql_run,
};
