/*
 * The core options of `hpcbench load`, shared by every protocol: load model, duration,
 * threads and connections, output. Protocols parse their own options (proto.h) on the
 * same command line; cmd-load.c merges both tables.
 */
#ifndef HPCBENCH_LOAD_OPTS_H
#define HPCBENCH_LOAD_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "common/strbuf.h"

enum load_arrival {
	LOAD_ARRIVAL_CONSTANT, /* one request every 1/rate s */
	LOAD_ARRIVAL_POISSON,  /* exponential gaps, mean 1/rate */
	LOAD_ARRIVAL_GAMMA,    /* gamma gaps, shape = burstiness, mean 1/rate */
};

/* --rate bounds, requests/s: at least one request per 1000 s, at most 1e8/s. */
#define LOAD_RATE_MIN 0.001
#define LOAD_RATE_MAX 1e8
struct load_result;

/*
 * Result sections supplied from outside the load core (server metrics, src/monitor/),
 * so that the core depends on nothing: every hook may be NULL. window runs first, when
 * a result is about to be written; interval_json adds keys to intervals[] entries
 * covering [t_s, t_s + len_s) of the measured window.
 */
struct load_monitor {
	void *ctx;
	void (*window)(void *ctx, const struct load_result *r);
	void (*result_json)(void *ctx, const struct load_result *r, struct jsonw *w);
	void (*interval_json)(void *ctx, const struct load_result *r, double t_s, double len_s,
			      struct jsonw *w);
	void (*result_text)(void *ctx, const struct load_result *r, struct strbuf *out);
};

#define LOAD_MAX_METRICS_SPECS 16

struct load_opts {
	unsigned threads;     /* -t: worker threads (event loops) */
	unsigned connections; /* -c: connections over all threads */
	unsigned pipeline;    /* --pipeline: requests outstanding per connection (max) */
	uint64_t duration_us; /* -d: measured duration; 0 when -n is given */
	uint64_t requests;    /* -n: measured requests over all threads; 0 when -d */
	uint64_t warmup_us;   /* --warmup: before the measured part, excluded */
	uint64_t timeout_us;  /* --timeout: per request (and per connection attempt) */
	double rate;	      /* --rate: requests/s over all threads; 0 = closed loop */
	enum load_arrival arrival;
	double burstiness; /* --burstiness: gamma shape (1 = poisson) */
	uint64_t seed;	   /* --seed */
	bool seed_given;
	uint64_t max_inflight; /* --max-inflight: outstanding over all threads (rate mode) */
	bool allow_errors;     /* --allow-errors: exit 0 even if requests failed */
	const char *json_path; /* --json FILE, or NULL */
	int progress;	       /* --progress / --no-progress; -1 = when stderr is a tty */
	unsigned interval_ms;  /* --interval: progress and intervals[] period */
	unsigned progress_interval_ms; /* --progress-interval: plain progress lines when
					  stderr is not a terminal; 0 = none */
	unsigned repeat;	       /* --repeat: independent trials (repeat.h); >= 1 */
	/* Where this run stands, for the progress line; 0 = not part of a series. Set by
	 * load_repeat (trial) and sweeps (point), never by the user. */
	unsigned trial, ntrials, point, npoints;
	/* --server-metrics SPEC (argv strings), --metrics-match GLOB, --metrics-interval */
	const char *server_metrics[LOAD_MAX_METRICS_SPECS];
	unsigned nserver_metrics;
	const char *metrics_match[LOAD_MAX_METRICS_SPECS];
	unsigned nmetrics_match;
	uint64_t metrics_interval_us;
	const struct load_monitor *monitor; /* set by the caller, or NULL */
	uint64_t start_at_ns;	 /* --start-at: wall clock (epoch ns) the run begins; 0 = now */
	unsigned replica;	 /* --replica I/N: this is replica I (0-based) ... */
	unsigned nreplicas;	 /* ... of N load generators (0 = not a replica) */
	double rate_total;	 /* --rate as given, before the replica's share (0 = closed) */
	uint64_t requests_total; /* -n as given, before the replica's share */
	bool shared;		 /* the share above is applied (load_opts_check) */
};

/* Core option vals (in cli getopt tables); below LOAD_OPT_PROTO (proto.h). */
enum {
	LOAD_OPT_PIPELINE = 0x800,
	LOAD_OPT_WARMUP,
	LOAD_OPT_TIMEOUT,
	LOAD_OPT_RATE,
	LOAD_OPT_ARRIVAL,
	LOAD_OPT_BURSTINESS,
	LOAD_OPT_SEED,
	LOAD_OPT_MAX_INFLIGHT,
	LOAD_OPT_ALLOW_ERRORS,
	LOAD_OPT_JSON,
	LOAD_OPT_PROGRESS,
	LOAD_OPT_NO_PROGRESS,
	LOAD_OPT_INTERVAL,
	LOAD_OPT_PROGRESS_INTERVAL,
	LOAD_OPT_REPEAT,
	LOAD_OPT_SERVER_METRICS,
	LOAD_OPT_METRICS_INTERVAL,
	LOAD_OPT_METRICS_MATCH,
	LOAD_OPT_START_AT,
	LOAD_OPT_REPLICA,
};

/* Short options of the core: "t:c:d:n:" (getopt syntax). */
extern const char load_core_shortopts[];
/* Long options of the core, terminated by a zero entry. */
extern const struct option load_core_longopts[];
/* Help text of the core options (a literal, for the static help of `hpcbench load`). */
#define LOAD_CORE_HELP                                                                             \
	"load model:\n"                                                                            \
	"  -c, --connections N  connections over all threads (default 10)\n"                       \
	"  -t, --threads N      worker threads, one event loop each (default 1)\n"                 \
	"  --pipeline N         requests outstanding per connection (default 1)\n"                 \
	"  --rate R             open loop: R requests/s over all threads, sent at\n"               \
	"                       scheduled times; latency counts from the scheduled time.\n"        \
	"                       Without --rate: closed loop, as fast as replies come\n"            \
	"  --arrival KIND       constant | poisson | gamma (default constant)\n"                   \
	"  --burstiness K       gamma shape: < 1 burstier, 1 = poisson, > 1 smoother\n"            \
	"  --seed N             seed of the arrival schedule and key choice (default 1)\n"         \
	"  --max-inflight N     rate mode: most requests due but unanswered (over all\n"           \
	"                       threads); later ones are dropped and counted (default\n"           \
	"                       100000)\n"                                                         \
	"length:\n"                                                                                \
	"  -d, --duration T     measured duration, e.g. 500ms, 10s, 5m (default 10s)\n"            \
	"  -n, --requests N     exactly N measured requests over all threads instead\n"            \
	"  --warmup T           run T first and leave it out of the statistics\n"                  \
	"  --timeout T          per request and per connection attempt (default 10s)\n"            \
	"output:\n"                                                                                \
	"  --json FILE          write the result file (hpcbench.result/1), atomically\n"           \
	"  --interval T         period of the intervals series and progress (default 1s)\n"        \
	"  --progress, --no-progress  live line on stderr (default: when a terminal)\n"            \
	"  --progress-interval T  when stderr is not a terminal (a client job's log):\n"           \
	"                       one plain progress line every T (default 10s; 0 = none)\n"         \
	"  --repeat N           N independent trials (seeds seed..seed+N-1); the result\n"         \
	"                       keeps every trial and gives each headline figure as\n"             \
	"                       mean, 95% CI (Student t), min and max (default 1)\n"               \
	"  --allow-errors       exit 0 even when requests failed\n"                                \
	"server metrics (docs/monitoring.md), sampled off the load threads:\n"                     \
	"  --server-metrics SPEC  collect the server's metrics during the window into the\n"       \
	"                       result (repeatable): http://HOST:PORT/metrics,\n"                  \
	"                       redis://[:PASSWORD@]HOST:PORT, pid:PID,\n"                         \
	"                       prometheus://HOST:PORT?query=PROMQL\n"                             \
	"  --metrics-interval T sampling period of the server metrics (default 1s)\n"              \
	"  --metrics-match GLOB keep only series whose name matches (repeatable)\n"                \
	"replicas (one load generator of several, e.g. srun steps):\n"                             \
	"  --replica I/N        this is replica I (0..N-1) of N: --rate and -n are totals\n"       \
	"                       over all N (this one sends its share), --seed differs\n"           \
	"  --start-at EPOCH_NS  connect, then wait until this wall-clock time (ns since\n"         \
	"                       1970) to begin: the replicas' windows start together\n"

/* Defaults: 1 thread, 10 connections, pipeline 1, -d 10s, timeout 10s, closed loop. */
void load_opts_init(struct load_opts *o);
/*
 * Applies one core option (val from the tables above, or 't' 'c' 'd' 'n').
 * Returns 0, 1 if val is not a core option, or -1 with a reason in err.
 */
int load_opts_set(struct load_opts *o, int val, const char *arg, struct strbuf *err);
/*
 * Checks the options together (after the protocol's configure). 0 or -1 with err.
 * With --replica I/N it also turns rate and requests into this replica's share
 * (rate / N; requests / N, the remainder to the first replicas) and adds I to the
 * seed, once (rate_total and requests_total keep what was asked).
 */
int load_opts_check(struct load_opts *o, struct strbuf *err);
/* Writes the core options as run (keys of client.parameters). */
void load_opts_json(const struct load_opts *o, struct jsonw *w);
/* "constant", "poisson", "gamma". */
const char *load_arrival_name(enum load_arrival a);

#endif
