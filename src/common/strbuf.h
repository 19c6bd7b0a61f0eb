/* A growable string that is never NULL (STRBUF_INIT points at ""), always NUL-terminated. */
#ifndef HPCBENCH_COMMON_STRBUF_H
#define HPCBENCH_COMMON_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT                                                                                \
	{                                                                                          \
		strbuf_slopbuf, 0, 0                                                               \
	}

void strbuf_init(struct strbuf *sb, size_t hint);
/* Frees the buffer and resets sb to STRBUF_INIT. */
void strbuf_release(struct strbuf *sb);
/* Returns the buffer (caller frees) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
/* Truncates (or re-terminates) at len; BUG() when len is past the allocation. */
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as one CSV field (RFC 4180): as is, or in double quotes with quotes doubled
 * when it holds a comma, quote or line break. NULL appends nothing (an empty field). */
void strbuf_add_csv(struct strbuf *sb, const char *s);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Removes trailing whitespace. */
void strbuf_rtrim(struct strbuf *sb);

#endif
