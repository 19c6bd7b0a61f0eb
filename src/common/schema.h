/*
 * Table-driven checks of YAML mappings (struct rnode) against their known keys: each
 * key has a kind and a place in a C struct; values are checked and stored, and every
 * problem becomes one "FILE:LINE:COL: message" line. Shared by recipes and the config
 * (and the type tables' own keys, struct type_key), so it lives in common/.
 */
#ifndef HPCBENCH_COMMON_SCHEMA_H
#define HPCBENCH_COMMON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "common/strlist.h"
#include "common/rnode.h"

/* The kind of value a type-specific recipe key takes. */
enum key_kind { KEY_STRING, KEY_INT, KEY_BOOL, KEY_LIST, KEY_MAP, KEY_ANY };

/* type_key.flags */
enum {
	TK_SWEEP = 1 << 0,    /* client parameter: a comma list or sequence runs once per value */
	TK_SECRET = 1 << 1,   /* travels in a 0600 side file, never in a script or command line */
	TK_IGNORED = 1 << 2,  /* accepted for old recipes, no effect */
	TK_REQUIRED = 1 << 3, /* must be present */
	TK_PATH = 1 << 4,     /* names a file on the job's side: not read when validating */
};

struct type_key {
	const char *name;
	enum key_kind kind;
	const char *help;   /* one line, for docs and --help */
	const char *option; /* client parameters: the `hpcbench load` option it maps to, or NULL */
	unsigned flags;	    /* TK_* */
};

/* The entry for name in a {NULL}-terminated key table, or NULL. */
const struct type_key *type_key_find(const struct type_key *keys, const char *name);

/* Collects errors; never stops at the first one. */
struct schema {
	struct strbuf *err;
	unsigned errors;
};

enum field_kind {
	FIELD_STR,     /* char * (owned copy) from any scalar */
	FIELD_UINT,    /* unsigned, a whole number in [min, max] */
	FIELD_BOOL,    /* bool: true/false, yes/no, on/off */
	FIELD_STRLIST, /* struct strlist from a list of scalars */
	FIELD_ENV,     /* struct kvlist from a mapping NAME: scalar (NAME a shell variable name) */
	FIELD_MAP,     /* nested mapping checked against .sub, whose offsets start at obj + off */
	FIELD_IGNORED, /* accepted for old recipes, any value, not stored */
	FIELD_CUSTOM,  /* .check reads and stores the value */
};

struct field {
	const char *name;
	enum field_kind kind;
	size_t off;		 /* where the value goes, from the start of obj */
	const struct field *sub; /* FIELD_MAP */
	uint64_t min, max;	 /* FIELD_UINT */
	/*
	 * FIELD_CUSTOM: reads v and stores it at dst (obj + off); label is "section.key"
	 * for messages. Returns 0 or -1 (error added).
	 */
	int (*check)(struct schema *s, const char *label, const struct rnode *v, void *dst);
};

/* Adds "FILE:LINE:COL: message" and counts it. Returns -1. */
int schema_error(struct schema *s, const struct srcpos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Checks every key of map against fields (then extra, a type's own keys, kind-checked,
 * with TK_REQUIRED keys required and, when sweep is true, TK_SWEEP integers allowed to
 * be comma lists or lists), storing values into obj. label prefixes value messages
 * ("resources" -> "resources.nodes: ..."); what names the section in "unknown key 'x'
 * in WHAT (did you mean 'y'?)". With lenient, keys found in neither table are let
 * through (the section's type is unknown, which was already reported). A null map is
 * an empty one (required keys of an absent section are the caller's to report); a map
 * that is not a mapping is an error.
 */
void schema_map(struct schema *s, const struct rnode *map, const char *label, const char *what,
		const struct field *fields, const struct type_key *extra, bool sweep, bool lenient,
		void *obj);

/*
 * Value readers for custom checks. Each returns 1 when v is null (unset, nothing
 * stored), 0 when the value was stored, -1 after adding an error.
 */
int schema_str(struct schema *s, const char *label, const struct rnode *v, char **out);
int schema_uint(struct schema *s, const char *label, const struct rnode *v, uint64_t min,
		uint64_t max, uint64_t *out);
int schema_bool(struct schema *s, const char *label, const struct rnode *v, bool *out);
int schema_strlist(struct schema *s, const char *label, const struct rnode *v, struct strlist *out);
/* A FIELD_CUSTOM check: a list of strings, or one string as a one-item list, into the
 * struct strlist at dst. */
int schema_str_or_list(struct schema *s, const char *label, const struct rnode *v, void *dst);
/* A duration in seconds: 30, "30s", "5m", "1.5h" (rounded up to whole seconds, >= 1). */
int schema_duration_s(struct schema *s, const char *label, const struct rnode *v, uint64_t *out);
/* A SLURM time limit ("01:30:00", "2-00:00:00", "UNLIMITED"): the text in *out, its
 * seconds in *secs (may be NULL). */
int schema_slurm_time(struct schema *s, const char *label, const struct rnode *v, char **out,
		      uint64_t *secs);
/* Checks v against a type key's kind (sweep: TK_SWEEP integers may be lists). */
int schema_kind(struct schema *s, const char *label, const struct rnode *v,
		const struct type_key *key, bool sweep);

/* "a, b and c" from a NULL-terminated list of names, into sb. */
void schema_join(struct strbuf *sb, const char *const *names);

#endif
