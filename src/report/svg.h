/*
 * SVG chart primitives for the report: line/scatter charts (linear, log or HdrHistogram's
 * "percentile" axis), grouped bar charts and heatmaps with values in the cells.
 *
 * Every chart is a standalone <svg> element (xmlns set, no external reference, no
 * script), 760 x 420 user units, drawn with the Okabe-Ito colorblind-safe palette; series
 * past the eighth also change their dash pattern. Non-finite values (NaN, inf) are never
 * written: such points are skipped (a heatmap cell shows "–").
 * Owned by src/report/; the caller owns every array it passes.
 */
#ifndef HPCBENCH_REPORT_SVG_H
#define HPCBENCH_REPORT_SVG_H

#include <stddef.h>

#include "common/strbuf.h"

enum svg_scale {
	SVG_LINEAR,
	SVG_LOG,
	/* x in percent (50 .. 99.9999), placed at log10(1 / (1 - x/100)): HdrHistogram's
	 * plotter; ticks 50 %, 90 %, 99 %, 99.9 %... */
	SVG_PERCENTILE,
};

struct svg_series {
	const char *name; /* legend text */
	size_t n;
	const double *x, *y;
	int markers; /* draw a dot at each point (sparse series, scatter) */
	int no_line; /* markers only */
};

/* A horizontal reference line (an SLO), drawn dashed with its label. */
struct svg_hline {
	double y;
	const char *label;
};

struct svg_chart {
	const char *title;
	const char *xlabel, *ylabel; /* with their units: "latency (ms)" */
	enum svg_scale xscale, yscale;
	const struct svg_series *series;
	size_t nseries;
	const struct svg_hline *hlines;
	size_t nhlines;
	int y_from_zero; /* linear y axis starts at 0 */
};

/* Appends the chart as one <svg> element. */
void svg_line_chart(struct strbuf *out, const struct svg_chart *c);

struct svg_bars {
	const char *title, *ylabel;
	const char *const *cats; /* categories along x */
	size_t ncats;
	const char *const *names; /* one per series (legend) */
	size_t nseries;
	const double *v; /* v[s * ncats + c] */
};

/* Appends a grouped bar chart (one group per category, one bar per series). */
void svg_bar_chart(struct strbuf *out, const struct svg_bars *b);

struct svg_heatmap {
	const char *title;
	const char *xlabel, *ylabel, *vlabel; /* vlabel: what the cell value is, with unit */
	const char *const *xcats;
	size_t nx;
	const char *const *ycats;
	size_t ny;
	const double *v; /* v[y * nx + x]; NaN: no measurement */
};

/* Appends a heatmap with each cell's value printed in it. */
void svg_heatmap(struct strbuf *out, const struct svg_heatmap *h);

/* Appends s with XML's five special characters escaped. */
void svg_escape(struct strbuf *out, const char *s);
/* Formats v with 4 significant digits and no exponent for everyday magnitudes. */
void svg_num(char *buf, size_t len, double v);
/* The color of series i (Okabe-Ito order, black last). */
const char *svg_color(size_t i);

#endif
