/*
 * Reading result files (docs/load.md, "hpcbench.result/1") of every protocol into runs of
 * points, for the report and compare.
 *
 * A result file holds one result object, or a sweep ({"sweep": {"parameters", "points"},
 * "results": [...]}) or a rate search ({"find_max_rate": {...}, "results": [...]}). Each
 * result object becomes one point. A run is what one argument named: a result file, a
 * folder of them (a sweep written as one result-POINT.json per point), a run's results.
 * Each point carries its parameter values (the sweep's point, the probe's rate, else
 * client.parameters); the numeric parameters whose values differ between the points of
 * a run are the run's swept parameters.
 * Owned by src/report/; jansson holds the parsed documents.
 */
#ifndef HPCBENCH_REPORT_RESULTSET_H
#define HPCBENCH_REPORT_RESULTSET_H

#include <jansson.h>
#include <stddef.h>

#include "common/strbuf.h"

struct rp_point {
	json_t *res;	/* one result object (a reference into its file) */
	json_t *params; /* parameter name -> value (owned) */
	json_t *given;	/* the sweep's or rate search's own point ({"concurrency": 4}), or NULL */
	char *label;	/* "concurrency=4 rate=10", or "" for a lone result */
};

struct rp_run {
	char *label; /* legend name: --label, else from the file or folder name */
	json_t **files;
	size_t nfiles;
	char **paths; /* one per file */
	struct rp_point *pts;
	size_t npts;
	char **swept; /* numeric parameters that differ between points, in first-seen order */
	size_t nswept;
	json_t *fmr; /* the find_max_rate object of the first file that has one, or NULL */
};

/*
 * Adds the result file at path (its text in data) to run: its points. Returns 0, or -1
 * with "PATH: reason" in err (not JSON, not an hpcbench result).
 */
int rp_run_add(struct rp_run *run, const char *path, const char *data, size_t len,
	       struct strbuf *err);
/* After the last rp_run_add: finds the swept parameters and labels the points. */
void rp_run_finish(struct rp_run *run);
void rp_run_release(struct rp_run *run);

/* The number at a dotted path ("latency_us.p99", "llm.ttft_ms.p50") of obj; NaN when
 * absent, null or not a number. */
double rp_num(const json_t *obj, const char *path);
/* The string at a dotted path, or NULL. */
const char *rp_str(const json_t *obj, const char *path);
/* The value at a dotted path, or NULL. */
json_t *rp_get(const json_t *obj, const char *path);

/* A headline figure that the summary table and compare know. */
struct rp_metric {
	const char *path;  /* in a result object */
	const char *label; /* "p99 latency" */
	const char *unit;  /* "us", "req/s" */
	int better;	   /* +1: higher is better, -1: lower is better */
};
/* The table of known figures (NULL-path terminated). */
extern const struct rp_metric rp_metrics[];

/* 0 for parameters that do not define the workload (seed, duration_s, requests,
 * warmup_s, timeout_s, threads, names and credentials), else 1. */
int rp_workload_param(const char *k);

/* The protocol of a point ("redis"...), or "". */
const char *rp_protocol(const struct rp_point *p);

#endif
