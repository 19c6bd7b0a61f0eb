/*
 * SQL workloads: a transaction as a list of statement templates whose parameters come
 * from generators, independent of the client library. sysbench's oltp_* scripts,
 * pgbench's built-in scripts and the old tool's mysql_benchmark.py transaction are
 * tables here; --query gives a one-statement workload.
 *
 * Template text: '?' is one parameter (in order), '@' the table number (sbtest@).
 */
#ifndef HPCBENCH_LOAD_SQL_WORKLOAD_H
#define HPCBENCH_LOAD_SQL_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load/core/sched.h"

/* What a statement counts as (sysbench's split of queries). */
enum sql_class { SQL_READ, SQL_WRITE, SQL_OTHER };

/* Parameter generators. */
enum sql_gen {
	G_ID,	    /* uniform 1..table_size, drawn per statement (remembered: G_LAST) */
	G_LAST,	    /* the id drawn last */
	G_RANGE_LO, /* uniform 1..table_size-range+1, per statement */
	G_RANGE_HI, /* G_RANGE_LO + range - 1 */
	G_K,	    /* uniform 1..table_size (sysbench k) */
	G_C,	    /* 120 random characters, sysbench's c pattern */
	G_PAD,	    /* 60 random characters, sysbench's pad pattern */
	G_NAME,	    /* "bench_CONN_SEQ", once per transaction */
	G_MOD100,   /* transaction number % 100 */
	G_VALUE,    /* uniform 0..999, once per transaction */
	G_AID,	    /* pgbench: uniform 1..100000*scale, once per transaction */
	G_BID,	    /* pgbench: uniform 1..scale */
	G_TID,	    /* pgbench: uniform 1..10*scale */
	G_DELTA,    /* pgbench: uniform -5000..5000 */
};

#define SQL_MAX_PARAMS 5
#define SQL_PARAM_MAX 128 /* bytes of one generated value, with its NUL */

struct sql_stmt {
	enum sql_class cls;
	const char *text;
	unsigned nparams;
	enum sql_gen params[SQL_MAX_PARAMS];
};

/* How `--phase prepare` fills the tables a workload reads. */
enum sql_schema { SCHEMA_NONE, SCHEMA_SYSBENCH, SCHEMA_LEGACY, SCHEMA_PGBENCH };

struct sql_workload {
	const char *name;
	const char *summary;
	const struct sql_stmt *stmts;
	unsigned nstmts;
	enum sql_schema schema;
	bool per_table; /* '@' in its statements: one of --tables per transaction */
};

/* The built-in workloads, NULL-terminated; lookup by name (NULL if none). */
extern const struct sql_workload *const sql_workloads[];
const struct sql_workload *sql_workload_find(const char *name);

/* Sizes a run's generators use. */
struct sql_sizes {
	uint64_t table_size; /* rows per sbtest table */
	uint64_t range;	     /* sysbench range_size */
	uint64_t scale;	     /* pgbench scale */
};

/* Values drawn once per transaction (and the last id drawn). */
struct sql_txvars {
	uint64_t last_id, lo;
	uint64_t aid, bid, tid;
	int64_t delta;
	uint64_t value;
	uint64_t conn, seq;
};

/* Draws the per-transaction values. */
void sql_tx_begin(struct sql_txvars *v, const struct sql_sizes *z, struct load_rng *rng,
		  uint64_t conn, uint64_t seq);
/*
 * Writes the value of g into out (SQL_PARAM_MAX bytes) as text; returns its length.
 * *quote is set when it is a string (a text-protocol statement quotes it; the values
 * hold only digits, letters, '-' and '_', so quoting needs no escaping).
 */
size_t sql_gen_value(enum sql_gen g, struct sql_txvars *v, const struct sql_sizes *z,
		     struct load_rng *rng, char *out, bool *quote);
/* "###########-###########-..." of n characters (sysbench's c and pad). */
void sql_random_chars(struct load_rng *rng, char *out, size_t n);

/* The class of a free-form statement from its first word (SELECT/SHOW... read). */
enum sql_class sql_classify(const char *text);

#endif
