/* Unit tests for src/config: lookup order, old keys, refusals, every message's position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "config/config.h"

static char tmpdir[] = "/tmp/hpcbench-unit-config.XXXXXX";

/* Each test runs in tmpdir with a clean environment: no $HPCBENCH_CONFIG, HOME=tmpdir. */
static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir) || chdir(tmpdir))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int ret;
	(void)state;
	ret = chdir("/") || system(cmd) ? -1 : 0;
	free(cmd);
	return ret;
}

static int test_setup(void **state)
{
	(void)state;
	unsetenv("HPCBENCH_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", tmpdir, 1);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644, &err), 0);
	strbuf_release(&err);
}

static void load_fails(const char *yaml, const char *want)
{
	struct strbuf err = STRBUF_INIT;
	write_text("c.yaml", yaml);
	assert_null(config_load("c.yaml", &err));
	if (strcmp(err.buf, want))
		fail_msg("got:\n%s\nwant:\n%s", err.buf, want);
	strbuf_release(&err);
}

static struct config *load_ok(const char *yaml)
{
	struct strbuf err = STRBUF_INIT;
	struct config *cfg;
	write_text("c.yaml", yaml);
	cfg = config_load("c.yaml", &err);
	if (!cfg)
		fail_msg("unexpected errors:\n%s", err.buf);
	strbuf_release(&err);
	return cfg;
}

/* The old tool's shipped config.yaml (user name changed): every key must load. */
static const char old_config[] = "hpc:\n"
				 "  hostname: \"login.lxp.lu\"\n"
				 "  username: \"u100000\"\n"
				 "  # password: \"your_password\"\n"
				 "  key_filename: \"~/.ssh/id_ed25519_mlux\"\n"
				 "  port: 8822\n"
				 "slurm:\n"
				 "  account: \"p200981\"\n"
				 "  partition: \"gpu\"\n"
				 "  qos: \"default\"\n"
				 "  time: \"01:00:00\"\n"
				 "  nodes: 1\n"
				 "  ntasks: 1\n"
				 "  ntasks_per_node: 1\n"
				 "services_dir: \"recipes/services\"\n"
				 "clients_dir: \"recipes/clients\"\n"
				 "scripts_dir: \"scripts\"\n"
				 "results_dir: \"results\"\n"
				 "logs_dir: \"logs\"\n"
				 "monitoring:\n"
				 "  enabled: false\n"
				 "  prometheus_endpoint: \"http://localhost:9090\"\n"
				 "logging:\n"
				 "  level: \"INFO\"\n"
				 "  file: \"orchestrator.log\"\n"
				 "benchmarks:\n"
				 "  default_duration: 300\n"
				 "  results:\n"
				 "    format: \"json\"\n";

static void test_old_config(void **state)
{
	struct config *cfg;
	char *key;
	(void)state;
	cfg = load_ok(old_config);
	assert_string_equal(cfg->path, "c.yaml");
	assert_string_equal(cfg->hpc.hostname, "login.lxp.lu");
	assert_string_equal(cfg->hpc.username, "u100000");
	assert_int_equal(cfg->hpc.port, 8822);
	key = xasprintf("%s/.ssh/id_ed25519_mlux", tmpdir);
	assert_string_equal(cfg->hpc.key_filename, key);
	free(key);
	assert_string_equal(cfg->slurm.account, "p200981");
	assert_string_equal(cfg->slurm.time, "01:00:00");
	assert_int_equal(cfg->slurm.ntasks_per_node, 1);
	config_free(cfg);
}

static void test_new_keys_and_ssh_alias(void **state)
{
	struct config *cfg;
	(void)state;
	cfg = load_ok("ssh:\n  hostname: login\n  key_filename: /k\n"
		      "modules: [Apptainer/1.2.4, env/release]\n"
		      "workdir: /scratch/$USER/hpcbench\n"
		      "containers:\n  cache: $HOME/sif\n  base_path: /images\n"
		      "  docker_sources: {redis: \"docker://redis:7\"}\n  force_rebuild: true\n");
	assert_string_equal(cfg->hpc.hostname, "login");
	assert_string_equal(cfg->hpc.key_filename, "/k");
	assert_int_equal(cfg->modules.nr, 2);
	assert_string_equal(cfg->modules.items[1], "env/release");
	assert_string_equal(cfg->workdir, "/scratch/$USER/hpcbench");
	assert_string_equal(cfg->containers.cache, "$HOME/sif");
	assert_string_equal(kvlist_get(&cfg->containers.docker_sources, "redis"),
			    "docker://redis:7");
	config_free(cfg);
	cfg = load_ok("modules: Apptainer\n");
	assert_int_equal(cfg->modules.nr, 1);
	config_free(cfg);
	/* A comment-only config is an empty one: defaults. */
	cfg = load_ok("# nothing yet\n");
	assert_null(cfg->hpc.hostname);
	config_free(cfg);
}

static void test_errors(void **state)
{
	(void)state;
	load_fails("hpc:\n  hostname: h\n  password: secret\n",
		   "c.yaml:3:13: hpc.password: passwords are not accepted in the config file; use "
		   "an SSH key (hpc.key_filename) or ssh-agent");
	load_fails("hpc:\n  hostnme: h\n",
		   "c.yaml:2:3: unknown key 'hostnme' in hpc (did you mean 'hostname'?)");
	load_fails("slurms:\n  account: x\n",
		   "c.yaml:1:1: unknown key 'slurms' in the config (did you mean 'slurm'?)");
	load_fails("hpc:\n  port: ssh\n",
		   "c.yaml:2:9: hpc.port: expected a whole number from 1 to 65535, got 'ssh'");
	load_fails("slurm:\n  time: forever\n  nodes: 0\n",
		   "c.yaml:2:9: slurm.time: bad time 'forever' (expected MM, MM:SS, HH:MM:SS, "
		   "D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED, e.g. \"01:30:00\")\n"
		   "c.yaml:3:10: slurm.nodes: 0 is out of range (1 to 4294967295)");
	load_fails("hpc: {hostname: a}\nssh: {hostname: b}\n",
		   "c.yaml:2:1: 'ssh:' is the old name of 'hpc:'; give only one of them");
	load_fails("- a\n", "c.yaml:1:1: expected a mapping (hpc:, slurm:, ...) at the top "
			    "level, got a list");
	load_fails("hpc:\n  key_filename: ~nosuchuser_hb/k\n",
		   "c.yaml:2:17: hpc.key_filename: cannot expand '~nosuchuser_hb' in "
		   "'~nosuchuser_hb/k' (unknown user)");
	load_fails("hpc: [\n", "c.yaml:2:1: yaml syntax error: did not find expected node "
			       "content while parsing a flow node");
}

static void test_lookup_order(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct config *cfg;
	char *xdg;
	(void)state;
	/* Nothing anywhere: defaults, no file. */
	cfg = config_load(NULL, &err);
	assert_non_null(cfg);
	assert_null(cfg->path);
	config_free(cfg);

	/* ~/.config/hpcbench/config.yaml when XDG_CONFIG_HOME is unset. */
	assert_int_equal(mkdir_p(".config/hpcbench", 0755, &err), 0);
	write_text(".config/hpcbench/config.yaml", "workdir: /from-home\n");
	cfg = config_load(NULL, &err);
	assert_string_equal(cfg->workdir, "/from-home");
	config_free(cfg);

	/* $XDG_CONFIG_HOME/hpcbench/config.yaml wins over ~/.config. */
	assert_int_equal(mkdir_p("xdg/hpcbench", 0755, &err), 0);
	write_text("xdg/hpcbench/config.yaml", "workdir: /from-xdg\n");
	xdg = xasprintf("%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	cfg = config_load(NULL, &err);
	assert_string_equal(cfg->workdir, "/from-xdg");
	config_free(cfg);
	free(xdg);

	/* $HPCBENCH_CONFIG wins over XDG; --config wins over both. */
	write_text("env.yaml", "workdir: /from-env\n");
	setenv("HPCBENCH_CONFIG", "env.yaml", 1);
	cfg = config_load(NULL, &err);
	assert_string_equal(cfg->workdir, "/from-env");
	assert_string_equal(cfg->path, "env.yaml");
	config_free(cfg);
	write_text("opt.yaml", "workdir: /from-option\n");
	cfg = config_load("opt.yaml", &err);
	assert_string_equal(cfg->workdir, "/from-option");
	config_free(cfg);
	assert_string_equal(err.buf, "");

	/* A file that is named but missing is an error; a missing default file is not. */
	assert_null(config_load("missing.yaml", &err));
	assert_string_equal(err.buf, "missing.yaml: config file not found (named by --config)");
	strbuf_reset(&err);
	setenv("HPCBENCH_CONFIG", "gone.yaml", 1);
	assert_null(config_load(NULL, &err));
	assert_string_equal(err.buf,
			    "gone.yaml: config file not found (named by $HPCBENCH_CONFIG)");
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_old_config, test_setup),
		cmocka_unit_test_setup(test_new_keys_and_ssh_alias, test_setup),
		cmocka_unit_test_setup(test_errors, test_setup),
		cmocka_unit_test_setup(test_lookup_order, test_setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
