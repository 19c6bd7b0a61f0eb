/* ollama: Ollama LLM server; pulls the recipe's model(s) before declaring itself ready. */
#include "common/shquote.h"
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "service/types.h"

static const struct type_key ollama_keys[] = {
	{ "model", KEY_ANY, "model name or list of names pulled before the service is ready", NULL,
	  0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const char *const ollama_args[] = { "serve", NULL };

static void pull_line(struct strbuf *sb, const char *model)
{
	strbuf_addstr(sb, "OLLAMA_HOST=\"127.0.0.1:$HPCBENCH_PORT\" "
			  "APPTAINERENV_OLLAMA_HOST=\"127.0.0.1:$HPCBENCH_PORT\" "
			  "\"${HB_RUN[@]}\" ollama pull ");
	sq_quote_expand(sb, model);
	strbuf_addstr(sb, " || hb_fail \"cannot pull model \"");
	sq_quote_expand(sb, model);
	strbuf_addch(sb, '\n');
}

/* OLLAMA_HOST carries the chosen port; models are pulled before ready is declared. */
static int ollama_build(struct svc_build *b, struct strbuf *err)
{
	const struct rnode *m = rnode_get(b->s->node, "model");
	strbuf_addstr(&b->setup, "export OLLAMA_HOST=\"$HPCBENCH_BIND_ADDR:$HPCBENCH_PORT\"\n"
				 "export APPTAINERENV_OLLAMA_HOST=\"$OLLAMA_HOST\"\n");
	if (m && m->kind == RNODE_SCALAR && *m->scalar)
		pull_line(&b->post_ready, m->scalar);
	for (size_t i = 0; m && m->kind == RNODE_SEQ && i < m->nr; i++)
		if (m->children[i]->kind == RNODE_SCALAR)
			pull_line(&b->post_ready, m->children[i]->scalar);
	return 0;
}

static const struct service_render ollama_render = {
	.command = "ollama",
	.args = ollama_args,
	.url_scheme = "http",
	.llm_api = "ollama",
	.probe_timeout_s = 300,
	.build = ollama_build,
};

const struct service_type service_type_ollama = {
	.name = "ollama",
	.description = "Ollama LLM server; pulls `model` before ready (readiness: GET /api/tags)",
	.default_image = "ollama_latest.sif",
	.docker_source = "docker://ollama/ollama:latest",
	.default_port = 11434,
	.default_probe = "http:///api/tags",
	.keys = ollama_keys,
	.render = &ollama_render,
};
