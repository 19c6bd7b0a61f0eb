/* Helpers for the type hooks (hooks.h): shell words, side files, recipe values. */
#include "script/hooks.h"

#include <stdlib.h>
#include <string.h>

#include "common/shquote.h"
#include "common/xalloc.h"
#include "recipe/recipe.h"
#include "script/render.h"

void svc_arg_value(struct strlist *l, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	sq_quote_expand(&sb, value);
	strlist_push_owned(l, strbuf_detach(&sb, NULL));
}

void svc_arg_raw(struct strlist *l, const char *word)
{
	strlist_push(l, word);
}

void svc_arg_opt(struct strlist *l, const char *opt, const char *value)
{
	svc_arg_raw(l, opt);
	svc_arg_value(l, value);
}

void job_add_file(struct job *job, const char *name, const char *content, size_t len, mode_t mode)
{
	struct side_file *f;
	job->files = xrealloc(job->files, (job->nr_files + 1) * sizeof(*job->files));
	f = &job->files[job->nr_files++];
	f->name = xstrdup(name);
	f->content = xmalloc(len + 1);
	memcpy(f->content, content, len);
	f->content[len] = '\0';
	f->len = len;
	f->mode = mode;
}

const char *svc_key(const struct service_spec *s, const char *key, const char *env)
{
	const char *v = rnode_str(s->node, key);
	if (v)
		return v;
	return env ? kvlist_get(&s->environment, env) : NULL;
}

const char *client_param(const struct client_spec *c, const char *key)
{
	return rnode_str(c->parameters, key);
}

void comment_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addch(sb, '?');
		else
			strbuf_addch(sb, c);
	}
}
