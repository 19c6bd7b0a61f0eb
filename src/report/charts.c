/* The report's charts, chosen from what the results hold (charts.h, docs/report.md). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "report/charts.h"
#include "report/report.h"
#include "report/svg.h"

struct ser {
	char *name;
	double *x, *y;
	size_t n, cap;
	int markers, no_line;
	int color, dash; /* -1: automatic */
};

/* A line chart being filled. */
struct lc {
	struct ser **s; /* each allocated alone: a series stays put while others are added */
	size_t n;
	struct svg_hline hl[4];
	size_t nhl;
};

static struct ser *lc_series(struct lc *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct ser *lc_series(struct lc *l, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;
	struct ser *s;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	l->s = xrealloc(l->s, st_mult(l->n + 1, sizeof(*l->s)));
	s = l->s[l->n++] = xcalloc(1, sizeof(*s));
	s->name = strbuf_detach(&sb, NULL);
	s->color = s->dash = -1;
	return s;
}

static void ser_add(struct ser *s, double x, double y)
{
	if (!isfinite(x) || !isfinite(y))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->x = xrealloc(s->x, st_mult(s->cap, sizeof(double)));
		s->y = xrealloc(s->y, st_mult(s->cap, sizeof(double)));
	}
	s->x[s->n] = x;
	s->y[s->n++] = y;
}

static void lc_release(struct lc *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->s[i]->name);
		free(l->s[i]->x);
		free(l->s[i]->y);
		free(l->s[i]);
	}
	free(l->s);
	memset(l, 0, sizeof(*l));
}

static struct fig *fig_new(struct fig **figs, size_t *nf, const char *name, const char *title)
{
	struct fig *f;
	*figs = xrealloc(*figs, st_mult(*nf + 1, sizeof(**figs)));
	f = &(*figs)[(*nf)++];
	f->name = xstrdup(name);
	f->title = xstrdup(title);
	strbuf_init(&f->svg, 8192);
	strbuf_init(&f->csv, 1024);
	return f;
}

/* Draws l (series without a point are left out; nothing at all: no chart). */
static void lc_emit(struct fig **figs, size_t *nf, struct lc *l, const char *name,
		    struct svg_chart c)
{
	struct svg_series *ss = xcalloc(l->n ? l->n : 1, sizeof(*ss));
	size_t n = 0;
	char buf[64];
	for (size_t i = 0; i < l->n; i++) {
		if (!l->s[i]->n)
			continue;
		ss[n].name = l->s[i]->name;
		ss[n].n = l->s[i]->n;
		ss[n].x = l->s[i]->x;
		ss[n].y = l->s[i]->y;
		ss[n].markers = l->s[i]->markers > 0 || (!l->s[i]->markers && l->s[i]->n <= 24);
		ss[n].color = l->s[i]->color;
		ss[n].dash = l->s[i]->dash;
		ss[n++].no_line = l->s[i]->no_line;
	}
	if (n) {
		struct fig *f = fig_new(figs, nf, name, c.title);
		c.series = ss;
		c.nseries = n;
		c.hlines = l->hl;
		c.nhlines = l->nhl;
		svg_line_chart(&f->svg, &c);
		strbuf_addstr(&f->csv, "series,");
		strbuf_add_csv(&f->csv, c.xlabel);
		strbuf_addch(&f->csv, ',');
		strbuf_add_csv(&f->csv, c.ylabel);
		strbuf_addch(&f->csv, '\n');
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < ss[i].n; k++) {
				strbuf_add_csv(&f->csv, ss[i].name);
				snprintf(buf, sizeof(buf), ",%.9g,%.9g\n", ss[i].x[k], ss[i].y[k]);
				strbuf_addstr(&f->csv, buf);
			}
	}
	free(ss);
	lc_release(l);
}

/* Bars: cats x series values, NaN where absent. */
static void bars_emit(struct fig **figs, size_t *nf, const char *name, const char *title,
		      const char *ylabel, const char *const *cats, size_t ncats,
		      const char *const *names, size_t nseries, const double *v)
{
	struct svg_bars b = { title, ylabel, cats, ncats, names, nseries, v };
	struct fig *f = fig_new(figs, nf, name, title);
	char buf[64];
	svg_bar_chart(&f->svg, &b);
	strbuf_addstr(&f->csv, "series,category,");
	strbuf_add_csv(&f->csv, ylabel);
	strbuf_addch(&f->csv, '\n');
	for (size_t s = 0; s < nseries; s++)
		for (size_t c = 0; c < ncats; c++) {
			if (!isfinite(v[s * ncats + c]))
				continue;
			strbuf_add_csv(&f->csv, names[s]);
			strbuf_addch(&f->csv, ',');
			strbuf_add_csv(&f->csv, cats[c]);
			snprintf(buf, sizeof(buf), ",%.9g\n", v[s * ncats + c]);
			strbuf_addstr(&f->csv, buf);
		}
}

/* ---- what a point holds ---- */

static int has(const struct rp_point *p, const char *path)
{
	return rp_get(p->res, path) && !json_is_null(rp_get(p->res, path));
}

static int any_has(const struct rp_run *runs, size_t nruns, const char *path)
{
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].npts; i++)
			if (has(&runs[r].pts[i], path))
				return 1;
	return 0;
}

/* The throughput's name and unit for the protocol: SQL counts transactions. */
static const char *tput_label(const struct rp_point *p)
{
	if (!strcmp(rp_protocol(p), "sql"))
		return "transactions/s (tx/s)";
	if (!strcmp(rp_protocol(p), "chroma"))
		return "queries/s (q/s)";
	return "throughput (req/s)";
}

/*
 * Adds the percentile curve of a point to s: from its exact histogram when the result
 * holds one (every bucket, as HdrHistogram's plotter draws it), else from the
 * percentiles of obj (p50, p90, p95, p99, p999), scaled by mul.
 */
static void pct_points(struct ser *s, const json_t *res, const char *obj, double mul)
{
	static const struct {
		const char *k;
		double q;
	} keys[] = { { "p50", 50 }, { "p90", 90 }, { "p95", 95 }, { "p99", 99 }, { "p999", 99.9 } };
	const json_t *h = NULL;
	char path[96];
	if (!strcmp(obj, "latency_us"))
		h = rp_get(res, "histogram");
	snprintf(path, sizeof(path), "%s.histogram", obj);
	if (!h)
		h = rp_get(res, path);
	if (json_is_array(rp_get(h, "buckets"))) {
		const json_t *b = rp_get(h, "buckets"), *e;
		double total = 0, cum = 0;
		size_t i;
		json_array_foreach(b, i, e) total += json_number_value(json_array_get(e, 1));
		json_array_foreach(b, i, e)
		{
			double up = json_number_value(json_array_get(e, 0));
			cum += json_number_value(json_array_get(e, 1));
			/* ns to the unit of obj (us or ms): mul is 1 for us. */
			if (total > 0 && cum < total)
				ser_add(s, cum / total * 100, up / 1e3 * mul);
		}
		if (s->n)
			return;
	}
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		snprintf(path, sizeof(path), "%s.%s", obj, keys[k].k);
		ser_add(s, keys[k].q, rp_num(res, path));
	}
}

/* The name of a series for point i of run r among nruns. */
static void point_name(char *buf, size_t len, const struct rp_run *runs, size_t nruns, size_t r,
		       size_t i)
{
	const char *pl = runs[r].pts[i].label;
	if (nruns > 1 && *pl)
		snprintf(buf, len, "%s %s", runs[r].label, pl);
	else if (nruns > 1 || !*pl)
		snprintf(buf, len, "%s", runs[r].label);
	else
		snprintf(buf, len, "%s", pl);
}

/* Percentile distribution charts: latency, and the LLM's TTFT, TPOT, ITL, E2E. */
static void dist_charts(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	static const struct {
		const char *obj, *name, *title, *ylabel;
		double mul;
	} d[] = {
		{ "latency_us", "latency-percentiles", "Latency by percentile", "latency (us)", 1 },
		{ "llm.ttft_ms", "llm-ttft-percentiles", "Time to first token by percentile",
		  "TTFT (ms)", 1e-3 },
		{ "llm.tpot_ms", "llm-tpot-percentiles", "Time per output token by percentile",
		  "TPOT (ms)", 1e-3 },
		{ "llm.itl_ms", "llm-itl-percentiles", "Inter-token latency by percentile",
		  "ITL (ms)", 1e-3 },
		{ "llm.e2e_ms", "llm-e2e-percentiles", "End-to-end request latency by percentile",
		  "E2E latency (ms)", 1e-3 },
	};
	size_t total = 0;
	for (size_t r = 0; r < nruns; r++)
		total += runs[r].npts;
	if (total > 12) /* a sweep: too many curves to tell apart; the sweep charts say more */
		return;
	for (size_t k = 0; k < sizeof(d) / sizeof(d[0]); k++) {
		struct lc l = { 0 };
		char name[160];
		if (k && !any_has(runs, nruns, d[k].obj))
			continue;
		for (size_t r = 0; r < nruns; r++)
			for (size_t i = 0; i < runs[r].npts; i++) {
				point_name(name, sizeof(name), runs, nruns, r, i);
				pct_points(lc_series(&l, "%s", name), runs[r].pts[i].res, d[k].obj,
					   d[k].mul);
			}
		lc_emit(figs, nf, &l, d[k].name,
			(struct svg_chart){ .title = d[k].title,
					    .xlabel = "percentile (log scale of 1/(1-p))",
					    .ylabel = d[k].ylabel,
					    .xscale = SVG_PERCENTILE,
					    .yscale = SVG_LINEAR,
					    .y_from_zero = 1 });
	}
}

/* Throughput, p50/p99 latency and errors over time, one series per lone result. */
static void time_charts(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	struct lc tp = { 0 }, lat = { 0 }, err = { 0 };
	const char *ylabel = NULL;
	for (size_t r = 0; r < nruns; r++) {
		const struct rp_point *p;
		const json_t *iv, *e;
		struct ser *st, *s50, *s99, *se;
		size_t i;
		if (runs[r].npts != 1)
			continue;
		p = &runs[r].pts[0];
		iv = rp_get(p->res, "intervals");
		if (!json_array_size(iv))
			continue;
		if (!ylabel)
			ylabel = tput_label(p);
		st = lc_series(&tp, "%s", runs[r].label);
		s50 = lc_series(&lat, "%s%sp50", nruns > 1 ? runs[r].label : "",
				nruns > 1 ? " " : "");
		s99 = lc_series(&lat, "%s%sp99", nruns > 1 ? runs[r].label : "",
				nruns > 1 ? " " : "");
		se = lc_series(&err, "%s", runs[r].label);
		s50->color = s99->color = (int)r;
		s50->dash = 0;
		s99->dash = 1;
		json_array_foreach(iv, i, e)
		{
			double t = rp_num(e, "t");
			ser_add(st, t, rp_num(e, "rps"));
			ser_add(s50, t, rp_num(e, "p50_us"));
			ser_add(s99, t, rp_num(e, "p99_us"));
			ser_add(se, t, rp_num(e, "errors"));
		}
	}
	lc_emit(figs, nf, &tp, "throughput-over-time",
		(struct svg_chart){ .title = "Throughput over time",
				    .xlabel = "time since the start of the measurement (s)",
				    .ylabel = ylabel ? ylabel : "",
				    .y_from_zero = 1 });
	lc_emit(figs, nf, &lat, "latency-over-time",
		(struct svg_chart){ .title = "Latency p50 and p99 over time",
				    .xlabel = "time since the start of the measurement (s)",
				    .ylabel = "latency (us)",
				    .y_from_zero = 1 });
	lc_emit(figs, nf, &err, "errors-over-time",
		(struct svg_chart){ .title = "Errors over time",
				    .xlabel = "time since the start of the measurement (s)",
				    .ylabel = "failed requests per interval (requests)",
				    .y_from_zero = 1 });
}

/* Bars per request kind (Redis command, HTTP status class) when a result has several. */
static void kind_charts(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	const char *cats[64], *names[64], *lnames[128];
	char *owned[128];
	size_t ncats = 0, nser = 0, nown = 0;
	double *tv, *lv;
	int multi = 0;
	for (size_t r = 0; r < nruns; r++) {
		const char *k;
		json_t *v;
		if (runs[r].npts != 1)
			continue;
		if (json_object_size(rp_get(runs[r].pts[0].res, "by_kind")) > 1)
			multi = 1;
		json_object_foreach(rp_get(runs[r].pts[0].res, "by_kind"), k, v)
		{
			size_t c = 0;
			while (c < ncats && strcmp(cats[c], k))
				c++;
			if (c == ncats && ncats < 64)
				cats[ncats++] = k;
		}
	}
	if (!multi)
		return;
	tv = xmalloc(st_mult(64 * 64, sizeof(double)));
	lv = xmalloc(st_mult(128 * 64, sizeof(double)));
	for (size_t r = 0; r < nruns && nser < 64; r++) {
		if (runs[r].npts != 1)
			continue;
		names[nser] = runs[r].label;
		for (size_t q = 0; q < 2; q++) {
			owned[nown] = xasprintf("%s%s%s", nruns > 1 ? runs[r].label : "",
						nruns > 1 ? " " : "", q ? "p99" : "p50");
			lnames[nser * 2 + q] = owned[nown++];
		}
		for (size_t c = 0; c < ncats; c++) {
			const json_t *o =
			    json_object_get(rp_get(runs[r].pts[0].res, "by_kind"), cats[c]);
			tv[nser * ncats + c] = rp_num(o, "throughput_rps");
			lv[(nser * 2) * ncats + c] = rp_num(o, "latency_us.p50");
			lv[(nser * 2 + 1) * ncats + c] = rp_num(o, "latency_us.p99");
		}
		nser++;
	}
	bars_emit(figs, nf, "throughput-by-kind", "Throughput by request kind",
		  "throughput (req/s)", cats, ncats, names, nser, tv);
	bars_emit(figs, nf, "latency-by-kind", "Latency p50 and p99 by request kind",
		  "latency (us)", cats, ncats, lnames, nser * 2, lv);
	for (size_t i = 0; i < nown; i++)
		free(owned[i]);
	free(tv);
	free(lv);
}

/* SQL: statements per second split into reads, writes and others. */
static void sql_charts(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	static const char *const cats[] = { "read", "write", "other" };
	const char *names[64];
	double v[64 * 3];
	size_t n = 0;
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].npts && n < 64; i++) {
			const struct rp_point *p = &runs[r].pts[i];
			if (!has(p, "sql.queries_per_s"))
				continue;
			names[n] = nruns > 1 || !*p->label ? runs[r].label : p->label;
			for (size_t c = 0; c < 3; c++) {
				char path[64];
				snprintf(path, sizeof(path), "sql.queries_per_s.%s", cats[c]);
				v[n * 3 + c] = rp_num(p->res, path);
			}
			n++;
		}
	if (n && n <= 16) {
		/* Bars want series per run: transpose (series = run, category = kind). */
		bars_emit(figs, nf, "sql-queries", "SQL statements per second: reads and writes",
			  "statements/s (q/s)", cats, 3, names, n, v);
	}
}

/* Vector: queries/s against recall (the ann-benchmarks chart), every point. */
static void vector_charts(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	struct lc l = { 0 };
	if (!any_has(runs, nruns, "vector.recall.mean"))
		return;
	for (size_t r = 0; r < nruns; r++) {
		struct ser *s = lc_series(&l, "%s", runs[r].label);
		s->no_line = 1;
		for (size_t i = 0; i < runs[r].npts; i++)
			ser_add(s, rp_num(runs[r].pts[i].res, "vector.recall.mean"),
				rp_num(runs[r].pts[i].res, "throughput_rps"));
	}
	lc_emit(figs, nf, &l, "vector-qps-recall",
		(struct svg_chart){ .title = "Queries per second against recall",
				    .xlabel = "recall@k (fraction of the true neighbours)",
				    .ylabel = "queries/s (q/s)",
				    .y_from_zero = 1 });
}

/* ---- sweeps ---- */

/* The swept parameter drawn along x: the load's own knobs first. */
static const char *sweep_x(const struct rp_run *run)
{
	static const char *const pref[] = { "concurrency",  "rate",	  "connections",
					    "batch_size",   "documents",  "dimension",
					    "input_tokens", "max_tokens", "pipeline",
					    "value_size",   NULL };
	for (size_t k = 0; pref[k]; k++)
		for (size_t i = 0; i < run->nswept; i++)
			if (!strcmp(run->swept[i], pref[k]))
				return run->swept[i];
	return run->nswept ? run->swept[0] : NULL;
}

/* The label of point p's other swept parameters (all but x). */
static void group_label(char *buf, size_t len, const struct rp_run *run, size_t nruns,
			const struct rp_point *p, const char *x)
{
	size_t o = 0;
	buf[0] = '\0';
	if (nruns > 1)
		o += (size_t)snprintf(buf, len, "%s", run->label);
	for (size_t s = 0; s < run->nswept && o < len; s++)
		if (strcmp(run->swept[s], x))
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%g", o ? " " : "",
					      run->swept[s], rp_num(p->params, run->swept[s]));
}

/* True when series s is the first metric (dash 0) of group name: "NAME SUFFIX". */
static int first_of_group(const struct ser *s, const char *name)
{
	size_t len = strlen(name);
	if (s->dash != 0)
		return 0;
	if (!len)
		return !strchr(s->name, ' ');
	return !strncmp(s->name, name, len) && s->name[len] == ' ' &&
	       !strchr(s->name + len + 1, ' ');
}

/* Finds or makes the series named name+suffix. k >= 0: metric k of the group "name" (p50,
 * p99...): the group gives the color, the metric the dash. k < 0: colors in order. */
static struct ser *lc_find_k(struct lc *l, const char *name, const char *suffix, int k)
{
	char full[200];
	struct ser *s;
	int groups = 0;
	snprintf(full, sizeof(full), "%s%s%s", name, *name && *suffix ? " " : "", suffix);
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->s[i]->name, full))
			return l->s[i];
		groups += l->s[i]->dash == 0;
	}
	s = lc_series(l, "%s", full);
	if (k < 0)
		return s;
	s->dash = k;
	s->color = groups;
	for (size_t i = 0; k > 0 && i + 1 < l->n; i++)
		if (first_of_group(l->s[i], name))
			s->color = l->s[i]->color;
	return s;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts every series by x, so that lines go left to right. */
static void lc_sort(struct lc *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct ser *s = l->s[i];
		double *pairs = xmalloc(st_mult(s->n, 2 * sizeof(double)));
		for (size_t k = 0; k < s->n; k++)
			pairs[2 * k] = s->x[k], pairs[2 * k + 1] = s->y[k];
		qsort(pairs, s->n, 2 * sizeof(double), cmp_dbl);
		for (size_t k = 0; k < s->n; k++)
			s->x[k] = pairs[2 * k], s->y[k] = pairs[2 * k + 1];
		free(pairs);
	}
}

/* One metric (or two: p50 and p99) of every sweep point against the swept x. */
struct sweep_metric {
	const char *name, *title, *ylabel;
	const char *path[2];   /* one or two metrics */
	const char *suffix[2]; /* their series suffixes */
	const char *needs;     /* drawn only if some point has it */
};

static void sweep_line(const struct rp_run *runs, size_t nruns, const struct sweep_metric *m,
		       struct fig **figs, size_t *nf)
{
	struct lc l = { 0 };
	char title[200], xlabel[100], g[200];
	const char *x0 = NULL;
	int mixed = 0;
	for (size_t r = 0; r < nruns; r++) {
		const char *x = sweep_x(&runs[r]);
		if (!x)
			continue;
		if (x0 && strcmp(x0, x))
			mixed = 1;
		if (!x0)
			x0 = x;
		if (mixed)
			break;
		for (size_t i = 0; i < runs[r].npts; i++) {
			const struct rp_point *p = &runs[r].pts[i];
			group_label(g, sizeof(g), &runs[r], nruns, p, x);
			for (size_t k = 0; k < 2 && m->path[k]; k++)
				ser_add(lc_find_k(&l, g, m->suffix[k] ? m->suffix[k] : "",
						  m->path[1] ? (int)k : -1),
					rp_num(p->params, x), rp_num(p->res, m->path[k]));
		}
	}
	if (!x0 || mixed) {
		lc_release(&l);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		if (!*l.s[i]->name) {
			free(l.s[i]->name);
			l.s[i]->name = xstrdup(m->title);
		}
	lc_sort(&l);
	if (!strcmp(m->name, "ttft") || !strcmp(m->name, "tpot")) {
		/* The SLO the run was judged against, as a dashed line. */
		const char *k = !strcmp(m->name, "ttft") ? "llm.slo.ttft_ms" : "llm.slo.tpot_ms";
		double slo = rp_num(runs[0].pts[0].res, k);
		if (isfinite(slo))
			l.hl[l.nhl++] = (struct svg_hline){ slo, "SLO" };
	}
	snprintf(title, sizeof(title), "%s against %s", m->title, x0);
	snprintf(xlabel, sizeof(xlabel), "%s%s", x0,
		 !strcmp(x0, "rate") ? " (offered req/s)"
		 : !strcmp(x0, "concurrency") || !strcmp(x0, "connections")
		     ? " (requests in flight)"
		     : "");
	char name[100];
	snprintf(name, sizeof(name), "sweep-%s", m->name);
	lc_emit(figs, nf, &l, name,
		(struct svg_chart){ .title = title,
				    .xlabel = xlabel,
				    .ylabel = m->ylabel,
				    .xscale = SVG_LINEAR,
				    .y_from_zero = 1 });
}

/* 2-D sweeps: heatmaps of throughput and p99 latency. */
static void sweep_heatmaps(const struct rp_run *run, size_t nruns, struct fig **figs, size_t *nf)
{
	static const struct {
		const char *path, *name, *title, *vlabel;
	} hm[] = {
		{ "throughput_rps", "heatmap-throughput", "Throughput", "throughput (req/s)" },
		{ "latency_us.p99", "heatmap-p99", "p99 latency", "p99 latency (us)" },
	};
	const char *x = sweep_x(run), *y = NULL;
	double xs[64], ys[64];
	size_t nx = 0, ny = 0;
	if (run->nswept != 2)
		return;
	y = strcmp(run->swept[0], x) ? run->swept[0] : run->swept[1];
	for (size_t i = 0; i < run->npts; i++) {
		double vx = rp_num(run->pts[i].params, x), vy = rp_num(run->pts[i].params, y);
		size_t k;
		for (k = 0; k < nx && xs[k] != vx; k++)
			;
		if (k == nx && nx < 64)
			xs[nx++] = vx;
		for (k = 0; k < ny && ys[k] != vy; k++)
			;
		if (k == ny && ny < 64)
			ys[ny++] = vy;
	}
	qsort(xs, nx, sizeof(double), cmp_dbl);
	qsort(ys, ny, sizeof(double), cmp_dbl);
	for (size_t h = 0; h < 2; h++) {
		char *xc[64], *yc[64], title[200], name[120];
		double *v = xmalloc(st_mult(nx * ny, sizeof(double)));
		struct fig *f;
		for (size_t k = 0; k < nx * ny; k++)
			v[k] = NAN;
		for (size_t i = 0; i < run->npts; i++) {
			double vx = rp_num(run->pts[i].params, x),
			       vy = rp_num(run->pts[i].params, y);
			size_t a = 0, b = 0;
			while (a < nx && xs[a] != vx)
				a++;
			while (b < ny && ys[b] != vy)
				b++;
			if (a < nx && b < ny)
				v[b * nx + a] = rp_num(run->pts[i].res, hm[h].path);
		}
		for (size_t k = 0; k < nx; k++)
			xc[k] = xasprintf("%g", xs[k]);
		for (size_t k = 0; k < ny; k++)
			yc[k] = xasprintf("%g", ys[k]);
		snprintf(title, sizeof(title), "%s%s%s by %s and %s", nruns > 1 ? run->label : "",
			 nruns > 1 ? ": " : "", hm[h].title, x, y);
		snprintf(name, sizeof(name), "%s", hm[h].name);
		f = fig_new(figs, nf, name, title);
		svg_heatmap(&f->svg, &(struct svg_heatmap){ title, x, y, hm[h].vlabel,
							    (const char *const *)xc, nx,
							    (const char *const *)yc, ny, v });
		strbuf_add_csv(&f->csv, y);
		for (size_t k = 0; k < nx; k++)
			strbuf_addf(&f->csv, ",%s=%s", x, xc[k]);
		strbuf_addch(&f->csv, '\n');
		for (size_t b = 0; b < ny; b++) {
			strbuf_addstr(&f->csv, yc[b]);
			for (size_t a = 0; a < nx; a++)
				if (isfinite(v[b * nx + a]))
					strbuf_addf(&f->csv, ",%.9g", v[b * nx + a]);
				else
					strbuf_addch(&f->csv, ',');
			strbuf_addch(&f->csv, '\n');
		}
		for (size_t k = 0; k < nx; k++)
			free(xc[k]);
		for (size_t k = 0; k < ny; k++)
			free(yc[k]);
		free(v);
	}
}

/* The knee: latency against throughput when load (rate, concurrency) was swept. */
static void knee_chart(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	struct lc l = { 0 };
	char g[200];
	for (size_t r = 0; r < nruns; r++) {
		const char *x = sweep_x(&runs[r]);
		if (!x ||
		    (strcmp(x, "rate") && strcmp(x, "concurrency") && strcmp(x, "connections")))
			continue;
		for (size_t i = 0; i < runs[r].npts; i++) {
			const struct rp_point *p = &runs[r].pts[i];
			double tput = rp_num(p->res, "throughput_rps");
			group_label(g, sizeof(g), &runs[r], nruns, p, x);
			ser_add(lc_find_k(&l, g, "p50", 0), tput, rp_num(p->res, "latency_us.p50"));
			ser_add(lc_find_k(&l, g, "p99", 1), tput, rp_num(p->res, "latency_us.p99"));
		}
	}
	lc_sort(&l);
	lc_emit(figs, nf, &l, "knee",
		(struct svg_chart){ .title = "Latency against throughput (the knee)",
				    .xlabel = "throughput (req/s)",
				    .ylabel = "latency (us)",
				    .y_from_zero = 1 });
}

/* A rate search: achieved against offered rate, with the ideal diagonal. */
static void fmr_chart(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	for (size_t r = 0; r < nruns; r++) {
		const json_t *probes = rp_get(runs[r].fmr, "probes"), *e;
		struct lc l = { 0 };
		struct ser *held, *failed, *ideal;
		double hi = 0;
		size_t i;
		if (!json_array_size(probes))
			continue;
		/* The diagonal first, grey and dashed, so that the probes are drawn over it. */
		ideal = lc_series(&l, "achieved = offered");
		held = lc_series(&l, "probe held");
		failed = lc_series(&l, "probe did not hold");
		held->no_line = failed->no_line = 1;
		ideal->color = 6;
		ideal->dash = 1;
		ideal->markers = -1; /* a reference, not measurements */
		held->color = 2;
		failed->color = 1;
		json_array_foreach(probes, i, e)
		{
			double rate = rp_num(e, "rate");
			ser_add(json_is_true(json_object_get(e, "holds")) ? held : failed, rate,
				rp_num(e, "throughput_rps"));
			if (isfinite(rate) && rate > hi)
				hi = rate;
		}
		ser_add(ideal, 0, 0);
		ser_add(ideal, hi, hi);
		lc_emit(figs, nf, &l, "find-max-rate",
			(struct svg_chart){ .title = "Rate search: achieved against offered rate",
					    .xlabel = "offered rate (req/s)",
					    .ylabel = "throughput (req/s)",
					    .y_from_zero = 1 });
	}
}

static void sweep_charts(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nf)
{
	static const struct sweep_metric m[] = {
		{ "throughput",
		  "Throughput",
		  "throughput (req/s)",
		  { "throughput_rps" },
		  { "" },
		  NULL },
		{ "latency",
		  "Latency",
		  "latency (us)",
		  { "latency_us.p50", "latency_us.p99" },
		  { "p50", "p99" },
		  NULL },
		{ "ttft",
		  "Time to first token",
		  "TTFT (ms)",
		  { "llm.ttft_ms.p50", "llm.ttft_ms.p99" },
		  { "p50", "p99" },
		  "llm.ttft_ms" },
		{ "tpot",
		  "Time per output token",
		  "TPOT (ms)",
		  { "llm.tpot_ms.p50", "llm.tpot_ms.p99" },
		  { "p50", "p99" },
		  "llm.tpot_ms" },
		{ "tokens",
		  "Output tokens per second",
		  "output tokens/s (tok/s)",
		  { "llm.output_tokens_per_s" },
		  { "" },
		  "llm.output_tokens_per_s" },
		{ "goodput",
		  "Goodput",
		  "requests within the SLO per second (req/s)",
		  { "llm.goodput_rps", "throughput_rps" },
		  { "goodput", "throughput" },
		  "llm.goodput_rps" },
		{ "insert",
		  "Insert throughput",
		  "documents/s (docs/s)",
		  { "vector.insert.documents_per_s" },
		  { "" },
		  "vector.insert.documents_per_s" },
		{ "recall",
		  "Recall",
		  "recall@k (fraction)",
		  { "vector.recall.mean" },
		  { "" },
		  "vector.recall.mean" },
	};
	int any = 0;
	for (size_t r = 0; r < nruns; r++)
		any |= runs[r].nswept > 0;
	if (!any)
		return;
	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++)
		if (!m[k].needs || any_has(runs, nruns, m[k].needs))
			sweep_line(runs, nruns, &m[k], figs, nf);
	knee_chart(runs, nruns, figs, nf);
	for (size_t r = 0; r < nruns; r++)
		sweep_heatmaps(&runs[r], nruns, figs, nf);
}

void charts_build(const struct rp_run *runs, size_t nruns, struct fig **figs, size_t *nfigs)
{
	dist_charts(runs, nruns, figs, nfigs);
	time_charts(runs, nruns, figs, nfigs);
	kind_charts(runs, nruns, figs, nfigs);
	sweep_charts(runs, nruns, figs, nfigs);
	fmr_chart(runs, nruns, figs, nfigs);
	sql_charts(runs, nruns, figs, nfigs);
	vector_charts(runs, nruns, figs, nfigs);
}

void figs_free(struct fig *figs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(figs[i].name);
		free(figs[i].title);
		strbuf_release(&figs[i].svg);
		strbuf_release(&figs[i].csv);
	}
	free(figs);
}
