/* Checks YAML mappings against key tables; see schema.h. */
#include "recipe/schema.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/suggest.h"
#include "common/units.h"
#include "common/xalloc.h"

int schema_error(struct schema *s, const struct srcpos *pos, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error(s->err, "%s:%u:%u: %s", pos->file, pos->line, pos->col, msg.buf);
	strbuf_release(&msg);
	s->errors++;
	return -1;
}

/* "LABEL: expected WANT, got GOT" at v. */
static int expected(struct schema *s, const char *label, const struct rnode *v, const char *want)
{
	struct strbuf got = STRBUF_INIT;
	rnode_describe(v, &got);
	schema_error(s, &v->pos, "%s: expected %s, got %s", label, want, got.buf);
	strbuf_release(&got);
	return -1;
}

int schema_str(struct schema *s, const char *label, const struct rnode *v, char **out)
{
	if (rnode_is_null(v))
		return 1;
	if (v->kind != RNODE_SCALAR)
		return expected(s, label, v, "a string");
	free(*out);
	*out = xstrdup(v->scalar);
	return 0;
}

static bool all_digits(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

int schema_uint(struct schema *s, const char *label, const struct rnode *v, uint64_t min,
		uint64_t max, uint64_t *out)
{
	struct strbuf want = STRBUF_INIT;
	if (rnode_is_null(v))
		return 1;
	if (v->kind == RNODE_SCALAR && !parse_uint(v->scalar, min, max, out))
		return 0;
	if (v->kind == RNODE_SCALAR && all_digits(v->scalar)) {
		schema_error(s, &v->pos, "%s: %s is out of range (%llu to %llu)", label, v->scalar,
			     (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	if (max >= UINT32_MAX)
		strbuf_addf(&want, "a whole number >= %llu", (unsigned long long)min);
	else
		strbuf_addf(&want, "a whole number from %llu to %llu", (unsigned long long)min,
			    (unsigned long long)max);
	expected(s, label, v, want.buf);
	strbuf_release(&want);
	return -1;
}

/* YAML 1.1 booleans, as Python's yaml.safe_load (the old tool) read them. */
static int bool_value(const char *t, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	for (size_t i = 0; yes[i]; i++) {
		if (!strcasecmp(t, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(t, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int schema_bool(struct schema *s, const char *label, const struct rnode *v, bool *out)
{
	if (rnode_is_null(v))
		return 1;
	if (v->kind != RNODE_SCALAR || bool_value(v->scalar, out))
		return expected(s, label, v, "true or false");
	return 0;
}

int schema_strlist(struct schema *s, const char *label, const struct rnode *v, struct strlist *out)
{
	int ret = 0;
	if (rnode_is_null(v))
		return 1;
	if (v->kind == RNODE_SCALAR) {
		struct strbuf want = STRBUF_INIT;
		strbuf_addf(&want, "a list (write [\"%s\"] for a list of one)",
			    strlen(v->scalar) > 40 ? "..." : v->scalar);
		expected(s, label, v, want.buf);
		strbuf_release(&want);
		return -1;
	}
	if (v->kind != RNODE_SEQ)
		return expected(s, label, v, "a list");
	strlist_clear(out);
	for (size_t i = 0; i < v->nr; i++) {
		const struct rnode *item = v->children[i];
		if (item->kind != RNODE_SCALAR || rnode_is_null(item)) {
			char *l = xasprintf("%s[%zu]", label, i); /* 0-based, as ports[0] */
			ret = expected(s, l, item, "a string");
			free(l);
			continue;
		}
		strlist_push(out, item->scalar);
	}
	return ret;
}

int schema_str_or_list(struct schema *s, const char *label, const struct rnode *v, void *dst)
{
	struct strlist *out = dst;
	if (v->kind == RNODE_SCALAR && !rnode_is_null(v)) {
		strlist_push(out, v->scalar);
		return 0;
	}
	return schema_strlist(s, label, v, out) < 0 ? -1 : 0;
}

int schema_duration_s(struct schema *s, const char *label, const struct rnode *v, uint64_t *out)
{
	uint64_t us;
	if (rnode_is_null(v))
		return 1;
	if (v->kind != RNODE_SCALAR || parse_duration_us(v->scalar, &us) || us == 0)
		return expected(s, label, v,
				"a duration: seconds, or a number with a unit ms, s, m or h "
				"(e.g. 30, 90s, 5m)");
	*out = (us + 999999) / 1000000;
	return 0;
}

int schema_slurm_time(struct schema *s, const char *label, const struct rnode *v, char **out,
		      uint64_t *secs)
{
	uint64_t t;
	int rc = schema_str(s, label, v, out);
	if (rc)
		return rc;
	if (!parse_slurm_time(*out, &t)) {
		if (secs)
			*secs = t;
		return 0;
	}
	schema_error(s, &v->pos,
		     "%s: bad time '%s' (expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS "
		     "or UNLIMITED, e.g. \"01:30:00\")",
		     label, *out);
	free(*out);
	*out = NULL;
	return -1;
}

/* An optionally signed integer. */
static bool is_int(const char *t)
{
	if (*t == '-' || *t == '+')
		t++;
	return all_digits(t);
}

/* "1,2,5" (spaces allowed after commas): a comma list of integers. */
static bool is_int_list(const char *t)
{
	char *copy = xstrdup(t), *save = NULL;
	bool ok = true;
	int n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		ok = ok && is_int(tok);
		n++;
	}
	free(copy);
	/* strtok_r skips empty fields; "1,,2" or a trailing comma is a typo, not a sweep. */
	return ok && n > 0 && !strstr(t, ",,") && t[strlen(t) - 1] != ',' && *t != ',';
}

int schema_kind(struct schema *s, const char *label, const struct rnode *v,
		const struct type_key *key, bool sweep)
{
	bool b;
	bool can_sweep = sweep && (key->flags & TK_SWEEP);
	if (rnode_is_null(v))
		return 0;
	switch (key->kind) {
	case KEY_STRING:
		return v->kind == RNODE_SCALAR ? 0 : expected(s, label, v, "a string");
	case KEY_INT:
		if (v->kind == RNODE_SCALAR && is_int(v->scalar))
			return 0;
		if (can_sweep && v->kind == RNODE_SCALAR && is_int_list(v->scalar))
			return 0;
		if (can_sweep && v->kind == RNODE_SEQ) {
			for (size_t i = 0; i < v->nr; i++)
				if (v->children[i]->kind != RNODE_SCALAR ||
				    !is_int(v->children[i]->scalar))
					return expected(s, label, v->children[i], "an integer");
			return 0;
		}
		return expected(s, label, v,
				can_sweep ? "an integer, or integers to sweep (\"1,2,4\" or a list)"
					  : "an integer");
	case KEY_BOOL:
		if (v->kind == RNODE_SCALAR && !bool_value(v->scalar, &b))
			return 0;
		return expected(s, label, v, "true or false");
	case KEY_LIST:
		return v->kind == RNODE_SEQ ? 0 : expected(s, label, v, "a list");
	case KEY_MAP:
		return v->kind == RNODE_MAP ? 0 : expected(s, label, v, "a mapping");
	case KEY_ANY:
		break;
	}
	return 0;
}

static bool is_shell_name(const char *t)
{
	if (!*t || isdigit((unsigned char)*t))
		return false;
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '_')
			return false;
	return true;
}

static int check_env(struct schema *s, const char *label, const struct rnode *v, struct kvlist *out)
{
	bool fresh = !out->nr;
	int ret = 0;
	if (rnode_is_null(v))
		return 1;
	if (v->kind != RNODE_MAP)
		return expected(s, label, v, "a mapping of NAME: value");
	for (size_t i = 0; i < v->nr; i++) {
		const struct rnode *val = v->children[i];
		if (!is_shell_name(v->keys[i])) {
			ret = schema_error(s, &v->key_pos[i],
					   "%s: '%s' is not a valid variable name (letters, digits "
					   "and '_', not starting with a digit)",
					   label, v->keys[i]);
			continue;
		}
		if (val->kind != RNODE_SCALAR) {
			char *l = xasprintf("%s.%s", label, v->keys[i]);
			ret = expected(s, l, val, "a string");
			free(l);
			continue;
		}
		/* The keys of a mapping are unique (rnode refuses duplicates): append, so
		 * that a mapping of N keys loads in O(N). */
		if (!fresh)
			kvlist_set(out, v->keys[i], rnode_is_null(val) ? "" : val->scalar);
		else
			kvlist_add(out, v->keys[i], rnode_is_null(val) ? "" : val->scalar);
	}
	return ret;
}

static void apply_field(struct schema *s, const struct field *f, const char *label,
			const struct rnode *v, char *obj)
{
	uint64_t u;
	switch (f->kind) {
	case FIELD_STR:
		schema_str(s, label, v, (char **)(obj + f->off));
		break;
	case FIELD_UINT:
		if (!schema_uint(s, label, v, f->min, f->max ? f->max : UINT32_MAX, &u))
			*(unsigned *)(obj + f->off) = (unsigned)u;
		break;
	case FIELD_BOOL:
		schema_bool(s, label, v, (bool *)(obj + f->off));
		break;
	case FIELD_STRLIST:
		schema_strlist(s, label, v, (struct strlist *)(obj + f->off));
		break;
	case FIELD_ENV:
		check_env(s, label, v, (struct kvlist *)(obj + f->off));
		break;
	case FIELD_MAP:
		schema_map(s, v, label, f->name, f->sub, NULL, false, false, obj + f->off);
		break;
	case FIELD_IGNORED:
		break;
	case FIELD_CUSTOM:
		f->check(s, label, v, obj + f->off);
		break;
	}
}

static const struct field *field_find(const struct field *fields, const char *name)
{
	for (; fields && fields->name; fields++)
		if (!strcmp(fields->name, name))
			return fields;
	return NULL;
}

static void unknown_key(struct schema *s, const struct srcpos *pos, const char *key,
			const char *what, const struct field *fields, const struct type_key *extra)
{
	const char **names = NULL;
	size_t n = 0, alloc = 0;
	const char *near;
	for (const struct field *f = fields; f && f->name; f++) {
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = f->name;
	}
	for (const struct type_key *k = extra; k && k->name; k++) {
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = k->name;
	}
	ALLOC_GROW(names, n + 1, alloc);
	names[n] = NULL;
	near = suggest_nearest(key, names);
	if (near) {
		schema_error(s, pos, "unknown key '%s' in %s (did you mean '%s'?)", key, what,
			     near);
	} else if (n && n <= 12) {
		/* A short table is worth listing when no key is close. */
		struct strbuf known = STRBUF_INIT;
		schema_join(&known, names);
		schema_error(s, pos, "unknown key '%s' in %s (known keys: %s)", key, what,
			     known.buf);
		strbuf_release(&known);
	} else {
		schema_error(s, pos, "unknown key '%s' in %s", key, what);
	}
	free(names);
}

void schema_map(struct schema *s, const struct rnode *map, const char *label, const char *what,
		const struct field *fields, const struct type_key *extra, bool sweep, bool lenient,
		void *obj)
{
	if (map && !rnode_is_null(map) && map->kind != RNODE_MAP) {
		expected(s, label, map, "a mapping");
		return;
	}
	for (size_t i = 0; map && i < map->nr; i++) {
		const char *key = map->keys[i];
		const struct rnode *v = map->children[i];
		const struct field *f = field_find(fields, key);
		const struct type_key *k = f ? NULL : type_key_find(extra, key);
		char *l = label ? xasprintf("%s.%s", label, key) : xstrdup(key);
		if (f)
			apply_field(s, f, l, v, obj);
		else if (k)
			schema_kind(s, l, v, k, sweep);
		else if (!lenient)
			unknown_key(s, &map->key_pos[i], key, what, fields, extra);
		free(l);
	}
	for (const struct type_key *k = extra; map && map->kind == RNODE_MAP && k && k->name; k++) {
		const struct rnode *v = rnode_get(map, k->name);
		if ((k->flags & TK_REQUIRED) && (!v || rnode_is_null(v)))
			schema_error(s, &map->pos, "missing required key '%s' in %s", k->name,
				     what);
	}
}

void schema_join(struct strbuf *sb, const char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, names[i]);
	}
}
