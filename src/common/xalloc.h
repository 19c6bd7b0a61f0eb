/* Allocation wrappers that abort on out-of-memory: callers never check for NULL. */
#ifndef HPCBENCH_COMMON_XALLOC_H
#define HPCBENCH_COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a new copy of s (caller frees). xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A broken invariant of the program itself (never bad input): prints
 * "hpcbench: BUG: FILE:LINE: message" and aborts, as git's BUG() does.
 */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* a * b, or BUG() when the product does not fit a size_t (git's st_mult). */
size_t st_mult(size_t a, size_t b);
/* a + b, or BUG() on overflow. */
size_t st_add(size_t a, size_t b);

/* Grow an array (p, nr used, alloc capacity) so that it can hold n elements. */
#define ALLOC_GROW(p, n, alloc)                                                                    \
	do {                                                                                       \
		if ((size_t)(n) > (size_t)(alloc)) {                                               \
			size_t alloc_new_ = st_add(st_mult((size_t)(alloc), 2), 8);                \
			if (alloc_new_ < (size_t)(n))                                              \
				alloc_new_ = (size_t)(n);                                          \
			(p) = xrealloc((p), st_mult(alloc_new_, sizeof(*(p))));                    \
			(alloc) = alloc_new_;                                                      \
		}                                                                                  \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
