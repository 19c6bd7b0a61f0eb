/*
 * exec-tool: the executors' operations for shell tests (git's test-tool idea), so that
 * the executors can be driven end to end without the session commands.
 *
 *   exec-tool [--config FILE] EXECUTOR OP [ARGS]
 *     open                       connect; print "bin=PATH" and "home=PATH"
 *     put PATH MODE              write stdin to PATH (mode octal, e.g. 0755)
 *     get PATH                   print PATH's content
 *     mkdir PATH
 *     submit JOB_DIR [TIME_S] [--after NATIVE_ID]    print the native id
 *     poll JOB_DIR ID [JOB_DIR ID...]     one poll; one line per job
 *     wait TIMEOUT_S JOB_DIR ID [...]     poll, following the executor's advice, until
 *                                every job is final; exit 1 on timeout; stderr "polls N"
 *     until STATE TIMEOUT_S JOB_DIR ID   poll until the job is in STATE (or final);
 *                                print its line; exit 1 when it ends elsewhere
 *     cancel JOB_DIR ID [...]    cancel, then print the lines
 *     nodes JOB_DIR ID [...]     one poll; print each job's node ("-" when none)
 *     expand STRING              print STRING with $NAME expanded on the job side
 *
 * Job lines: "STATE EXIT REASON" (REASON "-" when none, else to the end of the line).
 * Exit: 0, 1 failure, 2 usage, 3 unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "exec/executor.h"
#include "exec/expand.h"

static int usage(void)
{
	fprintf(stderr, "usage: exec-tool [--config FILE] local|slurm|ssh OP [ARGS]\n");
	return EXIT_USAGE;
}

static struct executor *make_executor(const char *name)
{
	return executor_new(name);
}

/* Parses JOB_DIR ID pairs into jobs (an array of pointers, as executors take them). */
static struct store_job **parse_jobs(int argc, char **argv, size_t *n)
{
	struct store_job **jobs = xcalloc((size_t)argc + 1, sizeof(*jobs));
	*n = 0;
	for (int i = 0; i + 1 < argc; i += 2) {
		struct store_job *j = xcalloc(1, sizeof(*j));
		j->job_dir = xstrdup(argv[i]);
		j->native_id = xstrdup(argv[i + 1]);
		j->state = JS_PENDING;
		j->exit_code = -1;
		jobs[(*n)++] = j;
	}
	return jobs;
}

static void free_jobs(struct store_job **jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		store_job_release(jobs[i]);
		free(jobs[i]);
	}
	free(jobs);
}

static void print_jobs(struct store_job *const *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s %lld %s\n", job_state_name(jobs[i]->state),
		       (long long)jobs[i]->exit_code,
		       jobs[i]->reason && *jobs[i]->reason ? jobs[i]->reason : "-");
}

static int all_final(struct store_job *const *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!job_state_is_final(jobs[i]->state))
			return 0;
	return 1;
}

static int do_op(struct executor *ex, int argc, char **argv, struct strbuf *err)
{
	const char *op = argv[0];
	struct store_job **jobs = NULL;
	size_t n = 0;
	int ret = -1;

	if (!strcmp(op, "open")) {
		printf("bin=%s\nhome=%s\n", ex->hpcbench_bin ? ex->hpcbench_bin : "",
		       ex->home ? ex->home : "");
		return 0;
	}
	if (!strcmp(op, "put") && argc == 3) {
		struct strbuf in = STRBUF_INIT;
		char buf[65536];
		size_t got;
		while ((got = fread(buf, 1, sizeof(buf), stdin)) > 0)
			strbuf_add(&in, buf, got);
		ret = ex->put_file(ex, argv[1], in.buf, in.len, (mode_t)strtoul(argv[2], NULL, 8),
				   err);
		strbuf_release(&in);
		return ret;
	}
	if (!strcmp(op, "get") && argc == 2) {
		struct strbuf out = STRBUF_INIT;
		ret = ex->get_file(ex, argv[1], &out, err);
		if (!ret)
			fwrite(out.buf, 1, out.len, stdout);
		strbuf_release(&out);
		return ret;
	}
	if (!strcmp(op, "expand") && argc == 2) {
		char *path;
		ret = executor_expand_path(ex, argv[1], &path, err);
		if (!ret)
			printf("%s\n", path);
		free(path);
		return ret;
	}
	if (!strcmp(op, "mkdir") && argc == 2)
		return ex->mkdir_p(ex, argv[1], err);
	if (!strcmp(op, "submit") && argc >= 2) {
		struct store_job job = { .job_dir = xstrdup(argv[1]), .exit_code = -1 };
		const char *after = NULL;
		uint64_t limit = 0;
		for (int i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--after") && i + 1 < argc)
				after = argv[++i];
			else
				limit = strtoull(argv[i], NULL, 10);
		}
		ret = ex->submit(ex, &job, after, limit, err);
		if (!ret)
			printf("%s\n", job.native_id);
		store_job_release(&job);
		return ret;
	}
	if (!strcmp(op, "poll") || !strcmp(op, "cancel") || !strcmp(op, "nodes")) {
		jobs = parse_jobs(argc - 1, argv + 1, &n);
		ret = op[0] == 'c' ? ex->cancel(ex, jobs, n, err) : ex->poll(ex, jobs, n, err);
		for (size_t i = 0; !ret && op[0] == 'n' && i < n; i++)
			printf("%s\n", jobs[i]->node ? jobs[i]->node : "-");
		if (!ret && op[0] != 'n')
			print_jobs(jobs, n);
		free_jobs(jobs, n);
		return ret;
	}
	if (!strcmp(op, "until") && argc == 5) {
		uint64_t deadline = mono_ns() + strtoull(argv[2], NULL, 10) * 1000000000ull;
		jobs = parse_jobs(2, argv + 3, &n);
		for (;;) {
			ret = ex->poll(ex, jobs, n, err);
			if (ret || !strcmp(job_state_name(jobs[0]->state), argv[1]))
				break;
			if (job_state_is_final(jobs[0]->state) || mono_ns() > deadline) {
				ret = error(err, "job %s is %s, not %s", jobs[0]->native_id,
					    job_state_name(jobs[0]->state), argv[1]);
				break;
			}
			sleep_us((uint64_t)ex->poll_hint_ms * 1000);
		}
		print_jobs(jobs, n);
		free_jobs(jobs, n);
		return ret;
	}
	if (!strcmp(op, "wait") && argc >= 3) {
		uint64_t deadline = mono_ns() + strtoull(argv[1], NULL, 10) * 1000000000ull;
		unsigned polls = 0;
		jobs = parse_jobs(argc - 2, argv + 2, &n);
		for (;;) {
			ret = ex->poll(ex, jobs, n, err);
			polls++;
			if (ret || all_final(jobs, n))
				break;
			if (mono_ns() > deadline) {
				ret = error(err, "jobs not finished in time");
				break;
			}
			sleep_us((uint64_t)ex->poll_hint_ms * 1000);
		}
		fprintf(stderr, "polls %u\n", polls);
		print_jobs(jobs, n);
		free_jobs(jobs, n);
		return ret;
	}
	return error(err, "unknown operation or wrong arguments: %s", op);
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	struct strbuf err = STRBUF_INIT;
	struct config *cfg = NULL;
	struct executor *ex = NULL;
	int i = 1, ret = EXIT_FAILED;

	if (argc > 2 && !strcmp(argv[1], "--config")) {
		config_path = argv[2];
		i = 3;
	}
	if (argc - i < 2)
		return usage();
	cfg = config_load(config_path, &err);
	if (!cfg) {
		fprintf(stderr, "exec-tool: %s\n", err.buf);
		ret = EXIT_USAGE;
		goto out;
	}
	ex = make_executor(argv[i]);
	if (!ex) {
		ret = usage();
		goto out;
	}
	if (ex->open(ex, cfg, &err)) {
		fprintf(stderr, "exec-tool: %s\n", err.buf);
		ret = ex->unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
		goto out;
	}
	if (do_op(ex, argc - i - 1, argv + i + 1, &err)) {
		fprintf(stderr, "exec-tool: %s\n", err.buf);
		ret = ex->unreachable ? EXIT_UNREACHABLE : EXIT_FAILED;
		goto out;
	}
	ret = EXIT_OK;
out:
	fflush(stdout);
	executor_free(ex);
	config_free(cfg);
	strbuf_release(&err);
	return ret;
}
