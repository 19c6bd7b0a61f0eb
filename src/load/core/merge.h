/*
 * Exact merge of replica result files (docs/scaling.md#merged-results): N load
 * generators ran the same client against the same service(s) at the same time; their
 * result files (hpcbench.result/1, with histograms) become one result:
 *
 *   - every histogram (latency, service time, schedule lag, per kind, per interval) is
 *     added bucket by bucket, and the percentiles are computed again from the sum: the
 *     merged p99 is the p99 of the union of every replica's samples (never an average
 *     of percentiles);
 *   - counts and errors (by kind) are summed;
 *   - the window is the union of the replicas' windows on the wall clock, and each
 *     replica's interval i lands in the merged interval nearest to its wall-clock start;
 *   - "replicas" keeps the per-replica figures, the start skew (latest minus earliest
 *     start of the measured windows) and, for a replica whose file is missing or
 *     unreadable (killed, failed), its status and reason; the others are still merged.
 *
 * Protocol sections (llm, vector, sql) are not merged: they stay in the replica files
 * and are named in replicas.not_merged.
 */
#ifndef HPCBENCH_LOAD_MERGE_H
#define HPCBENCH_LOAD_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "common/strbuf.h"

/* One replica's input: its result file and, optionally, why it has none. */
struct merge_input {
	const char *path; /* result file; may not exist (a killed replica) */
	const char *note; /* NULL, or what is known of a failure (exit status, node) */
};

/* What a merge found, for the caller's message and exit status. */
struct merge_summary {
	unsigned nreplicas; /* inputs */
	unsigned nmerged;   /* read and merged */
	uint64_t sent, ok, errors, dropped;
	double duration_s;     /* merged window */
	double skew_ms;	       /* start skew of the merged replicas */
	double p50_us, p99_us; /* merged latency percentiles */
};

/*
 * Merges the n inputs into one result object written to w under key (NULL at top
 * level). Returns 0 when at least one replica was merged (the others listed with
 * their reason), or -1 with a reason per replica in err and nothing written when
 * none could be. Replicas of different protocols are refused (-1).
 */
int load_merge(const struct merge_input *in, size_t n, struct jsonw *w, const char *key,
	       struct merge_summary *sum, struct strbuf *err);

#endif
