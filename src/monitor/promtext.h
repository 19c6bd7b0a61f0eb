/*
 * Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text: the samples of
 * a /metrics page (vLLM, Chroma, node exporter, cAdvisor, Prometheus itself).
 *
 *     prom_parse(text, len, on_sample, ctx, &err)
 *
 * calls on_sample once per sample line, in order, with the series' name, its labels
 * re-rendered canonically ({a="x",b="y"} as written, escapes kept; "" when none), the
 * value (may be NaN or +-Inf), and what # TYPE / # UNIT said of its family.
 * # HELP lines are read and dropped; timestamps and OpenMetrics exemplars are ignored.
 */
#ifndef HPCBENCH_MONITOR_PROMTEXT_H
#define HPCBENCH_MONITOR_PROMTEXT_H

#include <stddef.h>

#include "common/strbuf.h"

enum prom_type {
	PROM_UNTYPED,
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
	PROM_SUMMARY,
	PROM_OTHER, /* info, stateset, gaugehistogram, unknown */
};

struct prom_sample {
	const char *name;
	const char *labels; /* canonical, "" when none */
	double value;
	enum prom_type type; /* of the family this sample belongs to */
	const char *unit;    /* "# UNIT" of the family, or "" */
	/* True when the sample counts up: a counter, or a histogram's/summary's
	 * _bucket, _count, _sum (or an untyped name ending in _total). */
	int is_counter;
};

typedef void (*prom_sample_fn)(void *ctx, const struct prom_sample *s);

/*
 * Parses text (need not be NUL-terminated). Returns the number of samples, or -1 with
 * "line N: reason" in err at the first malformed line (samples before it were given).
 */
long prom_parse(const char *text, size_t len, prom_sample_fn fn, void *ctx, struct strbuf *err);

/* "counter", "gauge", ... */
const char *prom_type_name(enum prom_type t);

#endif
