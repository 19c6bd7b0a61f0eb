/* LLM serving metrics: see llm-metrics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "load/core/hist-json.h"
#include "load/llm/llm-metrics.h"

int llm_slo_parse(struct llm_slo *slo, const char *spec, struct strbuf *err)
{
	char *copy = xstrdup(spec), *save = NULL, *item;
	int ret = 0;
	for (item = strtok_r(copy, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		double v;
		if (!eq) {
			ret = error(err, "--slo: '%s' is not NAME=MILLISECONDS", item);
			break;
		}
		*eq = 0;
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !(v > 0)) {
			ret = error(err, "--slo: %s: '%s' is not a positive number of milliseconds",
				    item, eq + 1);
			break;
		}
		if (!strcmp(item, "ttft_ms"))
			slo->ttft_ms = v;
		else if (!strcmp(item, "tpot_ms"))
			slo->tpot_ms = v;
		else if (!strcmp(item, "e2e_ms"))
			slo->e2e_ms = v;
		else
			ret = error(err, "--slo: unknown metric '%s' (ttft_ms, tpot_ms, e2e_ms)",
				    item);
		slo->any = true;
	}
	free(copy);
	return ret;
}

static struct hist *all_hists(struct llm_stats *s, size_t i)
{
	struct hist *h[] = { &s->ttft,	   &s->tpot,	   &s->itl,	 &s->e2e,     &s->srv_total,
			     &s->srv_load, &s->srv_prompt, &s->srv_eval, &s->overhead };
	return i < ARRAY_SIZE(h) ? h[i] : NULL;
}

void llm_stats_init(struct llm_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; all_hists(s, i); i++)
		hist_init(all_hists(s, i), HIST_PRECISE_BITS);
}

void llm_stats_release(struct llm_stats *s)
{
	for (size_t i = 0; all_hists(s, i); i++)
		hist_release(all_hists(s, i));
}

void llm_stats_merge(struct llm_stats *dst, const struct llm_stats *src)
{
	struct llm_stats *s = (struct llm_stats *)src;
	for (size_t i = 0; all_hists(dst, i); i++)
		hist_merge(all_hists(dst, i), all_hists(s, i));
	dst->ok += src->ok;
	dst->errors += src->errors;
	dst->input_tokens += src->input_tokens;
	dst->output_tokens += src->output_tokens;
	dst->with_input += src->with_input;
	dst->with_output += src->with_output;
	dst->no_output += src->no_output;
	dst->chunks += src->chunks;
	dst->good += src->good;
	dst->with_server += src->with_server;
}

bool llm_stats_record(struct llm_stats *s, const struct llm_sample *x, const struct llm_slo *slo)
{
	uint64_t tpot = 0;
	bool good;

	if (!x->ok) {
		s->errors++;
		return false;
	}
	s->ok++;
	hist_record(&s->e2e, x->e2e_ns);
	if (x->chunks) {
		hist_record(&s->ttft, x->ttft_ns);
		s->chunks += x->chunks;
	} else {
		s->no_output++;
	}
	for (uint64_t i = 0; i < x->nitl; i++)
		hist_record(&s->itl, x->itl_ns[i]);
	if (x->has_input) {
		s->with_input++;
		s->input_tokens += x->input_tokens;
	}
	if (x->has_output) {
		s->with_output++;
		s->output_tokens += x->output_tokens;
		if (x->output_tokens > 1 && x->chunks) {
			tpot = (x->e2e_ns - x->ttft_ns) / (x->output_tokens - 1);
			hist_record(&s->tpot, tpot);
		}
	}
	if (x->has_server) {
		s->with_server++;
		hist_record(&s->srv_total, x->srv_total_ns);
		hist_record(&s->srv_load, x->srv_load_ns);
		hist_record(&s->srv_prompt, x->srv_prompt_ns);
		hist_record(&s->srv_eval, x->srv_eval_ns);
		/* What the network and the client add to the server's own time. */
		hist_record(&s->overhead,
			    x->e2e_ns > x->srv_total_ns ? x->e2e_ns - x->srv_total_ns : 0);
	}
	good = (!slo->ttft_ms || (x->chunks && (double)x->ttft_ns <= slo->ttft_ms * 1e6)) &&
	       (!slo->tpot_ms || (double)tpot <= slo->tpot_ms * 1e6) &&
	       (!slo->e2e_ms || (double)x->e2e_ns <= slo->e2e_ms * 1e6);
	if (good)
		s->good++;
	return good;
}

/* {mean, p50, p90, p95, p99, max} in milliseconds, or null when nothing was recorded. */
static void ms_summary(struct jsonw *w, const char *key, const struct hist *h)
{
	static const struct {
		const char *name;
		double q;
	} pct[] = { { "p50", 50 }, { "p90", 90 }, { "p95", 95 }, { "p99", 99 } };
	if (!h->total) {
		jsonw_null(w, key);
		return;
	}
	jsonw_obj_open(w, key);
	jsonw_double(w, "mean", hist_mean(h) / 1e6, 3);
	for (size_t i = 0; i < ARRAY_SIZE(pct); i++)
		jsonw_double(w, pct[i].name, (double)hist_percentile(h, pct[i].q) / 1e6, 3);
	jsonw_double(w, "max", (double)h->max / 1e6, 3);
	jsonw_u64(w, "count", h->total);
	hist_json_write(w, "histogram", h);
	jsonw_close(w);
}

/* "server", "partial" (some successful requests lacked counts) or "absent". */
static const char *count_source(uint64_t with, uint64_t ok)
{
	return !with ? "absent" : with == ok ? "server" : "partial";
}

void llm_stats_json(const struct llm_stats *s, const struct llm_slo *slo, double duration_s,
		    struct jsonw *w)
{
	ms_summary(w, "ttft_ms", &s->ttft);
	ms_summary(w, "tpot_ms", &s->tpot);
	ms_summary(w, "itl_ms", &s->itl);
	ms_summary(w, "e2e_ms", &s->e2e);
	if (s->with_input)
		jsonw_u64(w, "input_tokens", s->input_tokens);
	else
		jsonw_null(w, "input_tokens");
	if (s->with_output)
		jsonw_u64(w, "output_tokens", s->output_tokens);
	else
		jsonw_null(w, "output_tokens");
	jsonw_obj_open(w, "token_counts");
	jsonw_str(w, "input", count_source(s->with_input, s->ok));
	jsonw_str(w, "output", count_source(s->with_output, s->ok));
	jsonw_u64(w, "requests_with_counts", s->with_output);
	jsonw_close(w);
	if (s->with_output && duration_s > 0) {
		jsonw_double(w, "output_tokens_per_s", (double)s->output_tokens / duration_s, 3);
		jsonw_double(w, "total_tokens_per_s",
			     (double)(s->output_tokens + s->input_tokens) / duration_s, 3);
	} else {
		jsonw_null(w, "output_tokens_per_s");
		jsonw_null(w, "total_tokens_per_s");
	}
	jsonw_u64(w, "content_chunks", s->chunks);
	jsonw_u64(w, "requests_without_output", s->no_output);
	if (slo->any) {
		jsonw_double(w, "goodput_rps", duration_s > 0 ? (double)s->good / duration_s : 0,
			     3);
		jsonw_obj_open(w, "slo");
		if (slo->ttft_ms)
			jsonw_double(w, "ttft_ms", slo->ttft_ms, -1);
		if (slo->tpot_ms)
			jsonw_double(w, "tpot_ms", slo->tpot_ms, -1);
		if (slo->e2e_ms)
			jsonw_double(w, "e2e_ms", slo->e2e_ms, -1);
		jsonw_double(w, "percentile", slo->percentile, -1);
		jsonw_u64(w, "requests_within", s->good);
		jsonw_bool(w, "met", llm_slo_verdict(s, slo, NULL) == 0);
		jsonw_close(w);
	} else {
		jsonw_null(w, "goodput_rps");
	}
	if (s->with_server) {
		jsonw_obj_open(w, "server");
		jsonw_u64(w, "requests", s->with_server);
		ms_summary(w, "total_ms", &s->srv_total);
		ms_summary(w, "load_ms", &s->srv_load);
		ms_summary(w, "prompt_eval_ms", &s->srv_prompt);
		ms_summary(w, "eval_ms", &s->srv_eval);
		ms_summary(w, "client_overhead_ms", &s->overhead);
		jsonw_close(w);
	} else {
		jsonw_null(w, "server");
	}
}

static void text_line(struct strbuf *out, const char *name, const struct hist *h)
{
	if (!h->total)
		return;
	strbuf_addf(out, "  %-6s mean %9.2f ms  p50 %9.2f  p90 %9.2f  p99 %9.2f  max %9.2f\n", name,
		    hist_mean(h) / 1e6, (double)hist_percentile(h, 50) / 1e6,
		    (double)hist_percentile(h, 90) / 1e6, (double)hist_percentile(h, 99) / 1e6,
		    (double)h->max / 1e6);
}

void llm_stats_text(const struct llm_stats *s, const struct llm_slo *slo, double duration_s,
		    struct strbuf *out)
{
	strbuf_addstr(out, "llm:\n");
	text_line(out, "TTFT", &s->ttft);
	text_line(out, "TPOT", &s->tpot);
	text_line(out, "ITL", &s->itl);
	text_line(out, "E2E", &s->e2e);
	if (s->with_output)
		strbuf_addf(out, "  tokens: %llu in, %llu out (%.1f out/s)%s\n",
			    (unsigned long long)s->input_tokens,
			    (unsigned long long)s->output_tokens,
			    duration_s > 0 ? (double)s->output_tokens / duration_s : 0,
			    s->with_output < s->ok ? " [some requests had no counts]" : "");
	else
		strbuf_addstr(out, "  tokens: the server reported no token counts\n");
	if (s->with_server)
		strbuf_addf(out,
			    "  server (ollama): total p50 %.2f ms, eval p50 %.2f ms; "
			    "client overhead p50 %.2f ms\n",
			    (double)hist_percentile(&s->srv_total, 50) / 1e6,
			    (double)hist_percentile(&s->srv_eval, 50) / 1e6,
			    (double)hist_percentile(&s->overhead, 50) / 1e6);
	if (slo->any)
		strbuf_addf(out, "  goodput: %.2f req/s (%llu of %llu requests within the SLOs)\n",
			    duration_s > 0 ? (double)s->good / duration_s : 0,
			    (unsigned long long)s->good, (unsigned long long)s->ok);
}

static int check_one(const struct hist *h, double limit_ms, double pct, const char *name,
		     struct strbuf *err)
{
	double v;
	if (!limit_ms)
		return 0;
	if (!h->total) {
		if (err)
			error(err, "slo %s: nothing measured", name);
		return -1;
	}
	v = (double)hist_percentile(h, pct) / 1e6;
	if (v <= limit_ms)
		return 0;
	if (err)
		error(err, "slo missed: p%g %s %.3f ms > %g ms", pct, name, v, limit_ms);
	return -1;
}

int llm_slo_verdict(const struct llm_stats *s, const struct llm_slo *slo, struct strbuf *err)
{
	int r = 0;
	r |= check_one(&s->ttft, slo->ttft_ms, slo->percentile, "ttft", err);
	r |= check_one(&s->tpot, slo->tpot_ms, slo->percentile, "tpot", err);
	r |= check_one(&s->e2e, slo->e2e_ms, slo->percentile, "e2e", err);
	return r ? -1 : 0;
}

uint64_t llm_percentile_min_samples(double pct)
{
	if (pct >= 100)
		return 1;
	/* The small epsilon keeps 100 / (100 - 99) from rounding up to 101. */
	return (uint64_t)ceil(100.0 / (100.0 - pct) - 1e-9);
}
