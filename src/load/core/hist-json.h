/*
 * A histogram in a result file, exactly: every non-empty slot with its count, so that
 * results of several runs or replicas can be added bucket by bucket and any percentile
 * recomputed later (report, compare, merge) with the precision the run recorded.
 *
 *     "histogram": {"unit": "ns", "sub_bits": 11, "total": 1000, "above": 0,
 *                   "min": 8123, "max": 912345, "sum": 123456789,
 *                   "buckets": [[8191, 12], [8207, 40], ...]}
 *
 * Each bucket is [highest value of the slot, count], in ascending order; a value
 * recorded in the slot lies in (previous slot's highest, highest]. The slot layout is
 * load/core/hist.h's (log-linear, 2^sub_bits sub-buckets per power of two below
 * 2^HIST_RANGE_BITS ns); "above" counts values past that range (their exact max and
 * sum are in max and sum). min, max and sum are exact, so the mean is.
 */
#ifndef HPCBENCH_LOAD_HIST_JSON_H
#define HPCBENCH_LOAD_HIST_JSON_H

#include <jansson.h>

#include "common/jsonw.h"
#include "load/core/hist.h"

/* Writes h as the object above under key (NULL inside an array). */
void hist_json_write(struct jsonw *w, const char *key, const struct hist *h);

/*
 * Reads an object written by hist_json_write into *out (initialised here; release it
 * with hist_release). Returns 0, or -1 with *out empty and a reason in *why when the
 * object is not a histogram of that layout (missing fields, unknown sub_bits, a bucket
 * value that is not the highest value of a slot, counts that do not add up to total).
 */
int hist_json_read(const json_t *obj, struct hist *out, const char **why);

#endif
