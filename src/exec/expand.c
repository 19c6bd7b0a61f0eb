#include "exec/expand.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strlist.h"
#include "common/shquote.h"
#include "common/xalloc.h"
#include "exec/executor.h"

/* One piece of a path: literal text, or the name of a variable. */
struct piece {
	char *text;
	int is_var;
};

struct pieces {
	struct piece *items;
	size_t nr, alloc;
};

static void add_piece(struct pieces *ps, const char *s, size_t len, int is_var)
{
	ALLOC_GROW(ps->items, ps->nr + 1, ps->alloc);
	ps->items[ps->nr].text = xstrndup(s, len);
	ps->items[ps->nr].is_var = is_var;
	ps->nr++;
}

static int name_char(char c, int first)
{
	return sh_name_char((unsigned char)c, first);
}

/* Splits s into literal text and variable names (same rules as sq_quote_expand). */
static void split_pieces(const char *s, struct pieces *ps)
{
	struct strbuf lit = STRBUF_INIT;
	while (*s) {
		const char *p = s + 1, *q;
		if (*s != '$') {
			strbuf_addch(&lit, *s++);
			continue;
		}
		if (*p == '$') {
			strbuf_addch(&lit, '$');
			s += 2;
			continue;
		}
		if (*p == '{' && name_char(p[1], 1)) {
			for (q = p + 2; name_char(*q, 0); q++)
				;
			if (*q == '}') {
				if (lit.len)
					add_piece(ps, lit.buf, lit.len, 0);
				strbuf_reset(&lit);
				add_piece(ps, p + 1, (size_t)(q - p - 1), 1);
				s = q + 1;
				continue;
			}
		} else if (name_char(*p, 1)) {
			for (q = p + 1; name_char(*q, 0); q++)
				;
			if (lit.len)
				add_piece(ps, lit.buf, lit.len, 0);
			strbuf_reset(&lit);
			add_piece(ps, p, (size_t)(q - p), 1);
			s = q;
			continue;
		}
		strbuf_addch(&lit, *s++);
	}
	if (lit.len)
		add_piece(ps, lit.buf, lit.len, 0);
	strbuf_release(&lit);
}

/*
 * Values of the variables on the login node, in order: one command printing "1VALUE\0"
 * for a set variable and "0\0" for an unset one (names are checked, so eval is safe).
 */
static int remote_values(struct executor *ex, const struct pieces *ps, struct strlist *vals,
			 struct strbuf *err)
{
	struct strlist argv = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
	const char *p, *end;
	int rc, ret = -1;

	strlist_push(&argv, "sh");
	strlist_push(&argv, "-c");
	strlist_push(&argv,
		     "for v do eval \"s=\\${$v+1}\"; if [ \"$s\" ]; then "
		     "eval \"printf '1%s\\0' \\\"\\${$v}\\\"\"; else printf '0\\0'; fi; done");
	strlist_push(&argv, "hpcbench-env");
	for (size_t i = 0; i < ps->nr; i++)
		if (ps->items[i].is_var)
			strlist_push(&argv, ps->items[i].text);
	rc = ex->runner->run(ex->runner, (const char *const *)strlist_argv(&argv), NULL, 0, &out,
			     &errout, err);
	if (rc != 0) {
		if (rc > 0)
			error(err, "reading variables on the login node failed (exit %d): %s", rc,
			      errout.buf);
		ex->unreachable |= ex->runner->unreachable;
		goto out;
	}
	for (p = out.buf, end = out.buf + out.len; p < end; p += strlen(p) + 1)
		strlist_push(vals, *p == '1' ? p + 1 : NULL);
	ret = 0;
out:
	strlist_clear(&argv);
	strbuf_release(&out);
	strbuf_release(&errout);
	return ret;
}

int executor_expand_path(struct executor *ex, const char *s, char **out, struct strbuf *err)
{
	struct pieces ps = { 0 };
	struct strlist vals = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	int remote = (ex->caps & EXEC_REMOTE) != 0;
	size_t nvars = 0, v = 0;
	int ret = -1;

	*out = NULL;
	if (s[0] == '~' && (s[1] == '/' || !s[1])) {
		if (!ex->home) {
			error(err, "%s: the job side's home folder is not known", s);
			goto out;
		}
		strbuf_addstr(&sb, ex->home);
		s++;
	}
	split_pieces(s, &ps);
	for (size_t i = 0; i < ps.nr; i++)
		nvars += ps.items[i].is_var;
	if (nvars && remote && remote_values(ex, &ps, &vals, err))
		goto out;
	for (size_t i = 0; i < ps.nr; i++) {
		const char *val;
		if (!ps.items[i].is_var) {
			strbuf_addstr(&sb, ps.items[i].text);
			continue;
		}
		/* vals holds NULL for unset: strlist_push(NULL) stores a NULL item */
		val = remote ? (v < vals.nr ? vals.items[v] : NULL) : getenv(ps.items[i].text);
		v++;
		if (!val) {
			error(err, "'%s': $%s is not set %s", s, ps.items[i].text,
			      remote ? "on the login node" : "here");
			goto out;
		}
		strbuf_addstr(&sb, val);
	}
	*out = strbuf_detach(&sb, NULL);
	ret = 0;
out:
	for (size_t i = 0; i < ps.nr; i++)
		free(ps.items[i].text);
	free(ps.items);
	strlist_clear(&vals);
	strbuf_release(&sb);
	return ret;
}
