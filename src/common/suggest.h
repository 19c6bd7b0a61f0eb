/* "Did you mean ...?" for unknown keys, commands and values. */
#ifndef HPCBENCH_COMMON_SUGGEST_H
#define HPCBENCH_COMMON_SUGGEST_H

#include <stddef.h>

/* Edit distance (insert, delete, substitute, transpose), case-insensitive. */
size_t edit_distance(const char *a, const char *b);
/*
 * The candidate nearest to word, or NULL if none is close enough to be a plausible
 * typo (distance at most a third of the longer word, at least 1). candidates is a
 * NULL-terminated array.
 */
const char *suggest_nearest(const char *word, const char *const *candidates);

#endif
