/*
 * LLM serving metrics, with the definitions of vLLM's `bench serve` so that numbers
 * compare with theirs (docs/llm.md):
 *
 *   TTFT  request sent -> first chunk carrying output content (role-only chunks and
 *         empty deltas do not count)
 *   ITL   every gap between consecutive content chunks
 *   TPOT  (E2E - TTFT) / (output tokens - 1); requests with one output token excluded
 *   E2E   request sent -> last byte of the response
 *
 * Token counts are the server's (OpenAI usage, Ollama eval_count/prompt_eval_count),
 * never counted from text. One struct per worker thread, merged after the run.
 */
#ifndef HPCBENCH_LOAD_LLM_METRICS_H
#define HPCBENCH_LOAD_LLM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "common/strbuf.h"
#include "load/core/hist.h"

/* Service-level objectives (--slo); 0 = not set. */
struct llm_slo {
	double ttft_ms, tpot_ms, e2e_ms;
	double percentile; /* the percentile --slo-check and --find-max-rate judge (99) */
	bool any;
};

/* "ttft_ms=500,tpot_ms=50,e2e_ms=10000" (adds to slo). Returns 0 or -1 with err. */
int llm_slo_parse(struct llm_slo *slo, const char *spec, struct strbuf *err);

/* What one finished request measured (nanoseconds; 0 = absent). */
struct llm_sample {
	bool ok;
	uint64_t e2e_ns;
	uint64_t ttft_ns; /* 0 if no content chunk arrived */
	uint64_t chunks;  /* content chunks */
	bool has_input, has_output;
	uint64_t input_tokens, output_tokens;
	bool has_server; /* Ollama's durations */
	uint64_t srv_total_ns, srv_load_ns, srv_prompt_ns, srv_eval_ns;
	const uint64_t *itl_ns; /* gaps between consecutive content chunks */
	uint64_t nitl;
};

struct llm_stats {
	struct hist ttft, tpot, itl, e2e;
	struct hist srv_total, srv_load, srv_prompt, srv_eval, overhead;
	uint64_t ok, errors;
	uint64_t input_tokens, output_tokens;
	uint64_t with_input, with_output; /* successful requests with server counts */
	uint64_t no_output;		  /* successful requests without a content chunk */
	uint64_t chunks;
	uint64_t good;	      /* successful and within every SLO */
	uint64_t with_server; /* requests with Ollama's durations */
};

void llm_stats_init(struct llm_stats *s);
void llm_stats_release(struct llm_stats *s);
/* Records one measured request; returns true if it met every SLO of slo. */
bool llm_stats_record(struct llm_stats *s, const struct llm_sample *x, const struct llm_slo *slo);
void llm_stats_merge(struct llm_stats *dst, const struct llm_stats *src);

/*
 * Writes the members of the result's "llm" object (the caller opens and closes it);
 * duration_s is the measured window.
 */
void llm_stats_json(const struct llm_stats *s, const struct llm_slo *slo, double duration_s,
		    struct jsonw *w);
/* Appends the human summary lines. */
void llm_stats_text(const struct llm_stats *s, const struct llm_slo *slo, double duration_s,
		    struct strbuf *out);
/*
 * Checks the SLO percentiles: 0 if each given SLO holds at slo->percentile, else -1
 * with one line per miss in err (if err is non-NULL).
 */
int llm_slo_verdict(const struct llm_stats *s, const struct llm_slo *slo, struct strbuf *err);

/*
 * The fewest samples from which percentile pct says more than the maximum does:
 * 1 / (1 - pct/100), rounded up (p99: 100, p90: 10, p50: 2; p100: 1). Fewer samples
 * cannot tell whether pct of requests met an objective.
 */
uint64_t llm_percentile_min_samples(double pct);

#endif
