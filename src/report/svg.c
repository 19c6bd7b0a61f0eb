/* SVG charts: axes with "nice" ticks, lines, bars, heatmaps (svg.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/svg.h"

#define W 760
#define H 420
#define TOP 44
#define LEFT 84
#define BOTTOM (H - 62)
#define LEGEND_W 190

/* Okabe & Ito (2008), ordered so that the first ones differ most on white; the yellow,
 * hard to see on white, comes last. */
static const char *const palette[] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
};
static const char *const dashes[] = { "", "6,3", "2,3", "8,3,2,3" };

const char *svg_color(size_t i)
{
	return palette[i % 8];
}

void svg_escape(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			strbuf_addstr(out, "&amp;");
			break;
		case '<':
			strbuf_addstr(out, "&lt;");
			break;
		case '>':
			strbuf_addstr(out, "&gt;");
			break;
		case '"':
			strbuf_addstr(out, "&quot;");
			break;
		case '\'':
			strbuf_addstr(out, "&#39;");
			break;
		default:
			strbuf_addch(out, *s);
		}
	}
}

void svg_num(char *buf, size_t len, double v)
{
	double a = fabs(v);
	if (!isfinite(v))
		snprintf(buf, len, "–");
	else if (a >= 1e9)
		snprintf(buf, len, "%.3gG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3gM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else if (a != 0 && a < 1e-3)
		snprintf(buf, len, "%.2g", v);
	else
		snprintf(buf, len, "%.4g", v);
}

/* One axis: the data range mapped onto [p0, p1] pixels. */
struct axis {
	enum svg_scale scale;
	double lo, hi; /* in transformed units */
	double p0, p1;
	double ticks[16];
	size_t nticks;
};

static double tr(enum svg_scale s, double v)
{
	if (s == SVG_LOG)
		return log10(v);
	if (s == SVG_PERCENTILE)
		return -log10(1 - v / 100);
	return v;
}

static int usable(enum svg_scale s, double v)
{
	if (!isfinite(v))
		return 0;
	if (s == SVG_LOG)
		return v > 0;
	if (s == SVG_PERCENTILE)
		return v >= 50 && v < 100;
	return 1;
}

static double nice_step(double range)
{
	double raw = range / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* Sets the range and ticks from the data extremes (raw units). */
static void axis_fit(struct axis *a, double min, double max, int from_zero)
{
	a->nticks = 0;
	if (!(min <= max)) { /* no data */
		min = a->scale == SVG_PERCENTILE ? 50 : a->scale == SVG_LOG ? 1 : 0;
		max = a->scale == SVG_PERCENTILE ? 99.99 : a->scale == SVG_LOG ? 10 : 1;
	}
	if (a->scale == SVG_PERCENTILE) {
		static const double pt[] = { 50, 90, 99, 99.9, 99.99, 99.999, 99.9999 };
		if (max < 99.99)
			max = 99.99;
		a->lo = tr(a->scale, 50);
		a->hi = tr(a->scale, max);
		for (size_t i = 0; i < sizeof(pt) / sizeof(pt[0]) && pt[i] <= max + 1e-9; i++)
			a->ticks[a->nticks++] = pt[i];
		if (a->hi < tr(a->scale, a->ticks[a->nticks - 1]))
			a->hi = tr(a->scale, a->ticks[a->nticks - 1]);
		return;
	}
	if (a->scale == SVG_LOG) {
		double d0 = floor(log10(min)), d1 = ceil(log10(max));
		if (d1 <= d0)
			d1 = d0 + 1;
		while (d1 - d0 > 12)
			d0++;
		a->lo = d0;
		a->hi = d1;
		for (double d = d0; d <= d1 && a->nticks < 16; d++)
			a->ticks[a->nticks++] = pow(10, d);
		return;
	}
	if (from_zero && min > 0)
		min = 0;
	if (max - min <= 0) {
		double pad = fabs(max) > 0 ? fabs(max) * 0.1 : 1;
		min -= from_zero && min == 0 ? 0 : pad;
		max += pad;
	}
	double step = nice_step(max - min);
	a->lo = floor(min / step) * step;
	a->hi = ceil(max / step) * step;
	for (double t = a->lo; t <= a->hi + step / 2 && a->nticks < 16; t += step)
		a->ticks[a->nticks++] = fabs(t) < step * 1e-9 ? 0 : t;
}

static double axis_px(const struct axis *a, double v)
{
	double t = tr(a->scale, v);
	return a->p0 + (t - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

static void tick_label(char *buf, size_t len, enum svg_scale s, double v)
{
	if (s == SVG_PERCENTILE)
		snprintf(buf, len, "%g%%", v);
	else
		svg_num(buf, len, v);
}

static void open_svg(struct strbuf *out, const char *title)
{
	strbuf_addf(out,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
		    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, "
		    "sans-serif\" font-size=\"12\">\n<rect width=\"%d\" height=\"%d\" "
		    "fill=\"#ffffff\"/>\n<text class=\"title\" x=\"%d\" y=\"22\" "
		    "text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">",
		    W, H, W, H, W, H, W / 2);
	svg_escape(out, title);
	strbuf_addstr(out, "</text>\n");
}

/* Axis lines, grid, ticks and the two axis labels. */
static void draw_axes(struct strbuf *out, const struct axis *x, const struct axis *y,
		      const char *xlabel, const char *ylabel)
{
	char buf[32];
	for (size_t i = 0; i < y->nticks; i++) {
		double py = axis_px(y, y->ticks[i]);
		tick_label(buf, sizeof(buf), y->scale, y->ticks[i]);
		strbuf_addf(out,
			    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#dddddd\"/><text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\">%s</text>\n",
			    x->p0, py, x->p1, py, x->p0 - 6, py + 4, buf);
	}
	for (size_t i = 0; i < x->nticks; i++) {
		double px = axis_px(x, x->ticks[i]);
		tick_label(buf, sizeof(buf), x->scale, x->ticks[i]);
		strbuf_addf(out,
			    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#eeeeee\"/><text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\">%s</text>\n",
			    px, y->p0, px, y->p1, px, y->p0 + 18, buf);
	}
	strbuf_addf(out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>"
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
		    x->p0, y->p0, x->p1, y->p0, x->p0, y->p0, x->p0, y->p1);
	strbuf_addf(out, "<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
		    (x->p0 + x->p1) / 2, H - 18);
	svg_escape(out, xlabel);
	strbuf_addf(out,
		    "</text>\n<text class=\"ylabel\" x=\"0\" y=\"0\" text-anchor=\"middle\" "
		    "transform=\"translate(18,%.1f) rotate(-90)\">",
		    (y->p0 + y->p1) / 2);
	svg_escape(out, ylabel);
	strbuf_addstr(out, "</text>\n");
}

/* The legend at the right of the plot: a swatch and a name per series (those that fit). */
static void draw_legend(struct strbuf *out, const char *const *names, size_t n, int bars)
{
	size_t fit = (size_t)(BOTTOM - TOP) / 18;
	strbuf_addstr(out, "<g class=\"legend\">\n");
	for (size_t i = 0; i < n && i < fit; i++) {
		double y = TOP + 8 + (double)i * 18;
		int x = W - LEGEND_W + 10;
		char name[40];
		if (i + 1 == fit && n > fit)
			snprintf(name, sizeof(name), "… and %zu more", n - i);
		else
			snprintf(name, sizeof(name), "%.30s%s", names[i],
				 strlen(names[i]) > 30 ? "…" : "");
		if (bars)
			strbuf_addf(out,
				    "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" "
				    "fill=\"%s\"/>",
				    x, y - 9, svg_color(i));
		else
			strbuf_addf(
			    out,
			    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
			    "stroke-width=\"2.5\" stroke-dasharray=\"%s\"/>",
			    x, y - 4, x + 18, y - 4, svg_color(i), dashes[(i / 8) % 4]);
		strbuf_addf(out, "<text x=\"%d\" y=\"%.1f\">", x + 24, y);
		svg_escape(out, name);
		strbuf_addstr(out, "</text>\n");
	}
	strbuf_addstr(out, "</g>\n");
}

void svg_line_chart(struct strbuf *out, const struct svg_chart *c)
{
	struct axis x = { .scale = c->xscale }, y = { .scale = c->yscale };
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	int legend = c->nseries > 1;
	const char *names[256];
	size_t nn = 0;

	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->series[s].n; i++) {
			double vx = c->series[s].x[i], vy = c->series[s].y[i];
			if (!usable(x.scale, vx) || !usable(y.scale, vy))
				continue;
			xmin = fmin(xmin, vx), xmax = fmax(xmax, vx);
			ymin = fmin(ymin, vy), ymax = fmax(ymax, vy);
		}
	for (size_t i = 0; i < c->nhlines; i++)
		if (usable(y.scale, c->hlines[i].y))
			ymin = fmin(ymin, c->hlines[i].y), ymax = fmax(ymax, c->hlines[i].y);
	x.p0 = LEFT;
	x.p1 = W - (legend ? LEGEND_W : 24);
	y.p0 = BOTTOM;
	y.p1 = TOP;
	axis_fit(&x, xmin, xmax, 0);
	axis_fit(&y, ymin, ymax, c->y_from_zero);

	open_svg(out, c->title);
	draw_axes(out, &x, &y, c->xlabel, c->ylabel);
	for (size_t i = 0; i < c->nhlines; i++) {
		double py;
		if (!usable(y.scale, c->hlines[i].y))
			continue;
		py = axis_px(&y, c->hlines[i].y);
		strbuf_addf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555555\" "
		    "stroke-dasharray=\"4,4\"/><text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\" fill=\"#555555\">",
		    x.p0, py, x.p1, py, x.p1 - 4, py - 4);
		svg_escape(out, c->hlines[i].label);
		strbuf_addstr(out, "</text>\n");
	}
	for (size_t s = 0; s < c->nseries; s++) {
		const struct svg_series *se = &c->series[s];
		const char *col = svg_color(s);
		int open = 0;
		if (!se->no_line) {
			for (size_t i = 0; i < se->n; i++) {
				if (!usable(x.scale, se->x[i]) || !usable(y.scale, se->y[i]))
					continue;
				if (!open)
					strbuf_addf(out,
						    "<polyline fill=\"none\" stroke=\"%s\" "
						    "stroke-width=\"2\" stroke-dasharray=\"%s\" "
						    "points=\"",
						    col, dashes[(s / 8) % 4]);
				open = 1;
				strbuf_addf(out, "%.1f,%.1f ", axis_px(&x, se->x[i]),
					    axis_px(&y, se->y[i]));
			}
			if (open)
				strbuf_addstr(out, "\"/>\n");
		}
		if (se->markers || se->no_line)
			for (size_t i = 0; i < se->n; i++)
				if (usable(x.scale, se->x[i]) && usable(y.scale, se->y[i]))
					strbuf_addf(out,
						    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
						    "fill=\"%s\"/>\n",
						    axis_px(&x, se->x[i]), axis_px(&y, se->y[i]),
						    col);
		if (nn < sizeof(names) / sizeof(names[0]))
			names[nn++] = se->name ? se->name : "";
	}
	if (legend)
		draw_legend(out, names, nn, 0);
	strbuf_addstr(out, "</svg>\n");
}

void svg_bar_chart(struct strbuf *out, const struct svg_bars *b)
{
	struct axis x = { .scale = SVG_LINEAR }, y = { .scale = SVG_LINEAR };
	double ymax = -INFINITY;
	int legend = b->nseries > 1, rotate = b->ncats > 8;
	double groupw, barw;

	for (size_t i = 0; i < b->ncats * b->nseries; i++)
		if (isfinite(b->v[i]))
			ymax = fmax(ymax, b->v[i]);
	x.p0 = LEFT;
	x.p1 = W - (legend ? LEGEND_W : 24);
	y.p0 = BOTTOM - (rotate ? 30 : 0);
	y.p1 = TOP;
	axis_fit(&y, 0, ymax, 1);
	open_svg(out, b->title);
	draw_axes(out, &x, &y, "", b->ylabel);
	groupw = (x.p1 - x.p0) / (double)(b->ncats ? b->ncats : 1);
	barw = groupw * 0.8 / (double)(b->nseries ? b->nseries : 1);
	for (size_t c = 0; c < b->ncats; c++) {
		double gx = x.p0 + groupw * (double)c + groupw * 0.1;
		for (size_t s = 0; s < b->nseries; s++) {
			double v = b->v[s * b->ncats + c], py;
			if (!isfinite(v))
				continue;
			py = axis_px(&y, v);
			strbuf_addf(out,
				    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				    "fill=\"%s\"/>\n",
				    gx + barw * (double)s, py, barw > 2 ? barw - 1 : barw,
				    y.p0 - py, svg_color(s));
		}
		if (rotate)
			strbuf_addf(out,
				    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
				    "transform=\"rotate(-35 %.1f %.1f)\">",
				    gx + groupw * 0.4, y.p0 + 14, gx + groupw * 0.4, y.p0 + 14);
		else
			strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
				    gx + groupw * 0.4, y.p0 + 18);
		svg_escape(out, b->cats[c]);
		strbuf_addstr(out, "</text>\n");
	}
	if (legend)
		draw_legend(out, b->names, b->nseries, 1);
	strbuf_addstr(out, "</svg>\n");
}

/* Viridis at five stops, interpolated: dark (low) to yellow (high). */
static void heat_color(double f, char *buf, size_t len, int *dark)
{
	static const int stops[5][3] = {
		{ 68, 1, 84 }, { 59, 82, 139 }, { 33, 145, 140 }, { 94, 201, 98 }, { 253, 231, 37 },
	};
	double p = fmin(fmax(f, 0), 1) * 4;
	int i = (int)p < 4 ? (int)p : 3;
	double t = p - i;
	int rgb[3];
	for (int k = 0; k < 3; k++)
		rgb[k] = (int)lround(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * t);
	snprintf(buf, len, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
	*dark = f < 0.55;
}

void svg_heatmap(struct strbuf *out, const struct svg_heatmap *h)
{
	double lo = INFINITY, hi = -INFINITY;
	double x0 = LEFT + 10, x1 = W - 110, y0 = TOP + 6, y1 = BOTTOM;
	double cw = (x1 - x0) / (double)(h->nx ? h->nx : 1);
	double ch = (y1 - y0) / (double)(h->ny ? h->ny : 1);
	int text = h->nx * h->ny <= 400 && cw >= 30;
	char buf[32], col[8];

	for (size_t i = 0; i < h->nx * h->ny; i++)
		if (isfinite(h->v[i]))
			lo = fmin(lo, h->v[i]), hi = fmax(hi, h->v[i]);
	open_svg(out, h->title);
	for (size_t yi = 0; yi < h->ny; yi++) {
		/* The first row at the bottom, as on a y axis. */
		double cy = y1 - ch * (double)(yi + 1);
		for (size_t xi = 0; xi < h->nx; xi++) {
			double v = h->v[yi * h->nx + xi], cx = x0 + cw * (double)xi;
			int dark = 0;
			if (isfinite(v))
				heat_color(hi > lo ? (v - lo) / (hi - lo) : 0.5, col, sizeof(col),
					   &dark);
			else
				snprintf(col, sizeof(col), "#f2f2f2");
			strbuf_addf(out,
				    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				    "fill=\"%s\" stroke=\"#ffffff\"/>\n",
				    cx, cy, cw, ch, col);
			if (text) {
				svg_num(buf, sizeof(buf), v);
				strbuf_addf(out,
					    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
					    "fill=\"%s\">%s</text>\n",
					    cx + cw / 2, cy + ch / 2 + 4,
					    dark ? "#ffffff" : "#000000", buf);
			}
		}
		strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", x0 - 6,
			    cy + ch / 2 + 4);
		svg_escape(out, h->ycats[yi]);
		strbuf_addstr(out, "</text>\n");
	}
	for (size_t xi = 0; xi < h->nx; xi++) {
		strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			    x0 + cw * ((double)xi + 0.5), y1 + 18);
		svg_escape(out, h->xcats[xi]);
		strbuf_addstr(out, "</text>\n");
	}
	strbuf_addf(out, "<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
		    (x0 + x1) / 2, H - 18);
	svg_escape(out, h->xlabel);
	strbuf_addf(out,
		    "</text>\n<text class=\"ylabel\" x=\"0\" y=\"0\" text-anchor=\"middle\" "
		    "transform=\"translate(18,%.1f) rotate(-90)\">",
		    (y0 + y1) / 2);
	svg_escape(out, h->ylabel);
	strbuf_addstr(out, "</text>\n");
	/* Color scale: low at the bottom, high at the top, with the value's name. */
	for (int i = 0; i < 20; i++) {
		int dark;
		heat_color((double)i / 19, col, sizeof(col), &dark);
		strbuf_addf(
		    out, "<rect x=\"%d\" y=\"%.1f\" width=\"16\" height=\"%.1f\" fill=\"%s\"/>\n",
		    W - 92, y1 - (y1 - y0) * (i + 1) / 20.0, (y1 - y0) / 20.0 + 0.5, col);
	}
	if (lo <= hi) {
		svg_num(buf, sizeof(buf), hi);
		strbuf_addf(out, "<text x=\"%d\" y=\"%.1f\">%s</text>\n", W - 72, y0 + 10, buf);
		svg_num(buf, sizeof(buf), lo);
		strbuf_addf(out, "<text x=\"%d\" y=\"%.1f\">%s</text>\n", W - 72, y1, buf);
	}
	strbuf_addf(out,
		    "<text class=\"vlabel\" x=\"0\" y=\"0\" text-anchor=\"middle\" "
		    "transform=\"translate(%d,%.1f) rotate(90)\">",
		    W - 40, (y0 + y1) / 2);
	svg_escape(out, h->vlabel);
	strbuf_addstr(out, "</text>\n</svg>\n");
}
