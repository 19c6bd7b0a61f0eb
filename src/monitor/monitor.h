/*
 * Server metrics during a load run: a sampler thread scrapes each source every
 * interval, off the load threads, for as long as the monitor runs; each result then
 * takes the statistics of the part that falls in its measured window.
 *
 *     struct monitor *m = monitor_new(interval_ns);
 *     monitor_add(m, "redis://127.0.0.1:6379", &err);     -> -1: bad spec (usage)
 *     monitor_start(m, &err);                             -> -1: a source does not answer
 *     ... load runs; results call monitor_result_json(m, w0, w1, ...) ...
 *     monitor_stop(m);  monitor_free(m);
 *
 * The result's "server_metrics" object and the intervals' are described in
 * docs/monitoring.md.
 */
#ifndef HPCBENCH_MONITOR_MONITOR_H
#define HPCBENCH_MONITOR_MONITOR_H

#include <stdint.h>

#include "common/jsonw.h"
#include "common/strbuf.h"

struct monitor;

/* A monitor with no sources that samples every interval_ns. */
struct monitor *monitor_new(uint64_t interval_ns);
/* Adds a series-name glob (--metrics-match); none = every series. */
void monitor_match(struct monitor *m, const char *glob);
/* Adds the source spec (see the usage of each type). 0, or -1 with err (bad spec). */
int monitor_add(struct monitor *m, const char *spec, struct strbuf *err);
/* Appends the accepted SPEC forms, one per line, to out. */
void monitor_usage(struct strbuf *out);
/*
 * Takes a first sample of every source (each must answer), then starts the sampler
 * thread. 0, or -1 with err naming the source that failed.
 */
int monitor_start(struct monitor *m, struct strbuf *err);
/* Stops the sampler after one last sample (so counters bracket the window's end). */
void monitor_stop(struct monitor *m);
void monitor_free(struct monitor *m);

/*
 * Queries the sources that answer after the fact (PromQL) for the window [w0, w1]
 * (wall ns); a failure is kept and reported in the result. Call before the writers.
 */
void monitor_window(struct monitor *m, uint64_t w0, uint64_t w1);
/*
 * Writes "server_metrics" for the window [w0, w1] (wall ns). requests and output_tokens (< 0:
 * unknown) let sources give per-request figures (energy).
 */
void monitor_result_json(struct monitor *m, uint64_t w0, uint64_t w1, double requests,
			 double output_tokens, struct jsonw *w);
/* Writes "server_metrics" of one intervals[] entry covering [a, b). */
void monitor_interval_json(struct monitor *m, uint64_t a, uint64_t b, struct jsonw *w);
/* Appends the human summary lines of the window to out. */
void monitor_result_text(struct monitor *m, uint64_t w0, uint64_t w1, struct strbuf *out);

#endif
