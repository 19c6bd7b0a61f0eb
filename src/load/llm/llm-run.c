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
 * A rate holds when nothing failed or was dropped, every SLO holds at the SLO
 * percentile, and requests left on time (the same percentile of schedule lag is under
 * 10 ms: past that, requests waited for a free connection and the SLO clocks, which
 * start at the actual send, would flatter the server).
 */
static bool rate_holds(const struct llm_cfg *cfg, const struct load_result *r, char *why,
		       size_t whylen)
{
	struct strbuf e = STRBUF_INIT;
	const struct llm_stats *s = llm_result_stats(r);
	uint64_t lag = hist_percentile(&r->stats.lag, cfg->slo.percentile);
	bool ok = false;
	if (r->stats.errors || r->stats.dropped)
		snprintf(why, whylen, "%llu errors, %llu dropped",
			 (unsigned long long)r->stats.errors, (unsigned long long)r->stats.dropped);
	else if (s && llm_slo_verdict(s, &cfg->slo, &e) < 0)
		snprintf(why, whylen, "%s", e.buf);
	else if (lag > 10000000ull)
		snprintf(why, whylen,
			 "p%g schedule lag %.1f ms: not enough connections "
			 "(raise --max-concurrency)",
			 cfg->slo.percentile, (double)lag / 1e6);
	else
		ok = true;
	strbuf_release(&e);
	return ok;
}

static int find_max_rate(struct llm_cfg *cfg, const struct load_opts *o,
			 const struct load_target *t, struct strbuf *text, struct jsonw *w,
			 struct strbuf *err)
{
	double lo = 0, hi = 0, rate = o->rate > 0 ? o->rate : 1, best_goodput = 0;
	struct strbuf results = STRBUF_INIT;
	struct jsonw rw;
	int ret = EXIT_OK, probes = 0;
	bool bracketed = false;

	jsonw_init(&rw, &results, 2);
	jsonw_arr_open(&rw, NULL);
	header_json(cfg, w);
	jsonw_obj_open(w, "find_max_rate");
	jsonw_arr_open(w, "probes");
	/* Bracket: double while it holds, halve while it does not; then bisect. */
	for (unsigned step = 0; !load_stop_requested; step++) {
		struct load_opts po = *o;
		struct load_result r;
		char why[300] = "";
		int verdict;
		bool held;

		po.rate = rate;
		strbuf_addf(text, "== rate %.3f req/s ==\n", rate);
		if (one_point(cfg, &po, t, text, &rw, &r, &verdict, NULL, err) < 0) {
			ret = -1;
			break;
		}
		probes++;
		held = rate_holds(cfg, &r, why, sizeof(why));
		strbuf_addf(text, "  -> %s%s%s\n", held ? "holds" : "does not hold",
			    held ? "" : ": ", why);
		jsonw_obj_open(w, NULL);
		jsonw_double(w, "rate", rate, 3);
		jsonw_bool(w, "holds", held);
		jsonw_double(w, "throughput_rps", load_result_rps(&r), 3);
		if (!held)
			jsonw_str(w, "why", why);
		jsonw_close(w);
		if (held) {
			const struct llm_stats *s = llm_result_stats(&r);
			lo = rate;
			if (s && r.duration_s > 0)
				best_goodput = (double)s->good / r.duration_s;
		} else {
			hi = rate;
		}
		load_result_release(&r);
		if (!bracketed) {
			if (held && hi == 0 && step < 24) {
				rate *= 2;
				continue;
			}
			if (!held && lo == 0 && step < 12) {
				rate /= 2;
				continue;
			}
			bracketed = true;
			step = 0;
		}
		if (lo == 0 || hi == 0 || step >= cfg->find_steps)
			break;
		rate = (lo + hi) / 2;
	}
	jsonw_close(w);
	if (lo > 0) {
		jsonw_double(w, "max_rate", lo, 3);
		jsonw_double(w, "goodput_rps", best_goodput, 3);
	} else {
		jsonw_null(w, "max_rate");
	}
	if (hi > 0)
		jsonw_double(w, "lowest_failing_rate", hi, 3);
	else
		jsonw_null(w, "lowest_failing_rate");
	jsonw_u64(w, "probes", (uint64_t)probes);
	jsonw_close(w);
	jsonw_close(&rw);
	jsonw_raw(w, "results", results.buf);
	strbuf_release(&results);
	if (ret < 0)
		return ret;
	if (lo > 0) {
		strbuf_addf(text,
			    "highest rate with the SLOs met: %.3f req/s (goodput %.3f req/s)\n", lo,
			    best_goodput);
		return EXIT_OK;
	}
	error(err, "no rate down to %.3f req/s met the SLOs", hi);
	return EXIT_FAILED;
}

int llm_run(void *p, const struct load_opts *o, const struct load_target *t, struct strbuf *text,
	    struct strbuf *json, struct strbuf *err)
{
	struct llm_cfg *cfg = p;
	struct jsonw w;
	int ret = -1;

	if (cfg->requests_out) {
		cfg->requests_file = fopen(cfg->requests_out, "w");
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
