/* compare: paired points, per-figure verdicts, Welch's t-test over trials (compare.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "common/xalloc.h"
#include "report/compare.h"

/* Continued fraction of the regularized incomplete beta function (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, num, del;
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-12)
			break;
	}
	return h;
}

/* I_x(a, b). */
static double inc_beta(double a, double b, double x)
{
	double front;
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double welch_p(double m1, double v1, size_t n1, double m2, double v2, size_t n2)
{
	double s1, s2, se2, t, df;
	if (n1 < 2 || n2 < 2)
		return NAN;
	s1 = v1 / (double)n1;
	s2 = v2 / (double)n2;
	se2 = s1 + s2;
	if (se2 <= 0)
		return m1 == m2 ? 1 : 0;
	t = (m1 - m2) / sqrt(se2);
	df = se2 * se2 / (s1 * s1 / (double)(n1 - 1) + s2 * s2 / (double)(n2 - 1));
	/* Two-sided: P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2). */
	return inc_beta(df / 2, 0.5, df / (df + t * t));
}

/* 0 when the workloads are equal, else -1 with the first difference in why. */
static int workload_differs(const struct rp_point *a, const struct rp_point *b, struct strbuf *why)
{
	const char *k;
	json_t *v;
	if (strcmp(rp_protocol(a), rp_protocol(b))) {
		strbuf_addf(why, "protocol %s vs %s", rp_protocol(a), rp_protocol(b));
		return -1;
	}
	for (int side = 0; side < 2; side++) {
		const json_t *p = side ? b->params : a->params, *q = side ? a->params : b->params;
		json_object_foreach((json_t *)p, k, v)
		{
			const json_t *o = json_object_get(q, k);
			char *sv, *so;
			if (!rp_workload_param(k) || (o && json_equal(v, o)))
				continue;
			sv = json_dumps(side ? o : v, JSON_ENCODE_ANY | JSON_COMPACT);
			so = json_dumps(side ? v : o, JSON_ENCODE_ANY | JSON_COMPACT);
			strbuf_addf(why, "parameter %s: %s vs %s", k, sv ? sv : "(absent)",
				    so ? so : "(absent)");
			free(sv);
			free(so);
			return -1;
		}
	}
	return 0;
}

/* The points of run with label, as indices; their count. */
static size_t group(const struct rp_run *run, const char *label, size_t *idx)
{
	size_t n = 0;
	for (size_t i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].label, label))
			idx[n++] = i;
	return n;
}

struct sample {
	double mean, var;
	size_t n;
};

static struct sample sample_of(const struct rp_run *run, const size_t *idx, size_t n,
			       const char *path)
{
	struct sample s = { 0, 0, 0 };
	double sum = 0, sq = 0;
	for (size_t i = 0; i < n; i++) {
		double v = rp_num(run->pts[idx[i]].res, path);
		if (!isfinite(v))
			continue;
		sum += v;
		s.n++;
	}
	if (!s.n) {
		s.mean = NAN;
		return s;
	}
	s.mean = sum / (double)s.n;
	for (size_t i = 0; i < n; i++) {
		double v = rp_num(run->pts[idx[i]].res, path);
		if (isfinite(v))
			sq += (v - s.mean) * (v - s.mean);
	}
	s.var = s.n > 1 ? sq / (double)(s.n - 1) : 0;
	return s;
}

static const char *verdict(const struct rp_metric *m, struct sample b, struct sample n, double thr,
			   double *change, double *p)
{
	double diff = n.mean - b.mean;
	int beyond;
	*p = welch_p(b.mean, b.var, b.n, n.mean, n.var, n.n);
	if (b.mean != 0)
		*change = diff / fabs(b.mean) * 100;
	else
		*change = diff == 0 ? 0 : NAN; /* from zero: no percentage */
	beyond = isfinite(*change) ? fabs(*change) > thr : diff != 0;
	if (!beyond || (isfinite(*p) && *p >= 0.05))
		return "within noise";
	return diff * m->better > 0 ? "better" : "worse";
}

static void fmt(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

static void prov_diffs(const struct rp_run *base, const struct rp_run *cur, struct jsonw *w,
		       struct strbuf *warn, size_t *n)
{
	static const char *const skip[] = { "started_at", "ended_at", "command_line", NULL };
	const json_t *pb = rp_get(base->pts[0].res, "provenance"),
		     *pn = rp_get(cur->pts[0].res, "provenance");
	json_t *both = json_object();
	const char *k;
	json_t *v;
	if (json_is_object(pb))
		json_object_update(both, (json_t *)pb);
	if (json_is_object(pn))
		json_object_update(both, (json_t *)pn);
	json_object_set_new(both, "tool_version", json_null());
	json_object_foreach(both, k, v)
	{
		const json_t *a, *b;
		char *sa, *sb;
		int s = 0;
		while (skip[s] && strcmp(skip[s], k))
			s++;
		if (skip[s])
			continue;
		a = strcmp(k, "tool_version") ? json_object_get(pb, k)
					      : rp_get(base->pts[0].res, "tool.version");
		b = strcmp(k, "tool_version") ? json_object_get(pn, k)
					      : rp_get(cur->pts[0].res, "tool.version");
		if (a && b && json_equal(a, b))
			continue;
		if (!a && !b)
			continue;
		sa = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : xstrdup("(absent)");
		sb = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT) : xstrdup("(absent)");
		strbuf_addf(warn, "provenance differs: %s: base %s, new %s\n", k, sa, sb);
		if (w) {
			jsonw_obj_open(w, NULL);
			jsonw_str(w, "field", k);
			jsonw_raw(w, "base", a ? sa : "null");
			jsonw_raw(w, "new", b ? sb : "null");
			jsonw_close(w);
		}
		free(sa);
		free(sb);
		(*n)++;
	}
	json_decref(both);
}

void compare_runs(const struct rp_run *base, const struct rp_run *cur, const struct compare_opts *o,
		  struct strbuf *out, struct strbuf *warn, struct compare_outcome *oc)
{
	struct jsonw jw, *w = NULL;
	size_t *bi = xmalloc(st_mult(base->npts + 1, sizeof(size_t)));
	size_t *ni = xmalloc(st_mult(cur->npts + 1, sizeof(size_t)));
	char **done = xcalloc(base->npts + 1, sizeof(char *));
	size_t ndone = 0, trials = 0;
	struct strbuf why = STRBUF_INIT;
	char b1[32], b2[32], b3[32];

	memset(oc, 0, sizeof(*oc));
	if (o->json) {
		jsonw_init(&jw, out, 1);
		w = &jw;
		jsonw_obj_open(w, NULL);
		jsonw_str(w, "schema", "hpcbench.compare/1");
		jsonw_str(w, "base", base->label);
		jsonw_str(w, "new", cur->label);
		jsonw_double(w, "threshold_pct", o->threshold_pct, 3);
		jsonw_str(w, "method",
			  "points paired by swept parameters; with >= 2 trials on both sides a "
			  "change counts when Welch's two-sided t-test gives p < 0.05 and it is "
			  "beyond the threshold, else when beyond the threshold");
		jsonw_arr_open(w, "points");
	} else {
		strbuf_addf(out, "%-22s %-26s %12s %12s %9s  %s\n", "point", "figure", "base",
			    "new", "change", "verdict");
	}
	for (size_t i = 0; i < base->npts; i++) {
		const char *label = base->pts[i].label;
		size_t nb, nn, d;
		for (d = 0; d < ndone && strcmp(done[d], label); d++)
			;
		if (d < ndone)
			continue;
		done[ndone++] = (char *)label;
		nb = group(base, label, bi);
		nn = group(cur, label, ni);
		/* Lone results on both sides pair whatever their labels. */
		if (!nn && base->npts == 1 && cur->npts == 1) {
			ni[0] = 0;
			nn = 1;
		}
		if (!nn) {
			oc->unpaired++;
			if (w) {
				jsonw_obj_open(w, NULL);
				jsonw_str(w, "point", label);
				jsonw_str(w, "status", "only in base");
				jsonw_close(w);
			} else {
				strbuf_addf(out, "%-22s only in base\n", *label ? label : "-");
			}
			continue;
		}
		strbuf_reset(&why);
		if (workload_differs(&base->pts[bi[0]], &cur->pts[ni[0]], &why) < 0) {
			oc->incomparable++;
			if (w) {
				jsonw_obj_open(w, NULL);
				jsonw_str(w, "point", label);
				jsonw_str(w, "status", "incomparable");
				jsonw_str(w, "why", why.buf);
				jsonw_close(w);
			} else {
				strbuf_addf(out, "%-22s incomparable: different workloads (%s)\n",
					    *label ? label : "-", why.buf);
			}
			continue;
		}
		oc->compared++;
		if (nb > 1 && nn > 1)
			trials = 1;
		if (w) {
			jsonw_obj_open(w, NULL);
			jsonw_str(w, "point", label);
			jsonw_str(w, "status", "compared");
			jsonw_u64(w, "trials_base", nb);
			jsonw_u64(w, "trials_new", nn);
			jsonw_arr_open(w, "figures");
		}
		for (size_t k = 0; rp_metrics[k].path; k++) {
			const struct rp_metric *m = &rp_metrics[k];
			struct sample sb = sample_of(base, bi, nb, m->path);
			struct sample sn = sample_of(cur, ni, nn, m->path);
			double change, p;
			const char *v;
			if (!sb.n || !sn.n)
				continue;
			v = verdict(m, sb, sn, o->threshold_pct, &change, &p);
			if (!strcmp(v, "better"))
				oc->better++;
			else if (!strcmp(v, "worse"))
				oc->worse++;
			else
				oc->noise++;
			if (w) {
				jsonw_obj_open(w, NULL);
				jsonw_str(w, "figure", m->path);
				jsonw_str(w, "unit", m->unit);
				jsonw_str(w, "better", m->better > 0 ? "higher" : "lower");
				jsonw_double(w, "base", sb.mean, 6);
				jsonw_double(w, "new", sn.mean, 6);
				if (isfinite(change))
					jsonw_double(w, "change_pct", change, 3);
				else
					jsonw_null(w, "change_pct");
				if (sb.n > 1 && sn.n > 1) {
					jsonw_double(w, "base_stddev", sqrt(sb.var), 6);
					jsonw_double(w, "new_stddev", sqrt(sn.var), 6);
				}
				if (isfinite(p))
					jsonw_double(w, "p_value", p, 6);
				else
					jsonw_null(w, "p_value");
				jsonw_str(w, "verdict", v);
				jsonw_close(w);
			} else {
				char fig[64];
				snprintf(fig, sizeof(fig), "%s (%s)", m->label, m->unit);
				fmt(b1, sizeof(b1), sb.mean);
				fmt(b2, sizeof(b2), sn.mean);
				if (isfinite(change))
					snprintf(b3, sizeof(b3), "%+.1f%%", change);
				else
					snprintf(b3, sizeof(b3), "from 0");
				strbuf_addf(out, "%-22s %-26s %12s %12s %9s  %s",
					    *label ? label : "-", fig, b1, b2, b3, v);
				if (isfinite(p))
					strbuf_addf(out, " (p=%.3g, n=%zu/%zu)", p, sb.n, sn.n);
				strbuf_addch(out, '\n');
			}
		}
		if (w) {
			jsonw_close(w);
			jsonw_close(w);
		}
	}
	for (size_t i = 0; i < cur->npts; i++) {
		size_t d;
		if (base->npts == 1 && cur->npts == 1)
			break;
		for (d = 0; d < ndone && strcmp(done[d], cur->pts[i].label); d++)
			;
		if (d < ndone)
			continue;
		done = xrealloc(done, st_mult(ndone + 1, sizeof(char *)));
		done[ndone++] = cur->pts[i].label;
		oc->unpaired++;
		if (w) {
			jsonw_obj_open(w, NULL);
			jsonw_str(w, "point", cur->pts[i].label);
			jsonw_str(w, "status", "only in new");
			jsonw_close(w);
		} else {
			strbuf_addf(out, "%-22s only in new\n", cur->pts[i].label);
		}
	}
	if (w) {
		jsonw_close(w);
		jsonw_arr_open(w, "provenance_differences");
	}
	prov_diffs(base, cur, w, warn, &oc->prov_diffs);
	if (w) {
		jsonw_close(w);
		jsonw_obj_open(w, "counts");
		jsonw_u64(w, "better", oc->better);
		jsonw_u64(w, "worse", oc->worse);
		jsonw_u64(w, "within_noise", oc->noise);
		jsonw_u64(w, "incomparable_points", oc->incomparable);
		jsonw_u64(w, "unpaired_points", oc->unpaired);
		jsonw_close(w);
		jsonw_close(w);
		strbuf_addch(out, '\n');
	} else {
		strbuf_addf(out,
			    "\n%s vs %s: %zu better, %zu worse, %zu within noise (threshold "
			    "%g%%, %s)",
			    base->label, cur->label, oc->better, oc->worse, oc->noise,
			    o->threshold_pct,
			    trials ? "Welch's t-test over the trials, p < 0.05"
				   : "one result per side: threshold only");
		if (oc->incomparable)
			strbuf_addf(out, "; %zu point%s incomparable", oc->incomparable,
				    oc->incomparable == 1 ? "" : "s");
		if (oc->unpaired)
			strbuf_addf(out, "; %zu point%s on one side only", oc->unpaired,
				    oc->unpaired == 1 ? "" : "s");
		strbuf_addch(out, '\n');
	}
	free(bi);
	free(ni);
	free(done);
	strbuf_release(&why);
}
