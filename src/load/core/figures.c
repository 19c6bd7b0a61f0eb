/* Headline figures of result objects and the statistics of repeated trials. */
#include "load/core/figures.h"

#include <math.h>
#include <string.h>

#define K(x) (1u << LOAD_KIND_##x)
#define ALL (K(REQUESTS) | K(LLM) | K(VECTOR) | K(SQL))

const struct load_figure load_figures[] = {
	{ "requests.ok", "OK", 0, ALL, false },
	{ "requests.errors", "ERRORS", 0, ALL, false },
	{ "throughput_rps", "RPS", 1, K(REQUESTS) | K(LLM), false },
	{ "throughput_rps", "QPS", 1, K(VECTOR), false },
	{ "sql.transactions_per_s", "TPS", 1, K(SQL), false },
	{ "latency_us.mean", "MEAN_US", 1, 0, true },
	{ "latency_us.p50", "P50_US", 1, K(REQUESTS) | K(VECTOR) | K(SQL), false },
	{ "latency_us.p90", "P90_US", 1, 0, true },
	{ "latency_us.p99", "P99_US", 1, K(REQUESTS) | K(VECTOR) | K(SQL), false },
	{ "latency_us.p999", "P999_US", 1, 0, true },
	{ "vector.recall.mean", "RECALL", 4, K(VECTOR), true },
	{ "llm.ttft_ms.p50", "TTFT_P50_MS", 1, K(LLM), true },
	{ "llm.ttft_ms.p99", "TTFT_P99_MS", 1, 0, true },
	{ "llm.tpot_ms.p50", "TPOT_P50_MS", 2, K(LLM), true },
	{ "llm.tpot_ms.p99", "TPOT_P99_MS", 2, 0, true },
	{ "llm.e2e_ms.p50", "E2E_P50_MS", 1, 0, true },
	{ "llm.output_tokens_per_s", "TOKENS_S", 1, K(LLM), true },
	{ "llm.goodput_rps", "GOODPUT_RPS", 2, K(LLM), true },
	{ "find_max_rate.max_rate", "MAX_RATE", 3, 0, true },
};
const size_t load_nfigures = sizeof(load_figures) / sizeof(load_figures[0]);

json_t *load_json_path(json_t *root, const char *path)
{
	char part[64];
	while (root && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		root = json_object_get(root, part);
		path += n + (path[n] == '.');
	}
	return root;
}

enum load_kind load_result_kind(json_t *result)
{
	if (json_is_object(json_object_get(result, "llm")))
		return LOAD_KIND_LLM;
	if (json_is_object(json_object_get(result, "vector")))
		return LOAD_KIND_VECTOR;
	if (json_is_object(json_object_get(result, "sql")))
		return LOAD_KIND_SQL;
	return LOAD_KIND_REQUESTS;
}

const char *load_kind_name(enum load_kind k)
{
	static const char *const names[] = { "requests", "llm", "vector", "sql" };
	return names[k];
}

int load_figure_get(json_t *result, const struct load_figure *f, double *out)
{
	json_t *v = load_json_path(result, f->key);
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

double load_student_t975(unsigned df)
{
	/* t(0.975, df) for df = 1..30, to 9 decimals. */
	static const double t[] = {
		12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851,
		2.364624252,  2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830,
		2.160368656,  2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.100922040,
		2.093024054,  2.085963447, 2.079613845, 2.073873068, 2.068657610, 2.063898562,
		2.059538553,  2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
	};
	if (df >= 1 && df <= 30)
		return t[df - 1];
	/* Cornish-Fisher expansion around the normal quantile: within 1e-6 from df 30. */
	double z = 1.959963984540054, n = df ? df : 1, z3 = z * z * z, z5 = z3 * z * z,
	       z7 = z5 * z * z;
	return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n);
}

void load_trial_stats(const double *v, unsigned n, struct load_trial_stats *s)
{
	double sum = 0, ss = 0;
	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n)
		return;
	s->min = s->max = v[0];
	for (unsigned i = 0; i < n; i++) {
		sum += v[i];
		s->min = v[i] < s->min ? v[i] : s->min;
		s->max = v[i] > s->max ? v[i] : s->max;
	}
	s->mean = sum / n;
	if (n < 2)
		return;
	for (unsigned i = 0; i < n; i++)
		ss += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = sqrt(ss / (n - 1));
	s->ci_half = load_student_t975(n - 1) * s->stddev / sqrt((double)n);
	s->ci_low = s->mean - s->ci_half;
	s->ci_high = s->mean + s->ci_half;
	s->have_ci = true;
}
