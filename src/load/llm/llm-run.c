/*
 * The measurement of `hpcbench load llm` (load_proto.run): warm-up requests, then one
 * run, a sweep (one run per point of a grid of concurrency, rate, input and output
 * lengths), or a search for the highest rate at which the SLOs hold.
 *
 * A single run writes the usual result object. A sweep or a search writes one object
 * with the common header (schema, tool, client, started_at), the points, and one full
 * result object per point under "results".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/version.h"
#include "common/xalloc.h"
#include "load/llm/llm-cfg.h"
#include "load/core/run.h"
#include "load/core/worker.h"

/* load_run, keeping the prompt order going from one run to the next. */
static int run_llm(struct llm_cfg *cfg, const struct load_opts *o, const struct load_target *t,
		   struct load_result *r, struct strbuf *err)
{
	cfg->run_threads = o->threads;
	if (load_run(&load_proto_llm, cfg, o, t, r, err) < 0)
		return -1;
	cfg->prompt_base += llm_result_prompts_used(r);
	return 0;
}

/* Requests before the measurement, in a throwaway run of their own. */
static int warmup(struct llm_cfg *cfg, const struct load_opts *o, const struct load_target *t,
		  struct strbuf *err)
{
	struct load_opts w = *o;
	struct load_result r;
	FILE *keep = cfg->requests_file;
	w.requests = cfg->warmup_requests;
	w.duration_us = 0;
	w.warmup_us = 0;
	w.rate = 0;
	w.json_path = NULL;
	w.progress = 0;
	if (w.connections > w.requests)
		w.connections = (unsigned)w.requests;
	if (w.threads > w.connections)
		w.threads = w.connections;
	cfg->requests_file = NULL; /* warm-up requests are not in --requests-out */
	int ret = run_llm(cfg, &w, t, &r, err);
	cfg->requests_file = keep;
	if (ret < 0)
		return -1;
	if (r.stats.errors)
		log_warn("warm-up: %llu of %llu requests failed",
			 (unsigned long long)r.stats.errors, (unsigned long long)r.stats.sent);
	load_result_release(&r);
	return 0;
}

/*
 * Runs one point: appends its summary to text and its result object to w; *verdict
 * gets its exit status, with the reason in verdict_err (or, when NULL, in text).
 */
static int one_point(struct llm_cfg *cfg, const struct load_opts *o, const struct load_target *t,
		     struct strbuf *text, struct jsonw *w, struct load_result *r, int *verdict,
		     struct strbuf *verdict_err, struct strbuf *err)
{
	struct strbuf v = STRBUF_INIT;
	if (run_llm(cfg, o, t, r, err) < 0)
		return -1;
	load_result_text(r, text);
	load_result_json(r, w, NULL);
	*verdict = load_result_verdict(r, verdict_err ? verdict_err : &v);
	if (*verdict != EXIT_OK && !verdict_err)
		strbuf_addf(text, "  verdict: %s\n", v.buf);
	strbuf_release(&v);
	return 0;
}

static void header_json(const struct llm_cfg *cfg, struct jsonw *w)
{
	struct strbuf ts = STRBUF_INIT;
	jsonw_str(w, "schema", "hpcbench.result/1");
	jsonw_obj_open(w, "tool");
	jsonw_str(w, "name", "hpcbench");
	jsonw_str(w, "version", HPCBENCH_VERSION);
	jsonw_close(w);
	jsonw_obj_open(w, "client");
	jsonw_str(w, "protocol", "llm");
	jsonw_str(w, "target", cfg->target);
	jsonw_close(w);
	rfc3339_append(&ts, wall_ns());
	jsonw_str(w, "started_at", ts.buf);
	strbuf_release(&ts);
}

static const char *param_name(enum llm_sweep_param p)
{
	static const char *const names[] = {
		[LLM_SWEEP_CONCURRENCY] = "concurrency",
		[LLM_SWEEP_RATE] = "rate",
		[LLM_SWEEP_INPUT_TOKENS] = "input_tokens",
		[LLM_SWEEP_MAX_TOKENS] = "max_tokens",
	};
	return names[p];
}

/* Applies value v of param to the run's options and config; re-renders prompts if needed. */
static int apply(struct llm_cfg *cfg, struct load_opts *o, enum llm_sweep_param p, double v,
		 bool *rerender)
{
	switch (p) {
	case LLM_SWEEP_CONCURRENCY:
		o->connections = (unsigned)v;
		if (o->threads > o->connections)
			o->threads = o->connections;
		break;
	case LLM_SWEEP_RATE:
		o->rate = v;
		break;
	case LLM_SWEEP_INPUT_TOKENS:
		if (cfg->wl.input_tokens != (uint64_t)v)
			*rerender = true;
		cfg->wl.input_tokens = (uint64_t)v;
		break;
	case LLM_SWEEP_MAX_TOKENS:
		if (cfg->req.max_tokens != (uint64_t)v)
			*rerender = true;
		cfg->req.max_tokens = (uint64_t)v;
		break;
	}
	return 0;
}

static double p_ms(const struct hist *h, double q)
{
	return (double)hist_percentile(h, q) / 1e6;
}

/* One line of the table that ends a sweep's summary. */
static void table_row(struct strbuf *tb, const char *point, const struct load_result *r)
{
	const struct llm_stats *s = llm_result_stats(r);
	strbuf_addf(tb, "  %-28s %6llu/%-6llu %9.2f", point, (unsigned long long)r->stats.ok,
		    (unsigned long long)r->stats.sent, load_result_rps(r));
	if (!s) {
		strbuf_addch(tb, '\n');
		return;
	}
	strbuf_addf(tb, " %9.1f %9.1f %9.2f %9.2f %9.1f %10.1f\n", p_ms(&s->ttft, 50),
		    p_ms(&s->ttft, 99), p_ms(&s->tpot, 50), p_ms(&s->itl, 50), p_ms(&s->e2e, 50),
		    s->with_output && r->duration_s > 0 ? (double)s->output_tokens / r->duration_s
							: 0);
}

static int sweep(struct llm_cfg *cfg, const struct load_opts *o, const struct load_target *t,
		 struct strbuf *text, struct jsonw *w, struct strbuf *err)
{
	size_t idx[LLM_MAX_SWEEP_DIMS] = { 0 }, npoints = 1;
	int ret = EXIT_OK;
	struct strbuf results = STRBUF_INIT, table = STRBUF_INIT, point = STRBUF_INIT;
	struct jsonw rw;

	for (size_t d = 0; d < cfg->nsweep; d++)
		npoints *= cfg->sweep[d].n;
	jsonw_init(&rw, &results, 2);
	header_json(cfg, w);
	jsonw_obj_open(w, "sweep");
	jsonw_obj_open(w, "parameters");
	for (size_t d = 0; d < cfg->nsweep; d++) {
		jsonw_arr_open(w, param_name(cfg->sweep[d].param));
		for (size_t i = 0; i < cfg->sweep[d].n; i++)
			jsonw_double(w, NULL, cfg->sweep[d].values[i], -1);
		jsonw_close(w);
	}
	jsonw_close(w);
	jsonw_arr_open(w, "points");
	jsonw_arr_open(&rw, NULL);
	for (size_t pt = 0; pt < npoints && !load_stop_requested; pt++) {
		struct load_opts po = *o;
		struct load_result r;
		bool rerender = false;
		int verdict;

		po.point = (unsigned)pt + 1;
		po.npoints = (unsigned)npoints;

		/* The point's coordinates: the last dimension varies fastest. */
		size_t rest = pt;
		for (size_t d = cfg->nsweep; d-- > 0;) {
			idx[d] = rest % cfg->sweep[d].n;
			rest /= cfg->sweep[d].n;
		}
		strbuf_reset(&point);
		jsonw_obj_open(w, NULL);
		for (size_t d = 0; d < cfg->nsweep; d++) {
			double v = cfg->sweep[d].values[idx[d]];
			apply(cfg, &po, cfg->sweep[d].param, v, &rerender);
			strbuf_addf(&point, "%s%s=%g", d ? " " : "",
				    param_name(cfg->sweep[d].param), v);
			jsonw_double(w, param_name(cfg->sweep[d].param), v, -1);
		}
		jsonw_close(w);
		strbuf_addf(text, "== point %s ==\n", point.buf);
		if (rerender) {
			llm_prompt_set_release(&cfg->prompts);
			if (llm_workload_build(&cfg->prompts, &cfg->wl, err) < 0 ||
			    llm_render_requests(cfg, cfg->req.max_tokens, err) < 0) {
				ret = -1;
				break;
			}
		}
		if (one_point(cfg, &po, t, text, &rw, &r, &verdict, NULL, err) < 0) {
			ret = -1;
			break;
		}
		if (verdict != EXIT_OK)
			ret = EXIT_FAILED;
		table_row(&table, point.buf, &r);
		load_result_release(&r);
	}
	strbuf_addf(text,
		    "== sweep (ms; tokens/s) ==\n  %-28s %13s %9s %9s %9s %9s %9s %9s %10s\n%s",
		    "point", "ok/sent", "req/s", "TTFT p50", "TTFT p99", "TPOT p50", "ITL p50",
		    "E2E p50", "out tok/s", table.buf);
	strbuf_release(&table);
	strbuf_release(&point);
	jsonw_close(w); /* points */
	jsonw_close(w); /* sweep */
	jsonw_close(&rw);
	jsonw_raw(w, "results", results.buf);
	strbuf_release(&results);
	if (ret == EXIT_FAILED)
		error(err, "some sweep points failed (see their verdicts above)");
	return ret;
}

/*
 * What a probe of --find-max-rate must show to hold, besides the SLOs. They are written
 * into the result ("criteria") and docs/llm.md. The answer is an offered rate whose
 * probe delivered it, so it is never more than 1 / (1 - tolerance) times a measured
 * throughput.
 */
#define FIND_RATE_TOLERANCE 0.10 /* throughput at least 90% of the offered rate */
#define FIND_MAX_LAG_MS 10.0	 /* schedule lag at the SLO percentile */
#define FIND_MAX_DOUBLINGS 24	 /* bracketing upwards: at most start * 2^24 */
#define FIND_MAX_HALVINGS 12	 /* bracketing downwards */

enum probe_outcome {
	PROBE_HOLDS,
	PROBE_FAILS,
	PROBE_TOO_FEW, /* too few requests to judge the percentile: neither */
};

static const char *const outcome_names[] = {
	[PROBE_HOLDS] = "holds",
	[PROBE_FAILS] = "does not hold",
	[PROBE_TOO_FEW] = "cannot be judged",
};

/*
 * Judges a probe at the offered rate. It holds when the load asked for was delivered
 * and served within the objectives: no request failed or was dropped; enough requests
 * succeeded to judge the SLO percentile; every SLO holds at that percentile; requests
 * left on time (that percentile of schedule lag under 10 ms: past it they waited for a
 * free connection, and the SLO clocks, which start at the actual send, would flatter
 * the server); and the throughput over the measured window reached 90% of the offered
 * rate (a run of a few requests at a huge rate sends a burst, not that rate, and one
 * whose window is short next to a request's latency never reaches a steady state).
 */
static enum probe_outcome judge_probe(const struct llm_cfg *cfg, const struct load_result *r,
				      double rate, char *why, size_t whylen)
{
	struct strbuf e = STRBUF_INIT;
	const struct llm_stats *s = llm_result_stats(r);
	double pct = cfg->slo.percentile, rps = load_result_rps(r);
	double lag_ms = (double)hist_percentile(&r->stats.lag, pct) / 1e6;
	uint64_t need = llm_percentile_min_samples(pct);
	enum probe_outcome out = PROBE_FAILS;

	if (r->stats.errors || r->stats.dropped)
		snprintf(why, whylen, "%llu errors, %llu dropped",
			 (unsigned long long)r->stats.errors, (unsigned long long)r->stats.dropped);
	else if (r->stats.ok < need) {
		snprintf(why, whylen, "%llu requests: p%g needs at least %llu",
			 (unsigned long long)r->stats.ok, pct, (unsigned long long)need);
		out = PROBE_TOO_FEW;
	} else if (s && llm_slo_verdict(s, &cfg->slo, &e) < 0)
		snprintf(why, whylen, "%s", e.buf);
	else if (lag_ms > FIND_MAX_LAG_MS)
		snprintf(why, whylen,
			 "p%g schedule lag %.1f ms: not enough connections "
			 "(raise --max-concurrency)",
			 pct, lag_ms);
	else if (rps < (1 - FIND_RATE_TOLERANCE) * rate)
		snprintf(why, whylen,
			 "delivered %.3f req/s of the %.3f asked (under %.0f%%) in a %.3f s "
			 "window%s",
			 rps, rate, 100 * (1 - FIND_RATE_TOLERANCE), r->duration_s,
			 r->opts->requests ? ": the server fell behind, or the run is too short "
					     "next to a request's latency (raise -n or use -d)"
					   : "");
	else
		out = PROBE_HOLDS;
	strbuf_release(&e);
	return out;
}

/* The "criteria" and "method" members: how the answer was found, in the result. */
static void search_json(const struct llm_cfg *cfg, double start, struct jsonw *w)
{
	struct strbuf m = STRBUF_INIT;
	jsonw_obj_open(w, "criteria");
	jsonw_double(w, "slo_percentile", cfg->slo.percentile, -1);
	jsonw_u64(w, "min_requests", llm_percentile_min_samples(cfg->slo.percentile));
	jsonw_double(w, "min_throughput_fraction", 1 - FIND_RATE_TOLERANCE, -1);
	jsonw_double(w, "max_schedule_lag_ms", FIND_MAX_LAG_MS, -1);
	jsonw_bool(w, "no_errors_or_drops", true);
	jsonw_close(w);
	strbuf_addf(&m,
		    "offered rates from %g req/s, doubled while a probe held (at most %d times) "
		    "and halved while none had (at most %d times), then bisected %u times "
		    "between the highest rate that held and the lowest that did not; max_rate is "
		    "the highest offered rate whose probe held",
		    start, FIND_MAX_DOUBLINGS, FIND_MAX_HALVINGS, cfg->find_steps);
	jsonw_str(w, "method", m.buf);
	strbuf_release(&m);
}

static int find_max_rate(struct llm_cfg *cfg, const struct load_opts *o,
			 const struct load_target *t, struct strbuf *text, struct jsonw *w,
			 struct strbuf *err)
{
	double start = o->rate > 0 ? o->rate : 1, rate = start;
	double lo = 0, hi = 0, best_goodput = 0, best_rps = 0;
	struct strbuf results = STRBUF_INIT, stop = STRBUF_INIT;
	struct jsonw rw;
	int ret = EXIT_OK;
	unsigned doublings = 0, halvings = 0, steps = 0;
	bool bracketed = false;

	jsonw_init(&rw, &results, 2);
	jsonw_arr_open(&rw, NULL);
	header_json(cfg, w);
	jsonw_obj_open(w, "find_max_rate");
	search_json(cfg, start, w);
	jsonw_arr_open(w, "probes");
	/* Bracket: double while it holds, halve while it does not; then bisect. */
	while (!load_stop_requested) {
		struct load_opts po = *o;
		struct load_result r;
		char why[400] = "";
		enum probe_outcome out;
		int verdict;

		po.rate = rate;
		strbuf_addf(text, "== rate %.3f req/s ==\n", rate);
		if (one_point(cfg, &po, t, text, &rw, &r, &verdict, NULL, err) < 0) {
			ret = -1;
			break;
		}
		out = judge_probe(cfg, &r, rate, why, sizeof(why));
		strbuf_addf(text, "  -> %s%s%s\n", outcome_names[out], *why ? ": " : "", why);
		jsonw_obj_open(w, NULL);
		jsonw_double(w, "rate", rate, 3);
		jsonw_bool(w, "holds", out == PROBE_HOLDS);
		jsonw_str(w, "outcome",
			  out == PROBE_HOLDS   ? "holds"
			  : out == PROBE_FAILS ? "fails"
					       : "too_few_requests");
		jsonw_u64(w, "requests_ok", r.stats.ok);
		jsonw_double(w, "duration_s", r.duration_s, 3);
		jsonw_double(w, "throughput_rps", load_result_rps(&r), 3);
		if (out != PROBE_HOLDS)
			jsonw_str(w, "why", why);
		jsonw_close(w);
		if (out == PROBE_HOLDS && rate > lo) {
			const struct llm_stats *s = llm_result_stats(&r);
			lo = rate;
			best_rps = load_result_rps(&r);
			best_goodput = s && r.duration_s > 0 ? (double)s->good / r.duration_s : 0;
		} else if (out == PROBE_FAILS && (hi == 0 || rate < hi)) {
			hi = rate;
		}
		load_result_release(&r);
		if (out == PROBE_TOO_FEW) {
			/* With -d a higher rate brings more requests; lower never helps. */
			if (hi == 0 && !bracketed && doublings < FIND_MAX_DOUBLINGS) {
				doublings++;
				rate *= 2;
				continue;
			}
			strbuf_addf(&stop, "the probe at %.3f req/s could not be judged (%s)", rate,
				    why);
			break;
		}
		if (!bracketed) {
			if (out == PROBE_HOLDS && hi == 0 && doublings < FIND_MAX_DOUBLINGS) {
				doublings++;
				rate *= 2;
				continue;
			}
			if (out == PROBE_FAILS && lo == 0 && halvings < FIND_MAX_HALVINGS) {
				halvings++;
				rate /= 2;
				continue;
			}
			bracketed = true;
		}
		if (lo == 0 || hi == 0 || steps >= cfg->find_steps)
			break;
		steps++;
		rate = (lo + hi) / 2;
	}
	jsonw_close(w); /* probes */
	if (lo > 0) {
		jsonw_double(w, "max_rate", lo, 3);
		jsonw_double(w, "max_rate_throughput_rps", best_rps, 3);
		jsonw_double(w, "goodput_rps", best_goodput, 3);
	} else {
		jsonw_null(w, "max_rate");
		jsonw_null(w, "max_rate_throughput_rps");
		jsonw_null(w, "goodput_rps");
	}
	if (hi > 0)
		jsonw_double(w, "lowest_failing_rate", hi, 3);
	else
		jsonw_null(w, "lowest_failing_rate");
	/* Without a failing rate above it, max_rate is a lower bound of the capacity. */
	jsonw_bool(w, "bracketed", lo > 0 && hi > lo);
	if (stop.len)
		jsonw_str(w, "stopped", stop.buf);
	jsonw_close(w);
	jsonw_close(&rw);
	jsonw_raw(w, "results", results.buf);
	strbuf_release(&results);
	if (ret < 0)
		goto out;
	if (lo > 0) {
		strbuf_addf(text,
			    "highest rate with the SLOs met: %.3f req/s offered, %.3f req/s "
			    "delivered (goodput %.3f req/s)\n",
			    lo, best_rps, best_goodput);
		if (hi > lo)
			strbuf_addf(text, "  lowest rate that failed: %.3f req/s\n", hi);
		else
			strbuf_addf(text, "  no higher rate was shown to fail: the capacity is at "
					  "least this\n");
		if (stop.len)
			strbuf_addf(text, "  search stopped: %s\n", stop.buf);
		ret = EXIT_OK;
	} else if (stop.len) {
		error(err, "no rate held: %s", stop.buf);
		ret = EXIT_FAILED;
	} else {
		error(err, "no rate down to %.3f req/s met the SLOs", hi);
		ret = EXIT_FAILED;
	}
out:
	strbuf_release(&stop);
	return ret;
}

int llm_run(void *p, const struct load_opts *o, const struct load_target *t, struct strbuf *text,
	    struct strbuf *json, struct strbuf *err)
{
	struct llm_cfg *cfg = p;
	struct jsonw w;
	int ret = -1;

	if (cfg->requests_out) {
		/* Trials after the first (--repeat) add their requests to the same file. */
		cfg->requests_file = fopen(cfg->requests_out, o->trial > 1 ? "a" : "w");
		if (!cfg->requests_file)
			return error(err, "%s: cannot write: %m", cfg->requests_out);
	}
	if (cfg->warmup_requests && warmup(cfg, o, t, err) < 0)
		goto out;
	jsonw_init(&w, json, 2);
	if (cfg->find_max_rate) {
		jsonw_obj_open(&w, NULL);
		ret = find_max_rate(cfg, o, t, text, &w, err);
		jsonw_close(&w);
	} else if (cfg->nsweep) {
		jsonw_obj_open(&w, NULL);
		ret = sweep(cfg, o, t, text, &w, err);
		jsonw_close(&w);
	} else {
		struct load_result r;
		if (one_point(cfg, o, t, text, &w, &r, &ret, err, err) < 0) {
			ret = -1;
			goto out;
		}
		load_result_release(&r);
	}
	strbuf_addch(json, '\n');
out:
	if (cfg->requests_file && fclose(cfg->requests_file) && ret == EXIT_OK)
		ret = error(err, "%s: write failed", cfg->requests_out);
	cfg->requests_file = NULL;
	return ret;
}
