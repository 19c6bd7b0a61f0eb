/*
 * Service and client types: one file per type, each a const table; registry.c lists
 * them. A NULL hook means the default behaviour. Owned by src/service/.
 */
#ifndef HPCBENCH_SERVICE_SERVICE_H
#define HPCBENCH_SERVICE_SERVICE_H

#include <stdbool.h>

#include "common/strbuf.h"

struct service_spec;
struct client_spec;

/* The kind of value a type-specific recipe key takes. */
enum key_kind { KEY_STRING, KEY_INT, KEY_BOOL, KEY_LIST, KEY_MAP, KEY_ANY };

/* type_key.flags */
enum {
	TK_SWEEP = 1 << 0,    /* client parameter: a comma list or sequence runs once per value */
	TK_SECRET = 1 << 1,   /* travels in a 0600 side file, never in a script or command line */
	TK_IGNORED = 1 << 2,  /* accepted for old recipes, no effect */
	TK_REQUIRED = 1 << 3, /* must be present */
};

struct type_key {
	const char *name;
	enum key_kind kind;
	const char *help;   /* one line, for docs and --help */
	const char *option; /* client parameters: the `hpcbench load` option it maps to, or NULL */
	unsigned flags;	    /* TK_* */
};

struct service_type {
	const char *name;
	const char *description;   /* one line, for `hpcbench list services` */
	const char *default_image; /* SIF file name, e.g. "redis_latest.sif" */
	const char *docker_source; /* e.g. "docker://redis:7-alpine" */
	unsigned default_port;
	const char *default_probe;   /* readiness probe, e.g. "redis://", "http:///api/tags" */
	const struct type_key *keys; /* type-specific recipe keys, terminated by {NULL} */
	/* Checks type-specific keys (already kind-checked); appends errors. NULL = none. */
	int (*validate)(const struct service_spec *s, struct strbuf *err);
	/* Rendering hooks are declared by src/script/ (see script/render.h). */
	const struct service_render *render;
};

struct client_type {
	const char *name; /* load protocol name: redis, http, llm, sql, chroma ... */
	const char *description;
	const char *const *aliases; /* target_service.name values that select it, NULL-terminated */
	/*
	 * The old tool's client scripts this type replaces (file names, NULL-terminated):
	 * a client whose command runs one (`python /app/mysql_benchmark.py ...`) runs the
	 * built-in client instead, its args mapped by render->build (client_spec.legacy).
	 */
	const char *const *legacy_scripts;
	const struct type_key *keys; /* accepted `parameters` keys, terminated by {NULL} */
	int (*validate)(const struct client_spec *c, struct strbuf *err);
	const struct client_render *render;
	/*
	 * Most requests/s one load-generator thread was measured to send (bench/RESULTS.md,
	 * with the conditions there), or 0 when not measured: `run` warns when a client's
	 * open-loop rate per replica and thread is above it (docs/scaling.md).
	 */
	double one_thread_max_rps;
};

/* Lookup by name; NULL if unknown. */
const struct service_type *service_type_find(const char *name);
/* Lookup by client type name or alias (e.g. target "ollama" -> llm); NULL if unknown. */
const struct client_type *client_type_find(const char *name);
/* The entry for name in a {NULL}-terminated key table, or NULL. */
const struct type_key *type_key_find(const struct type_key *keys, const char *name);
/* NULL-terminated registries, sorted by name. */
extern const struct service_type *const service_types[];
extern const struct client_type *const client_types[];

#endif
