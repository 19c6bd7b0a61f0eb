/* .hgrm export: HdrHistogram's percentile distribution text (hgrm.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "load/core/hist-json.h"
#include "report/hgrm.h"
#include "report/report.h"
#include "report/svg.h"

#define TICKS_PER_HALF_DISTANCE 5
#define NS_PER_UNIT 1e6 /* values in milliseconds */

/* The reported value of slot i: its highest value, within the exact min and max. */
static uint64_t slot_value(const struct hist *h, unsigned i)
{
	uint64_t v = hist_slot_high(h->sub_bits, i);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

static void line(struct strbuf *out, uint64_t v, double pct, uint64_t count, int last)
{
	if (last)
		strbuf_addf(out, "%12.3f %2.12f %10llu\n", (double)v / NS_PER_UNIT, pct / 100,
			    (unsigned long long)count);
	else
		strbuf_addf(out, "%12.3f %2.12f %10llu %14.2f\n", (double)v / NS_PER_UNIT,
			    pct / 100, (unsigned long long)count, 1 / (1 - pct / 100));
}

void hgrm_write(struct strbuf *out, const struct hist *h, double mean_ns)
{
	double level = 0, var = 0, mean;
	uint64_t cum = 0, last_v = 0;
	unsigned nbuckets = HIST_RANGE_BITS - h->sub_bits + 1;

	if (!h->total)
		return;
	mean = isfinite(mean_ns) ? mean_ns : h->sum / (double)h->total;
	strbuf_addf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		    "1/(1-Percentile)");
	/* HdrHistogram's percentile iterator: report the first value whose cumulative
	 * share reaches the level, then step the level by 100 / (ticks * 2^(halvings+1)),
	 * halvings = floor(log2(100 / (100 - level))). The slot holding the last value
	 * reports one level, then the closing 100 % line. */
	for (unsigned i = 0; i < h->nslots; i++) {
		if (!h->counts[i])
			continue;
		cum += h->counts[i];
		last_v = slot_value(h, i);
		var += (double)h->counts[i] * ((double)last_v - mean) * ((double)last_v - mean);
		while (100.0 * (double)cum / (double)h->total >= level) {
			line(out, last_v, level, cum, 0);
			double halvings = floor(log2(100 / (100 - level)));
			level += 100 / (TICKS_PER_HALF_DISTANCE * pow(2, halvings + 1));
			if (cum >= h->total)
				break;
		}
	}
	if (h->above) {
		cum += h->above;
		last_v = h->max;
		var += (double)h->above * ((double)h->max - mean) * ((double)h->max - mean);
	}
	line(out, last_v > h->max ? last_v : h->max, 100, cum, 1);
	strbuf_addf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / NS_PER_UNIT,
		    sqrt(var / (double)h->total) / NS_PER_UNIT);
	strbuf_addf(out, "#[Max     = %12.3f, Total count    = %12llu]\n",
		    (double)h->max / NS_PER_UNIT, (unsigned long long)h->total);
	strbuf_addf(out, "#[Buckets = %12u, SubBuckets     = %12u]\n", nbuckets, 1u << h->sub_bits);
}

/* A file name part: letters, digits, '.', '-', '_' kept, anything else '_'. */
static void name_part(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		strbuf_addch(sb, isalnum((unsigned char)*s) || strchr(".-_=", *s) ? *s : '_');
}

struct walk {
	const struct rp_run *run;
	const struct rp_point *pt;
	const char *dir;
	struct strbuf *html;
	size_t *n;
	struct strbuf *err;
};

static int write_one(struct walk *w, const char *path, const json_t *obj)
{
	struct hist h;
	const char *why = NULL;
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	int ret;
	if (hist_json_read(json_object_get(obj, "histogram"), &h, &why) < 0)
		return error(w->err, "%s: %s.histogram: %s", w->run->label, path, why);
	name_part(&name, w->run->label);
	if (*w->pt->label) {
		strbuf_addch(&name, '-');
		name_part(&name, w->pt->label);
	}
	strbuf_addch(&name, '-');
	name_part(&name, path);
	strbuf_addstr(&name, ".hgrm");
	/* The mean of the enclosing object is exact; its unit is in the key's suffix. */
	double mean = rp_num(obj, "mean");
	size_t pl = strlen(path);
	if (pl > 3 && !strcmp(path + pl - 3, "_ms"))
		mean *= 1e6;
	else if (pl > 3 && !strcmp(path + pl - 3, "_us"))
		mean *= 1e3;
	else
		mean = NAN;
	hgrm_write(&text, &h, mean);
	ret = report_file(w->dir, name.buf, text.buf, text.len, w->err);
	if (ret == 0) {
		strbuf_addf(w->html, "<li><a href=\"%s\">", name.buf);
		svg_escape(w->html, name.buf);
		strbuf_addf(w->html, "</a> (%llu values)</li>\n", (unsigned long long)h.total);
		(*w->n)++;
	}
	hist_release(&h);
	strbuf_release(&name);
	strbuf_release(&text);
	return ret;
}

/* Every object under obj (path so far in prefix) that holds a "histogram". */
static int walk(struct walk *w, const json_t *obj, const char *prefix, int depth)
{
	const char *k;
	json_t *v;
	if (depth > 4)
		return 0;
	json_object_foreach((json_t *)obj, k, v)
	{
		char *path;
		int rc = 0;
		if (!json_is_object(v) || !strcmp(k, "histogram") || !strcmp(k, "client"))
			continue;
		path = *prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		if (json_is_object(json_object_get(v, "histogram")))
			rc = write_one(w, path, v);
		if (rc == 0)
			rc = walk(w, v, path, depth + 1);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int hgrm_write_all(const struct rp_run *runs, size_t nruns, const char *dir, struct strbuf *html,
		   size_t *n, struct strbuf *err)
{
	struct strbuf list = STRBUF_INIT;
	int ret = 0;
	*n = 0;
	for (size_t r = 0; r < nruns && ret == 0; r++)
		for (size_t i = 0; i < runs[r].npts && ret == 0; i++) {
			struct walk w = { &runs[r], &runs[r].pts[i], dir, &list, n, err };
			ret = walk(&w, runs[r].pts[i].res, "", 0);
		}
	if (ret == 0 && *n)
		strbuf_addf(html,
			    "<h2>Histograms</h2>\n<p class=\"meta\">Every latency histogram in "
			    "HdrHistogram's percentile-distribution format (values in ms), for "
			    "its plotter:</p>\n<ul class=\"hgrm\">\n%s</ul>\n",
			    list.buf);
	strbuf_release(&list);
	return ret;
}
