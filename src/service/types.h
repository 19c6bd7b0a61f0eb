/*
 * The built-in service and client types, one per file, listed by registry.c.
 * Adding a type: one file defining one of these, plus one line here and one in registry.c.
 */
#ifndef HPCBENCH_SERVICE_TYPES_H
#define HPCBENCH_SERVICE_TYPES_H

#include "service/service.h"

extern const struct service_type service_type_chroma;
extern const struct service_type service_type_generic;
extern const struct service_type service_type_grafana;
extern const struct service_type service_type_mysql;
extern const struct service_type service_type_ollama;
extern const struct service_type service_type_postgres;
extern const struct service_type service_type_prometheus;
extern const struct service_type service_type_redis;
extern const struct service_type service_type_vllm;

extern const struct client_type client_type_chroma;
extern const struct client_type client_type_http;
extern const struct client_type client_type_llm;
extern const struct client_type client_type_redis;
extern const struct client_type client_type_sql;

/*
 * Parameter keys every `hpcbench load` client accepts, spliced into each client type's
 * key table: the old tool's orchestration keys and the load generator's common options.
 */
#define CLIENT_COMMON_KEYS                                                                         \
	{ "connections", KEY_INT, "connections (closed loop) or concurrency", "-c", TK_SWEEP },    \
	    { "threads", KEY_INT, "load generator threads", "-t", 0 },                             \
	    { "pipeline", KEY_ANY, "requests in flight per connection", "--pipeline", TK_SWEEP },  \
	    { "duration", KEY_STRING, "measured duration, e.g. 30s", "-d", 0 },                    \
	    { "requests", KEY_INT, "total requests (instead of a duration)", "-n", 0 },            \
	    { "rate", KEY_INT, "open loop: requests per second", "--rate", TK_SWEEP },             \
	    { "arrival", KEY_STRING, "open loop: constant, poisson or gamma", "--arrival", 0 },    \
	    { "seed", KEY_INT, "seed of the schedule and key choice", "--seed", 0 },               \
	    { "warmup", KEY_STRING, "warm-up before measuring (not counted)", "--warmup", 0 },     \
	    { "timeout", KEY_STRING, "per-request timeout", "--timeout", 0 },                      \
	    { "progress_interval", KEY_STRING, "time between progress lines in the log (0: none)", \
	      "--progress-interval", 0 },                                                          \
	    { "allow_errors", KEY_BOOL, "exit 0 even when requests failed", "--allow-errors", 0 }, \
	    { "endpoint", KEY_STRING,                                                              \
	      "old tool: target URL or HOST:PORT, overrides target_service", NULL, 0 },            \
	    { "wait_for_service", KEY_INT, "seconds to wait for the target's endpoint.json", NULL, \
	      0 },                                                                                 \
	    { "output_file", KEY_STRING,                                                           \
	      "old tool: result path; results now go to JOB_DIR/result.json", NULL, TK_IGNORED },  \
	{                                                                                          \
		"parametric_mode", KEY_BOOL, "old tool: sweeps now follow from comma lists", NULL, \
		    TK_IGNORED                                                                     \
	}

#endif
