/*
 * YAML files as plain trees that remember where every key and value was written, so
 * that a later check can say FILE:LINE:COL. Built on libyaml's event API. Owned by
 * src/recipe/; src/config/ uses it too.
 */
#ifndef HPCBENCH_RECIPE_RNODE_H
#define HPCBENCH_RECIPE_RNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

/* A position in a file, 1-based, for FILE:LINE:COL: messages. */
struct srcpos {
	const char *file; /* borrowed: the name given to rnode_load_file() */
	unsigned line, col;
};

/*
 * A YAML node. Tags are ignored. Aliases (*name) are replaced by copies of the anchored
 * node (&name), and merge keys (<<: *base) by the merged keys: a copy keeps the positions
 * of the text it was copied from.
 */
enum rnode_kind { RNODE_SCALAR, RNODE_MAP, RNODE_SEQ };
struct rnode {
	enum rnode_kind kind;
	struct srcpos pos;
	char *scalar; /* SCALAR: text as written */
	bool quoted;  /* SCALAR: quoted or block (| >) style: always a string, never null */
	char **keys;  /* MAP: keys, parallel to children */
	struct srcpos *key_pos;	 /* MAP: position of each key */
	struct rnode **children; /* MAP values or SEQ items */
	size_t nr, alloc;
	/* MAP with many keys: open-addressing table of child index + 1 (0 = empty), so
	 * that loading and lookups stay linear however many keys a hostile file has. */
	size_t *index, index_cap;
};

/*
 * Reads and parses the YAML file at path. Positions carry `name` (borrowed, must outlive
 * the tree). On success returns 0 and sets *out to the root node, or to NULL when the
 * file holds no document or only a null (an empty file). On failure returns -1 and
 * appends "NAME:LINE:COL: message" lines to err (syntax errors, duplicate keys, unknown
 * aliases, bad merges, several documents, unreadable file); *out is then NULL, except
 * after problems that left the tree whole (duplicate keys, aliases, merges: the tree is
 * returned so that the caller can go on checking and report every error at once). Caller frees *out
 * with rnode_free() in both cases.
 */
int rnode_load_file(const char *path, const char *name, struct rnode **out, struct strbuf *err);
/* Same, with a cap on the file's size (FILE_MAX_*) and what it is for messages. */
int rnode_load_file_max(const char *path, const char *name, size_t max, const char *what,
			struct rnode **out, struct strbuf *err);
/* Same, from a buffer. */
int rnode_load_buf(const char *buf, size_t len, const char *name, struct rnode **out,
		   struct strbuf *err);
void rnode_free(struct rnode *n);

/* Child of a MAP by key, or NULL (also when map is NULL or not a map). O(1) on average. */
const struct rnode *rnode_get(const struct rnode *map, const char *key);
/* Scalar text of map[key] or NULL (not present or not a scalar). */
const char *rnode_str(const struct rnode *map, const char *key);
/* True for a plain scalar that YAML reads as null: empty, ~, null, Null, NULL. */
bool rnode_is_null(const struct rnode *n);
/* "a mapping", "a list", "a string 'x'" (quoted), or "'x'" for plain scalars; static/owned by sb.
 */
void rnode_describe(const struct rnode *n, struct strbuf *sb);

#endif
