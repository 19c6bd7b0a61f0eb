/*
 * Recipes (docs/recipes.md): YAML -> a plain model, validated strictly.
 * Owned by src/recipe/. Service and client types (src/service/) validate their own
 * keys through the hooks in service/service.h.
 */
#ifndef HPCBENCH_RECIPE_RECIPE_H
#define HPCBENCH_RECIPE_RECIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "common/strlist.h"
#include "recipe/rnode.h"

struct config;
struct service_type;
struct client_type;

/* SLURM resources; unset fields are NULL/0 and fall back to config, then defaults. */
struct resources {
	char *time;	 /* as written, validated by parse_slurm_time */
	uint64_t time_s; /* parsed; 0 when unset */
	char *partition, *qos, *account;
	unsigned nodes, ntasks, ntasks_per_node, cpus_per_task;
	char *mem;	 /* as written, validated by parse_mem_mb */
	uint64_t mem_mb; /* parsed; 0 when unset */
	char *gres;	 /* e.g. "gpu:1"; a gpu gres implies apptainer --nv */
};

struct health_check {
	bool set;	    /* the recipe had a health_check block */
	char *endpoint;	    /* tcp://, http(s)://, redis://, cmd:..., or NULL = type default */
	unsigned timeout_s; /* total time to wait for readiness; 0 = default */
	unsigned retries;   /* old-tool key; kept */
	double interval_s;  /* between probes; 0 = default */
};

struct container {
	char *docker_source;	    /* docker://..., pulled into image_path when missing */
	char *image_path;	    /* SIF path; NULL = container_image (+ containers.cache) */
	struct strlist bind_mounts; /* "src:dst[:opts]" */
	bool force_rebuild;
	struct strlist build_commands; /* old client key: %post lines of a definition file */
};

enum runtime { RUNTIME_APPTAINER, RUNTIME_NATIVE };

struct service_spec {
	struct srcpos pos; /* of the service mapping */
	char *name;	   /* job name base; also the type when `type` is absent */
	char *type_name;
	const struct service_type *type; /* resolved, never NULL after a successful load */
	char *description;
	char *container_image;
	struct container container;
	enum runtime runtime;
	char *command;	     /* NULL = the type's default */
	struct strlist args; /* may be empty; args_set tells whether the recipe gave it */
	bool args_set;
	struct resources resources;
	struct kvlist environment;
	unsigned *ports;
	size_t nr_ports; /* ports[0] is the preferred port */
	bool enable_cadvisor;
	unsigned cadvisor_port; /* default 8080 */
	struct health_check health_check;
	struct strlist setup; /* generic: lines run before the server starts */
	char *script;	      /* path of a script whose text replaces the generated body */
	struct rnode *node;   /* the whole service mapping (type-specific keys live here) */
};

struct client_target {
	char *name;	/* target_service.name: a service of this recipe, or a type name */
	char *id;	/* target_service.id: a running service's id (NAME_XXXXXXXX) */
	unsigned port;	/* target_service.port; 0 = the service's */
	char *endpoint; /* target_service.endpoint or client.endpoint: a URL / HOST:PORT */
};

struct client_spec {
	struct srcpos pos;
	char *name;
	char *type_name;		/* load protocol; defaults from target_service.name */
	const struct client_type *type; /* resolved; NULL only when command is given */
	char *description;
	char *container_image;
	struct container container;
	enum runtime runtime; /* clients default to native: they run hpcbench itself */
	char *command;	      /* command/args: run as-is instead of `hpcbench load` */
	char *legacy;	      /* the old tool's script that command ran, now built in; its
				 args stay in args for the type to map (service.h) */
	struct strlist args;
	bool args_set;
	struct resources resources;
	struct kvlist environment;
	uint64_t duration_s; /* 0 = not given */
	unsigned repeat;     /* independent trials of each point (`hpcbench load --repeat`);
				0 = not given (one) */
	unsigned replicas;   /* load generators run together and merged; 0 or 1 = one */
	struct client_target target;
	struct rnode *parameters; /* MAP or NULL */
	struct rnode *node;	  /* the whole client mapping */
};

struct recipe {
	char *path;
	struct service_spec *services;
	size_t nr_services;
	struct client_spec *clients;
	size_t nr_clients;
	/*
	 * The old tool's top-level `monitoring:` section (a Prometheus service beside the
	 * recipe's services; the old tool ignored it). Validated like a service whose type
	 * defaults to prometheus; NULL when absent.
	 */
	struct service_spec *monitoring;
	struct rnode *root;
	/*
	 * Problems that do not stop the recipe but will likely stop its job, one per line
	 * as "FILE:LINE:COL: warning: message"; NULL if none. validate and run print them.
	 */
	char *warnings;
};

/*
 * Loads and validates a recipe file (keys and rules: docs/recipes.md). On success every
 * service has its type resolved; every client has its type resolved unless it runs its
 * own `command`, and a target (target.name/id/endpoint) unless it runs a command. On
 * error returns NULL and appends *every* problem found, one per line, sorted by position,
 * as "FILE:LINE:COL: message" (FILE as given in path). cfg may be NULL (unused for now:
 * config defaults apply when rendering). The recipe owns everything it points to,
 * including the rnode tree that node/parameters point into; free with recipe_free().
 */
struct recipe *recipe_load(const char *path, const struct config *cfg, struct strbuf *err);
void recipe_free(struct recipe *r);

/*
 * Appends "FILE:LINE:COL: msg" to err (one line) and returns -1. For type hooks that
 * validate their own keys: a hook that added errors returns -1 (recipe_load then fails).
 */
int recipe_error(struct strbuf *err, const struct srcpos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
