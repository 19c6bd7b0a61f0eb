/* The user's config: lookup, parsing and checks; see config.h and docs/config.md. */
#include "config/config.h"

#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "recipe/rnode.h"
#include "recipe/schema.h"

/* The home folder of the user running hpcbench ($HOME, else the password database). */
static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;
	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

/* key_filename: "~/x" and "~user/x" expanded as a shell would. */
static int check_key_filename(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	char **out = dst;
	char *t = NULL;
	const char *rest, *home = NULL;
	if (schema_str(s, label, v, &t))
		return 0;
	if (t[0] != '~') {
		free(*out);
		*out = t;
		return 0;
	}
	rest = strchr(t, '/');
	if (!rest)
		rest = t + strlen(t);
	if (rest == t + 1) {
		home = home_dir();
	} else {
		char *user = xstrndup(t + 1, (size_t)(rest - t - 1));
		struct passwd *pw = getpwnam(user);
		free(user);
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home) {
		schema_error(s, &v->pos, "%s: cannot expand '%.*s' in '%s' (unknown user)", label,
			     (int)(rest - t), t, t);
		free(t);
		return -1;
	}
	free(*out);
	*out = xasprintf("%s%s", home, rest);
	free(t);
	return 0;
}

static int refuse_password(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	(void)dst;
	if (rnode_is_null(v))
		return 0;
	return schema_error(s, &v->pos,
			    "%s: passwords are not accepted in the config file; use an SSH key "
			    "(hpc.key_filename) or ssh-agent",
			    label);
}

static int check_slurm_time(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	return schema_slurm_time(s, label, v, dst, NULL) < 0 ? -1 : 0;
}

/* containers.docker_sources: {service type: docker://...}. */
static int check_docker_sources(struct schema *s, const char *label, const struct rnode *v,
				void *dst)
{
	struct kvlist *out = dst;
	int ret = 0;
	if (rnode_is_null(v))
		return 0;
	if (v->kind != RNODE_MAP) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(v, &got);
		schema_error(s, &v->pos, "%s: expected a mapping of type: docker://..., got %s",
			     label, got.buf);
		strbuf_release(&got);
		return -1;
	}
	for (size_t i = 0; i < v->nr; i++) {
		char *val = NULL, *l = xasprintf("%s.%s", label, v->keys[i]);
		if (!schema_str(s, l, v->children[i], &val))
			kvlist_set(out, v->keys[i], val);
		else if (v->children[i]->kind != RNODE_SCALAR)
			ret = -1;
		free(val);
		free(l);
	}
	return ret;
}

#define HPC(f) offsetof(struct config, hpc.f) - offsetof(struct config, hpc)
static const struct field hpc_fields[] = {
	{ "hostname", FIELD_STR, HPC(hostname), 0, 0, 0, 0 },
	{ "username", FIELD_STR, HPC(username), 0, 0, 0, 0 },
	{ "port", FIELD_UINT, HPC(port), 0, 1, 65535, 0 },
	{ "key_filename", FIELD_CUSTOM, HPC(key_filename), 0, 0, 0, check_key_filename },
	{ "password", FIELD_CUSTOM, 0, 0, 0, 0, refuse_password },
	{ "remote_bin", FIELD_STR, HPC(remote_bin), 0, 0, 0, 0 },
	{ 0 },
};

#define SLURM(f) offsetof(struct config, slurm.f) - offsetof(struct config, slurm)
static const struct field slurm_fields[] = {
	{ "account", FIELD_STR, SLURM(account), 0, 0, 0, 0 },
	{ "partition", FIELD_STR, SLURM(partition), 0, 0, 0, 0 },
	{ "qos", FIELD_STR, SLURM(qos), 0, 0, 0, 0 },
	{ "time", FIELD_CUSTOM, SLURM(time), 0, 0, 0, check_slurm_time },
	{ "nodes", FIELD_UINT, SLURM(nodes), 0, 1, 0, 0 },
	{ "ntasks", FIELD_UINT, SLURM(ntasks), 0, 1, 0, 0 },
	{ "ntasks_per_node", FIELD_UINT, SLURM(ntasks_per_node), 0, 1, 0, 0 },
	{ 0 },
};

#define CONTAINERS(f) offsetof(struct config, containers.f) - offsetof(struct config, containers)
static const struct field containers_fields[] = {
	{ "cache", FIELD_STR, CONTAINERS(cache), 0, 0, 0, 0 },
	{ "base_path", FIELD_STR, CONTAINERS(base_path), 0, 0, 0, 0 },
	{ "docker_sources", FIELD_CUSTOM, CONTAINERS(docker_sources), 0, 0, 0,
	  check_docker_sources },
	/* Old tool: read by dead code only. */
	{ "force_rebuild", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ 0 },
};

static const struct field config_fields[] = {
	{ "hpc", FIELD_MAP, offsetof(struct config, hpc), hpc_fields, 0, 0, 0 },
	/* The old installation docs wrote `ssh:` for `hpc:`; the old tool then ignored it. */
	{ "ssh", FIELD_MAP, offsetof(struct config, hpc), hpc_fields, 0, 0, 0 },
	{ "slurm", FIELD_MAP, offsetof(struct config, slurm), slurm_fields, 0, 0, 0 },
	/* modules: a list of module names, or one string. */
	{ "modules", FIELD_CUSTOM, offsetof(struct config, modules), 0, 0, 0, schema_str_or_list },
	{ "workdir", FIELD_STR, offsetof(struct config, workdir), 0, 0, 0, 0 },
	{ "containers", FIELD_MAP, offsetof(struct config, containers), containers_fields, 0, 0,
	  0 },
	/* Old tool: decorative keys that nothing read; accepted so old configs still load. */
	{ "services_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "clients_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "monitors_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "metrics_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "scripts_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "results_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "logs_dir", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "monitoring", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "logging", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "benchmarks", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ "benchmark", FIELD_IGNORED, 0, 0, 0, 0, 0 },
	{ 0 },
};

/* The file to read and whether it must exist; caller frees *file. */
static void config_locate(const char *path, char **file, const char **source)
{
	const char *env = getenv("HPCBENCH_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home;
	*source = NULL;
	if (path) {
		*file = xstrdup(path);
		*source = "--config";
	} else if (env && *env) {
		*file = xstrdup(env);
		*source = "$HPCBENCH_CONFIG";
	} else if (xdg && *xdg == '/') {
		/* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
		*file = xasprintf("%s/hpcbench/config.yaml", xdg);
	} else if ((home = home_dir())) {
		*file = xasprintf("%s/.config/hpcbench/config.yaml", home);
	} else {
		*file = NULL;
	}
}

struct config *config_load(const char *path, struct strbuf *err)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct schema s = { .err = err };
	struct rnode *root = NULL;
	const char *source;
	char *file;

	config_locate(path, &file, &source);
	if (!file || (!source && !path_exists(file))) {
		free(file);
		return cfg; /* no config: local defaults */
	}
	cfg->path = file;
	if (source && !path_exists(file)) {
		error(err, "%s: config file not found (named by %s)", file, source);
		goto fail;
	}
	if (rnode_load_file_max(file, cfg->path, FILE_MAX_CONFIG, "config", &root, err) < 0) {
		s.errors++;
		if (!root)
			goto fail;
	}
	if (root && root->kind != RNODE_MAP) {
		struct strbuf got = STRBUF_INIT;
		rnode_describe(root, &got);
		schema_error(&s, &root->pos,
			     "expected a mapping (hpc:, slurm:, ...) at the top "
			     "level, got %s",
			     got.buf);
		strbuf_release(&got);
		goto fail;
	}
	schema_map(&s, root, NULL, "the config", config_fields, NULL, false, false, cfg);
	if (rnode_get(root, "hpc") && rnode_get(root, "ssh")) {
		for (size_t i = 0; i < root->nr; i++)
			if (!strcmp(root->keys[i], "ssh"))
				schema_error(
				    &s, &root->key_pos[i],
				    "'ssh:' is the old name of 'hpc:'; give only one of them");
	}
	if (s.errors)
		goto fail;
	rnode_free(root);
	return cfg;
fail:
	rnode_free(root);
	config_free(cfg);
	return NULL;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->hpc.hostname);
	free(cfg->hpc.username);
	free(cfg->hpc.key_filename);
	free(cfg->hpc.remote_bin);
	free(cfg->slurm.account);
	free(cfg->slurm.partition);
	free(cfg->slurm.qos);
	free(cfg->slurm.time);
	strlist_clear(&cfg->modules);
	free(cfg->workdir);
	free(cfg->containers.cache);
	free(cfg->containers.base_path);
	kvlist_clear(&cfg->containers.docker_sources);
	free(cfg);
}
