/*
 * Ties a monitor to `hpcbench load`: builds it from the load options
 * (--server-metrics, --metrics-interval, --metrics-match) and fills the load core's
 * struct load_monitor hooks so that each result gets its "server_metrics".
 */
#ifndef HPCBENCH_MONITOR_LOADHOOK_H
#define HPCBENCH_MONITOR_LOADHOOK_H

#include "common/strbuf.h"
#include "load/core/opts.h"
#include "monitor/monitor.h"

/*
 * A monitor with o's sources and hooks pointing at it in *lm, or NULL (no
 * --server-metrics). Returns -1 with err on a bad spec (usage); 0 otherwise.
 */
int monitor_from_load_opts(const struct load_opts *o, struct monitor **m, struct load_monitor *lm,
			   struct strbuf *err);

#endif
