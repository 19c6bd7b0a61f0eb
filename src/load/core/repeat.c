/* Repeated trials and their summary (repeat.h). */
#include "load/core/repeat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/jsonw.h"
#include "common/xalloc.h"
#include "load/core/figures.h"
#include "load/core/worker.h"

/* True if figure i's key already appeared earlier in the table (RPS and QPS share one). */
static bool figure_dup(size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(load_figures[j].key, load_figures[i].key))
			return true;
	return false;
}

/* The summary of every figure present in objs[0..n-1]; *any set if one was. */
static void summary_json(struct jsonw *w, const char *key, json_t **objs, unsigned n,
			 struct strbuf *text, const char *indent)
{
	double *v = xcalloc(n, sizeof(*v));
	bool opened = false;
	for (size_t f = 0; f < load_nfigures; f++) {
		unsigned k = 0;
		struct load_trial_stats s;
		if (figure_dup(f))
			continue;
		for (unsigned i = 0; i < n; i++)
			if (load_figure_get(objs[i], &load_figures[f], &v[k]) == 0)
				k++;
		if (!k)
			continue;
		if (!opened) {
			jsonw_obj_open(w, key);
			strbuf_addf(text, "%s%-26s %3s %14s %32s %14s %14s\n", indent, "figure",
				    "n", "mean", "95% CI of the mean", "min", "max");
			opened = true;
		}
		load_trial_stats(v, k, &s);
		jsonw_obj_open(w, load_figures[f].key);
		jsonw_u64(w, "n", k);
		jsonw_double(w, "mean", s.mean, 6);
		jsonw_double(w, "stddev", s.stddev, 6);
		jsonw_double(w, "min", s.min, 6);
		jsonw_double(w, "max", s.max, 6);
		if (s.have_ci) {
			jsonw_double(w, "ci95_low", s.ci_low, 6);
			jsonw_double(w, "ci95_high", s.ci_high, 6);
			jsonw_double(w, "ci95_half_width", s.ci_half, 6);
		} else {
			jsonw_null(w, "ci95_low");
			jsonw_null(w, "ci95_high");
			jsonw_null(w, "ci95_half_width");
		}
		jsonw_close(w);
		int p = load_figures[f].prec;
		char ci[64];
		if (s.have_ci)
			snprintf(ci, sizeof(ci), "[%.*f, %.*f]", p, s.ci_low, p, s.ci_high);
		else
			snprintf(ci, sizeof(ci), "(one trial)");
		strbuf_addf(text, "%s%-26s %3u %14.*f %32s %14.*f %14.*f\n", indent,
			    load_figures[f].key, k, p, s.mean, ci, p, s.min, p, s.max);
	}
	if (opened)
		jsonw_close(w);
	free(v);
}

/* "concurrency=4 rate=2" from a sweep's points[i] object. */
static void point_label(json_t *point, struct strbuf *out)
{
	const char *k;
	json_t *v;
	json_object_foreach(point, k, v)
	{
		if (json_is_number(v))
			strbuf_addf(out, "%s%s=%g", out->len ? " " : "", k, json_number_value(v));
		else if (json_is_string(v))
			strbuf_addf(out, "%s%s=%s", out->len ? " " : "", k, json_string_value(v));
	}
}

/* Per-point summaries when every trial is a sweep with the same number of points. */
static void points_json(struct jsonw *w, json_t **trials, unsigned n, struct strbuf *text)
{
	size_t np = json_array_size(json_object_get(trials[0], "results"));
	json_t **objs = xcalloc(n, sizeof(*objs));
	if (!np)
		goto out;
	for (unsigned i = 0; i < n; i++)
		if (json_array_size(json_object_get(trials[i], "results")) != np)
			goto out;
	jsonw_arr_open(w, "points");
	for (size_t p = 0; p < np; p++) {
		struct strbuf label = STRBUF_INIT;
		json_t *res0 = json_array_get(json_object_get(trials[0], "results"), p);
		json_t *params = load_json_path(res0, "client.parameters");
		char *dump =
		    params ? json_dumps(params, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
		for (unsigned i = 0; i < n; i++)
			objs[i] = json_array_get(json_object_get(trials[i], "results"), p);
		point_label(json_array_get(load_json_path(trials[0], "sweep.points"), p), &label);
		strbuf_addf(text, "  point %zu/%zu%s%s\n", p + 1, np, label.len ? ": " : "",
			    label.buf);
		jsonw_obj_open(w, NULL);
		jsonw_u64(w, "index", p);
		if (dump)
			jsonw_raw(w, "parameters", dump);
		else
			jsonw_null(w, "parameters");
		summary_json(w, "summary", objs, n, text, "    ");
		jsonw_close(w);
		free(dump);
		strbuf_release(&label);
	}
	jsonw_close(w);
out:
	free(objs);
}

/* The combined result object of the trials (texts in tj[0..n-1]) into json. */
static int combine(const struct load_opts *o, struct strbuf *tj, unsigned n, struct strbuf *text,
		   struct strbuf *json, struct strbuf *err)
{
	json_t **trials = xcalloc(n, sizeof(*trials));
	struct jsonw w;
	int ret = -1;
	for (unsigned i = 0; i < n; i++) {
		json_error_t je;
		trials[i] = json_loadb(tj[i].buf, tj[i].len, 0, &je);
		if (!json_is_object(trials[i])) {
			error(err, "trial %u: its result is not a JSON object: %s", i + 1, je.text);
			goto out;
		}
	}
	json_t *client = json_deep_copy(json_object_get(trials[0], "client"));
	if (!json_is_object(client)) {
		json_decref(client);
		client = json_object();
	}
	json_t *params = json_object_get(client, "parameters");
	if (!json_is_object(params)) {
		params = json_object();
		json_object_set_new(client, "parameters", params);
	}
	json_object_set_new(params, "repeat", json_integer(n));
	/* The trials' seeds differ; the first is the one given. */
	if (json_object_get(params, "seed"))
		json_object_set_new(params, "seed", json_integer((json_int_t)o->seed));
	char *cdump = json_dumps(client, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	char *tool = json_dumps(json_object_get(trials[0], "tool"), JSON_COMPACT);
	json_decref(client);

	strbuf_addf(text,
		    "== %u trials: mean, 95%% confidence interval of the mean (Student t), "
		    "min, max ==\n",
		    n);
	jsonw_init(&w, json, 2);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "schema", "hpcbench.result/1");
	if (tool)
		jsonw_raw(&w, "tool", tool);
	jsonw_raw(&w, "client", cdump);
	jsonw_str(&w, "started_at", json_string_value(json_object_get(trials[0], "started_at")));
	jsonw_obj_open(&w, "repeat");
	jsonw_u64(&w, "trials", n);
	jsonw_double(&w, "confidence", 0.95, -1);
	jsonw_str(&w, "interval", "student-t");
	jsonw_str(&w, "seeds", "trial K runs with seed + K - 1");
	jsonw_close(&w);
	summary_json(&w, "summary", trials, n, text, "  ");
	points_json(&w, trials, n, text);
	jsonw_arr_open(&w, "trials");
	for (unsigned i = 0; i < n; i++)
		jsonw_raw(&w, NULL, tj[i].buf);
	jsonw_close(&w);
	jsonw_close(&w);
	strbuf_addch(json, '\n');
	free(cdump);
	free(tool);
	ret = 0;
out:
	for (unsigned i = 0; i < n; i++)
		json_decref(trials[i]);
	free(trials);
	return ret;
}

int load_repeat(const struct load_opts *o, load_trial_fn fn, void *ctx, struct strbuf *text,
		struct strbuf *json, struct strbuf *err)
{
	unsigned n = o->repeat ? o->repeat : 1, done = 0;
	struct strbuf *tj = xcalloc(n, sizeof(*tj));
	struct strbuf terr = STRBUF_INIT;
	int worst = EXIT_OK, ret = -1;

	for (unsigned k = 0; k < n; k++)
		strbuf_init(&tj[k], 0);
	for (; done < n && !load_stop_requested; done++) {
		struct load_opts to = *o;
		int rc;
		to.trial = done + 1;
		to.ntrials = n;
		to.seed = o->seed + done;
		/* The trial's JSON is needed for the summary even without --json. */
		if (!to.json_path)
			to.json_path = "(repeat)";
		strbuf_addf(text, "== trial %u/%u (seed %llu) ==\n", done + 1, n,
			    (unsigned long long)to.seed);
		strbuf_reset(&terr);
		rc = fn(ctx, &to, text, &tj[done], &terr);
		if (rc < 0) {
			error(err, "trial %u: %s", done + 1, terr.buf);
			goto out;
		}
		if (rc != EXIT_OK) {
			worst = rc;
			error(err, "trial %u: %s", done + 1, terr.len ? terr.buf : "failed");
		}
	}
	if (done < n) {
		error(err, "interrupted after %u of %u trials", done, n);
		worst = EXIT_FAILED;
		if (!done)
			goto out;
	}
	if (combine(o, tj, done, text, json, err) < 0)
		goto out;
	ret = worst;
out:
	for (unsigned k = 0; k < n; k++)
		strbuf_release(&tj[k]);
	free(tj);
	strbuf_release(&terr);
	return ret;
}
