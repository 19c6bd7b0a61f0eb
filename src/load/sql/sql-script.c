/* --query and --script: user statements with generators in braces (sql-script.h). */
#include "load/sql/sql-script.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/xalloc.h"

#define SPAN_MAX (1ll << 62) /* widest LO..HI: the draws stay exact */

/* Parse state of one source (the script or the query). */
struct parser {
	struct sql_script *s;
	const char *where;
	unsigned line;
	struct strbuf *err;
};

/* "WHERE:LINE: reason" into ps->err; returns -1. */
static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *ps, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error(ps->err, "%s:%u: %s", ps->where, ps->line, msg.buf);
	strbuf_release(&msg);
	return -1;
}

static int parse_ll(const char *t, long long *v)
{
	char *end;
	errno = 0;
	*v = strtoll(t, &end, 10);
	return errno || end == t || *end ? -1 : 0;
}

static bool valid_name(const char *n)
{
	if (!isalpha((unsigned char)*n) && *n != '_')
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_')
			return false;
	return true;
}

/* GEN:ARGS (the text between the braces after NAME=, if any) into a. */
static int parse_gen(struct parser *ps, char *spec, struct sql_genarg *a)
{
	char *f[5], *save = NULL;
	unsigned n = 0;
	long long v[3] = { 0, 0, 0 };
	double zs = 0.99;
	for (char *t = strtok_r(spec, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (n == 5)
			return perr(ps, "{%s...}: too many ':' fields", f[0]);
		f[n++] = t;
	}
	if (!n)
		return perr(ps, "empty generator {}");
	for (unsigned i = 1; i < n && i < 3; i++)
		if (parse_ll(f[i], &v[i - 1]))
			return perr(ps, "{%s}: '%s' is not an integer", f[0], f[i]);
	if (!strcmp(f[0], "uniform") || !strcmp(f[0], "zipf")) {
		bool zipf = f[0][0] == 'z';
		if (n < 3 || n > (zipf ? 4u : 3u))
			return perr(ps, "{%s}: write {%s}", f[0],
				    zipf ? "zipf:LO:HI[:S]" : "uniform:LO:HI");
		if (zipf && n == 4) {
			char *end;
			zs = strtod(f[3], &end);
			if (*end || !(zs > 0 && zs <= 100))
				return perr(ps, "{zipf}: exponent '%s' is not a number in (0, 100]",
					    f[3]);
		}
		a->g = zipf ? G_ZIPF : G_UNIFORM;
		a->lo = v[0];
		a->hi = v[1];
	} else if (!strcmp(f[0], "seq")) {
		if (n > 3)
			return perr(ps, "{seq}: write {seq}, {seq:LO} or {seq:LO:HI}");
		a->g = G_SEQ;
		a->lo = n > 1 ? v[0] : 1;
		a->hi = n > 2 ? v[1]
			      : (a->lo < LLONG_MAX - SPAN_MAX ? a->lo + SPAN_MAX - 1 : LLONG_MAX);
		if (ps->s->nseq == SQL_MAX_SEQ)
			return perr(ps, "more than 16 {seq} generators");
		a->seq = ps->s->nseq++;
	} else if (!strcmp(f[0], "str")) {
		if (n < 2 || n > 3)
			return perr(ps, "{str}: write {str:N} or {str:MIN:MAX}");
		a->g = G_STR;
		a->str = true;
		a->lo = v[0];
		a->hi = n > 2 ? v[1] : v[0];
		if (a->lo < 0 || a->hi > SQL_PARAM_MAX - 1)
			return perr(ps, "{str}: lengths from 0 to 255");
	} else {
		return perr(ps,
			    "unknown generator '%s' (uniform, zipf, seq, str; or a variable "
			    "defined earlier with {NAME=...})%s",
			    f[0], "");
	}
	if (a->hi < a->lo)
		return perr(ps, "{%s}: HI is below LO", f[0]);
	if (a->lo < 0 && a->hi > a->lo + SPAN_MAX - 1)
		return perr(ps, "{%s}: LO..HI spans more than 2^62 values", f[0]);
	if (a->hi - a->lo >= SPAN_MAX)
		return perr(ps, "{%s}: LO..HI spans more than 2^62 values", f[0]);
	if (a->g == G_ZIPF)
		sql_zipf_init(&a->zipf, (uint64_t)(a->hi - a->lo) + 1, zs);
	return 0;
}

/* The text inside one pair of braces: a generator, NAME=generator or NAME. */
static int parse_brace(struct parser *ps, char *in, struct sql_genarg *a)
{
	struct sql_script *s = ps->s;
	char *eq = strchr(in, '=');
	memset(a, 0, sizeof(*a));
	if (!eq && !strchr(in, ':')) {
		for (unsigned i = 0; i < s->nvars; i++)
			if (!strcmp(s->vars[i], in)) {
				/* A reference: the definition's type, the value it drew. */
				a->str = s->var_str[i];
				a->g = G_VAR;
				a->var = i + 1;
				return 0;
			}
		if (strcmp(in, "uniform") && strcmp(in, "zipf") && strcmp(in, "seq") &&
		    strcmp(in, "str"))
			return perr(ps, "{%s}: no variable %s was defined before (write {%s=...})",
				    in, in, in);
	}
	if (eq) {
		*eq = 0;
		if (!valid_name(in))
			return perr(ps, "{%s=...}: a variable name is letters, digits and _", in);
		for (unsigned i = 0; i < s->nvars; i++)
			if (!strcmp(s->vars[i], in))
				return perr(ps, "{%s=...}: variable %s is defined twice", in, in);
		if (s->nvars == SQL_MAX_VARS)
			return perr(ps, "more than 16 variables");
		if (parse_gen(ps, eq + 1, a))
			return -1;
		s->var_str[s->nvars] = a->str;
		s->vars[s->nvars++] = xstrdup(in);
		a->var = s->nvars;
		return 0;
	}
	return parse_gen(ps, in, a);
}

/* One statement (src..end, no ';'): its template text and generators into stmts[n]. */
static int parse_stmt(struct parser *ps, const char *src, const char *end)
{
	struct sql_script *s = ps->s;
	unsigned n = s->nstmts;
	struct sql_stmt one = { SQL_OTHER, NULL, 0, { 0 }, NULL }, *st = &one;
	struct sql_genarg args[SQL_MAX_PARAMS];
	struct strbuf text = STRBUF_INIT;
	char quote = 0;
	size_t lead;
	for (const char *p = src; p < end; p++) {
		if (*p == '\n')
			ps->line++;
		if (quote) {
			if (*p == '\\' && quote != '`' && p + 1 < end)
				strbuf_addch(&text, *p++);
			else if (*p == quote)
				quote = 0;
			strbuf_addch(&text, *p);
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
		} else if (*p == '?') {
			strbuf_release(&text);
			return perr(ps,
				    "'?' outside quotes would be a parameter nobody fills: write a "
				    "generator such as {uniform:1:1000}%s",
				    "");
		} else if (*p == '{' && p + 1 < end && p[1] == '{') {
			strbuf_addch(&text, '{');
			p++;
			continue;
		} else if (*p == '{') {
			const char *close = memchr(p, '}', (size_t)(end - p));
			char *in;
			int r;
			if (!close) {
				strbuf_release(&text);
				return perr(ps, "'{' without its '}' (a literal brace is {{)");
			}
			if (st->nparams == SQL_MAX_PARAMS) {
				strbuf_release(&text);
				return perr(ps, "more than 16 generators in one statement"
						"");
			}
			in = xstrndup(p + 1, (size_t)(close - p - 1));
			r = parse_brace(ps, in, &args[st->nparams]);
			free(in);
			if (r) {
				strbuf_release(&text);
				return -1;
			}
			st->params[st->nparams] = args[st->nparams].g;
			st->nparams++;
			strbuf_addch(&text, '?');
			p = close;
			continue;
		}
		strbuf_addch(&text, *p);
	}
	strbuf_rtrim(&text);
	lead = strspn(text.buf, " \t\r\n");
	if (lead == text.len) {
		strbuf_release(&text);
		return 0; /* ";;" or a trailing ';': nothing to run */
	}
	if (n == SQL_SCRIPT_MAX_STMTS) {
		strbuf_release(&text);
		return perr(ps, "more than 64 statements");
	}
	s->texts[n] = xstrdup(text.buf + lead);
	strbuf_release(&text);
	st->text = s->texts[n];
	st->cls = sql_classify(st->text);
	if (st->nparams) {
		s->args[n] = xmalloc(st->nparams * sizeof(*args));
		memcpy(s->args[n], args, st->nparams * sizeof(*args));
		st->args = s->args[n];
	}
	s->stmts[n] = one;
	s->nstmts++;
	return 0;
}

/* Whether text starts with word (case-insensitive, then a blank or the end). */
static bool starts_with_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	return !strncasecmp(text, word, n) && (!text[n] || isspace((unsigned char)text[n]));
}

int sql_script_parse(struct sql_script *s, const char *where, const char *src, bool script,
		     struct strbuf *err)
{
	struct parser ps = { s, where, 1, err };
	struct strbuf clean = STRBUF_INIT;
	const char *p, *start;
	char quote = 0;
	/* Comments out first (a ';' in a comment must not split): from -- outside quotes
	 * to the end of the line, which stays (line numbers in messages). */
	for (p = src; *p; p++) {
		if (quote) {
			if (*p == '\\' && p[1])
				strbuf_addch(&clean, *p++);
			else if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
		} else if (script && p[0] == '-' && p[1] == '-') {
			p = strchrnul(p, '\n');
			if (!*p)
				break;
		}
		strbuf_addch(&clean, *p);
	}
	quote = 0;
	for (start = p = clean.buf;; p++) {
		if (quote) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
			if (*p)
				continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
			continue;
		}
		if (*p && (*p != ';' || !script))
			continue;
		if (parse_stmt(&ps, start, p))
			goto fail;
		if (!*p)
			break;
		start = p + 1;
	}
	strbuf_release(&clean);
	if (!s->nstmts) {
		error(err, "%s: no statement to run", where);
		goto fail_released;
	}
	s->wl.name = script ? "script" : "query";
	s->wl.summary = script ? "--script" : "--query";
	s->wl.stmts = s->stmts;
	s->wl.nstmts = s->nstmts;
	s->wl.schema = SCHEMA_NONE;
	s->wl.transaction =
	    starts_with_word(s->texts[0], "BEGIN") || starts_with_word(s->texts[0], "START");
	return 0;
fail:
	strbuf_release(&clean);
fail_released:
	sql_script_release(s);
	return -1;
}

void sql_script_release(struct sql_script *s)
{
	for (unsigned i = 0; i < SQL_SCRIPT_MAX_STMTS; i++) {
		free(s->args[i]);
		free(s->texts[i]);
	}
	for (unsigned i = 0; i < s->nvars; i++)
		free(s->vars[i]);
	memset(s, 0, sizeof(*s));
}
