#include "session/summary.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "store/store.h"

static double num(json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(obj, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* A count from a result file: a negative, fractional-overflowing or absurd number (a
 * damaged or hand-edited file) reads as 0, never as a float-to-integer overflow. */
static uint64_t count(json_t *root, const char *a, const char *b)
{
	double v = num(root, a, b);
	return v >= 0 && v < 1.8e19 ? (uint64_t)v : 0;
}

void summary_parse_result(struct summary_result *r, const char *json, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	const char *schema = json_string_value(json_object_get(root, "schema"));
	r->parsed = 0;
	if (root && schema && !strncmp(schema, "hpcbench.result/", 16)) {
		r->sent = count(root, "requests", "sent");
		r->ok = count(root, "requests", "ok");
		r->errors = count(root, "requests", "errors");
		r->rps = num(root, "throughput_rps", NULL);
		r->p50_us = num(root, "latency_us", "p50");
		r->p99_us = num(root, "latency_us", "p99");
		r->parsed = 1;
	}
	json_decref(root);
}

void summary_results_free(struct summary_result *res, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(res[i].job_id);
		free(res[i].file);
		free(res[i].path);
		free(res[i].shown);
		free(res[i].data);
	}
	free(res);
}

void summary_result_add(struct summary_result **res, size_t *nr, const char *job_id,
			const char *path, const char *shown, struct strbuf *data)
{
	const char *slash = strrchr(path, '/');
	struct summary_result *r;
	*res = xrealloc(*res, (*nr + 1) * sizeof(**res));
	r = &(*res)[(*nr)++];
	memset(r, 0, sizeof(*r));
	r->job_id = xstrdup(job_id);
	r->file = xasprintf("%s/%s", job_id, slash ? slash + 1 : path);
	r->path = xstrdup(path);
	r->shown = xstrdup(shown);
	summary_parse_result(r, data->buf, data->len);
	r->len = data->len;
	r->data = strbuf_detach(data, NULL);
}

void summary_json_time(struct jsonw *w, const char *k, int64_t epoch)
{
	struct strbuf sb = STRBUF_INIT;
	if (!epoch) {
		jsonw_null(w, k);
		return;
	}
	rfc3339_append(&sb, (uint64_t)epoch * 1000000000ull);
	jsonw_str(w, k, sb.buf);
	strbuf_release(&sb);
}

void summary_json(struct strbuf *out, const struct store_run *run, const struct store_job *jobs,
		  size_t nr_jobs, const struct summary_result *res, size_t nr_res)
{
	struct jsonw w;
	jsonw_init(&w, out, 2);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "schema", "hpcbench.summary/1");
	jsonw_str(&w, "run_id", run->id);
	jsonw_str(&w, "executor", run->executor);
	jsonw_str(&w, "run_dir", run->run_dir);
	jsonw_str(&w, "state", run->state);
	jsonw_str(&w, "message", run->message);
	summary_json_time(&w, "created_at", run->created_at);
	summary_json_time(&w, "finished_at", run->finished_at);
	jsonw_arr_open(&w, "jobs");
	for (size_t i = 0; i < nr_jobs; i++) {
		const struct store_job *j = &jobs[i];
		jsonw_obj_open(&w, NULL);
		jsonw_str(&w, "id", j->id);
		jsonw_str(&w, "kind", j->kind);
		jsonw_str(&w, "name", j->name);
		jsonw_str(&w, "state", j->state);
		if (j->exit_code >= 0)
			jsonw_i64(&w, "exit_code", j->exit_code);
		else
			jsonw_null(&w, "exit_code");
		jsonw_str(&w, "reason", j->reason);
		jsonw_str(&w, "node", j->node);
		jsonw_str(&w, "endpoint", j->endpoint);
		if (!strcmp(j->kind, "client")) {
			jsonw_arr_open(&w, "results");
			for (size_t k = 0; k < nr_res; k++) {
				const struct summary_result *r = &res[k];
				if (strcmp(r->job_id, j->id))
					continue;
				jsonw_obj_open(&w, NULL);
				jsonw_str(&w, "file", r->file);
				if (r->parsed) {
					jsonw_obj_open(&w, "requests");
					jsonw_u64(&w, "sent", r->sent);
					jsonw_u64(&w, "ok", r->ok);
					jsonw_u64(&w, "errors", r->errors);
					jsonw_close(&w);
					jsonw_double(&w, "throughput_rps", r->rps, 1);
					jsonw_obj_open(&w, "latency_us");
					jsonw_double(&w, "p50", r->p50_us, 1);
					jsonw_double(&w, "p99", r->p99_us, 1);
					jsonw_close(&w);
				}
				jsonw_close(&w);
			}
			jsonw_close(&w);
		}
		jsonw_close(&w);
	}
	jsonw_close(&w);
	jsonw_close(&w);
	strbuf_addch(out, '\n');
}

void summary_table(struct strbuf *out, const struct store_job *jobs, size_t nr_jobs,
		   const struct summary_result *res, size_t nr_res)
{
	strbuf_addf(out, "%-28s %-10s %10s %8s %12s %9s %9s  %s\n", "CLIENT", "STATE", "REQUESTS",
		    "ERRORS", "RPS", "P50_US", "P99_US", "RESULT");
	for (size_t i = 0; i < nr_jobs; i++) {
		const struct store_job *j = &jobs[i];
		int shown = 0;
		if (strcmp(j->kind, "client"))
			continue;
		for (size_t k = 0; k < nr_res; k++) {
			const struct summary_result *r = &res[k];
			if (strcmp(r->job_id, j->id))
				continue;
			shown = 1;
			if (r->parsed)
				strbuf_addf(out,
					    "%-28s %-10s %10llu %8llu %12.1f %9.1f %9.1f  %s\n",
					    j->id, j->state, (unsigned long long)r->sent,
					    (unsigned long long)r->errors, r->rps, r->p50_us,
					    r->p99_us, r->shown);
			else
				strbuf_addf(out, "%-28s %-10s %10s %8s %12s %9s %9s  %s\n", j->id,
					    j->state, "-", "-", "-", "-", "-", r->shown);
		}
		if (!shown)
			strbuf_addf(out, "%-28s %-10s %10s %8s %12s %9s %9s  %s\n", j->id, j->state,
				    "-", "-", "-", "-", "-", j->reason ? j->reason : "(no result)");
	}
}
