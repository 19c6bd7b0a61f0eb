#include "load/core/sched.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void load_rng_seed(struct load_rng *rng, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t load_rng_next(struct load_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double load_rng_unit(struct load_rng *rng)
{
	/* 53 random bits, shifted to (0, 1] so that log() is always finite. */
	return ((double)(load_rng_next(rng) >> 11) + 1.0) * 0x1.0p-53;
}

uint64_t load_rng_below(struct load_rng *rng, uint64_t n)
{
	/* Lemire's multiply-shift: the bias is n / 2^64, far below anything measurable. */
	return (uint64_t)(((unsigned __int128)load_rng_next(rng) * n) >> 64);
}

double load_rng_normal(struct load_rng *rng)
{
	double u1 = load_rng_unit(rng), u2 = load_rng_unit(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double load_rng_gamma(struct load_rng *rng, double k)
{
	if (k < 1.0) {
		/* Gamma(k) = Gamma(k + 1) * U^(1/k). */
		double u = load_rng_unit(rng);
		return load_rng_gamma(rng, k + 1.0) * pow(u, 1.0 / k);
	}
	double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		double x, v, u;
		do {
			x = load_rng_normal(rng);
			v = 1.0 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = load_rng_unit(rng);
		if (u < 1.0 - 0.0331 * x * x * x * x)
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
			return d * v;
	}
}

/* The gap to the next deadline, ns. */
static double next_gap(struct load_sched *s)
{
	switch (s->arrival) {
	case LOAD_ARRIVAL_POISSON:
		return -log(load_rng_unit(&s->rng)) * s->mean_gap_ns;
	case LOAD_ARRIVAL_GAMMA:
		/* Shape k, scale mean/k: mean gap unchanged, coefficient of variation 1/sqrt(k). */
		return load_rng_gamma(&s->rng, s->shape) * s->mean_gap_ns / s->shape;
	default:
		return s->mean_gap_ns;
	}
}

void load_sched_init(struct load_sched *s, enum load_arrival arrival, double rate,
		     double burstiness, uint64_t seed, uint64_t stream, uint64_t start_ns)
{
	s->arrival = arrival;
	s->mean_gap_ns = 1e9 / rate;
	s->shape = burstiness > 0 ? burstiness : 1.0;
	load_rng_seed(&s->rng, seed, stream);
	/* The first request goes at a random point of its gap for random arrivals, so
	 * that threads do not all fire at once; a constant schedule starts at once. */
	s->next = (double)start_ns;
	if (arrival != LOAD_ARRIVAL_CONSTANT)
		s->next += next_gap(s);
}

void load_sched_advance(struct load_sched *s)
{
	s->next += next_gap(s);
}
