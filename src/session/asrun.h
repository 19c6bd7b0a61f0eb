/*
 * recipe.yaml of a run folder (docs/architecture.md): the recipes of a session as run, in one
 * YAML document that `hpcbench validate` and `hpcbench run` accept again. Services and
 * clients of every recipe are gathered under `services:` / `clients:`; each one's
 * `resources` carries the config's slurm defaults (account, partition, qos, time, nodes,
 * ntasks, ntasks_per_node) where the recipe left them out. Values of secret-looking keys
 * (password, secret, token, api_key) are replaced: secrets travel only in 0600 side files.
 * Owned by src/session/.
 */
#ifndef HPCBENCH_SESSION_ASRUN_H
#define HPCBENCH_SESSION_ASRUN_H

#include <stddef.h>

#include "common/strbuf.h"

struct config;
struct recipe;

/* Appends the document to out. header: comment lines to put first (may be NULL). */
void recipe_as_run(struct strbuf *out, struct recipe *const *recipes, size_t nr,
		   const struct config *cfg, const char *header);

#endif
