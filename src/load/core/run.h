/*
 * One load run: start the worker threads (one event loop each), let them run the
 * warm-up and the measured part, join them and merge what they measured.
 *
 *     struct load_result r;
 *     if (load_run(proto, cfg, &opts, &target, &r, &err))   -> setup failed (err)
 *     load_result_json(&r, &w) / load_result_text(&r, &sb)
 *     load_result_release(&r);
 *
 * load_run can be called several times with the same cfg (sweeps: LLM --sweep); each
 * call gives a separate result.
 */
#ifndef HPCBENCH_LOAD_RUN_H
#define HPCBENCH_LOAD_RUN_H

#include <stdint.h>

#include "common/jsonw.h"
#include "common/strbuf.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/core/stats.h"

struct load_result {
	const struct load_proto *proto;
	const void *cfg;
	const struct load_opts *opts;	  /* as run (borrowed from the caller) */
	const struct load_target *target; /* borrowed */
	uint64_t started_wall_ns;	  /* wall clock when the measured window began */
	int64_t start_late_ns;		  /* --start-at: how late the run began after it (>= 0) */
	double duration_s;		  /* the measured window: first send to last reply */
	const char *server_version;	  /* the server's own version string, or NULL */
	struct load_stats stats;	  /* merged over threads (owned) */
	void *proto_ts;			  /* merged protocol thread state (owned), or NULL */
};

/*
 * Runs the load described by o against t (resolved here). Returns 0 with r filled
 * (even if requests failed: see r->stats), or -1 with err when the run could not
 * start (name does not resolve, first connection refused).
 */
int load_run(const struct load_proto *p, const void *cfg, const struct load_opts *o,
	     const struct load_target *t, struct load_result *r, struct strbuf *err);
void load_result_release(struct load_result *r);

/* Successful requests per second over the measured window. */
double load_result_rps(const struct load_result *r);

/*
 * Writes the result object of docs/load.md ("hpcbench.result/1") as one JSON value
 * (key is NULL at top level), including the protocol's sections.
 */
void load_result_json(const struct load_result *r, struct jsonw *w, const char *key);
/* Appends the human summary (several lines) to out. */
void load_result_text(const struct load_result *r, struct strbuf *out);
/*
 * The exit status the result deserves: EXIT_OK, or EXIT_FAILED (with lines in err)
 * when, without --allow-errors, a request failed, a connection attempt failed or a
 * request was dropped; when nothing succeeded; or when the protocol's verdict fails.
 */
int load_result_verdict(const struct load_result *r, struct strbuf *err);

/*
 * The machine this load generator runs on, for the result's "node": SLURM's node name
 * ($SLURMD_NODENAME, inside a job step) or the host name. Returns sb's text.
 */
const char *load_node_name(struct strbuf *sb);

/* Writes key: {min, mean, p50, p90, p99, p999, max} of h, in microseconds (h in ns). */
struct hist;
void load_pcts_json(struct jsonw *w, const char *key, const struct hist *h);

#endif
