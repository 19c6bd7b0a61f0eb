/*
 * A run's summary: summary.json in the run folder (every job with its state, and each
 * client result's headline numbers) and the table that `run` and `results` print.
 * Owned by src/session/.
 *
 * summary.json: {"schema": "hpcbench.summary/1", "run_id", "executor", "run_dir", "state",
 *   "message", "created_at", "finished_at" (RFC 3339), "jobs": [{"id", "kind", "name",
 *   "state", "exit_code", "reason", "node", "endpoint", "results": [{"file",
 *   "requests": {"sent", "ok", "errors"}, "throughput_rps", "latency_us": {"p50",
 *   "p99"} (single results only), "points": [{"label", "kind", "trials",
 *   "figures": {FIGURE: number or null}}]}]}]}; "file" is relative to the run folder.
 *   "points" has one entry per result or sweep point (means for repeated trials);
 *   FIGURE names are load/core/figures.h's keys.
 */
#ifndef HPCBENCH_SESSION_SUMMARY_H
#define HPCBENCH_SESSION_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/core/figures.h"

struct store_run;
struct store_job;

/* One row of the summary: a whole result, or one point of a sweep. */
struct summary_point {
	char *label; /* "concurrency=4" for a sweep point, "" otherwise */
	enum load_kind kind;
	unsigned trials;       /* repeated trials behind the figures (means), 0 = one run */
	json_t *params;	       /* client.parameters of the point (a reference), or NULL */
	double *v;	       /* load_nfigures values (means when repeated) */
	signed char *st;       /* per figure: 0 read, 1 absent (not measured), -1 unreadable */
	double *ci_lo, *ci_hi; /* repeated: 95 % CI of the mean, NAN when unknown */
};

/* One result file of a client job, with the numbers read from it. */
struct summary_result {
	char *job_id;
	char *file;  /* relative to the run folder, e.g. "bench_1a2b3c4d/result.json" */
	char *path;  /* on the job side */
	char *shown; /* the path to show (local copy or job-side path) */
	char *data;  /* the file's content */
	size_t len;
	int parsed; /* the file was a readable result */
	uint64_t sent, ok, errors;
	double rps, p50_us, p99_us;   /* single results only (npoints == 1, no sweep) */
	int single;		      /* the file is one plain result (the fields above hold) */
	struct summary_point *points; /* rows: one, or one per sweep point */
	size_t npoints;
	char *why; /* parsed = 0: why the file could not be read */
};

/* Reads the headline numbers of a result.json text into r (parsed = 1), or leaves
 * parsed = 0 when it is not a result file. */
void summary_parse_result(struct summary_result *r, const char *json, size_t len);
void summary_results_free(struct summary_result *res, size_t nr);
/*
 * Appends the result file at path (job side) of job_id to *res: file is
 * JOB_ID/BASENAME, shown a copy of shown, data taken from the strbuf (left empty), the
 * numbers parsed from it.
 */
void summary_result_add(struct summary_result **res, size_t *nr, const char *job_id,
			const char *path, const char *shown, struct strbuf *data);

struct jsonw;
/* Writes key: the RFC 3339 time of epoch seconds, or null for 0. */
void summary_json_time(struct jsonw *w, const char *key, int64_t epoch);

void summary_json(struct strbuf *out, const struct store_run *run, const struct store_job *jobs,
		  size_t nr_jobs, const struct summary_result *res, size_t nr_res);
/*
 * The human table: one line per result or sweep point (clients without one: their
 * state), columns chosen by the result kind (one table per kind found), aligned to the
 * longest cell. A figure that could not be read shows "-" and adds a line to warn.
 */
void summary_table(struct strbuf *out, const struct store_job *jobs, size_t nr_jobs,
		   const struct summary_result *res, size_t nr_res, struct strbuf *warn);
/*
 * CSV (RFC 4180): a header, then one row per result or sweep point: client, state,
 * file, point, kind, trials, a column per client parameter (param.NAME) and per figure
 * (with FIGURE.ci95_low / .ci95_high when a result was repeated). Empty cell: not there.
 */
void summary_csv(struct strbuf *out, const struct store_job *jobs, size_t nr_jobs,
		 const struct summary_result *res, size_t nr_res);

#endif
