/* Unit tests for src/service: the registries, lookups and aliases, and the key tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "recipe/recipe.h"
#include "service/service.h"

static void test_registry(void **state)
{
	(void)state;
	for (size_t i = 0; service_types[i]; i++) {
		const struct service_type *t = service_types[i];
		if (service_types[i + 1])
			assert_true(strcmp(t->name, service_types[i + 1]->name) < 0);
		assert_ptr_equal(service_type_find(t->name), t);
		assert_non_null(t->description);
		assert_true(t->default_port > 0);
		assert_non_null(t->default_probe);
		assert_non_null(t->render);
		assert_non_null(t->keys);
	}
	for (size_t i = 0; client_types[i]; i++) {
		const struct client_type *t = client_types[i];
		if (client_types[i + 1])
			assert_true(strcmp(t->name, client_types[i + 1]->name) < 0);
		assert_ptr_equal(client_type_find(t->name), t);
		assert_non_null(t->render);
	}
	assert_null(service_type_find("rediss"));
	assert_null(service_type_find(NULL));
	assert_null(client_type_find("nope"));
}

static void test_aliases(void **state)
{
	(void)state;
	assert_string_equal(client_type_find("ollama")->name, "llm");
	assert_string_equal(client_type_find("vllm")->name, "llm");
	assert_string_equal(client_type_find("mysql")->name, "sql");
	assert_string_equal(client_type_find("postgres")->name, "sql");
	assert_string_equal(client_type_find("redis")->name, "redis");
	assert_string_equal(client_type_find("chroma")->name, "chroma");
	assert_string_equal(client_type_find("generic")->name, "http");
}

/* Every parameter name of the old tool's client recipes is known to its client type. */
static void test_old_parameter_names(void **state)
{
	static const char *const old[][2] = {
		{ "redis", "num_operations" },
		{ "redis", "clients" },
		{ "redis", "value_size" },
		{ "redis", "pipeline" },
		{ "redis", "native_tests" },
		{ "redis", "wait_for_service" },
		{ "redis", "client_counts" },
		{ "redis", "data_sizes" },
		{ "redis", "pipeline_depths" },
		{ "redis", "operations_per_test" },
		{ "redis", "tests" },
		{ "redis", "parametric_mode" },
		{ "llm", "model" },
		{ "llm", "num_requests" },
		{ "llm", "concurrent_requests" },
		{ "llm", "prompt_length" },
		{ "llm", "max_tokens" },
		{ "llm", "output_file" },
		{ "llm", "prompt_lengths" },
		{ "llm", "operations_per_test" },
		{ "chroma", "collection_name" },
		{ "chroma", "num_documents" },
		{ "chroma", "embedding_dimension" },
		{ "chroma", "batch_size" },
		{ "chroma", "num_queries" },
		{ "chroma", "top_k" },
		{ "chroma", "embedding_dimensions" },
		{ "chroma", "batch_sizes" },
		{ "chroma", "collection_prefix" },
		{ "sql", "num_connections" },
		{ "sql", "transactions_per_client" },
		{ "sql", "output_file" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		const struct client_type *t = client_type_find(old[i][0]);
		const struct type_key *k = type_key_find(t->keys, old[i][1]);
		if (!k)
			fail_msg("client type %s does not know parameter %s", old[i][0], old[i][1]);
	}
	/* Old names map onto the load generator's options. */
	assert_string_equal(type_key_find(client_type_find("llm")->keys, "num_requests")->option,
			    "-n");
	/* redis-benchmark counted -n per test: the redis build hook computes it (t0200). */
	assert_null(type_key_find(client_type_find("redis")->keys, "num_operations")->option);
	assert_string_equal(type_key_find(client_type_find("redis")->keys, "clients")->option,
			    "-c");
	assert_string_equal(
	    type_key_find(client_type_find("llm")->keys, "concurrent_requests")->option, "-c");
	assert_true(type_key_find(client_type_find("llm")->keys, "output_file")->flags &
		    TK_IGNORED);
}

/* Key tables: a sweepable key maps to an option; secrets are flagged. */
static void test_key_tables(void **state)
{
	(void)state;
	for (size_t i = 0; client_types[i]; i++)
		for (const struct type_key *k = client_types[i]->keys; k->name; k++) {
			assert_non_null(k->help);
			if (k->flags & TK_SWEEP)
				assert_non_null(k->option);
			assert_ptr_equal(type_key_find(client_types[i]->keys, k->name), k);
		}
	assert_true(type_key_find(service_type_find("redis")->keys, "password")->flags & TK_SECRET);
	assert_true(type_key_find(service_type_find("mysql")->keys, "root_password")->flags &
		    TK_SECRET);
	assert_true(type_key_find(service_type_find("vllm")->keys, "model")->flags & TK_REQUIRED);
	assert_null(type_key_find(service_type_find("generic")->keys, "anything"));
}

/* True if `hpcbench load` with protocol p accepts option ("-c", "--database"). */
static bool proto_accepts(const struct load_proto *p, const char *option)
{
	if (option[0] == '-' && option[1] != '-')
		return strchr(load_core_shortopts, option[1]) ||
		       (p->shortopts && strchr(p->shortopts, option[1]));
	for (const struct option *o = load_core_longopts; o->name; o++)
		if (!strcmp(o->name, option + 2))
			return true;
	for (const struct option *o = p->longopts; o && o->name; o++)
		if (!strcmp(o->name, option + 2))
			return true;
	return false;
}

/*
 * Nothing validates that cannot run: every client type has a load protocol whose
 * options include every option its parameters map to, or else a recipe with that
 * client type is refused by validation (not on the cluster, after the queue wait).
 */
static void test_client_protocols(void **state)
{
	(void)state;
	for (size_t i = 0; client_types[i]; i++) {
		const struct client_type *t = client_types[i];
		const struct load_proto *p = load_proto_find(t->name);
		struct strbuf err = STRBUF_INIT, yaml = STRBUF_INIT;
		struct recipe *r;
		char path[64];
		if (p) {
			for (const struct type_key *k = t->keys; k->name; k++)
				if (k->option && !proto_accepts(p, k->option))
					fail_msg("client type %s: parameter %s maps to %s, which "
						 "'hpcbench load %s' does not accept",
						 t->name, k->name, k->option, p->name);
			continue;
		}
		strbuf_addf(&yaml, "client:\n  type: %s\n  endpoint: http://127.0.0.1:1/\n",
			    t->name);
		snprintf(path, sizeof(path), "/tmp/hpcbench-noproto-%d.yaml", (int)getpid());
		assert_int_equal(write_file_atomic(path, yaml.buf, yaml.len, 0644, &err), 0);
		r = recipe_load(path, NULL, &err);
		unlink(path);
		if (r)
			fail_msg("client type %s has no load protocol, yet validates", t->name);
		assert_non_null(strstr(err.buf, "cannot run yet"));
		strbuf_release(&err);
		strbuf_release(&yaml);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_old_parameter_names),
		cmocka_unit_test(test_key_tables),
		cmocka_unit_test(test_client_protocols),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
