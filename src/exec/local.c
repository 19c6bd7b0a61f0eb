#include "exec/local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "exec/executor.h"
#include "exec/runner-local.h"

/* After TERM, how long a job gets to exit before KILL. */
#define GRACE_MS 10000
/* After the script exited, how long what it left behind gets before KILL. */
#define DRAIN_MS 5000

struct local_priv {
	pid_t *supervisors; /* children of this process, reaped by poll() and cancel() */
	size_t nr_supervisors, alloc_supervisors;
	char hostname[256];
};

static char *job_file(const char *job_dir, const char *name)
{
	return xasprintf("%s/%s", job_dir, name);
}

/* Reads a small file into sb (reset first); 0, or -1 if it does not exist or fails. */
static int read_small(const char *job_dir, const char *name, struct strbuf *sb)
{
	struct strbuf ignored = STRBUF_INIT;
	char *path = job_file(job_dir, name);
	int ret;
	strbuf_reset(sb);
	ret = read_file(path, sb, &ignored);
	free(path);
	strbuf_release(&ignored);
	return ret;
}

/* Reads /proc/PID/stat into buf; returns its fields from the 3rd (state) on, or NULL.
 * The command name may hold spaces and parentheses: fields follow the last ')'. */
static char *proc_stat_fields(pid_t pid, char *buf, size_t size)
{
	char path[64], *p;
	ssize_t n;
	int fd;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

/* Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), and
 * its state letter; 0 if the process does not exist. */
static unsigned long long proc_start(pid_t pid, char *state)
{
	char buf[1024], *p = proc_stat_fields(pid, buf, sizeof(buf));
	if (!p)
		return 0;
	if (state)
		*state = *p;
	/* p is at field 3 (state); start time is field 22. */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

/* Parent PID of a process, or -1. */
static pid_t proc_ppid(pid_t pid)
{
	char buf[1024], *p = proc_stat_fields(pid, buf, sizeof(buf));
	int ppid;
	if (!p || sscanf(p, "%*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* True while any process of group pgid exists. */
static int group_alive(pid_t pgid)
{
	return pgid > 1 && (kill(-pgid, 0) == 0 || errno == EPERM);
}

/* ---- the supervisor (runs in a forked child; never returns) ---- */

/* Signals every direct child of this process except skip (the job's orphans, adopted
 * through PR_SET_CHILD_SUBREAPER, including any that left the job's process group). */
static void signal_children(int sig, pid_t skip)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 1 || (pid_t)pid == skip)
			continue;
		if (proc_ppid((pid_t)pid) == self)
			kill((pid_t)pid, sig);
	}
	closedir(d);
}

static void supervisor_record(const char *job_dir, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void supervisor_record(const char *job_dir, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	char *path = job_file(job_dir, "local.exit");
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	write_file_atomic(path, sb.buf, sb.len, 0644, &err);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* Opens JOB_DIR/name for appending onto fd target. */
static int redirect(const char *job_dir, const char *name, int target)
{
	char *path = job_file(job_dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		return -1;
	if (dup2(fd, target) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The job itself: a new process group running `bash job.sh` in JOB_DIR. */
static void exec_job_script(const char *job_dir, const sigset_t *orig_mask)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	setpgid(0, 0);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    redirect(job_dir, "out.log", STDOUT_FILENO) < 0 ||
	    redirect(job_dir, "err.log", STDERR_FILENO) < 0 || chdir(job_dir) < 0)
		_exit(127);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig_mask, NULL);
	/* render.h: local services listen on and advertise loopback (unless told otherwise). */
	setenv("HPCBENCH_BIND_ADDR", "127.0.0.1", 0);
	setenv("HPCBENCH_ADVERTISE_HOST", "127.0.0.1", 0);
	execlp("bash", "bash", "job.sh", (char *)NULL);
	dprintf(STDERR_FILENO, "hpcbench: cannot run bash: %s\n", strerror(errno));
	_exit(127);
}

static uint64_t ms_now(void)
{
	return mono_ns() / 1000000ull;
}

/*
 * Supervises one job: starts it, reports its process group id on report_fd, waits for
 * it under the time limit, stops what it left behind, records the outcome in local.exit.
 */
static void __attribute__((noreturn))
supervise(const char *job_dir, uint64_t limit_s, int report_fd, const sigset_t *orig_mask)
{
	sigset_t set;
	pid_t leader;
	int status = 0, leader_done = 0, timed_out = 0;
	uint64_t deadline = 0, kill_at = 0;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;

	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* A daemon: holding the caller's stdout open would make `$(hpcbench up ...)` wait
	 * for the job to end. */
	{
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > STDERR_FILENO && null != report_fd)
				close(null);
		}
	}
	/* Terminal-style signals mean "stop the job", handled below, never a silent death. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	leader = fork();
	if (leader < 0) {
		supervisor_record(job_dir, "EXIT 127 %lld\n", (long long)time(NULL));
		_exit(1);
	}
	if (leader == 0) {
		close(report_fd);
		exec_job_script(job_dir, orig_mask);
	}
	setpgid(leader, leader); /* also in the child: whichever runs first */

	strbuf_addf(&sb, "%d %d %llu\n", (int)leader, (int)getpid(), proc_start(getpid(), NULL));
	{
		char *path = job_file(job_dir, "local.pid");
		write_file_atomic(path, sb.buf, sb.len, 0644, &err);
		free(path);
	}
	{
		int32_t pg = (int32_t)leader;
		ssize_t w = write(report_fd, &pg, sizeof(pg));
		(void)w;
		close(report_fd);
	}
	if (limit_s && limit_s != UINT64_MAX && limit_s < UINT64_MAX / 1000)
		deadline = ms_now() + limit_s * 1000;

	for (;;) {
		uint64_t now = ms_now(), wake = UINT64_MAX;
		struct timespec ts;
		siginfo_t si;
		int sig;
		pid_t p;

		if (!leader_done && !kill_at && deadline && now >= deadline) {
			/* Over the time limit: TERM now, KILL after the grace period. */
			timed_out = 1;
			kill(-leader, SIGTERM);
			kill_at = now + GRACE_MS;
		}
		if (kill_at && now >= kill_at) {
			kill(-leader, SIGKILL);
			signal_children(SIGKILL, leader_done ? 0 : leader);
			kill_at = now + GRACE_MS; /* and again, for late orphans */
		}
		if (leader_done)
			signal_children(SIGTERM, 0); /* orphans appear as their parents die */

		if (deadline && !kill_at && !leader_done)
			wake = deadline;
		if (kill_at)
			wake = kill_at;
		if (leader_done && wake > now + 200)
			wake = now + 200; /* re-scan for orphans that appear */
		if (wake == UINT64_MAX)
			wake = now + 60000;
		ts.tv_sec = (time_t)((wake - now) / 1000);
		ts.tv_nsec = (long)((wake - now) % 1000) * 1000000L;
		sig = sigtimedwait(&set, &si, &ts);
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			/* Someone stops the supervisor: stop the job, as cancel() would. */
			kill(-leader, SIGTERM);
			if (!kill_at)
				kill_at = ms_now() + GRACE_MS;
		}
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p == leader && !leader_done) {
				leader_done = 1;
				/* Whatever the script left behind is stopped now. */
				kill(-leader, SIGTERM);
				signal_children(SIGTERM, 0);
				kill_at = ms_now() + DRAIN_MS;
				strbuf_reset(&sb);
				if (WIFEXITED(status))
					strbuf_addf(&sb, "EXIT %d", WEXITSTATUS(status));
				else
					strbuf_addf(&sb, "SIGNAL %d", WTERMSIG(status));
			}
		}
		if (p < 0 && errno == ECHILD && leader_done)
			break;
	}
	if (timed_out)
		supervisor_record(job_dir, "TIMEOUT %llu %lld\n", (unsigned long long)limit_s,
				  (long long)time(NULL));
	else
		supervisor_record(job_dir, "%s %lld\n", sb.buf, (long long)time(NULL));
	_exit(0);
}

/* ---- the executor ---- */

static int local_open(struct executor *ex, const struct config *cfg, struct strbuf *err)
{
	struct local_priv *lp = ex->priv;
	const char *home = getenv("HOME");
	if (gethostname(lp->hostname, sizeof(lp->hostname) - 1) < 0)
		snprintf(lp->hostname, sizeof(lp->hostname), "localhost");
	free(ex->hpcbench_bin);
	ex->hpcbench_bin = self_exe_path();
	if (!ex->hpcbench_bin)
		return error(err, "cannot find the path of the running hpcbench binary");
	free(ex->home);
	ex->home = xstrdup(home && *home ? home : "/");
	return 0;
}

static int local_put_file(struct executor *ex, const char *path, const void *data, size_t len,
			  mode_t mode, struct strbuf *err)
{
	return write_file_atomic(path, data, len, mode, err);
}

static int local_get_file(struct executor *ex, const char *path, struct strbuf *out,
			  struct strbuf *err)
{
	return read_file(path, out, err);
}

static int local_mkdir_p(struct executor *ex, const char *path, struct strbuf *err)
{
	return mkdir_p(path, 0755, err);
}

/* Reaps supervisors of this process that have exited (they are our children). */
static void reap_supervisors(struct local_priv *lp)
{
	size_t i = 0;
	while (i < lp->nr_supervisors) {
		if (waitpid(lp->supervisors[i], NULL, WNOHANG) != 0) {
			lp->supervisors[i] = lp->supervisors[--lp->nr_supervisors];
			continue;
		}
		i++;
	}
}

static int local_submit(struct executor *ex, struct store_job *job, const char *after,
			uint64_t time_limit_s, struct strbuf *err)
{
	struct local_priv *lp = ex->priv;
	sigset_t all, orig;
	int fds[2];
	int32_t pgid = 0;
	ssize_t n;
	pid_t sup;
	char *script = job_file(job->job_dir, "job.sh");
	int ret = -1;

	/* `after` needs no wait here: the session submits a client once its service is
	 * ready, and the script itself waits for the endpoint file. */
	if (!path_exists(script)) {
		error(err, "%s: no such job script", script);
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		error(err, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	/* Signals stay blocked across fork so that the child sets itself up first. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &orig);
	sup = fork();
	if (sup == 0) {
		close(fds[0]);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		/* Nothing of hpcbench's (the state database, connections) leaks to the job. */
		if (fds[1] != 3) {
			dup2(fds[1], 3);
			close(fds[1]);
		}
		close_range(4, ~0U, 0);
		supervise(job->job_dir, time_limit_s, 3, &orig);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	close(fds[1]);
	if (sup < 0) {
		close(fds[0]);
		error(err, "fork: %s", strerror(errno));
		goto out;
	}
	ALLOC_GROW(lp->supervisors, lp->nr_supervisors + 1, lp->alloc_supervisors);
	lp->supervisors[lp->nr_supervisors++] = sup;
	do
		n = read(fds[0], &pgid, sizeof(pgid));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != (ssize_t)sizeof(pgid) || pgid <= 1) {
		error(err, "%s: the job did not start", script);
		goto out;
	}
	free(job->native_id);
	job->native_id = xasprintf("%d", (int)pgid);
	job->state = JS_RUNNING;
	job->exit_code = -1;
	ret = 0;
out:
	free(script);
	return ret;
}

/* Reads local.pid: 0 with the group and supervisor, -1 if missing or malformed. */
static int read_pidfile(const char *job_dir, pid_t *pgid, pid_t *sup, unsigned long long *sup_start)
{
	struct strbuf sb = STRBUF_INIT;
	int a, b, ret = -1;
	unsigned long long c;
	if (read_small(job_dir, "local.pid", &sb) == 0 &&
	    sscanf(sb.buf, "%d %d %llu", &a, &b, &c) == 3 && a > 1 && b > 1) {
		*pgid = a;
		*sup = b;
		*sup_start = c;
		ret = 0;
	}
	strbuf_release(&sb);
	return ret;
}

/* True while the job's supervisor or any process of its group is alive. */
static int job_alive(const char *job_dir)
{
	pid_t pgid, sup;
	unsigned long long start;
	char st = 0;
	if (read_pidfile(job_dir, &pgid, &sup, &start) < 0)
		return 0;
	if (proc_start(sup, &st) == start && st != 'Z' && st != 'X')
		return 1;
	return group_alive(pgid);
}

static void set_reason(struct store_job *job, char *reason)
{
	free(job->reason);
	job->reason = reason;
}

/* The script's own view (state file): "READY ...", "FAILED EXIT EPOCH REASON..." */
static void apply_state_file(struct store_job *job, const char *text, int final)
{
	if (!strncmp(text, "READY", 5) && !final) {
		job->state = JS_READY;
	} else if (!strncmp(text, "FAILED", 6)) {
		int code;
		int pos = 0;
		if (sscanf(text, "FAILED %d %*d %n", &code, &pos) >= 1) {
			if (final || job->exit_code < 0)
				job->exit_code = code;
			if (pos > 0 && text[pos]) {
				struct strbuf r = STRBUF_INIT;
				strbuf_addstr(&r, text + pos);
				strbuf_rtrim(&r);
				set_reason(job, strbuf_detach(&r, NULL));
			}
		}
		if (final)
			job->state = JS_FAILED;
	}
}

static void poll_one(struct store_job *job, const char *hostname)
{
	struct strbuf ex = STRBUF_INIT, st = STRBUF_INIT;
	int cancelled;
	char *marker;

	if (!job->native_id || job_state_is_final(job->state))
		goto out;
	if (!job->node)
		job->node = xstrdup(hostname);
	marker = job_file(job->job_dir, "local.cancel");
	cancelled = path_exists(marker);
	free(marker);
	read_small(job->job_dir, "state", &st);

	if (read_small(job->job_dir, "local.exit", &ex) == 0) {
		int a;
		unsigned long long limit;
		if (cancelled) {
			job->state = JS_CANCELLED;
			set_reason(job, xstrdup("cancelled"));
		} else if (sscanf(ex.buf, "TIMEOUT %llu", &limit) == 1) {
			job->state = JS_TIMEOUT;
			set_reason(job, xasprintf("time limit of %llu s reached", limit));
		} else if (sscanf(ex.buf, "SIGNAL %d", &a) == 1) {
			job->state = JS_FAILED;
			job->exit_code = 128 + a;
			set_reason(job, xasprintf("killed by signal %d (%s)", a, strsignal(a)));
		} else if (sscanf(ex.buf, "EXIT %d", &a) == 1) {
			job->exit_code = a;
			job->state = a == 0 ? JS_COMPLETED : JS_FAILED;
			if (a)
				set_reason(job, xasprintf("exited with status %d", a));
			apply_state_file(job, st.buf, 1);
		} else {
			job->state = JS_FAILED;
			set_reason(job, xstrdup("unreadable outcome file local.exit"));
		}
	} else if (job_alive(job->job_dir)) {
		job->state = JS_RUNNING;
		apply_state_file(job, st.buf, 0);
	} else if (path_exists(job->job_dir) && read_small(job->job_dir, "local.exit", &ex) == 0) {
		/* It finished between the two reads: take the outcome next poll. */
		job->state = JS_RUNNING;
	} else if (cancelled) {
		job->state = JS_CANCELLED;
		set_reason(job, xstrdup("cancelled"));
	} else {
		job->state = JS_FAILED;
		set_reason(job, xstrdup("vanished: its processes are gone and it left no outcome"));
	}
out:
	strbuf_release(&ex);
	strbuf_release(&st);
}

static int local_poll(struct executor *ex, struct store_job *const *jobs, size_t n,
		      struct strbuf *err)
{
	struct local_priv *lp = ex->priv;
	reap_supervisors(lp);
	for (size_t i = 0; i < n; i++)
		poll_one(jobs[i], lp->hostname);
	ex->poll_hint_ms = 200;
	return 0;
}

/* Sends sig to the job's process group, only while the job has no outcome yet (its
 * supervisor stops the stragglers once the script is gone). */
static void signal_job(struct store_job *job, int sig)
{
	pid_t pgid, sup;
	unsigned long long start;
	char *exitf = job_file(job->job_dir, "local.exit");
	int done = path_exists(exitf);
	free(exitf);
	if (done || read_pidfile(job->job_dir, &pgid, &sup, &start) < 0)
		return;
	/* The group must be the one this job was given, never another. */
	if (!job->native_id || atoi(job->native_id) != (int)pgid)
		return;
	if (group_alive(pgid))
		kill(-pgid, sig);
}

/* Waits up to ms for every job to end (an outcome file, or nothing alive). */
static int wait_all_ended(struct local_priv *lp, struct store_job *const *jobs, size_t n,
			  uint64_t ms)
{
	uint64_t until = ms_now() + ms;
	for (;;) {
		size_t live = 0;
		reap_supervisors(lp);
		for (size_t i = 0; i < n; i++) {
			char *exitf;
			if (!jobs[i]->native_id)
				continue;
			exitf = job_file(jobs[i]->job_dir, "local.exit");
			if (!path_exists(exitf) && job_alive(jobs[i]->job_dir))
				live++;
			free(exitf);
		}
		if (!live)
			return 0;
		if (ms_now() >= until)
			return -1;
		sleep_us(50000);
	}
}

static int local_cancel(struct executor *ex, struct store_job *const *jobs, size_t n,
			struct strbuf *err)
{
	struct local_priv *lp = ex->priv;
	struct strbuf e = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		char *marker;
		if (!jobs[i]->native_id || job_state_is_final(jobs[i]->state))
			continue;
		marker = job_file(jobs[i]->job_dir, "local.cancel");
		if (write_file_atomic(marker, "cancel\n", 7, 0644, &e) < 0)
			ret = error(err, "%s", e.buf);
		free(marker);
		signal_job(jobs[i], SIGTERM);
	}
	if (wait_all_ended(lp, jobs, n, GRACE_MS + DRAIN_MS) < 0) {
		for (size_t i = 0; i < n; i++)
			signal_job(jobs[i], SIGKILL);
		if (wait_all_ended(lp, jobs, n, GRACE_MS) < 0)
			ret = error(err, "some jobs did not stop after SIGKILL");
	}
	for (size_t i = 0; i < n; i++)
		poll_one(jobs[i], lp->hostname);
	strbuf_release(&e);
	return ret;
}

static void local_close(struct executor *ex)
{
	struct local_priv *lp = ex->priv;
	if (lp) {
		reap_supervisors(lp);
		free(lp->supervisors);
		free(lp);
		ex->priv = NULL;
	}
	if (ex->runner) {
		ex->runner->close(ex->runner);
		ex->runner = NULL;
	}
	free(ex->hpcbench_bin);
	ex->hpcbench_bin = NULL;
	free(ex->home);
	ex->home = NULL;
}

struct executor *executor_local_new(void)
{
	struct executor *ex = xcalloc(1, sizeof(*ex));
	ex->name = "local";
	ex->runner = runner_local_new(0);
	ex->open = local_open;
	ex->put_file = local_put_file;
	ex->get_file = local_get_file;
	ex->mkdir_p = local_mkdir_p;
	ex->submit = local_submit;
	ex->poll = local_poll;
	ex->cancel = local_cancel;
	ex->close = local_close;
	ex->priv = xcalloc(1, sizeof(struct local_priv));
	return ex;
}
