/*
 * Quoting for POSIX shells, done in one place. Everything from a recipe or a user
 * that reaches a shell goes through here.
 */
#ifndef HPCBENCH_COMMON_SHQUOTE_H
#define HPCBENCH_COMMON_SHQUOTE_H

#include "common/strbuf.h"

/* Appends s single-quoted so that it arrives byte for byte: abc -> 'abc', a'b -> 'a'\''b'. */
void sq_quote(struct strbuf *sb, const char *s);
/*
 * Appends s as one double-quoted shell word in which `$NAME` and `${NAME}` expand at
 * run time and everything else (quotes, $(...), backticks, globs, ~, newlines, `\`)
 * arrives literally. `$$` is a literal `$`; a `$` not followed by a name is literal.
 */
void sq_quote_expand(struct strbuf *sb, const char *s);
/* Appends argv as space-separated single-quoted words (for ssh remote commands). */
void sq_quote_argv(struct strbuf *sb, const char *const *argv);
/* True if s is a valid shell variable name ([A-Za-z_][A-Za-z0-9_]*). */
int sh_valid_name(const char *s);
/* True if c may be part of a shell variable name (first: its first character). */
int sh_name_char(int c, int first);

#endif
