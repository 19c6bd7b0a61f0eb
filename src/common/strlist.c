#include "common/strlist.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void strlist_push_owned(struct strlist *l, char *s)
{
	ALLOC_GROW(l->items, l->nr + 2, l->alloc);
	l->items[l->nr++] = s;
	l->items[l->nr] = NULL;
}

void strlist_push(struct strlist *l, const char *s)
{
	strlist_push_owned(l, xstrdup(s));
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

char *const *strlist_argv(struct strlist *l)
{
	if (!l->items) {
		ALLOC_GROW(l->items, 1, l->alloc);
		l->items[0] = NULL;
	}
	return l->items;
}

void kvlist_set(struct kvlist *l, const char *key, const char *value)
{
	for (size_t i = 0; i < l->nr; i++) {
		if (!strcmp(l->items[i].key, key)) {
			free(l->items[i].value);
			l->items[i].value = xstrdup(value);
			return;
		}
	}
	kvlist_add(l, key, value);
}

void kvlist_add(struct kvlist *l, const char *key, const char *value)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr].key = xstrdup(key);
	l->items[l->nr].value = xstrdup(value);
	l->nr++;
}

const char *kvlist_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i].key, key))
			return l->items[i].value;
	return NULL;
}

void kvlist_clear(struct kvlist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}
