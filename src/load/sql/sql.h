/*
 * `hpcbench load sql`: what proto-sql.c (options, workloads, transactions, metrics)
 * shares with the two client-library backends, sql-mysql.c (libmariadb's non-blocking
 * API) and sql-pg.c (libpq's asynchronous API). A backend runs one statement at a time
 * on a connection and says how it ended; proto-sql.c strings statements into
 * transactions, retries deadlocks and counts.
 */
#ifndef HPCBENCH_LOAD_SQL_SQL_H
#define HPCBENCH_LOAD_SQL_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/core/proto.h"
#include "load/core/sched.h"
#include "load/sql/sql-script.h"
#include "load/sql/sql-workload.h"

struct sql_backend;

/* One concrete statement: a workload statement for one table (or a --query). */
struct sql_inst {
	char *text;    /* table filled in, '?' placeholders (text protocol) */
	char *pg_text; /* the same with $1..$n (prepared) */
	char name[24]; /* prepared statement name */
	const struct sql_stmt *def;
	unsigned first_use; /* 1 + index of the first instance with the same text */
};

struct sql_cfg {
	const struct sql_backend *be;
	char *host, *port, *user, *database, *display;
	char *password; /* from --password-file; never printed */
	char *password_file;
	char *workload_name, *query, *script_path;
	const struct sql_workload *wl;
	struct sql_script custom; /* --query or --script */
	struct sql_sizes sizes;
	unsigned tables;
	unsigned phases; /* SQL_PHASE_* */
	unsigned max_retries;
	uint64_t seed;
	uint64_t timeout_us;
	unsigned connect_timeout_s;

	struct sql_inst *inst; /* tables x workload statements, [t * nstmts + i] */
	unsigned ninst;
	const char *kinds[1];
	const char *err_kinds[16];
	unsigned nerr_kinds;
};

enum { SQL_PHASE_PREPARE = 1, SQL_PHASE_RUN = 2, SQL_PHASE_CLEANUP = 4 };

/* Per connection (load_conn.proto). */
struct sql_conn {
	const struct sql_inst *cur; /* the statement being run */
	struct load_rng rng;
	bool seeded, open;
	/* the transaction */
	struct sql_txvars vars;
	unsigned table, step, retries;
	bool rolling_back, retry_after_rollback;
	unsigned fail_kind; /* error kind to report once the ROLLBACK is done */
	/* the statement's values */
	struct sql_value val[SQL_MAX_PARAMS];
	const char *valp[SQL_MAX_PARAMS]; /* val[k].text */
	struct strbuf text;		  /* text protocol: sql_build_text() */
	/* how the last statement ended (backend) */
	bool failed, deadlock;
	char sqlstate[6];
	char errmsg[200];
	/* backend state */
	void *h;
	void *be; /* the backend's own per-connection state, or NULL */
	int status, phase;
	unsigned prep_next; /* libpq: statements prepared so far on this connection */
	bool busy;
	bool done_early; /* the library finished at once: report on the next wake-up */
};

/*
 * A client library. The async hooks run on worker threads: conn/exec/resume answer
 * LOAD_MORE (wait for *wt), LOAD_DONE (connected / statement ended: sc->failed,
 * sqlstate, errmsg, deadlock tell how) or LOAD_FAIL (connection broken, noted).
 */
struct sql_backend {
	const char *scheme; /* "mysql", "postgres" */
	const char *default_port;
	bool prepared;	    /* statements go as prepared ones (values apart), not as text */
	bool serial_setval; /* sbtest's id is a sequence to move past the loaded rows */
	/* Blocking, main thread: a connection for the checks, prepare and cleanup. */
	void *(*admin_open)(const struct sql_cfg *cfg, struct strbuf *err);
	/* Runs sql; *value (may be NULL) gets the first column of the first row, or -1. */
	int (*admin_exec)(void *h, const char *sql, long long *value, struct strbuf *err);
	/* Prepares in (and drops it): does the server accept it? 0, or -1 with its reason. */
	int (*admin_check)(void *h, const struct sql_inst *in, struct strbuf *err);
	void (*admin_close)(void *h);
	/* DDL of one sbtest table (@: its number) and of the legacy table. */
	const char *sbtest_ddl;
	const char *legacy_ddl;
	/* Async, per connection. */
	enum load_step (*connect)(struct load_conn *c, struct load_wait *wt);
	enum load_step (*exec)(struct load_conn *c, struct load_wait *wt);
	enum load_step (*resume)(struct load_conn *c, unsigned revents, struct load_wait *wt);
	void (*close)(struct load_conn *c);
	/* The connection's socket (for the idle wait), or -1. */
	int (*socket)(struct load_conn *c);
};

extern const struct sql_backend sql_backend_mysql;
extern const struct sql_backend sql_backend_pg;

/*
 * Fills sc->text with sc->cur's text and its values (sc->val) in place of its '?'
 * (strings quoted), for a statement that goes over the text protocol.
 */
void sql_build_text(struct sql_conn *sc);

/* The error kind of an SQLSTATE (its class), for load_target.err_kinds. */
unsigned sql_err_kind(const struct sql_cfg *cfg, const char *sqlstate);

#endif
