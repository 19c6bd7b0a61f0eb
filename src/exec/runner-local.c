#include "exec/runner-local.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/strlist.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "exec/executor.h"

extern char **environ;

void argv_describe(struct strbuf *sb, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, argv[i]);
	}
}

void add_last_line(struct strbuf *sb, const char *text)
{
	const char *end = text + strlen(text), *start;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	strbuf_add(sb, start, (size_t)(end - start));
}

/* True for variables a submission must not inherit from an enclosing SLURM job. */
static int slurm_inherited(const char *kv)
{
	if (!strncmp(kv, "SLURM_CONF=", 11))
		return 0;
	return !strncmp(kv, "SLURM_", 6) || !strncmp(kv, "SBATCH_", 7);
}

/* Builds the child's environment before fork (the child may only call async-safe code). */
static void build_env(struct strlist *env, int scrub)
{
	for (char **e = environ; *e; e++)
		if (!scrub || !slurm_inherited(*e))
			strlist_push(env, *e);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: wires the pipes, starts a process group, execs; reports errno on fail_fd. */
static void child_exec(const struct spawn_opts *o, int in_fd, int out_fd, int err_fd, int fail_fd,
		       char *const *envp)
{
	/* CLOEXEC: the dup2() copies stay, this descriptor does not reach the program */
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int e;

	setpgid(0, 0);
	if (dup2(in_fd >= 0 ? in_fd : devnull, 0) < 0 ||
	    dup2(out_fd >= 0 ? out_fd : devnull, 1) < 0 ||
	    dup2(err_fd >= 0 ? err_fd : devnull, 2) < 0)
		goto fail;
	signal(SIGPIPE, SIG_DFL);
	execvpe(o->argv[0], (char *const *)o->argv, envp);
fail:
	e = errno;
	if (write(fail_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Sends sig to the child's process group (and the child, in case setpgid lost a race). */
static void kill_child(pid_t pid, int sig)
{
	kill(-pid, sig);
	kill(pid, sig);
}

/* Reads what is available on *fd into sb; closes it at EOF. -1 when the cap is passed. */
static int drain(int *fd, struct strbuf *sb, size_t cap)
{
	char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : (close_fd(fd), 0);
	if (n == 0) {
		close_fd(fd);
		return 0;
	}
	if (sb->len + (size_t)n > cap)
		return -1;
	strbuf_add(sb, buf, (size_t)n);
	return 0;
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int spawn_run(struct spawn_opts *o, struct strbuf *err)
{
	struct strlist env = STRLIST_INIT;
	struct strbuf cmd = STRBUF_INIT;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, fail[2] = { -1, -1 };
	size_t cap = o->max_capture ? o->max_capture : RUNNER_MAX_CAPTURE;
	size_t written = 0;
	uint64_t deadline = o->timeout_ms ? mono_ns() + (uint64_t)o->timeout_ms * 1000000u : 0;
	sigset_t pipe_set, old_set;
	int status = 0, child_errno = 0, exited = 0, ret = -1;
	pid_t pid;

	o->timed_out = o->not_found = 0;
	argv_describe(&cmd, o->argv);
	build_env(&env, o->scrub_slurm_env);
	if ((o->stdin_data && pipe2(in, O_CLOEXEC) < 0) || (o->out && pipe2(out, O_CLOEXEC) < 0) ||
	    (o->errout && pipe2(errp, O_CLOEXEC) < 0) || pipe2(fail, O_CLOEXEC) < 0) {
		error(err, "%s: cannot create pipes: %s", o->argv[0], strerror(errno));
		goto out;
	}
	/* A child that exits without reading its stdin must not kill us with SIGPIPE. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

	pid = fork();
	if (pid < 0) {
		pthread_sigmask(SIG_SETMASK, &old_set, NULL);
		error(err, "%s: cannot fork: %s", o->argv[0], strerror(errno));
		goto out;
	}
	if (pid == 0) {
		pthread_sigmask(SIG_SETMASK, &old_set, NULL);
		child_exec(o, in[0], out[1], errp[1], fail[1], strlist_argv(&env));
	}
	setpgid(pid, pid);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&errp[1]);
	close_fd(&fail[1]);
	if (in[1] >= 0)
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (in[1] >= 0 && o->stdin_len == 0)
		close_fd(&in[1]);

	for (;;) {
		struct pollfd pfd[3];
		int nfds = 0, wait_ms = 50;

		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				exited = 1;
		}
		if (exited && out[0] < 0 && errp[0] < 0)
			break;
		if (deadline && mono_ns() >= deadline) {
			o->timed_out = 1;
			error(err, "'%s' did not finish within %u s", cmd.buf,
			      (o->timeout_ms + 999) / 1000);
			goto stop;
		}
		if (out[0] >= 0)
			pfd[nfds++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (errp[0] >= 0)
			pfd[nfds++] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
		if (in[1] >= 0)
			pfd[nfds++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		/* After exit, only a grandchild holding our pipes keeps them open. */
		if (poll(pfd, (nfds_t)nfds, nfds ? wait_ms : 10) < 0 && errno != EINTR) {
			error(err, "%s: poll: %s", o->argv[0], strerror(errno));
			goto stop;
		}
		for (int i = 0; i < nfds; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == in[1]) {
				ssize_t n =
				    write(in[1], o->stdin_data + written, o->stdin_len - written);
				if (n > 0)
					written += (size_t)n;
				if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
				    written == o->stdin_len)
					close_fd(&in[1]);
				continue;
			}
			if (drain(pfd[i].fd == out[0] ? &out[0] : &errp[0],
				  pfd[i].fd == out[0] ? o->out : o->errout, cap) < 0) {
				error(err, "'%s' wrote more than %zu bytes", cmd.buf, cap);
				goto stop;
			}
		}
	}
	if (read(fail[0], &child_errno, sizeof(child_errno)) == (ssize_t)sizeof(child_errno)) {
		o->not_found = child_errno == ENOENT;
		error(err, "cannot run '%s': %s", o->argv[0], strerror(child_errno));
		goto done;
	}
	ret = status_code(status);
	goto done;

stop:
	if (!exited) {
		kill_child(pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
			sleep_us(10000);
		kill_child(pid, SIGKILL);
		waitpid(pid, &status, 0);
	} else {
		kill(-pid, SIGKILL);
	}
done : {
	/* Consume a SIGPIPE raised by our writes before unblocking it. */
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
}
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&fail[0]);
	close_fd(&fail[1]);
	strlist_clear(&env);
	strbuf_release(&cmd);
	return ret;
}

struct local_priv {
	int scrub;
};

static int local_run(struct runner *rn, const char *const *argv, const char *stdin_data,
		     size_t stdin_len, struct strbuf *out, struct strbuf *errout,
		     struct strbuf *err)
{
	struct local_priv *p = rn->priv;
	struct spawn_opts o = {
		.argv = argv,
		.stdin_data = stdin_data,
		.stdin_len = stdin_len,
		.out = out,
		.errout = errout,
		.timeout_ms = rn->timeout_s * 1000u,
		.max_capture = rn->max_capture,
		.scrub_slurm_env = p->scrub,
	};
	return spawn_run(&o, err);
}

static void local_close(struct runner *rn)
{
	free(rn->priv);
	free(rn);
}

struct runner *runner_local_new(int scrub_slurm_env)
{
	struct runner *rn = xcalloc(1, sizeof(*rn));
	struct local_priv *p = xcalloc(1, sizeof(*p));
	p->scrub = scrub_slurm_env;
	rn->name = "local";
	rn->run = local_run;
	rn->close = local_close;
	rn->priv = p;
	return rn;
}
