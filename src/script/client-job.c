/* The body of a client job: wait for the target, then `hpcbench load` (or a command). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/shquote.h"
#include "common/xalloc.h"
#include "script/hooks.h"
#include "script/client-job.h"
#include "script/jobparts.h"
#include "script/shlib.h"
#include "service/service.h"

#define DEFAULT_WAIT_S 900

/* One `hpcbench load` option from the parameters: a value, a flag, or a sweep. */
struct popt {
	const char *opt;      /* "-c", "--value-size", ... */
	struct strlist words; /* quoted values (one unless sweep/multi) */
	bool sweep;	      /* words are the sweep's values */
	bool multi;	      /* repeat the option per word (-H) */
	bool flag;	      /* no value */
};

struct popts {
	struct popt *v;
	size_t nr;
};

static struct popt *popt_set(struct popts *p, const char *opt, bool multi)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->v[i].opt, opt)) {
			if (!multi) {
				strlist_clear(&p->v[i].words);
				p->v[i].sweep = p->v[i].flag = false;
			}
			return &p->v[i];
		}
	p->v = xrealloc(p->v, (p->nr + 1) * sizeof(*p->v));
	memset(&p->v[p->nr], 0, sizeof(p->v[0]));
	p->v[p->nr].opt = opt;
	p->v[p->nr].multi = multi;
	return &p->v[p->nr++];
}

static void popts_release(struct popts *p)
{
	for (size_t i = 0; i < p->nr; i++)
		strlist_clear(&p->v[i].words);
	free(p->v);
}

static struct popt *popt_find(struct popts *p, const char *opt)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->v[i].opt, opt))
			return &p->v[i];
	return NULL;
}

static bool yaml_true(const char *s)
{
	return s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"));
}

static void push_quoted(struct strlist *l, const char *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char *tmp = xstrndup(v, n);
	sq_quote_expand(&sb, tmp);
	free(tmp);
	strlist_push_owned(l, strbuf_detach(&sb, NULL));
}

/* Maps c->parameters onto load options (the type's key table says which). */
static void map_parameters(struct popts *p, const struct client_spec *c, struct job *job)
{
	const struct rnode *m = c->parameters;
	for (size_t i = 0; m && m->kind == RNODE_MAP && i < m->nr; i++) {
		const struct type_key *k = type_key_find(c->type->keys, m->keys[i]);
		const struct rnode *v = m->children[i];
		struct popt *po;
		if (!k || !k->option || (k->flags & TK_IGNORED))
			continue;
		if (k->flags & TK_SECRET) {
			char *file = xasprintf("secrets/%s", k->name);
			struct strbuf w = STRBUF_INIT;
			if (v->kind != RNODE_SCALAR) {
				free(file);
				continue;
			}
			job_add_file(job, file, v->scalar, strlen(v->scalar), 0600);
			strbuf_addf(&w, "\"$JOB_DIR/%s\"", file);
			po = popt_set(p, k->option, false);
			strlist_push_owned(&po->words, strbuf_detach(&w, NULL));
			free(file);
			continue;
		}
		if (k->kind == KEY_BOOL) {
			if (v->kind == RNODE_SCALAR && yaml_true(v->scalar))
				popt_set(p, k->option, false)->flag = true;
			continue;
		}
		if (v->kind == RNODE_MAP) { /* headers: {K: V} -> -H 'K: V' each */
			po = popt_set(p, k->option, true);
			for (size_t j = 0; j < v->nr; j++) {
				if (v->children[j]->kind != RNODE_SCALAR)
					continue;
				char *hv = xasprintf("%s: %s", v->keys[j], v->children[j]->scalar);
				push_quoted(&po->words, hv, strlen(hv));
				free(hv);
			}
			continue;
		}
		if (v->kind == RNODE_SEQ) {
			po = popt_set(p, k->option, !(k->flags & TK_SWEEP));
			po->sweep = (k->flags & TK_SWEEP) && v->nr > 1;
			for (size_t j = 0; j < v->nr; j++)
				if (v->children[j]->kind == RNODE_SCALAR)
					push_quoted(&po->words, v->children[j]->scalar,
						    strlen(v->children[j]->scalar));
			continue;
		}
		po = popt_set(p, k->option, false);
		if ((k->flags & TK_SWEEP) && strchr(v->scalar, ',')) {
			const char *s = v->scalar;
			for (;;) {
				const char *comma = strchr(s, ',');
				size_t n = comma ? (size_t)(comma - s) : strlen(s);
				while (n && (*s == ' ' || *s == '\t'))
					s++, n--;
				while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
					n--;
				if (n)
					push_quoted(&po->words, s, n);
				if (!comma)
					break;
				s = comma + 1;
			}
			po->sweep = po->words.nr > 1;
		} else {
			push_quoted(&po->words, v->scalar, strlen(v->scalar));
		}
	}
}

/* The service of this recipe the client targets, by name; its job index or -1. */
static int find_target_job(const struct job_plan *plan, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < plan->nr; i++)
		if (plan->jobs[i].kind != JOB_CLIENT && plan->jobs[i].service &&
		    !strcmp(plan->jobs[i].service->name, name))
			return (int)i;
	return -1;
}

/* The service type a target name or client type implies (for default port, scheme). */
static const struct service_type *implied_type(const struct client_spec *c)
{
	const struct service_type *t = service_type_find(c->target.name);
	if (!t && c->type_name)
		t = service_type_find(c->type_name);
	return t;
}

static void target_block(struct strbuf *sb, const struct client_spec *c,
			 const struct render_opts *o, const struct job_plan *plan, int tj,
			 unsigned wait_s)
{
	const struct service_type *t = tj >= 0 ? plan->jobs[tj].service->type : implied_type(c);
	const char *ep = o->target_endpoint   ? o->target_endpoint
			 : c->target.endpoint ? c->target.endpoint
					      : cli_param(c, "endpoint");
	unsigned port = c->target.port ? c->target.port : t ? t->default_port : 80;
	const char *scheme =
	    t && t->render && t->render->url_scheme ? t->render->url_scheme : "http";

	strbuf_addstr(sb, "\n# Target\n");
	strbuf_addstr(sb, shlib_client);
	strbuf_addstr(sb, shlib_target);
	if (ep) {
		strbuf_addstr(sb, "hb_target_endpoint ");
		sq_quote_expand(sb, ep);
		strbuf_addf(sb, " %u %s\n", port, scheme);
	} else if (o->target_endpoint_file || tj >= 0) {
		if (tj >= 0) {
			strbuf_addf(sb, "HB_TARGET_DIR=\"$RUN_DIR/%s\"\n", plan->jobs[tj].id);
		} else {
			const char *f = o->target_endpoint_file;
			const char *slash = strrchr(f, '/');
			char *dir = slash ? xstrndup(f, (size_t)(slash - f)) : xstrdup(".");
			strbuf_addstr(sb, "HB_TARGET_DIR=");
			sq_quote_expand(sb, dir);
			strbuf_addch(sb, '\n');
			free(dir);
		}
		strbuf_addf(sb, "hb_wait_endpoint \"$HB_TARGET_DIR\" %u\n", wait_s);
	} else {
		strbuf_addf(sb,
			    "# The target is not part of this recipe: the executor names it.\n"
			    "HB_TARGET_DIR=${HPCBENCH_TARGET_DIR:-}\n"
			    "if [ -n \"${HPCBENCH_TARGET_ENDPOINT:-}\" ]; then\n"
			    "\thb_target_endpoint \"$HPCBENCH_TARGET_ENDPOINT\" %u %s\n"
			    "elif [ -n \"$HB_TARGET_DIR\" ]; then\n"
			    "\thb_wait_endpoint \"$HB_TARGET_DIR\" %u\n"
			    "else\n"
			    "%s"
			    "fi\n",
			    port, scheme, wait_s,
			    /* A recipe's own command may need no target at all. */
			    c->command ? "\t: # the command runs without a target\n"
				       : "\thb_fail \"no target: run with --target-service ID or "
					 "--target-endpoint URL\"\n");
	}
	strbuf_addstr(
	    sb, "export HPCBENCH_TARGET_HOST HPCBENCH_TARGET_PORT HPCBENCH_TARGET_URL\n"
		"export TARGET_SERVICE_HOST=\"${HPCBENCH_TARGET_HOST:-}\" # old recipes' name\n");
}

static void target_word(struct strbuf *sb, const struct client_render *cr,
			const struct cli_build *b, const struct client_spec *c)
{
	switch (cr ? cr->target : TARGET_URL) {
	case TARGET_HOSTPORT:
		strbuf_addstr(sb, "\"$HPCBENCH_TARGET_HOST:$HPCBENCH_TARGET_PORT\"");
		break;
	case TARGET_SQL_URL: {
		const struct service_type *t = b->target_type;
		/* An external SQL target of unknown type is taken for MySQL, as the old tool did.
		 */
		const char *scheme =
		    t && t->render && t->render->url_scheme ? t->render->url_scheme : "mysql";
		strbuf_addf(sb, "\"%s://$HPCBENCH_TARGET_HOST:$HPCBENCH_TARGET_PORT\"", scheme);
		break;
	}
	case TARGET_URL:
		strbuf_addstr(sb, "\"$HPCBENCH_TARGET_URL\"");
		break;
	}
	if (b->target_suffix.len)
		strbuf_add(sb, b->target_suffix.buf, b->target_suffix.len);
}

/* nd tabs */
static void indent(struct strbuf *sb, unsigned nd)
{
	while (nd--)
		strbuf_addch(sb, '\t');
}

/* Label of one sweep dimension in result file names: "-c" -> "c". */
static const char *opt_label(const char *opt)
{
	while (*opt == '-')
		opt++;
	return opt;
}

/*
 * The `hpcbench load` command for one point; loop variables hb_vN stand for sweeps.
 * With replicas > 1, hb_replicas runs it as that many load generators and merges
 * their results into the point's result file (shlib/replicas.sh).
 */
static void load_command(struct strbuf *sb, const struct client_spec *c,
			 const struct client_render *cr, const struct cli_build *b,
			 const struct popts *p, bool sweeping, unsigned replicas)
{
	const char *out =
	    sweeping ? "\"$JOB_DIR/result-$hb_point.json\"" : "\"$JOB_DIR/result.json\"";
	unsigned dim = 0;
	if (replicas > 1)
		strbuf_addf(sb, "hb_replicas %s %u \"$HPCBENCH_BIN\" load ", out, replicas);
	else
		strbuf_addstr(sb, "hb_run \"$HPCBENCH_BIN\" load ");
	sq_quote(sb, c->type->name);
	strbuf_addch(sb, ' ');
	target_word(sb, cr, b, c);
	for (size_t i = 0; i < p->nr; i++) {
		const struct popt *po = &p->v[i];
		if (po->flag) {
			strbuf_addf(sb, " %s", po->opt);
			continue;
		}
		if (po->sweep) {
			strbuf_addf(sb, " %s \"$hb_v%u\"", po->opt, ++dim);
			continue;
		}
		for (size_t j = 0; j < po->words.nr; j++)
			strbuf_addf(sb, " %s %s", po->opt, po->words.items[j]);
	}
	for (size_t i = 0; i < b->opts.nr; i++)
		strbuf_addf(sb, " %s", b->opts.items[i]);
	if (c->repeat > 1)
		strbuf_addf(sb, " --repeat %u", c->repeat);
	if (replicas <= 1)
		strbuf_addf(sb, " --json %s", out);
}

/* Turns a sweep over -c into one `--sweep concurrency=1,2,4` option. */
static void concurrency_to_sweep(struct popts *p)
{
	struct popt *pc = popt_find(p, "-c");
	struct strbuf w = STRBUF_INIT;
	size_t idx;

	if (!pc || !pc->sweep)
		return;
	strbuf_addstr(&w, "concurrency=");
	for (size_t j = 0; j < pc->words.nr; j++) {
		/* the words are quoted ("1"); the sweep list takes them bare */
		const char *q = pc->words.items[j];
		if (j)
			strbuf_addch(&w, ',');
		strbuf_add(&w, q + 1, strlen(q) - 2);
	}
	idx = (size_t)(pc - p->v);
	strlist_clear(&pc->words);
	memmove(&p->v[idx], &p->v[idx + 1], (p->nr - idx - 1) * sizeof(p->v[0]));
	p->nr--;
	push_quoted(&popt_set(p, "--sweep", false)->words, w.buf, w.len);
	strbuf_release(&w);
}

/* True if the type's own words (cli_build.opts) contain word. */
static bool has_word(const struct strlist *l, const char *word)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], word))
			return true;
	return false;
}

static void load_body(struct strbuf *sb, const struct client_spec *c,
		      const struct client_render *cr, const struct cli_build *b, struct popts *p,
		      unsigned replicas)
{
	unsigned nd = 0, points = 1;
	struct strbuf point = STRBUF_INIT;

	/* The load generator sweeps concurrency itself where it can. */
	if (cr && cr->sweeps_concurrency)
		concurrency_to_sweep(p);
	if (!popt_find(p, "-n") && !popt_find(p, "-d") && !has_word(&b->opts, "-n") &&
	    c->duration_s) {
		struct popt *pd = popt_set(p, "-d", false);
		char *d = xasprintf("%llus", (unsigned long long)c->duration_s);
		strlist_push(&pd->words, d);
		free(d);
	}
	for (size_t i = 0; i < p->nr; i++)
		if (p->v[i].sweep) {
			nd++;
			points *= (unsigned)p->v[i].words.nr;
		}
	strbuf_addstr(sb, "\n# Load (`hpcbench load`; parameters mapped onto its options)\n");
	if (replicas > 1) {
		strbuf_addf(sb,
			    "# %u replicas: one job step each (srun), one start instant, results\n"
			    "# merged exactly (histograms added) into the result file\n",
			    replicas);
		strbuf_addstr(sb, shlib_replicas);
	}
	if (!nd) {
		load_command(sb, c, cr, b, p, false, replicas);
		strbuf_addch(sb, '\n');
		return;
	}
	strbuf_addf(sb,
		    "# Parametric: %u points, one result file each, listed in results.txt\n"
		    "HB_FAILED=0\n: >\"$JOB_DIR/results.txt\"\n",
		    points);
	nd = 0;
	for (size_t i = 0; i < p->nr; i++) {
		struct popt *po = &p->v[i];
		if (!po->sweep)
			continue;
		indent(sb, nd);
		strbuf_addf(sb, "for hb_v%u in", nd + 1);
		for (size_t j = 0; j < po->words.nr; j++)
			strbuf_addf(sb, " %s", po->words.items[j]);
		strbuf_addf(sb, "; do\n");
		strbuf_addf(&point, "%s%s${hb_v%u}", nd ? "_" : "", opt_label(po->opt), nd + 1);
		nd++;
	}
	indent(sb, nd);
	strbuf_addf(sb, "hb_point=\"%s\"\n", point.buf);
	indent(sb, nd);
	load_command(sb, c, cr, b, p, true, replicas);
	strbuf_addf(sb, " || HB_FAILED=$((HB_FAILED + 1))\n");
	indent(sb, nd);
	strbuf_addstr(sb, "echo \"result-$hb_point.json\" >>\"$JOB_DIR/results.txt\"\n");
	while (nd--) {
		indent(sb, nd);
		strbuf_addstr(sb, "done\n");
	}
	strbuf_addf(sb,
		    "[ \"$HB_FAILED\" -eq 0 ] || hb_fail \"$HB_FAILED of %u sweep points "
		    "failed\"\n",
		    points);
	strbuf_release(&point);
}

int render_client(const struct recipe *r, const struct client_spec *c, const struct render_opts *o,
		  struct job_plan *plan, struct job *job, struct strbuf *err)
{
	const struct client_render *cr = c->type ? c->type->render : NULL;
	struct cli_build b = { .c = c, .o = o, .job = job };
	struct strbuf sb = STRBUF_INIT;
	struct popts p = { NULL, 0 };
	const char *wait = cli_param(c, "wait_for_service");
	unsigned replicas = o->client_replicas ? o->client_replicas : c->replicas;
	struct resources res;
	unsigned wait_s = wait ? (unsigned)strtoul(wait, NULL, 10) : DEFAULT_WAIT_S;
	int tj = find_target_job(plan, c->target.name);
	char what[256];
	int ret = -1;

	(void)r;
	snprintf(what, sizeof(what), "client '%s'", c->name);
	strbuf_init(&b.target_suffix, 0);
	if (!wait_s)
		wait_s = DEFAULT_WAIT_S;
	if (tj >= 0 && !o->target_endpoint && !c->target.endpoint && !cli_param(c, "endpoint")) {
		job->depends_on = tj;
		b.target_service = plan->jobs[tj].service;
		b.target_type = b.target_service->type;
	} else {
		b.target_type = implied_type(c);
	}
	if (!c->command && !c->type) {
		recipe_error(err, &c->pos, "client '%s': no client type and no command", c->name);
		goto out;
	}
	if (!c->command && cr && cr->build && cr->build(&b, err))
		goto out;
	if (c->command && replicas > 1) {
		recipe_error(err, &c->pos,
			     "client '%s': replicas runs hpcbench load several times; a client "
			     "with its own command cannot have replicas",
			     c->name);
		goto out;
	}

	/* Replicas: one task per replica, on as many nodes (unless the recipe says). */
	res = c->resources;
	if (replicas > 1) {
		if (!res.ntasks)
			res.ntasks = replicas;
		if (!res.nodes)
			res.nodes = replicas;
	}
	if (sbatch_header(&sb, job, &res, &c->pos, o, err))
		goto out;
	job_preamble(&sb, job, "client", c->command ? "command" : c->type->name, o);
	job_environment(&sb, job, &c->environment, c->command ? c->runtime : RUNTIME_NATIVE);
	if (c->command) {
		if (job_runtime(&sb, c->runtime, c->container_image, &c->container, &c->resources,
				NULL, NULL, o, what, err))
			goto out;
	}
	if (!c->command) {
		strbuf_addstr(&sb, "\nHPCBENCH_BIN=");
		sq_quote(&sb, o->hpcbench_bin ? o->hpcbench_bin : "hpcbench");
		strbuf_addch(&sb, '\n');
	}
	target_block(&sb, c, o, plan, job->depends_on, wait_s);

	if (c->command) {
		strbuf_addstr(&sb,
			      "\n# The recipe's command, as written\nhb_run \"${HB_RUN[@]}\" ");
		sq_quote_expand(&sb, c->command);
		for (size_t i = 0; i < c->args.nr; i++) {
			strbuf_addch(&sb, ' ');
			sq_quote_expand(&sb, c->args.items[i]);
		}
		strbuf_addch(&sb, '\n');
	} else {
		map_parameters(&p, c, job);
		load_body(&sb, c, cr, &b, &p, replicas);
	}
	job->script = strbuf_detach(&sb, NULL);
	ret = 0;
out:
	strbuf_release(&sb);
	strbuf_release(&b.target_suffix);
	strlist_clear(&b.opts);
	popts_release(&p);
	return ret;
}
