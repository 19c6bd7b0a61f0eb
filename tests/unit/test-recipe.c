/*
 * Unit tests for src/recipe: the YAML loader's positions, every validation message with
 * its exact FILE:LINE:COL, and the model a valid recipe fills.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "recipe/recipe.h"
#include "recipe/rnode.h"
#include "service/service.h"

static char tmpdir[] = "/tmp/hpcbench-unit-recipe.XXXXXX";

/* Messages name the file as given: the tests run inside tmpdir and load "r.yaml". */
static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir) || chdir(tmpdir))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink("r.yaml");
	return chdir("/") || rmdir(tmpdir);
}

static void write_recipe(const char *yaml)
{
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(write_file_atomic("r.yaml", yaml, strlen(yaml), 0644, &err), 0);
	strbuf_release(&err);
}

/* Loads yaml, expects it to be valid; caller frees. */
static struct recipe *load_ok(const char *yaml)
{
	struct strbuf err = STRBUF_INIT;
	struct recipe *r;
	write_recipe(yaml);
	r = recipe_load("r.yaml", NULL, &err);
	if (!r)
		fail_msg("unexpected errors:\n%s", err.buf);
	strbuf_release(&err);
	return r;
}

/* Loads yaml, expects it to be invalid with exactly these error lines. */
static void load_fails(const char *yaml, const char *want)
{
	struct strbuf err = STRBUF_INIT;
	struct recipe *r;
	write_recipe(yaml);
	r = recipe_load("r.yaml", NULL, &err);
	assert_null(r);
	if (strcmp(err.buf, want))
		fail_msg("got:\n%s\nwant:\n%s", err.buf, want);
	strbuf_release(&err);
}

static void test_full_service(void **state)
{
	struct recipe *r;
	const struct service_spec *s;
	(void)state;
	r = load_ok("# comment\n"
		    "service:\n"
		    "  name: cache\n"
		    "  type: redis\n"
		    "  description: a cache\n"
		    "  container_image: redis_latest.sif\n"
		    "  container:\n"
		    "    docker_source: docker://redis:7-alpine\n"
		    "    image_path: $HOME/containers/redis.sif\n"
		    "    bind_mounts: [\"$HOME/data:/data\"]\n"
		    "    force_rebuild: yes\n"
		    "  command: redis-server\n"
		    "  args: [\"--save\", \"\"]\n"
		    "  resources: {time: \"01:30:00\", partition: cpu, qos: default, account: p1,\n"
		    "              nodes: 2, ntasks: 1, ntasks_per_node: 1, cpus_per_task: 4,\n"
		    "              mem: 4GB, gres: \"gpu:1\"}\n"
		    "  environment:\n"
		    "    A: \"x y\"\n"
		    "    B: 8000\n"
		    "    EMPTY:\n"
		    "  ports: [6380, 6381]\n"
		    "  enable_cadvisor: true\n"
		    "  health_check: {endpoint: \"redis://localhost:6379\", timeout: 2m,\n"
		    "                 retries: 10, interval: 500ms}\n"
		    "  maxmemory: 2gb\n");
	assert_int_equal(r->nr_services, 1);
	assert_int_equal(r->nr_clients, 0);
	s = &r->services[0];
	assert_string_equal(s->name, "cache");
	assert_string_equal(s->type_name, "redis");
	assert_ptr_equal(s->type, service_type_find("redis"));
	assert_string_equal(s->description, "a cache");
	assert_string_equal(s->container.image_path, "$HOME/containers/redis.sif");
	assert_string_equal(s->container.bind_mounts.items[0], "$HOME/data:/data");
	assert_true(s->container.force_rebuild);
	assert_int_equal(s->runtime, RUNTIME_APPTAINER);
	assert_true(s->args_set);
	assert_int_equal(s->args.nr, 2);
	assert_string_equal(s->args.items[1], "");
	assert_string_equal(s->resources.time, "01:30:00");
	assert_int_equal(s->resources.time_s, 5400);
	assert_int_equal(s->resources.nodes, 2);
	assert_int_equal(s->resources.cpus_per_task, 4);
	assert_int_equal(s->resources.mem_mb, 4096);
	assert_string_equal(s->resources.gres, "gpu:1");
	assert_string_equal(kvlist_get(&s->environment, "A"), "x y");
	assert_string_equal(kvlist_get(&s->environment, "B"), "8000");
	assert_string_equal(kvlist_get(&s->environment, "EMPTY"), "");
	assert_int_equal(s->nr_ports, 2);
	assert_int_equal(s->ports[0], 6380);
	assert_true(s->enable_cadvisor);
	assert_int_equal(s->cadvisor_port, 8080);
	assert_true(s->health_check.set);
	assert_int_equal(s->health_check.timeout_s, 120);
	assert_int_equal(s->health_check.retries, 10);
	assert_true(s->health_check.interval_s > 0.49 && s->health_check.interval_s < 0.51);
	assert_string_equal(rnode_str(s->node, "maxmemory"), "2gb");
	assert_int_equal(s->pos.line, 3);
	assert_int_equal(s->pos.col, 3);
	recipe_free(r);
}

static void test_defaults_and_type_from_name(void **state)
{
	struct recipe *r;
	(void)state;
	r = load_ok("service:\n  name: chroma\n");
	assert_string_equal(r->services[0].type_name, "chroma");
	assert_false(r->services[0].args_set);
	assert_false(r->services[0].health_check.set);
	assert_int_equal(r->services[0].nr_ports, 0);
	recipe_free(r);
	r = load_ok("service:\n  type: generic\n  runtime: native\n  command: python3\n"
		    "  args: [-m, http.server, \"${HPCBENCH_PORT}\"]\n"
		    "  setup: [\"echo one\", \"echo two\"]\n"
		    "  health_check: {endpoint: \"tcp://\"}\n");
	assert_string_equal(r->services[0].name, "generic");
	assert_int_equal(r->services[0].runtime, RUNTIME_NATIVE);
	assert_string_equal(r->services[0].args.items[2], "${HPCBENCH_PORT}");
	assert_int_equal(r->services[0].setup.nr, 2);
	recipe_free(r);
}

static void test_client_resolution(void **state)
{
	struct recipe *r;
	(void)state;
	/* Old client recipe: target_service.name is a type name; ollama selects llm. */
	r = load_ok("client:\n  name: ollama_benchmark\n  duration: 300\n"
		    "  target_service: {name: ollama, port: 11434, health_check_endpoint: /x}\n"
		    "  parameters: {model: llama2, num_requests: 10, concurrent_requests: "
		    "\"1,2,5\", max_tokens: [50, 100]}\n"
		    "  script: {name: ollama_benchmark.py, local_path: x/, remote_path: y/}\n");
	assert_string_equal(r->clients[0].type_name, "llm");
	assert_ptr_equal(r->clients[0].type, client_type_find("llm"));
	assert_int_equal(r->clients[0].duration_s, 300);
	assert_int_equal(r->clients[0].target.port, 11434);
	assert_int_equal(r->clients[0].runtime, RUNTIME_NATIVE);
	assert_string_equal(rnode_str(r->clients[0].parameters, "model"), "llama2");
	recipe_free(r);

	/* Combined recipe: no target means the only service; the type follows its type. */
	r = load_ok("services:\n  - name: kv\n    type: redis\n"
		    "clients:\n  - parameters: {clients: 50}\n    duration: 10s\n");
	assert_string_equal(r->clients[0].target.name, "kv");
	assert_string_equal(r->clients[0].type_name, "redis");
	assert_string_equal(r->clients[0].name, "kv_benchmark");
	assert_int_equal(r->clients[0].duration_s, 10);
	recipe_free(r);

	/* An endpoint URL implies the protocol; parameters.endpoint is the old spelling. */
	r = load_ok("client:\n  endpoint: \"redis://10.0.0.1:6379\"\n");
	assert_string_equal(r->clients[0].type_name, "redis");
	assert_string_equal(r->clients[0].target.endpoint, "redis://10.0.0.1:6379");
	recipe_free(r);
	r = load_ok("client:\n  type: http\n  parameters: {endpoint: \"http://h:80/\"}\n");
	assert_string_equal(r->clients[0].target.endpoint, "http://h:80/");
	recipe_free(r);

	/* A command client needs neither a target nor a protocol. */
	r = load_ok("client:\n  name: probe\n  command: curl\n  args: [\"-s\", \"http://x/\"]\n");
	assert_null(r->clients[0].type);
	assert_true(r->clients[0].args_set);
	recipe_free(r);
}

static void test_monitoring_section(void **state)
{
	struct recipe *r;
	(void)state;
	r = load_ok("service:\n  name: mysql\nmonitoring:\n  resources: {mem: 4G}\n"
		    "  ports: [9090]\n");
	assert_non_null(r->monitoring);
	assert_string_equal(r->monitoring->type_name, "prometheus");
	assert_string_equal(r->monitoring->name, "prometheus");
	assert_int_equal(r->monitoring->resources.mem_mb, 4096);
	recipe_free(r);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	load_fails("service:\n  name: redis\n  resorces: {}\n",
		   "r.yaml:3:3: unknown key 'resorces' in service (did you mean 'resources'?)");
	load_fails("service:\n  name: redis\n  resources:\n    gpus: 1\n",
		   "r.yaml:4:5: unknown key 'gpus' in resources (known keys: time, partition, "
		   "qos, account, nodes, ntasks, ntasks_per_node, cpus_per_task, mem, gres)");
	load_fails("servce:\n  name: redis\n",
		   "r.yaml:1:1: unknown key 'servce' in the recipe (did you mean 'service'?)");
	load_fails("client:\n  target_service: {name: redis}\n  parameters:\n    clints: 5\n",
		   "r.yaml:4:5: unknown key 'clints' in parameters of client type 'redis' (did "
		   "you mean 'clients'?)");
	load_fails("service:\n  name: redis\n  container: {image: x}\n",
		   "r.yaml:3:15: unknown key 'image' in container (known keys: docker_source, "
		   "image_path, bind_mounts, force_rebuild, build_commands)");
}

static void test_wrong_types(void **state)
{
	(void)state;
	load_fails("service:\n  name: redis\n  resources:\n    nodes: two\n",
		   "r.yaml:4:12: service.resources.nodes: expected a whole number >= 1, got 'two'");
	load_fails("service:\n  name: redis\n  args: --save\n",
		   "r.yaml:3:9: service.args: expected a list (write [\"--save\"] for a list of "
		   "one), got '--save'");
	load_fails("service:\n  name: redis\n  environment: [A=1]\n",
		   "r.yaml:3:16: service.environment: expected a mapping of NAME: value, got a "
		   "list");
	load_fails("service:\n  name: redis\n  environment:\n    MY-VAR: 1\n    OK: {a: 1}\n",
		   "r.yaml:4:5: service.environment: 'MY-VAR' is not a valid variable name "
		   "(letters, digits and '_', not starting with a digit)\n"
		   "r.yaml:5:9: service.environment.OK: expected a string, got a mapping");
	load_fails("service:\n  name: redis\n  enable_cadvisor: maybe\n",
		   "r.yaml:3:20: service.enable_cadvisor: expected true or false, got 'maybe'");
	load_fails("service:\n  name: redis\n  resources: 4\n",
		   "r.yaml:3:14: service.resources: expected a mapping, got '4'");
	load_fails("service:\n  name: prometheus\n  monitoring_targets: {a: 1}\n",
		   "r.yaml:3:23: service.monitoring_targets: expected a list, got a mapping");
	load_fails("client:\n  type: llm\n  endpoint: http://h/\n"
		   "  parameters: {num_requests: many}\n",
		   "r.yaml:4:30: parameters.num_requests: expected an integer, got 'many'");
	load_fails("client:\n  type: llm\n  endpoint: http://h/\n  parameters: {connections: x}\n",
		   "r.yaml:4:29: parameters.connections: expected an integer, or integers to "
		   "sweep (\"1,2,4\" or a list), got 'x'");
	load_fails("client:\n  type: llm\n  endpoint: http://h/\n  duration: forever\n",
		   "r.yaml:4:13: client.duration: expected a duration: seconds, or a number with "
		   "a unit ms, s, m or h (e.g. 30, 90s, 5m), got 'forever'");
}

static void test_bad_values(void **state)
{
	(void)state;
	load_fails("service:\n  name: redis\n  resources:\n    time: \"forever\"\n",
		   "r.yaml:4:11: service.resources.time: bad time 'forever' (expected MM, MM:SS, "
		   "HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED, e.g. \"01:30:00\")");
	load_fails("service:\n  name: redis\n  resources: {mem: 4 gigs}\n",
		   "r.yaml:3:20: service.resources.mem: bad memory size '4 gigs' (expected a "
		   "number from 1K to 1024T with an optional unit K, M, G or T, e.g. 4G or 512MB; "
		   "a bare number is "
		   "megabytes)");
	load_fails("service:\n  name: redis\n  runtime: docker\n",
		   "r.yaml:3:12: service.runtime: bad value 'docker' (expected apptainer or "
		   "native)");
	load_fails("service:\n  name: redis\n  ports: [6379, 70000, 0]\n",
		   "r.yaml:3:17: service.ports[1]: 70000 is out of range (1 to 65535)\n"
		   "r.yaml:3:24: service.ports[2]: 0 is out of range (1 to 65535)");
	load_fails("service:\n  name: redis\n  ports: 6379\n",
		   "r.yaml:3:10: service.ports: expected a list of ports (e.g. [6379]), got "
		   "'6379'");
	load_fails("service:\n  name: \"my redis\"\n  type: redis\n",
		   "r.yaml:2:9: service.name: 'my redis' is not a valid name (up to 64 letters, "
		   "digits, '.', '_' and '-', starting with a letter or digit)");
	load_fails("service:\n  name: redis\n  health_check: {interval: 0}\n",
		   "r.yaml:3:28: service.health_check.interval: expected a duration above zero: "
		   "seconds, or a number with a unit ms, s, m or h (e.g. 3, 0.5, 500ms), got '0'");
}

static void test_types_and_targets(void **state)
{
	(void)state;
	load_fails("service:\n  name: foo\n",
		   "r.yaml:2:9: service 'foo' has no 'type:' and its name is not a service type; "
		   "known types: chroma, generic, grafana, mysql, ollama, postgres, "
		   "prometheus, redis, vllm");
	load_fails("service:\n  name: cache\n  type: rdis\n",
		   "r.yaml:3:9: unknown service type 'rdis' (did you mean 'redis'?); known types: "
		   "chroma, generic, grafana, mysql, ollama, postgres, prometheus, redis, vllm");
	load_fails("service:\n  description: x\n", "r.yaml:2:3: service has neither 'name' nor "
						   "'type'");
	load_fails("client:\n  type: rdis\n  endpoint: h:1\n",
		   "r.yaml:2:9: unknown client type 'rdis' (did you mean 'redis'?); known types: "
		   "chroma, http, llm, redis, sql");
	load_fails("client:\n  name: x\n",
		   "r.yaml:2:3: client 'x' has no target: set target_service.name (a service type "
		   "or a service of the recipe), target_service.id or endpoint, or give a "
		   "command");
	load_fails("services:\n  - name: redis\n  - name: chroma\nclient:\n  name: c\n",
		   "r.yaml:5:3: client 'c' has no target and this recipe has 2 services: set "
		   "target_service.name");
	load_fails("service:\n  name: redis\nclient:\n  target_service: {name: redsi}\n",
		   "r.yaml:4:26: target_service.name 'redsi' is neither a service of this recipe "
		   "(redis) nor a service type");
	load_fails("client:\n  endpoint: \"10.0.0.1:6379\"\n",
		   "r.yaml:2:3: client: cannot tell which load protocol to "
		   "use; set 'type:' to one of: chroma, http, llm, redis, sql (or give a command)");
	load_fails("services:\n  - name: redis\n  - name: redis\n",
		   "r.yaml:3:11: duplicate name 'redis' (also used at line 2); give each job its "
		   "own name");
	load_fails("service:\n  name: redis\nservices: []\n",
		   "r.yaml:3:11: use either 'service:' or 'services:', not both");
	load_fails(
	    "service:\n  - name: redis\nclient: [x]\n",
	    "r.yaml:2:3: service: expected a mapping, got a list (write 'services:' for a "
	    "list of services)\n"
	    "r.yaml:3:9: client: expected a mapping, got a list (write 'clients:' for a list "
	    "of clients)");
	load_fails("service:\n  type: generic\n  command: x\nclient:\n  name: c\n"
		   "  runtime: apptainer\n  command: y\n",
		   "r.yaml:2:3: service 'generic' runs in apptainer but names no image: set "
		   "container.image_path, container.docker_source or container_image, or use "
		   "runtime: native\n"
		   "r.yaml:5:3: client 'c' runs in apptainer but names no image: set "
		   "container.image_path, container.docker_source or container_image, or use "
		   "runtime: native");
	load_fails("services:\n  name: redis\n",
		   "r.yaml:2:3: services: expected a list of service mappings, got a mapping");
}

static void test_yaml_level_errors(void **state)
{
	(void)state;
	load_fails("", "r.yaml:1:1: empty recipe: expected service:, client:, services: or "
		       "clients:");
	load_fails("# only a comment\n", "r.yaml:1:1: empty recipe: expected service:, client:, "
					 "services: or clients:");
	load_fails("- a\n- b\n", "r.yaml:1:1: expected a mapping with service:, client:, "
				 "services: or clients: at the top level, got a list");
	load_fails("service:\n  name: redis\n   bad: indent\n",
		   "r.yaml:3:7: yaml syntax error: mapping values are not allowed in this context");
	load_fails("service:\n\tname: redis\n",
		   "r.yaml:2:1: yaml syntax error: found character that cannot start any token "
		   "while scanning for the next token");
	/* A problem in the YAML layer that leaves the tree whole does not hide the rest. */
	load_fails("service:\n  name: redis\n  name: redis\n  runtime: docker\n",
		   "r.yaml:3:3: duplicate key 'name' (first at line 2)\n"
		   "r.yaml:4:12: service.runtime: bad value 'docker' (expected apptainer or "
		   "native)");
	load_fails("service:\n  name: redis\n  name: chroma\n",
		   "r.yaml:3:3: duplicate key 'name' (first at line 2)");
	load_fails("service: {name: redis}\n---\nservice: {name: chroma}\n",
		   "r.yaml:2:1: only one yaml document per file (found a second '---')");
	load_fails("{}\n", "r.yaml:1:1: the recipe has no service and no client (expected "
			   "service:, client:, services: or clients:)");
}

/* Anchors, aliases and merge keys: copies that keep the anchored text's positions. */
static void test_anchors(void **state)
{
	struct recipe *r;
	(void)state;
	r = load_ok("services:\n"
		    "  - &base\n"
		    "    name: a\n"
		    "    type: redis\n"
		    "    resources: &res {time: \"00:10:00\", mem: 1G}\n"
		    "  - <<: *base\n"
		    "    name: b\n"
		    "  - name: c\n"
		    "    type: chroma\n"
		    "    resources: *res\n"
		    "    <<: [{runtime: native}, {runtime: apptainer, command: x}]\n");
	assert_int_equal(r->nr_services, 3);
	assert_string_equal(r->services[1].name, "b");
	assert_string_equal(r->services[1].type_name, "redis");
	assert_int_equal(r->services[1].resources.time_s, 600);
	assert_int_equal(r->services[2].resources.mem_mb, 1024);
	assert_int_equal(r->services[2].runtime, RUNTIME_NATIVE);
	assert_string_equal(r->services[2].command, "x");
	/* The copy of b's `type` points at the text in a. */
	assert_int_equal(rnode_get(r->services[1].node, "type")->pos.line, 4);
	assert_null(rnode_get(r->services[1].node, "<<"));
	recipe_free(r);

	/* An error in an anchored value is reported once, where the text is. */
	load_fails("services:\n  - name: a\n    resources: &res {time: forever}\n"
		   "  - name: redis\n    resources: *res\n",
		   "r.yaml:2:11: service 'a' has no 'type:' and its name is not a service type; "
		   "known types: chroma, generic, grafana, mysql, ollama, postgres, "
		   "prometheus, redis, vllm\n"
		   "r.yaml:3:28: service.resources.time: bad time 'forever' (expected MM, MM:SS, "
		   "HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED, e.g. \"01:30:00\")");
	load_fails("service:\n  name: redis\n  resources: *nope\n",
		   "r.yaml:3:14: unknown alias *nope (an anchor &nope must come before it)");
	load_fails("service:\n  name: redis\n  <<: 5\n",
		   "r.yaml:3:7: a merge key '<<' takes a mapping or a list of mappings");
	/* "Billion laughs": each level doubles; the loader stops instead of exploding. */
	load_fails("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
		   "r.yaml:5:36: aliases expand to more than 100000 nodes");
}

static void test_all_errors_reported(void **state)
{
	struct strbuf err = STRBUF_INIT;
	size_t lines = 1;
	(void)state;
	write_recipe("service:\n  name: redis\n  resorces: {}\n  runtime: docker\n"
		     "  resources: {time: forever, mem: lots, nodes: 0}\n"
		     "client:\n  type: redis\n  parameters: {clints: 1}\n");
	assert_null(recipe_load("r.yaml", NULL, &err));
	for (const char *p = err.buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 6);
	strbuf_release(&err);
}

/* The loader itself: positions of keys and values, quoting, flow and block styles. */
static void test_rnode_positions(void **state)
{
	static const char yaml[] = "a: 1\n"
				   "b:\n"
				   "  - x\n"
				   "  - \"007\"\n"
				   "c:\n  d: [1, 2]\n  e: |\n    text\n"
				   "f: ~\n";
	struct strbuf err = STRBUF_INIT;
	struct rnode *root = NULL;
	const struct rnode *b, *c, *d;
	(void)state;
	assert_int_equal(rnode_load_buf(yaml, strlen(yaml), "m.yaml", &root, &err), 0);
	assert_int_equal(root->kind, RNODE_MAP);
	assert_int_equal(root->nr, 4);
	assert_string_equal(root->keys[1], "b");
	assert_int_equal(root->key_pos[1].line, 2);
	assert_int_equal(root->key_pos[1].col, 1);
	assert_string_equal(root->key_pos[1].file, "m.yaml");
	b = rnode_get(root, "b");
	assert_int_equal(b->kind, RNODE_SEQ);
	assert_int_equal(b->children[1]->pos.line, 4);
	assert_int_equal(b->children[1]->pos.col, 5);
	assert_true(b->children[1]->quoted);
	assert_false(b->children[0]->quoted);
	assert_string_equal(b->children[1]->scalar, "007");
	c = rnode_get(root, "c");
	d = rnode_get(c, "d");
	assert_int_equal(d->pos.line, 6);
	assert_int_equal(d->pos.col, 6);
	assert_int_equal(d->children[1]->pos.col, 10);
	assert_string_equal(rnode_str(c, "e"), "text\n");
	assert_true(rnode_get(c, "e")->quoted);
	assert_true(rnode_is_null(rnode_get(root, "f")));
	assert_null(rnode_get(root, "zz"));
	assert_null(rnode_str(root, "b"));
	rnode_free(root);

	/* Whitespace only: no document, not an error. */
	assert_int_equal(rnode_load_buf("\n\n", 2, "m.yaml", &root, &err), 0);
	assert_null(root);
	assert_string_equal(err.buf, "");
	strbuf_release(&err);
}

/* Mappings of many keys use the key table (rnode.c): every key is found, a duplicate
 * far into the mapping is still caught with both lines, and merge keys still work. */
static void test_rnode_many_keys(void **state)
{
	struct strbuf yaml = STRBUF_INIT, err = STRBUF_INIT;
	struct rnode *root = NULL;
	const struct rnode *m;
	(void)state;
	strbuf_addstr(&yaml, "base: &b {inherited: yes, k7: no}\nm:\n  <<: *b\n");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&yaml, "  k%d: v%d\n", i, i);
	assert_int_equal(rnode_load_buf(yaml.buf, yaml.len, "m.yaml", &root, &err), 0);
	m = rnode_get(root, "m");
	assert_non_null(m);
	assert_int_equal(m->nr, 5001); /* 5000 keys + inherited; '<<' is gone */
	for (int i = 0; i < 5000; i += 37) {
		char k[16], v[16];
		snprintf(k, sizeof(k), "k%d", i);
		snprintf(v, sizeof(v), "v%d", i);
		assert_string_equal(rnode_str(m, k), v);
	}
	assert_string_equal(rnode_str(m, "k7"), "v7"); /* the mapping's own key wins */
	assert_string_equal(rnode_str(m, "inherited"), "yes");
	assert_null(rnode_get(m, "k5000"));
	assert_null(rnode_get(m, "<<"));
	rnode_free(root);

	strbuf_addstr(&yaml, "  k4321: again\n");
	assert_int_equal(rnode_load_buf(yaml.buf, yaml.len, "m.yaml", &root, &err), -1);
	assert_string_equal(err.buf, "m.yaml:5004:3: duplicate key 'k4321' (first at line 4325)");
	rnode_free(root);
	strbuf_release(&yaml);
	strbuf_release(&err);
}

/* A NUL byte in a scalar (a "\0" escape) is an error at its position, key or value. */
static void test_rnode_nul(void **state)
{
	static const char yaml[] = "a: \"x\\0y\"\n\"k\\0\": 1\nok: \"x\\ty\"\n";
	struct strbuf err = STRBUF_INIT;
	struct rnode *root = NULL;
	(void)state;
	assert_int_equal(rnode_load_buf(yaml, strlen(yaml), "n.yaml", &root, &err), -1);
	assert_string_equal(err.buf,
			    "n.yaml:1:4: a NUL byte (\\0) in a value is not allowed: it would cut "
			    "the value short\n"
			    "n.yaml:2:1: a NUL byte (\\0) in a value is not allowed: it would cut "
			    "the value short");
	rnode_free(root);
	strbuf_release(&err);
}

static void test_missing_file(void **state)
{
	struct strbuf err = STRBUF_INIT;
	(void)state;
	assert_null(recipe_load("nope.yaml", NULL, &err));
	assert_string_equal(err.buf, "nope.yaml: cannot open: No such file or directory");
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_service),
		cmocka_unit_test(test_defaults_and_type_from_name),
		cmocka_unit_test(test_client_resolution),
		cmocka_unit_test(test_monitoring_section),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_types_and_targets),
		cmocka_unit_test(test_yaml_level_errors),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_rnode_positions),
		cmocka_unit_test(test_rnode_many_keys),
		cmocka_unit_test(test_rnode_nul),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
