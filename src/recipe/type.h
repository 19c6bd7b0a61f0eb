/*
 * The interface of a service or client type: what a recipe may say about it (its keys,
 * defaults, validation) and, through opaque pointers, how src/script/ renders it. Below
 * both recipe loading and the types themselves, so that the include graph points one
 * way: the types (one file each) and their registry live in src/service/ (registry.c
 * defines the lookups and arrays declared here). A NULL hook means the default.
 */
#ifndef HPCBENCH_RECIPE_TYPE_H
#define HPCBENCH_RECIPE_TYPE_H

#include <stdbool.h>

#include "common/schema.h"
#include "common/strbuf.h"

struct service_spec;
struct client_spec;

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
/*
 * A client's `parameters` checked by its load protocol's own option parser, as the job
 * would run `hpcbench load PROTOCOL ... --OPTION VALUE`: a value the protocol refuses
 * (`ratio: "x"`, `method: "GE T"`) fails `validate` and `run` before anything is
 * submitted. Every parameter that maps to a load option (type_key.option) goes through
 * the protocol's option hook or the core option parser; each value of a sweep list is
 * checked alone. Skipped: secrets (TK_SECRET), job-side paths (TK_PATH), flags, values
 * naming shell variables ($X, expanded in the job) and keys the type maps itself.
 * Appends "FILE:LINE:COL: parameters.KEY: reason" per refused value; returns the count.
 * Implemented by src/service/client-params.c, like the lookups above by the registry.
 */
unsigned client_params_check(const struct client_spec *c, struct strbuf *err);
/* NULL-terminated registries, sorted by name. */
extern const struct service_type *const service_types[];
extern const struct client_type *const client_types[];

#endif
