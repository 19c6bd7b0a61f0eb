/*
 * What a service or client type contributes to its job script (the `render` member of
 * service_type / client_type in recipe/type.h). Owned by src/script/; the types in
 * src/service/ fill these tables. A NULL member means "nothing special".
 *
 * Shell words: every string added to argv/tail is ONE shell word, already quoted (use
 * svc_arg_value() for recipe values, svc_arg_raw() for words that refer to script
 * variables such as "$HPCBENCH_PORT"). Lines added to setup/post_ready are bash code.
 * Script variables available to all of them: JOB_DIR, RUN_DIR, HPCBENCH_PORT,
 * HPCBENCH_BIND_ADDR (the address to listen on), HB_RUN (an array: the runtime prefix,
 * "apptainer exec ... IMAGE" or empty for native).
 */
#ifndef HPCBENCH_SCRIPT_HOOKS_H
#define HPCBENCH_SCRIPT_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "common/strlist.h"

struct recipe;
struct render_opts;
struct job;
struct job_plan;
struct service_spec;
struct client_spec;

struct svc_build {
	const struct service_spec *s;
	const struct recipe *r;
	const struct render_opts *o;
	const struct job_plan *plan; /* jobs rendered so far (services before this one) */
	struct job *job;	     /* side files go here (job_add_file) */
	bool custom_command;	     /* the recipe named another command: argv/tail are not used */
	const char *command;	     /* the server program the job runs (owned by the renderer) */
	struct strlist argv;	     /* words after the command, before the recipe's args */
	struct strlist tail;	     /* words after the recipe's args */
	/*
	 * bash: before the port is chosen: long preparation (data initialisation, waiting
	 * for another service), which must not hold the node's port lock.
	 */
	struct strbuf prepare;
	struct strbuf setup;	  /* bash: after the port is chosen, before the server starts */
	struct strbuf probe;	  /* bash: a command that succeeds once ready (type default) */
	struct strbuf post_ready; /* bash: once ready, before endpoint.json */
};

struct service_render {
	const char *command; /* the server command when the recipe names none */
	/*
	 * Other names of the same server, pairs {name, instead}: a recipe command whose
	 * file name is `name` (any folder) is this server and gets everything the type
	 * manages (data folder, port, --no-defaults...); `instead`, when not NULL, is the
	 * program run in its place from the same folder ({"pg_ctl", "postgres"}).
	 */
	const char *const *server_names;
	const char *const *args; /* default args when the recipe gives none */
	/*
	 * Options the type sets itself (port, data folder, ...): recipe args matching them
	 * are dropped, with a comment in the script. "--port" matches "--port" (and the
	 * word after it) and "--port=..."; "*.conf" matches any word ending in ".conf".
	 */
	const char *const *owned_args;
	const char *url_scheme; /* endpoint url scheme; NULL = "http" */
	/* The LLM API it serves (`hpcbench load llm --api`), or NULL: not an LLM server. */
	const char *llm_api;
	/* Answers PromQL (/api/v1/query): Grafana's datasource when the recipe has one, and
	 * the source of the clients' server metrics (docs/monitoring.md). */
	bool promql;
	/*
	 * The `hpcbench load --server-metrics` SPEC that reads this server's own metrics, as
	 * a double-quoted shell word over $HPCBENCH_TARGET_HOST/PORT; used by a client of
	 * a recipe without Prometheus. NULL: none without credentials.
	 */
	const char *metrics_source;
	/* Probe path rewrites, pairs {from, to, ..., NULL} (old recipes' paths). */
	const char *const *probe_rewrite;
	unsigned probe_timeout_s; /* readiness default when health_check gives none */
	/*
	 * Folders (shell globs) where packages install `command` and its companion programs
	 * off a user's PATH, e.g. Debian's /usr/lib/postgresql/VERSION/bin (VERSION a star).
	 * A native job whose command is not on PATH appends the newest matching folder that
	 * holds it. NULL-terminated, or NULL.
	 */
	const char *const *native_dirs;
	/* Adds argv/tail words, setup lines, side files. 0, or -1 with a reason in err. */
	int (*build)(struct svc_build *b, struct strbuf *err);
};

/* How a client type names its target on the `hpcbench load` command line. */
enum target_form {
	TARGET_HOSTPORT, /* "$HPCBENCH_TARGET_HOST:$HPCBENCH_TARGET_PORT" */
	TARGET_URL,	 /* "$HPCBENCH_TARGET_URL" (http://host:port) */
	TARGET_SQL_URL,	 /* mysql://host:port or postgres://host:port */
};

struct client_build {
	const struct client_spec *c;
	const struct render_opts *o;
	/* The target's service type when known (a service of the recipe, or implied by the
	 * target's name), or NULL. */
	const struct service_type *target_type;
	/* The target when it is a service of this recipe (its job folder is $HB_TARGET_DIR). */
	const struct service_spec *target_service;
	struct job *job;
	struct strlist opts;	     /* extra words for `hpcbench load` (already quoted) */
	struct strbuf target_suffix; /* appended to the target word (http: the path) */
};

struct client_render {
	enum target_form target;
	/* `hpcbench load` sweeps connection counts itself (--sweep concurrency=...). */
	bool sweeps_concurrency;
	/* Adds type-specific words. 0, or -1 with a reason in err. */
	int (*build)(struct client_build *b, struct strbuf *err);
};

/* Appends s for use inside a comment line: newlines as "\\n", other controls as '?'. */
void comment_text(struct strbuf *sb, const char *s);
/* Scalar parameter of a client (c->parameters[key]) or NULL. */
const char *client_param(const struct client_spec *c, const char *key);

/* Appends a recipe value as one shell word ($NAME/${NAME} expand, the rest literal). */
void svc_arg_value(struct strlist *l, const char *value);
/* Appends a word that is already valid shell (e.g. "\"$JOB_DIR/data\""). */
void svc_arg_raw(struct strlist *l, const char *word);
/* Appends "--opt" and the recipe value as two words. */
void svc_arg_opt(struct strlist *l, const char *opt, const char *value);
/* Adds a side file (copied) to job; JOB_DIR/name, written before the script runs. */
void job_add_file(struct job *job, const char *name, const char *content, size_t len, mode_t mode);
/*
 * Scalar value of a type-specific key of the service (s->node), else the value of
 * environment variable env (old recipes) when env is not NULL, else NULL.
 */
const char *svc_key(const struct service_spec *s, const char *key, const char *env);

#endif
