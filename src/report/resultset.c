/* Result files into runs of points (resultset.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "report/resultset.h"

const struct rp_metric rp_metrics[] = {
	{ "throughput_rps", "throughput", "req/s", +1 },
	{ "latency_us.p50", "p50 latency", "us", -1 },
	{ "latency_us.p90", "p90 latency", "us", -1 },
	{ "latency_us.p99", "p99 latency", "us", -1 },
	{ "latency_us.p999", "p99.9 latency", "us", -1 },
	{ "requests.errors", "errors", "requests", -1 },
	{ "requests.dropped", "dropped", "requests", -1 },
	{ "llm.ttft_ms.p50", "TTFT p50", "ms", -1 },
	{ "llm.ttft_ms.p99", "TTFT p99", "ms", -1 },
	{ "llm.tpot_ms.p50", "TPOT p50", "ms", -1 },
	{ "llm.tpot_ms.p99", "TPOT p99", "ms", -1 },
	{ "llm.itl_ms.p50", "ITL p50", "ms", -1 },
	{ "llm.e2e_ms.p50", "E2E p50", "ms", -1 },
	{ "llm.e2e_ms.p99", "E2E p99", "ms", -1 },
	{ "llm.output_tokens_per_s", "output tokens/s", "tok/s", +1 },
	{ "llm.goodput_rps", "goodput", "req/s", +1 },
	{ "vector.recall.mean", "recall", "fraction", +1 },
	{ "vector.insert.documents_per_s", "insert throughput", "docs/s", +1 },
	{ "vector.insert.batch_latency_us.p99", "insert batch p99", "us", -1 },
	{ "sql.transactions_per_s", "transactions/s", "tx/s", +1 },
	{ "sql.queries_per_s.total", "queries/s", "q/s", +1 },
	{ NULL, NULL, NULL, 0 },
};

/* Parameters that change how long a run lasts or what things are called, not what is
 * measured: never a sweep dimension, never a reason to call two workloads different. */
static const char *const not_workload[] = {
	"seed",	      "duration_s", "requests", "warmup_s", "timeout_s", "threads",
	"collection", "database",   "user",	"password", "auth",	 NULL,
};

int rp_workload_param(const char *k)
{
	for (size_t i = 0; not_workload[i]; i++)
		if (!strcmp(not_workload[i], k))
			return 0;
	return 1;
}

json_t *rp_get(const json_t *obj, const char *path)
{
	char key[128];
	const json_t *cur = obj;
	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key) || !json_is_object(cur))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		cur = json_object_get(cur, key);
		path += n + (dot ? 1 : 0);
	}
	return (json_t *)cur;
}

double rp_num(const json_t *obj, const char *path)
{
	const json_t *v = rp_get(obj, path);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rp_str(const json_t *obj, const char *path)
{
	return json_string_value(rp_get(obj, path));
}

const char *rp_protocol(const struct rp_point *p)
{
	const char *s = rp_str(p->res, "client.protocol");
	return s ? s : "";
}

static int is_result(const json_t *o)
{
	return json_is_object(o) && json_is_object(json_object_get(o, "requests"));
}

/* Appends a point for result object res; extra (or NULL) overrides its parameters. */
static void add_point(struct rp_run *run, json_t *res, const json_t *extra)
{
	struct rp_point *p;
	json_t *params = json_deep_copy(rp_get(res, "client.parameters"));
	if (!json_is_object(params)) {
		json_decref(params);
		params = json_object();
	}
	if (json_is_object(extra))
		json_object_update(params, (json_t *)extra);
	run->pts = xrealloc(run->pts, st_mult(run->npts + 1, sizeof(*run->pts)));
	p = &run->pts[run->npts++];
	p->res = res;
	p->params = params;
	p->given = json_is_object(extra) ? json_deep_copy(extra) : NULL;
	p->label = NULL;
}

int rp_run_add(struct rp_run *run, const char *path, const char *data, size_t len,
	       struct strbuf *err)
{
	json_error_t je;
	json_t *root = json_loadb(data, len, 0, &je);
	json_t *arr, *sweep_pts, *probes;
	size_t before = run->npts;

	if (!root)
		return error(err, "%s:%d:%d: not JSON: %s", path, je.line, je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return error(err, "%s: not an hpcbench result (not a JSON object)", path);
	}
	arr = json_object_get(root, "results");
	sweep_pts = rp_get(root, "sweep.points");
	probes = rp_get(root, "find_max_rate.probes");
	if (json_is_array(arr)) {
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *res = json_array_get(arr, i), *extra = NULL, *own = NULL;
			if (!is_result(res))
				continue;
			if (json_is_array(sweep_pts))
				extra = json_array_get(sweep_pts, i);
			else if (json_is_array(probes) &&
				 json_is_number(rp_get(json_array_get(probes, i), "rate")))
				extra = own = json_pack("{s:O}", "rate",
							rp_get(json_array_get(probes, i), "rate"));
			add_point(run, res, extra);
			json_decref(own);
		}
		if (!run->fmr && json_is_object(json_object_get(root, "find_max_rate")))
			run->fmr = json_object_get(root, "find_max_rate");
	} else if (is_result(root)) {
		add_point(run, root, NULL);
	}
	if (run->npts == before) {
		json_decref(root);
		return error(err, "%s: not an hpcbench result (no \"requests\" object)", path);
	}
	run->files = xrealloc(run->files, st_mult(run->nfiles + 1, sizeof(*run->files)));
	run->paths = xrealloc(run->paths, st_mult(run->nfiles + 1, sizeof(*run->paths)));
	run->files[run->nfiles] = root;
	run->paths[run->nfiles++] = xstrdup(path);
	return 0;
}

/* True when parameter k takes the same value as parameter o at every point. */
static int same_values(const struct rp_run *run, const char *k, const char *o)
{
	for (size_t i = 0; i < run->npts; i++)
		if (rp_num(run->pts[i].params, k) != rp_num(run->pts[i].params, o))
			return 0;
	return 1;
}

/* True when numeric parameter k differs between the points. */
static int varies(const struct rp_run *run, const char *k)
{
	double v0 = rp_num(run->pts[0].params, k);
	for (size_t j = 1; j < run->npts; j++) {
		double v = rp_num(run->pts[j].params, k);
		if (!(v == v0 || (isnan(v) && isnan(v0))))
			return 1;
	}
	return 0;
}

void rp_run_finish(struct rp_run *run)
{
	json_t *seen = json_object();
	/* The sweep's own names first (an LLM sweep's "concurrency" before the core's
	 * "connections" that mirrors it), so that a parameter that only mirrors another
	 * is the one dropped, not the name the user swept. Each name is decided once. */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < run->npts; i++) {
			const char *k;
			json_t *v;
			json_object_foreach(pass ? run->pts[i].params : run->pts[i].given, k, v)
			{
				size_t d = 0;
				if (json_object_get(seen, k))
					continue;
				json_object_set_new(seen, k, json_true());
				if (!json_is_number(v) || !rp_workload_param(k) || !varies(run, k))
					continue;
				while (d < run->nswept && !same_values(run, k, run->swept[d]))
					d++;
				if (d < run->nswept)
					continue;
				run->swept = xrealloc(
				    run->swept, st_mult(run->nswept + 1, sizeof(*run->swept)));
				run->swept[run->nswept++] = xstrdup(k);
			}
		}
	json_decref(seen);
	for (size_t i = 0; i < run->npts; i++) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t s = 0; s < run->nswept; s++)
			strbuf_addf(&sb, "%s%s=%g", s ? " " : "", run->swept[s],
				    rp_num(run->pts[i].params, run->swept[s]));
		free(run->pts[i].label);
		run->pts[i].label = strbuf_detach(&sb, NULL);
	}
}

void rp_run_release(struct rp_run *run)
{
	for (size_t i = 0; i < run->npts; i++) {
		json_decref(run->pts[i].params);
		json_decref(run->pts[i].given);
		free(run->pts[i].label);
	}
	for (size_t i = 0; i < run->nfiles; i++) {
		json_decref(run->files[i]);
		free(run->paths[i]);
	}
	for (size_t i = 0; i < run->nswept; i++)
		free(run->swept[i]);
	free(run->pts);
	free(run->files);
	free(run->paths);
	free(run->swept);
	free(run->label);
	memset(run, 0, sizeof(*run));
}
