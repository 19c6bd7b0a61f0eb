/* Client type redis: `hpcbench load redis HOST:PORT`, old redis_benchmark parameters. */
#include <stdio.h>
#include <stdlib.h>

#include "script/hooks.h"
#include "service/types.h"

static const char *const redis_aliases[] = { "redis", NULL };

static const struct type_key redis_client_keys[] = {
	CLIENT_COMMON_KEYS,
	/* -n for these two is computed by redis_client_build (per test, as redis-benchmark). */
	{ "num_operations", KEY_INT, "old tool: requests per test (redis-benchmark -n)", NULL, 0 },
	{ "operations_per_test", KEY_INT, "old tool: requests per test at each sweep point", NULL,
	  0 },
	{ "clients", KEY_ANY, "old tool: connections (redis-benchmark -c)", "-c", TK_SWEEP },
	{ "client_counts", KEY_ANY, "old tool: connection counts to sweep, e.g. \"1,10,50\"", "-c",
	  TK_SWEEP },
	{ "value_size", KEY_ANY, "value size in bytes (redis-benchmark -d)", "--value-size",
	  TK_SWEEP },
	{ "data_sizes", KEY_ANY, "old tool: value sizes to sweep", "--value-size", TK_SWEEP },
	{ "pipeline_depths", KEY_ANY, "old tool: pipeline depths to sweep", "--pipeline",
	  TK_SWEEP },
	{ "native_tests", KEY_STRING, "old tool: commands to run, e.g. ping,set,get", "--tests",
	  0 },
	{ "tests", KEY_STRING, "commands to run, e.g. set,get,lpush", "--tests", 0 },
	{ "ratio", KEY_STRING, "SET:GET mix, e.g. 1:10", "--ratio", 0 },
	{ "keyspace", KEY_INT, "number of distinct keys", "--keyspace", 0 },
	{ "key_pattern", KEY_STRING, "key choice: uniform, sequential or gaussian", "--key-pattern",
	  0 },
	{ "command", KEY_STRING, "a custom command, e.g. 'LPUSH k __data__'", "--command", 0 },
	{ "password", KEY_STRING, "AUTH password; kept in a 0600 file passed with --auth", "--auth",
	  TK_SECRET },
	{ NULL, 0, NULL, NULL, 0 },
};

/*
 * redis-benchmark's -n counts requests per test, hpcbench's -n is the total over the
 * mixed tests: the old recipes' num_operations (or operations_per_test) is multiplied
 * by the number of tests so that they send what they always sent.
 */
static void redis_total_requests(struct client_build *b)
{
	const char *n = client_param(b->c, "num_operations");
	const char *tests = client_param(b->c, "native_tests");
	unsigned long long per_test, count = 1;
	char buf[32];
	if (!n)
		n = client_param(b->c, "operations_per_test");
	if (!n)
		return;
	if (!tests)
		tests = client_param(b->c, "tests");
	for (const char *p = tests; p && *p; p++)
		count += *p == ',';
	per_test = strtoull(n, NULL, 10);
	snprintf(buf, sizeof(buf), "%llu", per_test * count);
	svc_arg_opt(&b->opts, "-n", buf);
}

/* Old -n semantics; a password-protected target of this recipe: AUTH from its 0600 file. */
static int redis_client_build(struct client_build *b, struct strbuf *err)
{
	redis_total_requests(b);
	if (b->target_service && !client_param(b->c, "password") &&
	    svc_key(b->target_service, "password", "REDIS_PASSWORD")) {
		svc_arg_raw(&b->opts, "--auth");
		svc_arg_raw(&b->opts, "\"$HB_TARGET_DIR/secrets/redis_password\"");
	}
	return 0;
}

static const struct client_render redis_client_render = {
	.target = TARGET_HOSTPORT,
	.build = redis_client_build,
};

const struct client_type client_type_redis = {
	.name = "redis",
	.description = "Redis RESP load (pipelined), old redis_benchmark/redis_parametric recipes",
	.aliases = redis_aliases,
	.keys = redis_client_keys,
	.render = &redis_client_render,
	/* bench/redis.sh, lead's re-run 2026-11-29: 50 connections, pipeline 1, one thread,
	 * on a 2-core machine shared with redis-server (a lower bound of what it can do) */
	.one_thread_max_rps = 151018,
};
