/*
 * Choosing and drawing the report's charts from what the runs hold (docs/report.md lists
 * them): percentile distributions, series over time, per-kind bars, sweeps against their
 * parameter, heatmaps, the knee, LLM and vector charts.
 * Owned by src/report/.
 */
#ifndef HPCBENCH_REPORT_CHARTS_H
#define HPCBENCH_REPORT_CHARTS_H

#include <stddef.h>

#include "common/strbuf.h"
#include "report/resultset.h"

/* One drawn chart. */
struct fig {
	char *name;	   /* file stem: "latency-percentiles" */
	char *title;	   /* caption */
	struct strbuf svg; /* one <svg> element */
	struct strbuf csv; /* its data: "series,x,y" rows, or a table */
};

/* Draws every chart the runs call for into *figs (appended; *nfigs updated). */
void charts_build(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nfigs);
void figs_free(struct fig *figs, size_t n);

#endif
