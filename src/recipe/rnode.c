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

/* An open MAP or SEQ while its events arrive; a MAP remembers the key awaiting a value. */
struct frame {
	struct rnode *node;
	char *key;
	struct srcpos key_pos;
};

struct builder {
	const char *name;
	struct strbuf *err;
	struct frame stack[RNODE_MAX_DEPTH];
	size_t depth;
	struct rnode *root;
	int documents;
	int failed;
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
	free(n->scalar);
	free(n);
}

__attribute__((format(printf, 3, 4)))
static void fail_at(struct builder *b, struct srcpos pos, const char *fmt, ...)
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
	for (size_t i = 0; i < f->node->nr; i++) {
		if (!strcmp(f->node->keys[i], f->key)) {
			fail_at(b, f->key_pos, "duplicate key '%s' (first at line %u)", f->key,
				f->node->key_pos[i].line);
			free(f->key);
			f->key = NULL;
			rnode_free(n);
			return;
		}
	}
	/* keys, key_pos and children grow together; alloc tracks children. */
	if (f->node->nr + 1 > f->node->alloc) {
		size_t alloc = f->node->alloc;
		ALLOC_GROW(f->node->children, f->node->nr + 1, alloc);
		f->node->keys = xrealloc(f->node->keys, alloc * sizeof(*f->node->keys));
		f->node->key_pos = xrealloc(f->node->key_pos, alloc * sizeof(*f->node->key_pos));
		f->node->alloc = alloc;
	}
	f->node->keys[f->node->nr] = f->key;
	f->node->key_pos[f->node->nr] = f->key_pos;
	f->node->children[f->node->nr++] = n;
	f->key = NULL;
}

/* Opens a MAP or SEQ; returns 1 (stop parsing) when the file nests too deep. */
static int open_node(struct builder *b, enum rnode_kind kind, struct srcpos pos)
{
	if (b->depth == RNODE_MAX_DEPTH) {
		fail_at(b, pos, "nested more than %d levels deep", RNODE_MAX_DEPTH);
		return 1;
	}
	b->stack[b->depth].node = node_new(kind, pos);
	b->stack[b->depth].key = NULL;
	b->depth++;
	return 0;
}

static void close_node(struct builder *b)
{
	struct frame *f;
	if (!b->depth)
		return;
	f = &b->stack[--b->depth];
	free(f->key);
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
		n = node_new(RNODE_SCALAR, pos);
		n->scalar = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
			    ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
		attach(b, n);
		break;
	case YAML_ALIAS_EVENT:
		fail_at(b, pos, "yaml aliases (*%s) are not supported: write the value out",
			(const char *)ev->data.alias.anchor);
		/* A null placeholder keeps the tree's shape so later checks still run. */
		n = node_new(RNODE_SCALAR, pos);
		n->scalar = xstrdup("");
		attach(b, n);
		break;
	case YAML_MAPPING_START_EVENT:
		return open_node(b, RNODE_MAP, pos);
	case YAML_SEQUENCE_START_EVENT:
		return open_node(b, RNODE_SEQ, pos);
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
		rnode_free(f->node);
	}
	rnode_free(b.root);
	yaml_parser_delete(&parser);
	return ret;
}

int rnode_load_file(const char *path, const char *name, struct rnode **out, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;
	*out = NULL;
	if (read_file(path, &sb, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	ret = rnode_load_buf(sb.buf, sb.len, name, out, err);
	strbuf_release(&sb);
	return ret;
}

const struct rnode *rnode_get(const struct rnode *map, const char *key)
{
	if (!map || map->kind != RNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->nr; i++)
		if (!strcmp(map->keys[i], key))
			return map->children[i];
	return NULL;
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
