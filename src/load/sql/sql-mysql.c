/*
 * The MySQL/MariaDB backend of `hpcbench load sql`: libmariadb's non-blocking API.
 * Each call ..._start() runs until the socket would block and answers what it waits
 * for (MYSQL_WAIT_READ/WRITE); the worker's epoll loop waits on mysql_get_socket() and
 * calls ..._cont() with what became ready. Statements go as text (COM_QUERY).
 */
#include <mysql.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "load/sql/sql.h"

enum { PH_IDLE, PH_CONNECT, PH_QUERY, PH_QUERY_DONE, PH_STORE, PH_STORE_DONE };

static MYSQL *my(struct sql_conn *sc)
{
	return sc->h;
}

/* What to wait for after a ..._start/_cont that answered status. */
static enum load_step my_wait(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	wt->fd = (int)mysql_get_socket(my(sc));
	wt->events = (sc->status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT) ? LOAD_IO_READ : 0u) |
		     (sc->status & MYSQL_WAIT_WRITE ? LOAD_IO_WRITE : 0u);
	if (!wt->events)
		wt->events = LOAD_IO_READ; /* MYSQL_WAIT_TIMEOUT alone: the core times out */
	return LOAD_MORE;
}

/* Whether the last error means the connection is gone. */
static bool my_conn_lost(unsigned e)
{
	return e == CR_SERVER_LOST || e == CR_SERVER_GONE_ERROR || e == CR_CONNECTION_ERROR ||
	       e == CR_CONN_HOST_ERROR;
}

/* The statement failed: records how; FAIL if the connection is lost with it. */
static enum load_step my_error(struct load_conn *c)
{
	struct sql_conn *sc = c->proto;
	MYSQL *m = my(sc);
	unsigned e = mysql_errno(m);
	if (my_conn_lost(e)) {
		load_conn_note(c, LOAD_ERR_READ, "%s", mysql_error(m));
		return LOAD_FAIL;
	}
	sc->failed = true;
	sc->deadlock = e == 1213; /* ER_LOCK_DEADLOCK */
	snprintf(sc->sqlstate, sizeof(sc->sqlstate), "%s", mysql_sqlstate(m));
	snprintf(sc->errmsg, sizeof(sc->errmsg), "%s (%u)", mysql_error(m), e);
	sc->phase = PH_IDLE;
	return LOAD_DONE;
}

static enum load_step my_ok(struct sql_conn *sc)
{
	sc->failed = false;
	sc->phase = PH_IDLE;
	return LOAD_DONE;
}

static enum load_step my_connected(struct load_conn *c, MYSQL *ret)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	if (!ret) {
		load_conn_note(c, LOAD_ERR_CONNECT, "connect to %s: %s", cfg->display,
			       mysql_error(my(sc)));
		return LOAD_FAIL;
	}
	sc->phase = PH_IDLE;
	return LOAD_DONE;
}

static enum load_step my_connect(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	unsigned timeout = cfg->connect_timeout_s;
	MYSQL *m = mysql_init(NULL), *ret = NULL;
	if (!m) {
		load_conn_note(c, LOAD_ERR_CONNECT, "mysql_init: out of memory");
		return LOAD_FAIL;
	}
	sc->h = m;
	mysql_options(m, MYSQL_OPT_NONBLOCK, 0);
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	sc->phase = PH_CONNECT;
	sc->status = mysql_real_connect_start(&ret, m, cfg->host, cfg->user, cfg->password,
					      cfg->database, (unsigned)atoi(cfg->port), NULL, 0);
	if (sc->status)
		return my_wait(c, wt);
	return my_connected(c, ret);
}

/* After the query: fetch the result set, if the statement has one. */
static enum load_step my_after_query(struct load_conn *c, int qerr, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	MYSQL_RES *res = NULL;
	if (qerr)
		return my_error(c);
	if (!mysql_field_count(my(sc)))
		return my_ok(sc);
	sc->phase = PH_STORE;
	sc->status = mysql_store_result_start(&res, my(sc));
	if (sc->status)
		return my_wait(c, wt);
	if (!res)
		return my_error(c);
	mysql_free_result(res);
	return my_ok(sc);
}

static enum load_step my_exec(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	int qerr = 0;
	sc->phase = PH_QUERY;
	sc->status = mysql_real_query_start(&qerr, my(sc), sc->text.buf, sc->text.len);
	if (sc->status)
		return my_wait(c, wt);
	/* Finished at once: report it on the next wake-up (proto.h, lib_send). */
	sc->phase = PH_QUERY_DONE;
	sc->status = qerr;
	wt->fd = (int)mysql_get_socket(my(sc));
	wt->events = LOAD_IO_WRITE;
	return LOAD_MORE;
}

static enum load_step my_resume(struct load_conn *c, unsigned revents, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	MYSQL *ret = NULL;
	MYSQL_RES *res = NULL;
	int ready = (revents & LOAD_IO_READ ? MYSQL_WAIT_READ : 0) |
		    (revents & LOAD_IO_WRITE ? MYSQL_WAIT_WRITE : 0);
	int qerr = 0;
	switch (sc->phase) {
	case PH_CONNECT:
		sc->status = mysql_real_connect_cont(&ret, my(sc), ready);
		if (sc->status)
			return my_wait(c, wt);
		return my_connected(c, ret);
	case PH_QUERY:
		sc->status = mysql_real_query_cont(&qerr, my(sc), ready);
		if (sc->status)
			return my_wait(c, wt);
		return my_after_query(c, qerr, wt);
	case PH_QUERY_DONE:
		return my_after_query(c, sc->status, wt);
	case PH_STORE:
		sc->status = mysql_store_result_cont(&res, my(sc), ready);
		if (sc->status)
			return my_wait(c, wt);
		if (!res)
			return my_error(c);
		mysql_free_result(res);
		return my_ok(sc);
	default:
		/* Bytes (or a close) on an idle connection: the server hung up. */
		load_conn_note(c, LOAD_ERR_READ, "the server closed the connection");
		return LOAD_FAIL;
	}
}

static void my_close(struct load_conn *c)
{
	struct sql_conn *sc = c->proto;
	if (!sc || !sc->h)
		return;
	mysql_close(my(sc));
	sc->h = NULL;
	sc->phase = PH_IDLE;
}

static int my_fd(struct load_conn *c)
{
	struct sql_conn *sc = c->proto;
	return sc->h ? (int)mysql_get_socket(my(sc)) : -1;
}

static void *my_admin_open(const struct sql_cfg *cfg, struct strbuf *err)
{
	MYSQL *m;
	unsigned timeout = cfg->connect_timeout_s;
	/* Not thread-safe: once, on the main thread, before any worker runs. */
	mysql_library_init(0, NULL, NULL);
	m = mysql_init(NULL);
	if (!m) {
		error(err, "mysql_init: out of memory");
		return NULL;
	}
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	if (!mysql_real_connect(m, cfg->host, cfg->user, cfg->password, cfg->database,
				(unsigned)atoi(cfg->port), NULL, 0)) {
		error(err, "cannot connect to %s as %s: %s", cfg->display,
		      cfg->user ? cfg->user : "(default user)", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

static int my_admin_exec(void *h, const char *sql, long long *value, struct strbuf *err)
{
	MYSQL *m = h;
	MYSQL_RES *res;
	if (value)
		*value = -1;
	if (mysql_real_query(m, sql, strlen(sql)))
		return error(err, "%s: %s", mysql_sqlstate(m), mysql_error(m));
	res = mysql_store_result(m);
	if (!res && mysql_field_count(m))
		return error(err, "%s: %s", mysql_sqlstate(m), mysql_error(m));
	if (res) {
		MYSQL_ROW row = mysql_fetch_row(res);
		if (value && row && row[0])
			*value = atoll(row[0]);
		mysql_free_result(res);
	}
	return 0;
}

static void my_admin_close(void *h)
{
	if (h)
		mysql_close(h);
}

const struct sql_backend sql_backend_mysql = {
	.scheme = "mysql",
	.default_port = "3306",
	.prepared = false,
	.admin_open = my_admin_open,
	.admin_exec = my_admin_exec,
	.admin_close = my_admin_close,
	.sbtest_ddl = "CREATE TABLE sbtest@ (id INTEGER NOT NULL AUTO_INCREMENT, "
		      "k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, "
		      "pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB",
	.legacy_ddl = "CREATE TABLE IF NOT EXISTS benchmark_data (id INT AUTO_INCREMENT "
		      "PRIMARY KEY, name VARCHAR(100), value INT, timestamp TIMESTAMP "
		      "DEFAULT CURRENT_TIMESTAMP)",
	.connect = my_connect,
	.exec = my_exec,
	.resume = my_resume,
	.close = my_close,
	.socket = my_fd,
};
