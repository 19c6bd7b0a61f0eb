/* The body of a service job: port, setup, start, readiness, endpoint, wait. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/shquote.h"
#include "common/xalloc.h"
#include "recipe/rnode.h"
#include "script/hooks.h"
#include "script/jobparts.h"
#include "script/service-job.h"
#include "script/shlib.h"
#include "service/service.h"

#define DEFAULT_PROBE_TIMEOUT_S 120

/* True if recipe arg w is one the type sets itself; *skip_next for "--opt VALUE". */
static int owned_arg(const char *const *owned, const char *w, int *skip_next)
{
	*skip_next = 0;
	for (; owned && *owned; owned++) {
		const char *o = *owned;
		size_t n = strlen(o);
		if (o[0] == '*') {
			size_t wl = strlen(w);
			if (wl >= n - 1 && !strcmp(w + wl - (n - 1), o + 1))
				return 1;
			continue;
		}
		if (!strcmp(w, o)) {
			*skip_next = 1;
			return 1;
		}
		if (!strncmp(w, o, n) && w[n] == '=')
			return 1;
	}
	return 0;
}

/* The server command line: command, type words, recipe args (filtered), tail. */
static void server_argv(struct strbuf *sb, const struct service_spec *s,
			const struct service_render *rd, struct svc_build *b)
{
	const char *cmd = b->command;
	struct strlist dropped = STRLIST_INIT;

	strbuf_addstr(sb, "hb_start \"${HB_RUN[@]}\" ");
	sq_quote_expand(sb, cmd);
	if (!b->custom_command)
		for (size_t i = 0; i < b->argv.nr; i++)
			strbuf_addf(sb, " %s", b->argv.items[i]);
	if (s->args_set) {
		for (size_t i = 0; i < s->args.nr; i++) {
			int skip = 0;
			if (!b->custom_command && rd &&
			    owned_arg(rd->owned_args, s->args.items[i], &skip)) {
				strlist_push(&dropped, s->args.items[i]);
				if (skip && i + 1 < s->args.nr)
					strlist_push(&dropped, s->args.items[++i]);
				continue;
			}
			strbuf_addch(sb, ' ');
			sq_quote_expand(sb, s->args.items[i]);
		}
	} else if (!b->custom_command && rd) {
		for (const char *const *a = rd->args; a && *a; a++) {
			strbuf_addch(sb, ' ');
			sq_quote_expand(sb, *a);
		}
	}
	if (!b->custom_command)
		for (size_t i = 0; i < b->tail.nr; i++)
			strbuf_addf(sb, " %s", b->tail.items[i]);
	strbuf_addch(sb, '\n');
	if (dropped.nr) {
		struct strbuf note = STRBUF_INIT;
		for (size_t i = 0; i < dropped.nr; i++) {
			comment_text(&note, dropped.items[i]);
			strbuf_addch(&note, ' ');
		}
		strbuf_rtrim(&note);
		strbuf_addf(sb, "# (recipe args set by the job itself and not repeated: %s)\n",
			    note.buf);
		strbuf_release(&note);
	}
	strlist_clear(&dropped);
}

/* Splits URL-ish "scheme://host:port/path" after the scheme; port 0 when absent. */
static void split_authority(const char *rest, unsigned *port, const char **path)
{
	const char *slash = strchr(rest, '/');
	const char *end = slash ? slash : rest + strlen(rest);
	const char *colon = memchr(rest, ':', (size_t)(end - rest));
	*port = 0;
	if (colon)
		*port = (unsigned)strtoul(colon + 1, NULL, 10);
	*path = slash ? slash : "/";
}

static void port_word(struct strbuf *sb, unsigned port, const struct service_spec *s)
{
	unsigned preferred = s->nr_ports ? s->ports[0] : s->type->default_port;
	if (!port || port == preferred || port == s->type->default_port)
		strbuf_addstr(sb, "$HPCBENCH_PORT");
	else
		strbuf_addf(sb, "%u", port);
}

/* The readiness probe as arguments for hb_wait_ready; includes the probe library. */
static int probe_command(struct strbuf *lib, struct strbuf *cmd, const struct service_spec *s,
			 const struct service_render *rd, const struct svc_build *b,
			 struct strbuf *err)
{
	const char *ep = s->health_check.endpoint;
	const char *rest, *path;
	unsigned port;

	if (!ep)
		ep = s->type->default_probe;
	if (!strncmp(ep, "sql://", 6) || (!s->health_check.endpoint && b->probe.len)) {
		if (!b->probe.len)
			goto bad;
		strbuf_addstr(cmd, b->probe.buf);
		return 0;
	}
	if (!strncmp(ep, "cmd:", 4)) {
		/* the recipe's probe text runs as written, by bash -c */
		strbuf_addstr(cmd, "bash -c ");
		sq_quote(cmd, ep + 4);
		return 0;
	}
	if (!strncmp(ep, "redis://", 8)) {
		split_authority(ep + 8, &port, &path);
		strbuf_addstr(lib, shlib_redis);
		strbuf_addstr(cmd, "hb_probe_redis \"");
		port_word(cmd, port, s);
		strbuf_addch(cmd, '"');
		return 0;
	}
	if (!strncmp(ep, "tcp://", 6)) {
		split_authority(ep + 6, &port, &path);
		strbuf_addstr(lib, shlib_tcp);
		strbuf_addstr(cmd, "hb_probe_tcp 127.0.0.1 \"");
		port_word(cmd, port, s);
		strbuf_addch(cmd, '"');
		return 0;
	}
	if (!strncmp(ep, "http://", 7) || !strncmp(ep, "https://", 8)) {
		int tls = ep[4] == 's';
		rest = ep + (tls ? 8 : 7);
		split_authority(rest, &port, &path);
		for (const char *const *rw = rd ? rd->probe_rewrite : NULL; rw && rw[0]; rw += 2)
			if (!strcmp(path, rw[0]))
				path = rw[1];
		strbuf_addstr(lib, shlib_http);
		strbuf_addf(cmd, "hb_probe_http \"%s://127.0.0.1:", tls ? "https" : "http");
		port_word(cmd, port, s);
		strbuf_addch(cmd, '"');
		sq_quote(cmd, path);
		return 0;
	}
bad:
	return recipe_error(err, &s->pos,
			    "service '%s': health_check.endpoint '%s' is not tcp://, http(s)://, "
			    "redis://, cmd: or a probe of type %s",
			    s->name, ep, s->type->name);
}

/* The recipe's `script:` file, resolved next to the recipe. */
static int read_body_script(struct strbuf *out, const struct recipe *r,
			    const struct service_spec *s, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	char *path;
	int ret;
	if (s->script[0] == '/' || !r->path || !strchr(r->path, '/')) {
		path = xstrdup(s->script);
	} else {
		const char *slash = strrchr(r->path, '/');
		path = xasprintf("%.*s/%s", (int)(slash - r->path), r->path, s->script);
	}
	ret = read_file_max(path, out, FILE_MAX_RECIPE, "script", &why);
	if (ret < 0) {
		const struct rnode *n = rnode_get(s->node, "script");
		recipe_error(err, n ? &n->pos : &s->pos, "script: %s (a file next to the recipe)",
			     why.buf);
	}
	strbuf_release(&why);
	free(path);
	return ret;
}

static void cadvisor_block(struct strbuf *sb, const struct service_spec *s)
{
	strbuf_addf(sb,
		    "\n# cAdvisor sidecar (enable_cadvisor): container metrics for Prometheus\n"
		    "HB_CADVISOR_BIN=${HPCBENCH_CADVISOR:-$(command -v cadvisor || echo "
		    "\"$HOME/.local/bin/cadvisor\")}\n"
		    "if [ -x \"$HB_CADVISOR_BIN\" ]; then\n"
		    "\thb_choose_port %u \"$HPCBENCH_PORT\"\n"
		    "\tHB_CADVISOR_PORT=$HB_CHOSEN_PORT\n"
		    "\t\"$HB_CADVISOR_BIN\" -listen_ip=\"$HPCBENCH_BIND_ADDR\" "
		    "-port=\"$HB_CADVISOR_PORT\" -housekeeping_interval=10s "
		    "-store_container_labels=false >\"$JOB_DIR/cadvisor.log\" 2>&1 8>&- &\n"
		    "\tHB_SIDECARS+=(\"$!\")\n"
		    "else\n"
		    "\techo \"hpcbench: warning: enable_cadvisor: no cadvisor at $HB_CADVISOR_BIN "
		    "(set HPCBENCH_CADVISOR); continuing without\" >&2\n"
		    "fi\n",
		    s->cadvisor_port ? s->cadvisor_port : 8080);
}

/* Native jobs: the folders where packages put the type's programs off PATH. */
static void native_path(struct strbuf *sb, const char *type, const struct service_render *rd)
{
	strbuf_addch(sb, '\n');
	strbuf_addstr(sb, shlib_path);
	strbuf_addf(sb, "# the programs of type %s, where its packages put them\nhb_path_add ",
		    type);
	sq_quote(sb, rd->command);
	for (const char *const *d = rd->native_dirs; *d; d++) {
		strbuf_addch(sb, ' ');
		sq_quote(sb, *d);
	}
	strbuf_addch(sb, '\n');
}

/*
 * The server program a recipe's command names, when it is the type's server under
 * another name or path (service_render.server_names); NULL when it is not. Caller frees.
 */
static char *server_program(const struct service_render *rd, const char *command)
{
	const char *base = strrchr(command, '/') ? strrchr(command, '/') + 1 : command;
	if (!strcmp(base, rd->command))
		return xstrdup(command);
	for (const char *const *n = rd->server_names; n && n[0]; n += 2) {
		if (strcmp(base, n[0]))
			continue;
		if (!n[1])
			return xstrdup(command);
		return xasprintf("%.*s%s", (int)(base - command), command, n[1]);
	}
	return NULL;
}

int render_service(const struct recipe *r, const struct service_spec *s,
		   const struct render_opts *o, const struct job_plan *plan, struct job *job,
		   struct strbuf *err)
{
	const struct service_type *t = s->type;
	const struct service_render *rd = t->render;
	struct svc_build b = { .s = s, .r = r, .o = o, .plan = plan, .job = job };
	struct strbuf sb = STRBUF_INIT, lib = STRBUF_INIT, probe = STRBUF_INIT;
	struct strbuf body = STRBUF_INIT;
	const struct health_check *hc = &s->health_check;
	unsigned timeout, preferred = s->nr_ports ? s->ports[0] : t->default_port;
	double interval = hc->interval_s > 0 ? hc->interval_s : 1;
	const char *cmd = s->command ? s->command : rd ? rd->command : NULL;
	char *server = NULL;
	char what[256];
	int ret = -1;

	snprintf(what, sizeof(what), "service '%s'", s->name);
	strbuf_init(&b.prepare, 0);
	strbuf_init(&b.setup, 0);
	strbuf_init(&b.probe, 0);
	strbuf_init(&b.post_ready, 0);
	b.custom_command = s->command && rd && rd->command && strcmp(s->command, rd->command);
	if (b.custom_command && (server = server_program(rd, s->command))) {
		b.custom_command = false;
		cmd = server;
	}
	b.command = cmd;

	if (!cmd && !s->script) {
		recipe_error(err, &s->pos, "service '%s': type %s needs a command (or script:)",
			     s->name, t->name);
		goto out;
	}
	if (rd && rd->build && rd->build(&b, err))
		goto out;
	if (probe_command(&lib, &probe, s, rd, &b, err))
		goto out;

	if (s->script && read_body_script(&body, r, s, err))
		goto out;

	timeout = hc->timeout_s			      ? hc->timeout_s
		  : hc->retries && hc->interval_s > 0 ? (unsigned)(hc->retries * hc->interval_s)
		  : rd && rd->probe_timeout_s	      ? rd->probe_timeout_s
						      : DEFAULT_PROBE_TIMEOUT_S;

	if (sbatch_header(&sb, job, &s->resources, &s->pos, o, err))
		goto out;
	job_preamble(&sb, job, job->kind == JOB_MONITOR ? "monitor" : "service", t->name, o);
	strbuf_addch(&sb, '\n');
	strbuf_addstr(&sb, shlib_server);
	if (lib.len) {
		strbuf_addch(&sb, '\n');
		strbuf_add(&sb, lib.buf, lib.len);
	}
	job_environment(&sb, job, &s->environment, s->runtime);
	if (job_runtime(&sb, s->runtime, s->container_image, &s->container, &s->resources,
			t->default_image, t->docker_source, o, what, err))
		goto out;

	if (s->runtime == RUNTIME_NATIVE && rd && rd->native_dirs && rd->command)
		native_path(&sb, t->name, rd);

	strbuf_addstr(&sb, "\n# Data folder of this job (never a shared $HOME folder)\n"
			   "mkdir -p \"$JOB_DIR/data\"\n");
	if (b.prepare.len) {
		strbuf_addf(&sb, "\n# Preparation (type %s), before the port is chosen\n", t->name);
		strbuf_add(&sb, b.prepare.buf, b.prepare.len);
	}
	strbuf_addf(&sb,
		    "\n# Port: %u when free on this node, else another free one\n"
		    "hb_choose_port %u\nHPCBENCH_PORT=$HB_CHOSEN_PORT\nexport HPCBENCH_PORT\n",
		    preferred, preferred);
	if (s->runtime == RUNTIME_APPTAINER)
		strbuf_addstr(&sb, "export APPTAINERENV_HPCBENCH_PORT=\"$HPCBENCH_PORT\"\n");
	if (s->enable_cadvisor)
		cadvisor_block(&sb, s);
	if (b.setup.len) {
		strbuf_addf(&sb, "\n# Set-up (type %s)\n", t->name);
		strbuf_add(&sb, b.setup.buf, b.setup.len);
	}
	if (s->setup.nr) {
		strbuf_addstr(&sb, "\n# Set-up (from the recipe)\n");
		for (size_t i = 0; i < s->setup.nr; i++)
			strbuf_addf(&sb, "%s\n", s->setup.items[i]);
	}
	if (s->script) {
		strbuf_addstr(&sb, "\n# Body (from ");
		comment_text(&sb, s->script);
		strbuf_addstr(
		    &sb, "): starts the server in the background\n"
			 "hb_port_release # what the body starts must not hold the port lock\n");
		strbuf_add(&sb, body.buf, body.len);
		if (body.len && body.buf[body.len - 1] != '\n')
			strbuf_addch(&sb, '\n');
		strbuf_addstr(&sb, "HB_PID=${HPCBENCH_SERVER_PID:-$!}\n");
	} else {
		strbuf_addstr(&sb, "\n# Start the server\n");
		server_argv(&sb, s, rd, &b);
	}
	strbuf_addf(&sb, "\n# Readiness: a real protocol check, every %gs for up to %us\n",
		    interval, timeout);
	if (!strncmp(probe.buf, "bash -c ", 8))
		strbuf_addstr(
		    &sb, "# shellcheck disable=SC2016 # the recipe's cmd: probe, as written\n");
	strbuf_addf(&sb, "hb_wait_ready %u %g %s\n", timeout, interval, probe.buf);
	if (b.post_ready.len) {
		strbuf_addstr(&sb, "\n# Once ready\n");
		strbuf_add(&sb, b.post_ready.buf, b.post_ready.len);
	}
	strbuf_addf(&sb, "\nhb_endpoint %s\nhb_state READY\n",
		    rd && rd->url_scheme ? rd->url_scheme : "http");
	strbuf_addstr(&sb,
		      "echo \"hpcbench: $HB_JOB_ID ready on $HPCBENCH_PORT\"\n\n"
		      "# Serve until stopped (TERM/INT: clean stop) or until the server exits\n"
		      "HB_RC=0\nwait \"$HB_PID\" || HB_RC=$?\nHB_PID=\n"
		      "hb_fail \"the server exited on its own (status $HB_RC)\"\n");
	job->script = strbuf_detach(&sb, NULL);
	ret = 0;
out:
	strbuf_release(&sb);
	strbuf_release(&lib);
	strbuf_release(&probe);
	strbuf_release(&body);
	strlist_clear(&b.argv);
	strlist_clear(&b.tail);
	strbuf_release(&b.prepare);
	strbuf_release(&b.setup);
	strbuf_release(&b.probe);
	strbuf_release(&b.post_ready);
	free(server);
	return ret;
}
