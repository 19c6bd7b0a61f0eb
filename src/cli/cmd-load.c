/* hpcbench load PROTOCOL TARGET [OPTIONS]: the load generator. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/jsonw.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/suggest.h"
#include "common/xalloc.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/core/repeat.h"
#include "load/core/run.h"
#include "load/core/worker.h"
#include "monitor/loadhook.h"

extern const struct cmd_entry cmd_load_entry;

static void on_sigint(int sig)
{
	(void)sig;
	load_stop_requested = 1;
}

/* True if the long option name takes a value in table (NULL-safe). */
static int long_takes_value(const struct option *table, const char *name)
{
	size_t len = strcspn(name, "=");
	for (const struct option *o = table; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o->has_arg == required_argument && !name[len];
	return 0;
}

/*
 * True if arg (e.g. "-c", "--rate", "-H") is an option, of the core or of any
 * protocol, whose value is the next argument. Options may come before the protocol
 * name, so which protocol's they are is not known yet.
 */
static int takes_value(const char *arg)
{
	if (arg[0] == '-' && arg[1] && arg[1] != '-') {
		const char *sets[16];
		size_t n = 0;
		if (arg[2])
			return 0; /* -c50: value attached */
		sets[n++] = load_core_shortopts;
		for (size_t i = 0; load_protos[i] && n < ARRAY_SIZE(sets); i++)
			if (load_protos[i]->shortopts)
				sets[n++] = load_protos[i]->shortopts;
		for (size_t i = 0; i < n; i++) {
			const char *hit = strchr(sets[i], arg[1]);
			if (hit && hit[1] == ':')
				return 1;
		}
		return 0;
	}
	if (long_takes_value(load_core_longopts, arg + 2))
		return 1;
	for (size_t i = 0; load_protos[i]; i++)
		if (long_takes_value(load_protos[i]->longopts, arg + 2))
			return 1;
	return 0;
}

/* The protocol name: the first argument that is not an option or an option's value. */
static const char *find_protocol(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (argv[i][0] != '-')
			return argv[i];
		if (takes_value(argv[i]))
			i++;
	}
	return NULL;
}

static int unknown_protocol(const char *name)
{
	const char *names[16];
	size_t n = 0;
	for (size_t i = 0; load_protos[i] && n < ARRAY_SIZE(names) - 1; i++)
		names[n++] = load_protos[i]->name;
	names[n] = NULL;
	const char *near = suggest_nearest(name, names);
	if (near)
		return cli_usage_error(&cmd_load_entry,
				       "unknown protocol '%s' (did you mean '%s'?)", name, near);
	return cli_usage_error(&cmd_load_entry, "unknown protocol '%s'", name);
}

/* Merged option tables: the protocol's first, so that its names win. */
static struct option *merge_longopts(const struct load_proto *p)
{
	size_t n = 0, k = 0;
	struct option *all;
	for (const struct option *o = p->longopts; o && o->name; o++)
		n++;
	for (const struct option *o = load_core_longopts; o->name; o++)
		n++;
	all = xcalloc(n + 1, sizeof(*all));
	for (const struct option *o = p->longopts; o && o->name; o++)
		all[k++] = *o;
	for (const struct option *o = load_core_longopts; o->name; o++)
		all[k++] = *o;
	return all;
}

/* True if val belongs to the protocol (a long val of its own or one of its letters). */
static int is_proto_opt(const struct load_proto *p, int val)
{
	if (val >= LOAD_OPT_PROTO)
		return 1;
	return val > 0 && val < 128 && p->shortopts && strchr(p->shortopts, val);
}

/* What one trial needs: the protocol, its configuration and the target. */
struct trial_ctx {
	const struct load_proto *p;
	void *cfg;
	const struct load_target *t;
};

/*
 * One trial (load_trial_fn): the protocol's own run (LLM sweeps, SQL phases) or one
 * load_run. What text holds (a trial header) and the trial's summary go to stdout as
 * soon as the trial ends, so that a long series shows each trial when it is done.
 */
static int one_trial(void *ctx, const struct load_opts *o, struct strbuf *text, struct strbuf *json,
		     struct strbuf *err)
{
	const struct trial_ctx *c = ctx;
	struct load_result r;
	struct jsonw w;
	int ret;
	fputs(text->buf, stdout);
	strbuf_reset(text);
	if (c->p->run) {
		ret = c->p->run(c->cfg, o, c->t, text, json, err);
	} else if (load_run(c->p, c->cfg, o, c->t, &r, err)) {
		ret = -1;
	} else {
		load_result_text(&r, text);
		if (o->json_path) {
			jsonw_init(&w, json, 2);
			load_result_json(&r, &w, NULL);
			strbuf_addch(json, '\n');
		}
		ret = load_result_verdict(&r, err);
		load_result_release(&r);
	}
	fputs(text->buf, stdout);
	fflush(stdout);
	strbuf_reset(text);
	return ret;
}

/* The protocols of this build, from the registry. */
static void load_help_protocols(void)
{
	printf("\nprotocols:\n");
	for (size_t i = 0; load_protos[i]; i++)
		printf("  %-8s %s\n           %s\n", load_protos[i]->name,
		       load_protos[i]->target_usage, load_protos[i]->summary);
}

static int cmd_load_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct load_proto *p;
	const char *pname = find_protocol(argc, argv), *target = NULL;
	struct load_opts opts;
	struct load_target tgt = { 0 };
	struct trial_ctx tc = { .t = &tgt };
	struct strbuf err = STRBUF_INIT, shortopts = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf json = STRBUF_INIT, werr = STRBUF_INIT;
	struct option *longopts = NULL;
	struct sigaction sa = { .sa_handler = on_sigint }, old_int, old_term;
	struct monitor *mon = NULL;
	struct load_monitor mon_hooks = { 0 };
	void *cfg = NULL;
	int npos = 0, c, ret = EXIT_USAGE;
	(void)ctx;

	if (!pname) {
		struct strbuf names = STRBUF_INIT;
		for (size_t i = 0; load_protos[i]; i++)
			strbuf_addf(&names, "%s%s", i ? ", " : "", load_protos[i]->name);
		cli_usage_error(&cmd_load_entry, "which protocol? (%s)", names.buf);
		strbuf_release(&names);
		return EXIT_USAGE;
	}
	p = load_proto_find(pname);
	if (!p)
		return unknown_protocol(pname);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--options")) {
			printf("usage: hpcbench load %s %s [OPTIONS]\n%s\n\n%s", p->name,
			       p->target_usage, p->summary, p->help);
			return EXIT_OK;
		}
	}
	cfg = p->create();
	tc.p = p;
	tc.cfg = cfg;
	load_opts_init(&opts);
	longopts = merge_longopts(p);
	strbuf_addstr(&shortopts, load_core_shortopts);
	if (p->shortopts)
		strbuf_addstr(&shortopts, p->shortopts);

	while ((c = cli_getopt(&cmd_load_entry, argc, argv, shortopts.buf, longopts)) != -1) {
		int r;
		if (c == '?')
			goto out;
		if (c == 1)
			continue;
		if (is_proto_opt(p, c))
			r = p->option(cfg, &opts, c, optarg, &err);
		else
			r = load_opts_set(&opts, c, optarg, &err);
		if (r) {
			cli_usage_error(&cmd_load_entry, "%s", err.len ? err.buf : "bad option");
			goto out;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (npos == 1)
			target = argv[i];
		else if (npos > 1) {
			cli_usage_error(&cmd_load_entry, "unexpected argument '%s'", argv[i]);
			goto out;
		}
		npos++;
	}
	if (!target) {
		cli_usage_error(&cmd_load_entry, "%s needs a target: %s", p->name, p->target_usage);
		goto out;
	}
	if (p->configure(cfg, target, &opts, &tgt, &err) || load_opts_check(&opts, &err)) {
		cli_usage_error(&cmd_load_entry, "%s", err.buf);
		goto out;
	}
	if (monitor_from_load_opts(&opts, &mon, &mon_hooks, &err)) {
		cli_usage_error(&cmd_load_entry, "%s", err.buf);
		goto out;
	}
	if (mon)
		opts.monitor = &mon_hooks;

	ret = EXIT_FAILED;
	if (p->prepare && p->prepare(cfg, &opts, &err)) {
		cli_print_errors(err.buf);
		goto out;
	}
	/* After prepare (which may load data into the server), before the load. */
	if (mon && monitor_start(mon, &err)) {
		cli_print_errors(err.buf);
		goto out;
	}
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (opts.repeat > 1)
		ret = load_repeat(&opts, one_trial, &tc, &out, &json, &err);
	else
		ret = one_trial(&tc, &opts, &out, &json, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	fputs(out.buf, stdout);
	fflush(stdout);
	if (ret >= 0 && opts.json_path &&
	    write_file_atomic(opts.json_path, json.buf, json.len, 0644, &werr)) {
		cli_print_errors(werr.buf);
		ret = EXIT_FAILED;
	}
	if (ret != EXIT_OK) {
		if (err.len)
			cli_print_errors(err.buf);
		ret = EXIT_FAILED;
	}
out:
	monitor_free(mon);
	if (cfg)
		p->destroy(cfg);
	free(longopts);
	strbuf_release(&err);
	strbuf_release(&shortopts);
	strbuf_release(&out);
	strbuf_release(&json);
	strbuf_release(&werr);
	return ret;
}

const struct cmd_entry cmd_load_entry = {
	.name = "load",
	.usage = "load PROTOCOL TARGET [OPTIONS]",
	.summary = "generate load against a server and measure it (protocols listed below)",
	.help = "Drives a server with one event loop per thread and reports throughput,\n"
		"latency percentiles and errors; --json writes the result file.\n"
		"Each protocol (listed at the end) has options of its own:\n"
		"'hpcbench load PROTOCOL --options' lists them; docs/load.md explains all.\n\n"
		"Closed loop (default): -c connections x --pipeline requests outstanding, each\n"
		"reply answered by the next request. Open loop (--rate): requests leave at\n"
		"scheduled times whatever the server does; latency counts from the scheduled\n"
		"time, so a stalled server shows in the tail (no coordinated "
		"omission).\n\n" LOAD_CORE_HELP
		"  --options            print the options of PROTOCOL (hpcbench load redis\n"
		"                       --options)\n\n"
		"exit codes: 0 all requests succeeded, 1 some failed or were dropped (unless\n"
		"--allow-errors) or the server could not be reached, 2 bad usage.\n\n"
		"examples:\n"
		"  hpcbench load redis 127.0.0.1:6379 -c 50 -d 10s --json out.json\n"
		"  hpcbench load redis 127.0.0.1:6379 -c 50 --pipeline 16 -n 1000000\n"
		"  hpcbench load redis 127.0.0.1:6379 --rate 20000 --arrival poisson -d 30s\n"
		"  hpcbench load redis node1:6379 --tests set,get,lpush,lpop --value-size 256\n"
		"  hpcbench load redis node1:6379 --command 'LPUSH mylist __data__' -n 100000\n",
	.help_more = load_help_protocols,
	.exec = cmd_load_exec,
};
