#include "session/summary.h"

#include <jansson.h>
#include <math.h>
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

/* A new row of r (zeroed figures, every one absent). */
static struct summary_point *add_point(struct summary_result *r, const char *label)
{
	struct summary_point *p;
	r->points = xrealloc(r->points, (r->npoints + 1) * sizeof(*r->points));
	p = &r->points[r->npoints++];
	memset(p, 0, sizeof(*p));
	p->label = xstrdup(label ? label : "");
	p->v = xcalloc(load_nfigures, sizeof(*p->v));
	p->st = xcalloc(load_nfigures, sizeof(*p->st));
	p->ci_lo = xcalloc(load_nfigures, sizeof(*p->ci_lo));
	p->ci_hi = xcalloc(load_nfigures, sizeof(*p->ci_hi));
	for (size_t f = 0; f < load_nfigures; f++) {
		p->st[f] = 1;
		p->ci_lo[f] = p->ci_hi[f] = NAN;
	}
	return p;
}

/* The figures of one plain result object. */
static void point_from_result(struct summary_result *r, json_t *res, const char *label)
{
	struct summary_point *p = add_point(r, label);
	p->kind = load_result_kind(res);
	p->params = json_incref(json_object_get(json_object_get(res, "client"), "parameters"));
	for (size_t f = 0; f < load_nfigures; f++)
		p->st[f] = (signed char)load_figure_get(res, &load_figures[f], &p->v[f]);
}

/* The figures of a repeat summary ({FIGURE: {mean, ci95_low, ...}}); kind from trial. */
static void point_from_summary(struct summary_result *r, json_t *summary, json_t *trial,
			       json_t *params, unsigned trials, const char *label)
{
	struct summary_point *p = add_point(r, label);
	p->kind = load_result_kind(trial);
	p->trials = trials;
	p->params = json_incref(params);
	for (size_t f = 0; f < load_nfigures; f++) {
		json_t *fig = json_object_get(summary, load_figures[f].key), *v;
		if (!fig || json_is_null(fig))
			continue;
		v = json_object_get(fig, "mean");
		if (!json_is_number(v)) {
			p->st[f] = -1;
			continue;
		}
		p->st[f] = 0;
		p->v[f] = json_number_value(v);
		v = json_object_get(fig, "ci95_low");
		if (json_is_number(v))
			p->ci_lo[f] = json_number_value(v);
		v = json_object_get(fig, "ci95_high");
		if (json_is_number(v))
			p->ci_hi[f] = json_number_value(v);
	}
}

/* "concurrency=4 rate=2" from the scalars of a sweep's point object (or ""). */
static void label_of(json_t *point, struct strbuf *out)
{
	const char *k;
	json_t *v;
	strbuf_reset(out);
	json_object_foreach(point, k, v)
	{
		if (json_is_number(v))
			strbuf_addf(out, "%s%s=%g", out->len ? " " : "", k, json_number_value(v));
		else if (json_is_string(v))
			strbuf_addf(out, "%s%s=%s", out->len ? " " : "", k, json_string_value(v));
	}
}

/* The label of point i of a sweep or rate search document. */
static void sweep_label(json_t *doc, size_t i, struct strbuf *out)
{
	json_t *pt = json_array_get(load_json_path(doc, "sweep.points"), i);
	json_t *probe = json_array_get(load_json_path(doc, "find_max_rate.probes"), i);
	if (pt)
		label_of(pt, out);
	else if (json_is_number(json_object_get(probe, "rate")))
		strbuf_addf((strbuf_reset(out), out), "rate=%g",
			    json_number_value(json_object_get(probe, "rate")));
	else
		strbuf_addf((strbuf_reset(out), out), "#%zu", i + 1);
}

/* Rows of one result document: plain, sweep ("results"), or repeated ("trials"). */
static void read_rows(struct summary_result *r, json_t *root)
{
	json_t *trials = json_object_get(root, "trials");
	json_t *results = json_object_get(root, "results");
	struct strbuf label = STRBUF_INIT, file_label = STRBUF_INIT;
	/* A point of a recipe's sweep has a file of its own: result-POINT.json. */
	const char *file = r->file ? r->file : "", *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (!strncmp(base, "result-", 7) && strlen(base) > 12)
		strbuf_add(&file_label, base + 7, strlen(base) - 12);
	if (json_is_array(trials) && json_array_size(trials)) {
		json_t *t0 = json_array_get(trials, 0);
		unsigned n = (unsigned)json_array_size(trials);
		json_t *points = json_object_get(root, "points");
		if (json_is_array(points) && json_array_size(points)) {
			for (size_t i = 0; i < json_array_size(points); i++) {
				json_t *pt = json_array_get(points, i);
				json_t *res0 = json_array_get(json_object_get(t0, "results"), i);
				sweep_label(t0, i, &label);
				point_from_summary(r, json_object_get(pt, "summary"), res0,
						   json_object_get(pt, "parameters"), n, label.buf);
			}
		} else {
			point_from_summary(r, json_object_get(root, "summary"), t0,
					   load_json_path(root, "client.parameters"), n,
					   file_label.buf);
		}
	} else if (json_is_array(results)) {
		for (size_t i = 0; i < json_array_size(results); i++) {
			sweep_label(root, i, &label);
			point_from_result(r, json_array_get(results, i), label.buf);
		}
	} else {
		point_from_result(r, root, file_label.buf);
		r->single = 1;
	}
	strbuf_release(&label);
	strbuf_release(&file_label);
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
	free(r->why);
	r->why = NULL;
	if (!root)
		r->why = xasprintf("not JSON (line %d: %s)", jerr.line, jerr.text);
	else if (!schema || strncmp(schema, "hpcbench.result/", 16))
		r->why = xstrdup("not a result file (no \"schema\": \"hpcbench.result/1\")");
	if (!r->why) {
		read_rows(r, root);
		if (r->single) {
			r->sent = count(root, "requests", "sent");
			r->ok = count(root, "requests", "ok");
			r->errors = count(root, "requests", "errors");
			r->rps = num(root, "throughput_rps", NULL);
			r->p50_us = num(root, "latency_us", "p50");
			r->p99_us = num(root, "latency_us", "p99");
		}
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
		free(res[i].why);
		for (size_t k = 0; k < res[i].npoints; k++) {
			struct summary_point *p = &res[i].points[k];
			free(p->label);
			json_decref(p->params);
			free(p->v);
			free(p->st);
			free(p->ci_lo);
			free(p->ci_hi);
		}
		free(res[i].points);
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

/* True if figure f's key came earlier in the table (RPS and QPS are one figure). */
static bool figure_dup(size_t f)
{
	for (size_t j = 0; j < f; j++)
		if (!strcmp(load_figures[j].key, load_figures[f].key))
			return true;
	return false;
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

/* "points": the rows of r with every figure (null when absent or unreadable). */
static void points_json(struct jsonw *w, const struct summary_result *r)
{
	jsonw_arr_open(w, "points");
	for (size_t k = 0; k < r->npoints; k++) {
		const struct summary_point *p = &r->points[k];
		jsonw_obj_open(w, NULL);
		jsonw_str(w, "label", p->label);
		jsonw_str(w, "kind", load_kind_name(p->kind));
		jsonw_u64(w, "trials", p->trials);
		jsonw_obj_open(w, "figures");
		for (size_t f = 0; f < load_nfigures; f++) {
			if (figure_dup(f))
				continue;
			if (p->st[f] == 0)
				jsonw_double(w, load_figures[f].key, p->v[f], 6);
			else
				jsonw_null(w, load_figures[f].key);
		}
		jsonw_close(w);
		jsonw_close(w);
	}
	jsonw_close(w);
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
		jsonw_str(&w, "state", job_state_name(j->state));
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
				if (r->single) {
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
				if (!r->parsed)
					jsonw_str(&w, "unreadable", r->why);
				else
					points_json(&w, r);
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

/* A table of text cells, printed with each column as wide as its widest cell. */
struct table {
	size_t ncols, nrows;
	char **cells; /* nrows x ncols, owned */
	bool *left;   /* per column: left-aligned (text) or right-aligned (numbers) */
};

static void table_row(struct table *t)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = NULL;
	t->nrows++;
}

static void table_set(struct table *t, size_t col, char *text)
{
	t->cells[(t->nrows - 1) * t->ncols + col] = text;
}

static void table_print(struct table *t, struct strbuf *out)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	for (size_t i = 0; i < t->nrows * t->ncols; i++) {
		size_t len = t->cells[i] ? strlen(t->cells[i]) : 1;
		if (len > w[i % t->ncols])
			w[i % t->ncols] = len;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		struct strbuf line = STRBUF_INIT;
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			bool last = c + 1 == t->ncols;
			if (c)
				strbuf_addstr(&line, "  ");
			if (t->left[c])
				strbuf_addf(&line, "%-*s", last ? 0 : (int)w[c], cell ? cell : "-");
			else
				strbuf_addf(&line, "%*s", (int)w[c], cell ? cell : "-");
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			strbuf_setlen(&line, line.len - 1);
		strbuf_addf(out, "%s\n", line.buf);
		strbuf_release(&line);
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(w);
}

/* The figures the table of kind k shows, in table order (indexes into load_figures). */
static size_t kind_figures(enum load_kind k, size_t *idx)
{
	size_t n = 0;
	for (size_t f = 0; f < load_nfigures; f++)
		if (load_figures[f].kinds & (1u << k))
			idx[n++] = f;
	return n;
}

/* One figure's cell: the value (mean +- CI half-width when repeated), or NULL ("-"). */
static char *figure_cell(const struct summary_point *p, size_t f)
{
	int prec = load_figures[f].prec;
	if (p->st[f] != 0)
		return NULL;
	if (p->trials > 1 && !isnan(p->ci_hi[f]) && p->ci_hi[f] > p->ci_lo[f])
		return xasprintf("%.*f +-%.*f", prec, p->v[f], prec,
				 (p->ci_hi[f] - p->ci_lo[f]) / 2);
	return xasprintf("%.*f", prec, p->v[f]);
}

/* Says once per file and figure why a cell shows "-" when it should hold a number. */
static void warn_figure(struct strbuf *warn, const struct summary_result *r,
			const struct summary_point *p, size_t f)
{
	struct strbuf line = STRBUF_INIT;
	if (p->st[f] == 0 || (p->st[f] == 1 && load_figures[f].optional))
		return;
	strbuf_addf(&line, "%s: %s %s: shown as -\n", r->shown, load_figures[f].key,
		    p->st[f] < 0 ? "is not a number" : "is missing");
	if (!strstr(warn->buf, line.buf))
		strbuf_addstr(warn, line.buf);
	strbuf_release(&line);
}

void summary_table(struct strbuf *out, const struct store_job *jobs, size_t nr_jobs,
		   const struct summary_result *res, size_t nr_res, struct strbuf *warn)
{
	bool kinds[4] = { false }, labels = false, repeated = false;
	size_t ntables = 0, printed = 0;
	for (size_t k = 0; k < nr_res; k++) {
		for (size_t i = 0; i < res[k].npoints; i++) {
			kinds[res[k].points[i].kind] = true;
			labels |= res[k].points[i].label[0] != '\0';
			repeated |= res[k].points[i].trials > 1;
		}
		if (!res[k].parsed)
			strbuf_addf(warn, "%s: cannot read: %s\n", res[k].shown, res[k].why);
	}
	for (int k = 0; k < 4; k++)
		ntables += kinds[k];
	if (!ntables)
		kinds[LOAD_KIND_REQUESTS] = true, ntables = 1;
	for (int kind = 0; kind < 4; kind++) {
		size_t idx[32], nf, col;
		struct table t = { 0 };
		if (!kinds[kind])
			continue;
		nf = kind_figures((enum load_kind)kind, idx);
		t.ncols = 2 + labels + repeated + nf + 1;
		t.left = xcalloc(t.ncols, sizeof(*t.left));
		t.left[0] = t.left[1] = t.left[t.ncols - 1] = true;
		if (labels)
			t.left[2] = true;
		table_row(&t);
		col = 0;
		table_set(&t, col++, xstrdup("CLIENT"));
		table_set(&t, col++, xstrdup("STATE"));
		if (labels)
			table_set(&t, col++, xstrdup("POINT"));
		if (repeated)
			table_set(&t, col++, xstrdup("TRIALS"));
		for (size_t f = 0; f < nf; f++)
			table_set(&t, col++, xstrdup(load_figures[idx[f]].label));
		table_set(&t, col, xstrdup("RESULT"));
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
				for (size_t pi = 0; pi < r->npoints; pi++) {
					const struct summary_point *p = &r->points[pi];
					if ((int)p->kind != kind)
						continue;
					table_row(&t);
					col = 0;
					table_set(&t, col++, xstrdup(j->id));
					table_set(&t, col++, xstrdup(job_state_name(j->state)));
					if (labels)
						table_set(&t, col++, xstrdup(p->label));
					if (repeated)
						table_set(
						    &t, col++,
						    xasprintf("%u", p->trials ? p->trials : 1));
					for (size_t f = 0; f < nf; f++) {
						warn_figure(warn, r, p, idx[f]);
						table_set(&t, col++, figure_cell(p, idx[f]));
					}
					table_set(&t, col, xstrdup(r->shown));
				}
				/* Unreadable files and bare clients go in the first table. */
				if (!r->parsed && !printed) {
					table_row(&t);
					table_set(&t, 0, xstrdup(j->id));
					table_set(&t, 1, xstrdup(job_state_name(j->state)));
					table_set(&t, t.ncols - 1, xstrdup(r->shown));
				}
			}
			if (!shown && !printed) {
				table_row(&t);
				table_set(&t, 0, xstrdup(j->id));
				table_set(&t, 1, xstrdup(job_state_name(j->state)));
				table_set(&t, t.ncols - 1,
					  xstrdup(j->reason ? j->reason : "(no result)"));
			}
		}
		if (printed)
			strbuf_addch(out, '\n');
		if (ntables > 1)
			strbuf_addf(out, "%s results:\n", load_kind_name((enum load_kind)kind));
		table_print(&t, out);
		free(t.left);
		printed++;
	}
	if (repeated)
		strbuf_addstr(out, "(repeated trials: mean +- half-width of the 95% confidence "
				   "interval of the mean, Student t)\n");
}

/* Appends s as one CSV field (quoted when it holds a comma, quote or line break). */
static void csv_field(struct strbuf *out, const char *s, bool first)
{
	if (!first)
		strbuf_addch(out, ',');
	strbuf_add_csv(out, s);
}

/* A parameter value as text: numbers as written, strings raw, others as JSON. */
static char *param_text(json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.17g", json_real_value(v));
	if (json_is_true(v) || json_is_false(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return d ? d : NULL;
}

void summary_csv(struct strbuf *out, const struct store_job *jobs, size_t nr_jobs,
		 const struct summary_result *res, size_t nr_res)
{
	json_t *keys = json_object(); /* parameter names, in first-seen order */
	bool repeated = false, *has = xcalloc(load_nfigures, sizeof(*has));
	const char *k;
	json_t *v;
	for (size_t r = 0; r < nr_res; r++)
		for (size_t i = 0; i < res[r].npoints; i++) {
			repeated |= res[r].points[i].trials > 1;
			json_object_foreach(res[r].points[i].params, k, v)
			    json_object_set(keys, k, json_true());
			/* A column for every figure some row has (none for other kinds'). */
			for (size_t f = 0; f < load_nfigures; f++)
				has[f] |= res[r].points[i].st[f] == 0 && !figure_dup(f);
		}
	csv_field(out, "client", true);
	csv_field(out, "state", false);
	csv_field(out, "file", false);
	csv_field(out, "point", false);
	csv_field(out, "kind", false);
	csv_field(out, "trials", false);
	json_object_foreach(keys, k, v)
	{
		char *h = xasprintf("param.%s", k);
		csv_field(out, h, false);
		free(h);
	}
	for (size_t f = 0; f < load_nfigures; f++) {
		if (!has[f])
			continue;
		csv_field(out, load_figures[f].key, false);
		if (repeated) {
			char *h = xasprintf("%s.ci95_low", load_figures[f].key);
			csv_field(out, h, false);
			free(h);
			h = xasprintf("%s.ci95_high", load_figures[f].key);
			csv_field(out, h, false);
			free(h);
		}
	}
	strbuf_addstr(out, "\r\n");
	for (size_t i = 0; i < nr_jobs; i++) {
		for (size_t r = 0; r < nr_res; r++) {
			if (strcmp(res[r].job_id, jobs[i].id))
				continue;
			for (size_t pi = 0; pi < res[r].npoints; pi++) {
				const struct summary_point *p = &res[r].points[pi];
				char num[64];
				csv_field(out, jobs[i].id, true);
				csv_field(out, job_state_name(jobs[i].state), false);
				csv_field(out, res[r].file, false);
				csv_field(out, p->label, false);
				csv_field(out, load_kind_name(p->kind), false);
				snprintf(num, sizeof(num), "%u", p->trials ? p->trials : 1);
				csv_field(out, num, false);
				json_object_foreach(keys, k, v)
				{
					char *t = param_text(json_object_get(p->params, k));
					csv_field(out, t, false);
					free(t);
				}
				for (size_t f = 0; f < load_nfigures; f++) {
					if (!has[f])
						continue;
					snprintf(num, sizeof(num), "%.10g", p->v[f]);
					csv_field(out, p->st[f] == 0 ? num : NULL, false);
					if (!repeated)
						continue;
					snprintf(num, sizeof(num), "%.10g", p->ci_lo[f]);
					csv_field(out, isnan(p->ci_lo[f]) ? NULL : num, false);
					snprintf(num, sizeof(num), "%.10g", p->ci_hi[f]);
					csv_field(out, isnan(p->ci_hi[f]) ? NULL : num, false);
				}
				strbuf_addstr(out, "\r\n");
			}
		}
	}
	json_decref(keys);
	free(has);
}
