/*
 * HdrHistogram's percentile-distribution text (.hgrm), as its outputPercentileDistribution
 * writes it and its plotter reads it:
 *
 *            Value     Percentile TotalCount 1/(1-Percentile)
 *
 *            0.057 0.000000000000          1           1.00
 *            ...
 *            9.007 1.000000000000       1000
 *     #[Mean    =        0.123, StdDeviation   =        0.045]
 *     #[Max     =        9.007, Total count    =         1000]
 *     #[Buckets =           27, SubBuckets     =         2048]
 *
 * Values in milliseconds (the plotter's default unit). Percentile levels step as
 * HdrHistogram's percentile iterator does with 5 ticks per half distance, so a file has
 * 5 lines per halving of (1 - percentile): a few hundred lines at most.
 * Owned by src/report/.
 */
#ifndef HPCBENCH_REPORT_HGRM_H
#define HPCBENCH_REPORT_HGRM_H

#include <stddef.h>

#include "common/strbuf.h"
#include "load/core/hist.h"
#include "report/resultset.h"

/*
 * Appends h's distribution. mean_ns: the exact mean (the result's), or NaN to compute it
 * from the buckets. Nothing is written for an empty histogram.
 */
void hgrm_write(struct strbuf *out, const struct hist *h, double mean_ns);

/*
 * Writes one NAME.hgrm into dir for every percentile object with a histogram in every
 * point of runs, and a list of them (HTML) to html; *n counts them. Returns 0, or -1
 * with the reason in err (a histogram that does not read back, a write that failed).
 */
int hgrm_write_all(const struct rp_run *runs, size_t nruns, const char *dir, struct strbuf *html,
		   size_t *n, struct strbuf *err);

#endif
