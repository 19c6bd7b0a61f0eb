/*
 * Latency histogram, log-linear in the style of HdrHistogram: values (nanoseconds)
 * fall into power-of-two buckets, each split into 2^HIST_SUB_BITS linear sub-buckets,
 * so every recorded value is known within 1/2^(HIST_SUB_BITS-1) of itself.
 *
 * Hand-written rather than linked: Debian has no package for HdrHistogram_c, and
 * a client job must build from distribution packages alone. Only the parts the load
 * generator needs are here: record, merge, percentile, reset.
 *
 * A histogram has a fixed size chosen at init (precision bits), covering 0 .. 2^37 ns
 * (137 s). Larger values are counted in `above` (with their exact max and sum), not
 * clamped into the last bucket. min, max and mean are exact.
 */
#ifndef HPCBENCH_LOAD_HIST_H
#define HPCBENCH_LOAD_HIST_H

#include <stdint.h>

#define HIST_RANGE_BITS 37   /* values below 2^37 ns (137 s) are bucketed */
#define HIST_PRECISE_BITS 11 /* 2048 sub-buckets: >= 3 significant digits */
#define HIST_COARSE_BITS 7   /* 128 sub-buckets: >= 2 significant digits (intervals) */

struct hist {
	unsigned sub_bits; /* log2 of sub-buckets per bucket */
	unsigned nslots;   /* length of counts */
	uint64_t *counts;  /* owned */
	uint64_t total;	   /* values recorded, including above */
	uint64_t above;	   /* values >= 2^HIST_RANGE_BITS */
	uint64_t min, max; /* exact; min = UINT64_MAX when empty */
	double sum;	   /* exact sum, for the mean */
};

/* Allocates the counters (zeroed): sub_bits is HIST_PRECISE_BITS or HIST_COARSE_BITS. */
void hist_init(struct hist *h, unsigned sub_bits);
void hist_release(struct hist *h);
/* Forgets every value, keeps the memory. */
void hist_reset(struct hist *h);

/* Records one value (nanoseconds). */
static inline void hist_record(struct hist *h, uint64_t v);

/* Adds src into dst; both must have the same sub_bits. */
void hist_merge(struct hist *dst, const struct hist *src);

/*
 * The q-th percentile (0 < q <= 100), nearest rank: the smallest recorded value v
 * such that at least q% of the values are <= v, reported as the highest value of
 * v's sub-bucket (never below v, at most one sub-bucket width above it), and never
 * above max. 0 when empty. If the rank falls among values above the range, max.
 */
uint64_t hist_percentile(const struct hist *h, double q);
/* Mean of the values, 0 when empty. */
double hist_mean(const struct hist *h);

/* Slot of value v (v < 2^HIST_RANGE_BITS). Exposed for the inline record and tests. */
static inline unsigned hist_slot(unsigned sub_bits, uint64_t v)
{
	/* Bucket 0 holds [0, 2^sub_bits) exactly; bucket b >= 1 holds
	 * [2^(sub_bits+b-1), 2^(sub_bits+b)) in 2^(sub_bits-1) steps of 2^b. */
	unsigned msb = 63 - (unsigned)__builtin_clzll(v | 1);
	if (msb < sub_bits)
		return (unsigned)v;
	unsigned b = msb - sub_bits + 1;
	unsigned half = 1u << (sub_bits - 1);
	return (1u << sub_bits) + (b - 1) * half + (unsigned)((v >> b) - half);
}

/* Highest value that falls into slot i. */
uint64_t hist_slot_high(unsigned sub_bits, unsigned i);

static inline void hist_record(struct hist *h, uint64_t v)
{
	h->total++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (v >> HIST_RANGE_BITS)
		h->above++;
	else
		h->counts[hist_slot(h->sub_bits, v)]++;
}

#endif
