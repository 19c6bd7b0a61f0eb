/*
 * SQL servers' own counters, asked over a blocking client connection of the sampler
 * (never a load connection): MariaDB/MySQL SHOW GLOBAL STATUS
 * (mysql://USER[:PASSWORD]@HOST:PORT, series mysql_global_status_NAME in lower case, as
 * mysqld_exporter names them) and PostgreSQL pg_stat_database
 * (postgres://USER[:PASSWORD]@HOST:PORT/DB, series pg_stat_database_COLUMN{datname="..."}).
 */
#include <ctype.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "monitor/source.h"

#define SQL_TIMEOUT_S 5

struct mysql_priv {
	char *user, *password, *host;
	unsigned port;
	MYSQL *db; /* NULL until connected (again) */
};

static int mysql_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct mysql_priv *p = xcalloc(1, sizeof(*p));
	const char *s = spec + strlen("mysql://"), *at = strrchr(s, '@'), *colon, *end;
	src->priv = p;
	if (!at)
		return error(err, "'%s': expected mysql://USER[:PASSWORD]@HOST:PORT", src->spec);
	colon = memchr(s, ':', (size_t)(at - s));
	p->user = xstrndup(s, (size_t)((colon ? colon : at) - s));
	p->password = colon ? xstrndup(colon + 1, (size_t)(at - colon - 1)) : NULL;
	s = at + 1;
	end = s + strcspn(s, "/");
	colon = memchr(s, ':', (size_t)(end - s));
	p->host = xstrndup(s, (size_t)((colon ? colon : end) - s));
	p->port = colon ? (unsigned)atoi(colon + 1) : 3306;
	if (!*p->user || !*p->host || !p->port || p->port > 65535)
		return error(err, "'%s': expected mysql://USER[:PASSWORD]@HOST:PORT", src->spec);
	return 0;
}

static void mysql_close_src(struct mon_source *src)
{
	struct mysql_priv *p = src->priv;
	if (!p)
		return;
	if (p->db)
		mysql_close(p->db);
	free(p->user);
	free(p->password);
	free(p->host);
	free(p);
	src->priv = NULL;
}

/* True for SHOW GLOBAL STATUS variables that go up and down (all others count up). */
static int mysql_is_gauge(const char *n)
{
	static const char *const prefixes[] = {
		"Threads_cached",
		"Threads_connected",
		"Threads_running",
		"Open_",
		"Innodb_buffer_pool_pages_data",
		"Innodb_buffer_pool_pages_dirty",
		"Innodb_buffer_pool_pages_free",
		"Innodb_buffer_pool_pages_misc",
		"Innodb_buffer_pool_pages_total",
		"Innodb_buffer_pool_bytes_",
		"Innodb_row_lock_current_waits",
		"Innodb_num_open_files",
		"Innodb_history_list_length",
		"Innodb_page_size",
		"Memory_used",
		"Max_used_connections",
		"Qcache_free_",
		"Qcache_queries_in_cache",
		"Qcache_total_blocks",
		"Key_blocks_not_flushed",
		"Key_blocks_unused",
		"Key_blocks_used",
		"Uptime",
		NULL,
	};
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(n, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static int mysql_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	struct mysql_priv *p = src->priv;
	struct strbuf key = STRBUF_INIT;
	MYSQL_RES *res;
	MYSQL_ROW row;
	if (!p->db) {
		unsigned t = SQL_TIMEOUT_S;
		p->db = mysql_init(NULL);
		mysql_options(p->db, MYSQL_OPT_CONNECT_TIMEOUT, &t);
		mysql_options(p->db, MYSQL_OPT_READ_TIMEOUT, &t);
		if (!mysql_real_connect(p->db, p->host, p->user, p->password, NULL, p->port, NULL,
					0)) {
			error(err, "%s: %s", src->spec, mysql_error(p->db));
			mysql_close(p->db);
			p->db = NULL;
			return -1;
		}
	}
	if (mysql_query(p->db, "SHOW GLOBAL STATUS") || !(res = mysql_store_result(p->db))) {
		error(err, "%s: SHOW GLOBAL STATUS: %s", src->spec, mysql_error(p->db));
		mysql_close(p->db);
		p->db = NULL;
		return -1;
	}
	while ((row = mysql_fetch_row(res))) {
		char *end;
		if (!row[0] || !row[1])
			continue;
		double v = strtod(row[1], &end);
		if (end == row[1] || *end)
			continue; /* ON/OFF and other text */
		strbuf_reset(&key);
		strbuf_addstr(&key, "mysql_global_status_");
		for (const char *c = row[0]; *c; c++)
			strbuf_addch(&key, tolower((unsigned char)*c));
		mon_source_add(src, key.buf, mysql_is_gauge(row[0]) ? MON_GAUGE : MON_COUNTER,
			       strstr(key.buf, "bytes") ? "bytes" : "", now, v);
	}
	mysql_free_result(res);
	strbuf_release(&key);
	return 0;
}

const struct mon_source_type mon_source_mysql = {
	.name = "mysql-status",
	.prefix = "mysql://",
	.usage = "mysql://USER[:PASSWORD]@HOST:PORT",
	.open = mysql_open,
	.scrape = mysql_scrape,
	.close = mysql_close_src,
	.counters_born_at_zero = 1,
};

struct pg_priv {
	char *conninfo;
	PGconn *db;
};

static int pg_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct pg_priv *p = xcalloc(1, sizeof(*p));
	char *msg = NULL;
	src->priv = p;
	p->conninfo =
	    xasprintf("%s%sconnect_timeout=%d", spec, strchr(spec, '?') ? "&" : "?", SQL_TIMEOUT_S);
	PQconninfoOption *opts = PQconninfoParse(p->conninfo, &msg);
	if (!opts) {
		error(err, "'%s': %s", src->spec, msg ? msg : "not a connection URI");
		PQfreemem(msg);
		return -1;
	}
	PQconninfoFree(opts);
	return 0;
}

static void pg_close(struct mon_source *src)
{
	struct pg_priv *p = src->priv;
	if (!p)
		return;
	if (p->db)
		PQfinish(p->db);
	free(p->conninfo);
	free(p);
	src->priv = NULL;
}

static int pg_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	static const char *const sql =
	    "SELECT datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit, "
	    "tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, conflicts, "
	    "temp_files, temp_bytes, deadlocks FROM pg_stat_database WHERE datname IS NOT NULL";
	struct pg_priv *p = src->priv;
	struct strbuf key = STRBUF_INIT;
	PGresult *res;
	if (!p->db) {
		p->db = PQconnectdb(p->conninfo);
		if (PQstatus(p->db) != CONNECTION_OK) {
			error(err, "%s: %s", src->spec, PQerrorMessage(p->db));
			strbuf_rtrim(err);
			PQfinish(p->db);
			p->db = NULL;
			return -1;
		}
	}
	res = PQexec(p->db, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		error(err, "%s: pg_stat_database: %s", src->spec, PQerrorMessage(p->db));
		strbuf_rtrim(err);
		PQclear(res);
		PQfinish(p->db);
		p->db = NULL;
		return -1;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		for (int c = 1; c < PQnfields(res); c++) {
			const char *col = PQfname(res, c);
			if (PQgetisnull(res, r, c))
				continue;
			strbuf_reset(&key);
			strbuf_addf(&key, "pg_stat_database_%s{datname=\"", col);
			for (const char *d = PQgetvalue(res, r, 0); *d; d++) {
				if (*d == '"' || *d == '\\')
					strbuf_addch(&key, '\\');
				strbuf_addch(&key, *d);
			}
			strbuf_addstr(&key, "\"}");
			mon_source_add(src, key.buf, c == 1 ? MON_GAUGE : MON_COUNTER,
				       strstr(col, "bytes") ? "bytes" : "", now,
				       strtod(PQgetvalue(res, r, c), NULL));
		}
	}
	PQclear(res);
	strbuf_release(&key);
	return 0;
}

const struct mon_source_type mon_source_postgres = {
	.name = "pg-stat-database",
	.prefix = "postgres",
	.usage = "postgres://USER[:PASSWORD]@HOST:PORT/DB",
	.open = pg_open,
	.scrape = pg_scrape,
	.close = pg_close,
};
