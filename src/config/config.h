/*
 * The user's config (docs/config.md): where the cluster is and the SLURM defaults.
 * Found at --config, else $HPCBENCH_CONFIG, else $XDG_CONFIG_HOME/hpcbench/config.yaml
 * (~/.config/... when XDG_CONFIG_HOME is unset). A missing default file is fine (local
 * defaults); a missing file named by --config or $HPCBENCH_CONFIG is an error.
 * Keys and their meaning: docs/config.md. Owned by src/config/.
 */
#ifndef HPCBENCH_CONFIG_CONFIG_H
#define HPCBENCH_CONFIG_CONFIG_H

#include "common/strbuf.h"
#include "common/strlist.h"

struct config {
	char *path; /* the file that was loaded, or NULL when none */
	struct {
		char *hostname; /* NULL: no remote cluster */
		char *username;
		unsigned port;	    /* 0: ssh's default (or ~/.ssh/config) */
		char *key_filename; /* ~ expanded */
		char *remote_bin;   /* hpcbench on the login/compute nodes; NULL = default */
	} hpc;
	struct {
		char *account, *partition, *qos, *time;	 /* NULL when not set */
		unsigned nodes, ntasks, ntasks_per_node; /* 0 when not set */
	} slurm;
	struct strlist modules; /* `module load` lines before each job */
	char *workdir;		/* where run folders live; NULL = default */
	struct {
		char *cache;		      /* where SIF images are kept */
		char *base_path;	      /* old tool: prefix for relative container_image */
		struct kvlist docker_sources; /* old tool: service type -> docker://... fallback */
	} containers;
};

/*
 * Loads and validates the config. path: --config value or NULL for the lookup order.
 * Returns a config (never NULL on success, defaults when no file), or NULL with every
 * problem as FILE:LINE:COL: message lines in err. Caller frees with config_free().
 */
struct config *config_load(const char *path, struct strbuf *err);
void config_free(struct config *cfg);

#endif
