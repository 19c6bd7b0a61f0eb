/*
 * Unit tests for the ssh runner (src/exec/runner-ssh.c) against a fake ssh (git's
 * trick): a shell script, named by HPCBENCH_SSH, that logs its arguments and then does
 * what sshd does with the remote command: hands that one string to `sh -c`. So the
 * tests see the exact ssh command line and whether hostile arguments survive the one
 * quoting step byte for byte. Also the local runner's capture, cap and timeout.
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
#include "exec/executor.h"
#include "exec/expand.h"
#include "exec/runner-local.h"
#include "exec/runner-ssh.h"

static char tmpdir[] = "/tmp/hb-ssh-test-XXXXXX";
static char log_path[256];

/* FAKE_SSH_MODE=refuse: behave like ssh facing a closed port (message, exit 255). */
static const char fake_ssh[] =
    "#!/bin/sh\n"
    "for a; do printf '%s\\n' \"$a\"; done >>\"$FAKE_SSH_LOG\"\n"
    "echo ---- >>\"$FAKE_SSH_LOG\"\n"
    "elog=\n"
    "while [ $# -gt 1 ]; do\n"
    "  case $1 in -E) elog=$2; shift ;; -O) exit 0 ;; --) shift; break ;; esac\n"
    "  shift\n"
    "done\n"
    "if [ \"$FAKE_SSH_MODE\" = refuse ]; then\n"
    "  msg='ssh: connect to host fakehost port 8822: Connection refused'\n"
    "  if [ -n \"$elog\" ]; then echo \"$msg\" >>\"$elog\"; else echo \"$msg\" >&2; fi\n"
    "  exit 255\n"
    "fi\n"
    "shift\n" /* the host */
    "exec sh -c \"$1\"\n";

static int setup(void **state)
{
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	strbuf_addf(&path, "%s/ssh", tmpdir);
	if (write_file_atomic(path.buf, fake_ssh, sizeof(fake_ssh) - 1, 0755, &err))
		return -1;
	setenv("HPCBENCH_SSH", path.buf, 1);
	unsetenv("HPCBENCH_SSH_CONFIG");
	snprintf(log_path, sizeof(log_path), "%s/log", tmpdir);
	setenv("FAKE_SSH_LOG", log_path, 1);
	strbuf_release(&err);
	strbuf_release(&path);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void read_log(struct strbuf *sb)
{
	struct strbuf err = STRBUF_INIT;
	strbuf_reset(sb);
	read_file(log_path, sb, &err);
	strbuf_release(&err);
	unlink(log_path);
}

static const struct ssh_target target = {
	.host = "fakehost",
	.user = "alice",
	.port = 8822,
	.key_file = "/keys/id_ed25519",
};

static void test_command_line(void **state)
{
	struct runner *rn = runner_ssh_new(&target);
	struct strbuf err = STRBUF_INIT, log = STRBUF_INIT, out = STRBUF_INIT;
	const char *argv[] = { "echo", "hi", NULL };
	(void)state;
	setenv("FAKE_SSH_MODE", "ok", 1);

	assert_int_equal(runner_ssh_connect(rn, &err), 0);
	read_log(&log);
	/* the master: batch mode, timeouts, the target, a private control path, then -- host */
	assert_non_null(strstr(log.buf, "\nBatchMode=yes\n"));
	assert_non_null(strstr(log.buf, "\nConnectTimeout=10\n"));
	assert_non_null(strstr(log.buf, "\n-p\n8822\n"));
	assert_non_null(strstr(log.buf, "\n-i\n/keys/id_ed25519\n-o\nIdentitiesOnly=yes\n"));
	assert_non_null(strstr(log.buf, "\n-l\nalice\n"));
	assert_non_null(strstr(log.buf, "\nControlPath=/"));
	assert_non_null(strstr(log.buf, "/%C\n"));
	assert_non_null(strstr(log.buf, "\nControlMaster=yes\n"));
	assert_non_null(strstr(log.buf, "\nControlPersist="));
	assert_non_null(strstr(log.buf, "\n--\nfakehost\ntrue\n"));

	assert_int_equal(rn->run(rn, argv, NULL, 0, &out, NULL, &err), 0);
	assert_string_equal(out.buf, "hi\n");
	read_log(&log);
	assert_non_null(strstr(log.buf, "\nControlMaster=no\n"));
	assert_non_null(strstr(log.buf, "\n--\nfakehost\n'echo' 'hi'\n"));
	assert_int_equal(rn->unreachable, 0);

	rn->close(rn);
	read_log(&log);
	assert_non_null(strstr(log.buf, "\n-O\nexit\n"));
	strbuf_release(&err);
	strbuf_release(&log);
	strbuf_release(&out);
}

static void test_hostile_arguments(void **state)
{
	static const char *const hostile[] = {
		"it's",
		"\"double\"",
		"$(touch /tmp/hb-pwned)",
		"`id`",
		"$HOME",
		"${PATH}",
		"a;b",
		"a && b",
		"*",
		"~",
		"-n",
		"",
		" lead",
		"trail ",
		"tab\there",
		"new\nline",
		"back\\slash",
		"!bang",
		"#hash",
		"|pipe",
		"<in",
		"> out",
		"\xc3\xa9t\xc3\xa9",
		NULL,
	};
	const char *argv[64] = { "printf", "%s\\0" };
	struct runner *rn = runner_ssh_new(&target);
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	size_t n = 2;
	(void)state;
	setenv("FAKE_SSH_MODE", "ok", 1);

	for (size_t i = 0; hostile[i]; i++) {
		argv[n++] = hostile[i];
		strbuf_add(&want, hostile[i], strlen(hostile[i]) + 1);
	}
	argv[n] = NULL;
	assert_int_equal(runner_ssh_connect(rn, &err), 0);
	assert_int_equal(rn->run(rn, argv, NULL, 0, &out, NULL, &err), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.buf, want.buf, want.len);
	assert_int_equal(access("/tmp/hb-pwned", F_OK), -1);
	rn->close(rn);
	unlink(log_path);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&want);
}

static void test_stdin_and_exit_status(void **state)
{
	struct runner *rn = runner_ssh_new(&target);
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *cat[] = { "cat", NULL };
	const char *fail[] = { "sh", "-c", "exit 7", NULL };
	const char data[] = "line 1\nbinary \x01\x02 end";
	(void)state;
	setenv("FAKE_SSH_MODE", "ok", 1);

	assert_int_equal(runner_ssh_connect(rn, &err), 0);
	assert_int_equal(rn->run(rn, cat, data, sizeof(data) - 1, &out, NULL, &err), 0);
	assert_int_equal(out.len, sizeof(data) - 1);
	assert_memory_equal(out.buf, data, sizeof(data) - 1);
	/* a remote command's own failure is its exit status, not "unreachable" */
	assert_int_equal(rn->run(rn, fail, NULL, 0, NULL, NULL, &err), 7);
	assert_int_equal(rn->unreachable, 0);
	rn->close(rn);
	unlink(log_path);
	strbuf_release(&err);
	strbuf_release(&out);
}

static void test_unreachable(void **state)
{
	struct runner *rn = runner_ssh_new(&target);
	struct strbuf err = STRBUF_INIT;
	(void)state;
	setenv("FAKE_SSH_MODE", "refuse", 1);

	assert_int_equal(runner_ssh_connect(rn, &err), -1);
	assert_int_equal(rn->unreachable, 1);
	assert_non_null(strstr(err.buf, "cannot reach alice@fakehost:8822 over ssh"));
	assert_non_null(strstr(err.buf, "Connection refused"));
	rn->close(rn);
	unlink(log_path);
	strbuf_release(&err);
}

static void test_target_check(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct ssh_target t = { .host = "-oProxyCommand=touch /tmp/x" };
	(void)state;
	assert_int_equal(ssh_target_check(&t, &err), -1);
	t.host = "login.lxp.lu";
	t.user = "-l root";
	assert_int_equal(ssh_target_check(&t, &err), -1);
	t.user = "u100123";
	assert_int_equal(ssh_target_check(&t, &err), 0);
	t.host = NULL;
	assert_int_equal(ssh_target_check(&t, &err), -1);
	strbuf_release(&err);
}

static void test_local_runner(void **state)
{
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, err = STRBUF_INIT;
	const char *both[] = { "sh", "-c", "echo out; echo err >&2; exit 4", NULL };
	const char *big[] = { "sh", "-c", "head -c 100000 /dev/zero", NULL };
	const char *slow[] = { "sleep", "30", NULL };
	const char *missing[] = { "hpcbench-no-such-program", NULL };
	const char *env[] = { "sh", "-c",
			      "echo \"${SLURM_JOB_ID-unset} ${SBATCH_ACCOUNT-unset} "
			      "${SLURM_CONF-unset}\"",
			      NULL };
	struct spawn_opts o = { .argv = both, .out = &out, .errout = &errout };
	(void)state;

	assert_int_equal(spawn_run(&o, &err), 4);
	assert_string_equal(out.buf, "out\n");
	assert_string_equal(errout.buf, "err\n");

	strbuf_reset(&out);
	o = (struct spawn_opts){ .argv = big, .out = &out, .max_capture = 1000 };
	assert_int_equal(spawn_run(&o, &err), -1);
	assert_non_null(strstr(err.buf, "more than 1000 bytes"));

	o = (struct spawn_opts){ .argv = slow, .timeout_ms = 200 };
	assert_int_equal(spawn_run(&o, &err), -1);
	assert_int_equal(o.timed_out, 1);

	o = (struct spawn_opts){ .argv = missing };
	assert_int_equal(spawn_run(&o, &err), -1);
	assert_int_equal(o.not_found, 1);

	/* inherited SLURM/SBATCH variables are dropped, SLURM_CONF stays */
	setenv("SLURM_JOB_ID", "99", 1);
	setenv("SBATCH_ACCOUNT", "p1", 1);
	setenv("SLURM_CONF", "/etc/slurm/x.conf", 1);
	strbuf_reset(&out);
	o = (struct spawn_opts){ .argv = env, .out = &out, .scrub_slurm_env = 1 };
	assert_int_equal(spawn_run(&o, &err), 0);
	assert_string_equal(out.buf, "unset unset /etc/slurm/x.conf\n");
	unsetenv("SLURM_JOB_ID");
	unsetenv("SBATCH_ACCOUNT");
	unsetenv("SLURM_CONF");

	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&err);
}

static void test_expand(void **state)
{
	struct executor ex = { .home = "/home/u" };
	struct strbuf err = STRBUF_INIT;
	char *out;
	(void)state;
	setenv("HB_T_USER", "alice", 1);
	unsetenv("HB_T_UNSET");

	/* here: this process's environment */
	assert_int_equal(
	    executor_expand_path(&ex, "~/w/$HB_T_USER/${HB_T_USER}x/$$/a$", &out, &err), 0);
	assert_string_equal(out, "/home/u/w/alice/alicex/$/a$");
	free(out);
	assert_int_equal(executor_expand_path(&ex, "/s/$HB_T_UNSET/x", &out, &err), -1);
	assert_null(out);
	assert_non_null(strstr(err.buf, "$HB_T_UNSET is not set here"));

	/* over ssh: the fake ssh runs the command locally, with HB_T_USER changed there */
	setenv("FAKE_SSH_MODE", "ok", 1);
	ex.runner = runner_ssh_new(&target);
	ex.caps = EXEC_REMOTE;
	assert_int_equal(runner_ssh_connect(ex.runner, &err), 0);
	setenv("HB_T_USER", "bob with 'quotes' $(x)", 1);
	assert_int_equal(executor_expand_path(&ex, "/p/$HB_T_USER/q", &out, &err), 0);
	assert_string_equal(out, "/p/bob with 'quotes' $(x)/q");
	free(out);
	strbuf_reset(&err);
	assert_int_equal(executor_expand_path(&ex, "/p/${HB_T_UNSET}", &out, &err), -1);
	assert_non_null(strstr(err.buf, "not set on the login node"));
	ex.runner->close(ex.runner);
	unlink(log_path);
	unsetenv("HB_T_USER");
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_hostile_arguments),
		cmocka_unit_test(test_stdin_and_exit_status),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_target_check),
		cmocka_unit_test(test_local_runner),
		cmocka_unit_test(test_expand),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
