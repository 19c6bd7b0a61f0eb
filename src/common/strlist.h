/* A growable list of owned strings, and a list of owned key/value pairs. */
#ifndef HPCBENCH_COMMON_STRLIST_H
#define HPCBENCH_COMMON_STRLIST_H

#include <stddef.h>

struct strlist {
	char **items; /* owned; items[nr] is NULL when nr > 0 (usable as argv) */
	size_t nr, alloc;
};
#define STRLIST_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Appends a copy of s. */
void strlist_push(struct strlist *l, const char *s);
/* Appends s itself (takes ownership). */
void strlist_push_owned(struct strlist *l, char *s);
void strlist_clear(struct strlist *l);
/* NULL-terminated view for execv (valid until the next push). Never NULL. */
char *const *strlist_argv(struct strlist *l);

struct kv {
	char *key, *value;
};
struct kvlist {
	struct kv *items;
	size_t nr, alloc;
};
#define KVLIST_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void kvlist_set(struct kvlist *l, const char *key, const char *value); /* replaces */
/* Appends without looking for key: the caller knows it is new (O(1), not O(n)). */
void kvlist_add(struct kvlist *l, const char *key, const char *value);
const char *kvlist_get(const struct kvlist *l, const char *key);
void kvlist_clear(struct kvlist *l);

#endif
