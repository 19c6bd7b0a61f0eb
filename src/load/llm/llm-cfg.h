/*
 * The configuration of `hpcbench load llm`, shared by its modules: proto-llm.c (options,
 * the per-request hot path, reporting), llm-prepare.c (model readiness before the
 * clock) and llm-run.c (warm-up, sweeps, the search for the highest rate).
 */
#ifndef HPCBENCH_LOAD_LLM_CFG_H
#define HPCBENCH_LOAD_LLM_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/strbuf.h"
#include "common/strlist.h"
#include "load/http/http-req.h"
#include "load/llm/llm-api.h"
#include "load/llm/llm-metrics.h"
#include "load/llm/llm-workload.h"
#include "load/core/opts.h"
#include "load/core/proto.h"

/* What a --sweep dimension varies. */
enum llm_sweep_param {
	LLM_SWEEP_CONCURRENCY,
	LLM_SWEEP_RATE,
	LLM_SWEEP_INPUT_TOKENS,
	LLM_SWEEP_MAX_TOKENS,
};

#define LLM_MAX_SWEEP_DIMS 4

struct llm_sweep_dim {
	enum llm_sweep_param param;
	double *values;
	size_t n;
};

/* One rendered request (request line, headers, JSON body), sent as is. */
struct llm_wire {
	char *buf;
	size_t len;
};

struct llm_cfg {
	enum llm_api api;
	bool api_given;
	struct llm_request_opts req; /* req.model / req.extra_body point at the owned copies */
	char *model, *extra_body, *api_key;
	struct http_url url;
	char *path;		/* the request path */
	struct strlist headers; /* added to every request (auth, content type) */

	struct llm_workload_opts wl;
	bool prompts_given; /* --prompts */
	struct llm_prompt_set prompts;
	struct llm_wire *wire; /* one per prompt, rendered for the current point */
	size_t nwire;
	uint64_t prompt_base; /* where the next run starts in the prompt order */
	unsigned run_threads; /* worker threads of the current run */

	struct llm_slo slo;
	bool slo_check;
	const char *requests_out;
	FILE *requests_file; /* open during the run; workers fwrite whole lines */

	uint64_t warmup_requests;
	struct llm_sweep_dim sweep[LLM_MAX_SWEEP_DIMS];
	size_t nsweep;
	bool find_max_rate;
	unsigned find_steps; /* bisection steps after bracketing */

	bool prepare; /* check readiness (and pull for Ollama) first */
	bool pull;
	uint64_t ready_timeout_ms, pull_timeout_ms;
	bool connections_given, timeout_given, length_given;

	const char *target; /* as given */
};

/* Renders cfg->wire from cfg->prompts for max_tokens. Returns 0 or -1 with err. */
int llm_render_requests(struct llm_cfg *cfg, uint64_t max_tokens, struct strbuf *err);

/* Model readiness before the clock (llm-prepare.c): 0 or -1 with err. */
int llm_prepare(struct llm_cfg *cfg, struct strbuf *err);

/* The whole measurement (llm-run.c), for load_proto.run. */
int llm_run(void *cfg, const struct load_opts *o, const struct load_target *t, struct strbuf *text,
	    struct strbuf *json, struct strbuf *err);

struct load_result;
/* The merged LLM statistics of a finished run (NULL if there are none). */
const struct llm_stats *llm_result_stats(const struct load_result *r);
/* How far a finished run went in the prompt order (the next run starts after it). */
uint64_t llm_result_prompts_used(const struct load_result *r);

/* Requests of a run when neither -n nor -d is given. */
#define LLM_DEFAULT_REQUESTS 100

/* The most prompts made without --prompts (warm-up + requests of every point). */
#define LLM_MAX_AUTO_PROMPTS 20000

extern const struct load_proto load_proto_llm;

#endif
