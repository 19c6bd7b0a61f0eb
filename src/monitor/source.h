/*
 * Metrics sources: one const table per kind of source (like the load protocols), looked
 * up by the scheme of a --server-metrics SPEC. A source is opened once, scraped by the
 * sampler thread at each tick (never by a load thread), and closed at the end; a source
 * that answers for a past window instead (PromQL range queries) has .window.
 */
#ifndef HPCBENCH_MONITOR_SOURCE_H
#define HPCBENCH_MONITOR_SOURCE_H

#include <stdint.h>

#include "common/strbuf.h"
#include "common/strlist.h"
#include "monitor/series.h"

struct mon_source;

struct mon_source_type {
	const char *name;   /* "prometheus-text", "redis", ... (result "type") */
	const char *prefix; /* the SPEC prefix that selects it: "http://", "pid:" */
	const char *usage;  /* e.g. "redis://[:PASSWORD@]HOST:PORT" */
	/* Parses rest (the spec after the prefix) into src->priv. 0 or -1 with err. */
	int (*open)(struct mon_source *src, const char *spec, struct strbuf *err);
	/* Takes one sample of every series at wall time now (mon_source_add). 0 or -1. */
	int (*scrape)(struct mon_source *src, uint64_t now_ns, struct strbuf *err);
	/* Fills the store for [w0, w1] after the fact with one point per step_ns. */
	int (*window)(struct mon_source *src, uint64_t w0, uint64_t w1, uint64_t step_ns,
		      struct strbuf *err);
	/* Stops what open started (children, connections). */
	void (*close)(struct mon_source *src);
	/*
	 * True when a counter that appears between two scrapes was at zero before it
	 * appeared (Redis's commandstats list a command once it has been called).
	 */
	int counters_born_at_zero;
	/* Writes source-specific keys into the source's result object (energy). */
	void (*report_json)(struct mon_source *src, uint64_t w0, uint64_t w1, double requests,
			    double output_tokens, struct jsonw *w);
};

struct mon_source {
	const struct mon_source_type *type;
	char *spec; /* as given, password hidden (owned) */
	void *priv;
	struct mon_store store;
	const struct strlist *match; /* --metrics-match globs (borrowed); empty = all */
	unsigned scrapes, failures;
	uint64_t last_ok_ns; /* wall time of the last successful scrape, 0 before */
	struct strbuf first_error;
};

/* The source types, NULL-terminated. */
extern const struct mon_source_type *const mon_source_types[];
/* The type whose prefix spec starts with, or NULL. */
const struct mon_source_type *mon_source_type_find(const char *spec);

/*
 * Records one sample of series key (name + labels) if it passes the --metrics-match
 * globs (matched against the name without labels). unit NULL: derived from the name.
 */
void mon_source_add(struct mon_source *src, const char *key, enum mon_kind kind, const char *unit,
		    uint64_t t_ns, double v);

/* The types (source-*.c). */
extern const struct mon_source_type mon_source_prom_text;
extern const struct mon_source_type mon_source_promql;
extern const struct mon_source_type mon_source_redis;
extern const struct mon_source_type mon_source_proc;
extern const struct mon_source_type mon_source_mysql;
extern const struct mon_source_type mon_source_postgres;

#endif
