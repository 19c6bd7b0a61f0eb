/* YAML -> struct rnode trees with positions, on libyaml's event API. */
#include "recipe/rnode.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"

/* Deepest nesting accepted: recipes are shallow; this only stops a hostile file. */
#define RNODE_MAX_DEPTH 64
/* Nodes that aliases may copy in all; stops "billion laughs" files. */
#define RNODE_MAX_COPIED 100000

/* An open MAP or SEQ while its events arrive; a MAP remembers the key awaiting a value. */
struct frame {
	struct rnode *node;
	char *key;
	struct srcpos key_pos;
	char *anchor; /* &name of this node, registered when it closes */
};

/* A copy of an anchored node (&name), which each alias (*name) copies again. */
struct anchor {
	char *name;
	struct rnode *node;
};

struct builder {
	const char *name;
	struct strbuf *err;
	struct frame stack[RNODE_MAX_DEPTH];
	size_t depth;
	struct rnode *root;
	struct anchor *anchors;
	size_t nr_anchors, alloc_anchors;
	size_t copied;
	int documents;
	int failed;
	int fatal; /* stop parsing and return no tree */
};

static struct srcpos mark_pos(const struct builder *b, yaml_mark_t m)
{
	struct srcpos p = { b->name, (unsigned)m.line + 1, (unsigned)m.column + 1 };
	return p;
}

static struct rnode *node_new(enum rnode_kind kind, struct srcpos pos)
{
	struct rnode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->pos = pos;
	return n;
}

void rnode_free(struct rnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nr; i++) {
		rnode_free(n->children[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->children);
	free(n->keys);
	free(n->key_pos);
	free(n->index);
	free(n->scalar);
	free(n);
}

/* Maps with fewer keys are searched in order; the table is not worth it. */
#define RNODE_INDEX_MIN 16

static size_t key_hash(const char *k)
{
	size_t h = 14695981039346656037ull; /* FNV-1a */
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	return h;
}

static void index_put(struct rnode *map, size_t i)
{
	size_t mask = map->index_cap - 1, at = key_hash(map->keys[i]) & mask;
	while (map->index[at])
		at = (at + 1) & mask;
	map->index[at] = i + 1;
}

/* (Re)builds the key table of a MAP for its nr keys, at most half full. */
static void index_rebuild(struct rnode *map)
{
	size_t cap = RNODE_INDEX_MIN * 2;
	while (cap < map->nr * 2)
		cap *= 2;
	free(map->index);
	map->index = xcalloc(cap, sizeof(*map->index));
	map->index_cap = cap;
	for (size_t i = 0; i < map->nr; i++)
		index_put(map, i);
}

/* Index of key in a MAP's keys, or -1. */
static long key_find(const struct rnode *map, const char *key)
{
	if (!map->index) {
		for (size_t i = 0; i < map->nr; i++)
			if (!strcmp(map->keys[i], key))
				return (long)i;
		return -1;
	}
	for (size_t mask = map->index_cap - 1, at = key_hash(key) & mask; map->index[at];
	     at = (at + 1) & mask)
		if (!strcmp(map->keys[map->index[at] - 1], key))
			return (long)(map->index[at] - 1);
	return -1;
}

/* Appends key: child to a MAP (keys, key_pos and children grow together). */
static void map_append(struct rnode *map, char *key, struct srcpos key_pos, struct rnode *child)
{
	if (map->nr + 1 > map->alloc) {
		size_t alloc = map->alloc;
		ALLOC_GROW(map->children, map->nr + 1, alloc);
		map->keys = xrealloc(map->keys, alloc * sizeof(*map->keys));
		map->key_pos = xrealloc(map->key_pos, alloc * sizeof(*map->key_pos));
		map->alloc = alloc;
	}
	map->keys[map->nr] = key;
	map->key_pos[map->nr] = key_pos;
	map->children[map->nr++] = child;
	if (map->index && map->nr * 2 <= map->index_cap)
		index_put(map, map->nr - 1);
	else if (map->nr >= RNODE_INDEX_MIN)
		index_rebuild(map);
}

/* A deep copy of n, positions included (they point at the anchored text). */
static struct rnode *rnode_copy(const struct rnode *n)
{
	struct rnode *c = node_new(n->kind, n->pos);
	c->scalar = xstrdup(n->scalar);
	c->quoted = n->quoted;
	for (size_t i = 0; i < n->nr; i++) {
		struct rnode *child = rnode_copy(n->children[i]);
		if (n->kind == RNODE_MAP) {
			map_append(c, xstrdup(n->keys[i]), n->key_pos[i], child);
		} else {
			ALLOC_GROW(c->children, c->nr + 1, c->alloc);
			c->children[c->nr++] = child;
		}
	}
	return c;
}

static size_t rnode_count(const struct rnode *n)
{
	size_t total = 1;
	for (size_t i = 0; i < n->nr; i++)
		total += rnode_count(n->children[i]);
	return total;
}

__attribute__((format(printf, 3, 4))) static void fail_at(struct builder *b, struct srcpos pos,
							  const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error(b->err, "%s:%u:%u: %s", pos.file, pos.line, pos.col, msg.buf);
	strbuf_release(&msg);
	b->failed = 1;
}

/* Adds a finished node to the open MAP/SEQ, or makes it the root. Takes ownership. */
static void attach(struct builder *b, struct rnode *n)
{
	struct frame *f;
	if (!b->depth) {
		if (b->root)
			rnode_free(b->root);
		b->root = n;
		return;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->kind == RNODE_SEQ) {
		ALLOC_GROW(f->node->children, f->node->nr + 1, f->node->alloc);
		f->node->children[f->node->nr++] = n;
		return;
	}
	if (!f->key) {
		/* n is a key. */
		if (n->kind != RNODE_SCALAR) {
			fail_at(b, n->pos, "a key must be a plain string, not a list or mapping");
			f->key = xstrdup("");
		} else {
			f->key = n->scalar;
			n->scalar = NULL;
		}
		f->key_pos = n->pos;
		rnode_free(n);
		return;
	}
	long dup = key_find(f->node, f->key);
	if (dup >= 0) {
		fail_at(b, f->key_pos, "duplicate key '%s' (first at line %u)", f->key,
			f->node->key_pos[dup].line);
		free(f->key);
		f->key = NULL;
		rnode_free(n);
		return;
	}
	map_append(f->node, f->key, f->key_pos, n);
	f->key = NULL;
}

/* Opens a MAP or SEQ; returns 1 (stop parsing) when the file nests too deep. */
static int open_node(struct builder *b, enum rnode_kind kind, struct srcpos pos,
		     const yaml_char_t *anchor)
{
	if (b->depth == RNODE_MAX_DEPTH) {
		fail_at(b, pos, "nested more than %d levels deep", RNODE_MAX_DEPTH);
		b->fatal = 1;
		return 1;
	}
	b->stack[b->depth].node = node_new(kind, pos);
	b->stack[b->depth].key = NULL;
	b->stack[b->depth].anchor = xstrdup((const char *)anchor);
	b->depth++;
	return 0;
}

/* Remembers a copy of n under &name (a later anchor of the same name wins). */
static void add_anchor(struct builder *b, const char *name, const struct rnode *n)
{
	ALLOC_GROW(b->anchors, b->nr_anchors + 1, b->alloc_anchors);
	b->anchors[b->nr_anchors].name = xstrdup(name);
	b->anchors[b->nr_anchors].node = rnode_copy(n);
	b->nr_anchors++;
}

/* A copy of the node anchored as name, or NULL after reporting why not. */
static struct rnode *resolve_alias(struct builder *b, const char *name, struct srcpos pos)
{
	for (size_t i = b->nr_anchors; i-- > 0;) {
		if (strcmp(b->anchors[i].name, name))
			continue;
		b->copied += rnode_count(b->anchors[i].node);
		if (b->copied > RNODE_MAX_COPIED) {
			fail_at(b, pos, "aliases expand to more than %d nodes", RNODE_MAX_COPIED);
			b->fatal = 1;
			return NULL;
		}
		return rnode_copy(b->anchors[i].node);
	}
	fail_at(b, pos, "unknown alias *%s (an anchor &%s must come before it)", name, name);
	return NULL;
}

/*
 * Resolves merge keys (`<<: *base` or `<<: [*a, *b]`) in a closed MAP: the keys of the
 * merged mappings that the MAP does not set itself are copied in, earlier mappings first.
 */
static void merge_keys(struct builder *b, struct rnode *map)
{
	size_t kept = 0, nr = map->nr;
	for (size_t i = 0; i < nr; i++) {
		const struct rnode *v = map->children[i];
		const struct rnode *const *srcs = (const struct rnode *const *)&map->children[i];
		size_t nsrc = 1;
		if (strcmp(map->keys[i], "<<"))
			continue;
		if (v->kind == RNODE_SEQ) {
			srcs = (const struct rnode *const *)v->children;
			nsrc = v->nr;
		}
		for (size_t s = 0; s < nsrc; s++) {
			const struct rnode *src = srcs[s];
			if (src->kind != RNODE_MAP) {
				fail_at(b, src->pos,
					"a merge key '<<' takes a mapping or a list of "
					"mappings");
				continue;
			}
			for (size_t k = 0; k < src->nr; k++) {
				if (rnode_get(map, src->keys[k]))
					continue;
				map_append(map, xstrdup(src->keys[k]), src->key_pos[k],
					   rnode_copy(src->children[k]));
			}
		}
	}
	/* Drop the "<<" entries themselves. */
	for (size_t i = 0; i < map->nr; i++) {
		if (!strcmp(map->keys[i], "<<")) {
			free(map->keys[i]);
			rnode_free(map->children[i]);
			continue;
		}
		map->keys[kept] = map->keys[i];
		map->key_pos[kept] = map->key_pos[i];
		map->children[kept] = map->children[i];
		kept++;
	}
	if (kept != map->nr) {
		map->nr = kept;
		if (map->index)
			index_rebuild(map);
	}
}

static void close_node(struct builder *b)
{
	struct frame *f;
	if (!b->depth)
		return;
	f = &b->stack[--b->depth];
	free(f->key);
	if (f->node->kind == RNODE_MAP)
		merge_keys(b, f->node);
	if (f->anchor)
		add_anchor(b, f->anchor, f->node);
	free(f->anchor);
	attach(b, f->node);
}

/* Handles one event; returns 0 to go on, 1 to stop (end of stream, or a fatal problem). */
static int on_event(struct builder *b, const yaml_event_t *ev)
{
	struct srcpos pos = mark_pos(b, ev->start_mark);
	struct rnode *n;
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents == 2) {
			fail_at(b, pos, "only one yaml document per file (found a second '---')");
			return 1;
		}
		break;
	case YAML_SCALAR_EVENT:
		/* A "\0" escape: C strings would end there and cut the value silently. */
		if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length))
			fail_at(b, pos,
				"a NUL byte (\\0) in a value is not allowed: it would cut the "
				"value short");
		n = node_new(RNODE_SCALAR, pos);
		n->scalar = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
			    ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
		if (ev->data.scalar.anchor)
			add_anchor(b, (const char *)ev->data.scalar.anchor, n);
		attach(b, n);
		break;
	case YAML_ALIAS_EVENT:
		n = resolve_alias(b, (const char *)ev->data.alias.anchor, pos);
		if (b->fatal)
			return 1;
		if (!n) {
			/* A null placeholder keeps the tree's shape so later checks still run. */
			n = node_new(RNODE_SCALAR, pos);
			n->scalar = xstrdup("");
		}
		attach(b, n);
		break;
	case YAML_MAPPING_START_EVENT:
		return open_node(b, RNODE_MAP, pos, ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_START_EVENT:
		return open_node(b, RNODE_SEQ, pos, ev->data.sequence_start.anchor);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		close_node(b);
		break;
	default:
		break;
	}
	return 0;
}

int rnode_load_buf(const char *buf, size_t len, const char *name, struct rnode **out,
		   struct strbuf *err)
{
	yaml_parser_t parser;
	struct builder b = { .name = name, .err = err };
	int ret = -1;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return error(err, "%s: cannot initialise the yaml parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_event_t ev;
		int end;
		if (!yaml_parser_parse(&parser, &ev)) {
			struct srcpos pos = mark_pos(&b, parser.problem_mark);
			error(err, "%s:%u:%u: yaml syntax error: %s%s%s", name, pos.line, pos.col,
			      parser.problem ? parser.problem : "unknown problem",
			      parser.context ? " " : "", parser.context ? parser.context : "");
			goto out;
		}
		end = on_event(&b, &ev);
		yaml_event_delete(&ev);
		if (end)
			break;
	}
	if (b.fatal)
		goto out;
	if (b.root && rnode_is_null(b.root)) {
		rnode_free(b.root);
		b.root = NULL;
	}
	/* After a problem that left the tree whole (a duplicate key, an alias) the caller
	 * gets the tree too, to go on checking and report everything at once. */
	*out = b.root;
	b.root = NULL;
	ret = b.failed ? -1 : 0;
out:
	while (b.depth) {
		struct frame *f = &b.stack[--b.depth];
		free(f->key);
		free(f->anchor);
		rnode_free(f->node);
	}
	for (size_t i = 0; i < b.nr_anchors; i++) {
		free(b.anchors[i].name);
		rnode_free(b.anchors[i].node);
	}
	free(b.anchors);
	rnode_free(b.root);
	yaml_parser_delete(&parser);
	return ret;
}

int rnode_load_file(const char *path, const char *name, struct rnode **out, struct strbuf *err)
{
	return rnode_load_file_max(path, name, FILE_MAX_RECIPE, "yaml file", out, err);
}

int rnode_load_file_max(const char *path, const char *name, size_t max, const char *what,
			struct rnode **out, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;
	*out = NULL;
	if (read_file_max(path, &sb, max, what, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	ret = rnode_load_buf(sb.buf, sb.len, name, out, err);
	strbuf_release(&sb);
	return ret;
}

const struct rnode *rnode_get(const struct rnode *map, const char *key)
{
	long i;
	if (!map || map->kind != RNODE_MAP)
		return NULL;
	i = key_find(map, key);
	return i < 0 ? NULL : map->children[i];
}

const char *rnode_str(const struct rnode *map, const char *key)
{
	const struct rnode *n = rnode_get(map, key);
	return n && n->kind == RNODE_SCALAR ? n->scalar : NULL;
}

bool rnode_is_null(const struct rnode *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	if (!n || n->kind != RNODE_SCALAR || n->quoted)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(n->scalar, nulls[i]))
			return true;
	return false;
}

void rnode_describe(const struct rnode *n, struct strbuf *sb)
{
	if (!n || rnode_is_null(n))
		strbuf_addstr(sb, "nothing");
	else if (n->kind == RNODE_MAP)
		strbuf_addstr(sb, "a mapping");
	else if (n->kind == RNODE_SEQ)
		strbuf_addstr(sb, "a list");
	else if (strlen(n->scalar) > 40 || strchr(n->scalar, '\n'))
		strbuf_addstr(sb, "a long string");
	else
		strbuf_addf(sb, "'%s'", n->scalar);
}
