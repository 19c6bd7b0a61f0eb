/*
 * Comparing two sets of results (docs/report.md#compare): points paired by their swept
 * parameters, every headline figure both hold compared, a verdict per figure.
 *
 * A point's samples are its trials: several results of one workload in one input (the
 * same point label), e.g. the result files of repeated runs in one folder. With at
 * least two samples on each side, a figure is "better" or "worse" only when Welch's
 * two-sided t-test rejects equal means at the 5 % level AND the change of the means is
 * beyond the threshold; else it is "within noise". With one sample on a side, the
 * threshold alone decides. Two points are comparable when their protocol and workload
 * parameters (client.parameters less seed, duration, request count, warm-up, timeout,
 * threads, names and credentials) are equal; else the pair is "incomparable" with the
 * first difference.
 * Owned by src/report/.
 */
#ifndef HPCBENCH_REPORT_COMPARE_H
#define HPCBENCH_REPORT_COMPARE_H

#include <stddef.h>

#include "common/strbuf.h"
#include "report/resultset.h"

struct compare_opts {
	double threshold_pct; /* a change within +-threshold is "within noise" */
	int json;	      /* output: 1 JSON (hpcbench.compare/1), 0 a table */
};

struct compare_outcome {
	size_t better, worse, noise;
	size_t compared;     /* point pairs compared */
	size_t incomparable; /* point pairs whose workloads differ */
	size_t unpaired;     /* points on one side only */
	size_t prov_diffs;   /* provenance fields that differ */
};

/*
 * Compares new against base; appends the table or JSON to out, and one warning line per
 * provenance difference to warn. Fills *oc.
 */
void compare_runs(const struct rp_run *base, const struct rp_run *cur, const struct compare_opts *o,
		  struct strbuf *out, struct strbuf *warn, struct compare_outcome *oc);

/* Two-sided p-value of Welch's t-test for two samples given as mean, variance, size
 * (n >= 2 each); NaN when it cannot be computed (both variances 0 gives 0 or 1). */
double welch_p(double m1, double v1, size_t n1, double m2, double v2, size_t n2);

#endif
