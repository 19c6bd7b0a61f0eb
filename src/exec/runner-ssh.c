#include "exec/runner-ssh.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/shquote.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "exec/executor.h"
#include "exec/runner-local.h"

/* Idle seconds after which an abandoned master (hpcbench killed) exits by itself. */
#define SSH_CONTROL_PERSIST_S 300
/* Seconds allowed for connecting and authenticating the master. */
#define SSH_MASTER_TIMEOUT_S 30

struct ssh_priv {
	char *host, *user, *key_file;
	unsigned port;
	char *dir;	    /* private folder: control socket, master log */
	char *control_path; /* DIR/%C */
	int connected;
};

static struct ssh_target target_of(const struct ssh_priv *p)
{
	return (struct ssh_target){
		.host = p->host, .user = p->user, .port = p->port, .key_file = p->key_file
	};
}

int ssh_target_check(const struct ssh_target *t, struct strbuf *err)
{
	if (!t->host || !*t->host)
		return error(err, "no ssh host: set hpc.hostname in the config");
	/* a leading '-' would be read as an ssh option */
	if (t->host[0] == '-' || strpbrk(t->host, " \t\n'\"\\"))
		return error(err, "hpc.hostname '%s' is not a host name", t->host);
	if (t->user && (t->user[0] == '-' || strpbrk(t->user, " \t\n'\"\\@")))
		return error(err, "hpc.username '%s' is not a user name", t->user);
	return 0;
}

void ssh_argv_start(struct strlist *argv, const char *prog)
{
	const char *cfg = getenv("HPCBENCH_SSH_CONFIG");
	strlist_push(argv, prog);
	if (cfg && *cfg) {
		strlist_push(argv, "-F");
		strlist_push(argv, cfg);
	}
}

void ssh_argv_port_key(const struct ssh_target *t, struct strlist *argv)
{
	if (t->port) {
		strlist_push(argv, "-p");
		strlist_push_owned(argv, xasprintf("%u", t->port));
	}
	if (t->key_file) {
		strlist_push(argv, "-i");
		strlist_push(argv, t->key_file);
	}
}

void ssh_target_argv(const struct ssh_target *t, struct strlist *argv)
{
	const char *prog = getenv("HPCBENCH_SSH");

	ssh_argv_start(argv, prog && *prog ? prog : "ssh");
	strlist_push(argv, "-o");
	strlist_push(argv, "BatchMode=yes");
	strlist_push(argv, "-o");
	strlist_push_owned(argv, xasprintf("ConnectTimeout=%d", SSH_CONNECT_TIMEOUT_S));
	strlist_push(argv, "-o");
	strlist_push(argv, "ServerAliveInterval=15");
	strlist_push(argv, "-o");
	strlist_push(argv, "ServerAliveCountMax=3");
	strlist_push(argv, "-o");
	strlist_push(argv, "LogLevel=ERROR");
	ssh_argv_port_key(t, argv);
	if (t->key_file) {
		strlist_push(argv, "-o");
		strlist_push(argv, "IdentitiesOnly=yes");
	}
	if (t->user) {
		strlist_push(argv, "-l");
		strlist_push(argv, t->user);
	}
}

/* The options every command of this runner shares, ending with the control path. */
static void base_argv(const struct ssh_priv *p, struct strlist *argv, const char *master)
{
	struct ssh_target t = target_of(p);
	ssh_target_argv(&t, argv);
	if (!p->control_path)
		return;
	strlist_push(argv, "-o");
	strlist_push_owned(argv, xasprintf("ControlPath=%s", p->control_path));
	strlist_push(argv, "-o");
	strlist_push_owned(argv, xasprintf("ControlMaster=%s", master));
}

/* Names where we tried to go, for messages: user@host:port. */
static void describe_target(struct strbuf *sb, const struct ssh_priv *p)
{
	if (p->user)
		strbuf_addf(sb, "%s@", p->user);
	strbuf_addstr(sb, p->host);
	if (p->port)
		strbuf_addf(sb, ":%u", p->port);
}

/* An "unreachable" error: where, what ssh said, and what to check. */
static int unreachable_error(struct runner *rn, const char *ssh_said, struct strbuf *err)
{
	struct ssh_priv *p = rn->priv;
	struct strbuf msg = STRBUF_INIT;
	rn->unreachable = 1;
	strbuf_addstr(&msg, "cannot reach ");
	describe_target(&msg, p);
	strbuf_addstr(&msg, " over ssh");
	if (*ssh_said) {
		strbuf_addstr(&msg, ": ");
		add_last_line(&msg, ssh_said);
	}
	if (strstr(ssh_said, "Host key verification failed"))
		strbuf_addstr(&msg,
			      " (connect once with plain ssh to check and accept the host key)");
	else if (strstr(ssh_said, "Permission denied"))
		strbuf_addstr(&msg, " (check hpc.username and hpc.key_filename; hpcbench never "
				    "prompts for a password or passphrase: use ssh-agent)");
	else
		strbuf_addstr(&msg, " (check hpc.hostname and hpc.port, and that "
				    "'ssh HOST true' works)");
	error(err, "%s", msg.buf);
	strbuf_release(&msg);
	return -1;
}

int runner_ssh_connect(struct runner *rn, struct strbuf *err)
{
	struct ssh_priv *p = rn->priv;
	struct strlist argv = STRLIST_INIT;
	struct strbuf log = STRBUF_INIT, ignore = STRBUF_INIT, log_path = STRBUF_INIT;
	struct spawn_opts o = { 0 };
	int rc, ret = -1;

	if (p->connected)
		return 0;
	if (!p->dir)
		return error(err,
			     "cannot create a private folder for the ssh control socket "
			     "in %s",
			     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	strbuf_addf(&log_path, "%s/master.log", p->dir);
	base_argv(p, &argv, "yes");
	strlist_push(&argv, "-o");
	strlist_push_owned(&argv, xasprintf("ControlPersist=%d", SSH_CONTROL_PERSIST_S));
	/* ssh's messages go to a file: the backgrounded master must not hold our pipes */
	strlist_push(&argv, "-E");
	strlist_push(&argv, log_path.buf);
	strlist_push(&argv, "-T");
	strlist_push(&argv, "--");
	strlist_push(&argv, p->host);
	strlist_push(&argv, "true");
	o.argv = (const char *const *)strlist_argv(&argv);
	o.timeout_ms = SSH_MASTER_TIMEOUT_S * 1000;
	rc = spawn_run(&o, err);
	if (rc < 0 && !o.timed_out) {
		if (o.not_found)
			rn->unreachable = 1;
		goto out;
	}
	read_file(log_path.buf, &log, &ignore);
	if (o.timed_out) {
		strbuf_reset(err);
		unreachable_error(rn, log.len ? log.buf : "connection timed out", err);
		goto out;
	}
	if (rc == 255) {
		unreachable_error(rn, log.buf, err);
		goto out;
	}
	if (rc != 0) {
		struct strbuf msg = STRBUF_INIT;
		add_last_line(&msg, log.buf);
		error(err, "ssh %s: 'true' failed on the login node (exit %d)%s%s", p->host, rc,
		      msg.len ? ": " : "", msg.buf);
		strbuf_release(&msg);
		goto out;
	}
	p->connected = 1;
	ret = 0;
out:
	strlist_clear(&argv);
	strbuf_release(&log);
	strbuf_release(&ignore);
	strbuf_release(&log_path);
	return ret;
}

static int ssh_run(struct runner *rn, const char *const *argv, const char *stdin_data,
		   size_t stdin_len, struct strbuf *out, struct strbuf *errout, struct strbuf *err)
{
	struct ssh_priv *p = rn->priv;
	struct strlist cmd = STRLIST_INIT;
	struct strbuf remote = STRBUF_INIT, my_errout = STRBUF_INIT;
	struct strbuf *eo = errout ? errout : &my_errout;
	size_t eo_start = eo->len;
	struct spawn_opts o = { 0 };
	int rc;

	base_argv(p, &cmd, "no");
	strlist_push(&cmd, "-T");
	strlist_push(&cmd, "--");
	strlist_push(&cmd, p->host);
	/* the one place where a command becomes a remote shell string */
	sq_quote_argv(&remote, argv);
	strlist_push(&cmd, remote.buf);
	o.argv = (const char *const *)strlist_argv(&cmd);
	o.stdin_data = stdin_data;
	o.stdin_len = stdin_len;
	o.out = out;
	o.errout = eo;
	o.timeout_ms = rn->timeout_s * 1000u;
	o.max_capture = rn->max_capture;
	rc = spawn_run(&o, err);
	if (rc < 0 && o.not_found)
		rn->unreachable = 1;
	/* 255 is ssh's own failure; a remote command exiting 255 is not ssh's */
	if (rc == 255 && (strstr(eo->buf + eo_start, "ssh:") ||
			  strstr(eo->buf + eo_start, "Connection closed") ||
			  strstr(eo->buf + eo_start, "Permission denied") ||
			  strstr(eo->buf + eo_start, "Host key verification failed") ||
			  strstr(eo->buf + eo_start, "Could not resolve")))
		unreachable_error(rn, eo->buf + eo_start, err);
	strlist_clear(&cmd);
	strbuf_release(&remote);
	strbuf_release(&my_errout);
	return rc;
}

/*
 * Removes the private folder. The master deletes its socket on its own once it got
 * "-O exit", a moment after ssh -O returns: wait for that, then remove what is left.
 */
static void remove_private_dir(const char *dir)
{
	DIR *d;
	struct dirent *e;
	char path[4096];

	snprintf(path, sizeof(path), "%s/master.log", dir);
	unlink(path);
	for (int i = 0; i < 100; i++) {
		if (rmdir(dir) == 0 || errno != ENOTEMPTY)
			return;
		sleep_us(20000);
	}
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void ssh_close(struct runner *rn)
{
	struct ssh_priv *p = rn->priv;

	if (p->connected) {
		struct strlist argv = STRLIST_INIT;
		struct strbuf ignore = STRBUF_INIT;
		struct spawn_opts o = { 0 };
		base_argv(p, &argv, "no");
		strlist_push(&argv, "-O");
		strlist_push(&argv, "exit");
		strlist_push(&argv, "--");
		strlist_push(&argv, p->host);
		o.argv = (const char *const *)strlist_argv(&argv);
		o.timeout_ms = 10000;
		spawn_run(&o, &ignore);
		strlist_clear(&argv);
		strbuf_release(&ignore);
	}
	if (p->dir)
		remove_private_dir(p->dir);
	free(p->host);
	free(p->user);
	free(p->key_file);
	free(p->dir);
	free(p->control_path);
	free(p);
	free(rn);
}

struct runner *runner_ssh_new(const struct ssh_target *t)
{
	struct runner *rn = xcalloc(1, sizeof(*rn));
	struct ssh_priv *p = xcalloc(1, sizeof(*p));
	const char *tmp = getenv("TMPDIR");
	char *tmpl;

	p->host = xstrdup(t->host);
	p->user = xstrdup(t->user);
	p->key_file = xstrdup(t->key_file);
	p->port = t->port;
	/* unix socket paths are short (108 bytes): a short folder, %C is 40 characters */
	tmpl = xasprintf("%s/hpcbench-ssh-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(tmpl)) {
		p->dir = tmpl;
		p->control_path = xasprintf("%s/%%C", p->dir);
	} else {
		free(tmpl);
	}
	rn->name = "ssh";
	rn->run = ssh_run;
	rn->close = ssh_close;
	rn->priv = p;
	return rn;
}
