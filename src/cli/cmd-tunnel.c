/*
 * hpcbench tunnel ID [LOCAL_PORT] [--open]: an `ssh -L` forward from this machine to a
 * running service, through the login node. The service's endpoint (host and port, as
 * its job wrote them in endpoint.json) comes from the state database.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/state.h"
#include "common/error.h"
#include "common/shquote.h"
#include "common/strbuf.h"
#include "common/strlist.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "exec/executor.h"
#include "exec/runner-ssh.h"
#include "session/track.h"
#include "store/store.h"

extern const struct cmd_entry cmd_tunnel_entry;

struct endpoint {
	char *scheme; /* "redis", "http", ... or NULL */
	char *host;
	unsigned port;
};

/* "scheme://host:port/path", "host:port", "[v6]:port". Returns 0 or -1. */
static int parse_endpoint(const char *url, struct endpoint *ep)
{
	const char *p = strstr(url, "://"), *host, *colon;
	uint64_t port;
	char *port_s;
	int ret;

	ep->scheme = p ? xstrndup(url, (size_t)(p - url)) : NULL;
	host = p ? p + 3 : url;
	if (*host == '[') {
		const char *close = strchr(host, ']');
		if (!close || close[1] != ':')
			return -1;
		ep->host = xstrndup(host + 1, (size_t)(close - host - 1));
		colon = close + 1;
	} else {
		colon = strchr(host, ':');
		if (!colon || colon == host)
			return -1;
		ep->host = xstrndup(host, (size_t)(colon - host));
	}
	port_s = xstrndup(colon + 1, strcspn(colon + 1, "/?#"));
	ret = parse_uint(port_s, 1, 65535, &port);
	free(port_s);
	ep->port = (unsigned)port;
	return ret;
}

static void endpoint_release(struct endpoint *ep)
{
	free(ep->scheme);
	free(ep->host);
}

/* Appends argv as a command a person can paste: words quoted only when they need it. */
static void add_command_line(struct strbuf *sb, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		const char *w = argv[i];
		int plain = *w != '\0';
		for (const char *c = w; *c && plain; c++)
			plain = isalnum((unsigned char)*c) || strchr("@%+=:,./_-", *c);
		if (i)
			strbuf_addch(sb, ' ');
		if (plain)
			strbuf_addstr(sb, w);
		else
			sq_quote(sb, w);
	}
}

/* The forward as a person runs it: no batch mode (a passphrase prompt is fine there). */
static void printed_argv(const struct ssh_target *t, const char *forward, struct strlist *argv)
{
	const char *cfg = getenv("HPCBENCH_SSH_CONFIG");
	strlist_push(argv, "ssh");
	if (cfg && *cfg) {
		strlist_push(argv, "-F");
		strlist_push(argv, cfg);
	}
	strlist_push(argv, "-N");
	strlist_push(argv, "-L");
	strlist_push(argv, forward);
	if (t->port) {
		strlist_push(argv, "-p");
		strlist_push_owned(argv, xasprintf("%u", t->port));
	}
	if (t->key_file) {
		strlist_push(argv, "-i");
		strlist_push(argv, t->key_file);
	}
	if (t->user)
		strlist_push_owned(argv, xasprintf("%s@%s", t->user, t->host));
	else
		strlist_push(argv, t->host);
}

/* --open: replaces this process with the forward, held until Ctrl-C. */
static int open_forward(const struct ssh_target *t, const char *forward, const struct endpoint *ep,
			unsigned local_port)
{
	struct strlist argv = STRLIST_INIT;
	ssh_target_argv(t, &argv);
	strlist_push(&argv, "-N");
	strlist_push(&argv, "-o");
	strlist_push(&argv, "ExitOnForwardFailure=yes");
	strlist_push(&argv, "-L");
	strlist_push(&argv, forward);
	strlist_push(&argv, "--");
	strlist_push(&argv, t->host);
	printf("%s://localhost:%u\n", ep->scheme ? ep->scheme : "tcp", local_port);
	fflush(stdout);
	fprintf(stderr,
		"hpcbench: forwarding localhost:%u to %s:%u through %s (Ctrl-C closes it)\n",
		local_port, ep->host, ep->port, t->host);
	execvp(argv.items[0], strlist_argv(&argv));
	fprintf(stderr, "hpcbench: tunnel: cannot run %s: %s\n", argv.items[0], strerror(errno));
	strlist_clear(&argv);
	return EXIT_UNREACHABLE;
}

static int cmd_tunnel_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "open", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT, line = STRBUF_INIT;
	struct store_job *job = &ctx->job;
	struct endpoint ep = { 0 };
	struct strlist cmd = STRLIST_INIT;
	struct config *cfg;
	char *forward = NULL;
	unsigned local_port;
	uint64_t v;
	int c, open = 0, ret = EXIT_FAILED;

	while ((c = cli_getopt(&cmd_tunnel_entry, argc, argv, "o", longopts)) != -1) {
		if (c == 'o')
			open = 1;
		else
			return EXIT_USAGE;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_error(&cmd_tunnel_entry, "expected a service ID and an optional "
							  "local port");
	if (argc - optind == 2 && parse_uint(argv[optind + 1], 1, 65535, &v))
		return cli_usage_error(&cmd_tunnel_entry, "'%s' is not a port (1-65535)",
				       argv[optind + 1]);
	ret = cli_setup(ctx, argv[optind]);
	if (ret != EXIT_OK)
		return ret;
	ret = EXIT_FAILED;
	cfg = ctx->config;
	if (!job->endpoint) {
		error(&err, "service %s has no endpoint yet (state %s%s%s)", job->id,
		      job_state_name(job->state), job->reason ? ": " : "",
		      job->reason ? job->reason : "");
		goto fail;
	}
	if (job_state_is_final(job->state)) {
		error(&err, "service %s is no longer running (state %s)", job->id,
		      job_state_name(job->state));
		goto fail;
	}
	if (parse_endpoint(job->endpoint, &ep)) {
		error(&err, "service %s: cannot read its endpoint '%s'", job->id, job->endpoint);
		goto fail;
	}
	local_port = argc - optind == 2 ? (unsigned)v : ep.port;
	forward = xasprintf("%u:%s:%u", local_port, ep.host, ep.port);

	if (executor_caps(job->executor) & EXEC_REMOTE) {
		struct ssh_target t = { .host = cfg->hpc.hostname,
					.user = cfg->hpc.username,
					.port = cfg->hpc.port,
					.key_file = cfg->hpc.key_filename };
		if (ssh_target_check(&t, &err)) {
			ret = EXIT_USAGE;
			goto fail;
		}
		if (open) {
			ret = open_forward(&t, forward, &ep, local_port);
			goto out;
		}
		printed_argv(&t, forward, &cmd);
	} else if (open) {
		error(&err,
		      "--open needs a service started with the ssh executor; %s runs on "
		      "%s, which this machine reaches directly at %s:%u",
		      job->id, job->executor, ep.host, ep.port);
		ret = EXIT_USAGE;
		goto fail;
	} else {
		/* slurm/local: hpcbench runs on the login node; print what a laptop runs */
		char host[256] = "LOGIN_NODE";
		const char *user = getenv("USER");
		struct ssh_target t = { .host = host, .user = user };
		if (gethostname(host, sizeof(host) - 1))
			strcpy(host, "LOGIN_NODE");
		fprintf(stderr,
			"hpcbench: %s listens on %s:%u, reachable from this machine; "
			"from your own machine run:\n",
			job->id, ep.host, ep.port);
		printed_argv(&t, forward, &cmd);
	}
	add_command_line(&line, strlist_argv(&cmd));
	printf("%s\n", line.buf);
	ret = EXIT_OK;
	goto out;
fail:
	cli_print_errors(err.buf);
out:
	endpoint_release(&ep);
	strlist_clear(&cmd);
	strbuf_release(&err);
	strbuf_release(&line);
	free(forward);
	return ret;
}

const struct cmd_entry cmd_tunnel_entry = {
	.name = "tunnel",
	.usage = "tunnel ID [LOCAL_PORT] [--open]",
	.summary = "forward a local port to a running service (ssh -L)",
	.help = "Prints the `ssh -L LOCAL_PORT:NODE:PORT` command that forwards LOCAL_PORT on\n"
		"this machine to the service ID on its compute node, through the login node\n"
		"of the config (hpc.hostname, hpc.port, hpc.username, hpc.key_filename).\n"
		"LOCAL_PORT defaults to the service's own port. The service must be ready\n"
		"(its endpoint is known: see 'hpcbench status').\n"
		"\n"
		"options:\n"
		"  --open   hold the forward open in the foreground until Ctrl-C (ssh\n"
		"           executor); prints the local address first\n"
		"\n"
		"For services started with the slurm executor (hpcbench on the login node), it\n"
		"prints the command to run on your own machine. Exit 2 for an unknown ID,\n"
		"1 when the service has no endpoint or has ended, 3 when ssh cannot run.\n"
		"\n"
		"examples:\n"
		"  hpcbench tunnel redis_1a2b3c4d            # ssh -N -L 6379:mel2001:6379 ...\n"
		"  hpcbench tunnel ollama_5e6f7a8b 8080 --open\n",
	.flags = CMD_SERVICE,
	.job_for = "tunnels",
	.exec = cmd_tunnel_exec,
};
