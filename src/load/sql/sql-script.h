/*
 * `--query SQL` and `--script FILE`: a workload written by the user, its parameters
 * drawn by generators written in braces where a value goes:
 *
 *   {uniform:LO:HI}      an integer, uniform in LO..HI
 *   {zipf:LO:HI[:S]}     an integer in LO..HI, Zipf-distributed with exponent S
 *                        (default 0.99): LO is the most frequent, LO+1 next...
 *   {seq[:LO[:HI]]}      LO, LO+1, ... (default 1) unique over the run's connections,
 *                        wrapping to LO after HI
 *   {str:N} {str:MIN:MAX} N (or MIN..MAX) random characters [a-zA-Z0-9] (N <= 255)
 *   {NAME=GENERATOR}     the same, and remembers the value as NAME for the transaction
 *   {NAME}               the value NAME got earlier in the transaction
 *   {{                   a literal '{'
 *
 * Each generator becomes a parameter of a prepared statement (or a literal, quoted if
 * a string, on the text protocol). Between quotes ('...', "...", `...`) nothing is
 * special. A '?' outside quotes is refused: it would be a parameter nobody fills.
 *
 * A script holds statements separated by ';' (lines starting with -- are comments);
 * they run in order as one request. If the first is BEGIN (or START TRANSACTION), a
 * failed statement rolls the transaction back.
 */
#ifndef HPCBENCH_LOAD_SQL_SQL_SCRIPT_H
#define HPCBENCH_LOAD_SQL_SQL_SCRIPT_H

#include "common/strbuf.h"
#include "load/sql/sql-workload.h"

#define SQL_SCRIPT_MAX_STMTS 64

/* A parsed --query or --script: a workload and everything it points to. */
struct sql_script {
	struct sql_workload wl; /* name "query" or "script", schema SCHEMA_NONE */
	struct sql_stmt stmts[SQL_SCRIPT_MAX_STMTS];
	struct sql_genarg *args[SQL_SCRIPT_MAX_STMTS]; /* stmts[i].args, owned */
	char *texts[SQL_SCRIPT_MAX_STMTS];	       /* stmts[i].text, owned */
	char *vars[SQL_MAX_VARS];		       /* variable names */
	bool var_str[SQL_MAX_VARS];		       /* whether each holds a string */
	unsigned nstmts, nvars, nseq;
};

/*
 * Parses src into s (zeroed by the caller). script: split src into statements on ';'
 * (a --script file, named by where in messages), else src is one statement (--query).
 * 0, or -1 with "WHERE:LINE: reason" in err (s is then released).
 */
int sql_script_parse(struct sql_script *s, const char *where, const char *src, bool script,
		     struct strbuf *err);
void sql_script_release(struct sql_script *s);

#endif
