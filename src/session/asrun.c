#include "session/asrun.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/jsonw.h"
#include "config/config.h"
#include "recipe/recipe.h"

static void indent(struct strbuf *out, int level)
{
	for (int i = 0; i < level; i++)
		strbuf_addstr(out, "  ");
}

/* Plain YAML words that read back as the same text: letters, digits, a few marks. */
static int plain_safe(const char *s)
{
	if (!*s || strchr("-?:,[]{}#&*!|>'\"%@` ", *s))
		return 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!isalnum(c) && !strchr("_.-/+$=:()~", c))
			return 0;
		if (c == ':' && (p[1] == ' ' || !p[1]))
			return 0;
	}
	return 1;
}

/* A scalar: as written when plain and safe, else double-quoted (JSON escapes are YAML). */
static void scalar(struct strbuf *out, const struct rnode *n)
{
	if (!n->quoted && (plain_safe(n->scalar) || rnode_is_null(n)))
		strbuf_addstr(out, *n->scalar ? n->scalar : "null");
	else
		json_escape(out, n->scalar, strlen(n->scalar));
}

static void key(struct strbuf *out, const char *k)
{
	if (plain_safe(k))
		strbuf_addstr(out, k);
	else
		json_escape(out, k, strlen(k));
}

static int secret_key(const char *k)
{
	static const char *const words[] = { "password", "secret", "token", "api_key" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(k, words[i]))
			return 1;
	return 0;
}

static void node(struct strbuf *out, const struct rnode *n, int level);

/* After "key:" or "- ": a scalar or empty collection on the same line, else a block. */
static void value(struct strbuf *out, const struct rnode *n, int level)
{
	if (n->kind == RNODE_SCALAR) {
		strbuf_addch(out, ' ');
		scalar(out, n);
		strbuf_addch(out, '\n');
	} else if (!n->nr) {
		strbuf_addstr(out, n->kind == RNODE_MAP ? " {}\n" : " []\n");
	} else {
		strbuf_addch(out, '\n');
		node(out, n, level);
	}
}

static void map_entry(struct strbuf *out, const char *k, const struct rnode *v, int level)
{
	indent(out, level);
	key(out, k);
	strbuf_addch(out, ':');
	if (v->kind == RNODE_SCALAR && secret_key(k) && !rnode_is_null(v))
		strbuf_addstr(out,
			      " \"<redacted: given in the recipe, kept out of run folders>\"\n");
	else
		value(out, v, level + 1);
}

static void node(struct strbuf *out, const struct rnode *n, int level)
{
	if (n->kind == RNODE_MAP) {
		for (size_t i = 0; i < n->nr; i++)
			map_entry(out, n->keys[i], n->children[i], level);
	} else if (n->kind == RNODE_SEQ) {
		for (size_t i = 0; i < n->nr; i++) {
			indent(out, level);
			strbuf_addch(out, '-');
			value(out, n->children[i], level + 1);
		}
	} else {
		indent(out, level);
		scalar(out, n);
		strbuf_addch(out, '\n');
	}
}

/* A config default as one "key: value" line when the recipe's resources lack it. */
static void merged_str(struct strbuf *out, const struct rnode *res, const char *k, const char *v,
		       int level)
{
	struct rnode tmp = { .kind = RNODE_SCALAR, .quoted = true };
	if (!v || rnode_get(res, k))
		return;
	tmp.scalar = (char *)v;
	indent(out, level);
	strbuf_addf(out, "%s:", k);
	value(out, &tmp, level + 1);
}

static void merged_uint(struct strbuf *out, const struct rnode *res, const char *k, unsigned v,
			int level)
{
	if (!v || rnode_get(res, k))
		return;
	indent(out, level);
	strbuf_addf(out, "%s: %u\n", k, v);
}

static int has_defaults(const struct config *cfg)
{
	return cfg &&
	       (cfg->slurm.account || cfg->slurm.partition || cfg->slurm.qos || cfg->slurm.time ||
		cfg->slurm.nodes || cfg->slurm.ntasks || cfg->slurm.ntasks_per_node);
}

/* The config's slurm defaults that res (a resources mapping, or NULL) leaves out. */
static void merged_defaults(struct strbuf *out, const struct rnode *res, const struct config *cfg)
{
	merged_str(out, res, "account", cfg->slurm.account, 3);
	merged_str(out, res, "partition", cfg->slurm.partition, 3);
	merged_str(out, res, "qos", cfg->slurm.qos, 3);
	merged_str(out, res, "time", cfg->slurm.time, 3);
	merged_uint(out, res, "nodes", cfg->slurm.nodes, 3);
	merged_uint(out, res, "ntasks", cfg->slurm.ntasks, 3);
	merged_uint(out, res, "ntasks_per_node", cfg->slurm.ntasks_per_node, 3);
}

/* One service or client mapping as a list item, resources merged with the config. */
static void job_item(struct strbuf *out, const struct rnode *map, const struct config *cfg)
{
	int merge = has_defaults(cfg);
	indent(out, 1);
	strbuf_addstr(out, "-\n");
	for (size_t i = 0; i < map->nr; i++) {
		const struct rnode *v = map->children[i];
		if (!merge || strcmp(map->keys[i], "resources") || v->kind != RNODE_MAP) {
			map_entry(out, map->keys[i], v, 2);
			continue;
		}
		indent(out, 2);
		strbuf_addstr(out, "resources:\n");
		node(out, v, 3);
		merged_defaults(out, v, cfg);
	}
	if (merge && !rnode_get(map, "resources")) {
		indent(out, 2);
		strbuf_addstr(out, "resources:\n");
		merged_defaults(out, NULL, cfg);
	}
}

/* Appends the service (single or list) mappings of one section of a recipe root. */
static void section(struct strbuf *out, const struct rnode *root, const char *one, const char *many,
		    const struct config *cfg)
{
	const struct rnode *n = rnode_get(root, one);
	if (n && n->kind == RNODE_MAP)
		job_item(out, n, cfg);
	n = rnode_get(root, many);
	for (size_t i = 0; n && n->kind == RNODE_SEQ && i < n->nr; i++)
		if (n->children[i]->kind == RNODE_MAP)
			job_item(out, n->children[i], cfg);
}

void recipe_as_run(struct strbuf *out, struct recipe *const *recipes, size_t nr,
		   const struct config *cfg, const char *header)
{
	int any_svc = 0, any_cli = 0;
	if (header)
		strbuf_addstr(out, header);
	for (size_t i = 0; i < nr; i++) {
		any_svc |= recipes[i]->nr_services > 0;
		any_cli |= recipes[i]->nr_clients > 0;
	}
	if (any_svc) {
		strbuf_addstr(out, "services:\n");
		for (size_t i = 0; i < nr; i++)
			section(out, recipes[i]->root, "service", "services", cfg);
	}
	if (any_cli) {
		strbuf_addstr(out, "clients:\n");
		for (size_t i = 0; i < nr; i++)
			section(out, recipes[i]->root, "client", "clients", cfg);
	}
	/* Other top-level sections (monitoring, ...) of the first recipe that has them. */
	for (size_t i = 0; i < nr; i++) {
		const struct rnode *root = recipes[i]->root;
		for (size_t k = 0; root && root->kind == RNODE_MAP && k < root->nr; k++) {
			const char *name = root->keys[k];
			int seen = 0;
			if (!strcmp(name, "service") || !strcmp(name, "services") ||
			    !strcmp(name, "client") || !strcmp(name, "clients"))
				continue;
			for (size_t j = 0; j < i; j++)
				seen |= rnode_get(recipes[j]->root, name) != NULL;
			if (!seen)
				map_entry(out, name, root->children[k], 0);
		}
	}
}
