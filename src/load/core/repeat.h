/*
 * Repeated trials (--repeat N, a recipe client's `repeat: N`): the same load N times,
 * independently, and each headline figure (load/core/figures.h) summarized over the
 * trials as mean, 95 % confidence interval (Student t), min and max.
 *
 * The result file of a repeated run (docs/results.md, "Repeated trials"):
 *
 *     {"schema": "hpcbench.result/1", "tool", "client" (parameters.repeat = N),
 *      "started_at", "repeat": {"trials", "confidence", "interval", "seeds"},
 *      "summary": {FIGURE: {"n", "mean", "stddev", "min", "max", "ci95_low",
 *                           "ci95_high", "ci95_half_width"}},
 *      "points": [{"index", "parameters", "summary"}]   (sweeps: per point)
 *      "trials": [RESULT, ...]}                          (every trial, in order)
 *
 * A sweep is repeated whole, N times in a row, so every point has N trials and slow
 * drift of the server spreads over all points instead of biasing the last ones.
 */
#ifndef HPCBENCH_LOAD_REPEAT_H
#define HPCBENCH_LOAD_REPEAT_H

#include "common/strbuf.h"
#include "load/core/opts.h"

/*
 * One trial: runs the load with o (o->trial / o->ntrials / o->seed set for it),
 * appends the human summary to text and the result object (JSON) to json. Returns the
 * exit status (EXIT_OK, EXIT_FAILED with a line in err), or -1 with err when nothing
 * could run.
 */
typedef int (*load_trial_fn)(void *ctx, const struct load_opts *o, struct strbuf *text,
			     struct strbuf *json, struct strbuf *err);

/*
 * Runs o->repeat trials with fn (trial k gets seed o->seed + k - 1) and appends the
 * combined result object to json and a summary table to text. Returns the worst exit
 * status of the trials (a trial's reasons in err, prefixed "trial K: "), or -1 with
 * err when a trial could not run (the trials before it are lost: nothing is written).
 */
int load_repeat(const struct load_opts *o, load_trial_fn fn, void *ctx, struct strbuf *text,
		struct strbuf *json, struct strbuf *err);

#endif
