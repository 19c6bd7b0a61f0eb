/* report.html, the standalone charts and the CSV tables (report.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "report/charts.h"
#include "report/hgrm.h"
#include "report/report.h"
#include "report/svg.h"

/* A figure for a table cell: whole numbers for big values, 4 significant digits else. */
static void fmt_num(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "–");
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

/* The value of a JSON scalar (or array of scalars) as text. */
static void json_text(struct strbuf *out, const json_t *v)
{
	char buf[64];
	size_t i;
	const json_t *e;
	if (json_is_string(v))
		strbuf_addstr(out, json_string_value(v));
	else if (json_is_integer(v))
		strbuf_addf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.10g", json_real_value(v));
		strbuf_addstr(out, buf);
	} else if (json_is_boolean(v))
		strbuf_addstr(out, json_is_true(v) ? "true" : "false");
	else if (json_is_array(v))
		json_array_foreach(v, i, e)
		{
			if (i)
				strbuf_addch(out, ' ');
			json_text(out, e);
		}
	else if (json_is_object(v)) {
		const char *k;
		json_t *o;
		int first = 1;
		json_object_foreach((json_t *)v, k, o)
		{
			strbuf_addf(out, "%s%s=", first ? "" : " ", k);
			json_text(out, o);
			first = 0;
		}
	}
}

/* Which of rp_metrics some point holds. */
static size_t present_metrics(const struct rp_run *runs, size_t nruns, const struct rp_metric **m)
{
	size_t n = 0;
	for (size_t k = 0; rp_metrics[k].path; k++) {
		int found = 0;
		for (size_t r = 0; r < nruns && !found; r++)
			for (size_t i = 0; i < runs[r].npts && !found; i++)
				found = isfinite(rp_num(runs[r].pts[i].res, rp_metrics[k].path));
		if (found)
			m[n++] = &rp_metrics[k];
	}
	return n;
}

/* The summary table: one row per point, one column per headline figure (HTML and CSV). */
static void summary_table(const struct rp_run *runs, size_t nruns, struct strbuf *html,
			  struct strbuf *csv)
{
	const struct rp_metric *m[64];
	size_t nm = present_metrics(runs, nruns, m);
	char buf[64];
	int points = 0;
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].npts; i++)
			points |= *runs[r].pts[i].label != '\0';
	strbuf_addf(html,
		    "<table class=\"summary\"><thead><tr><th>run</th>%s"
		    "<th>protocol</th><th>target</th><th>requests ok</th>",
		    points ? "<th>point</th>" : "");
	strbuf_addstr(csv, "run,point,protocol,target,requests_ok");
	for (size_t k = 0; k < nm; k++) {
		strbuf_addstr(html, "<th>");
		svg_escape(html, m[k]->label);
		strbuf_addf(html, " (%s)</th>", m[k]->unit);
		strbuf_addf(csv, ",%s_%s", m[k]->path, m[k]->unit);
	}
	strbuf_addstr(html, "</tr></thead>\n<tbody>\n");
	strbuf_addch(csv, '\n');
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].npts; i++) {
			const struct rp_point *p = &runs[r].pts[i];
			const char *target = rp_str(p->res, "client.target");
			strbuf_addstr(html, "<tr><td>");
			svg_escape(html, runs[r].label);
			if (points) {
				strbuf_addstr(html, "</td><td class=\"pt\">");
				svg_escape(html, p->label);
			}
			strbuf_addstr(html, "</td><td>");
			svg_escape(html, rp_protocol(p));
			strbuf_addstr(html, "</td><td>");
			svg_escape(html, target ? target : "");
			fmt_num(buf, sizeof(buf), rp_num(p->res, "requests.ok"));
			strbuf_addf(html, "</td><td class=\"n\">%s</td>", buf);
			strbuf_add_csv(csv, runs[r].label);
			strbuf_addch(csv, ',');
			strbuf_add_csv(csv, p->label);
			strbuf_addch(csv, ',');
			strbuf_add_csv(csv, rp_protocol(p));
			strbuf_addch(csv, ',');
			strbuf_add_csv(csv, target ? target : "");
			strbuf_addf(csv, ",%.0f", rp_num(p->res, "requests.ok"));
			for (size_t k = 0; k < nm; k++) {
				double v = rp_num(p->res, m[k]->path);
				fmt_num(buf, sizeof(buf), v);
				strbuf_addf(html, "<td class=\"n\">%s</td>", buf);
				if (isfinite(v))
					strbuf_addf(csv, ",%.9g", v);
				else
					strbuf_addch(csv, ',');
			}
			strbuf_addstr(html, "</tr>\n");
			strbuf_addch(csv, '\n');
		}
	strbuf_addstr(html, "</tbody></table>\n");
}

/* Provenance: one row per field, one column per run (from its first result). */
static void provenance_table(const struct rp_run *runs, size_t nruns, struct strbuf *html,
			     struct strbuf *csv)
{
	const char *fields[64];
	size_t nf = 0;
	struct strbuf cell = STRBUF_INIT;
	static const char *const base[] = { "client.protocol", "client.target", "duration_s",
					    NULL };
	int have_prov = 0;
	for (size_t k = 0; base[k]; k++)
		fields[nf++] = base[k];
	for (size_t r = 0; r < nruns; r++)
		have_prov |= json_is_object(rp_get(runs[r].pts[0].res, "provenance"));
	if (!have_prov) { /* results written before provenance: what they do hold */
		fields[nf++] = "started_at";
		fields[nf++] = "tool.version";
	}
	for (size_t r = 0; r < nruns; r++) {
		const char *k;
		json_t *v;
		json_object_foreach(rp_get(runs[r].pts[0].res, "provenance"), k, v)
		{
			size_t i = 0;
			while (i < nf &&
			       (strncmp(fields[i], "provenance.", 11) || strcmp(fields[i] + 11, k)))
				i++;
			if (i == nf && nf < 64)
				fields[nf++] = xasprintf("provenance.%s", k);
		}
	}
	strbuf_addstr(html, "<table class=\"prov\"><thead><tr><th>field</th>");
	strbuf_addstr(csv, "field");
	for (size_t r = 0; r < nruns; r++) {
		strbuf_addstr(html, "<th>");
		svg_escape(html, runs[r].label);
		strbuf_addstr(html, "</th>");
		strbuf_addch(csv, ',');
		strbuf_add_csv(csv, runs[r].label);
	}
	strbuf_addstr(html, "</tr></thead>\n<tbody>\n");
	strbuf_addch(csv, '\n');
	for (size_t i = 0; i < nf; i++) {
		const char *shown =
		    strncmp(fields[i], "provenance.", 11) ? fields[i] : fields[i] + 11;
		strbuf_addstr(html, "<tr><th>");
		svg_escape(html, shown);
		strbuf_addstr(html, "</th>");
		strbuf_add_csv(csv, shown);
		for (size_t r = 0; r < nruns; r++) {
			strbuf_reset(&cell);
			json_text(&cell, rp_get(runs[r].pts[0].res, fields[i]));
			strbuf_addstr(html, "<td>");
			svg_escape(html, cell.buf);
			strbuf_addstr(html, "</td>");
			strbuf_addch(csv, ',');
			strbuf_add_csv(csv, cell.buf);
		}
		strbuf_addstr(html, "</tr>\n");
		strbuf_addch(csv, '\n');
	}
	strbuf_addstr(html, "</tbody></table>\n");
	for (size_t i = 0; i < nf; i++)
		if (!strncmp(fields[i], "provenance.", 11))
			free((char *)fields[i]);
	strbuf_release(&cell);
}

static const char css[] =
    "body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;"
    "color:#222;padding:0 12px}\n"
    "h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;"
    "border-bottom:1px solid #ccc;padding-bottom:4px}\n"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0;display:block;"
    "overflow-x:auto}\n"
    "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}\n"
    "thead th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.pt{white-space:nowrap}\n"
    "table.prov td{max-width:520px;word-break:break-all}\n"
    ".figs{display:flex;flex-wrap:wrap;gap:16px}\n"
    "figure{margin:0;border:1px solid #e4e4e4;padding:4px;background:#fff;"
    "flex:1 1 520px;max-width:calc(50% - 8px);min-width:520px;box-sizing:border-box}\n"
    "figure svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:12px;color:#555;padding:4px}\n"
    ".meta{color:#555;font-size:13px}\n";

int report_file(const char *dir, const char *name, const char *data, size_t len, struct strbuf *err)
{
	/* A temporary name, then rename: a reader never sees half a file. Not fsynced: a
	 * report is rewritten from the results at will, and a sweep's thousands of .hgrm
	 * files would otherwise wait on the disk one by one. */
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s/.%s.tmp", dir, name);
	FILE *f = fopen(tmp, "w");
	int ret = 0;
	if (!f || fwrite(data, 1, len, f) != len) {
		ret = error(err, "%s: %s", tmp, strerror(errno));
		if (f)
			fclose(f);
	} else if (fclose(f) != 0) {
		ret = error(err, "%s: %s", tmp, strerror(errno));
	} else if (rename(tmp, path) != 0) {
		ret = error(err, "%s: rename: %s", path, strerror(errno));
	}
	if (ret < 0)
		unlink(tmp);
	free(path);
	free(tmp);
	return ret;
}

int report_write(struct rp_run *runs, size_t nruns, const struct report_opts *o,
		 struct report_stats *st, struct strbuf *err)
{
	struct strbuf html = STRBUF_INIT, csv = STRBUF_INIT, pcsv = STRBUF_INIT,
		      table = STRBUF_INIT;
	struct fig *figs = NULL;
	size_t nfigs = 0;
	const char *title = o->title ? o->title : "hpcbench report";
	size_t npts = 0;
	int ret = -1;

	for (size_t r = 0; r < nruns; r++)
		npts += runs[r].npts;

	memset(st, 0, sizeof(*st));
	if (mkdir_p(o->dir, 0755, err) < 0)
		return -1;
	charts_build(runs, nruns, &figs, &nfigs);
	strbuf_init(&html, 65536);
	strbuf_addstr(&html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			     "<meta name=\"generator\" content=\"hpcbench report\"><title>");
	svg_escape(&html, title);
	strbuf_addf(&html, "</title>\n<style>\n%s</style></head>\n<body>\n<h1>", css);
	svg_escape(&html, title);
	strbuf_addf(&html,
		    "</h1>\n<p class=\"meta\">%zu run%s, %zu result%s, %zu chart%s. "
		    "Every chart is also a standalone .svg with its data in a .csv of the "
		    "same name; the tables are summary.csv and provenance.csv.</p>\n",
		    nruns, nruns == 1 ? "" : "s", npts, npts == 1 ? "" : "s", nfigs,
		    nfigs == 1 ? "" : "s");
	strbuf_addstr(&html, "<h2>Provenance</h2>\n");
	provenance_table(runs, nruns, &html, &pcsv);
	/* A sweep's long table goes after the charts, so that they are seen first. */
	summary_table(runs, nruns, &table, &csv);
	if (npts <= 20)
		strbuf_addf(&html, "<h2>Summary</h2>\n%s", table.buf);
	strbuf_addstr(&html, "<h2>Charts</h2>\n<div class=\"figs\">\n");
	for (size_t i = 0; i < nfigs; i++) {
		char *stem = xasprintf("chart-%02zu-%s", i + 1, figs[i].name);
		char *fn = xasprintf("%s.svg", stem);
		int rc = report_file(o->dir, fn, figs[i].svg.buf, figs[i].svg.len, err);
		free(fn);
		fn = xasprintf("%s.csv", stem);
		if (rc == 0)
			rc = report_file(o->dir, fn, figs[i].csv.buf, figs[i].csv.len, err);
		free(fn);
		strbuf_addf(&html, "<figure id=\"%s\">\n%s<figcaption>%zu. ", stem, figs[i].svg.buf,
			    i + 1);
		svg_escape(&html, figs[i].title);
		strbuf_addf(&html,
			    " — <a href=\"%s.svg\">SVG</a> · <a href=\"%s.csv\">data "
			    "(CSV)</a></figcaption>\n</figure>\n",
			    stem, stem);
		free(stem);
		if (rc < 0)
			goto out;
	}
	strbuf_addstr(&html, "</div>\n");
	if (npts > 20)
		strbuf_addf(&html, "<h2>Summary</h2>\n%s", table.buf);
	if (hgrm_write_all(runs, nruns, o->dir, &html, &st->hgrm, err) < 0)
		goto out;
	strbuf_addstr(&html, "<p class=\"meta\">Written by hpcbench report. Percentiles are "
			     "nearest-rank over HdrHistogram-style log-linear histograms "
			     "(docs/load.md); see docs/report.md for what each chart shows.</p>\n"
			     "</body></html>\n");
	if (report_file(o->dir, "summary.csv", csv.buf, csv.len, err) < 0 ||
	    report_file(o->dir, "provenance.csv", pcsv.buf, pcsv.len, err) < 0 ||
	    report_file(o->dir, "report.html", html.buf, html.len, err) < 0)
		goto out;
	st->charts = nfigs;
	st->html_bytes = html.len;
	ret = 0;
out:
	figs_free(figs, nfigs);
	strbuf_release(&html);
	strbuf_release(&csv);
	strbuf_release(&pcsv);
	strbuf_release(&table);
	return ret;
}
