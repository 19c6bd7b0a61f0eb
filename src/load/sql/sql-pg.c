/*
 * The PostgreSQL backend of `hpcbench load sql`: libpq's asynchronous API. A connection
 * is started with PQconnectStartParams and driven by PQconnectPoll, then prepares every
 * distinct statement of the run once (PQsendPrepare); each statement is then one
 * PQsendQueryPrepared, flushed with PQflush, and its result read with PQconsumeInput /
 * PQisBusy / PQgetResult as the socket becomes readable: nothing ever blocks.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "load/sql/sql.h"

enum { PH_IDLE, PH_CONNECT, PH_PREPARE, PH_QUERY };

static PGconn *pg(struct sql_conn *sc)
{
	return sc->h;
}

/* libpq's message without its trailing newline. */
static void note_pg(struct load_conn *c, unsigned kind, const char *what, const char *msg)
{
	int n = (int)strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	load_conn_note(c, kind, "%s: %.*s", what, n, msg);
}

/* Notices (NOTICE: table does not exist, skipping) are not the user's business. */
static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static enum load_step pg_wait(struct load_conn *c, unsigned events, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	wt->fd = PQsocket(pg(sc));
	wt->events = events;
	return LOAD_MORE;
}

/* Sends what libpq buffered; waits for the reply (and for room to write the rest). */
static enum load_step pg_flush(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	int r = PQflush(pg(sc));
	if (r < 0) {
		note_pg(c, LOAD_ERR_WRITE, "write", PQerrorMessage(pg(sc)));
		return LOAD_FAIL;
	}
	sc->busy = r == 1;
	return pg_wait(c, LOAD_IO_READ | (r ? LOAD_IO_WRITE : 0u), wt);
}

/* Prepares the next distinct statement, or answers DONE when all are. */
static enum load_step pg_prepare_next(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	while (sc->prep_next < cfg->ninst && cfg->inst[sc->prep_next].first_use)
		sc->prep_next++;
	if (sc->prep_next == cfg->ninst) {
		sc->phase = PH_IDLE;
		return LOAD_DONE;
	}
	{
		const struct sql_inst *in = &cfg->inst[sc->prep_next];
		sc->failed = false;
		sc->phase = PH_PREPARE;
		if (!PQsendPrepare(pg(sc), in->name, in->pg_text, (int)in->def->nparams, NULL)) {
			note_pg(c, LOAD_ERR_CONNECT, "prepare", PQerrorMessage(pg(sc)));
			return LOAD_FAIL;
		}
	}
	return pg_flush(c, wt);
}

/*
 * Reads what arrived for the statement in flight. DONE once libpq has every result
 * of it (sc->failed and sqlstate say how it went), MORE to wait, FAIL if the
 * connection broke.
 */
static enum load_step pg_pump(struct load_conn *c, unsigned revents, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	PGconn *p = pg(sc);
	if (sc->busy && (revents & LOAD_IO_WRITE)) {
		enum load_step st = pg_flush(c, wt);
		if (st != LOAD_MORE || sc->busy)
			return st;
	}
	if (!PQconsumeInput(p)) {
		note_pg(c, LOAD_ERR_READ, "read", PQerrorMessage(p));
		return LOAD_FAIL;
	}
	while (!PQisBusy(p)) {
		PGresult *r = PQgetResult(p);
		ExecStatusType st;
		if (!r)
			return LOAD_DONE;
		st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && !sc->failed) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
			sc->failed = true;
			snprintf(sc->sqlstate, sizeof(sc->sqlstate), "%s", state ? state : "XX000");
			snprintf(sc->errmsg, sizeof(sc->errmsg), "%s", msg ? msg : PQresStatus(st));
			sc->deadlock = !strcmp(sc->sqlstate, "40P01");
		}
		PQclear(r);
	}
	if (PQstatus(p) == CONNECTION_BAD) {
		note_pg(c, LOAD_ERR_READ, "read", PQerrorMessage(p));
		return LOAD_FAIL;
	}
	return pg_wait(c, LOAD_IO_READ | (sc->busy ? LOAD_IO_WRITE : 0u), wt);
}

static enum load_step pg_connect(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	char timeout[16];
	const char *kw[8], *val[8];
	int n = 0;
	snprintf(timeout, sizeof(timeout), "%u", cfg->connect_timeout_s);
	kw[n] = "host", val[n++] = cfg->host;
	kw[n] = "port", val[n++] = cfg->port;
	if (cfg->database)
		kw[n] = "dbname", val[n++] = cfg->database;
	if (cfg->user)
		kw[n] = "user", val[n++] = cfg->user;
	if (cfg->password)
		kw[n] = "password", val[n++] = cfg->password;
	kw[n] = "connect_timeout", val[n++] = timeout;
	kw[n] = "application_name", val[n++] = "hpcbench";
	kw[n] = NULL, val[n] = NULL;
	sc->h = PQconnectStartParams(kw, val, 0);
	if (!sc->h || PQstatus(pg(sc)) == CONNECTION_BAD) {
		note_pg(c, LOAD_ERR_CONNECT, "connect",
			sc->h ? PQerrorMessage(pg(sc)) : "no memory");
		return LOAD_FAIL;
	}
	PQsetNoticeProcessor(pg(sc), pg_quiet, NULL);
	sc->phase = PH_CONNECT;
	sc->prep_next = 0;
	sc->busy = false;
	/* As libpq documents: behave as if PQconnectPoll had answered WRITING. */
	return pg_wait(c, LOAD_IO_WRITE, wt);
}

static enum load_step pg_exec(struct load_conn *c, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	const struct sql_cfg *cfg = c->cfg;
	const struct sql_inst *in = sc->cur;
	const char *name = in->first_use ? cfg->inst[in->first_use - 1].name : in->name;
	sc->failed = false;
	sc->phase = PH_QUERY;
	if (!PQsendQueryPrepared(pg(sc), name, (int)in->def->nparams, sc->valp, NULL, NULL, 0)) {
		note_pg(c, LOAD_ERR_WRITE, "send", PQerrorMessage(pg(sc)));
		return LOAD_FAIL;
	}
	return pg_flush(c, wt);
}

static enum load_step pg_resume(struct load_conn *c, unsigned revents, struct load_wait *wt)
{
	struct sql_conn *sc = c->proto;
	enum load_step st;
	switch (sc->phase) {
	case PH_CONNECT:
		switch (PQconnectPoll(pg(sc))) {
		case PGRES_POLLING_READING:
			return pg_wait(c, LOAD_IO_READ, wt);
		case PGRES_POLLING_WRITING:
			return pg_wait(c, LOAD_IO_WRITE, wt);
		case PGRES_POLLING_OK:
			PQsetnonblocking(pg(sc), 1);
			return pg_prepare_next(c, wt);
		default:
			note_pg(c, LOAD_ERR_CONNECT, "connect", PQerrorMessage(pg(sc)));
			return LOAD_FAIL;
		}
	case PH_PREPARE:
		st = pg_pump(c, revents, wt);
		if (st != LOAD_DONE)
			return st;
		if (sc->failed) {
			load_conn_note(c, LOAD_ERR_CONNECT, "prepare: %s: %s", sc->sqlstate,
				       sc->errmsg);
			return LOAD_FAIL;
		}
		sc->prep_next++;
		return pg_prepare_next(c, wt);
	case PH_QUERY:
		st = pg_pump(c, revents, wt);
		if (st == LOAD_DONE)
			sc->phase = PH_IDLE;
		return st;
	default:
		/* An idle connection: a notice, or the server hung up. */
		if (!PQconsumeInput(pg(sc)) || PQstatus(pg(sc)) == CONNECTION_BAD) {
			note_pg(c, LOAD_ERR_READ, "read", PQerrorMessage(pg(sc)));
			return LOAD_FAIL;
		}
		return LOAD_DONE;
	}
}

static void pg_close(struct load_conn *c)
{
	struct sql_conn *sc = c->proto;
	if (!sc || !sc->h)
		return;
	PQfinish(pg(sc));
	sc->h = NULL;
	sc->phase = PH_IDLE;
}

static int pg_socket(struct load_conn *c)
{
	struct sql_conn *sc = c->proto;
	return sc->h ? PQsocket(pg(sc)) : -1;
}

static void *pg_admin_open(const struct sql_cfg *cfg, struct strbuf *err)
{
	char timeout[16];
	const char *kw[8], *val[8];
	int n = 0;
	PGconn *p;
	snprintf(timeout, sizeof(timeout), "%u", cfg->connect_timeout_s);
	kw[n] = "host", val[n++] = cfg->host;
	kw[n] = "port", val[n++] = cfg->port;
	if (cfg->database)
		kw[n] = "dbname", val[n++] = cfg->database;
	if (cfg->user)
		kw[n] = "user", val[n++] = cfg->user;
	if (cfg->password)
		kw[n] = "password", val[n++] = cfg->password;
	kw[n] = "connect_timeout", val[n++] = timeout;
	kw[n] = "application_name", val[n++] = "hpcbench";
	kw[n] = NULL, val[n] = NULL;
	p = PQconnectdbParams(kw, val, 0);
	if (!p || PQstatus(p) != CONNECTION_OK) {
		struct strbuf msg = STRBUF_INIT;
		/* libpq's message spans lines ("...failed: Connection refused\n\tIs the
		 * server running..."): one line of it. */
		for (const char *m = p ? PQerrorMessage(p) : "no memory"; *m; m++)
			if (*m != '\n' && *m != '\t')
				strbuf_addch(&msg, *m);
			else if (msg.len && msg.buf[msg.len - 1] != ' ')
				strbuf_addstr(&msg, m[1] && m[1] != '\n' ? "; " : "");
		strbuf_rtrim(&msg);
		error(err, "cannot connect to %s as %s: %s", cfg->display,
		      cfg->user ? cfg->user : "(default user)", msg.buf);
		strbuf_release(&msg);
		PQfinish(p);
		return NULL;
	}
	PQsetNoticeProcessor(p, pg_quiet, NULL);
	return p;
}

static int pg_admin_exec(void *h, const char *sql, long long *value, struct strbuf *err)
{
	PGresult *r = PQexec(h, sql);
	ExecStatusType st = PQresultStatus(r);
	int ret = 0;
	if (value)
		*value = -1;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		ret = error(err, "%s: %s", state ? state : "XX000", msg ? msg : PQerrorMessage(h));
	} else if (value && PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0)) {
		*value = atoll(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return ret;
}

static int pg_admin_check(void *h, const struct sql_inst *in, struct strbuf *err)
{
	PGresult *r = PQprepare(h, "hb_check", in->pg_text, (int)in->def->nparams, NULL);
	ExecStatusType st = PQresultStatus(r);
	int ret = 0;
	if (st != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		ret = error(err, "%s: %s", state ? state : "XX000", msg ? msg : PQerrorMessage(h));
	}
	PQclear(r);
	if (!ret)
		PQclear(PQexec(h, "DEALLOCATE hb_check"));
	return ret;
}

static void pg_admin_close(void *h)
{
	PQfinish(h);
}

const struct sql_backend sql_backend_pg = {
	.scheme = "postgres",
	.default_port = "5432",
	.prepared = true,
	.serial_setval = true,
	.admin_open = pg_admin_open,
	.admin_exec = pg_admin_exec,
	.admin_check = pg_admin_check,
	.admin_close = pg_admin_close,
	.sbtest_ddl = "CREATE TABLE sbtest@ (id SERIAL NOT NULL, k INTEGER DEFAULT '0' NOT NULL, "
		      "c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, "
		      "PRIMARY KEY (id))",
	.legacy_ddl = "CREATE TABLE IF NOT EXISTS benchmark_data (id SERIAL PRIMARY KEY, "
		      "name VARCHAR(100), value INT, timestamp TIMESTAMP DEFAULT "
		      "CURRENT_TIMESTAMP)",
	.connect = pg_connect,
	.exec = pg_exec,
	.resume = pg_resume,
	.close = pg_close,
	.socket = pg_socket,
};
