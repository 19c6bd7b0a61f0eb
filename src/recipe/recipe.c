/* Recipes: YAML -> struct recipe, checked strictly, every error with its position. */
#include "recipe/recipe.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/jsonw.h"
#include "common/suggest.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "load/core/proto.h"
#include "recipe/schema.h"
#include "service/service.h"

int recipe_error(struct strbuf *err, const struct srcpos *pos, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error(err, "%s:%u:%u: %s", pos->file, pos->line, pos->col, msg.buf);
	strbuf_release(&msg);
	return -1;
}

/* ---- value checks shared by services and clients ---- */

static int check_name(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	char **out = dst;
	const char *p;
	int rc = schema_str(s, label, v, out);
	/* A name written with no value is not an absent name (which defaults to the
	 * type's): every later step needs one, so say so here. */
	if (rc == 1)
		return schema_error(s, &v->pos,
				    "%s: expected a name, got nothing (leave the key out for "
				    "the default)",
				    label);
	if (rc)
		return rc;
	/* Names become job names, folder names and SLURM --job-name values. */
	p = *out;
	if (strlen(p) > 64 || !isalnum((unsigned char)*p))
		goto bad;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			goto bad;
	return 0;
bad:
	schema_error(s, &v->pos,
		     "%s: '%s' is not a valid name (up to 64 letters, digits, '.', '_' and '-', "
		     "starting with a letter or digit)",
		     label, *out);
	free(*out);
	*out = NULL;
	return -1;
}

static int check_runtime(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	enum runtime *out = dst;
	char *t = NULL;
	int ret = 0;
	if (schema_str(s, label, v, &t))
		return 0;
	if (!strcmp(t, "apptainer") || !strcmp(t, "singularity"))
		*out = RUNTIME_APPTAINER;
	else if (!strcmp(t, "native"))
		*out = RUNTIME_NATIVE;
	else
		ret = schema_error(s, &v->pos, "%s: bad value '%s' (expected apptainer or native)",
				   label, t);
	free(t);
	return ret;
}

static int check_time(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	struct resources *r = dst;
	return schema_slurm_time(s, label, v, &r->time, &r->time_s) < 0 ? -1 : 0;
}

static int check_mem(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	struct resources *r = dst;
	uint64_t mb;
	if (schema_str(s, label, v, &r->mem))
		return 0;
	if (!parse_mem_mb(r->mem, &mb)) {
		r->mem_mb = mb;
		return 0;
	}
	schema_error(s, &v->pos,
		     "%s: bad memory size '%s' (expected a number from 1K to 1024T with an "
		     "optional unit K, M, G or T, e.g. 4G or 512MB; a bare number is megabytes)",
		     label, r->mem);
	free(r->mem);
	r->mem = NULL;
	return -1;
}

/*
 * partition, qos, account, gres: SLURM reads an #SBATCH value as one word to the end of
 * the line, so anything but a plain word (a space, a newline) is refused here, where
 * the user can see the position, and not only when the script is rendered.
 */
static int check_slurm_word(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	static const char word[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789_.,:=+%@/()-";
	char **out = dst;
	int r = schema_str(s, label, v, out);
	if (r)
		return r < 0 ? -1 : 0;
	if (!(*out)[strspn(*out, word)])
		return 0;
	struct strbuf shown = STRBUF_INIT; /* escaped: a newline must not split the message */
	json_escape(&shown, *out, strlen(*out));
	schema_error(s, &v->pos,
		     "%s: %s is not a SLURM word (letters, digits and _.,:=+%%@/()- only)", label,
		     shown.buf);
	strbuf_release(&shown);
	free(*out);
	*out = NULL;
	return -1;
}

static int check_seconds(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	uint64_t sec;
	if (schema_duration_s(s, label, v, &sec))
		return 0;
	if (sec > UINT32_MAX)
		return schema_error(s, &v->pos, "%s: '%s' is too long", label, v->scalar);
	*(unsigned *)dst = (unsigned)sec;
	return 0;
}

static int check_duration(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	uint64_t sec;
	if (!schema_duration_s(s, label, v, &sec))
		*(uint64_t *)dst = sec;
	return 0;
}

static int check_interval(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	uint64_t us;
	if (rnode_is_null(v))
		return 0;
	if (v->kind != RNODE_SCALAR || parse_duration_us(v->scalar, &us) || us == 0) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(v, &got);
		schema_error(s, &v->pos,
			     "%s: expected a duration above zero: seconds, or a number with a "
			     "unit ms, s, m or h (e.g. 3, 0.5, 500ms), got %s",
			     label, got.buf);
		strbuf_release(&got);
		return -1;
	}
	*(double *)dst = (double)us / 1e6;
	return 0;
}

/* ports: a list of TCP ports; ports[0] is the one the server is asked to use. */
static int check_ports(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	struct service_spec *sv = dst;
	int ret = 0;
	if (rnode_is_null(v))
		return 0;
	if (v->kind != RNODE_SEQ) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(v, &got);
		schema_error(s, &v->pos, "%s: expected a list of ports (e.g. [6379]), got %s",
			     label, got.buf);
		strbuf_release(&got);
		return -1;
	}
	free(sv->ports);
	sv->ports = xcalloc(v->nr ? v->nr : 1, sizeof(*sv->ports));
	sv->nr_ports = 0;
	for (size_t i = 0; i < v->nr; i++) {
		char *l = xasprintf("%s[%zu]", label, i); /* 0-based, as ports[0] */
		uint64_t port;
		int r = schema_uint(s, l, v->children[i], 1, 65535, &port);
		free(l);
		if (r == 0)
			sv->ports[sv->nr_ports++] = (unsigned)port;
		else if (r == 1)
			ret =
			    schema_error(s, &v->children[i]->pos, "%s[%zu]: empty port", label, i);
		else
			ret = -1;
	}
	return ret;
}

/* ---- key tables ---- */

static const struct field container_fields[] = {
	{ "docker_source", FIELD_STR, offsetof(struct container, docker_source), 0, 0, 0, 0 },
	{ "image_path", FIELD_STR, offsetof(struct container, image_path), 0, 0, 0, 0 },
	{ "bind_mounts", FIELD_STRLIST, offsetof(struct container, bind_mounts), 0, 0, 0, 0 },
	{ "force_rebuild", FIELD_BOOL, offsetof(struct container, force_rebuild), 0, 0, 0, 0 },
	{ "build_commands", FIELD_STRLIST, offsetof(struct container, build_commands), 0, 0, 0, 0 },
	{ 0 },
};

/* The SLURM resource keys (docs/recipes.md). */
static const struct field resource_fields[] = {
	{ "time", FIELD_CUSTOM, 0, 0, 0, 0, check_time },
	{ "partition", FIELD_CUSTOM, offsetof(struct resources, partition), 0, 0, 0,
	  check_slurm_word },
	{ "qos", FIELD_CUSTOM, offsetof(struct resources, qos), 0, 0, 0, check_slurm_word },
	{ "account", FIELD_CUSTOM, offsetof(struct resources, account), 0, 0, 0, check_slurm_word },
	{ "nodes", FIELD_UINT, offsetof(struct resources, nodes), 0, 1, 0, 0 },
	{ "ntasks", FIELD_UINT, offsetof(struct resources, ntasks), 0, 1, 0, 0 },
	{ "ntasks_per_node", FIELD_UINT, offsetof(struct resources, ntasks_per_node), 0, 1, 0, 0 },
	{ "cpus_per_task", FIELD_UINT, offsetof(struct resources, cpus_per_task), 0, 1, 0, 0 },
	{ "mem", FIELD_CUSTOM, 0, 0, 0, 0, check_mem },
	{ "gres", FIELD_CUSTOM, offsetof(struct resources, gres), 0, 0, 0, check_slurm_word },
	{ 0 },
};

static const struct field health_check_fields[] = {
	{ "endpoint", FIELD_STR, offsetof(struct health_check, endpoint), 0, 0, 0, 0 },
	{ "timeout", FIELD_CUSTOM, offsetof(struct health_check, timeout_s), 0, 0, 0,
	  check_seconds },
	{ "retries", FIELD_UINT, offsetof(struct health_check, retries), 0, 0, 0, 0 },
	{ "interval", FIELD_CUSTOM, offsetof(struct health_check, interval_s), 0, 0, 0,
	  check_interval },
	{ 0 },
};

#define SPEC_COMMON_FIELDS(T)                                                                      \
	{ "name", FIELD_CUSTOM, offsetof(T, name), 0, 0, 0, check_name },                          \
	    { "type", FIELD_STR, offsetof(T, type_name), 0, 0, 0, 0 },                             \
	    { "description", FIELD_STR, offsetof(T, description), 0, 0, 0, 0 },                    \
	    { "container_image", FIELD_STR, offsetof(T, container_image), 0, 0, 0, 0 },            \
	    { "container", FIELD_MAP, offsetof(T, container), container_fields, 0, 0, 0 },         \
	    { "runtime", FIELD_CUSTOM, offsetof(T, runtime), 0, 0, 0, check_runtime },             \
	    { "command", FIELD_STR, offsetof(T, command), 0, 0, 0, 0 },                            \
	    { "args", FIELD_STRLIST, offsetof(T, args), 0, 0, 0, 0 },                              \
	    { "resources", FIELD_MAP, offsetof(T, resources), resource_fields, 0, 0, 0 },          \
	{                                                                                          \
		"environment", FIELD_ENV, offsetof(T, environment), 0, 0, 0, 0                     \
	}

static const struct field service_fields[] = {
	SPEC_COMMON_FIELDS(struct service_spec),
	{ "ports", FIELD_CUSTOM, 0, 0, 0, 0, check_ports },
	{ "enable_cadvisor", FIELD_BOOL, offsetof(struct service_spec, enable_cadvisor), 0, 0, 0,
	  0 },
	{ "cadvisor_port", FIELD_UINT, offsetof(struct service_spec, cadvisor_port), 0, 1, 65535,
	  0 },
	{ "health_check", FIELD_MAP, offsetof(struct service_spec, health_check),
	  health_check_fields, 0, 0, 0 },
	/* setup: shell lines run before the server starts; a list, or one block of text. */
	{ "setup", FIELD_CUSTOM, offsetof(struct service_spec, setup), 0, 0, 0,
	  schema_str_or_list },
	{ "script", FIELD_STR, offsetof(struct service_spec, script), 0, 0, 0, 0 },
	/* Old tool: accepted, never read (grafana.yaml's readiness loop of sleeps). */
	{ "setup_script", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ 0 },
};

static const struct field target_fields[] = {
	{ "name", FIELD_STR, offsetof(struct client_target, name), 0, 0, 0, 0 },
	{ "id", FIELD_STR, offsetof(struct client_target, id), 0, 0, 0, 0 },
	{ "port", FIELD_UINT, offsetof(struct client_target, port), 0, 1, 65535, 0 },
	{ "endpoint", FIELD_STR, offsetof(struct client_target, endpoint), 0, 0, 0, 0 },
	/* Old tool: accepted, never read; the service's own probe decides readiness. */
	{ "health_check_endpoint", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ 0 },
};

static const struct field client_fields[] = {
	SPEC_COMMON_FIELDS(struct client_spec),
	{ "duration", FIELD_CUSTOM, offsetof(struct client_spec, duration_s), 0, 0, 0,
	  check_duration },
	/* repeat: N independent trials of the load (of each point of a sweep). */
	{ "repeat", FIELD_UINT, offsetof(struct client_spec, repeat), 0, 1, 1000, 0 },
	{ "replicas", FIELD_UINT, offsetof(struct client_spec, replicas), 0, 1, 1024, 0 },
	{ "target_service", FIELD_MAP, offsetof(struct client_spec, target), target_fields, 0, 0,
	  0 },
	{ "endpoint", FIELD_STR, offsetof(struct client_spec, target.endpoint), 0, 0, 0, 0 },
	/* Checked once the client type is known (see client_parameters). */
	{ "parameters", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	/* Old tool: the uploaded Python script and its output; hpcbench load replaces both. */
	{ "script", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "output", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ 0 },
};

/* ---- services ---- */

struct loader {
	struct schema s;
	struct strbuf *err;
	struct recipe *r;
};

/* "chroma, generic, ..." of the registered service types (or client types). */
static void known_types(struct strbuf *sb, bool clients)
{
	size_t n = 0;
	const char **names;
	if (clients)
		while (client_types[n])
			n++;
	else
		while (service_types[n])
			n++;
	names = xcalloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = clients ? client_types[i]->name : service_types[i]->name;
	schema_join(sb, names);
	free(names);
}

/*
 * "BEFORE'NAME'AFTER (did you mean 'x'?); known types: ..."; NULL before/after: "unknown
 * service type 'NAME'".
 */
static void unknown_type(struct loader *L, const struct rnode *at, const char *name, bool clients,
			 const char *before, const char *after)
{
	struct strbuf known = STRBUF_INIT, msg = STRBUF_INIT;
	const char **names = NULL;
	const char *near;
	size_t n = 0, alloc = 0;
	/* Client types are also found by their aliases (a service type's name). */
	for (size_t i = 0; clients ? client_types[i] != NULL : service_types[i] != NULL; i++) {
		ALLOC_GROW(names, n + 2, alloc);
		names[n++] = clients ? client_types[i]->name : service_types[i]->name;
		for (const char *const *a = clients ? client_types[i]->aliases : NULL; a && *a;
		     a++) {
			ALLOC_GROW(names, n + 2, alloc);
			names[n++] = *a;
		}
	}
	names[n] = NULL;
	near = suggest_nearest(name, names);
	known_types(&known, clients);
	if (!before)
		before = clients ? "unknown client type " : "unknown service type ";
	strbuf_addf(&msg, "%s'%s'%s", before, name, after ? after : "");
	if (near)
		strbuf_addf(&msg, " (did you mean '%s'?)", near);
	schema_error(&L->s, &at->pos, "%s; known types: %s", msg.buf, known.buf);
	strbuf_release(&msg);
	free(names);
	strbuf_release(&known);
}

/* An apptainer job needs an image when its type has none (generic; clients). */
static void need_image(struct loader *L, const struct rnode *node, const char *what,
		       const char *name, const char *image, const struct container *c)
{
	if (image || c->image_path || c->docker_source)
		return;
	schema_error(&L->s, &node->pos,
		     "%s '%s' runs in apptainer but names no image: set container.image_path, "
		     "container.docker_source or container_image, or use runtime: native",
		     what, name ? name : "?");
}

/* Fills sv from node. what: "service" or "monitoring"; default_type: for monitoring. */
static void service_load(struct loader *L, struct rnode *node, struct service_spec *sv,
			 const char *what, const char *default_type)
{
	const struct rnode *tn = rnode_get(node, "type"), *nn = rnode_get(node, "name");
	const char *tname = NULL;
	const struct rnode *tat = NULL;

	sv->pos = node->pos;
	sv->node = node;
	sv->runtime = RUNTIME_APPTAINER;
	sv->cadvisor_port = 8080;
	if (node->kind != RNODE_MAP) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(node, &got);
		schema_error(&L->s, &node->pos, "%s: expected a mapping, got %s%s", what, got.buf,
			     node->kind == RNODE_SEQ && !strcmp(what, "service")
				 ? " (write 'services:' for a list of services)"
				 : "");
		strbuf_release(&got);
		return;
	}
	/* The type comes from `type:`, else from `name:` (the old tool's registry key). */
	if (tn && tn->kind == RNODE_SCALAR && !rnode_is_null(tn)) {
		tname = tn->scalar;
		tat = tn;
	} else if (nn && nn->kind == RNODE_SCALAR && !rnode_is_null(nn)) {
		tname = nn->scalar;
		tat = nn;
	} else {
		tname = default_type;
	}
	sv->type = service_type_find(tname);
	if (!sv->type && tat)
		unknown_type(L, tat, tname, false, tat == nn ? "service " : NULL,
			     tat == nn ? " has no 'type:' and its name is not a service type"
				       : NULL);
	else if (!sv->type)
		schema_error(&L->s, &node->pos, "%s has neither 'name' nor 'type'", what);

	schema_map(&L->s, node, what, what, service_fields, sv->type ? sv->type->keys : NULL, false,
		   !sv->type, sv);
	sv->args_set = rnode_get(node, "args") != NULL;
	sv->health_check.set = rnode_get(node, "health_check") != NULL;
	if (sv->type && !sv->type_name)
		sv->type_name = xstrdup(sv->type->name);
	if (!sv->name && !rnode_get(node, "name") && sv->type)
		sv->name = xstrdup(sv->type->name);
	if (sv->runtime == RUNTIME_APPTAINER && sv->type && !sv->type->default_image)
		need_image(L, node, what, sv->name, sv->container_image, &sv->container);
	if (sv->type && sv->type->validate && sv->type->validate(sv, L->err) < 0)
		L->s.errors++;
}

/* ---- clients ---- */

static const struct service_spec *find_service(const struct recipe *r, const char *name)
{
	for (size_t i = 0; name && i < r->nr_services; i++)
		if (r->services[i].name && !strcmp(r->services[i].name, name))
			return &r->services[i];
	return NULL;
}

/* The load protocol an endpoint URL implies, or NULL. */
static const struct client_type *type_from_url(const char *url)
{
	if (!strncmp(url, "redis://", 8))
		return client_type_find("redis");
	if (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8))
		return client_type_find("http");
	return NULL;
}

/*
 * Decides what a client targets and which load protocol it speaks:
 *   type:                   names the protocol (or an alias such as ollama);
 *   target_service.name:    a service of this recipe (its type gives the protocol), or a
 *                           type name (old client recipes; the service is found at run time);
 *   target_service.id:      a running service; endpoint: a URL or HOST:PORT;
 *   none of these:          the recipe's only service.
 * A client with `command` runs it as-is and needs neither a target nor a protocol.
 */
static void client_resolve(struct loader *L, struct rnode *node, struct client_spec *cl)
{
	const struct rnode *tn = rnode_get(node, "type");
	const struct rnode *tsn = rnode_get(rnode_get(node, "target_service"), "name");
	const struct service_spec *svc = find_service(L->r, cl->target.name);
	char *label = cl->name ? xasprintf("client '%s'", cl->name) : xstrdup("client");
	bool has_command = cl->command != NULL;

	if (cl->target.name && !svc && !service_type_find(cl->target.name) &&
	    !client_type_find(cl->target.name)) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < L->r->nr_services; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "",
				    L->r->services[i].name ? L->r->services[i].name : "?");
		if (sb.len)
			schema_error(&L->s, &tsn->pos,
				     "target_service.name '%s' is neither a service of this recipe "
				     "(%s) nor a service type",
				     cl->target.name, sb.buf);
		else
			unknown_type(L, tsn, cl->target.name, false, "target_service.name ",
				     " is not a service type");
		strbuf_release(&sb);
		goto out;
	}
	if (!cl->target.name && !cl->target.id && !cl->target.endpoint && !has_command) {
		if (L->r->nr_services == 1) {
			svc = &L->r->services[0];
			cl->target.name = xstrdup(svc->name);
		} else if (L->r->nr_services > 1) {
			schema_error(&L->s, &node->pos,
				     "%s has no target and this recipe has %zu services: "
				     "set target_service.name",
				     label, L->r->nr_services);
			goto out;
		} else {
			schema_error(
			    &L->s, &node->pos,
			    "%s has no target: set target_service.name (a service "
			    "type or a service of the recipe), target_service.id or endpoint, "
			    "or give a command",
			    label);
			goto out;
		}
	}

	if (cl->type_name) {
		cl->type = client_type_find(cl->type_name);
		if (!cl->type)
			unknown_type(L, tn, cl->type_name, true, NULL, NULL);
		goto out;
	}
	if (svc && svc->type)
		cl->type = client_type_find(svc->type->name);
	else if (cl->target.name)
		cl->type = client_type_find(cl->target.name);
	else if (cl->target.endpoint)
		cl->type = type_from_url(cl->target.endpoint);
	if (cl->type) {
		cl->type_name = xstrdup(cl->type->name);
	} else if (!has_command) {
		struct strbuf known = STRBUF_INIT;
		known_types(&known, true);
		schema_error(&L->s, &node->pos,
			     "%s: cannot tell which load protocol to use; set 'type:' to "
			     "one of: %s (or give a command)",
			     label, known.buf);
		strbuf_release(&known);
	}
out:
	free(label);
}

/*
 * The old tool's clients ran a Python script that existed only inside their container
 * (`python /app/mysql_benchmark.py --num-connections=10 ...`). A client type that
 * replaces that script (client_type.legacy_scripts) takes the client over: the
 * command goes, the args stay for the type to map onto `hpcbench load` options.
 */
static void legacy_script(struct client_spec *cl)
{
	const char *prog, *script;
	if (!cl->command || cl->type_name || !cl->args.nr)
		return;
	prog = strrchr(cl->command, '/') ? strrchr(cl->command, '/') + 1 : cl->command;
	if (strncmp(prog, "python", 6))
		return;
	script = strrchr(cl->args.items[0], '/') ? strrchr(cl->args.items[0], '/') + 1
						 : cl->args.items[0];
	for (size_t i = 0; client_types[i]; i++)
		for (const char *const *s = client_types[i]->legacy_scripts; s && *s; s++)
			if (!strcmp(*s, script)) {
				cl->legacy = xstrdup(script);
				cl->type_name = xstrdup(client_types[i]->name);
				free(cl->command);
				cl->command = NULL;
				return;
			}
}

/* The interpreters whose first argument is the program they run. */
static bool is_interpreter(const char *prog)
{
	static const char *const names[] = { "python", "bash",	  "sh",	 "node", "perl",
					     "ruby",   "Rscript", "lua", NULL };
	for (size_t i = 0; names[i]; i++)
		if (!strncmp(prog, names[i], strlen(names[i])))
			return true;
	return false;
}

/*
 * A native client whose command names an absolute path that does not exist here (a
 * file of the old tool's container, `python /app/x.py`): the job would fail on the
 * cluster, after the queue wait, with "can't open file". The file may exist only on
 * the compute nodes, so this is a warning, not an error. Relative paths are the job's
 * working folder's business and are not checked.
 */
static void missing_command_file(struct loader *L, struct rnode *node, const struct client_spec *cl)
{
	const struct rnode *cmd = rnode_get(node, "command"), *args = rnode_get(node, "args");
	const char *prog, *file = NULL;
	const struct srcpos *pos = cmd ? &cmd->pos : &node->pos;
	struct strbuf w = STRBUF_INIT;
	if (!cl->command || cl->runtime != RUNTIME_NATIVE || cl->container_image)
		return;
	prog = strrchr(cl->command, '/') ? strrchr(cl->command, '/') + 1 : cl->command;
	if (cl->command[0] == '/' && access(cl->command, X_OK))
		file = cl->command;
	else if (is_interpreter(prog) && cl->args.nr && cl->args.items[0][0] == '/' &&
		 access(cl->args.items[0], R_OK)) {
		file = cl->args.items[0];
		if (args && args->kind == RNODE_SEQ && args->nr)
			pos = &args->children[0]->pos;
	}
	if (!file)
		return;
	if (L->r->warnings)
		strbuf_addf(&w, "%s\n", L->r->warnings);
	strbuf_addf(&w,
		    "%s:%u:%u: warning: client.command: %s %s on this machine; the job fails "
		    "unless the compute nodes have it (a file of the old tool's container?)",
		    pos->file, pos->line, pos->col, file,
		    file == cl->command ? "is not an executable file" : "does not exist");
	free(L->r->warnings);
	L->r->warnings = strbuf_detach(&w, NULL);
}

/*
 * A client type whose load protocol this build lacks: the job would answer "unknown
 * protocol" on the cluster, after the queue wait, so validation refuses it now.
 */
static void no_protocol(struct loader *L, struct rnode *node, const struct client_spec *cl)
{
	const struct rnode *tn = rnode_get(node, "type");
	struct strbuf known = STRBUF_INIT;
	for (size_t i = 0; load_protos[i]; i++)
		strbuf_addf(&known, "%s%s", i ? ", " : "", load_protos[i]->name);
	schema_error(&L->s, tn ? &tn->pos : &node->pos,
		     "client type '%s' cannot run yet: this build has no 'hpcbench load %s' "
		     "protocol (it has: %s); give a command instead",
		     cl->type->name, cl->type->name, known.buf);
	strbuf_release(&known);
}

static void client_load(struct loader *L, struct rnode *node, struct client_spec *cl)
{
	const struct rnode *params = rnode_get(node, "parameters");
	const struct rnode *ep = rnode_get(node, "endpoint");

	cl->pos = node->pos;
	cl->node = node;
	cl->runtime = RUNTIME_NATIVE;
	if (node->kind != RNODE_MAP) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(node, &got);
		schema_error(&L->s, &node->pos, "client: expected a mapping, got %s%s", got.buf,
			     node->kind == RNODE_SEQ ? " (write 'clients:' for a list of clients)"
						     : "");
		strbuf_release(&got);
		return;
	}
	schema_map(&L->s, node, "client", "client", client_fields, NULL, false, false, cl);
	cl->args_set = rnode_get(node, "args") != NULL;
	if (ep && rnode_get(rnode_get(node, "target_service"), "endpoint"))
		schema_error(&L->s, &ep->pos,
			     "client.endpoint: give the endpoint once (here or in "
			     "target_service.endpoint)");
	/* The old tool let parameters.endpoint override endpoint resolution. */
	if (!cl->target.endpoint && params && params->kind == RNODE_MAP &&
	    rnode_str(params, "endpoint") && !rnode_is_null(rnode_get(params, "endpoint")))
		cl->target.endpoint = xstrdup(rnode_str(params, "endpoint"));
	legacy_script(cl);
	missing_command_file(L, node, cl);
	client_resolve(L, node, cl);
	if (cl->type && !cl->command && !load_proto_find(cl->type->name))
		no_protocol(L, node, cl);
	if (!cl->name)
		cl->name = xasprintf("%s_benchmark", cl->target.name ? cl->target.name
						     : cl->type_name ? cl->type_name
								     : "client");

	if (params && !rnode_is_null(params)) {
		char *what = cl->type ? xasprintf("parameters of client type '%s'", cl->type->name)
				      : xstrdup("parameters");
		/* Without a protocol (a command client) the parameters are not interpreted. */
		schema_map(&L->s, params, "parameters", what, NULL,
			   cl->type ? cl->type->keys : NULL, true, !cl->type, NULL);
		free(what);
		if (params->kind == RNODE_MAP)
			cl->parameters = (struct rnode *)params;
	}
	if (cl->runtime == RUNTIME_APPTAINER)
		need_image(L, node, "client", cl->name, cl->container_image, &cl->container);
	if (cl->type && cl->type->validate && cl->type->validate(cl, L->err) < 0)
		L->s.errors++;
}

/* ---- the whole recipe ---- */

struct top {
	struct rnode *service, *services, *client, *clients, *monitoring;
};

static int keep_node(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	(void)s;
	(void)label;
	*(const struct rnode **)dst = v;
	return 0;
}

static const struct field top_fields[] = {
	{ "service", FIELD_CUSTOM, offsetof(struct top, service), 0, 0, 0, keep_node },
	{ "services", FIELD_CUSTOM, offsetof(struct top, services), 0, 0, 0, keep_node },
	{ "client", FIELD_CUSTOM, offsetof(struct top, client), 0, 0, 0, keep_node },
	{ "clients", FIELD_CUSTOM, offsetof(struct top, clients), 0, 0, 0, keep_node },
	{ "monitoring", FIELD_CUSTOM, offsetof(struct top, monitoring), 0, 0, 0, keep_node },
	{ 0 },
};

/*
 * The nodes of `one:` and `many:` as an array: one mapping, or the items of a list.
 * Reports both given, or a `many:` that is not a list. Caller frees the array.
 */
static struct rnode **sections(struct loader *L, struct rnode *one, struct rnode *many,
			       const char *one_name, const char *many_name, size_t *nr)
{
	struct rnode **out;
	*nr = 0;
	if (one && rnode_is_null(one))
		one = NULL;
	if (many && rnode_is_null(many))
		many = NULL;
	if (one && many) {
		schema_error(&L->s, &many->pos, "use either '%s:' or '%s:', not both", one_name,
			     many_name);
		return NULL;
	}
	if (many && many->kind != RNODE_SEQ) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(many, &got);
		schema_error(&L->s, &many->pos, "%s: expected a list of %s mappings, got %s",
			     many_name, one_name, got.buf);
		strbuf_release(&got);
		return NULL;
	}
	if (one) {
		out = xcalloc(1, sizeof(*out));
		out[0] = one;
		*nr = 1;
		return out;
	}
	if (!many || !many->nr)
		return NULL;
	out = xcalloc(many->nr, sizeof(*out));
	for (size_t i = 0; i < many->nr; i++)
		out[i] = many->children[i];
	*nr = many->nr;
	return out;
}

/* Names must be unique: they name the jobs and their folders. */
static void check_unique_names(struct loader *L)
{
	struct named {
		const char *name;
		const struct rnode *node;
	} * all;
	size_t n = 0;
	struct recipe *r = L->r;
	all = xcalloc(r->nr_services + r->nr_clients + 1, sizeof(*all));
	for (size_t i = 0; i < r->nr_services; i++)
		all[n++] = (struct named){ r->services[i].name, r->services[i].node };
	if (r->monitoring)
		all[n++] = (struct named){ r->monitoring->name, r->monitoring->node };
	for (size_t i = 0; i < r->nr_clients; i++)
		all[n++] = (struct named){ r->clients[i].name, r->clients[i].node };
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct rnode *at;
			if (!all[i].name || !all[j].name || strcmp(all[i].name, all[j].name))
				continue;
			at = rnode_get(all[i].node, "name");
			if (!at)
				at = all[i].node;
			schema_error(
			    &L->s, &at->pos,
			    "duplicate name '%s' (also used at line %u); give each job its "
			    "own name",
			    all[i].name, all[j].node->pos.line);
			break;
		}
	}
	free(all);
}

/* Position of an error line "PATH:LINE:COL: ..." (0:0 if it has another shape). */
static void line_pos(const char *line, size_t plen, unsigned long *l, unsigned long *c)
{
	char *end;
	*l = *c = 0;
	if (line[plen] != ':')
		return;
	*l = strtoul(line + plen + 1, &end, 10);
	if (*end == ':')
		*c = strtoul(end + 1, NULL, 10);
}

struct err_line {
	char *text;
	unsigned long line, col;
	size_t seq;
};

static int err_line_cmp(const void *a, const void *b)
{
	const struct err_line *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Checks run section by section (cross checks last); users read errors top to bottom.
 * Sorts the lines that this load appended to err (from offset start) by position, and
 * drops repeated lines.
 */
static void sort_errors(struct strbuf *err, size_t start, const char *path)
{
	struct err_line *lines = NULL;
	size_t n = 0, alloc = 0, plen = strlen(path);
	char *copy, *save = NULL;
	if (err->len <= start)
		return;
	copy = xstrdup(err->buf + start + (err->buf[start] == '\n'));
	for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		ALLOC_GROW(lines, n + 1, alloc);
		lines[n].text = t;
		lines[n].seq = n;
		if (!strncmp(t, path, plen))
			line_pos(t, plen, &lines[n].line, &lines[n].col);
		else
			lines[n].line = lines[n].col = 0;
		n++;
	}
	qsort(lines, n, sizeof(*lines), err_line_cmp);
	strbuf_setlen(err, start);
	/* A value copied by YAML aliases is checked once per copy: say it once. */
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(lines[i].text, lines[i - 1].text))
			error(err, "%s", lines[i].text);
	free(lines);
	free(copy);
}

struct recipe *recipe_load(const char *path, const struct config *cfg, struct strbuf *err)
{
	struct recipe *r = xcalloc(1, sizeof(*r));
	struct loader L = { .s = { .err = err }, .err = err, .r = r };
	struct top top = { 0 };
	struct rnode **nodes = NULL;
	size_t n, start;

	(void)cfg; /* defaults from the config apply when rendering, not when validating */
	r->path = xstrdup(path);
	start = err->len;
	if (rnode_load_file_max(path, r->path, FILE_MAX_RECIPE, "recipe", &r->root, err) < 0) {
		L.s.errors++;
		if (!r->root)
			goto fail;
	}
	if (!r->root) {
		error(err,
		      "%s:1:1: empty recipe: expected service:, client:, services: or clients:",
		      r->path);
		goto fail;
	}
	if (r->root->kind != RNODE_MAP) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(r->root, &got);
		schema_error(&L.s, &r->root->pos,
			     "expected a mapping with service:, client:, services: or clients: at "
			     "the top level, got %s",
			     got.buf);
		strbuf_release(&got);
		goto fail;
	}
	schema_map(&L.s, r->root, NULL, "the recipe", top_fields, NULL, false, false, &top);

	nodes = sections(&L, top.service, top.services, "service", "services", &n);
	r->services = xcalloc(n ? n : 1, sizeof(*r->services));
	for (size_t i = 0; i < n; i++)
		service_load(&L, nodes[i], &r->services[r->nr_services++], "service", NULL);
	free(nodes);
	if (top.monitoring && !rnode_is_null(top.monitoring)) {
		r->monitoring = xcalloc(1, sizeof(*r->monitoring));
		service_load(&L, top.monitoring, r->monitoring, "monitoring", "prometheus");
	}
	nodes = sections(&L, top.client, top.clients, "client", "clients", &n);
	r->clients = xcalloc(n ? n : 1, sizeof(*r->clients));
	for (size_t i = 0; i < n; i++)
		client_load(&L, nodes[i], &r->clients[r->nr_clients++]);
	free(nodes);

	if (!L.s.errors && !r->nr_services && !r->nr_clients)
		schema_error(&L.s, &r->root->pos,
			     "the recipe has no service and no client (expected service:, client:, "
			     "services: or clients:)");
	check_unique_names(&L);
	if (L.s.errors)
		goto fail;
	return r;
fail:
	sort_errors(err, start, r->path);
	recipe_free(r);
	return NULL;
}

static void resources_release(struct resources *res)
{
	free(res->time);
	free(res->partition);
	free(res->qos);
	free(res->account);
	free(res->mem);
	free(res->gres);
}

static void container_release(struct container *c)
{
	free(c->docker_source);
	free(c->image_path);
	strlist_clear(&c->bind_mounts);
	strlist_clear(&c->build_commands);
}

static void service_release(struct service_spec *sv)
{
	free(sv->name);
	free(sv->type_name);
	free(sv->description);
	free(sv->container_image);
	container_release(&sv->container);
	free(sv->command);
	strlist_clear(&sv->args);
	resources_release(&sv->resources);
	kvlist_clear(&sv->environment);
	free(sv->ports);
	free(sv->health_check.endpoint);
	strlist_clear(&sv->setup);
	free(sv->script);
}

static void client_release(struct client_spec *cl)
{
	free(cl->name);
	free(cl->type_name);
	free(cl->description);
	free(cl->container_image);
	container_release(&cl->container);
	free(cl->command);
	free(cl->legacy);
	strlist_clear(&cl->args);
	resources_release(&cl->resources);
	kvlist_clear(&cl->environment);
	free(cl->target.name);
	free(cl->target.id);
	free(cl->target.endpoint);
}

void recipe_free(struct recipe *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nr_services; i++)
		service_release(&r->services[i]);
	free(r->services);
	if (r->monitoring)
		service_release(r->monitoring);
	free(r->monitoring);
	for (size_t i = 0; i < r->nr_clients; i++)
		client_release(&r->clients[i]);
	free(r->clients);
	free(r->warnings);
	rnode_free(r->root);
	free(r->path);
	free(r);
}
