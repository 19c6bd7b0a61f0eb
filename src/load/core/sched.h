/*
 * Open-loop arrival schedules and the seeded random numbers behind them. Each worker
 * owns one schedule for its share of the rate; gaps are drawn from a per-thread
 * xoshiro256** generator seeded from (--seed, thread index), so a run is reproducible.
 */
#ifndef HPCBENCH_LOAD_SCHED_H
#define HPCBENCH_LOAD_SCHED_H

#include <stdint.h>

#include "load/core/opts.h"

struct load_rng {
	uint64_t s[4];
};

/* Seeds rng from seed and stream (e.g. thread index) through splitmix64. */
void load_rng_seed(struct load_rng *rng, uint64_t seed, uint64_t stream);
/* Next 64 random bits. */
uint64_t load_rng_next(struct load_rng *rng);
/* Uniform double in (0, 1]. */
double load_rng_unit(struct load_rng *rng);
/* Uniform integer in [0, n) (n >= 1), without modulo bias worth noticing (n < 2^32). */
uint64_t load_rng_below(struct load_rng *rng, uint64_t n);
/* Standard normal deviate (Box-Muller, one of the pair). */
double load_rng_normal(struct load_rng *rng);
/* Gamma(shape k, scale 1) deviate (Marsaglia-Tsang; k < 1 by boosting). */
double load_rng_gamma(struct load_rng *rng, double k);

struct load_sched {
	enum load_arrival arrival;
	double mean_gap_ns; /* 1e9 / rate */
	double shape;	    /* gamma shape */
	double next;	    /* next deadline, ns (double keeps fractional gaps exact) */
	struct load_rng rng;
};

/* Starts a schedule at start_ns for rate requests/s. */
void load_sched_init(struct load_sched *s, enum load_arrival arrival, double rate,
		     double burstiness, uint64_t seed, uint64_t stream, uint64_t start_ns);
/* The next deadline (CLOCK_MONOTONIC ns). */
static inline uint64_t load_sched_peek(const struct load_sched *s)
{
	return (uint64_t)s->next;
}
/* Moves to the following deadline. */
void load_sched_advance(struct load_sched *s);

#endif
