#include "load/core/opts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/units.h"

const char load_core_shortopts[] = "t:c:d:n:";

const struct option load_core_longopts[] = {
	{ "threads", required_argument, NULL, 't' },
	{ "connections", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "requests", required_argument, NULL, 'n' },
	{ "pipeline", required_argument, NULL, LOAD_OPT_PIPELINE },
	{ "warmup", required_argument, NULL, LOAD_OPT_WARMUP },
	{ "timeout", required_argument, NULL, LOAD_OPT_TIMEOUT },
	{ "rate", required_argument, NULL, LOAD_OPT_RATE },
	{ "arrival", required_argument, NULL, LOAD_OPT_ARRIVAL },
	{ "burstiness", required_argument, NULL, LOAD_OPT_BURSTINESS },
	{ "seed", required_argument, NULL, LOAD_OPT_SEED },
	{ "max-inflight", required_argument, NULL, LOAD_OPT_MAX_INFLIGHT },
	{ "allow-errors", no_argument, NULL, LOAD_OPT_ALLOW_ERRORS },
	{ "json", required_argument, NULL, LOAD_OPT_JSON },
	{ "progress", no_argument, NULL, LOAD_OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, LOAD_OPT_NO_PROGRESS },
	{ "interval", required_argument, NULL, LOAD_OPT_INTERVAL },
	{ "progress-interval", required_argument, NULL, LOAD_OPT_PROGRESS_INTERVAL },
	{ "repeat", required_argument, NULL, LOAD_OPT_REPEAT },
	{ "server-metrics", required_argument, NULL, LOAD_OPT_SERVER_METRICS },
	{ "metrics-interval", required_argument, NULL, LOAD_OPT_METRICS_INTERVAL },
	{ "metrics-match", required_argument, NULL, LOAD_OPT_METRICS_MATCH },
	{ "start-at", required_argument, NULL, LOAD_OPT_START_AT },
	{ "replica", required_argument, NULL, LOAD_OPT_REPLICA },
	{ 0 },
};

void load_opts_init(struct load_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threads = 1;
	o->connections = 10;
	o->pipeline = 1;
	o->duration_us = 10 * 1000000ull;
	o->timeout_us = 10 * 1000000ull;
	o->arrival = LOAD_ARRIVAL_CONSTANT;
	o->burstiness = 1.0;
	o->seed = 1;
	o->max_inflight = 100000;
	o->progress = -1;
	o->interval_ms = 1000;
	o->progress_interval_ms = 10000;
	o->repeat = 1;
	o->metrics_interval_us = 1000000;
}

static int parse_positive_double(const char *s, double *out)
{
	char *end;
	double v;
	if (!s || !*s)
		return -1;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || v <= 0)
		return -1;
	*out = v;
	return 0;
}

const char *load_arrival_name(enum load_arrival a)
{
	switch (a) {
	case LOAD_ARRIVAL_POISSON:
		return "poisson";
	case LOAD_ARRIVAL_GAMMA:
		return "gamma";
	default:
		return "constant";
	}
}

int load_opts_set(struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	uint64_t v;
	switch (val) {
	case 't':
		if (parse_uint(arg, 1, 1024, &v))
			return error(err, "--threads: '%s' is not a number from 1 to 1024", arg);
		o->threads = (unsigned)v;
		return 0;
	case 'c':
		if (parse_uint(arg, 1, 1000000, &v))
			return error(err, "--connections: '%s' is not a number from 1 to 1000000",
				     arg);
		o->connections = (unsigned)v;
		return 0;
	case 'd':
		if (parse_duration_us(arg, &v) || !v)
			return error(
			    err, "--duration: '%s' is not a duration (e.g. 500ms, 10s, 5m)", arg);
		o->duration_us = v;
		o->requests = 0;
		return 0;
	case 'n':
		if (parse_uint(arg, 1, UINT64_MAX / 2, &v))
			return error(err, "--requests: '%s' is not a positive number", arg);
		o->requests = v;
		o->duration_us = 0;
		return 0;
	case LOAD_OPT_PIPELINE:
		if (parse_uint(arg, 1, 4096, &v))
			return error(err, "--pipeline: '%s' is not a number from 1 to 4096", arg);
		o->pipeline = (unsigned)v;
		return 0;
	case LOAD_OPT_WARMUP:
		if (parse_duration_us(arg, &v))
			return error(err, "--warmup: '%s' is not a duration (e.g. 2s)", arg);
		o->warmup_us = v;
		return 0;
	case LOAD_OPT_TIMEOUT:
		if (parse_duration_us(arg, &v) || v < 1000)
			return error(err, "--timeout: '%s' is not a duration of at least 1ms", arg);
		o->timeout_us = v;
		return 0;
	case LOAD_OPT_RATE:
		/* Bounded both ways: the scheduler turns 1e9 / rate into integer nanoseconds. */
		if (parse_positive_double(arg, &o->rate) || o->rate < LOAD_RATE_MIN ||
		    o->rate > LOAD_RATE_MAX)
			return error(err, "--rate: '%s' is not a rate from %g to %.0f requests/s",
				     arg, LOAD_RATE_MIN, LOAD_RATE_MAX);
		return 0;
	case LOAD_OPT_ARRIVAL:
		if (!strcmp(arg, "constant"))
			o->arrival = LOAD_ARRIVAL_CONSTANT;
		else if (!strcmp(arg, "poisson"))
			o->arrival = LOAD_ARRIVAL_POISSON;
		else if (!strcmp(arg, "gamma"))
			o->arrival = LOAD_ARRIVAL_GAMMA;
		else
			return error(err, "--arrival: '%s' is not constant, poisson or gamma", arg);
		return 0;
	case LOAD_OPT_BURSTINESS:
		if (parse_positive_double(arg, &o->burstiness) || o->burstiness < 0.01 ||
		    o->burstiness > 1000)
			return error(err, "--burstiness: '%s' is not a number from 0.01 to 1000",
				     arg);
		return 0;
	case LOAD_OPT_SEED:
		if (parse_uint(arg, 0, UINT64_MAX, &o->seed))
			return error(err, "--seed: '%s' is not a number", arg);
		o->seed_given = true;
		return 0;
	case LOAD_OPT_MAX_INFLIGHT:
		if (parse_uint(arg, 1, 100000000, &o->max_inflight))
			return error(err, "--max-inflight: '%s' is not a number from 1 to 1e8",
				     arg);
		return 0;
	case LOAD_OPT_ALLOW_ERRORS:
		o->allow_errors = true;
		return 0;
	case LOAD_OPT_JSON:
		o->json_path = arg;
		return 0;
	case LOAD_OPT_PROGRESS:
		o->progress = 1;
		return 0;
	case LOAD_OPT_NO_PROGRESS:
		o->progress = 0;
		return 0;
	case LOAD_OPT_INTERVAL:
		if (parse_duration_us(arg, &v) || v < 10000 || v > 3600000000ull)
			return error(err, "--interval: '%s' is not a duration from 10ms to 1h",
				     arg);
		o->interval_ms = (unsigned)(v / 1000);
		return 0;
	case LOAD_OPT_PROGRESS_INTERVAL:
		if (!strcmp(arg, "0")) {
			o->progress_interval_ms = 0;
			return 0;
		}
		if (parse_duration_us(arg, &v) || v < 100000 || v > 3600000000ull)
			return error(err,
				     "--progress-interval: '%s' is not 0 or a duration from "
				     "100ms to 1h",
				     arg);
		o->progress_interval_ms = (unsigned)(v / 1000);
		return 0;
	case LOAD_OPT_REPEAT:
		if (parse_uint(arg, 1, 1000, &v))
			return error(err, "--repeat: '%s' is not a number from 1 to 1000", arg);
		o->repeat = (unsigned)v;
		return 0;
	case LOAD_OPT_SERVER_METRICS:
		if (o->nserver_metrics == LOAD_MAX_METRICS_SPECS)
			return error(err, "--server-metrics: at most %d sources",
				     LOAD_MAX_METRICS_SPECS);
		o->server_metrics[o->nserver_metrics++] = arg;
		return 0;
	case LOAD_OPT_METRICS_MATCH:
		if (o->nmetrics_match == LOAD_MAX_METRICS_SPECS)
			return error(err, "--metrics-match: at most %d patterns",
				     LOAD_MAX_METRICS_SPECS);
		o->metrics_match[o->nmetrics_match++] = arg;
		return 0;
	case LOAD_OPT_METRICS_INTERVAL:
		if (parse_duration_us(arg, &v) || v < 100000 || v > 3600000000ull)
			return error(err,
				     "--metrics-interval: '%s' is not a duration from 100ms "
				     "to 1h",
				     arg);
		o->metrics_interval_us = v;
		return 0;
	case LOAD_OPT_START_AT:
		/* after 2001 and before 2286: catches seconds or ms given by mistake */
		if (parse_uint(arg, 1000000000ull * 1000000000ull, UINT64_MAX / 2, &v))
			return error(err,
				     "--start-at: '%s' is not a wall-clock time in ns since 1970 "
				     "(e.g. $(date +%%s%%N))",
				     arg);
		o->start_at_ns = v;
		return 0;
	case LOAD_OPT_REPLICA: {
		unsigned i, n;
		char tail;
		if (sscanf(arg, "%u/%u%c", &i, &n, &tail) != 2 || n < 1 || n > 100000 || i >= n)
			return error(err, "--replica: '%s' is not I/N with 0 <= I < N (e.g. 0/3)",
				     arg);
		o->replica = i;
		o->nreplicas = n;
		return 0;
	}
	}
	return 1;
}

/* Turns the totals asked for into replica I's share, once. */
static int replica_share(struct load_opts *o, struct strbuf *err)
{
	unsigned n = o->nreplicas;
	if (o->shared)
		return 0;
	o->shared = true;
	o->rate_total = o->rate;
	o->requests_total = o->requests;
	if (!n)
		return 0;
	o->rate = o->rate / n;
	if (o->requests) {
		o->requests = o->requests_total / n + (o->replica < o->requests_total % n);
		if (!o->requests)
			return error(err, "--requests %llu is less than the %u replicas",
				     (unsigned long long)o->requests_total, n);
	}
	o->seed += o->replica;
	return 0;
}

int load_opts_check(struct load_opts *o, struct strbuf *err)
{
	if (replica_share(o, err))
		return -1;
	if (o->threads > o->connections)
		return error(err,
			     "--threads %u is more than --connections %u: each thread "
			     "needs at least one connection",
			     o->threads, o->connections);
	if (o->arrival != LOAD_ARRIVAL_CONSTANT && o->rate <= 0)
		return error(err, "--arrival %s needs --rate", load_arrival_name(o->arrival));
	if (o->burstiness != 1.0 && o->arrival != LOAD_ARRIVAL_GAMMA)
		return error(err, "--burstiness applies to --arrival gamma only");
	if (o->rate > 0 && o->max_inflight < o->threads)
		return error(err, "--max-inflight %llu is less than --threads %u",
			     (unsigned long long)o->max_inflight, o->threads);
	if (o->requests && o->requests < o->threads)
		return error(err, "--requests %llu is less than --threads %u",
			     (unsigned long long)o->requests, o->threads);
	return 0;
}

void load_opts_json(const struct load_opts *o, struct jsonw *w)
{
	jsonw_u64(w, "threads", o->threads);
	jsonw_u64(w, "connections", o->connections);
	jsonw_u64(w, "pipeline", o->pipeline);
	if (o->requests)
		jsonw_u64(w, "requests", o->requests);
	else
		jsonw_double(w, "duration_s", (double)o->duration_us / 1e6, -1);
	jsonw_double(w, "warmup_s", (double)o->warmup_us / 1e6, -1);
	jsonw_double(w, "timeout_s", (double)o->timeout_us / 1e6, -1);
	jsonw_str(w, "load_model", o->rate > 0 ? "open" : "closed");
	if (o->rate > 0) {
		jsonw_double(w, "rate", o->rate, -1);
		jsonw_str(w, "arrival", load_arrival_name(o->arrival));
		if (o->arrival == LOAD_ARRIVAL_GAMMA)
			jsonw_double(w, "burstiness", o->burstiness, -1);
		jsonw_u64(w, "max_inflight", o->max_inflight);
	}
	jsonw_u64(w, "seed", o->seed);
	if (o->nreplicas) {
		jsonw_obj_open(w, "replica");
		jsonw_u64(w, "index", o->replica);
		jsonw_u64(w, "of", o->nreplicas);
		if (o->rate_total > 0)
			jsonw_double(w, "rate_total", o->rate_total, -1);
		if (o->requests_total)
			jsonw_u64(w, "requests_total", o->requests_total);
		jsonw_close(w);
	}
	if (o->start_at_ns)
		jsonw_u64(w, "start_at_ns", o->start_at_ns);
}
