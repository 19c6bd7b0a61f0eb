#include "monitor/loadhook.h"

#include "common/error.h"
#include "load/core/run.h"

/* The measured window of r in wall-clock ns. */
static void window_of(const struct load_result *r, uint64_t *w0, uint64_t *w1)
{
	*w0 = r->started_wall_ns;
	*w1 = r->started_wall_ns + (uint64_t)(r->duration_s * 1e9);
}

static void hook_window(void *ctx, const struct load_result *r)
{
	uint64_t w0, w1;
	window_of(r, &w0, &w1);
	monitor_window(ctx, w0, w1);
}

static void hook_result_json(void *ctx, const struct load_result *r, struct jsonw *w)
{
	uint64_t w0, w1;
	double tokens = -1;
	window_of(r, &w0, &w1);
	if (r->proto->output_tokens)
		tokens = r->proto->output_tokens(r->cfg, r->proto_ts);
	monitor_result_json(ctx, w0, w1, (double)r->stats.ok, tokens, w);
}

static void hook_interval_json(void *ctx, const struct load_result *r, double t_s, double len_s,
			       struct jsonw *w)
{
	uint64_t a = r->started_wall_ns + (uint64_t)(t_s * 1e9);
	monitor_interval_json(ctx, a, a + (uint64_t)(len_s * 1e9), w);
}

static void hook_result_text(void *ctx, const struct load_result *r, struct strbuf *out)
{
	uint64_t w0, w1;
	window_of(r, &w0, &w1);
	monitor_window(ctx, w0, w1);
	monitor_result_text(ctx, w0, w1, out);
}

int monitor_from_load_opts(const struct load_opts *o, struct monitor **mp, struct load_monitor *lm,
			   struct strbuf *err)
{
	struct monitor *m;
	*mp = NULL;
	if (!o->nserver_metrics) {
		if (o->nmetrics_match)
			return error(err, "--metrics-match needs --server-metrics");
		return 0;
	}
	m = monitor_new(o->metrics_interval_us * 1000);
	for (unsigned i = 0; i < o->nmetrics_match; i++)
		monitor_match(m, o->metrics_match[i]);
	for (unsigned i = 0; i < o->nserver_metrics; i++) {
		if (monitor_add(m, o->server_metrics[i], err)) {
			monitor_free(m);
			return -1;
		}
	}
	lm->ctx = m;
	lm->window = hook_window;
	lm->result_json = hook_result_json;
	lm->interval_json = hook_interval_json;
	lm->result_text = hook_result_text;
	*mp = m;
	return 0;
}
