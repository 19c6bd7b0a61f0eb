/* chroma: the Chroma vector database, persisting into the job's data folder. */
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "service/types.h"

static const struct type_key chroma_keys[] = {
	{ NULL, 0, NULL, NULL, 0 },
};

static const char *const chroma_args[] = { "run", NULL };
static const char *const chroma_owned[] = { "--host", "--port", "--path", NULL };
/* Chroma 1.x answers the old recipes' v1 heartbeat with an error. */
static const char *const chroma_rewrite[] = { "/api/v1/heartbeat", "/api/v2/heartbeat", NULL };

/*
 * Native runtime: the `chroma` CLI of the npm chromadb package. Found on PATH, else in
 * $HPCBENCH_CHROMA_DIR or the folder scripts/install-deps.sh installs it into; a job
 * that finds none fails at once with what to do, not after the readiness timeout.
 */
static const char chroma_find[] =
    "# The chroma CLI (npm chromadb): on PATH, else $HPCBENCH_CHROMA_DIR or /opt/hpcbench/chroma.\n"
    "if ! command -v chroma >/dev/null 2>&1; then\n"
    "\tfor hb_d in \"${HPCBENCH_CHROMA_DIR:-}\" /opt/hpcbench/chroma; do\n"
    "\t\tif [ -n \"$hb_d\" ] && [ -x \"$hb_d/node_modules/.bin/chroma\" ]; then\n"
    "\t\t\tPATH=\"$hb_d/node_modules/.bin:$PATH\"\n"
    "\t\t\tbreak\n"
    "\t\tfi\n"
    "\tdone\n"
    "\tcommand -v chroma >/dev/null 2>&1 || hb_fail \"chroma not found: install the npm "
    "chromadb package (scripts/install-deps.sh) or set HPCBENCH_CHROMA_DIR to the folder "
    "holding node_modules/.bin/chroma\"\n"
    "fi\n";

static int chroma_build(struct svc_build *b, struct strbuf *err)
{
	if (b->s->runtime == RUNTIME_NATIVE && !b->custom_command)
		strbuf_addstr(&b->prepare, chroma_find);
	svc_arg_raw(&b->tail, "--host");
	svc_arg_raw(&b->tail, "\"$HPCBENCH_BIND_ADDR\"");
	svc_arg_raw(&b->tail, "--port");
	svc_arg_raw(&b->tail, "\"$HPCBENCH_PORT\"");
	svc_arg_raw(&b->tail, "--path");
	svc_arg_raw(&b->tail, "\"$JOB_DIR/data\"");
	return 0;
}

static const struct service_render chroma_render = {
	.command = "chroma",
	.args = chroma_args,
	.owned_args = chroma_owned,
	.url_scheme = "http",
	.probe_rewrite = chroma_rewrite,
	.build = chroma_build,
};

const struct service_type service_type_chroma = {
	.name = "chroma",
	.description = "Chroma vector database (readiness: GET /api/v2/heartbeat)",
	.default_image = "chroma_latest.sif",
	.docker_source = "docker://chromadb/chroma:latest",
	.default_port = 8000,
	.default_probe = "http:///api/v2/heartbeat",
	.keys = chroma_keys,
	.render = &chroma_render,
};
