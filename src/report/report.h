/*
 * The report: one self-contained report.html (inline SVG and CSS, no script, nothing
 * fetched), each chart also as chart-NN-NAME.svg with its data as chart-NN-NAME.csv,
 * the summary and provenance tables as summary.csv and provenance.csv, and one .hgrm
 * (HdrHistogram percentile distribution) per latency histogram held by the results.
 * Charts are chosen from what the results hold (docs/report.md).
 * Owned by src/report/.
 */
#ifndef HPCBENCH_REPORT_REPORT_H
#define HPCBENCH_REPORT_REPORT_H

#include <stddef.h>

#include "common/strbuf.h"
#include "report/resultset.h"

struct report_opts {
	const char *title; /* page title; NULL: "hpcbench report" */
	const char *dir;   /* output folder (created) */
};

struct report_stats {
	size_t charts;	   /* charts drawn */
	size_t hgrm;	   /* .hgrm files written */
	size_t html_bytes; /* size of report.html */
};

/* Writes the report of runs into o->dir. Returns 0, or -1 with the reason in err. */
int report_write(struct rp_run *runs, size_t nruns, const struct report_opts *o,
		 struct report_stats *st, struct strbuf *err);

/* Writes data to dir/name through a temporary name and a rename (not fsynced). Returns
 * 0, or -1 with the reason in err. */
int report_file(const char *dir, const char *name, const char *data, size_t len,
		struct strbuf *err);

#endif
