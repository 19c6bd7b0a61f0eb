/*
 * Unit tests for src/script: every job script of tests/golden/NAME.yaml, rendered with a
 * fixed run id, run folder and id seed, must equal tests/golden/NAME.out byte for byte
 * (HPCBENCH_UPDATE_GOLDEN=1 rewrites them; review the diff). Plus the plan's contract:
 * ids, dependencies, side files, errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "common/shquote.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "recipe/recipe.h"
#include "script/render.h"

static const char *const golden[] = {
	"redis-apptainer", "redis-native",   "ollama",		 "vllm",
	"chroma-native",   "mysql",	     "postgres-native",	 "prometheus-session",
	"generic-native",  "generic-script", "client-llm-sweep", "client-http",
	"client-sql",	   "client-chroma",  "client-command",
};

/* tests/golden, from the top of the tree (cwd) or next to $HPCBENCH_BUILD. */
static char *golden_dir(void)
{
	const char *build = getenv("HPCBENCH_BUILD");
	struct stat st;
	if (!stat("tests/golden", &st))
		return xstrdup("tests/golden");
	if (build) {
		char *b = xstrdup(build), *dir = xasprintf("%s/tests/golden", dirname(b));
		free(b);
		return dir;
	}
	return xstrdup("tests/golden");
}

static void fixed_opts(struct render_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->run_id = "golden";
	o->run_dir = "/runs/golden";
	o->hpcbench_bin = "/opt/hpcbench/bin/hpcbench";
	o->id_seed = 1;
}

/* The plan as `hpcbench render` prints it (secrets listed, not shown). */
static void plan_text(const struct job_plan *plan, struct strbuf *sb)
{
	for (size_t i = 0; i < plan->nr; i++) {
		const struct job *j = &plan->jobs[i];
		strbuf_addf(sb, "### job %s (%s) depends_on=%d time=%llu\n", j->id, j->slurm_name,
			    j->depends_on, (unsigned long long)j->time_limit_s);
		strbuf_addstr(sb, j->script);
		for (size_t k = 0; k < j->nr_files; k++) {
			const struct side_file *f = &j->files[k];
			strbuf_addf(sb, "### side file %s (mode %04o)\n", f->name,
				    (unsigned)f->mode);
			if (f->mode & 0077)
				strbuf_add(sb, f->content, f->len);
			else
				strbuf_addstr(sb, "(secret)\n");
		}
	}
}

static void test_golden(void **state)
{
	char *dir = golden_dir();
	int update = getenv("HPCBENCH_UPDATE_GOLDEN") != NULL;
	(void)state;
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		char *yaml = xasprintf("%s/%s.yaml", dir, golden[i]);
		char *out = xasprintf("%s/%s.out", dir, golden[i]);
		struct strbuf err = STRBUF_INIT, got = STRBUF_INIT, want = STRBUF_INIT;
		struct render_opts o;
		struct job_plan plan;
		struct recipe *r = recipe_load(yaml, NULL, &err);
		if (!r && strstr(err.buf, "cannot run yet: this build has no")) {
			/* A client type whose protocol is not in this build: refused, as
			 * test-service checks; its golden applies once the protocol lands. */
			print_message("skipped %s: %s\n", golden[i], err.buf);
			strbuf_release(&err);
			free(yaml);
			free(out);
			continue;
		}
		if (!r)
			fail_msg("%s: %s", yaml, err.buf);
		fixed_opts(&o);
		if (render_plan(r, &o, &plan, &err))
			fail_msg("%s: %s", yaml, err.buf);
		plan_text(&plan, &got);
		if (update) {
			assert_int_equal(write_file_atomic(out, got.buf, got.len, 0644, &err), 0);
		} else {
			if (read_file(out, &want, &err))
				fail_msg("%s (HPCBENCH_UPDATE_GOLDEN=1 creates it)", err.buf);
			if (strcmp(got.buf, want.buf)) {
				size_t n = 0, line = 1;
				while (got.buf[n] && got.buf[n] == want.buf[n])
					line += got.buf[n++] == '\n';
				fail_msg("%s differs from the rendering at line %zu", out, line);
			}
		}
		job_plan_release(&plan);
		recipe_free(r);
		strbuf_release(&err);
		strbuf_release(&got);
		strbuf_release(&want);
		free(yaml);
		free(out);
	}
	free(dir);
}

static struct recipe *load(const char *name, struct strbuf *err)
{
	char *dir = golden_dir(), *path = xasprintf("%s/%s.yaml", dir, name);
	struct recipe *r = recipe_load(path, NULL, err);
	free(dir);
	free(path);
	assert_non_null(r);
	return r;
}

static void test_plan_contract(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct recipe *r = load("client-sql", &err);
	struct render_opts o;
	struct job_plan a, b;
	(void)state;

	fixed_opts(&o);
	assert_int_equal(render_plan(r, &o, &a, &err), 0);
	assert_int_equal(a.nr, 2);
	assert_int_equal(a.jobs[0].kind, JOB_SERVICE);
	assert_int_equal(a.jobs[1].kind, JOB_CLIENT);
	assert_int_equal(a.jobs[1].depends_on, 0);
	assert_int_equal(a.jobs[0].depends_on, -1);
	assert_ptr_equal(a.jobs[0].service, &r->services[0]);
	assert_ptr_equal(a.jobs[1].client, &r->clients[0]);
	assert_int_equal(strncmp(a.jobs[0].id, "mysql_", 6), 0);
	assert_int_equal(strlen(a.jobs[0].id), 6 + 8);
	assert_non_null(strstr(a.jobs[0].slurm_name, "golden"));
	assert_int_equal(a.jobs[0].time_limit_s, 3600);
	/* The client names the service's password file, never the password. */
	assert_null(strstr(a.jobs[1].script, "secret-pw"));
	assert_null(strstr(a.jobs[0].script, "secret-pw"));
	assert_non_null(strstr(a.jobs[1].script, "$HB_TARGET_DIR/secrets/user_password"));

	/* Same seed, same ids; no seed, fresh ids. */
	assert_int_equal(render_plan(r, &o, &b, &err), 0);
	assert_string_equal(a.jobs[0].id, b.jobs[0].id);
	assert_string_equal(a.jobs[1].script, b.jobs[1].script);
	job_plan_release(&b);
	o.id_seed = 0;
	assert_int_equal(render_plan(r, &o, &b, &err), 0);
	assert_string_not_equal(a.jobs[0].id, b.jobs[0].id);
	job_plan_release(&b);
	job_plan_release(&a);
	recipe_free(r);
	strbuf_release(&err);
}

static void test_render_errors(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct recipe *r = load("redis-native", &err);
	struct render_opts o;
	struct job_plan plan;
	(void)state;

	fixed_opts(&o);
	o.run_dir = "relative/runs";
	assert_int_equal(render_plan(r, &o, &plan, &err), -1);
	assert_non_null(strstr(err.buf, "absolute run folder"));
	assert_int_equal(plan.nr, 0);
	recipe_free(r);
	strbuf_release(&err);
}

/* A recipe value with a leading ~ stays literal, outside the double quotes. */
static void test_quote_tilde(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	sq_quote_expand(&sb, "~/x $HOME");
	assert_string_equal(sb.buf, "'~'\"/x ${HOME}\"");
	strbuf_reset(&sb);
	sq_quote_expand(&sb, "a~b");
	assert_string_equal(sb.buf, "\"a~b\"");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_plan_contract),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_quote_tilde),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
