/*
 * Statistics of one worker thread, merged over threads after the run: request
 * counters, errors by kind, histograms of latency (from the intended send time),
 * service time (from the actual send) and schedule lag, a per-kind breakdown, and a
 * per-interval series. A worker records into its own stats only (nothing shared).
 */
#ifndef HPCBENCH_LOAD_STATS_H
#define HPCBENCH_LOAD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load/core/hist.h"
#include "load/core/proto.h"

#define LOAD_NOTE_MAX 200      /* bytes kept of an error kind's first message */
#define LOAD_MAX_INTERVALS 600 /* beyond, the interval doubles (and again...) */

struct load_kind_stats {
	uint64_t ok, errors;
	struct hist latency; /* allocated on first use (counts NULL until then) */
};

/*
 * One interval (--interval, default 1 s) of the measured window, by completion time.
 * A run longer than LOAD_MAX_INTERVALS intervals doubles the interval length as it goes
 * (interval_ns), so the series stays within fixed memory.
 */
struct load_interval {
	uint64_t ok, errors;
	struct hist latency; /* coarse: 2 significant digits */
};

struct load_stats {
	uint64_t sent;			  /* measured requests written */
	uint64_t ok;			  /* ... answered successfully */
	uint64_t errors;		  /* ... failed (sum of err[] except LOAD_ERR_CONNECT) */
	uint64_t dropped;		  /* due under a rate schedule but never sent */
	uint64_t err[LOAD_MAX_ERR_KINDS]; /* by kind; [LOAD_ERR_CONNECT] counts attempts */
	char note[LOAD_MAX_ERR_KINDS][LOAD_NOTE_MAX]; /* first message per kind, or "" */

	struct hist latency; /* completion - intended send time */
	struct hist service; /* completion - actual send time */
	struct hist lag;     /* actual - intended send time (rate schedules) */

	unsigned nkinds;
	struct load_kind_stats *kinds; /* [nkinds] */

	uint64_t warm_sent, warm_ok, warm_errors; /* warm-up, excluded from the above */

	uint64_t interval_ns;
	struct load_interval *iv; /* grown as time passes */
	size_t niv, alloc_iv;
};

void load_stats_init(struct load_stats *s, unsigned nkinds, uint64_t interval_ns);
void load_stats_release(struct load_stats *s);

/*
 * Records one finished request. t0 is the start of the measured window (intervals
 * count from it); done_ns its completion.
 */
void load_stats_record(struct load_stats *s, const struct load_req *req, uint64_t done_ns,
		       uint64_t t0);
/* Counts an error that is not a finished request (a failed connection attempt). */
static inline void load_stats_count_error(struct load_stats *s, unsigned kind)
{
	s->err[kind]++;
}
/* Keeps msg as kind's first message if it has none yet. */
void load_stats_note(struct load_stats *s, unsigned kind, const char *msg);

/* Adds src into dst (counters, histograms, kinds, intervals, first notes). */
void load_stats_merge(struct load_stats *dst, const struct load_stats *src);

#endif
