/*
 * Headline figures of a result object (docs/results.md): the numbers a person reads
 * first, by result kind, with the dotted path where each lives in hpcbench.result/1.
 * One table serves the repeat summaries (mean and 95 % CI of each figure over trials),
 * the `results` table and `results --csv`, so a figure is named once.
 *
 * Also the statistics of a set of trial values: mean, standard deviation, min, max and
 * the two-sided 95 % confidence interval of the mean, mean +- t(0.975, n-1) * s / sqrt(n)
 * with s the sample standard deviation (Student t).
 */
#ifndef HPCBENCH_LOAD_FIGURES_H
#define HPCBENCH_LOAD_FIGURES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What a result measures, from the sections it holds. */
enum load_kind {
	LOAD_KIND_REQUESTS, /* redis, http: requests/s and latency */
	LOAD_KIND_LLM,	    /* has "llm": TTFT, TPOT, tokens/s, goodput */
	LOAD_KIND_VECTOR,   /* has "vector": queries/s, recall */
	LOAD_KIND_SQL,	    /* has "sql": transactions/s */
};

struct load_figure {
	const char *key;   /* stable name: "throughput_rps", "llm.ttft_ms.p50" (= path) */
	const char *label; /* table heading: "RPS", "TTFT_P50_MS" */
	int prec;	   /* decimals in tables */
	unsigned kinds;	   /* bit (1 << enum load_kind) for the kinds whose table shows it */
	bool optional;	   /* may be absent or null in a good result (goodput without SLOs,
			      recall without truth, TTFT when nothing succeeded) */
};

/* Every headline figure, in table order; load_nfigures of them. */
extern const struct load_figure load_figures[];
extern const size_t load_nfigures;

/* The kind of a result object (a single point, not a sweep wrapper). */
enum load_kind load_result_kind(json_t *result);
/* "requests", "llm", "vector", "sql". */
const char *load_kind_name(enum load_kind k);

/*
 * The number at f->key's dotted path in result: 0 with *out set, 1 when the path is
 * absent or null (nothing measured: an LLM run without SLOs has no goodput), -1 when
 * something is there but is not a number (a file this build cannot read).
 */
int load_figure_get(json_t *result, const struct load_figure *f, double *out);
/* The value at a dotted path ("a.b.c"), or NULL. */
json_t *load_json_path(json_t *root, const char *path);

struct load_trial_stats {
	unsigned n;
	double mean, stddev, min, max;
	bool have_ci;		/* n >= 2 */
	double ci_low, ci_high; /* 95 % CI of the mean (Student t) */
	double ci_half;		/* t * s / sqrt(n) */
};

/* Statistics of v[0..n-1] (n >= 1). */
void load_trial_stats(const double *v, unsigned n, struct load_trial_stats *s);
/* The 0.975 quantile of Student's t with df degrees of freedom (df >= 1). */
double load_student_t975(unsigned df);

#endif
