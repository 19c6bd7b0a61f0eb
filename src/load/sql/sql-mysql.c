/*
 * The MySQL/MariaDB backend of `hpcbench load sql`: libmariadb's non-blocking API.
 * Each call ..._start() runs until the socket would block and answers what it waits
 * for (MYSQL_WAIT_READ/WRITE); the worker's epoll loop waits on mysql_get_socket() and
 * calls ..._cont() with what became ready.
 *
 * Statements go as server-side prepared statements, as sysbench sends them: each new
 * connection prepares every distinct statement of the run once (COM_STMT_PREPARE), binds
 * its parameters to the connection's value slots (integers as BIGINT, strings as
 * strings), and each statement is then one COM_STMT_EXECUTE whose result set is read
 * whole (mysql_stmt_store_result) and dropped. A statement the server cannot prepare
 * (ER_UNSUPPORTED_PS) goes as text (COM_QUERY) instead.
 */
#include <mysql.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "load/sql/sql.h"

enum {
	PH_IDLE,
	PH_CONNECT,
	PH_PREPARE,
	PH_QUERY,
	PH_QUERY_DONE,
	PH_STORE,
	PH_EXEC,
	PH_EXEC_DONE,
	PH_SSTORE,
	PH_SSTORE_DONE,
};

/* Per connection (sql_conn.be): the prepared statements, by cfg->inst index. */
struct my_conn {
	MYSQL_STMT **st; /* NULL: that instance goes as text (or shares an earlier one's) */
	unsigned next;	 /* the instance being prepared */
	unsigned long len[SQL_MAX_PARAMS];
	MYSQL_STMT *cur; /* the statement executing */
};

static MYSQL *my(struct sql_conn *sc)
{
	return sc->h;
}

static struct my_conn *mc(struct sql_conn *sc)
{
	return sc->be;
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

/* The statement failed (e, state, msg): records how; FAIL if the connection is lost. */
static enum load_step my_failed(struct load_conn *c, unsigned e, const char *state, const char *msg)
{
	struct sql_conn *sc = c->proto;
	if (my_conn_lost(e)) {
		load_conn_note(c, LOAD_ERR_READ, "%s", msg);
		return LOAD_FAIL;
	}
	sc->failed = true;
	sc->deadlock = e == 1213; /* ER_LOCK_DEADLOCK */
	snprintf(sc->sqlstate, sizeof(sc->sqlstate), "%s", state);
	snprintf(sc->errmsg, sizeof(sc->errmsg), "%s (%u)", msg, e);
	sc->phase = PH_IDLE;
	return LOAD_DONE;
}

static enum load_step my_error(struct load_conn *c)
{
	MYSQL *m = my(((struct sql_conn *)c->proto));
	return my_failed(c, mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
}

static enum load_step my_stmt_error(struct load_conn *c, MYSQL_STMT *st)
{
	return my_failed(c, mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
}

static enum load_step my_ok(struct sql_conn *sc)
{
	sc->failed = false;
	sc->phase = PH_IDLE;
	return LOAD_DONE;
}

/* Binds in's parameters to the connection's value slots (integers as BIGINT). */
static void my_bind(struct sql_conn *sc, const struct sql_inst *in, MYSQL_STMT *st)
{
	MYSQL_BIND b[SQL_MAX_PARAMS];
	memset(b, 0, sizeof(b));
	for (unsigned k = 0; k < in->def->nparams; k++) {
		if (sql_param_is_string(in->def, k)) {
			b[k].buffer_type = MYSQL_TYPE_STRING;
			b[k].buffer = sc->val[k].text;
			b[k].buffer_length = sizeof(sc->val[k].text);
			b[k].length = &mc(sc)->len[k];
		} else {
			b[k].buffer_type = MYSQL_TYPE_LONGLONG;
			b[k].buffer = &sc->val[k].num;
		}
	}
	/* libmariadb copies the array: the slots are read again at each execute. */
	mysql_stmt_bind_param(st, b);
}

/* A prepare ended (err: ret != 0): the next one, or DONE when all are. */
static enum load_step my_prepared(struct load_conn *c, int ret, struct load_wait *wt);

/* Prepares the next distinct statement of the run on this connection. */
static enum load_step my_prepare_next(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	struct my_conn *m = mc(sc);
	int ret = 0;
	while (m->next < cfg->ninst && cfg->inst[m->next].first_use)
		m->next++;
	if (m->next == cfg->ninst) {
		sc->phase = PH_IDLE;
		return LOAD_DONE;
	}
	{
		const struct sql_inst *in = &cfg->inst[m->next];
		MYSQL_STMT *st = mysql_stmt_init(my(sc));
		if (!st) {
			load_conn_note(c, LOAD_ERR_CONNECT, "mysql_stmt_init: out of memory");
			return LOAD_FAIL;
		}
		m->st[m->next] = st;
		sc->phase = PH_PREPARE;
		sc->status = mysql_stmt_prepare_start(&ret, st, in->text, strlen(in->text));
	}
	if (sc->status)
		return my_wait(c, wt);
	return my_prepared(c, ret, wt);
}

static enum load_step my_prepared(struct load_conn *c, int ret, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	struct my_conn *m = mc(sc);
	MYSQL_STMT *st = m->st[m->next];
	if (ret) {
		unsigned e = mysql_stmt_errno(st);
		if (e != 1295 /* ER_UNSUPPORTED_PS */) {
			load_conn_note(c, LOAD_ERR_CONNECT, "prepare %s: %s: %s (%u)",
				       cfg->inst[m->next].text, mysql_stmt_sqlstate(st),
				       mysql_stmt_error(st), e);
			return LOAD_FAIL;
		}
		/* Never prepared on the server: closing it sends nothing. */
		mysql_stmt_close(st);
		m->st[m->next] = NULL;
	} else {
		my_bind(sc, &cfg->inst[m->next], st);
	}
	m->next++;
	return my_prepare_next(c, wt);
}

static enum load_step my_connected(struct load_conn *c, MYSQL *ret, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	if (!ret) {
		load_conn_note(c, LOAD_ERR_CONNECT, "connect to %s: %s", cfg->display,
			       mysql_error(my(sc)));
		return LOAD_FAIL;
	}
	return my_prepare_next(c, wt);
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
	if (!sc->be)
		sc->be = xcalloc(1, sizeof(struct my_conn));
	mc(sc)->st = xcalloc(cfg->ninst, sizeof(MYSQL_STMT *));
	mc(sc)->next = 0;
	mysql_options(m, MYSQL_OPT_NONBLOCK, 0);
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	sc->phase = PH_CONNECT;
	sc->status = mysql_real_connect_start(&ret, m, cfg->host, cfg->user, cfg->password,
					      cfg->database, (unsigned)atoi(cfg->port), NULL, 0);
	if (sc->status)
		return my_wait(c, wt);
	return my_connected(c, ret, wt);
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

static enum load_step my_stored(struct load_conn *c, int err);

/* After a prepared statement's execute: read its result set whole, if it has one. */
static enum load_step my_after_execute(struct load_conn *c, int err, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	MYSQL_STMT *st = mc(sc)->cur;
	int ret = 0;
	if (err)
		return my_stmt_error(c, st);
	if (!mysql_stmt_field_count(st))
		return my_ok(sc);
	sc->phase = PH_SSTORE;
	sc->status = mysql_stmt_store_result_start(&ret, st);
	if (sc->status)
		return my_wait(c, wt);
	return my_stored(c, ret);
}

static enum load_step my_stored(struct load_conn *c, int err)
{
	struct sql_conn *sc = c->proto;
	MYSQL_STMT *st = mc(sc)->cur;
	if (err)
		return my_stmt_error(c, st);
	/* Drops the stored rows: no I/O (a stored result leaves the connection idle). */
	mysql_stmt_free_result(st);
	return my_ok(sc);
}

/* The statement as a prepared one: its values are in the bound slots already. */
static enum load_step my_execute(struct load_conn *c, MYSQL_STMT *st, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	struct my_conn *m = mc(sc);
	int ret = 0;
	for (unsigned k = 0; k < sc->cur->def->nparams; k++)
		m->len[k] = (unsigned long)sc->val[k].len;
	m->cur = st;
	sc->phase = PH_EXEC;
	sc->status = mysql_stmt_execute_start(&ret, st);
	if (sc->status)
		return my_wait(c, wt);
	/* Finished at once: report it on the next wake-up (proto.h, lib_send). */
	sc->phase = PH_EXEC_DONE;
	sc->status = ret;
	wt->fd = (int)mysql_get_socket(my(sc));
	wt->events = LOAD_IO_WRITE;
	return LOAD_MORE;
}

static enum load_step my_exec(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	const struct sql_inst *in = sc->cur;
	unsigned i = in->first_use ? in->first_use - 1 : (unsigned)(in - cfg->inst);
	int qerr = 0;
	if (mc(sc)->st[i])
		return my_execute(c, mc(sc)->st[i], wt);
	sql_build_text(sc);
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
	MYSQL_STMT *st = sc->be ? mc(sc)->cur : NULL;
	int ready = (revents & LOAD_IO_READ ? MYSQL_WAIT_READ : 0) |
		    (revents & LOAD_IO_WRITE ? MYSQL_WAIT_WRITE : 0);
	int qerr = 0;
	switch (sc->phase) {
	case PH_PREPARE:
		sc->status = mysql_stmt_prepare_cont(&qerr, mc(sc)->st[mc(sc)->next], ready);
		if (sc->status)
			return my_wait(c, wt);
		return my_prepared(c, qerr, wt);
	case PH_EXEC:
		sc->status = mysql_stmt_execute_cont(&qerr, st, ready);
		if (sc->status)
			return my_wait(c, wt);
		return my_after_execute(c, qerr, wt);
	case PH_EXEC_DONE:
		return my_after_execute(c, sc->status, wt);
	case PH_SSTORE:
		sc->status = mysql_stmt_store_result_cont(&qerr, st, ready);
		if (sc->status)
			return my_wait(c, wt);
		return my_stored(c, qerr);
	case PH_CONNECT:
		sc->status = mysql_real_connect_cont(&ret, my(sc), ready);
		if (sc->status)
			return my_wait(c, wt);
		return my_connected(c, ret, wt);
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
	const struct sql_cfg *cfg = c->cfg;
	struct my_conn *m;
	if (!sc || !sc->h)
		return;
	/* mysql_close detaches the statements first: closing them then sends nothing
	 * (the server drops them with the connection) and only frees them. */
	mysql_close(my(sc));
	m = mc(sc);
	for (unsigned i = 0; m && m->st && i < cfg->ninst; i++)
		if (m->st[i])
			mysql_stmt_close(m->st[i]);
	if (m) {
		free(m->st);
		m->st = NULL;
		m->cur = NULL;
	}
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

static int my_admin_check(void *h, const struct sql_inst *in, struct strbuf *err)
{
	MYSQL_STMT *st = mysql_stmt_init(h);
	int ret = 0;
	if (!st)
		return error(err, "mysql_stmt_init: out of memory");
	if (mysql_stmt_prepare(st, in->text, strlen(in->text)) && mysql_stmt_errno(st) != 1295)
		ret = error(err, "%s: %s", mysql_stmt_sqlstate(st), mysql_stmt_error(st));
	mysql_stmt_close(st);
	return ret;
}

static void my_admin_close(void *h)
{
	if (h)
		mysql_close(h);
}

const struct sql_backend sql_backend_mysql = {
	.scheme = "mysql",
	.default_port = "3306",
	.prepared = true,
	.admin_open = my_admin_open,
	.admin_exec = my_admin_exec,
	.admin_check = my_admin_check,
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
