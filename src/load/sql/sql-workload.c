/* The built-in SQL workloads and their parameter generators. */
#include "load/sql/sql-workload.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* sysbench oltp_common.lua: the statements, with its default counts. */
#define SB_POINT                                                                                   \
	{                                                                                          \
		SQL_READ, "SELECT c FROM sbtest@ WHERE id=?", 1, { G_ID }, NULL                    \
	}
#define SB_SIMPLE_RANGE                                                                            \
	{                                                                                          \
		SQL_READ, "SELECT c FROM sbtest@ WHERE id BETWEEN ? AND ?", 2,                     \
		    { G_RANGE_LO, G_RANGE_HI }, NULL                                               \
	}
#define SB_SUM_RANGE                                                                               \
	{                                                                                          \
		SQL_READ, "SELECT SUM(k) FROM sbtest@ WHERE id BETWEEN ? AND ?", 2,                \
		    { G_RANGE_LO, G_RANGE_HI }, NULL                                               \
	}
#define SB_ORDER_RANGE                                                                             \
	{                                                                                          \
		SQL_READ, "SELECT c FROM sbtest@ WHERE id BETWEEN ? AND ? ORDER BY c", 2,          \
		    { G_RANGE_LO, G_RANGE_HI }, NULL                                               \
	}
#define SB_DISTINCT_RANGE                                                                          \
	{                                                                                          \
		SQL_READ, "SELECT DISTINCT c FROM sbtest@ WHERE id BETWEEN ? AND ? ORDER BY c", 2, \
		    { G_RANGE_LO, G_RANGE_HI }, NULL                                               \
	}
#define SB_INDEX_UPDATE                                                                            \
	{                                                                                          \
		SQL_WRITE, "UPDATE sbtest@ SET k=k+1 WHERE id=?", 1, { G_ID }, NULL                \
	}
#define SB_NON_INDEX_UPDATE                                                                        \
	{                                                                                          \
		SQL_WRITE, "UPDATE sbtest@ SET c=? WHERE id=?", 2, { G_C, G_ID }, NULL             \
	}
#define SB_DELETE                                                                                  \
	{                                                                                          \
		SQL_WRITE, "DELETE FROM sbtest@ WHERE id=?", 1, { G_ID }, NULL                     \
	}
#define SB_INSERT                                                                                  \
	{                                                                                          \
		SQL_WRITE, "INSERT INTO sbtest@ (id, k, c, pad) VALUES (?, ?, ?, ?)", 4,           \
		    { G_LAST, G_K, G_C, G_PAD }, NULL                                              \
	}
#define BEGIN                                                                                      \
	{                                                                                          \
		SQL_OTHER, "BEGIN", 0, { 0 }, NULL                                                 \
	}
#define COMMIT                                                                                     \
	{                                                                                          \
		SQL_OTHER, "COMMIT", 0, { 0 }, NULL                                                \
	}
#define SB_READS                                                                                   \
	SB_POINT, SB_POINT, SB_POINT, SB_POINT, SB_POINT, SB_POINT, SB_POINT, SB_POINT, SB_POINT,  \
	    SB_POINT, SB_SIMPLE_RANGE, SB_SUM_RANGE, SB_ORDER_RANGE, SB_DISTINCT_RANGE
#define SB_WRITES SB_INDEX_UPDATE, SB_NON_INDEX_UPDATE, SB_DELETE, SB_INSERT

static const struct sql_stmt point_select[] = { SB_POINT };
static const struct sql_stmt read_only[] = { BEGIN, SB_READS, COMMIT };
static const struct sql_stmt read_write[] = { BEGIN, SB_READS, SB_WRITES, COMMIT };
static const struct sql_stmt write_only[] = { BEGIN, SB_WRITES, COMMIT };
static const struct sql_stmt update_index[] = { SB_INDEX_UPDATE };
static const struct sql_stmt insert_only[] = {
	{ SQL_WRITE,
	  "INSERT INTO sbtest@ (k, c, pad) VALUES (?, ?, ?)",
	  3,
	  { G_K, G_C, G_PAD },
	  NULL },
};

/* pgbench's built-in scripts (the variables are drawn once per transaction). */
static const struct sql_stmt pg_select_only[] = {
	{ SQL_READ, "SELECT abalance FROM pgbench_accounts WHERE aid = ?", 1, { G_AID }, NULL },
};
static const struct sql_stmt pg_tpcb_like[] = {
	BEGIN,
	{ SQL_WRITE,
	  "UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?",
	  2,
	  { G_DELTA, G_AID },
	  NULL },
	{ SQL_READ, "SELECT abalance FROM pgbench_accounts WHERE aid = ?", 1, { G_AID }, NULL },
	{ SQL_WRITE,
	  "UPDATE pgbench_tellers SET tbalance = tbalance + ? WHERE tid = ?",
	  2,
	  { G_DELTA, G_TID },
	  NULL },
	{ SQL_WRITE,
	  "UPDATE pgbench_branches SET bbalance = bbalance + ? WHERE bid = ?",
	  2,
	  { G_DELTA, G_BID },
	  NULL },
	{ SQL_WRITE,
	  "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) "
	  "VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)",
	  4,
	  { G_TID, G_BID, G_AID, G_DELTA },
	  NULL },
	COMMIT,
};

/* The old tool's mysql_benchmark.py transaction. */
static const struct sql_stmt legacy[] = {
	BEGIN,
	{ SQL_WRITE,
	  "INSERT INTO benchmark_data (name, value) VALUES (?, ?)",
	  2,
	  { G_NAME, G_VALUE },
	  NULL },
	{ SQL_READ, "SELECT * FROM benchmark_data WHERE value > ? LIMIT 5", 1, { G_MOD100 }, NULL },
	{ SQL_WRITE,
	  "UPDATE benchmark_data SET value = ? WHERE name = ?",
	  2,
	  { G_VALUE, G_NAME },
	  NULL },
	COMMIT,
};

/* tx: the statements start with BEGIN (sql_workload.transaction). */
#define WL(var, n, sum, schema, per_table, tx)                                                     \
	static const struct sql_workload wl_##var = { n,      sum,	 var, ARRAY_LEN(var),      \
						      schema, per_table, tx }
WL(point_select, "point_select", "sysbench oltp_point_select: one SELECT by primary key",
   SCHEMA_SYSBENCH, true, false);
WL(read_only, "read_only",
   "sysbench oltp_read_only: BEGIN, 10 point SELECTs, 4 range SELECTs, COMMIT", SCHEMA_SYSBENCH,
   true, true);
WL(read_write, "read_write",
   "sysbench oltp_read_write: read_only plus 2 UPDATEs, a DELETE and an INSERT", SCHEMA_SYSBENCH,
   true, true);
WL(write_only, "write_only", "sysbench oltp_write_only: BEGIN, 2 UPDATEs, DELETE, INSERT, COMMIT",
   SCHEMA_SYSBENCH, true, true);
WL(update_index, "update_index", "sysbench oltp_update_index: one UPDATE of k by id",
   SCHEMA_SYSBENCH, true, false);
WL(insert_only, "insert", "sysbench oltp_insert: one INSERT with a new id", SCHEMA_SYSBENCH, true,
   false);
WL(pg_select_only, "select-only", "pgbench -S: one SELECT from pgbench_accounts", SCHEMA_PGBENCH,
   false, false);
WL(pg_tpcb_like, "tpcb-like", "pgbench default (TPC-B like): 3 UPDATEs, SELECT, INSERT",
   SCHEMA_PGBENCH, false, true);
WL(legacy, "mysql_benchmark",
   "the old mysql_benchmark.py: INSERT, SELECT ... LIMIT 5, UPDATE by name, COMMIT", SCHEMA_LEGACY,
   false, true);

const struct sql_workload *const sql_workloads[] = {
	&wl_point_select, &wl_read_only,      &wl_read_write,	&wl_write_only, &wl_update_index,
	&wl_insert_only,  &wl_pg_select_only, &wl_pg_tpcb_like, &wl_legacy,	NULL,
};

const struct sql_workload *sql_workload_find(const char *name)
{
	for (size_t i = 0; sql_workloads[i]; i++)
		if (!strcmp(sql_workloads[i]->name, name))
			return sql_workloads[i];
	return NULL;
}

static uint64_t uniform(struct load_rng *rng, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + load_rng_below(rng, hi - lo + 1);
}

void sql_tx_begin(struct sql_txvars *v, const struct sql_sizes *z, struct load_rng *rng,
		  uint64_t conn, uint64_t seq)
{
	v->conn = conn;
	v->seq = seq;
	v->aid = uniform(rng, 1, 100000 * z->scale);
	v->bid = uniform(rng, 1, z->scale);
	v->tid = uniform(rng, 1, 10 * z->scale);
	v->delta = (int64_t)uniform(rng, 0, 10000) - 5000;
	v->value = uniform(rng, 0, 999);
}

void sql_random_chars(struct load_rng *rng, char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (i + 1) % 12 == 0 ? '-' : (char)('0' + load_rng_below(rng, 10));
	out[n] = 0;
}

/* A number as out's text and value. */
static void set_num(struct sql_value *out, long long n)
{
	out->str = false;
	out->num = n;
	out->len = (size_t)snprintf(out->text, sizeof(out->text), "%lld", n);
}

/* lo..hi random characters from [a-zA-Z0-9]. */
static void random_string(struct load_rng *rng, int64_t lo, int64_t hi, struct sql_value *out)
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t n = (size_t)uniform(rng, (uint64_t)lo, (uint64_t)hi);
	for (size_t i = 0; i < n; i++)
		out->text[i] = alnum[load_rng_below(rng, sizeof(alnum) - 1)];
	out->text[n] = 0;
	out->len = n;
	out->str = true;
}

/* A custom generator's draw (G_UNIFORM and later). */
static void gen_custom(const struct sql_genarg *a, struct sql_txvars *v, const struct sql_sizes *z,
		       struct load_rng *rng, struct sql_value *out)
{
	uint64_t span = (uint64_t)(a->hi - a->lo) + 1;
	switch (a->g) {
	case G_UNIFORM:
		set_num(out, a->lo + (long long)load_rng_below(rng, span));
		break;
	case G_ZIPF:
		set_num(out, a->lo + (long long)sql_zipf_draw(&a->zipf, rng) - 1);
		break;
	case G_SEQ: {
		uint64_t i = v->seqctr[a->seq]++ * (z->connections ? z->connections : 1) + v->conn;
		set_num(out, a->lo + (long long)(i % span));
		break;
	}
	case G_STR:
		random_string(rng, a->lo, a->hi, out);
		break;
	case G_VAR:
		*out = v->var[a->var - 1];
		return;
	default:
		set_num(out, 0);
		break;
	}
	if (a->var)
		v->var[a->var - 1] = *out;
}

void sql_gen_value(const struct sql_stmt *st, unsigned k, struct sql_txvars *v,
		   const struct sql_sizes *z, struct load_rng *rng, struct sql_value *out)
{
	uint64_t n = 0;
	enum sql_gen g = st->params[k];
	switch (g) {
	case G_ID:
		n = v->last_id = uniform(rng, 1, z->table_size);
		break;
	case G_LAST:
		n = v->last_id;
		break;
	case G_RANGE_LO:
		n = v->lo =
		    uniform(rng, 1, z->table_size > z->range ? z->table_size - z->range + 1 : 1);
		break;
	case G_RANGE_HI:
		n = v->lo + z->range - 1;
		break;
	case G_K:
		n = uniform(rng, 1, z->table_size);
		break;
	case G_C:
	case G_PAD:
		out->str = true;
		out->len = g == G_C ? 119 : 59;
		sql_random_chars(rng, out->text, out->len);
		return;
	case G_NAME:
		out->str = true;
		out->len =
		    (size_t)snprintf(out->text, sizeof(out->text), "bench_%llu_%llu",
				     (unsigned long long)v->conn, (unsigned long long)v->seq);
		return;
	case G_MOD100:
		n = v->seq % 100;
		break;
	case G_VALUE:
		n = v->value;
		break;
	case G_AID:
		n = v->aid;
		break;
	case G_BID:
		n = v->bid;
		break;
	case G_TID:
		n = v->tid;
		break;
	case G_DELTA:
		set_num(out, (long long)v->delta);
		return;
	default:
		gen_custom(&st->args[k], v, z, rng, out);
		return;
	}
	set_num(out, (long long)n);
}

bool sql_param_is_string(const struct sql_stmt *st, unsigned k)
{
	enum sql_gen g = st->params[k];
	if (g == G_C || g == G_PAD || g == G_NAME)
		return true;
	return g >= G_UNIFORM && st->args && st->args[k].str;
}

/*
 * Zipf by rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to
 * generate variates from monotone discrete distributions", 1996): O(1) per draw and no
 * table, for any n and s > 0. H is an integral of h(x) = x^-s; a draw inverts H at a
 * uniform point and accepts the nearest integer k unless it falls in the small area
 * where H overestimates the mass of k.
 */
static double helper1(double x) /* log1p(x)/x, continuous at 0 */
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double helper2(double x) /* expm1(x)/x, continuous at 0 */
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}

static double zipf_h(const struct sql_zipf *z, double x)
{
	return exp(-z->s * log(x));
}

static double zipf_hint(const struct sql_zipf *z, double x)
{
	double lx = log(x);
	return helper2((1 - z->s) * lx) * lx;
}

static double zipf_hinv(const struct sql_zipf *z, double x)
{
	double t = x * (1 - z->s);
	if (t < -1)
		t = -1; /* rounding: keeps the logarithm defined */
	return exp(helper1(t) * x);
}

void sql_zipf_init(struct sql_zipf *z, uint64_t n, double s)
{
	z->n = n;
	z->s = s;
	z->hx1 = zipf_hint(z, 1.5) - 1;
	z->hn = zipf_hint(z, (double)n + 0.5);
	z->sq = 2 - zipf_hinv(z, zipf_hint(z, 2.5) - zipf_h(z, 2));
}

uint64_t sql_zipf_draw(const struct sql_zipf *z, struct load_rng *rng)
{
	for (;;) {
		double u = z->hn + load_rng_unit(rng) * (z->hx1 - z->hn);
		double x = zipf_hinv(z, u);
		double k = floor(x + 0.5);
		if (k < 1)
			k = 1;
		else if (k > (double)z->n)
			k = (double)z->n;
		if (k - x <= z->sq || u >= zipf_hint(z, k + 0.5) - zipf_h(z, k))
			return (uint64_t)k;
	}
}

enum sql_class sql_classify(const char *text)
{
	static const char *const reads[] = { "SELECT",	"SHOW",	  "WITH", "DESCRIBE",
					     "EXPLAIN", "VALUES", "TABLE" };
	static const char *const writes[] = { "INSERT", "UPDATE", "DELETE", "REPLACE",
					      "MERGE",	"COPY",	  "UPSERT" };
	size_t n;
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '(')
		text++;
	n = strcspn(text, " \t\n(;");
	for (size_t i = 0; i < ARRAY_LEN(reads); i++)
		if (n == strlen(reads[i]) && !strncasecmp(text, reads[i], n))
			return SQL_READ;
	for (size_t i = 0; i < ARRAY_LEN(writes); i++)
		if (n == strlen(writes[i]) && !strncasecmp(text, writes[i], n))
			return SQL_WRITE;
	return SQL_OTHER;
}
