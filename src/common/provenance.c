/* Provenance of a result (provenance.h). */
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/provenance.h"
#include "common/shquote.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/version.h"
#include "common/xalloc.h"

#ifndef HPCBENCH_GIT_COMMIT
#define HPCBENCH_GIT_COMMIT "unknown"
#endif

/* The command line as typed, kept before getopt permutes argv. */
static char *saved_cmdline;

void provenance_set_argv(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i)
			strbuf_addch(&sb, ' ');
		/* Quoted only when the shell would need it, so that it reads as typed. */
		if (*a && !a[strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_./:=,@%+-")])
			strbuf_addstr(&sb, a);
		else
			sq_quote(&sb, a);
	}
	free(saved_cmdline);
	saved_cmdline = strbuf_detach(&sb, NULL);
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		n = 0;
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[n ? 64 : 0] = '\0';
}

/* The first "model name" of /proc/cpuinfo (x86; "CPU part"-less ARM gives NULL). */
static char *cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512], *model = NULL;
	if (!f)
		return NULL;
	while (!model && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (colon && !strncmp(line, "model name", 10)) {
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			colon[strcspn(colon, "\n")] = '\0';
			model = xstrdup(colon);
		}
	}
	fclose(f);
	return model;
}

/* $HPCBENCH_RECIPE, else RUN_DIR/recipe.yaml for a result at RUN_DIR/JOB/result.json. */
static char *recipe_path(const char *result_path)
{
	const char *env = getenv("HPCBENCH_RECIPE");
	char *copy, *dir, *path;
	if (env && *env)
		return xstrdup(env);
	if (!result_path)
		return NULL;
	copy = xstrdup(result_path);
	dir = dirname(copy);
	path = xasprintf("%s/../recipe.yaml", dir);
	free(copy);
	if (!path_exists(path)) {
		free(path);
		return NULL;
	}
	return path;
}

void provenance_json(struct jsonw *w, const char *key, uint64_t start_wall_ns, uint64_t end_wall_ns,
		     const char *result_path, const char *server_version)
{
	struct strbuf sb = STRBUF_INIT, data = STRBUF_INIT, err = STRBUF_INIT;
	struct utsname un;
	char host[256], hex[65];
	char *recipe = recipe_path(result_path), *model = cpu_model();
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	jsonw_obj_open(w, key);
	jsonw_str(w, "hpcbench_version", HPCBENCH_VERSION);
	jsonw_str(w, "git_commit", HPCBENCH_GIT_COMMIT);
	jsonw_str(w, "command_line", saved_cmdline);
	jsonw_str(w, "recipe", recipe);
	if (recipe && read_file(recipe, &data, &err) == 0) {
		sha256_hex(data.buf, data.len, hex);
		jsonw_str(w, "recipe_sha256", *hex ? hex : NULL);
	} else {
		jsonw_null(w, "recipe_sha256");
	}
	strbuf_reset(&sb);
	rfc3339_append(&sb, start_wall_ns);
	jsonw_str(w, "started_at", sb.buf);
	strbuf_reset(&sb);
	rfc3339_append(&sb, end_wall_ns);
	jsonw_str(w, "ended_at", sb.buf);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		jsonw_str(w, "hostname", host);
	} else {
		jsonw_null(w, "hostname");
	}
	jsonw_str(w, "slurm_job_id", getenv("SLURM_JOB_ID"));
	jsonw_str(w, "slurm_nodelist", getenv("SLURM_JOB_NODELIST"));
	jsonw_str(w, "cpu_model", model);
	if (cores > 0)
		jsonw_i64(w, "cpu_cores", cores);
	else
		jsonw_null(w, "cpu_cores");
	if (uname(&un) == 0) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s %s %s", un.sysname, un.release, un.machine);
		jsonw_str(w, "kernel", sb.buf);
	} else {
		jsonw_null(w, "kernel");
	}
	jsonw_str(w, "server_version", server_version);
	jsonw_close(w);
	free(recipe);
	free(model);
	strbuf_release(&sb);
	strbuf_release(&data);
	strbuf_release(&err);
}
