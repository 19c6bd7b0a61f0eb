/* The parts every job script shares: #SBATCH header, preamble, environment, runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/shquote.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "config/config.h"
#include "script/hooks.h"
#include "script/jobparts.h"
#include "script/shlib.h"

#define DEFAULT_TIME_S 3600

/* SLURM --time value: "01:00:00", "2-00:00:00", "UNLIMITED". */
static void sbatch_time(struct strbuf *sb, uint64_t s)
{
	if (s == UINT64_MAX) {
		strbuf_addstr(sb, "UNLIMITED");
		return;
	}
	if (s >= 86400)
		strbuf_addf(sb, "%llu-%02llu:%02llu:%02llu", (unsigned long long)(s / 86400),
			    (unsigned long long)(s % 86400 / 3600),
			    (unsigned long long)(s % 3600 / 60), (unsigned long long)(s % 60));
	else
		strbuf_addf(sb, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			    (unsigned long long)(s % 3600 / 60), (unsigned long long)(s % 60));
}

uint64_t job_time_limit(const struct resources *res, const struct config *cfg)
{
	uint64_t t;
	if (res->time_s)
		return res->time_s;
	if (cfg && cfg->slurm.time && !parse_slurm_time(cfg->slurm.time, &t) && t)
		return t;
	return DEFAULT_TIME_S;
}

/*
 * One #SBATCH line. SLURM reads the value literally up to the end of the line, so it
 * must be one plain word: a newline would end the comment and run the rest as shell.
 */
static int directive(struct strbuf *sb, const char *opt, const char *v, const struct srcpos *pos,
		     struct strbuf *err)
{
	if (!v || !*v)
		return 0;
	if (v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			"_.,:=+%@/()-")]) {
		struct strbuf shown = STRBUF_INIT;
		comment_text(&shown, v);
		recipe_error(err, pos, "resources: '%s' is not a valid --%s value for SLURM",
			     shown.buf, opt);
		strbuf_release(&shown);
		return -1;
	}
	strbuf_addf(sb, "#SBATCH --%s=%s\n", opt, v);
	return 0;
}

static void directive_u(struct strbuf *sb, const char *opt, unsigned v)
{
	if (v)
		strbuf_addf(sb, "#SBATCH --%s=%u\n", opt, v);
}

int sbatch_header(struct strbuf *sb, const struct job *job, const struct resources *res,
		  const struct srcpos *pos, const struct render_opts *o, struct strbuf *err)
{
	const struct config *cfg = o->cfg;
	struct strbuf t = STRBUF_INIT;
	int ret = 0;

	strbuf_addstr(sb, "#!/bin/bash\n");
	strbuf_addf(sb, "#SBATCH --job-name=%s\n", job->slurm_name);
	strbuf_addf(sb, "#SBATCH --output=%s/%s/out.log\n", o->run_dir, job->id);
	strbuf_addf(sb, "#SBATCH --error=%s/%s/err.log\n", o->run_dir, job->id);
	sbatch_time(&t, job->time_limit_s);
	strbuf_addf(sb, "#SBATCH --time=%s\n", t.buf);
	ret |= directive(sb, "account",
			 res->account ? res->account
			 : cfg	      ? cfg->slurm.account
				      : NULL,
			 pos, err);
	ret |= directive(sb, "partition",
			 res->partition ? res->partition
			 : cfg		? cfg->slurm.partition
					: NULL,
			 pos, err);
	ret |= directive(sb, "qos", res->qos ? res->qos : cfg ? cfg->slurm.qos : NULL, pos, err);
	directive_u(sb, "nodes", res->nodes ? res->nodes : cfg ? cfg->slurm.nodes : 0);
	directive_u(sb, "ntasks", res->ntasks ? res->ntasks : cfg ? cfg->slurm.ntasks : 0);
	directive_u(sb, "ntasks-per-node",
		    res->ntasks_per_node ? res->ntasks_per_node
		    : cfg		 ? cfg->slurm.ntasks_per_node
					 : 0);
	directive_u(sb, "cpus-per-task", res->cpus_per_task);
	if (res->mem_mb)
		strbuf_addf(sb, "#SBATCH --mem=%lluM\n", (unsigned long long)res->mem_mb);
	ret |= directive(sb, "gres", res->gres, pos, err);
	strbuf_release(&t);
	return ret ? -1 : 0;
}

void job_preamble(struct strbuf *sb, const struct job *job, const char *kind, const char *type,
		  const struct render_opts *o)
{
	strbuf_addf(sb, "#\n# hpcbench %s job '%s' (%s), run %s.\n", kind, job->id, type,
		    o->run_id);
	strbuf_addstr(sb, "# State, endpoint and results are written to JOB_DIR; see "
			  "docs/service-types.md.\n");
	/* The library below serves every kind of job; traps call some of its functions. */
	strbuf_addstr(sb, "# shellcheck disable=SC2317\nset -euo pipefail\n");
	if (o->cfg && o->cfg->modules.nr) {
		strbuf_addstr(sb, "\n");
		for (size_t i = 0; i < o->cfg->modules.nr; i++) {
			strbuf_addstr(sb, "module load ");
			sq_quote(sb, o->cfg->modules.items[i]);
			strbuf_addch(sb, '\n');
		}
	}
	strbuf_addstr(sb, "\nRUN_DIR=");
	sq_quote(sb, o->run_dir);
	strbuf_addf(sb, "\nJOB_DIR=\"$RUN_DIR/%s\"\n", job->id);
	strbuf_addf(sb, "HB_JOB_ID=%s\nHB_KIND=%s\nHB_TYPE=", job->id,
		    job->kind == JOB_CLIENT ? "client" : "service");
	sq_quote(sb, type);
	strbuf_addstr(sb, "\nHPCBENCH_BIND_ADDR=${HPCBENCH_BIND_ADDR:-0.0.0.0}\n");
	strbuf_addstr(sb, "export RUN_DIR JOB_DIR HB_JOB_ID HB_TYPE HPCBENCH_BIND_ADDR\n");
	strbuf_addstr(sb, "mkdir -p \"$JOB_DIR\"\n\n");
	strbuf_addstr(sb, shlib_common);
	strbuf_addstr(sb, "\ntrap hb_on_exit EXIT\ntrap hb_on_signal TERM INT\n"
			  "hb_state RUNNING\n");
}

/* True if an environment variable name looks like a secret. */
static int env_name_is_secret(const char *name)
{
	static const char *const words[] = { "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(name, words[i]))
			return 1;
	return 0;
}

void job_environment(struct strbuf *sb, struct job *job, const struct kvlist *env, enum runtime rt)
{
	if (!env->nr)
		return;
	strbuf_addstr(sb, "\n# Environment (from the recipe)\n");
	for (size_t i = 0; i < env->nr; i++) {
		const struct kv *kv = &env->items[i];
		if (env_name_is_secret(kv->key)) {
			char *file = xasprintf("secrets/env/%s", kv->key);
			job_add_file(job, file, kv->value, strlen(kv->value), 0600);
			strbuf_addf(sb,
				    "IFS= read -r -d '' %s <\"$JOB_DIR/%s\" || true # secret, "
				    "0600 file\nexport %s\n",
				    kv->key, file, kv->key);
			free(file);
		} else {
			strbuf_addf(sb, "export %s=", kv->key);
			sq_quote_expand(sb, kv->value);
			strbuf_addch(sb, '\n');
		}
		if (rt == RUNTIME_APPTAINER)
			strbuf_addf(sb, "export APPTAINERENV_%s=\"$%s\"\n", kv->key, kv->key);
	}
}

/* Path of the SIF: image_path, else container_image (relative: in containers.cache). */
static char *image_path(const char *container_image, const struct container *c,
			const char *default_image, const struct render_opts *o)
{
	const char *img = c->image_path ? c->image_path : container_image;
	const char *dir;
	if (!img)
		img = default_image;
	if (!img)
		return NULL;
	if (img[0] == '/' || img[0] == '$' || img[0] == '~')
		return xstrdup(img);
	dir = o->cfg && o->cfg->containers.cache       ? o->cfg->containers.cache
	      : o->cfg && o->cfg->containers.base_path ? o->cfg->containers.base_path
						       : "$HOME/containers";
	return xasprintf("%s/%s", dir, img);
}

int job_runtime(struct strbuf *sb, enum runtime rt, const char *container_image,
		const struct container *c, const struct resources *res, const char *default_image,
		const char *default_source, const struct render_opts *o, const char *what,
		struct strbuf *err)
{
	char *img;
	const char *src = c->docker_source ? c->docker_source : default_source;

	if (rt == RUNTIME_NATIVE) {
		strbuf_addstr(sb,
			      "\n# Runtime: native (commands run on the node itself)\n"
			      "# shellcheck disable=SC2034 # (unused when a script: body starts "
			      "the server)\nHB_RUN=()\n");
		return 0;
	}
	img = image_path(container_image, c, default_image, o);
	if (!img)
		return error(err,
			     "%s: runtime apptainer needs container.image_path, "
			     "container_image or container.docker_source",
			     what);
	strbuf_addstr(sb, "\n# Runtime: apptainer\nHB_APPTAINER=apptainer\n"
			  "if ! command -v apptainer >/dev/null && command -v singularity "
			  ">/dev/null; then\n\tHB_APPTAINER=singularity\nfi\n");
	strbuf_addstr(sb, "HB_IMAGE=");
	sq_quote_expand(sb, img);
	strbuf_addch(sb, '\n');
	strbuf_addstr(sb, shlib_image);
	strbuf_addstr(sb, "hb_pull_image ");
	sq_quote_expand(sb, src ? src : "");
	strbuf_addstr(sb, "\nHB_RUN=(\"$HB_APPTAINER\" exec");
	if (res->gres && strstr(res->gres, "gpu"))
		strbuf_addstr(sb, " --nv");
	strbuf_addstr(sb, " --bind \"$JOB_DIR\"");
	for (size_t i = 0; i < c->bind_mounts.nr; i++) {
		strbuf_addstr(sb, " --bind ");
		sq_quote_expand(sb, c->bind_mounts.items[i]);
	}
	strbuf_addstr(sb, " \"$HB_IMAGE\")\n");
	free(img);
	return 0;
}
