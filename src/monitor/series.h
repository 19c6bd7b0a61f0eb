/*
 * Sampled time series of one metrics source, and the statistics a result reports
 * over a window of them.
 *
 * A series is a name with its labels (Prometheus syntax, "node_load1" or
 * "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"), a kind, a unit and its samples
 * (wall-clock ns, value), appended in time order. Gauges are summarised by their
 * samples inside the window; counters by their increase between the samples that
 * bracket the window (the last one at or before its start, the first one at or after
 * its end), counter resets counted as a restart from zero.
 */
#ifndef HPCBENCH_MONITOR_SERIES_H
#define HPCBENCH_MONITOR_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "common/jsonw.h"

enum mon_kind { MON_GAUGE, MON_COUNTER };

struct mon_series {
	char *key; /* name + canonical labels (owned) */
	enum mon_kind kind;
	char *unit; /* "bytes", "seconds", "watts", ... or "" for a count (owned) */
	size_t n, alloc;
	uint64_t *t; /* wall-clock ns */
	double *v;
};

struct mon_store {
	struct mon_series **s; /* in first-seen order (owned) */
	size_t n, alloc;
	size_t *slot; /* open-addressing index into s, SIZE_MAX = empty */
	size_t nslot;
};

void mon_store_init(struct mon_store *st);
void mon_store_release(struct mon_store *st);
/* The series named key, created with kind and unit if new (unit NULL = "") . */
struct mon_series *mon_store_get(struct mon_store *st, const char *key, enum mon_kind kind,
				 const char *unit);
/* Appends a sample (a non-finite v is dropped: results are strict JSON). */
void mon_series_add(struct mon_series *s, uint64_t t_ns, double v);

/* Statistics of one series over [w0, w1] (wall ns). */
struct mon_stats {
	size_t samples; /* gauge: samples in the window; counter: samples bracketing it */
	double min, mean, p50, p99, max, last; /* gauges */
	double increase, rate, span_s;	       /* counters */
};

/* Fills st; returns 0, or -1 when the series has nothing to say about the window. */
int mon_series_stats(const struct mon_series *s, uint64_t w0, uint64_t w1, struct mon_stats *st);
/*
 * The series' value for the timeline interval [a, b): a gauge's mean over the samples
 * in it (else its last sample before b); a counter's rate between the samples that
 * bracket it. Returns 0 with *v, or -1 when there is none.
 */
int mon_series_at(const struct mon_series *s, uint64_t a, uint64_t b, double *v);
/* Writes the series' statistics as one object under key (see docs/monitoring.md). */
void mon_stats_json(const struct mon_series *s, const struct mon_stats *st, struct jsonw *w,
		    const char *key);

/* The unit a Prometheus-style name implies ("_bytes" -> "bytes"), else fallback. */
const char *mon_unit_from_name(const char *name, const char *fallback);

#endif
