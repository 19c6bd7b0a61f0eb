/* Client parameters through the load protocol's option parser; declared in recipe/type.h. */
#include "recipe/type.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "recipe/recipe.h"
#include "service/service.h"

/* The getopt val and argument kind of an option named "--long" or "-x"; 0 if unknown. */
static int option_val(const struct load_proto *p, const char *opt, int *has_arg)
{
	const struct option *tables[] = { p->longopts, load_core_longopts };
	if (opt[0] == '-' && opt[1] == '-') {
		for (size_t t = 0; t < 2; t++)
			for (const struct option *o = tables[t]; o && o->name; o++)
				if (!strcmp(o->name, opt + 2)) {
					*has_arg = o->has_arg;
					return o->val;
				}
		return 0;
	}
	if (opt[0] == '-' && opt[1] && !opt[2]) {
		const char *s = p->shortopts ? strchr(p->shortopts, opt[1]) : NULL;
		if (!s)
			s = strchr(load_core_shortopts, opt[1]);
		if (!s)
			return 0;
		*has_arg = s[1] == ':' ? required_argument : no_argument;
		return opt[1];
	}
	return 0;
}

static bool is_proto_val(const struct load_proto *p, int val)
{
	if (val >= LOAD_OPT_PROTO)
		return true;
	return val > 0 && val < 128 && p->shortopts && strchr(p->shortopts, val);
}

/* One value through the parser; an error at pos when it is refused. */
static unsigned check_value(const struct load_proto *p, int val, const char *key, const char *value,
			    const struct srcpos *pos, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct load_opts opts;
	void *cfg = p->create();
	int r;
	load_opts_init(&opts);
	r = is_proto_val(p, val) ? p->option(cfg, &opts, val, value, &why)
				 : load_opts_set(&opts, val, value, &why);
	p->destroy(cfg);
	if (r)
		error(err, "%s:%u:%u: parameters.%s: %s (hpcbench load %s would refuse it)",
		      pos->file, pos->line, pos->col, key, why.len ? why.buf : "bad value",
		      p->name);
	strbuf_release(&why);
	return r ? 1 : 0;
}

unsigned client_params_check(const struct client_spec *c, struct strbuf *err)
{
	const struct rnode *params = c->parameters;
	const struct load_proto *p;
	unsigned bad = 0;
	if (!c->type || !params || params->kind != RNODE_MAP || c->command)
		return 0;
	p = load_proto_find(c->type->name);
	if (!p || !p->option)
		return 0;
	for (size_t i = 0; i < params->nr; i++) {
		const struct type_key *k = type_key_find(c->type->keys, params->keys[i]);
		const struct rnode *v = params->children[i];
		int has_arg = 0, val;
		if (!k || !k->option || (k->flags & (TK_SECRET | TK_PATH | TK_IGNORED)))
			continue;
		val = option_val(p, k->option, &has_arg);
		if (!val || has_arg != required_argument)
			continue;
		if (v->kind == RNODE_SEQ) {
			for (size_t j = 0; j < v->nr; j++)
				if (v->children[j]->kind == RNODE_SCALAR &&
				    !strchr(v->children[j]->scalar, '$'))
					bad += check_value(p, val, params->keys[i],
							   v->children[j]->scalar,
							   &v->children[j]->pos, err);
			continue;
		}
		if (v->kind != RNODE_SCALAR || rnode_is_null(v) || strchr(v->scalar, '$'))
			continue;
		/* Not an integer where one is wanted: the kind check said so already. */
		if (k->kind == KEY_INT && v->scalar[strspn(v->scalar, "0123456789+-, ")])
			continue;
		if (k->flags & TK_SWEEP && strchr(v->scalar, ',')) {
			char *copy = xstrdup(v->scalar), *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				while (*t == ' ')
					t++;
				bad += check_value(p, val, params->keys[i], t, &v->pos, err);
			}
			free(copy);
			continue;
		}
		bad += check_value(p, val, params->keys[i], v->scalar, &v->pos, err);
	}
	return bad;
}
