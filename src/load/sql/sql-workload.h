/*
 * SQL workloads: a transaction as a list of statement templates whose parameters come
 * from generators, independent of the client library. sysbench's oltp_* scripts,
 * pgbench's built-in scripts and the old tool's mysql_benchmark.py transaction are
 * tables here; --query gives a one-statement workload.
 *
 * Template text: '?' is one parameter (in order), '@' the table number (sbtest@) in a
 * per-table workload. --query and --script statements are parsed by sql-script.h into
 * the same form, their generators described by struct sql_genarg.
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
	/* --query / --script generators: their arguments are in sql_stmt.args[k] */
	G_UNIFORM, /* uniform lo..hi */
	G_ZIPF,	   /* zipfian over lo..hi, exponent s: lo is the most frequent */
	G_SEQ,	   /* lo, lo+1, ... over the whole run (connection i of N: lo+i, lo+i+N...),
		      wrapping after hi */
	G_STR,	   /* lo..hi random characters [a-zA-Z0-9] */
	G_VAR,	   /* the value a variable got earlier in the transaction */
};

#define SQL_MAX_PARAMS 16
#define SQL_MAX_VARS 16
#define SQL_MAX_SEQ 16
#define SQL_PARAM_MAX 256 /* bytes of one generated value, with its NUL */

/* Rejection-inversion sampling of a Zipf law over 1..n (Hörmann & Derflinger 1996). */
struct sql_zipf {
	uint64_t n;
	double s, hx1, hn, sq;
};

/* A custom generator: {uniform:LO:HI}, {zipf:LO:HI:S}, {seq:LO[:HI]}, {str:MIN[:MAX]}. */
struct sql_genarg {
	enum sql_gen g;
	int64_t lo, hi;
	struct sql_zipf zipf;
	unsigned var; /* 1 + the variable this draw defines (G_VAR: reads); 0 = none */
	unsigned seq; /* G_SEQ: its counter */
	bool str;     /* it draws strings (G_STR, or G_VAR of a G_STR) */
};

struct sql_stmt {
	enum sql_class cls;
	const char *text;
	unsigned nparams;
	enum sql_gen params[SQL_MAX_PARAMS];
	const struct sql_genarg *args; /* [nparams] for custom statements, else NULL */
};

/* One generated value: its text, and its number when it is an integer. */
struct sql_value {
	char text[SQL_PARAM_MAX];
	size_t len;
	long long num;
	bool str; /* a string (quoted in the text protocol), not an integer */
};

/* How `--phase prepare` fills the tables a workload reads. */
enum sql_schema { SCHEMA_NONE, SCHEMA_SYSBENCH, SCHEMA_LEGACY, SCHEMA_PGBENCH };

struct sql_workload {
	const char *name;
	const char *summary;
	const struct sql_stmt *stmts;
	unsigned nstmts;
	enum sql_schema schema;
	bool per_table;	  /* '@' in its statements: one of --tables per transaction */
	bool transaction; /* its first statement is BEGIN: an error rolls back */
};

/* The built-in workloads, NULL-terminated; lookup by name (NULL if none). */
extern const struct sql_workload *const sql_workloads[];
const struct sql_workload *sql_workload_find(const char *name);

/* Sizes a run's generators use. */
struct sql_sizes {
	uint64_t table_size;  /* rows per sbtest table */
	uint64_t range;	      /* sysbench range_size */
	uint64_t scale;	      /* pgbench scale */
	uint64_t connections; /* of the run (G_SEQ strides) */
};

/* Values drawn once per transaction (and the last id drawn). */
struct sql_txvars {
	uint64_t last_id, lo;
	uint64_t aid, bid, tid;
	int64_t delta;
	uint64_t value;
	uint64_t conn, seq;
	struct sql_value var[SQL_MAX_VARS]; /* custom variables, this transaction */
	uint64_t seqctr[SQL_MAX_SEQ];	    /* draws of each G_SEQ on this connection */
};

/* Draws the per-transaction values. */
void sql_tx_begin(struct sql_txvars *v, const struct sql_sizes *z, struct load_rng *rng,
		  uint64_t conn, uint64_t seq);
/*
 * Draws parameter k of st into out. out->str is set when it is a string (a
 * text-protocol statement quotes it; the values hold only digits, letters, '-' and
 * '_', so quoting needs no escaping), else out->num holds the integer.
 */
void sql_gen_value(const struct sql_stmt *st, unsigned k, struct sql_txvars *v,
		   const struct sql_sizes *z, struct load_rng *rng, struct sql_value *out);
/* Whether parameter k of st is a string (fixed per parameter: binds are typed). */
bool sql_param_is_string(const struct sql_stmt *st, unsigned k);
/* Sets up z for 1..n with exponent s > 0; sql_zipf_draw answers 1..n (1 most often). */
void sql_zipf_init(struct sql_zipf *z, uint64_t n, double s);
uint64_t sql_zipf_draw(const struct sql_zipf *z, struct load_rng *rng);
/* "###########-###########-..." of n characters (sysbench's c and pad). */
void sql_random_chars(struct load_rng *rng, char *out, size_t n);

/* The class of a free-form statement from its first word (SELECT/SHOW... read). */
enum sql_class sql_classify(const char *text);

#endif
